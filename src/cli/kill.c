/* kill: send a signal to the container's init (--all: every process). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"
#include "mrc/signals.h"

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
