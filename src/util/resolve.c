/* A lookup confined to a root, one component at a time, for where
 * openat2(2) answers ENOSYS (kernels before 5.6, valgrind, seccomp
 * policies of an outer container; issue 15): what RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS do, in user space (or RESOLVE_BENEATH: EXDEV
 * where the path would leave the directory).  Each component is opened
 * O_PATH|O_NOFOLLOW on the fd of the one before; a symlink is read and its
 * target walked instead, an absolute one from the root; ".." never goes
 * above the root; a symlink on procfs (a magic link) is refused.  The
 * result is reopened through /proc/self/fd with the caller's flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"

#define MAX_SYMLINK_HOPS 40

static bool
same_inode (int a, int b)
{
  struct stat sa, sb;
  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_dev == sb.st_dev
         && sa.st_ino == sb.st_ino;
}

/* CUR, closed, replaced by NEXT. */
static void
step (int *cur, int next)
{
  close (*cur);
  *cur = next;
}

/* The symlink LINK (an O_PATH fd) put in front of REST, into BUF. */
static int
expand (int link, const char *rest, char *buf, size_t size)
{
  struct statfs fs;
  if (fstatfs (link, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC)
    return errno = ELOOP, -1; /* RESOLVE_NO_MAGICLINKS */
  char target[PATH_MAX];
  ssize_t n = readlinkat (link, "", target, sizeof target - 1);
  if (n < 0)
    return -1;
  target[n] = '\0';
  int w = snprintf (buf, size, "%s%s%s", target, *rest ? "/" : "", rest);
  return w < 0 || (size_t) w >= size ? (errno = ENAMETOOLONG, -1) : 0;
}

/* The O_PATH fd PATH names inside ROOTFD; with NOFOLLOW a last component
 * that is a symlink is the link itself. */
static int
walk (int rootfd, const char *path, bool nofollow, bool beneath)
{
  char buf[2][PATH_MAX];
  int which = 0, hops = 0;
  if (snprintf (buf[0], PATH_MAX, "%s", path) >= PATH_MAX)
    return errno = ENAMETOOLONG, -1;
  int cur = fcntl (rootfd, F_DUPFD_CLOEXEC, 0);
  char *p = buf[0];
  while (cur >= 0)
    {
      while (*p == '/')
        p++;
      if (*p == '\0')
        return cur;
      char *end = p + strcspn (p, "/");
      bool last = *end == '\0' || end[strspn (end, "/")] == '\0';
      char *rest = *end ? end + 1 : end;
      *end = '\0';
      bool up_at_root = strcmp (p, "..") == 0 && same_inode (cur, rootfd);
      if (up_at_root && beneath)
        {
          close (cur);
          return errno = EXDEV, -1; /* RESOLVE_BENEATH */
        }
      if (strcmp (p, ".") == 0 || up_at_root)
        {
          p = rest;
          continue;
        }
      int next = openat (cur, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      struct stat st;
      if (next < 0 || fstat (next, &st) < 0)
        {
          int saved = errno;
          if (next >= 0)
            close (next);
          close (cur);
          return errno = saved, -1;
        }
      if (!S_ISLNK (st.st_mode) || (last && nofollow))
        {
          step (&cur, next);
          p = rest;
          continue;
        }
      int r = ++hops > MAX_SYMLINK_HOPS
                  ? (errno = ELOOP, -1)
                  : expand (next, rest, buf[!which], PATH_MAX);
      close (next);
      if (r < 0)
        {
          int saved = errno;
          close (cur);
          return errno = saved, -1;
        }
      which = !which;
      p = buf[which];
      if (*p == '/' && beneath)
        {
          close (cur);
          return errno = EXDEV, -1;
        }
      if (*p == '/')
        step (&cur, fcntl (rootfd, F_DUPFD_CLOEXEC, 0));
    }
  return -1;
}

static int
resolve (int rootfd, const char *path, int flags, bool beneath)
{
  if (beneath && *path == '/')
    return errno = EXDEV, -1;
  cleanup_close int fd = walk (rootfd, path, flags & O_NOFOLLOW, beneath);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat (fd, &st) < 0)
    return -1;
  if ((flags & O_DIRECTORY) && !S_ISDIR (st.st_mode))
    return errno = ENOTDIR, -1;
  if (flags & O_PATH)
    return steal_fd (&fd);
  if (S_ISLNK (st.st_mode))
    return errno = ELOOP, -1;
  char self[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (fd, self);
  return open (self, (flags & ~O_NOFOLLOW) | O_CLOEXEC);
}

int
mrc_fs_resolve_in_root (int rootfd, const char *path, int flags)
{
  return resolve (rootfd, path, flags, false);
}

int
mrc_fs_resolve_beneath (int dirfd, const char *path, int flags)
{
  return resolve (dirfd, path, flags, true);
}
