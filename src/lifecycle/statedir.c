#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/fs.h"
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

static int
write_marker (int dir_fd)
{
  cleanup_close int fd = openat (dir_fd, MRC_STATE_MARKER,
                                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                                     | O_CLOEXEC,
                                 0600);
  if (fd < 0)
    return -1;
  return mrc_write_all (fd, MRC_STATE_MARKER_TEXT,
                        strlen (MRC_STATE_MARKER_TEXT));
}

/* Whether DIR_FD holds the marker: a regular file with exactly its text. */
static bool
has_marker (int dir_fd)
{
  char buf[64];
  cleanup_close int fd = openat (dir_fd, MRC_STATE_MARKER,
                                 O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return false;
  ssize_t n;
  do
    n = read (fd, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  size_t want = strlen (MRC_STATE_MARKER_TEXT);
  return n == (ssize_t) want && memcmp (buf, MRC_STATE_MARKER_TEXT, want) == 0;
}

void
mrc_statedir_path (int dir_fd, char *buf, size_t size)
{
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", dir_fd);
  ssize_t n = readlink (proc, buf, size - 1);
  if (n < 0)
    n = snprintf (buf, size, "?");
  buf[n] = '\0';
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
  /* The marker first, while the directory has its temporary name: every
     directory under a container's name then has it, and proves it ours. */
  if (fd < 0 || lock_fd (fd, LOCK_EX) < 0 || write_marker (fd) < 0)
    {
      mrc_fail_errno (err, "create state for `%s`", id);
      if (fd >= 0)
        unlinkat (fd, MRC_STATE_MARKER, 0);
      unlinkat (root_fd, tmp, AT_REMOVEDIR);
      return -1;
    }
  if (renameat2 (root_fd, tmp, root_fd, id, RENAME_NOREPLACE) < 0)
    {
      int saved = errno;
      unlinkat (fd, MRC_STATE_MARKER, 0);
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
      cleanup_close int fd = mrc_fs_open_here (root_fd, de->d_name,
                                               O_RDONLY | O_DIRECTORY);
      /* a live creator holds its lock: only a dead one's is taken; its
         `.new-*` name proves it ours, and it holds at most the marker */
      mrc_error_t ignored = NULL;
      if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0
          && mrc_statedir_remove (root_fd, de->d_name, fd, &ignored) < 0)
        mrc_error_free (&ignored);
    }
}

/* "container does not exist", for a name that holds something else:
 * what it is, so the operator sees why it was left alone. */
static int
not_ours (int root_fd, const char *id, const char *what, mrc_error_t *err)
{
  char root[PATH_MAX];
  mrc_statedir_path (root_fd, root, sizeof root);
  return mrc_error_code (err, EEXIST,
                         "container does not exist: `%s` (`%s/%s` %s: not a "
                         "mini-runc state directory, left untouched)",
                         id, root, id, what);
}

/* A directory without the marker is ours only while a delete removing
   it holds its lock (the marker goes just before the rmdir). */
static bool
being_removed (int dir_fd)
{
  cleanup_close int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY
                                                  | O_CLOEXEC);
  return fd >= 0 && flock (fd, LOCK_SH | LOCK_NB) < 0
         && errno == EWOULDBLOCK;
}

int
mrc_statedir_open (int root_fd, const char *id, int lock_op, int *dir_fd,
                   mrc_error_t *err)
{
  cleanup_close int fd = mrc_fs_open_here (root_fd, id,
                                           O_RDONLY | O_DIRECTORY);
  if (fd < 0 && errno == ENOENT)
    return mrc_error_code (err, ENOENT, "container does not exist: `%s`", id) ;
  if (fd < 0 && errno == EXDEV)
    return not_ours (root_fd, id, "is a mount point", err);
  struct stat a, b;
  if (fd < 0 && (errno == ENOTDIR || errno == ELOOP))
    return not_ours (root_fd, id,
                     fstatat (root_fd, id, &a, AT_SYMLINK_NOFOLLOW) == 0
                             && S_ISLNK (a.st_mode)
                         ? "is a symbolic link"
                         : "is not a directory",
                     err);
  if (fd < 0)
    return mrc_fail_errno (err, "open state of `%s`", id);
  if (lock_op && lock_fd (fd, lock_op) < 0)
    return mrc_fail_errno (err, "lock state of `%s`", id);
  /* The holder we waited for may have been `delete`: check the directory is
     still the one under that name. */
  if (fstat (fd, &a) < 0)
    return mrc_fail_errno (err, "stat state of `%s`", id);
  if (fstatat (root_fd, id, &b, AT_SYMLINK_NOFOLLOW) < 0 || a.st_ino != b.st_ino
      || a.st_dev != b.st_dev)
    return mrc_error_code (err, ENOENT, "container does not exist: `%s`", id);
  if (!has_marker (fd))
    {
      if (!lock_op && being_removed (fd))
        return mrc_error_code (err, ENOENT, "container does not exist: `%s`",
                               id);
      return not_ours (root_fd, id, "has no `" MRC_STATE_MARKER "` marker",
                       err);
    }
  *dir_fd = steal_fd (&fd);
  return 0;
}

typedef int (*parse_fn) (const char *buf, size_t len, const char *name,
                         struct mrc_state *out, mrc_error_t *err);

static int
load_json (int dir_fd, const char *name, parse_fn parse, struct mrc_state *st,
           mrc_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len;
  if (mrc_read_file_at (dir_fd, name, STATE_MAX_BYTES, &buf, &len, err) < 0)
    return -1;
  return parse (buf, len, name, st, err);
}

int
mrc_statedir_load (int dir_fd, struct mrc_state *st, mrc_error_t *err)
{
  return load_json (dir_fd, MRC_STATE_FILE, mrc_state_from_json, st, err);
}

int
mrc_statedir_save (int dir_fd, const struct mrc_state *st, mrc_error_t *err)
{
  cleanup_free char *buf = NULL, *rec = NULL;
  size_t len, rec_len;
  if (mrc_state_record_to_json (st, &rec, &rec_len, err) < 0
      || mrc_write_file_atomic (dir_fd, MRC_INIT_RECORD, rec, rec_len, 0600,
                                err)
             < 0
      || mrc_state_to_json (st, true, false, &buf, &len, err) < 0)
    return -1;
  return mrc_write_file_atomic (dir_fd, MRC_STATE_FILE, buf, len, 0600, err);
}

int
mrc_statedir_load_record (int dir_fd, struct mrc_state *st, mrc_error_t *err)
{
  return load_json (dir_fd, MRC_INIT_RECORD, mrc_state_record_from_json, st,
                    err);
}
