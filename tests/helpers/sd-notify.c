/* sd-notify MESSAGE: what sd_notify(3) does, statically linked for the
 * busybox test bundle: send MESSAGE to $NOTIFY_SOCKET. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  const char *path = getenv ("NOTIFY_SOCKET");
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (argc != 2 || path == NULL || strlen (path) >= sizeof sa.sun_path)
    return 1;
  strcpy (sa.sun_path, path);
  int s = socket (AF_UNIX, SOCK_DGRAM, 0);
  if (s < 0 || sendto (s, argv[1], strlen (argv[1]), 0,
                       (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      perror ("sd-notify");
      return 1;
    }
  return 0;
}
