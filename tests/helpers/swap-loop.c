/* swap-loop A B: exchange the names A and B (renameat2 RENAME_EXCHANGE)
 * as fast as possible until killed: a host process racing the runtime's
 * lookups in a shared volume (escapes.bats). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: swap-loop A B\n");
      return 2;
    }
  for (;;)
    if (renameat2 (AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0)
      {
        perror ("renameat2");
        return 1;
      }
}
