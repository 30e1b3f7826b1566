/* mount(2) where the new mount API answers ENOSYS (seccomp policies of an
 * outer container, gVisor, valgrind, kernels before 5.2/5.12; issue 15).
 * Every mount still goes onto the checked target's fd, through its
 * /proc/self/fd/N path, and the new mount is found again inside the root
 * with the same resolver before any flag or propagation is set on it, so
 * a directory swapped in a shared volume cannot redirect it.  What only
 * mount_setattr(2) can do (recursive attributes, id maps) fails, naming
 * the option and the missing call, rather than be silently dropped. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "mrc/log.h"
#include "mrc/names.h"
#include "setup-internal.h"

/* The per-mount flags mount(2) sets with MS_REMOUNT|MS_BIND. */
#define PER_MOUNT (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME \
                   | MS_NOSYMFOLLOW \
                   | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

void
mrc_setup_say_enosys (const char *call, const char *dest)
{
  mrc_debug ("%s: ENOSYS, mounting `%s` with mount(2)", call, dest);
}

/* The first recursive option of M, or "recursive options" when M has no
 * options of its own (a mount built by the runtime). */
static const char *
recursive_name (const struct mrc_mount *m)
{
  for (size_t i = 0; m && m->options && m->options[i]; i++)
    {
      bool rec = false;
      const struct mrc_mount_option *o
          = mrc_names_mount_option (m->options[i], &rec);
      if (o && rec && o->attr)
        return m->options[i];
    }
  return "recursive options";
}

int
mrc_setup_legacy_propagation (int mnt, unsigned long propagation,
                              const char *dest, mrc_error_t *err)
{
  char path[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (mnt, path);
  if (mount (NULL, path, NULL, propagation, NULL) < 0)
    return mrc_fail_errno (err, "set mount propagation of `%s`", dest);
  return 0;
}

/* MF's per-mount flags on the bind MNT with MS_REMOUNT|MS_BIND, keeping
 * the ones a user namespace locked, as set_flags (bind.c) does. */
static int
remount_flags (int mnt, unsigned long flags, const char *dest,
               mrc_error_t *err)
{
  struct mount_attr a = mrc_setup_mount_attr (flags);
  if (a.attr_set == 0 && a.attr_clr == 0)
    return 0;
  char path[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (mnt, path);
  unsigned long f = MS_REMOUNT | MS_BIND | (flags & PER_MOUNT);
  if (mount (NULL, path, NULL, f, NULL) == 0)
    return 0;
  struct statvfs sv;
  if (errno == EPERM && fstatvfs (mnt, &sv) == 0)
    {
      unsigned long have = mrc_mount_flags_from_statvfs (sv.f_flag);
      for (const struct mrc_mount_option *o = mrc_names_mount_options;
           o->name; o++)
        if ((o->props & MRC_MOPT_LOCKED) && (have & o->ms))
          f |= o->ms;
      if (mount (NULL, path, NULL, f, NULL) == 0)
        return 0;
    }
  return mrc_fail_errno (err, "set the mount options of `%s`", dest);
}

int
mrc_setup_bind_legacy (const struct mrc_bind *b, int srcfd, mrc_error_t *err)
{
  const struct mrc_mount_flags *mf = b->mf;
  if (mf->attr_set || mf->attr_clr)
    return mrc_error_set (err, ENOSYS,
                          "mount `%s` to `%s`: option `%s` needs "
                          "mount_setattr(2), which is missing",
                          b->what, b->dest, recursive_name (b->m));
  mrc_setup_say_enosys ("open_tree", b->dest);
  struct mrc_bind t = *b;
  t.tree = srcfd; /* the target is made to match the source's type */
  cleanup_close int tfd = mrc_setup_open_target (&t, err);
  if (tfd < 0)
    return -1;
  char src[MRC_FD_PATH_MAX], tgt[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (srcfd, src);
  mrc_fs_fd_path (tfd, tgt);
  if (mount (src, tgt, NULL, MS_BIND | (mf->flags & MS_REC), NULL) < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`", b->what, b->dest);
  cleanup_close int mnt = mrc_fs_open_in_root (b->rootfd, b->dest, O_PATH,
                                               err);
  if (mnt < 0 || remount_flags (mnt, mf->flags, b->dest, err) < 0)
    return -1;
  if (mf->propagation == 0)
    return 0;
  return mrc_setup_legacy_propagation (mnt, mf->propagation, b->dest, err);
}

int
mrc_setup_legacy_readonly (int mnt, unsigned long flags, const char *dest,
                           mrc_error_t *err)
{
  mrc_setup_say_enosys ("fspick", dest);
  char path[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (mnt, path);
  /* MS_REMOUNT without MS_BIND: the superblock and the mount read-only */
  unsigned long f = MS_REMOUNT | MS_RDONLY | (flags & PER_MOUNT);
  if (mount (NULL, path, NULL, f, NULL) < 0)
    return mrc_fail_errno (err, "make `%s` read-only", dest);
  return 0;
}
