#ifndef MRC_LIFECYCLE_NOTIFY_H
#define MRC_LIFECYCLE_NOTIFY_H

#include <stdint.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/spec.h"

/* create: when NOTIFY_SOCKET is set, add the container's notify socket
 * directory (STATE_DIR/notify, made in DIR_FD) as a bind mount at
 * /run/notify and point the process's NOTIFY_SOCKET there. */
int mrc_notify_prepare (struct mrc_spec *spec, int dir_fd,
                        const char *state_dir, mrc_error_t *err) MRC_WUR;

/* start: bind the container's socket (*OUT -1 when there is nothing to
 * forward). */
int mrc_notify_listen (int dir_fd, int *out, mrc_error_t *err) MRC_WUR;

/* Wait for READY=1 from the container (or its init's exit) and forward
 * MAINPID and the message to the caller's NOTIFY_SOCKET. */
int mrc_notify_forward (int sock, pid_t pid, uint64_t start_time,
                        mrc_error_t *err) MRC_WUR;

#endif
