/* An overlayfs root built from image layers named by annotations.
 *
 *   org.mini-runc.rootfs.layers = "L0:L1:...:Ln"
 *       directories relative to the bundle, lowest first, as images list
 *       them; never written to.
 *   org.mini-runc.rootfs.upper = "U"      (optional)
 *       a directory relative to the bundle that keeps the container's
 *       writes across containers; its overlay work dir is the sibling
 *       "U.work".  Both are created when missing (the parent must exist).
 *       Without it, the writable layer lives in the state dir
 *       (STATE/overlay/{upper,work}) and goes away with `delete`.
 *
 * The overlay is mounted on root.path in the container's mount namespace
 * (after the propagation steps, so it never reaches the host), and every
 * later step uses it as the rootfs.  Each directory is opened beneath the
 * bundle (openat2 RESOLVE_BENEATH: no `..`, absolute path or symlink may
 * leave it) and handed to overlayfs as /proc/self/fd/N, so the directory
 * checked is the directory mounted, and 128 layers fit in one page of
 * mount options. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "mrc/rootless.h"
#include "setup-internal.h"

#define MAX_EAGAIN_RETRIES 128

/* The layers of one container, opened. */
struct layers
{
  int fds[MRC_LAYERS_MAX];
  size_t n;
};

static void
layers_close (struct layers *l)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->fds[i] >= 0)
      close (l->fds[i]);
  l->n = 0;
}

/* Open PATH (relative) beneath DIRFD with FLAGS (O_PATH...). */
static int
open_beneath (int dirfd, const char *path, int flags)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
  };
  int fd = -1;
  for (int i = 0; i < MAX_EAGAIN_RETRIES; i++)
    {
      fd = (int) syscall (SYS_openat2, dirfd, path, &how, sizeof how);
      if (fd >= 0 || (errno != EINTR && errno != EAGAIN))
        break;
    }
  if (fd < 0 && errno == ENOSYS)
    return mrc_fs_resolve_beneath (dirfd, path, flags);
  return fd;
}

