/* One mounts[] entry onto its destination inside the root: binds (plain
 * and id-mapped), file systems of their own, the remount with per-mount
 * flags, the recursive options (mount_setattr) and propagation. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "setup-internal.h"

/* The flags a MS_REMOUNT|MS_BIND may not drop when the mount came from a
 * more privileged user namespace: the kernel locks them (EPERM). */
#define LOCKED_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* Per-mount flags a bind needs a second, remount call for. */
#define BIND_REMOUNT_FLAGS (~(unsigned long) (MS_BIND | MS_REC | MS_REMOUNT))

/* OCI type names that mean another kernel filesystem here. */
static const struct
{
  const char *oci;
  const char *kernel;
} type_aliases[] = {
  /* mini-runc is cgroup v2 only: runc's default spec says "cgroup", and on
   * a hybrid host a new cgroup namespace can mount the unified tree. */
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

/* Remount the bind now on DEST with its per-mount flags.  DEST is looked up
 * again: the fd used for the bind names the directory underneath the new
 * mount, and MS_REMOUNT needs the mount's own root. */
static int
remount_bind (int rootfd, const char *dest, unsigned long flags,
              mrc_error_t *err)
{
  char path[MRC_FD_PATH_MAX];
  unsigned long keep = flags & BIND_REMOUNT_FLAGS;
  if (keep == 0)
    return 0;
  cleanup_close int fd = mrc_fs_open_in_root (rootfd, dest, O_PATH, err);
  if (fd < 0)
    return -1;
  mrc_fs_fd_path (fd, path);
  if (mount (NULL, path, NULL, MS_REMOUNT | MS_BIND | keep, NULL) == 0)
    return 0;
  if (errno == EPERM)
    {
      /* In a user namespace the source's nosuid/nodev/noexec/ro are locked:
       * carry them, as runc does, and try again. */
      struct statvfs sv;
      if (fstatvfs (fd, &sv) < 0)
        return mrc_fail_errno (err, "statfs `%s`", dest);
      keep |= mrc_mount_flags_from_statvfs (sv.f_flag) & LOCKED_FLAGS;
      if (mount (NULL, path, NULL, MS_REMOUNT | MS_BIND | keep, NULL) == 0)
        return 0;
    }
  return mrc_fail_errno (err, "remount `%s` with its options", dest);
}

/* The target of a bind of SRCFD: a file is bound onto a file, anything
 * else onto a directory.  Returns its O_PATH fd. */
static int
bind_target (int srcfd, const char *what, int rootfd, const char *dest,
             mrc_error_t *err)
{
  struct stat st;
  if (fstat (srcfd, &st) < 0)
    return mrc_fail_errno (err, "stat `%s`", what);
  return S_ISDIR (st.st_mode) ? mrc_fs_mkdir_in_root (rootfd, dest, 0755, err)
                              : mrc_fs_mkfile_in_root (rootfd, dest, 0644, err);
}

int
mrc_setup_bind_fd (int srcfd, const char *what, int rootfd, const char *dest,
                   unsigned long flags, mrc_error_t *err)
{
  char src[MRC_FD_PATH_MAX], tgt[MRC_FD_PATH_MAX];
  cleanup_close int tfd = bind_target (srcfd, what, rootfd, dest, err);
  if (tfd < 0)
    return -1;
  mrc_fs_fd_path (srcfd, src);
  mrc_fs_fd_path (tfd, tgt);
  if (mount (src, tgt, NULL, MS_BIND | (flags & MS_REC), NULL) < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`", what, dest);
  return remount_bind (rootfd, dest, flags, err);
}

/* idmap, ridmap, or uidMappings/gidMappings on the mount: the id-mapped
 * copy of the source the runtime made before the clone (idmap.c) moved
 * onto the target, then the per-mount flags. */
static int
bind_idmapped (const struct mrc_setup_ctx *ctx, int rootfd,
               const struct mrc_mount *m, const struct mrc_mount_flags *mf,
               mrc_error_t *err)
{
  size_t i = (size_t) (m - ctx->spec->mounts);
  int tree = ctx->idmap_trees ? ctx->idmap_trees[i] : -1;
  if (tree < 0)
    return mrc_fail (err, "id-map `%s`: no id-mapped tree was prepared",
                     m->destination);
  cleanup_close int tfd = bind_target (tree, m->source, rootfd,
                                       m->destination, err);
  if (tfd < 0)
    return -1;
  if (move_mount (tree, "", tfd, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`", m->source,
                           m->destination);
  close (tree); /* attached now: the init has no more use for it */
  return remount_bind (rootfd, m->destination, mf->flags, err);
}

int
mrc_setup_bind_source (const char *bundle, const struct mrc_mount *m,
                       mrc_error_t *err)
{
  cleanup_free char *abs = NULL;
  const char *src = m->source;
  if (src == NULL)
    return mrc_fail (err, "mount to `%s`: bind mount without a source",
                     m->destination);
  if (src[0] != '/')
    {
      if (asprintf (&abs, "%s/%s", bundle, src) < 0)
        return mrc_error_set (err, ENOMEM, "mount `%s`", src);
      src = abs;
    }
  int fd = open (src, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`: open source", m->source,
                           m->destination);
  return fd;
}

/* A bind or rbind of a host path; SOURCE relative to the bundle. */
static int
mount_bind (const struct mrc_setup_ctx *ctx, int rootfd,
            const struct mrc_mount *m, const struct mrc_mount_flags *mf,
            mrc_error_t *err)
{
  if ((mf->extensions & MRC_MOUNT_IDMAP) || m->n_uid_mappings
      || m->n_gid_mappings)
    return bind_idmapped (ctx, rootfd, m, mf, err);
  /* The source is the caller's host path: open it once, so that the file
   * examined is the file bound. */
  cleanup_close int srcfd = mrc_setup_bind_source (ctx->bundle, m, err);
  if (srcfd < 0)
    return -1;
  return mrc_setup_bind_fd (srcfd, m->source, rootfd, m->destination,
                            mf->flags, err);
}

/* DATA without its `gid=N` option (NULL when nothing is left). */
static char *
data_without_gid (const char *data)
{
  cleanup_free char *copy = strdup (data);
  char *out = calloc (1, strlen (data) + 1);
  if (copy == NULL || out == NULL)
    {
      free (out);
      return NULL;
    }
  char *save = NULL;
  for (char *o = strtok_r (copy, ",", &save); o; o = strtok_r (NULL, ",", &save))
    if (strncmp (o, "gid=", 4) != 0)
      {
        if (*out)
          strcat (out, ",");
        strcat (out, o);
      }
  return out;
}

/* devpts refuses (EINVAL) a `gid=` that the user namespace does not map;
 * a spec written for a rootful container still runs, with ptys owned by
 * the creator's group. */
static int
retry_devpts_without_gid (const char *src, const char *tgt,
                          const struct mrc_mount_flags *mf)
{
  cleanup_free char *data = data_without_gid (mf->data);
  if (data == NULL)
    {
      errno = EINVAL;
      return -1;
    }
  return mount (src, tgt, "devpts", mf->flags, data);
}

/* A filesystem of its own: proc, sysfs, tmpfs, devpts, mqueue, cgroup2... */
static int
mount_fs (const struct mrc_setup_ctx *ctx, int rootfd,
          const struct mrc_mount *m, const struct mrc_mount_flags *mf,
          mrc_error_t *err)
{
  char tgt[MRC_FD_PATH_MAX];
  const char *type = kernel_type (m->type);
  const char *src = m->source ? m->source : m->type;
  cleanup_close int tfd = mrc_fs_mkdir_in_root (rootfd, m->destination, 0755,
                                                err);
  if (tfd < 0)
    return -1;
  mrc_fs_fd_path (tfd, tgt);
  /* tmpcopyup: the image's directory, opened before the tmpfs hides it */
  cleanup_close int below = -1;
  if ((mf->extensions & MRC_MOUNT_TMPCOPYUP) && strcmp (type, "tmpfs") == 0
      && (below = open (tgt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return mrc_fail_errno (err, "tmpcopyup of `%s`", m->destination);
  if (mount (src, tgt, type, mf->flags, mf->data) == 0)
    {
      if (below < 0)
        return 0;
      cleanup_close int top = mrc_fs_open_in_root (rootfd, m->destination,
                                                   O_RDONLY | O_DIRECTORY,
                                                   err);
      if (top < 0)
        return -1;
      return mrc_setup_copyup (below, top, m->destination, err);
    }
  int saved = errno;
  if (saved == EINVAL && ctx->new_user_ns && strcmp (type, "devpts") == 0
      && mf->data && strstr (mf->data, "gid=")
      && retry_devpts_without_gid (src, tgt, mf) == 0)
    return 0;
  const char *host = userns_fallback (type);
  /* cgroup2 in a user namespace without a cgroup namespace of its own: the
     container's own cgroup directory, as runc binds it */
  if (strcmp (type, "cgroup2") == 0)
    host = ctx->cgroup_dir;
  if (saved == EPERM && ctx->new_user_ns && host)
    {
      cleanup_close int hfd = open (host, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (hfd >= 0)
        return mrc_setup_bind_fd (hfd, host, rootfd, m->destination,
                                  mf->flags | MS_BIND | MS_REC, err);
    }
  return mrc_error_set (err, saved, "mount `%s` to `%s`", src,
                        m->destination);
}

static int
set_propagation (int rootfd, const char *dest, unsigned long propagation,
                 mrc_error_t *err)
{
  char path[MRC_FD_PATH_MAX];
  cleanup_close int fd = mrc_fs_open_in_root (rootfd, dest, O_PATH, err);
  if (fd < 0)
    return -1;
  mrc_fs_fd_path (fd, path);
  /* The kernel takes propagation alone, in a call of its own. */
  if (mount (NULL, path, NULL, propagation, NULL) < 0)
    return mrc_fail_errno (err, "set mount propagation of `%s`", dest);
  return 0;
}

/* The recursive options (rro, rnosuid...) with mount_setattr(2) and
 * AT_RECURSIVE on DEST, a mount just made; nothing when there are none. */
static int
set_recursive_attrs (int rootfd, const char *dest,
                     const struct mrc_mount_flags *mf, mrc_error_t *err)
{
  if (mf->attr_set == 0 && mf->attr_clr == 0)
    return 0;
  struct mount_attr attr = { .attr_set = mf->attr_set,
                             .attr_clr = mf->attr_clr };
  /* DEST again, not the fd the mount went onto: that one names the
   * directory underneath the new mount. */
  cleanup_close int fd = mrc_fs_open_in_root (rootfd, dest, O_PATH, err);
  if (fd < 0)
    return -1;
  if (mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                     sizeof attr) < 0)
    return mrc_fail_errno (err, "set recursive mount options of `%s`", dest);
  return 0;
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

int
mrc_setup_mount_one (const struct mrc_setup_ctx *ctx, int rootfd,
                     const struct mrc_mount *m, mrc_error_t *err)
{
  struct mrc_mount_flags mf;
  bool bind;
  if (mrc_setup_mount_kind (m, &mf, &bind, err) < 0)
    return -1;
  /* (id-mapping without a bind was refused before the clone, idmap.c) */
  int r = mrc_setup_check_destination (ctx, rootfd, m, bind, err);
  if (r == 0 && bind)
    r = mount_bind (ctx, rootfd, m, &mf, err);
  else if (r == 0 && m->type == NULL)
    r = mrc_fail (err, "mount to `%s`: missing type", m->destination);
  else if (r == 0)
    r = mount_fs (ctx, rootfd, m, &mf, err);
  /* after the mount and its remount: the recursive options reach the
     submounts an rbind brought along */
  if (r == 0)
    r = set_recursive_attrs (rootfd, m->destination, &mf, err);
  if (r == 0 && mf.propagation)
    r = set_propagation (rootfd, m->destination, mf.propagation, err);
  mrc_mount_flags_clear (&mf);
  return r;
}
