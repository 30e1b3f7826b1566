/* delete: remove a stopped or created container (--force: any). */
#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

int
mrc_cli_delete (const struct mrc_globals *g, int argc, char **argv,
                mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "delete", "[OPTIONS] CONTAINER-ID",
    "Delete a stopped or created container and everything it used.", 1, 1,
    false, NULL,
  };
  bool force = false;
  const struct mrc_opt opts[] = {
    { "force", 'f', MRC_OPT_BOOL, &force, NULL,
      "kill a running container first; a missing one is not an error" },
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  return mrc_container_delete (g, pos[0], force, err) < 0 ? 1 : 0;
}