/* Refuse what cannot name a directory inside the bundle, before looking. */
static int
check_relative (const char *key, const char *path, mrc_error_t *err)
{
  if (*path == '\0')
    return mrc_fail (err, "annotation `%s`: empty path", key);
  if (path[0] == '/')
    return mrc_fail (err, "annotation `%s`: `%s` is absolute: it must be "
                     "relative to the bundle", key, path);
  for (const char *p = path; *p; p += strcspn (p, "/"), p += strspn (p, "/"))
    if (strncmp (p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
      return mrc_fail (err, "annotation `%s`: `%s` leaves the bundle", key,
                       path);
  return 0;
}

/* Open one existing directory PATH of annotation KEY beneath BUNDLEFD. */
static int
open_dir (int bundlefd, const char *key, const char *path, mrc_error_t *err)
{
  if (check_relative (key, path, err) < 0)
    return -1;
  int fd = open_beneath (bundlefd, path, O_PATH | O_DIRECTORY);
  if (fd >= 0)
    return fd;
  switch (errno)
    {
    case ENOENT:
      return mrc_error_code (err, ENOENT, "annotation `%s`: `%s` does not "
                             "exist", key, path);
    case ENOTDIR:
      return mrc_error_code (err, ENOTDIR, "annotation `%s`: `%s` is not a "
                             "directory", key, path);
    case EXDEV:
      return mrc_error_code (err, EXDEV, "annotation `%s`: `%s` leaves the "
                             "bundle", key, path);
    default:
      return mrc_fail_errno (err, "annotation `%s`: open `%s`", key, path);
    }
}

/* Split VALUE on `:` and open every layer.  *OUT is filled even on error
 * (with the fds opened so far) and must be closed. */
static int
open_layers (int bundlefd, const char *value, struct layers *out,
             mrc_error_t *err)
{
  const char *key = MRC_LAYERS_ANNOTATION;
  cleanup_free char *copy = strdup (value);
  if (copy == NULL)
    return mrc_error_set (err, ENOMEM, "annotation `%s`", key);
  out->n = 0;
  char *p = copy;
  for (;;)
    {
      char *colon = strchr (p, ':');
      if (colon)
        *colon = '\0';
      if (out->n == MRC_LAYERS_MAX)
        return mrc_fail (err, "annotation `%s`: more than %d layers", key,
                         MRC_LAYERS_MAX);
      int fd = open_dir (bundlefd, key, p, err);
      if (fd < 0)
        return -1;
      out->fds[out->n++] = fd;
      if (colon == NULL)
        return 0;
      p = colon + 1;
    }
}

static int
open_bundle (const char *bundle, mrc_error_t *err)
{
  int fd = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "open bundle `%s`", bundle);
  return fd;
}

/* The persistent upper dir's parent, opened beneath the bundle; *BASE
 * gets the upper's last component (malloc'd). */
static int
open_upper_parent (int bundlefd, const char *upper, char **base,
                   mrc_error_t *err)
{
  const char *key = MRC_UPPER_ANNOTATION;
  if (check_relative (key, upper, err) < 0)
    return -1;
  cleanup_free char *copy = strdup (upper);
  if (copy == NULL)
    return mrc_error_set (err, ENOMEM, "annotation `%s`", key);
  size_t n = strlen (copy);
  while (n > 1 && copy[n - 1] == '/')
    copy[--n] = '\0';
  char *slash = strrchr (copy, '/');
  const char *name = slash ? slash + 1 : copy;
  if (strcmp (name, ".") == 0)
    return mrc_fail (err, "annotation `%s`: `%s` is the bundle itself", key,
                     upper);
  *base = strdup (name);
  if (*base == NULL)
    return mrc_error_set (err, ENOMEM, "annotation `%s`", key);
  if (slash)
    *slash = '\0';
  int fd = open_dir (bundlefd, key, slash ? copy : ".", err);
  if (fd < 0)
    {
      free (steal_ptr (base));
      return -1;
    }
  return fd;
}

int
mrc_setup_layers_check (const struct mrc_spec *spec, const char *bundle,
                        mrc_error_t *err)
{
  const char *value = mrc_spec_annotation (spec, MRC_LAYERS_ANNOTATION);
  const char *upper = mrc_spec_annotation (spec, MRC_UPPER_ANNOTATION);
  if (value == NULL)
    {
      if (upper)
        return mrc_fail (err, "annotation `%s` needs `%s`",
                         MRC_UPPER_ANNOTATION, MRC_LAYERS_ANNOTATION);
      return 0;
    }
  cleanup_close int bundlefd = open_bundle (bundle, err);
  if (bundlefd < 0)
    return -1;
  struct layers l = { .n = 0 };
  int r = open_layers (bundlefd, value, &l, err);
  layers_close (&l);
  if (r < 0 || upper == NULL)
    return r;
  cleanup_free char *base = NULL;
  cleanup_close int parent = open_upper_parent (bundlefd, upper, &base, err);
  if (parent < 0)
    return -1;
  /* The upper may not exist yet; if it does, it must be a directory
   * inside the bundle. */
  struct stat st;
  if (fstatat (parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0
                           : mrc_fail_errno (err, "annotation `%s`: stat "
                                             "`%s`", MRC_UPPER_ANNOTATION,
                                             upper);
  if (!S_ISDIR (st.st_mode))
    return mrc_fail (err, "annotation `%s`: `%s` is not a directory",
                     MRC_UPPER_ANNOTATION, upper);
  return 0;
}

/* mkdir NAME in DIRFD unless it exists, then open it (never through a
 * symlink planted there). */
static int
make_dir (int dirfd, const char *name, mode_t mode, const char *what,
          mrc_error_t *err)
{
  if (mkdirat (dirfd, name, mode) < 0 && errno != EEXIST)
    return mrc_fail_errno (err, "create %s `%s`", what, name);
  int fd = openat (dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "open %s `%s`", what, name);
  return fd;
}

/* The writable layer: persistent in the bundle, or in the state dir. */
static int
open_upper_work (const struct mrc_launch *plan, int bundlefd, int *upperfd,
                 int *workfd, mrc_error_t *err)
{
  const char *upper = mrc_spec_annotation (plan->spec, MRC_UPPER_ANNOTATION);
  cleanup_free char *base = NULL, *work = NULL;
  cleanup_close int parent = -1;
  if (upper)
    {
      parent = open_upper_parent (bundlefd, upper, &base, err);
      if (parent < 0 || asprintf (&work, "%s.work", base) < 0)
        return parent < 0 ? -1 : mrc_error_set (err, ENOMEM, "upper dir");
    }
  else
    {
      if (plan->state_dir == NULL)
        return mrc_fail (err, "overlay root: no state dir for the upper "
                         "layer");
      cleanup_close int state = open (plan->state_dir,
                                      O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (state < 0)
        return mrc_fail_errno (err, "open state dir `%s`", plan->state_dir);
      parent = make_dir (state, MRC_OVERLAY_DIR, 0700, "overlay dir", err);
      base = strdup (MRC_OVERLAY_UPPER);
      work = strdup (MRC_OVERLAY_WORK);
      if (parent < 0 || base == NULL || work == NULL)
        return parent < 0 ? -1 : mrc_error_set (err, ENOMEM, "upper dir");
    }
  *upperfd = make_dir (parent, base, 0755, "upper dir", err);
  if (*upperfd < 0)
    return -1;
  *workfd = make_dir (parent, work, 0700, "work dir", err);
  if (*workfd < 0)
    {
      close (steal_fd (upperfd));
      return -1;
    }
  return 0;
}

/* "lowerdir=TOP:...:BOTTOM,upperdir=U,workdir=W" with fd paths, and
 * ",userxattr" in a user namespace other than the host's (a container's
 * own, or the one rootless podman runs us in): overlayfs keeps its
 * metadata (opaque directories, redirects) in trusted.overlay.* xattrs,
 * which only the host's root may set; without userxattr (Linux 5.11+)
 * it falls back to a mode where removing a lower directory fails with
 * EIO.  (A persistent upper, org.mini-runc.rootfs.upper, written once
 * with and once without a user namespace would see only one kind.) */
static char *
overlay_data (const struct layers *l, int upperfd, int workfd)
{
  size_t cap = 64 + (l->n + 2) * MRC_FD_PATH_MAX;
  char *data = malloc (cap);
  if (data == NULL)
    return NULL;
  size_t len = (size_t) snprintf (data, cap, "lowerdir=");
  char p[MRC_FD_PATH_MAX];
  /* overlayfs lists layers top first: the annotation lists them bottom
   * first, as image manifests do. */
  for (size_t i = l->n; i-- > 0;)
    {
      mrc_fs_fd_path (l->fds[i], p);
      len += (size_t) snprintf (data + len, cap - len, "%s%s", p,
                                i ? ":" : "");
    }
  mrc_fs_fd_path (upperfd, p);
  len += (size_t) snprintf (data + len, cap - len, ",upperdir=%s", p);
  mrc_fs_fd_path (workfd, p);
  snprintf (data + len, cap - len, ",workdir=%s%s", p,
            mrc_in_user_namespace () ? ",userxattr" : "");
  return data;
}

int
mrc_setup_layers_mount (const struct mrc_launch *plan, mrc_error_t *err)
{
  const char *value = mrc_spec_annotation (plan->spec, MRC_LAYERS_ANNOTATION);
  if (value == NULL)
    return 0;
  /* Checked again here: the bundle may have changed since create's
   * check, and these are the fds that get mounted. */
  if (mrc_setup_layers_check (plan->spec, plan->bundle, err) < 0)
    return -1;
  cleanup_close int bundlefd = open_bundle (plan->bundle, err);
  if (bundlefd < 0)
    return -1;
  struct layers l = { .n = 0 };
  cleanup_close int upperfd = -1;
  cleanup_close int workfd = -1;
  int r = open_layers (bundlefd, value, &l, err);
  if (r == 0)
    r = open_upper_work (plan, bundlefd, &upperfd, &workfd, err);
  cleanup_free char *data = r == 0 ? overlay_data (&l, upperfd, workfd) : NULL;
  if (r == 0 && data == NULL)
    r = mrc_error_set (err, ENOMEM, "overlay root");
  if (r == 0 && mount ("overlay", plan->rootfs, "overlay", 0, data) < 0)
    r = mrc_fail_errno (err, "mount the overlay of `%s` on `%s`", value,
                        plan->rootfs);
  layers_close (&l);
  return r;
}
