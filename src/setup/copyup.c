/* tmpcopyup: a tmpfs mounted over a directory of the image starts with a
 * copy of that directory (podman adds it to every tmpfs, e.g. --read-only
 * containers' /tmp).  The copy is made with *at() calls between two
 * directory fds, never following a symlink. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "setup-internal.h"

#define COPYUP_MAX_DEPTH 64

static int
copy_file (int src_dir, int dst_dir, const char *name, const struct stat *st)
{
  cleanup_close int in = openat (src_dir, name,
                                 O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int out = openat (dst_dir, name,
                                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                      | O_CLOEXEC,
                                  st->st_mode & 07777);
  if (in < 0 || out < 0)
    return -1;
  char buf[65536];
  for (;;)
    {
      ssize_t n = read (in, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      if (mrc_write_all (out, buf, (size_t) n) < 0)
        return -1;
    }
  return fchown (out, st->st_uid, st->st_gid) < 0
                 || fchmod (out, st->st_mode & 07777) < 0
             ? -1
             : 0;
}

static int copy_dir (int src, int dst, int depth);

static int
copy_entry (int src, int dst, const char *name, int depth)
{
  struct stat st;
  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return -1;
  if (S_ISREG (st.st_mode))
    return copy_file (src, dst, name, &st);
  if (S_ISLNK (st.st_mode))
    {
      char target[4096];
      ssize_t n = readlinkat (src, name, target, sizeof target - 1);
      if (n < 0)
        return -1;
      target[n] = '\0';
      if (symlinkat (target, dst, name) < 0)
        return -1;
      return fchownat (dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    }
  if (S_ISDIR (st.st_mode))
    {
      if (mkdirat (dst, name, 0700) < 0)
        return -1;
      cleanup_close int s = openat (src, name, O_RDONLY | O_DIRECTORY
                                                   | O_NOFOLLOW | O_CLOEXEC);
      cleanup_close int d = openat (dst, name, O_RDONLY | O_DIRECTORY
                                                   | O_NOFOLLOW | O_CLOEXEC);
      if (s < 0 || d < 0 || copy_dir (s, d, depth + 1) < 0)
        return -1;
      return fchown (d, st.st_uid, st.st_gid) < 0
                     || fchmod (d, st.st_mode & 07777) < 0
                 ? -1
                 : 0;
    }
  /* device nodes, fifos, sockets */
  if (mknodat (dst, name, st.st_mode, st.st_rdev) < 0)
    return -1;
  return fchownat (dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
}

static int
copy_dir (int src, int dst, int depth)
{
  if (depth > COPYUP_MAX_DEPTH)
    return errno = ELOOP, -1;
  int dfd = dup (src);
  if (dfd < 0)
    return -1;
  cleanup_dir DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return -1;
    }
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (src, dst, de->d_name, depth) < 0)
        return -1;
    }
  return errno ? -1 : 0;
}

int
mrc_setup_copyup (int src_dir, int dst_dir, const char *dest, mrc_error_t *err)
{
  struct stat st;
  if (fstat (src_dir, &st) < 0 || copy_dir (src_dir, dst_dir, 0) < 0
      || fchown (dst_dir, st.st_uid, st.st_gid) < 0
      || fchmod (dst_dir, st.st_mode & 07777) < 0)
    return mrc_fail_errno (err, "tmpcopyup of `%s`", dest);
  return 0;
}
