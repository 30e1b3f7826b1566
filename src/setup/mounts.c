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

/* A bind or rbind of a host path (SOURCE relative to the bundle), or of
 * the id-mapped tree made for it before the clone (idmap.c). */
static int
mount_bind (const struct mrc_setup_ctx *ctx, int rootfd,
            const struct mrc_mount *m, const struct mrc_mount_flags *mf,
            mrc_error_t *err)
{
  cleanup_close int tree = -1;
  if ((mf->extensions & MRC_MOUNT_IDMAP) || m->n_uid_mappings
      || m->n_gid_mappings)
    {
      size_t i = (size_t) (m - ctx->spec->mounts);
      /* ours to close: once attached the init has no more use for it */
      tree = ctx->idmap_trees ? ctx->idmap_trees[i] : -1;
      if (tree < 0)
        return mrc_fail (err, "id-map `%s`: no id-mapped tree was prepared",
                         m->destination);
    }
  else
    {
      /* the caller's host path: opened once, so the file examined is the
         file bound */
      cleanup_close int srcfd = mrc_setup_bind_source (ctx->bundle, m, err);
      if (srcfd < 0)
        return -1;
      tree = mrc_setup_clone_tree (srcfd, mf->flags, m->source,
                                   m->destination, err);
      if (tree < 0)
        return -1;
    }
  struct mrc_bind b = { .tree = tree, .what = m->source, .rootfd = rootfd,
                        .dest = m->destination, .mf = mf, .m = m };
  return mrc_setup_attach_tree (&b, err);
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
                          const struct mrc_mount_flags *mf,
                          unsigned long flags)
{
  cleanup_free char *data = data_without_gid (mf->data);
  if (data == NULL)
    {
      errno = EINVAL;
      return -1;
    }
  return mount (src, tgt, "devpts", flags, data);
}

/* A new filesystem has no submounts: its recursive options (rro, rsuid,
 * rnoatime...) are plain flags of the mount call, set or cleared after
 * the plain ones, as mount_setattr would have changed them after it. */
static unsigned long
flags_with_recursive (const struct mrc_mount_flags *mf)
{
  static const struct
  {
    unsigned long long attr;
    unsigned long ms;
  } map[] = {
    { MOUNT_ATTR_RDONLY, MS_RDONLY },
    { MOUNT_ATTR_NOSUID, MS_NOSUID },
    { MOUNT_ATTR_NODEV, MS_NODEV },
    { MOUNT_ATTR_NOEXEC, MS_NOEXEC },
    { MOUNT_ATTR_NODIRATIME, MS_NODIRATIME },
    { MOUNT_ATTR_NOSYMFOLLOW, MS_NOSYMFOLLOW },
  };
  unsigned long f = mf->flags;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    {
      if (mf->attr_clr & map[i].attr)
        f &= ~map[i].ms;
      if (mf->attr_set & map[i].attr)
        f |= map[i].ms;
    }
  if (mf->attr_clr & MOUNT_ATTR__ATIME)
    {
      unsigned long long mode = mf->attr_set & MOUNT_ATTR__ATIME;
      f &= ~(unsigned long) (MS_NOATIME | MS_STRICTATIME | MS_RELATIME);
      f |= mode == MOUNT_ATTR_NOATIME       ? MS_NOATIME
           : mode == MOUNT_ATTR_STRICTATIME ? MS_STRICTATIME
                                            : MS_RELATIME;
    }
  return f;
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
  if (mrc_setup_precheck_dest (rootfd, m, false, -1, err) < 0)
    return -1;
  cleanup_close int tfd = mrc_fs_mkdir_in_root (rootfd, m->destination, 0755,
                                                err);
  if (tfd < 0)
    return mrc_error_wrap (err, "mount `%s` to `%s`", m->type,
                           m->destination);
  if (mrc_setup_check_target (rootfd, tfd, m, false, -1, err) < 0)
    return -1;
  mrc_fs_fd_path (tfd, tgt);
  /* tmpcopyup: the image's directory, opened before the tmpfs hides it */
  cleanup_close int below = -1;
  if ((mf->extensions & MRC_MOUNT_TMPCOPYUP) && strcmp (type, "tmpfs") == 0
      && (below = open (tgt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return mrc_fail_errno (err, "tmpcopyup of `%s`", m->destination);
  if (mount (src, tgt, type, flags_with_recursive (mf), mf->data) == 0)
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
      && retry_devpts_without_gid (src, tgt, mf, flags_with_recursive (mf))
             == 0)
    return 0;
  const char *host = userns_fallback (type);
  /* cgroup2 in a user namespace without a cgroup namespace of its own: the
     container's own cgroup directory, as runc binds it */
  if (strcmp (type, "cgroup2") == 0)
    host = ctx->cgroup_dir;
  if (saved == EPERM && ctx->new_user_ns && host)
    {
      cleanup_close int hfd = open (host, O_PATH | O_DIRECTORY | O_CLOEXEC);
      cleanup_close int tree = -1;
      if (hfd >= 0
          && (tree = mrc_setup_clone_tree (hfd, MS_REC, host, m->destination,
                                           err)) < 0)
        return -1;
      /* with the options asked for the filesystem; propagation comes
         after, as for any filesystem */
      struct mrc_mount_flags bf = { .flags = mf->flags | MS_BIND | MS_REC,
                                    .attr_set = mf->attr_set,
                                    .attr_clr = mf->attr_clr };
      struct mrc_bind b = { .tree = tree, .what = host, .rootfd = rootfd,
                            .dest = m->destination, .mf = &bf, .m = m };
      if (tree >= 0)
        return mrc_setup_attach_tree (&b, err);
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
  int r;
  if (bind)
    r = mount_bind (ctx, rootfd, m, &mf, err);
  else if (m->type == NULL)
    r = mrc_fail (err, "mount to `%s`: missing type", m->destination);
  else
    r = mount_fs (ctx, rootfd, m, &mf, err);
  /* A bind got its propagation before it was attached (bind.c); a new
     filesystem can only get it once mounted, found again by its path. */
  if (r == 0 && !bind && mf.propagation)
    r = set_propagation (rootfd, m->destination, mf.propagation, err);
  mrc_mount_flags_clear (&mf);
  return r;
}
