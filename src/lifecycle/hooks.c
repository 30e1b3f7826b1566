/* poststart and poststop: run by `start` and `delete` from the config saved
 * at create time; their failures only warn, as the runtime-spec says. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/hooks.h"
#include "mrc/log.h"
#include "mrc/statedir.h"
#include "lifecycle_hooks.h"

void
mrc_lifecycle_hooks (int dir_fd, const struct mrc_state *st,
                     enum mrc_hook_kind kind)
{
  if (faccessat (dir_fd, MRC_SAVED_CONFIG, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
    return; /* no post* hooks were configured */
  mrc_error_t err = NULL;
  cleanup_spec struct mrc_spec *spec = NULL;
  cleanup_free char *json = NULL;
  size_t len;
  if (mrc_spec_load (dir_fd, MRC_SAVED_CONFIG, &spec, &err) < 0
      || mrc_state_to_json (st, false, false, &json, &len, &err) < 0)
    {
      mrc_warn ("%s hooks: %s", mrc_hook_kind_name (kind), err->msg);
      mrc_error_free (&err);
      return;
    }
  mrc_hooks_run_warn (&spec->hooks, kind, json, len);
}
