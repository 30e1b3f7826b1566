#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"

/* The kernel's own limit on symlinks followed in one lookup. */
#define MAX_SYMLINK_HOPS 40
/* openat2 RESOLVE_IN_ROOT returns EAGAIN when a rename raced with the
 * lookup; retrying is the documented answer, but not forever. */
#define MAX_EAGAIN_RETRIES 128

/* Returned by walk_create when a dangling symlink redirected the walk. */
#define WALK_REDIRECT (-2)

void
mrc_fs_fd_path (int fd, char buf[MRC_FD_PATH_MAX])
{
  snprintf (buf, MRC_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

static int
openat2_in_root (int rootfd, const char *path, int flags)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_CLOEXEC),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd = -1;
  for (int i = 0; i < MAX_EAGAIN_RETRIES; i++)
    {
      fd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (fd >= 0 || (errno != EINTR && errno != EAGAIN))
        break;
    }
  if (fd < 0 && errno == ENOSYS)
    return mrc_fs_resolve_in_root (rootfd, path, flags);
  return fd;
}

int
mrc_fs_open_here (int dirfd, const char *name, int flags)
{
  struct open_how how = {
    .flags = (uint64_t) (flags | O_NOFOLLOW | O_CLOEXEC),
    .resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH,
  };
  int fd = -1;
  for (int i = 0; i < MAX_EAGAIN_RETRIES; i++)
    {
      fd = (int) syscall (SYS_openat2, dirfd, name, &how, sizeof how);
      if (fd >= 0 || (errno != EINTR && errno != EAGAIN))
        break;
    }
  if (fd >= 0 || errno != ENOSYS)
    return fd;
  /* before 5.6: a mount of another file system shows in st_dev (a bind
     mount from the same one does not) */
  fd = openat (dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
  struct stat a, b;
  if (fd >= 0 && (fstat (fd, &a) < 0 || fstat (dirfd, &b) < 0
                  || a.st_dev != b.st_dev))
    {
      close (fd);
      return errno = EXDEV, -1;
    }
  return fd;
}

int
mrc_fs_open_in_root (int rootfd, const char *path, int flags,
                     mrc_error_t *err)
{
  /* O_TMPFILE shares its bits with O_DIRECTORY: test it whole. */
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
    return mrc_error_set (err, EINVAL, "open `%s`: cannot create", path);
  int fd = openat2_in_root (rootfd, path, flags);
  if (fd < 0)
    return mrc_fail_errno (err, "open `%s`", path);
  return fd;
}

int
mrc_fs_path_in_root (int rootfd, int fd, char **out, mrc_error_t *err)
{
  char fdp[MRC_FD_PATH_MAX], root[PATH_MAX], path[PATH_MAX];
  mrc_fs_fd_path (rootfd, fdp);
  ssize_t rn = readlink (fdp, root, sizeof root - 1);
  mrc_fs_fd_path (fd, fdp);
  ssize_t pn = readlink (fdp, path, sizeof path - 1);
  if (rn < 0 || pn < 0)
    return mrc_fail_errno (err, "read the path of a file in the root");
  root[rn] = path[pn] = '\0';
  /* "/" as the root: every path is inside, and keeps its leading slash */
  size_t skip = strcmp (root, "/") == 0 ? 0 : (size_t) rn;
  if (strncmp (path, root, (size_t) rn) != 0
      || (path[skip] != '/' && path[skip] != '\0'))
    return mrc_error_code (err, EXDEV, "`%s` is not inside the root `%s`",
                           path, root);
  *out = strdup (path[skip] ? path + skip : "/");
  if (*out == NULL)
    return mrc_fail_errno (err, "read the path of a file in the root");
  return 0;
}

/* What one walk over a path is asked to make. */
struct walk
{
  int rootfd;
  bool want_file;    /* the last component is a file, not a directory */
  mode_t mode;       /* for the last component */
  char *redirect;    /* set with WALK_REDIRECT: the path to walk instead */
};

/* PREFIX named a dangling symlink NAME in directory DIRFD: the walk goes on
 * at the link's target (resolved inside the root, as the kernel would have
 * resolved it) followed by REST. */
static int
follow_dangling (struct walk *w, int dirfd, const char *name,
                 const char *prefix, size_t parent_len, const char *rest,
                 mrc_error_t *err)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (dirfd, name, target, sizeof target - 1);
  if (n < 0)
    return mrc_fail_errno (err, "readlink `%s`", prefix);
  target[n] = '\0';
  int r;
  if (target[0] == '/')
    r = asprintf (&w->redirect, "%s%s", target, rest);
  else
    r = asprintf (&w->redirect, "%.*s/%s%s", (int) parent_len, prefix,
                  target, rest);
  if (r < 0)
    {
      w->redirect = NULL;
      return mrc_error_set (err, ENOMEM, "resolve `%s`", prefix);
    }
  return WALK_REDIRECT;
}

/* Create NAME (the component ending PREFIX) in DIRFD and open it O_PATH.
 * Sets errno EEXIST and returns -1 when something (a dangling symlink)
 * already sits there. */
