#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "setup-internal.h"

/* One node to create under the container's /dev. */
struct node
{
  const char *path;
  mode_t type;       /* S_IFCHR, S_IFBLK, S_IFIFO */
  dev_t dev;
  mode_t perm;
  uid_t uid;         /* (uid_t) -1: leave as created */
  gid_t gid;
};

/* The devices every container gets on a fresh /dev, as runc's. */
static const struct
{
  const char *path;
  unsigned int major, minor;
} default_devices[] = {
  { "/dev/null", 1, 3 },
  { "/dev/zero", 1, 5 },
  { "/dev/full", 1, 7 },
  { "/dev/random", 1, 8 },
  { "/dev/urandom", 1, 9 },
  { "/dev/tty", 5, 0 },
};

/* The symlinks on a fresh /dev.  HOST_NEEDS: made only when that host
 * path exists (runc skips /dev/core on kernels without /proc/kcore). */
static const struct
{
  const char *path;
  const char *target;
  const char *host_needs;
} default_symlinks[] = {
  { "/dev/fd", "/proc/self/fd", NULL },
  { "/dev/stdin", "/proc/self/fd/0", NULL },
  { "/dev/stdout", "/proc/self/fd/1", NULL },
  { "/dev/stderr", "/proc/self/fd/2", NULL },
  /* the devpts instance mounted on /dev/pts has its own ptmx: without
   * this link, ptys opened in the container would be the host's */
  { "/dev/ptmx", "pts/ptmx", NULL },
  { "/dev/core", "/proc/kcore", "/proc/kcore" },
};

/* linux.devices[].type -> file type. */
static const struct
{
  const char *name;
  mode_t type;
} device_types[] = {
  { "c", S_IFCHR },
  { "u", S_IFCHR },  /* unbuffered character device: the same node */
  { "b", S_IFBLK },
  { "p", S_IFIFO },
};

/* In a user namespace mknod is refused: bind the host's node onto an empty
 * file instead, as runc does. */
static int
bind_host_node (int rootfd, const struct node *n, mrc_error_t *err)
{
  cleanup_close int hfd = open (n->path, O_PATH | O_CLOEXEC);
  if (hfd < 0)
    return mrc_fail_errno (err, "create device `%s`: a user namespace "
                                "cannot make device nodes (mknod needs the "
                                "host's root), only bind the host's node "
                                "of that path: open host `%s`",
                           n->path, n->path);
  struct stat st;
  if (fstat (hfd, &st) < 0)
    return mrc_fail_errno (err, "stat `%s`", n->path);
  if ((st.st_mode & S_IFMT) != n->type || st.st_rdev != n->dev)
    return mrc_fail (err, "create device `%s`: the host's `%s` is another "
                     "device", n->path, n->path);
  return mrc_setup_bind_fd (hfd, n->path, rootfd, n->path, 0, err);
}

static int
make_node (int rootfd, const struct node *n, mrc_error_t *err)
{
  cleanup_free char *name = NULL;
  cleanup_close int dirfd = mrc_fs_open_parent_in_root (rootfd, n->path,
                                                        &name, err);
  if (dirfd < 0)
    return -1;
  if (mknodat (dirfd, name, n->type | n->perm, n->dev) < 0)
    {
      /* Already there (bound by a mount, or in the image): keep it. */
      if (errno == EEXIST)
        return 0;
      if (errno == EPERM && n->type != S_IFIFO)
        return bind_host_node (rootfd, n, err);
      return mrc_fail_errno (err, "mknod `%s`", n->path);
    }
  /* mknod applied the umask; the spec's mode is exact.  The node was just
   * made by us and nothing runs in the container yet, so NAME is it. */
  if (fchmodat (dirfd, name, n->perm, 0) < 0)
    return mrc_fail_errno (err, "chmod `%s`", n->path);
  if ((n->uid != (uid_t) -1 || n->gid != (gid_t) -1)
      && fchownat (dirfd, name, n->uid, n->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return mrc_fail_errno (err, "chown `%s`", n->path);
  return 0;
}

static int
make_symlink (int rootfd, const char *path, const char *target,
              mrc_error_t *err)
{
  cleanup_free char *name = NULL;
  cleanup_close int dirfd = mrc_fs_open_parent_in_root (rootfd, path, &name,
                                                        err);
  if (dirfd < 0)
    return -1;
  if (symlinkat (target, dirfd, name) < 0 && errno != EEXIST)
    return mrc_fail_errno (err, "symlink `%s` to `%s`", path, target);
  return 0;
}

static int
node_from_spec (const struct mrc_device *d, struct node *n, mrc_error_t *err)
{
  if (d->path == NULL || d->type == NULL)
    return mrc_fail (err, "linux.devices: missing path or type");
  size_t i;
  for (i = 0; i < sizeof device_types / sizeof device_types[0]; i++)
    if (strcmp (device_types[i].name, d->type) == 0)
      break;
  if (i == sizeof device_types / sizeof device_types[0])
    return mrc_fail (err, "create device `%s`: unknown type `%s`", d->path,
                     d->type);
  if (d->major < 0 || d->major > 0xfff || d->minor < 0
      || d->minor > 0xfffff)
    return mrc_fail (err, "create device `%s`: major/minor out of range",
                     d->path);
  n->path = d->path;
  n->type = device_types[i].type;
  n->dev = n->type == S_IFIFO ? 0
                              : makedev ((unsigned int) d->major,
                                         (unsigned int) d->minor);
  n->perm = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  n->uid = d->has_uid ? d->uid : (uid_t) -1;
  n->gid = d->has_gid ? d->gid : (gid_t) -1;
  return 0;
}

static bool
spec_has_device (const struct mrc_linux *l, const char *path)
{
  for (size_t i = 0; l && i < l->n_devices; i++)
    if (l->devices[i].path && mrc_setup_path_is (l->devices[i].path, path))
      return true;
  return false;
}

static int
make_defaults (const struct mrc_linux *l, int rootfd, mrc_error_t *err)
{
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0];
       i++)
    {
      /* an entry of linux.devices with the same path replaces it */
      if (spec_has_device (l, default_devices[i].path))
        continue;
      struct node n = {
        .path = default_devices[i].path,
        .type = S_IFCHR,
        .dev = makedev (default_devices[i].major, default_devices[i].minor),
        .perm = 0666,
        .uid = (uid_t) -1,
        .gid = (gid_t) -1,
      };
      if (make_node (rootfd, &n, err) < 0)
        return -1;
    }
  for (size_t i = 0;
       i < sizeof default_symlinks / sizeof default_symlinks[0]; i++)
    {
      const char *needs = default_symlinks[i].host_needs;
      if (needs && access (needs, F_OK) < 0)
        continue;
      if (make_symlink (rootfd, default_symlinks[i].path,
                        default_symlinks[i].target, err) < 0)
        return -1;
    }
  return 0;
}

int
mrc_setup_devices (const struct mrc_launch *plan, int rootfd,
                   bool with_defaults, mrc_error_t *err)
{
  const struct mrc_linux *l = plan->spec->linux_;
  if (with_defaults && make_defaults (l, rootfd, err) < 0)
    return -1;
  for (size_t i = 0; l && i < l->n_devices; i++)
    {
      struct node n;
      if (node_from_spec (&l->devices[i], &n, err) < 0
          || make_node (rootfd, &n, err) < 0)
        return -1;
    }
  return 0;
}
