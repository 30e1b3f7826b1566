/* The six hook kinds and running a kind's list in order.  Running one hook
 * is run.c's business. */
#define _GNU_SOURCE
#include <stddef.h>

#include "mrc/hooks.h"
#include "mrc/log.h"

/* Indexed by enum mrc_hook_kind: the config key and where the list and
   its length live in struct mrc_hooks. */
static const struct
{
  const char *name;
  size_t list;
  size_t n;
} kinds[] = {
  [MRC_HOOK_PRESTART] = { "prestart", offsetof (struct mrc_hooks, prestart),
                          offsetof (struct mrc_hooks, n_prestart) },
  [MRC_HOOK_CREATE_RUNTIME]
  = { "createRuntime", offsetof (struct mrc_hooks, create_runtime),
      offsetof (struct mrc_hooks, n_create_runtime) },
  [MRC_HOOK_CREATE_CONTAINER]
  = { "createContainer", offsetof (struct mrc_hooks, create_container),
      offsetof (struct mrc_hooks, n_create_container) },
  [MRC_HOOK_START_CONTAINER]
  = { "startContainer", offsetof (struct mrc_hooks, start_container),
      offsetof (struct mrc_hooks, n_start_container) },
  [MRC_HOOK_POSTSTART] = { "poststart", offsetof (struct mrc_hooks, poststart),
                           offsetof (struct mrc_hooks, n_poststart) },
  [MRC_HOOK_POSTSTOP] = { "poststop", offsetof (struct mrc_hooks, poststop),
                          offsetof (struct mrc_hooks, n_poststop) },
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

const char *
mrc_hook_kind_name (enum mrc_hook_kind kind)
{
  return (size_t) kind < N_KINDS ? kinds[kind].name : "unknown";
}

const struct mrc_hook *
mrc_hooks_of (const struct mrc_hooks *h, enum mrc_hook_kind kind, size_t *n)
{
  *n = 0;
  if (h == NULL || (size_t) kind >= N_KINDS)
    return NULL;
  const char *base = (const char *) h;
  *n = *(const size_t *) (base + kinds[kind].n);
  return *(struct mrc_hook *const *) (base + kinds[kind].list);
}

static int
run_one (enum mrc_hook_kind kind, size_t i, const struct mrc_hook *hook,
         const char *state, size_t len, mrc_error_t *err)
{
  if (mrc_hook_run (hook, state, len, err) < 0)
    return mrc_error_wrap (err, "%s hook[%zu] `%s`", mrc_hook_kind_name (kind),
                           i, hook->path ? hook->path : "");
  return 0;
}

int
mrc_hooks_run (const struct mrc_hooks *h, enum mrc_hook_kind kind,
               const char *state, size_t len, mrc_error_t *err)
{
  size_t n;
  const struct mrc_hook *list = mrc_hooks_of (h, kind, &n);
  for (size_t i = 0; i < n; i++)
    if (run_one (kind, i, &list[i], state, len, err) < 0)
      return -1;
  return 0;
}

size_t
mrc_hooks_run_warn (const struct mrc_hooks *h, enum mrc_hook_kind kind,
                    const char *state, size_t len)
{
  size_t n, failed = 0;
  const struct mrc_hook *list = mrc_hooks_of (h, kind, &n);
  for (size_t i = 0; i < n; i++)
    {
      mrc_error_t err = NULL;
      if (run_one (kind, i, &list[i], state, len, &err) < 0)
        {
          /* The spec: warn, and carry on as if the hook had succeeded. */
          mrc_warn ("%s", err->msg);
          mrc_error_free (&err);
          failed++;
        }
    }
  return failed;
}
