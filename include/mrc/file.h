/* Small file helpers used across modules. */
#ifndef MRC_FILE_H
#define MRC_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "mrc/error.h"

/* Read DIRFD/PATH whole into a malloc'd buffer (NUL-terminated for
 * convenience; *LEN excludes it).  Fails with "`PATH`: file too large (over N
 * bytes)" when the file is bigger than MAX, checked with fstat before
 * reading and again while reading.  Error messages name PATH. */
int mrc_read_file_at (int dirfd, const char *path, size_t max, char **out,
                      size_t *len, mrc_error_t *err) MRC_WUR;

/* Read an open fd to EOF (pipes, stdin) with the same cap. NAME is used in
 * errors. */
int mrc_read_fd_all (int fd, const char *name, size_t max, char **out,
                     size_t *len, mrc_error_t *err) MRC_WUR;

/* Write all of BUF to FD, retrying EINTR and short writes. */
int mrc_write_all (int fd, const void *buf, size_t len) MRC_WUR;

/* Write BUF atomically to DIRFD/NAME: an unnamed temp file in the same
 * directory linked (or a named one renamed) over NAME once complete, so a
 * reader sees the old file or the new one, never part of one; no fsync
 * (file.c says why).  MODE for the new file. */
int mrc_write_file_atomic (int dirfd, const char *name, const void *buf,
                           size_t len, mode_t mode, mrc_error_t *err) MRC_WUR;

/* Write a whole small string to an existing file DIRFD/PATH (O_WRONLY,
 * no create), e.g. /proc or cgroup knobs. */
int mrc_write_file_at (int dirfd, const char *path, const char *buf,
                       size_t len, mrc_error_t *err) MRC_WUR;

/* --pid-file: PID in decimal, written atomically at PATH (relative to the
 * cwd) before the verb returns, so callers can read it right away. */
int mrc_write_pid_file (const char *path, pid_t pid, mrc_error_t *err) MRC_WUR;

#endif
