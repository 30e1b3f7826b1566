/* Detached trees attached onto checked targets: bind mounts (mounts[]
 * binds, the host's device nodes in a user namespace, the user namespace
 * fallbacks for sysfs, mqueue and cgroup2) and the new filesystems
 * fsmount.c makes.
 *
 * A bind is cloned from its source with open_tree(2) OPEN_TREE_CLONE (or
 * is an id-mapped tree idmap.c made), given its per-mount flags and its
 * recursive attributes with mount_setattr(2) while nothing else can reach
 * it, attached with move_mount(2) onto an fd of its target, checked first
 * (mount-dest.c), and given its propagation through the same tree fd.
 * Nothing is looked up by path after the attach, so a directory swapped in
 * a shared volume cannot redirect the mount, or one of its flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "mrc/names.h"
#include "setup-internal.h"

/* mount(2)'s atime flags: a bind asking for one replaces them all. */
#define ATIME_FLAGS (MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

/* Whether option O is one of a bind's per-mount flags, which mount_setattr
 * names O->attr (the atime ones are one field: below). */
static bool
per_mount_flag (const struct mrc_mount_option *o)
{
  return o->kind == MRC_MOPT_FLAG && !(o->props & MRC_MOPT_CLEAR)
         && o->attr != 0 && !(o->ms & ATIME_FLAGS);
}

/* A bind's FLAGS as mount_setattr attributes, with a MS_REMOUNT|MS_BIND's
 * meaning: a bind asking for any per-mount flag gets exactly those (the
 * others cleared), its atime kept unless one is asked for; a bind asking
 * for none keeps its source's. */
struct mount_attr
mrc_setup_mount_attr (unsigned long flags)
{
  struct mount_attr a = { 0 };
  if ((flags & ~(unsigned long) (MS_BIND | MS_REC | MS_REMOUNT)) == 0)
    return a;
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    {
      if (!per_mount_flag (o))
        continue;
      if (flags & o->ms)
        a.attr_set |= o->attr;
      else
        a.attr_clr |= o->attr;
    }
  if (flags & ATIME_FLAGS)
    {
      a.attr_clr |= MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME;
      /* as the kernel reads them: strictatime overrides noatime */
      a.attr_set |= (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
                    : (flags & MS_NOATIME)   ? MOUNT_ATTR_NOATIME
                                             : MOUNT_ATTR_RELATIME;
      if (flags & MS_NODIRATIME)
        a.attr_set |= MOUNT_ATTR_NODIRATIME;
    }
  return a;
}

/* The bind's own flags on the top mount of TREE.  In a user namespace the
 * source's ro/nosuid/nodev/noexec may be locked: keep those, as runc does,
 * rather than fail. */
static int
set_flags (int tree, unsigned long flags, const char *dest, mrc_error_t *err)
{
  struct mount_attr a = mrc_setup_mount_attr (flags);
  if (a.attr_set == 0 && a.attr_clr == 0)
    return 0;
  if (mount_setattr (tree, "", AT_EMPTY_PATH, &a, sizeof a) == 0)
    return 0;
  struct statvfs sv;
  if (errno == EPERM && fstatvfs (tree, &sv) == 0)
    {
      unsigned long have = mrc_mount_flags_from_statvfs (sv.f_flag);
      for (const struct mrc_mount_option *o = mrc_names_mount_options;
           o->name; o++)
        if ((o->props & MRC_MOPT_LOCKED) && (have & o->ms))
          a.attr_clr &= ~o->attr;
      if (mount_setattr (tree, "", AT_EMPTY_PATH, &a, sizeof a) == 0)
        return 0;
    }
  return mrc_fail_errno (err, "set the mount options of `%s`", dest);
}

int
mrc_setup_open_target (const struct mrc_bind *b, mrc_error_t *err)
{
  /* a file is bound onto a file, anything else onto a directory */
  struct stat st = { .st_mode = S_IFDIR };
  if (b->tree >= 0 && fstat (b->tree, &st) < 0)
    return mrc_fail_errno (err, "stat `%s`", b->what);
  /* a new filesystem's rules are its type's; a bind's, its source's */
  bool bind = !b->fs;
  int src = bind ? b->tree : -1;
  if (b->m && mrc_setup_precheck_dest (b->rootfd, b->m, bind, src, err) < 0)
    return -1;
  cleanup_close int tfd
      = S_ISDIR (st.st_mode)
            ? mrc_fs_mkdir_in_root (b->rootfd, b->dest, 0755, err)
            : mrc_fs_mkfile_in_root (b->rootfd, b->dest, 0644, err);
  if (tfd < 0 && b->fs)
    return mrc_error_wrap (err, "mount `%s` to `%s`",
                           b->m ? b->m->type : b->what, b->dest);
  if (tfd < 0)
    return -1;
  if (b->m
      && mrc_setup_check_target (b->rootfd, tfd, b->m, bind, src, err) < 0)
    return -1;
  return steal_fd (&tfd);
}

int
mrc_setup_set_attrs (int mnt, const struct mrc_mount_flags *mf,
                     const char *dest, mrc_error_t *err)
{
  if (set_flags (mnt, mf->flags, dest, err) < 0)
    return -1;
  if (mf->attr_set || mf->attr_clr)
    {
      struct mount_attr a = { .attr_set = mf->attr_set,
                              .attr_clr = mf->attr_clr };
      if (mount_setattr (mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &a,
                         sizeof a) < 0)
        return mrc_fail_errno (err, "set recursive mount options of `%s`",
                               dest);
    }
  return 0;
}

int
mrc_setup_set_propagation (int mnt, unsigned long propagation,
                           const char *dest, mrc_error_t *err)
{
  if (propagation == 0)
    return 0;
  struct mount_attr a = { .propagation = propagation & ~MS_REC };
  unsigned at = AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0);
  if (mount_setattr (mnt, "", at, &a, sizeof a) == 0)
    return 0;
  if (errno == ENOSYS)
    return mrc_setup_legacy_propagation (mnt, propagation, dest, err);
  return mrc_fail_errno (err, "set mount propagation of `%s`", dest);
  return 0;
}

