#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"

int
mrc_read_fd_all (int fd, const char *name, size_t max, char **out,
                 size_t *len, mrc_error_t *err)
{
  size_t cap = 4096, used = 0;
  cleanup_free char *buf = malloc (cap + 1);
  if (buf == NULL)
    return mrc_fail_errno (err, "read `%s`", name);
  for (;;)
    {
      if (used == cap)
        {
          if (cap > max)
            return mrc_fail (err, "`%s`: file too large (over %zu bytes)",
                             name, max);
          size_t ncap = cap * 2;
          char *n = realloc (buf, ncap + 1);
          if (n == NULL)
            return mrc_fail_errno (err, "read `%s`", name);
          buf = n;
          cap = ncap;
        }
      ssize_t r = read (fd, buf + used, cap - used);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return mrc_fail_errno (err, "read `%s`", name);
      if (r == 0)
        break;
      used += (size_t) r;
      if (used > max)
        return mrc_fail (err, "`%s`: file too large (over %zu bytes)", name,
                         max);
    }
  buf[used] = '\0';
  *len = used;
  *out = steal_ptr (&buf);
  return 0;
}

int
mrc_read_file_at (int dirfd, const char *path, size_t max, char **out,
                  size_t *len, mrc_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "open `%s`", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return mrc_fail_errno (err, "stat `%s`", path);
  if (S_ISDIR (st.st_mode))
    return mrc_error_set (err, EISDIR, "read `%s`", path);
  if (S_ISREG (st.st_mode) && (uint64_t) st.st_size > max)
    return mrc_fail (err, "`%s`: file too large (over %zu bytes)", path, max);
  return mrc_read_fd_all (fd, path, max, out, len, err);
}

int
mrc_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

/* No fsync: the files written this way (a container's state, the pid
 * file) describe processes that do not outlive the machine, and a record
 * torn by a power loss is damaged state, which `delete --force` cleans;
 * what matters is that a reader never sees a partial file, which the
 * link or rename below gives.  (runc and crun do not fsync them either;
 * on this machine's ext4 the five fsyncs of a create cost ~1 ms.) */
static int
write_whole (int fd, const void *buf, size_t len)
{
  return mrc_write_all (fd, buf, len);
}

/* An unnamed O_TMPFILE linked in only once complete: a process killed
 * half-way leaves nothing behind.  A new NAME appears with linkat alone;
 * an existing one is replaced through a short-lived temporary name. */
static int
write_tmpfile (int dirfd, const char *dir, const char *name, const void *buf,
               size_t len, mode_t mode)
{
  cleanup_close int fd = openat (dirfd, dir, O_TMPFILE | O_WRONLY | O_CLOEXEC,
                                 mode);
  if (fd < 0)
    return -1;
  if (fchmod (fd, mode) < 0 || write_whole (fd, buf, len) < 0)
    return -1;
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
    return 0;
  if (errno != EEXIST)
    return -1;
  cleanup_free char *tmp = NULL;
  const char *slash = strrchr (name, '/');
  if (asprintf (&tmp, "%.*s.%s.%d.tmp", slash ? (int) (slash - name + 1) : 0,
                name, slash ? slash + 1 : name, (int) getpid ())
      < 0)
    return -1;
  /* a stale temporary name (a writer killed between link and rename) is
     removed only when it is in the way, not by a blind unlink each time */
  if (linkat (AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) < 0
      && (errno != EEXIST || unlinkat (dirfd, tmp, 0) < 0
          || linkat (AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) < 0))
    return -1;
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return errno = saved, -1;
    }
  return 0;
}

/* Where O_TMPFILE is not supported (NFS, FUSE, old overlayfs): a named
 * temporary file next to NAME, renamed over it. */
static int
write_named_tmp (int dirfd, const char *name, const void *buf, size_t len,
                 mode_t mode)
{
  cleanup_free char *tmp = NULL;
  const char *slash = strrchr (name, '/');
  if (asprintf (&tmp, "%.*s.%s.%d.tmp", slash ? (int) (slash - name + 1) : 0,
                name, slash ? slash + 1 : name, (int) getpid ())
      < 0)
    return -1;
  cleanup_close int fd = openat (dirfd, tmp,
                                 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
                                     | O_NOFOLLOW,
                                 mode);
  if (fd < 0)
    return -1;
  if (write_whole (fd, buf, len) < 0 || renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (dirfd, tmp, 0);
      return errno = saved, -1;
    }
  return 0;
}

int
mrc_write_file_atomic (int dirfd, const char *name, const void *buf,
                       size_t len, mode_t mode, mrc_error_t *err)
{
  const char *slash = strrchr (name, '/');
  cleanup_free char *dir = NULL;
  if (slash == NULL)
    dir = strdup (".");
  else if (slash == name)
    dir = strdup ("/");
  else
    dir = strndup (name, (size_t) (slash - name));
  if (dir == NULL)
    return mrc_fail_errno (err, "write `%s`", name);
  if (write_tmpfile (dirfd, dir, name, buf, len, mode) < 0
      && ((errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
          || write_named_tmp (dirfd, name, buf, len, mode) < 0))
    return mrc_fail_errno (err, "write `%s`", name);
  return 0;
}

int
mrc_write_file_at (int dirfd, const char *path, const char *buf, size_t len,
                   mrc_error_t *err)
{
  cleanup_close int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "open `%s`", path);
  if (mrc_write_all (fd, buf, len) < 0)
    return mrc_fail_errno (err, "write `%s`", path);
  return 0;
}

int
mrc_write_pid_file (const char *path, pid_t pid, mrc_error_t *err)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid);
  if (mrc_write_file_atomic (AT_FDCWD, path, buf, (size_t) n, 0644, err) < 0)
    return mrc_error_wrap (err, "pid file");
  return 0;
}
