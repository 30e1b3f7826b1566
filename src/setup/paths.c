/* linux.readonlyPaths and linux.maskedPaths.
 *
 * Both are applied inside the bound rootfs, after mounts[] and /dev and
 * before pivot_root, through fds: each path is resolved once by
 * mrc_fs_open_in_root, so a path that is (or passes through) a symlink is
 * followed inside the container's root and can never name a host file,
 * and every mount goes onto that fd.
 * Missing paths are skipped, as runc does: the default lists name /proc
 * files that not every kernel has. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "setup-internal.h"

/* The flags of the empty tmpfs that hides a masked directory: nothing can
 * be written into it, executed from it or opened as a device through it. */
#define MASK_TMPFS_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* Open PATH inside ROOTFD as an O_PATH fd.  Returns 1 with *FD set, 0 when
 * PATH does not exist (a component missing or not a directory), -1 on
 * error.  A path resolving to the root itself is refused: hiding or
 * binding over the mount pivot_root needs would break the switch (and
 * root.readonly is the way to make `/` read-only). */
static int
open_target (int rootfd, const char *field, const char *path, int *fd,
             mrc_error_t *err)
{
  mrc_error_t lookup = NULL;
  cleanup_close int tfd = mrc_fs_open_in_root (rootfd, path, O_PATH, &lookup);
  if (tfd < 0)
    {
      int e = lookup->errnum;
      if (e == ENOENT || e == ENOTDIR)
        {
          mrc_error_free (&lookup);
          return 0;
        }
      *err = lookup;
      return mrc_error_wrap (err, "%s", field);
    }
  struct stat st, root;
  if (fstat (tfd, &st) < 0 || fstat (rootfd, &root) < 0)
    return mrc_fail_errno (err, "%s: stat `%s`", field, path);
  if (st.st_dev == root.st_dev && st.st_ino == root.st_ino)
    return mrc_fail (err, "%s: `%s` resolves to the container's root",
                     field, path);
  *fd = steal_fd (&tfd);
  return 1;
}

/* readonlyPaths with mount(2) (the new mount API answers ENOSYS): bound
 * onto itself through its checked fd, then the new mount, found again
 * inside the root, remounted read-only.  As runc does: mount(2) cannot
 * make its sub-mounts read-only too, which only mount_setattr(2) can. */
