/* start: let a created container run its program. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

int
mrc_cli_start (const struct mrc_globals *g, int argc, char **argv,
               mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "start", "CONTAINER-ID", "Start the process of a created container.", 1,
    1, false, NULL,
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, NULL, 0, argc, argv, &pos, &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  return mrc_container_start (g, pos[0], err) < 0 ? 1 : 0;
}
