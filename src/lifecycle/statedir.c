#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/statedir.h"

#define STATE_MAX_BYTES (1024 * 1024)

static bool
id_char_ok (char c, bool first)
{
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  if (c == '_' || c == '+' || c == '-')
    return true;
  return c == '.' && !first;
}

int
mrc_id_validate (const char *id, mrc_error_t *err)
{
  if (id == NULL || *id == '\0')
    return mrc_fail (err, "invalid container id ``: must not be empty");
  size_t len = strlen (id);
  if (len > MRC_ID_MAX)
    return mrc_fail (err, "invalid container id: longer than %d characters",
                     MRC_ID_MAX);
  for (size_t i = 0; i < len; i++)
    if (!id_char_ok (id[i], i == 0))
      {
        /* Do not echo control characters back to a terminal. */
        if ((unsigned char) id[i] < 0x20 || id[i] == 0x7f)
          return mrc_fail (err, "invalid container id: control character at "
                                "position %zu",
                           i);
        return mrc_fail (err, "invalid container id `%s`: only letters, "
                              "digits and `_+-.` are allowed, and it must not "
                              "start with `.`",
                         id);
      }
  return 0;
}

static int
mkdir_p (const char *path, mode_t mode)
{
  cleanup_free char *copy = strdup (path);
  if (copy == NULL)
    return -1;
  for (char *p = copy + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (copy, mode) < 0 && errno != EEXIST)
          return -1;
        *p = '/';
      }
  if (mkdir (copy, mode) < 0 && errno != EEXIST)
    return -1;
  return 0;
}

int
mrc_statedir_open_root (const char *root, bool create, int *fd,
                        mrc_error_t *err)
{
  if (create && mkdir_p (root, 0711) < 0)
    return mrc_fail_errno (err, "create state directory `%s`", root);
  int r = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (r < 0)
    return mrc_fail_errno (err, "open state directory `%s`", root);
  *fd = r;
  return 0;
}

static int
lock_fd (int fd, int op)
{
  for (;;)
    {
      if (flock (fd, op) == 0)
        return 0;
      if (errno != EINTR)
        return -1;
    }
}

int
mrc_statedir_new (int root_fd, const char *id, int *dir_fd, mrc_error_t *err)
{
  char tmp[MRC_ID_MAX + 64];
  snprintf (tmp, sizeof tmp, ".new-%s-%d", id, (int) getpid ());
  if (mkdirat (root_fd, tmp, 0700) < 0)
    return mrc_fail_errno (err, "create state for `%s`", id);
  cleanup_close int fd = openat (root_fd, tmp,
                                 O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 || lock_fd (fd, LOCK_EX) < 0)
    {
      mrc_fail_errno (err, "create state for `%s`", id);
      unlinkat (root_fd, tmp, AT_REMOVEDIR);
      return -1;
    }
  if (renameat2 (root_fd, tmp, root_fd, id, RENAME_NOREPLACE) < 0)
    {
      int saved = errno;
      unlinkat (root_fd, tmp, AT_REMOVEDIR);
      if (saved == EEXIST || saved == ENOTEMPTY)
        return mrc_error_code (err, EEXIST, "container `%s` already exists",
                              id);
      return mrc_error_set (err, saved, "create state for `%s`", id);
    }
  *dir_fd = steal_fd (&fd);
  return 0;
}

void
mrc_statedir_reap_stale (int root_fd, const char *id)
{
  char prefix[MRC_ID_MAX + 16];
  int plen = snprintf (prefix, sizeof prefix, ".new-%s-", id);
  int dfd = dup (root_fd);
  if (dfd < 0)
    return;
  cleanup_dir DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return;
    }
  rewinddir (d);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (strncmp (de->d_name, prefix, (size_t) plen) != 0)
        continue;
      cleanup_close int fd = openat (root_fd, de->d_name,
                                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                         | O_CLOEXEC);
      /* a live creator holds its lock: only a dead one's is taken */
      if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0)
        unlinkat (root_fd, de->d_name, AT_REMOVEDIR);
    }
}

int
mrc_statedir_open (int root_fd, const char *id, int lock_op, int *dir_fd,
                   mrc_error_t *err)
{
  cleanup_close int fd = openat (root_fd, id,
                                 O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
    return mrc_error_code (err, ENOENT, "container does not exist: `%s`", id) ;
  if (fd < 0)
    return mrc_fail_errno (err, "open state of `%s`", id);
  if (lock_op && lock_fd (fd, lock_op) < 0)
    return mrc_fail_errno (err, "lock state of `%s`", id);
  /* The holder we waited for may have been `delete`: check the directory is
     still the one under that name. */
  struct stat a, b;
  if (fstat (fd, &a) < 0)
    return mrc_fail_errno (err, "stat state of `%s`", id);
  if (fstatat (root_fd, id, &b, AT_SYMLINK_NOFOLLOW) < 0 || a.st_ino != b.st_ino
      || a.st_dev != b.st_dev)
    return mrc_error_code (err, ENOENT, "container does not exist: `%s`", id);
  *dir_fd = steal_fd (&fd);
  return 0;
}

int
mrc_statedir_load (int dir_fd, struct mrc_state *st, mrc_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len;
  if (mrc_read_file_at (dir_fd, MRC_STATE_FILE, STATE_MAX_BYTES, &buf, &len,
                        err)
      < 0)
    return -1;
  return mrc_state_from_json (buf, len, MRC_STATE_FILE, st, err);
}

int
mrc_statedir_save (int dir_fd, const struct mrc_state *st, mrc_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len;
  if (mrc_state_to_json (st, true, false, &buf, &len, err) < 0)
    return -1;
  return mrc_write_file_atomic (dir_fd, MRC_STATE_FILE, buf, len, 0600, err);
}

/* Empty the directory DIR_FD, depth first, never following a symlink
 * (an overlay's upper layer may hold anything the container wrote). */
static int
empty_dir (int dir_fd, int depth, mrc_error_t *err)
{
  if (depth > 256)
    return mrc_error_code (err, ELOOP, "remove state: directories nested "
                                       "too deep");
  int dfd = dup (dir_fd);
  if (dfd < 0)
    return mrc_fail_errno (err, "remove state");
  cleanup_dir DIR *d = fdopendir (dfd);
  if (d == NULL)
    {
      close (dfd);
      return mrc_fail_errno (err, "remove state");
    }
  rewinddir (d);
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dir_fd, de->d_name, 0) == 0 || errno == ENOENT)
        continue;
      if (errno != EISDIR)
        return mrc_fail_errno (err, "remove `%s`", de->d_name);
      cleanup_close int sub = openat (dir_fd, de->d_name,
                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                          | O_CLOEXEC);
      if (sub < 0 || empty_dir (sub, depth + 1, err) < 0)
        return sub < 0 ? mrc_fail_errno (err, "remove `%s`", de->d_name) : -1;
      if (unlinkat (dir_fd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return mrc_fail_errno (err, "remove `%s`", de->d_name);
    }
  return 0;
}

int
mrc_statedir_remove (int root_fd, const char *id, int dir_fd, mrc_error_t *err)
{
  if (empty_dir (dir_fd, 0, err) < 0)
    return mrc_error_wrap (err, "delete `%s`", id);
  if (unlinkat (root_fd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return mrc_fail_errno (err, "remove state of `%s`", id);
  return 0;
}
