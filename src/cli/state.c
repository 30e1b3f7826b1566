/* state: print a container's OCI state as JSON. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

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
