#ifndef MRC_LIFECYCLE_START_H
#define MRC_LIFECYCLE_START_H

#include <stdbool.h>

#include "mrc/error.h"
#include "lifecycle_hooks.h"
#include "mrc/state.h"

/* Start a container whose state dir DIR_FD is locked and whose live state
 * is ST.  Its poststart hooks land in *POST, for the caller to run once it
 * has let go of the lock. */
int mrc_start_locked (int dir_fd, const struct mrc_state *st,
                      struct mrc_post_hooks *post, mrc_error_t *err) MRC_WUR;

/* delete with the state dir DIR_FD already locked (see delete.c); the
 * poststop hooks land in *POST, to run once the lock is gone. */
int mrc_delete_locked (int root_fd, int dir_fd, const char *id, bool force,
                       struct mrc_post_hooks *post, mrc_error_t *err) MRC_WUR;

#endif
