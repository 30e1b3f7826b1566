#ifndef MRC_LIFECYCLE_HOOKS_H
#define MRC_LIFECYCLE_HOOKS_H

#include "mrc/hooks.h"
#include "mrc/state.h"

/* Run the KIND hooks of the config saved in DIR_FD (if any) with ST on
 * stdin; failures are warnings. */
void mrc_lifecycle_hooks (int dir_fd, const struct mrc_state *st,
                          enum mrc_hook_kind kind);

#endif
