/* run: create and start; in the foreground wait, exit with its status. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cli.h"
#include "mrc/container.h"
#include "cli-internal.h"

int
mrc_cli_run (const struct mrc_globals *g, int argc, char **argv,
             mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "run", "[OPTIONS] CONTAINER-ID",
    "Create and start a container; in the foreground, wait for it, exit "
    "with its status and delete it.",
    1, 1, false, NULL,
  };
  struct mrc_create_opts o = { 0 };
  const struct mrc_opt opts[] = {
    CREATE_OPTS (o),
    { "detach", 'd', MRC_OPT_BOOL, &o.detach, NULL,
      "start the container and return at once" },
    { "keep", 0, MRC_OPT_BOOL, &o.keep, NULL,
      "do not delete the container after it exits" },
  };
  char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  o.id = pos[0];
  o.foreground = !o.detach;
  int status = 0;
  r = mrc_container_run (g, &o, &status, err);
  free (pos);
  return r < 0 ? 1 : status;
}
