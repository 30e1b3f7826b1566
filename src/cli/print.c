/* The verbs' one way to stdout: a JSON buffer and a newline. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "mrc/cli.h"
#include "mrc/file.h"

int
mrc_cli_print (const char *buf, size_t len, mrc_error_t *err)
{
  bool nl = len == 0 || buf[len - 1] != '\n';
  if (mrc_write_all (STDOUT_FILENO, buf, len) < 0
      || (nl && mrc_write_all (STDOUT_FILENO, "\n", 1) < 0))
    return mrc_fail_errno (err, "write output");
  return 0;
}
