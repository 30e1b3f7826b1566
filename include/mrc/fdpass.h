/* Passing fds to callers over unix sockets (--pidfd-socket, and the
 * console socket): exactly one SCM_RIGHTS message carrying exactly one fd. */
#ifndef MRC_FDPASS_H
#define MRC_FDPASS_H

#include <stddef.h>

#include "mrc/error.h"

/* Connect to the SOCK_STREAM unix socket at PATH (any length: long paths
 * go through /proc/self/fd).  Errors name PATH. */
int mrc_fdpass_connect (const char *path, int *fd, mrc_error_t *err) MRC_WUR;

/* Send FD with DATA (may be "") as the message's bytes. */
int mrc_fdpass_send (int sock, int fd, const char *data,
                     mrc_error_t *err) MRC_WUR;

/* Receive one message from SOCK: its bytes into DATA (NUL-terminated, at
 * most SIZE - 1 of them) and the fd it carries into *FD (-1 when none). */
int mrc_fdpass_recv (int sock, int *fd, char *data, size_t size,
                     mrc_error_t *err) MRC_WUR;

#endif
