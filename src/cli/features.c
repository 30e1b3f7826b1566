#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

int
mrc_cli_features (const struct mrc_globals *g, int argc, char **argv,
                  mrc_error_t *err)
{
  (void) g;
  static const struct mrc_cmd cmd = {
    "features", "",
    "Print what this build supports, as the runtime-spec features JSON.", 0,
    0, false, NULL,
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, NULL, 0, argc, argv, &pos, &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  cleanup_free char *json = NULL;
  size_t len;
  if (mrc_features_json (&json, &len, err) < 0
      || mrc_cli_print (json, len, err) < 0)
    return 1;
  return 0;
}
