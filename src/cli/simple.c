/* The verbs that take a container id and little else: start, state,
 * delete, kill. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"
#include "mrc/signals.h"

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

int
mrc_cli_state (const struct mrc_globals *g, int argc, char **argv,
               mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "state", "CONTAINER-ID", "Print the OCI state of a container as JSON.", 1,
    1, false, NULL,
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, NULL, 0, argc, argv, &pos, &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  struct mrc_state st = { 0 };
  cleanup_free char *json = NULL;
  size_t len;
  r = mrc_container_state (g, pos[0], &st, err);
  if (r == 0)
    r = mrc_state_to_json (&st, false, true, &json, &len, err);
  if (r == 0)
    r = mrc_cli_print (json, len, err);
  mrc_state_clear (&st);
  return r < 0 ? 1 : 0;
}

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

int
mrc_cli_kill (const struct mrc_globals *g, int argc, char **argv,
              mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "kill", "[OPTIONS] CONTAINER-ID [SIGNAL]",
    "Send a signal (default SIGTERM; a name with or without SIG, or a "
    "number) to the container's init.",
    1, 2, true, NULL,
  };
  bool all = false;
  const struct mrc_opt opts[] = {
    { "all", 'a', MRC_OPT_BOOL, &all, NULL,
      "signal every process of the container" },
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  int sig = SIGTERM;
  if (npos == 2 && mrc_signal_parse (pos[1], &sig, err) < 0)
    return 1;
  return mrc_container_kill (g, pos[0], sig, all, err) < 0 ? 1 : 0;
}
