/* Print the id of the calling process's session keyring (0x...), or
 * "none" when it has none: tests compare the keyring of a container's
 * processes with the caller's. */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

int
main (void)
{
  /* create = 0: report the keyring the process has, make none */
  long id = syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID,
                     KEY_SPEC_SESSION_KEYRING, 0);
  if (id < 0)
    {
      perror ("keyctl");
      return 1;
    }
  printf ("%lx\n", id);
  return 0;
}