static int
readonly_legacy (int rootfd, int tfd, const char *path, mrc_error_t *err)
{
  mrc_setup_say_enosys ("open_tree", path);
  char tgt[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (tfd, tgt);
  if (mount (tgt, tgt, NULL, MS_BIND | MS_REC, NULL) < 0)
    return mrc_fail_errno (err, "readonlyPaths: bind `%s` onto itself", path);
  cleanup_close int mnt = mrc_fs_open_in_root (rootfd, path, O_PATH, err);
  if (mnt < 0)
    return mrc_error_wrap (err, "readonlyPaths");
  mrc_fs_fd_path (mnt, tgt);
  if (mount (NULL, tgt, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
    return mrc_fail_errno (err, "readonlyPaths: make `%s` read-only", path);
  return 0;
}

/* maskedPaths with mount(2): the same tmpfs or null device, mounted onto
 * the checked target's fd. */
static int
mask_legacy (int tfd, int nullfd, bool dir, const char *path,
             mrc_error_t *err)
{
  mrc_setup_say_enosys (dir ? "fsopen" : "open_tree", path);
  char tgt[MRC_FD_PATH_MAX], null[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (tfd, tgt);
  mrc_fs_fd_path (nullfd, null);
  int r = dir ? mount ("tmpfs", tgt, "tmpfs", MASK_TMPFS_FLAGS, "mode=0555")
              : mount (null, tgt, NULL, MS_BIND, NULL);
  if (r < 0)
    return mrc_fail_errno (err, "maskedPaths: hide `%s`", path);
  return 0;
}

/* A read-only copy of what is mounted at PATH (recursively, so
 * /proc/sys's sub-mounts stay) bound back onto it: cloned as a detached
 * tree, made read-only while nothing else can reach it, then attached
 * through the same fd, so no later lookup can be redirected.
 * mount_setattr changes only the read-only attribute, so the nosuid/nodev
 * a user namespace locked are kept without being named. */
static int
readonly_one (int rootfd, const char *path, mrc_error_t *err)
{
  int fd;
  int r = open_target (rootfd, "readonlyPaths", path, &fd, err);
  if (r <= 0)
    return r;
  cleanup_close int tfd = fd;
  cleanup_close int tree = mrc_setup_clone_tree (tfd, MS_REC, path, path,
                                                 err);
  if (tree < 0 && (*err)->errnum == ENOSYS)
    {
      mrc_error_free (err);
      return readonly_legacy (rootfd, tfd, path, err);
    }
  if (tree < 0)
    return mrc_error_wrap (err, "readonlyPaths");
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  if (mount_setattr (tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                     sizeof attr) < 0)
    return mrc_fail_errno (err, "readonlyPaths: make `%s` read-only", path);
  if (move_mount (tree, "", tfd, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mrc_fail_errno (err, "readonlyPaths: bind `%s` onto itself", path);
  return 0;
}

/* The host's null device, opened once and checked on the fd (a path check
 * could be raced): a file is masked by binding exactly this node. */
static int
open_null (mrc_error_t *err)
{
  cleanup_close int fd = open ("/dev/null", O_PATH | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "maskedPaths: open `/dev/null`");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return mrc_fail_errno (err, "maskedPaths: stat `/dev/null`");
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return mrc_fail (err, "maskedPaths: `/dev/null` is not the null device "
                     "(char 1:3)");
  return steal_fd (&fd);
}

static int
mask_one (int rootfd, int nullfd, const char *path, mrc_error_t *err)
{
  int fd;
  int r = open_target (rootfd, "maskedPaths", path, &fd, err);
  if (r <= 0)
    return r;
  cleanup_close int tfd = fd;
  struct stat st;
  if (fstat (tfd, &st) < 0)
    return mrc_fail_errno (err, "maskedPaths: stat `%s`", path);
  /* detached first, like every mount: an empty read-only tmpfs, or a
     clone of the checked null device */
  cleanup_close int tree
      = S_ISDIR (st.st_mode)
            ? mrc_setup_fs_tree ("tmpfs", "tmpfs", MASK_TMPFS_FLAGS,
                                 "mode=0555", 0, path, err)
            : mrc_setup_clone_tree (nullfd, 0, "/dev/null", path, err);
  if (tree < 0 && (*err)->errnum == ENOSYS)
    {
      mrc_error_free (err);
      return mask_legacy (tfd, nullfd, S_ISDIR (st.st_mode), path, err);
    }
  if (tree < 0)
    return mrc_error_wrap (err, "maskedPaths");
  if (move_mount (tree, "", tfd, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mrc_fail_errno (err, "maskedPaths: hide `%s`", path);
  return 0;
}

int
mrc_setup_paths (const struct mrc_spec *spec, int rootfd, mrc_error_t *err)
{
  const struct mrc_linux *l = spec->linux_;
  if (l == NULL)
    return 0;
  /* Read-only first, then masks, as runc: a mask under a read-only path
   * (/proc/sys/x) stacks on the read-only mount and still hides it. */
  for (char **p = l->readonly_paths; p && *p; p++)
    if (readonly_one (rootfd, *p, err) < 0)
      return -1;
  if (l->masked_paths == NULL || l->masked_paths[0] == NULL)
    return 0;
  cleanup_close int nullfd = open_null (err);
  if (nullfd < 0)
    return -1;
  for (char **p = l->masked_paths; *p; p++)
    if (mask_one (rootfd, nullfd, *p, err) < 0)
      return -1;
  return 0;
}