int
mrc_setup_attach_at (const struct mrc_bind *b, int tfd, mrc_error_t *err)
{
  if (move_mount (b->tree, "", tfd, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`", b->what, b->dest);
  /* Propagation last, on the tree now attached (still no lookup): the
     attach itself makes a tree moved under a shared mount shared. */
  return mrc_setup_set_propagation (b->tree, b->mf->propagation, b->dest,
                                    err);
}

int
mrc_setup_attach_tree (const struct mrc_bind *b, mrc_error_t *err)
{
  /* flags first, on the detached tree: a refused one makes no target */
  if (mrc_setup_set_attrs (b->tree, b->mf, b->dest, err) < 0)
    return -1;
  cleanup_close int tfd = mrc_setup_open_target (b, err);
  if (tfd < 0)
    return -1;
  return mrc_setup_attach_at (b, tfd, err);
}

int
mrc_setup_clone_tree (int srcfd, unsigned long flags, const char *what,
                      const char *dest, mrc_error_t *err)
{
  int tree = open_tree (srcfd, "",
                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH
                            | ((flags & MS_REC) ? AT_RECURSIVE : 0));
  if (tree < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`", what, dest);
  return tree;
}

int
mrc_setup_bind_fd (int srcfd, const char *what, int rootfd, const char *dest,
                   unsigned long flags, mrc_error_t *err)
{
  struct mrc_mount_flags mf = { .flags = flags };
  struct mrc_bind b = { .tree = -1, .what = what, .rootfd = rootfd,
                        .dest = dest, .mf = &mf };
  return mrc_setup_bind_from (&b, srcfd, flags, err);
}

int
mrc_setup_bind_from (struct mrc_bind *b, int srcfd, unsigned long flags,
                     mrc_error_t *err)
{
  cleanup_close int tree = mrc_setup_clone_tree (srcfd, flags, b->what,
                                                 b->dest, err);
  if (tree < 0 && (*err)->errnum == ENOSYS)
    {
      mrc_error_free (err);
      return mrc_setup_bind_legacy (b, srcfd, err);
    }
  if (tree < 0)
    return -1;
  b->tree = tree;
  return mrc_setup_attach_tree (b, err);
}
