/* create: set a container up from a bundle; its init waits for start. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cli.h"
#include "mrc/container.h"
#include "cli-internal.h"

int
mrc_cli_create (const struct mrc_globals *g, int argc, char **argv,
                mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "create", "[OPTIONS] CONTAINER-ID",
    "Create a container from a bundle; its process waits for `start`.", 1, 1,
    false, NULL,
  };
  struct mrc_create_opts o = { 0 };
  const struct mrc_opt opts[] = { CREATE_OPTS (o) };
  char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  o.id = pos[0];
  r = mrc_container_create (g, &o, err);
  free (pos);
  return r < 0 ? 1 : 0;
}