static int
create_component (const struct walk *w, int dirfd, const char *name,
                  bool last)
{
  if (last && w->want_file)
    {
      int fd = openat (dirfd, name,
                       O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
                       w->mode);
      if (fd < 0)
        return -1;
      close (fd);
      return openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
  if (mkdirat (dirfd, name, w->want_file ? 0755 : w->mode) < 0)
    return -1;
  /* O_NOFOLLOW: had the new directory been swapped for a symlink since,
   * this fails instead of leaving the root. */
  return openat (dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* One pass over PATH, component by component.  Each prefix is resolved
 * from the root by the kernel; only a missing one is created, inside the
 * directory its parent prefix resolved to.  Returns an fd, -1 on error, or
 * WALK_REDIRECT with w->redirect set. */
static int
walk_create (struct walk *w, const char *path, mrc_error_t *err)
{
  size_t len = strlen (path);
  cleanup_free char *prefix = malloc (len + 2);
  if (prefix == NULL)
    return mrc_error_set (err, ENOMEM, "resolve `%s`", path);
  size_t plen = 0;
  cleanup_close int cur = openat2_in_root (w->rootfd, "/",
                                           O_PATH | O_DIRECTORY);
  if (cur < 0)
    return mrc_fail_errno (err, "open root for `%s`", path);

  const char *p = path;
  for (;;)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      const char *end = strchrnul (p, '/');
      size_t clen = (size_t) (end - p);
      bool last = end[strspn (end, "/")] == '\0';
      if (clen == 1 && p[0] == '.')
        {
          p = end;
          continue;
        }
      size_t parent_len = plen;
      prefix[plen++] = '/';
      memcpy (prefix + plen, p, clen);
      plen += clen;
      prefix[plen] = '\0';
      const char *name = prefix + parent_len + 1;

      int flags = O_PATH | ((last && w->want_file) ? 0 : O_DIRECTORY);
      int next = openat2_in_root (w->rootfd, prefix, flags);
      if (next < 0 && errno != ENOENT)
        return mrc_fail_errno (err, "open `%s`", prefix);
      if (next < 0)
        next = create_component (w, cur, name, last);
      if (next < 0 && errno == EEXIST)
        {
          char link[1];
          if (readlinkat (cur, name, link, sizeof link) >= 0)
            return follow_dangling (w, cur, name, prefix, parent_len, end,
                                    err);
          /* Not a symlink: created by someone else meanwhile. */
          next = openat (cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
        }
      if (next < 0)
        return mrc_fail_errno (err, "create `%s`", prefix);
      close (cur);
      cur = next;
      p = end;
    }
  return steal_fd (&cur);
}

static int
create_in_root (int rootfd, const char *path, bool want_file, mode_t mode,
                mrc_error_t *err)
{
  /* The common case: it is already there. */
  int fd = openat2_in_root (rootfd, path,
                            O_PATH | (want_file ? 0 : O_DIRECTORY));
  if (fd >= 0)
    return fd;
  if (errno != ENOENT)
    return mrc_fail_errno (err, "open `%s`", path);

  struct walk w = { .rootfd = rootfd, .want_file = want_file, .mode = mode };
  cleanup_free char *cur = NULL;
  const char *walking = path;
  for (int hops = 0; hops <= MAX_SYMLINK_HOPS; hops++)
    {
      fd = walk_create (&w, walking, err);
      if (fd != WALK_REDIRECT)
        return fd;
      free (cur);
      cur = steal_ptr (&w.redirect);
      walking = cur;
    }
  return mrc_error_set (err, ELOOP, "create `%s`", path);
}

int
mrc_fs_mkdir_in_root (int rootfd, const char *path, mode_t mode,
                      mrc_error_t *err)
{
  return create_in_root (rootfd, path, false, mode, err);
}

int
mrc_fs_mkfile_in_root (int rootfd, const char *path, mode_t mode,
                       mrc_error_t *err)
{
  return create_in_root (rootfd, path, true, mode, err);
}

int
mrc_fs_open_parent_in_root (int rootfd, const char *path, char **name,
                            mrc_error_t *err)
{
  cleanup_free char *copy = strdup (path);
  if (copy == NULL)
    return mrc_error_set (err, ENOMEM, "resolve `%s`", path);
  size_t n = strlen (copy);
  while (n > 1 && copy[n - 1] == '/')
    copy[--n] = '\0';
  char *slash = strrchr (copy, '/');
  char *base = slash ? slash + 1 : copy;
  if (*base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    return mrc_error_set (err, EINVAL, "resolve `%s`: no file name", path);
  cleanup_free char *base_copy = strdup (base);
  if (base_copy == NULL)
    return mrc_error_set (err, ENOMEM, "resolve `%s`", path);
  if (slash)
    slash[1] = '\0';
  else
    strcpy (copy, ".");
  int fd = create_in_root (rootfd, copy, false, 0755, err);
  if (fd < 0)
    return -1;
  *name = steal_ptr (&base_copy);
  return fd;
}
