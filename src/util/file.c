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

int
mrc_write_file_atomic (int dirfd, const char *name, const void *buf,
                       size_t len, mode_t mode, mrc_error_t *err)
{
  cleanup_free char *tmp = NULL;
  if (asprintf (&tmp, ".%s.%d.tmp", name, (int) getpid ()) < 0)
    return mrc_fail_errno (err, "write `%s`", name);
  /* The temp file lives next to NAME so rename is atomic; a '/' in NAME
     means the temp must go in the same directory. */
  const char *slash = strrchr (name, '/');
  if (slash)
    {
      free (tmp);
      tmp = NULL;
      if (asprintf (&tmp, "%.*s/.%s.%d.tmp", (int) (slash - name), name,
                    slash + 1, (int) getpid ())
          < 0)
        return mrc_fail_errno (err, "write `%s`", name);
    }
  cleanup_close int fd = openat (dirfd, tmp,
                                 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
                                     | O_NOFOLLOW,
                                 mode);
  if (fd < 0)
    return mrc_fail_errno (err, "write `%s`", name);
  if (mrc_write_all (fd, buf, len) < 0 || fsync (fd) < 0)
    {
      mrc_fail_errno (err, "write `%s`", name);
      unlinkat (dirfd, tmp, 0);
      return -1;
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      mrc_fail_errno (err, "write `%s`", name);
      unlinkat (dirfd, tmp, 0);
      return -1;
    }
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
