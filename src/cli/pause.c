/* pause and resume: freeze and thaw every process of a container. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

static int
pause_or_resume (const struct mrc_globals *g, int argc, char **argv,
                 bool pause, mrc_error_t *err)
{
  static const struct mrc_cmd pause_cmd = {
    "pause", "CONTAINER-ID",
    "Freeze every process of a container (cgroup.freeze).", 1, 1, false,
    NULL,
  };
  static const struct mrc_cmd resume_cmd = {
    "resume", "CONTAINER-ID", "Thaw a paused container.", 1, 1, false, NULL,
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (pause ? &pause_cmd : &resume_cmd, NULL, 0, argc,
                          argv, &pos, &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  return mrc_container_pause (g, pos[0], pause, err) < 0 ? 1 : 0;
}

int
mrc_cli_pause (const struct mrc_globals *g, int argc, char **argv,
               mrc_error_t *err)
{
  return pause_or_resume (g, argc, argv, true, err);
}

int
mrc_cli_resume (const struct mrc_globals *g, int argc, char **argv,
                mrc_error_t *err)
{
  return pause_or_resume (g, argc, argv, false, err);
}
