/* Path helpers that stay inside a root directory.
 *
 * The container's rootfs is untrusted: any of its directories may be a
 * symlink planted to point at a host path (`/proc` -> `/etc`, or
 * `mnt/x` -> `../../../../tmp`).  Every path given here is resolved
 * relative to ROOTFD as if ROOTFD were `/` (openat2 RESOLVE_IN_ROOT):
 * absolute symlinks and `..` are clamped at the root, and magic links
 * (/proc/self/fd/N and friends) are refused, so a lookup can never reach
 * a file outside the root.  Missing components are created in the
 * directory the previous component resolved to, never by re-walking a
 * string path.
 *
 * Each function returns a new O_CLOEXEC fd (>= 0) or -1 with *err set
 * (errnum carries the errno; messages name the path as given).
 */
#ifndef MRC_FS_H
#define MRC_FS_H

#include <sys/types.h>

#include "mrc/error.h"

/* Room for "/proc/self/fd/" plus any int. */
#define MRC_FD_PATH_MAX 32

/* Write "/proc/self/fd/FD" into BUF: the path through which mount(2),
 * chmod(2) and friends act on exactly the file FD refers to. */
void mrc_fs_fd_path (int fd, char buf[MRC_FD_PATH_MAX]);

/* Open NAME, one entry of directory DIRFD, with FLAGS (O_NOFOLLOW and
 * O_CLOEXEC added), never through a symlink nor onto another mount
 * (openat2 RESOLVE_NO_XDEV: EXDEV when NAME is a mount point).  Returns
 * the fd or -1 with errno, as openat does. */
int mrc_fs_open_here (int dirfd, const char *name, int flags);
/* openat(2) of PATH inside ROOTFD as openat2's RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS would, in user space: the fallback where openat2
 * answers ENOSYS (resolve.c).  -1 with errno. */
int mrc_fs_resolve_in_root (int rootfd, const char *path, int flags);
/* The same as RESOLVE_BENEATH would: EXDEV for a path leaving DIRFD. */
int mrc_fs_resolve_beneath (int dirfd, const char *path, int flags);

/* Open PATH inside ROOTFD.  FLAGS are open(2) flags (O_CLOEXEC is added;
 * O_CREAT is refused).  Use O_PATH to get a handle for mount(2). */
int mrc_fs_open_in_root (int rootfd, const char *path, int flags,
                         mrc_error_t *err) MRC_WUR;

/* Where FD, a file inside ROOTFD, really is, as a path from ROOTFD
 * ("/proc", "/" for the root itself): what symlinks on the way led to.
 * *OUT is malloc'd. */
int mrc_fs_path_in_root (int rootfd, int fd, char **out,
                         mrc_error_t *err) MRC_WUR;

/* mkdir -p PATH inside ROOTFD; new directories get MODE (minus umask).
 * A dangling symlink met on the way is followed inside the root and its
 * target created, as runc does.  Returns an O_PATH fd of the directory
 * (or of whatever already exists at PATH). */
int mrc_fs_mkdir_in_root (int rootfd, const char *path, mode_t mode,
                          mrc_error_t *err) MRC_WUR;

/* Make sure PATH exists inside ROOTFD, creating its parents (0755) and, if
 * it is missing, an empty regular file with MODE: the target of a file
 * bind mount.  An existing file of any type is kept.  Returns an O_PATH fd
 * of it. */
int mrc_fs_mkfile_in_root (int rootfd, const char *path, mode_t mode,
                           mrc_error_t *err) MRC_WUR;

/* Create the parent directories of PATH inside ROOTFD (0755) and return an
 * O_PATH fd of the parent; *NAME gets the last component (malloc'd), for
 * the *at() call that creates PATH itself (mknodat, symlinkat...).  Fails
 * with EINVAL when PATH has no last component (`/`, `..`). */
int mrc_fs_open_parent_in_root (int rootfd, const char *path, char **name,
                                mrc_error_t *err) MRC_WUR;

#endif
