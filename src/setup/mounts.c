/* One mounts[] entry onto its destination inside the root: binds (plain
 * and id-mapped) and filesystems of their own, both as detached mounts
 * attached onto the target's fd, and the remount of one already there. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "mrc/names.h"
#include "setup-internal.h"

/* OCI type names that mean another kernel filesystem here. */
static const struct
{
  const char *oci;
  const char *kernel;
} type_aliases[] = {
  /* runc's default spec says "cgroup": cgroup2 where the host's
   * controllers are there; a v1 host gets runc's tree of v1 mounts
   * instead (cgroupfs.c). */
  { "cgroup", "cgroup2" },
};

/* Filesystems a user namespace may be refused (EPERM) because it does not
 * own the namespace they belong to; runc then binds the host's instance. */
static const struct
{
  const char *type;
  const char *host_path;
} userns_fallbacks[] = {
  { "sysfs", "/sys" },          /* needs the owner of the net namespace */
  { "mqueue", "/dev/mqueue" },  /* needs the owner of the ipc namespace */
};

bool
mrc_setup_path_is (const char *path, const char *dir)
{
  path += strspn (path, "/");
  dir += strspn (dir, "/");
  size_t n = strlen (dir);
  if (strncmp (path, dir, n) != 0)
    return false;
  return path[n + strspn (path + n, "/")] == '\0';
}

static const char *
kernel_type (const char *type)
{
  for (size_t i = 0; i < sizeof type_aliases / sizeof type_aliases[0]; i++)
    if (strcmp (type_aliases[i].oci, type) == 0)
      return type_aliases[i].kernel;
  return type;
}

static const char *
userns_fallback (const char *type)
{
  for (size_t i = 0;
       i < sizeof userns_fallbacks / sizeof userns_fallbacks[0]; i++)
    if (strcmp (userns_fallbacks[i].type, type) == 0)
      return userns_fallbacks[i].host_path;
  return NULL;
}

/* The source of the bind M: the runtime's fd for it when the caller has
 * one (a user namespace, bind-source.c), else opened here; either way
 * once, so the file examined is the file bound. */
static int
open_source (const struct mrc_setup_into *to, const struct mrc_mount *m,
             mrc_error_t *err)
{
  const struct mrc_setup_points *p = to->points;
  int fd = -1;
  if (p && p->bind_source
      && p->bind_source (p->arg, (size_t) (m - to->plan->spec->mounts), &fd,
                         err) < 0)
    return -1;
  return fd >= 0 ? fd : mrc_setup_bind_source (to->plan->bundle, m, err);
}

/* A bind or rbind of a host path (SOURCE relative to the bundle), or of
 * the id-mapped tree made for it before the clone (idmap.c). */
static int
mount_bind (const struct mrc_setup_into *to, const struct mrc_mount *m,
            const struct mrc_mount_flags *mf, mrc_error_t *err)
{
  const struct mrc_launch *plan = to->plan;
  cleanup_close int tree = -1;
  if ((mf->extensions & MRC_MOUNT_IDMAP) || m->n_uid_mappings
      || m->n_gid_mappings)
    {
      size_t i = (size_t) (m - plan->spec->mounts);
      const struct mrc_setup_points *p = to->points;
      /* in a user namespace the runtime makes it now, from our locked
         copy of the source (idmap.c); else the one made before the clone,
         ours to close: once attached the init has no more use for it */
      if (p && p->bind_source && p->bind_source (p->arg, i, &tree, err) < 0)
        return -1;
      int made = plan->idmap_trees ? plan->idmap_trees[i] : -1;
      if (tree < 0)
        tree = made;
      else if (made >= 0)
        close (made); /* the unlocked one, not needed */
      if (tree < 0)
        return mrc_fail (err, "id-map `%s`: no id-mapped tree was prepared",
                         m->destination);
    }
  else
    {
      cleanup_close int srcfd = open_source (to, m, err);
      if (srcfd < 0)
        return -1;
      struct mrc_bind sb = { .tree = -1, .what = m->source,
                             .rootfd = to->rootfd, .dest = m->destination,
                             .mf = mf, .m = m };
      return mrc_setup_bind_from (&sb, srcfd, mf->flags, err);
    }
  struct mrc_bind b = { .tree = tree, .what = m->source, .rootfd = to->rootfd,
                        .dest = m->destination, .mf = mf, .m = m };
  return mrc_setup_attach_tree (&b, err);
}

