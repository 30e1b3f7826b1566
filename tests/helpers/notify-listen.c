/* notify-listen PATH: bind a unix datagram socket at PATH, print the first
 * datagram received (as the caller of a runtime with NOTIFY_SOCKET would
 * read it), exit 0; exit 2 after 20 s without one. */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (argc != 2 || strlen (argv[1]) >= sizeof sa.sun_path)
    return 1;
  strcpy (sa.sun_path, argv[1]);
  int s = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  unlink (argv[1]);
  if (s < 0 || bind (s, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      perror ("notify-listen");
      return 1;
    }
  /* ready: the test waits for this file */
  printf ("listening\n");
  fflush (stdout);
  struct pollfd p = { .fd = s, .events = POLLIN };
  if (poll (&p, 1, 20000) != 1)
    return 2;
  char buf[4096];
  ssize_t n = recv (s, buf, sizeof buf - 1, 0);
  if (n < 0)
    return 1;
  buf[n] = '\0';
  printf ("%s\n", buf);
  return 0;
}
