/* Opening cgroups under the cgroup2 root and reading their small files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "cgroup-internal.h"

/* cgroup.procs of a big cgroup is the largest file read here. */
#define CGROUP_FILE_MAX (16 << 20)

char *
mrc_cgroup_fs_path (const char *path)
{
  const char *root = NULL;
  mrc_error_t err = NULL;
  char *s = NULL;
  if (mrc_cgroup_root (&root, &err) < 0)
    {
      mrc_error_free (&err);
      return strdup (path);
    }
  if (strcmp (path, "/") == 0)
    return strdup (root);
  if (asprintf (&s, "%s%s", root, path) < 0)
    return NULL;
  return s;
}

int
mrc_cgroup_open_at (const char *path, int flags, mrc_error_t *err)
{
  const char *root;
  if (mrc_cgroup_root (&root, err) < 0)
    return -1;
  if (path[0] != '/')
    return mrc_error_code (err, EINVAL,
                           "cgroup: `%s` is not an absolute cgroup path",
                           path);
  cleanup_close int rootfd
      = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", root);
  const char *rel = path + strspn (path, "/");
  int fd = openat (rootfd, *rel ? rel : ".", flags | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      cleanup_free char *full = mrc_cgroup_fs_path (path);
      return mrc_error_set (err, saved, "cgroup: open `%s`",
                            full ? full : path);
    }
  return fd;
}

int
mrc_cgroup_open (const char *path, mrc_error_t *err)
{
  return mrc_cgroup_open_at (path, O_RDONLY | O_DIRECTORY, err);
}

int
mrc_cgroup_read (int dirfd, const char *file, char **out, mrc_error_t *err)
{
  size_t len;
  return mrc_read_file_at (dirfd, file, CGROUP_FILE_MAX, out, &len, err);
}

bool
mrc_cgroup_kv_get (const char *text, const char *key, uint64_t *out)
{
  size_t kl = strlen (key);
  for (const char *p = text; p && *p;)
    {
      if (strncmp (p, key, kl) == 0 && p[kl] == ' ')
        {
          char *end;
          errno = 0;
          uint64_t v = strtoull (p + kl + 1, &end, 10);
          if (errno || end == p + kl + 1)
            return false;
          *out = v;
          return true;
        }
      p = strchr (p, '\n');
      if (p)
        p++;
    }
  return false;
}

char *
mrc_cgroup_v2_controllers (void)
{
  const char *root;
  mrc_error_t ignored = NULL;
  char *text = NULL;
  size_t len;
  cleanup_close int fd = -1;
  if (mrc_cgroup_root (&root, &ignored) < 0
      || (fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0
      || mrc_read_file_at (fd, "cgroup.controllers", 4096, &text, &len,
                           &ignored) < 0)
    {
      mrc_error_free (&ignored);
      return strdup ("");
    }
  /* "cpu io memory\n" -> "cpu,io,memory", the shape of a v1 name */
  for (char *p = text; *p; p++)
    if (*p == ' ' || *p == '\n')
      *p = ',';
  return text;
}
