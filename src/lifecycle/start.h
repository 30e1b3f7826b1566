#ifndef MRC_LIFECYCLE_START_H
#define MRC_LIFECYCLE_START_H

#include <stdbool.h>

#include "mrc/error.h"
#include "mrc/state.h"

/* Start a container whose state dir DIR_FD is locked and whose live state
 * is ST. */
int mrc_start_locked (int dir_fd, const struct mrc_state *st,
                      mrc_error_t *err) MRC_WUR;

/* delete with the state dir DIR_FD already locked (see delete.c). */
int mrc_delete_locked (int root_fd, int dir_fd, const char *id, bool force,
                       mrc_error_t *err) MRC_WUR;

#endif
