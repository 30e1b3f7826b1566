#ifndef MRC_LIFECYCLE_HOOKS_H
#define MRC_LIFECYCLE_HOOKS_H

#include <stddef.h>

#include "mrc/hooks.h"
#include "mrc/spec.h"
#include "mrc/state.h"

/* post* hooks taken out of the state dir under its lock, run after. */
struct mrc_post_hooks
{
  struct mrc_spec *spec; /* NULL: nothing to run */
  char *json;
  size_t len;
  enum mrc_hook_kind kind;
};

/* Read the KIND hooks of the config saved in DIR_FD with ST as their
 * state (problems are warnings: these hooks cannot fail a verb). */
void mrc_post_hooks_prepare (int dir_fd, const struct mrc_state *st,
                             enum mrc_hook_kind kind,
                             struct mrc_post_hooks *out);

/* Run them (failures warn) and free; a zeroed struct is fine. */
void mrc_post_hooks_run (struct mrc_post_hooks *h);

#endif
