/* poststart and poststop: run by `start` and `delete` from the config saved
 * at create time; their failures only warn, as the runtime-spec says.
 * They are prepared while the verb holds the state dir's lock and run after
 * it let go, so a hook may itself call mini-runc on the container. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/hooks.h"
#include "mrc/log.h"
#include "mrc/statedir.h"
#include "lifecycle-internal.h"

void
mrc_post_hooks_prepare (int dir_fd, const struct mrc_state *st,
                        enum mrc_hook_kind kind, struct mrc_post_hooks *out)
{
  memset (out, 0, sizeof *out);
  out->kind = kind;
  mrc_error_t err = NULL;
  cleanup_spec struct mrc_spec *spec = NULL;
  size_t n;
  if (mrc_spec_load (dir_fd, MRC_SAVED_CONFIG, &spec, &err) < 0)
    {
      /* a state dir of an older create has no copy: nothing to run */
      if (err->errnum != ENOENT)
        mrc_warn ("%s hooks: %s", mrc_hook_kind_name (kind), err->msg);
      mrc_error_free (&err);
      return;
    }
  if (mrc_hooks_of (&spec->hooks, kind, &n) == NULL || n == 0)
    return;
  if (mrc_state_to_json (st, false, false, &out->json, &out->len, &err) < 0)
    {
      mrc_warn ("%s hooks: %s", mrc_hook_kind_name (kind), err->msg);
      mrc_error_free (&err);
      return;
    }
  out->spec = steal_ptr (&spec);
}

void
mrc_post_hooks_run (struct mrc_post_hooks *h)
{
  if (h->spec)
    mrc_hooks_run_warn (&h->spec->hooks, h->kind, h->json, h->len);
  mrc_spec_free (h->spec);
  free (h->json);
  memset (h, 0, sizeof *h);
}