/* A new filesystem has no submounts: its recursive options (rro, rsuid,
 * rnoatime...) are plain flags of the mount call, set or cleared after
 * the plain ones, as mount_setattr would have changed them after it. */
static unsigned long
flags_with_recursive (const struct mrc_mount_flags *mf)
{
  unsigned long f = mf->flags;
  unsigned long long mode = mf->attr_set & MOUNT_ATTR__ATIME;
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    {
      if (o->kind != MRC_MOPT_FLAG || o->rname == NULL
          || (o->props & MRC_MOPT_CLEAR))
        continue;
      if (o->props & MRC_MOPT_ATIME_MODE)
        {
          /* the mode left, when one is asked for */
          if (mf->attr_clr & MOUNT_ATTR__ATIME)
            f = (f & ~o->ms) | (mode == o->attr ? o->ms : 0);
          continue;
        }
      if (mf->attr_clr & o->attr)
        f &= ~o->ms;
      if (mf->attr_set & o->attr)
        f |= o->ms;
    }
  return f;
}

/* EPERM making TYPE in a user namespace: a bind of the host's instance
 * (sysfs, mqueue) or of the container's own cgroup (cgroup2 without a
 * cgroup namespace), as runc binds them, with the options asked for the
 * filesystem and the target rules of its type.  1 when there is none to
 * fall back on. */
static int
userns_fallback_bind (const struct mrc_launch *plan, int rootfd,
                      const struct mrc_mount *m,
                      const struct mrc_mount_flags *mf, const char *type,
                      mrc_error_t *err)
{
  const char *host = strcmp (type, "cgroup2") == 0 ? plan->cgroup_dir
                                                   : userns_fallback (type);
  return mrc_setup_bind_host (rootfd, m, mf, host, err);
}

int
mrc_setup_bind_host (int rootfd, const struct mrc_mount *m,
                     const struct mrc_mount_flags *mf, const char *host,
                     mrc_error_t *err)
{
  if (host == NULL)
    return 1;
  cleanup_close int hfd = open (host, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (hfd < 0)
    return 1;
  /* propagation comes after, as for any filesystem */
  struct mrc_mount_flags bf = { .flags = mf->flags | MS_BIND | MS_REC,
                                .attr_set = mf->attr_set,
                                .attr_clr = mf->attr_clr,
                                .propagation = mf->propagation };
  struct mrc_bind b = { .tree = -1, .what = host, .rootfd = rootfd,
                        .dest = m->destination, .mf = &bf, .m = m,
                        .fs = true };
  return mrc_setup_bind_from (&b, hfd, MS_REC, err);
}

/* tmpcopyup: the image's directory BELOW (opened before anything hid it)
 * copied into the tmpfs whose root is TOP, which only then becomes
 * read-only when FLAGS ask for it. */
static int
copy_up (int below, int top, unsigned long flags, const char *dest,
         mrc_error_t *err)
{
  cleanup_close int dir = openat (top, ".", O_RDONLY | O_DIRECTORY
                                                | O_CLOEXEC);
  if (dir < 0)
    return mrc_fail_errno (err, "tmpcopyup of `%s`", dest);
  if (mrc_setup_copyup (below, dir, dest, err) < 0)
    return -1;
  if (!(flags & MS_RDONLY))
    return 0;
  return mrc_setup_make_readonly (top, flags, dest, err);
}

int
mrc_setup_make_readonly (int mnt, unsigned long flags, const char *dest,
                         mrc_error_t *err)
{
  struct mrc_mount_flags ro = { .flags = flags | MS_RDONLY };
  int r = mrc_setup_fs_reconfigure (mnt, MS_RDONLY, NULL, false, dest, err);
  if (r < 0 && (*err)->errnum == ENOSYS)
    {
      mrc_error_free (err);
      return mrc_setup_legacy_readonly (mnt, flags, dest, err);
    }
  if (r < 0 || mrc_setup_set_attrs (mnt, &ro, dest, err) < 0)
    return -1;
  return 0;
}

static int
open_below (int tfd, const char *dest, mrc_error_t *err)
{
  int fd = openat (tfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "tmpcopyup of `%s`", dest);
  return fd;
}

/* mount(2), for the rare filesystem whose data fsconfig(2) cannot carry
 * (mrc_setup_fs_needs_mount2: an overlay's long lowerdir list, an SELinux
 * context): onto the checked target's fd, then its copy and its
 * propagation on the mount found again inside the root.  *MADE is set
 * once the filesystem exists: a failure before it is the filesystem's own
 * refusal (the caller may fall back), one after it is not. */
static int
mount_fs_legacy (const struct mrc_launch *plan, const struct mrc_bind *b,
                 const char *type, unsigned long flags, const char *data,
                 bool copyup, bool *made, mrc_error_t *err)
{
  *made = false;
  cleanup_close int tfd = mrc_setup_open_target (b, err);
  if (tfd < 0)
    return -1;
  cleanup_close int below = copyup ? open_below (tfd, b->dest, err) : -1;
  if (copyup && below < 0)
    return -1;
  char tgt[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (tfd, tgt);
  unsigned long f = copyup ? flags & ~(unsigned long) MS_RDONLY : flags;
  int r = mount (b->what, tgt, type, f, data);
  if (r < 0 && errno == EINVAL && plan->ns.has_user
      && strcmp (type, "devpts") == 0)
    {
      /* the gid= a user namespace may not map, as mrc_setup_fs_tree */
      cleanup_free char *without = mrc_setup_data_without_gid (data);
      if (without)
        r = mount (b->what, tgt, type, f, without);
      else
        errno = EINVAL;
    }
  if (r < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`", type, b->dest);
  *made = true;
  cleanup_close int mnt = mrc_fs_open_in_root (b->rootfd, b->dest,
                                               O_RDONLY | O_DIRECTORY, err);
  if (mnt < 0)
    return -1;
  if (copyup && copy_up (below, mnt, flags, b->dest, err) < 0)
    return -1;
  return mrc_setup_set_propagation (mnt, b->mf->propagation, b->dest, err);
}

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* How many levels the init's cgroup lies below the root of its cgroup
 * namespace ("0::/a/b" -> 2), or -1. */
static int
cgroup2_depth (void)
{
  char buf[4096];
  int fd = open ("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return -1;
  buf[n] = '\0';
  char *line = strncmp (buf, "0::", 3) == 0 ? buf : strstr (buf, "\n0::");
  if (line == NULL)
    return -1;
  int depth = 0;
  for (char *c = line + (line == buf ? 3 : 4); *c && *c != '\n'; c++)
    if (*c == '/' && c[1] && c[1] != '/' && c[1] != '\n')
      depth++;
  return depth;
}

/* A cgroup2 mount without a cgroup namespace of its own shows the
 * hierarchy from the root of the runtime's cgroup namespace, which is
 * just what a bind of that directory shows.  Making the file system anew
 * costs a superblock lookup that waited ~10 ms here whenever a container's
 * mount namespace had gone away shortly before on an idle host (runc and
 * crun wait the same), and, from the initial cgroup namespace, resets the
 * hierarchy's mount options (nsdelegate) for the whole host; the bind does
 * neither.  The directory is reached from the init's own cgroup (the
 * runtime's plan->cgroup_fd, by its path), as many levels up as /proc/self/cgroup puts it below
 * that root, never leaving the cgroup2 file system; the bind gets exactly
 * the per-mount flags a new mount would.  -1 when any of it fails or does
 * not apply (a cgroup namespace or a user namespace of its own, options
 * for the file system): the caller then makes a new one. */
static int
cgroup2_bind_root (const struct mrc_launch *plan, unsigned long flags,
                   const char *data)
{
  if (plan->cgroup_fd < 0 || plan->cgroup_dir == NULL || plan->ns.new_cgroup
      || plan->ns.has_user || (data && *data))
    return -1;
  int depth = cgroup2_depth ();
  struct stat top, st;
  struct statfs fs;
  /* by its path: open_tree clones only mounts of our own (new) mount
     namespace, and the runtime's fd is on its copy; the same directory */
  cleanup_close int dir = open (plan->cgroup_dir, O_PATH | O_DIRECTORY
                                                      | O_NOFOLLOW | O_CLOEXEC);
  if (depth < 0 || dir < 0 || fstat (dir, &top) < 0
      || fstat (plan->cgroup_fd, &st) < 0 || st.st_ino != top.st_ino
      || st.st_dev != top.st_dev || fstatfs (dir, &fs) < 0
      || fs.f_type != CGROUP2_SUPER_MAGIC)
    return -1;
  for (int i = 0; i < depth; i++)
    {
      int up = openat (dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (up < 0 || fstat (up, &st) < 0 || st.st_dev != top.st_dev)
        {
          if (up >= 0)
            close (up);
          return -1;
        }
      close (dir);
      dir = up;
    }
  int tree = open_tree (dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                                     | AT_EMPTY_PATH);
  if (tree < 0)
    return -1;
  /* every per-mount flag set or cleared, relatime unless another is
     asked, as fsmount makes them */
  if (!(flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)))
    flags |= MS_RELATIME;
  struct mount_attr a = mrc_setup_mount_attr (flags);
  if (mount_setattr (tree, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
    {
      close (tree);
      return -1;
    }
  return tree;
}

/* A new filesystem detached (fsmount.c), filled when tmpcopyup asks,
 * attached onto its checked target's fd and given its propagation there.
 * *MADE as for mount_fs_legacy. */
static int
mount_fs_detached (const struct mrc_launch *plan, struct mrc_bind *b,
                   const char *type, unsigned long flags, const char *data,
                   bool copyup, bool *made, mrc_error_t *err)
{
  *made = false;
  unsigned opts = copyup ? MRC_FS_KEEP_RW : 0;
  if (plan->ns.has_user && strcmp (type, "devpts") == 0)
    opts |= MRC_FS_SKIP_GID;
  cleanup_close int tree = strcmp (type, "cgroup2") == 0
                               ? cgroup2_bind_root (plan, flags, data)
                               : -1;
  if (tree < 0)
    tree = mrc_setup_fs_tree (type, b->what, flags, data, opts, b->dest,
                              err);
  if (tree < 0)
    return -1;
  *made = true;
  b->tree = tree;
  cleanup_close int tfd = mrc_setup_open_target (b, err);
  if (tfd < 0)
    return -1;
  if (copyup)
    {
      cleanup_close int below = open_below (tfd, b->dest, err);
      if (below < 0 || copy_up (below, tree, flags, b->dest, err) < 0)
        return -1;
    }
  return mrc_setup_attach_at (b, tfd, err);
}

/* A tmpfs asked for without mode= on a directory that exists takes that
 * directory's mode, as runc makes it (a new one keeps tmpfs' 1777).  The
 * DATA to use, malloc'd into *OUT, or NULL for MF's own. */
static int
tmpfs_mode (int rootfd, const struct mrc_mount *m,
            const struct mrc_mount_flags *mf, char **out, mrc_error_t *err)
{
  *out = NULL;
  const char *d = mf->data ? mf->data : "";
  for (const char *p = d; *p; p += strcspn (p, ",") + (p[strcspn (p, ",")] == ','))
    if (strncmp (p, "mode=", 5) == 0)
      return 0;
  mrc_error_t absent = NULL;
  cleanup_close int fd = mrc_fs_open_in_root (rootfd, m->destination, O_PATH,
                                              &absent);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      mrc_error_free (&absent);
      return 0; /* made by the mount, or refused there with its reason */
    }
  if (asprintf (out, "%s%smode=%o", d, *d ? "," : "",
                (unsigned) (st.st_mode & 07777)) < 0)
    return *out = NULL, mrc_fail_errno (err, "mount to `%s`", m->destination);
  return 0;
}

/* A filesystem of its own: proc, sysfs, tmpfs, devpts, mqueue, cgroup2...
 * In a user namespace that may not make one (EPERM), the fallback bind. */
int
mrc_setup_mount_fs (const struct mrc_launch *plan, int rootfd,
                    const struct mrc_mount *m,
                    const struct mrc_mount_flags *mf, const char *type,
                    mrc_error_t *err)
{
  const char *src = m->source ? m->source : m->type;
  bool copyup = (mf->extensions & MRC_MOUNT_TMPCOPYUP)
                && strcmp (type, "tmpfs") == 0;
  cleanup_free char *moded = NULL;
  if (strcmp (type, "tmpfs") == 0
      && tmpfs_mode (rootfd, m, mf, &moded, err) < 0)
    return -1;
  struct mrc_mount_flags with_mode;
  if (moded)
    {
      with_mode = *mf;
      with_mode.data = moded;
      mf = &with_mode;
    }
  unsigned long flags = flags_with_recursive (mf);
  /* its per-mount flags are set when it is made; propagation is left */
  struct mrc_mount_flags af = { .propagation = mf->propagation };
  struct mrc_bind b = { .tree = -1, .what = src, .rootfd = rootfd,
                        .dest = m->destination, .mf = &af, .m = m,
                        .fs = true };
  bool made;
  int r = mrc_setup_fs_needs_mount2 (src, mf->data)
              ? mount_fs_legacy (plan, &b, type, flags, mf->data, copyup,
                                 &made, err)
              : mount_fs_detached (plan, &b, type, flags, mf->data, copyup,
                                   &made, err);
  if (r < 0 && (*err)->errnum == ENOSYS)
    {
      /* nothing reachable was made: a detached tree is dropped unused */
      mrc_error_free (err);
      mrc_setup_say_enosys ("fsopen", m->destination);
      b.tree = -1;
      r = mount_fs_legacy (plan, &b, type, flags, mf->data, copyup, &made,
                           err);
    }
  if (r == 0 || made || !((*err)->errnum == EPERM && plan->ns.has_user))
    return r;
  /* the EPERM stands unless a fallback works */
  mrc_error_t refused = *err;
  *err = NULL;
  r = userns_fallback_bind (plan, rootfd, m, mf, type, err);
  if (r == 1)
    {
      *err = refused;
      return -1;
    }
  mrc_error_free (&refused);
  return r;
}

/* `remount`: the mount already on DEST changed, superblock and per-mount
 * flags replaced as mount(2)'s MS_REMOUNT replaces them. */
static int
remount (int rootfd, const struct mrc_mount *m,
         const struct mrc_mount_flags *mf, mrc_error_t *err)
{
  /* the same rules as a new mount there: nothing but procfs on /proc */
  if (mrc_setup_precheck_dest (rootfd, m, false, -1, err) < 0)
    return -1;
  cleanup_close int mnt = mrc_fs_open_in_root (rootfd, m->destination,
                                               O_PATH, err);
  if (mnt < 0)
    return mrc_error_wrap (err, "remount `%s`", m->destination);
  if (mrc_setup_check_target (rootfd, mnt, m, false, -1, err) < 0)
    return -1;
  unsigned long flags = flags_with_recursive (mf)
                        & ~(unsigned long) MS_REMOUNT;
  /* every per-mount flag replaced, even when none is asked for */
  struct mount_attr a = mrc_setup_mount_attr (flags | MS_RDONLY);
  if (!(flags & MS_RDONLY))
    {
      a.attr_set &= ~(unsigned long long) MOUNT_ATTR_RDONLY;
      a.attr_clr |= MOUNT_ATTR_RDONLY;
    }
  /* per-mount flags first: those a user namespace locked are refused
     before the superblock changes, as mount(2) checks them first */
  bool legacy = mrc_setup_fs_needs_mount2 (NULL, mf->data);
  if (!legacy && mount_setattr (mnt, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
    {
      if (errno != ENOSYS)
        return mrc_fail_errno (err, "remount `%s`", m->destination);
      mrc_setup_say_enosys ("mount_setattr", m->destination);
      legacy = true;
    }
  if (legacy)
    {
      /* mount(2)'s MS_REMOUNT replaces the per-mount flags itself */
      char path[MRC_FD_PATH_MAX];
      mrc_fs_fd_path (mnt, path);
      if (mount (NULL, path, NULL, MS_REMOUNT | flags, mf->data) < 0)
        return mrc_fail_errno (err, "remount `%s`", m->destination);
      return mrc_setup_set_propagation (mnt, mf->propagation,
                                        m->destination, err);
    }
  if (mrc_setup_fs_reconfigure (mnt, flags, mf->data, true, m->destination,
                                err) < 0)
    return -1;
  return mrc_setup_set_propagation (mnt, mf->propagation, m->destination,
                                    err);
}

int
mrc_setup_mount_kind (const struct mrc_mount *m, struct mrc_mount_flags *mf,
                      bool *bind, mrc_error_t *err)
{
  if (m->destination == NULL)
    return mrc_fail (err, "mount: missing destination");
  if (mrc_mount_options_parse (m->options, mf, err) < 0)
    return mrc_error_wrap (err, "mount to `%s`", m->destination);
  *bind = (mf->flags & MS_BIND) || (m->type && !strcmp (m->type, "bind"));
  mf->flags |= *bind ? MS_BIND : 0;
  return 0;
}

/* A new filesystem on /dev asked read-only is made read-write and only
 * made read-only at the end of the rootfs setup, as runc does (its
 * finalizeRootfs): the default devices and symlinks, the mounts below it
 * (/dev/pts, /dev/shm, /dev/mqueue: their directories), linux.devices
 * and the console bound on /dev/console must all be created in it first.
 * A bind of the host's /dev gets none of those and is read-only at once;
 * a remount changes what is already there, in its turn. */
static bool
ro_waits (const struct mrc_mount *m, const struct mrc_mount_flags *mf,
          bool bind)
{
  return !bind && !(mf->flags & MS_REMOUNT)
         && mrc_setup_path_is (m->destination, "/dev")
         && ((mf->flags & MS_RDONLY) || (mf->attr_set & MOUNT_ATTR_RDONLY));
}

int
mrc_setup_mount_one (const struct mrc_setup_into *to,
                     const struct mrc_mount *m, struct mrc_ro_later *later,
                     mrc_error_t *err)
{
  const struct mrc_launch *plan = to->plan;
  int rootfd = to->rootfd;
  struct mrc_mount_flags mf;
  bool bind;
  later->mnt = -1;
  if (mrc_setup_mount_kind (m, &mf, &bind, err) < 0)
    return -1;
  bool wait = ro_waits (m, &mf, bind);
  if (wait)
    {
      later->flags = flags_with_recursive (&mf) | MS_RDONLY;
      later->dest = m->destination;
      mf.flags &= ~(unsigned long) MS_RDONLY;
      mf.attr_set &= ~(unsigned long long) MOUNT_ATTR_RDONLY;
    }
  /* (id-mapping without a bind was refused before the clone, idmap.c) */
  int r;
  if (bind)
    r = mount_bind (to, m, &mf, err);
  else if (m->type == NULL)
    r = mrc_fail (err, "mount to `%s`: missing type", m->destination);
  else if (mf.flags & MS_REMOUNT)
    r = remount (rootfd, m, &mf, err);
  else if (strcmp (m->type, "cgroup") == 0 && plan->n_cgroup_v1 > 0)
    r = mrc_setup_cgroup_v1_tree (plan, rootfd, m, &mf, err);
  else
    r = mrc_setup_mount_fs (plan, rootfd, m, &mf, kernel_type (m->type), err);
  mrc_mount_flags_clear (&mf);
  /* the mount just made: the topmost there until a later entry's */
  if (r == 0 && wait)
    {
      later->mnt = mrc_fs_open_in_root (rootfd, m->destination,
                                        O_RDONLY | O_DIRECTORY, err);
      r = later->mnt < 0 ? -1 : 0;
    }
  return r;
}
