/* Where a mounts[] entry may go.
 *
 * A mount over the container's /proc could hide the files the runtime and
 * the kernel's security modules rely on, or fake them (CVE-2019-16884 and
 * CVE-2019-19921 did so through a symlinked destination), so, as runc:
 *  - proc and sysfs go on a real directory: no symlink on the way to it,
 *    and not a file;
 *  - on /proc itself only procfs: a proc mount, or a bind of a procfs;
 *  - below /proc only the files lxcfs stands in for.
 * The rules hold for the destination as written and for where it really
 * leads inside the root, checked on the very fd the mount then goes
 * through, so a symlink (even one swapped in at the last moment) cannot
 * smuggle a mount in. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "setup-internal.h"

/* What lxcfs binds over to show a container its own figures.  (Not
 * /proc/net/dev: /proc/net leads to /proc/PID/net, never allowed.) */
static const char *const lxcfs_files[] = {
  "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",
  "/proc/stat",    "/proc/swaps",     "/proc/uptime",
  "/proc/loadavg", "/proc/slabinfo",  "/proc/sys/kernel/ns_last_pid",
};

/* PATH made absolute and without `//`, `.` or `..` (clamped at `/`), as
 * the lookup inside the root reads it when no symlink is met. */
static char *
clean_path (const char *path)
{
  size_t n = strlen (path);
  char *out = malloc (n + 2), *o = out;
  if (out == NULL)
    return NULL;
  *o = '\0';
  for (const char *p = path; *p;)
    {
      p += strspn (p, "/");
      size_t len = strcspn (p, "/");
      if (len == 0 || (len == 1 && p[0] == '.'))
        ;
      else if (len == 2 && p[0] == '.' && p[1] == '.')
        {
          while (o > out && *--o != '/')
            ;
          *o = '\0';
        }
      else
        {
          *o++ = '/';
          memcpy (o, p, len);
          o += len;
          *o = '\0';
        }
      p += len;
    }
  if (o == out)
    strcpy (out, "/");
  return out;
}

static bool
is_procfs (int fd)
{
  struct statfs sf;
  return fd >= 0 && fstatfs (fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* The rules for a destination at PATH (inside the root); SRCFD is a
 * bind's source, or -1. */
static int
check_path (const struct mrc_mount *m, bool bind, int srcfd,
            const char *path, mrc_error_t *err)
{
  if (strcmp (path, "/proc") == 0)
    {
      if ((!bind && m->type && strcmp (m->type, "proc") == 0)
          || (bind && is_procfs (srcfd)))
        return 0;
      return mrc_fail (err, "mount to `%s`: only procfs may be mounted on "
                            "/proc",
                       m->destination);
    }
  if (strncmp (path, "/proc/", 6) != 0)
    return 0;
  for (size_t i = 0; i < sizeof lxcfs_files / sizeof lxcfs_files[0]; i++)
    if (strcmp (path, lxcfs_files[i]) == 0)
      return 0;
  return mrc_fail (err, "mount to `%s`: `%s` is inside /proc",
                   m->destination, path);
}

static bool
is_proc_or_sysfs (const struct mrc_mount *m, bool bind)
{
  return !bind && m->type
         && (strcmp (m->type, "proc") == 0 || strcmp (m->type, "sysfs") == 0);
}

/* Does any existing component of PATH (clean, absolute) inside ROOTFD
 * name a symlink?  Stops at the first missing one. */
static bool
has_symlink (int rootfd, const char *path)
{
  char *copy = strdup (path), *save = NULL;
  if (copy == NULL)
    return false; /* mrc_setup_check_target still decides */
  cleanup_close int dir = dup (rootfd);
  bool found = false;
  for (char *c = strtok_r (copy, "/", &save); c && dir >= 0 && !found;
       c = strtok_r (NULL, "/", &save))
    {
      struct stat st;
      if (fstatat (dir, c, &st, AT_SYMLINK_NOFOLLOW) < 0)
        break;
      found = S_ISLNK (st.st_mode);
      int next = openat (dir, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      close (dir);
      dir = next;
    }
  free (copy);
  return found;
}

int
mrc_setup_precheck_dest (int rootfd, const struct mrc_mount *m, bool bind,
                         int srcfd, mrc_error_t *err)
{
  cleanup_free char *written = clean_path (m->destination);
  if (written == NULL)
    return mrc_fail_errno (err, "mount to `%s`", m->destination);
  if (is_proc_or_sysfs (m, bind) && has_symlink (rootfd, written))
    return mrc_fail (err, "mount `%s` to `%s`: the destination must be a "
                          "directory, not reached through a symlink",
                     m->type, m->destination);
  return check_path (m, bind, srcfd, written, err);
}

int
mrc_setup_check_target (int rootfd, int tfd, const struct mrc_mount *m,
                        bool bind, int srcfd, mrc_error_t *err)
{
  cleanup_free char *written = clean_path (m->destination);
  cleanup_free char *real = NULL;
  if (written == NULL)
    return mrc_fail_errno (err, "mount to `%s`", m->destination);
  if (mrc_fs_path_in_root (rootfd, tfd, &real, err) < 0)
    return mrc_error_wrap (err, "mount to `%s`", m->destination);
  if (is_proc_or_sysfs (m, bind))
    {
      struct stat st;
      if (strcmp (real, written) != 0)
        return mrc_fail (err, "mount `%s` to `%s`: the destination must be "
                              "a directory, not reached through a symlink",
                         m->type, m->destination);
      if (fstat (tfd, &st) < 0 || !S_ISDIR (st.st_mode))
        return mrc_fail (err, "mount `%s` to `%s`: the destination must be "
                              "a directory",
                         m->type, m->destination);
    }
  /* the path as written first: its error names what the config says */
  if (check_path (m, bind, srcfd, written, err) < 0)
    return -1;
  return strcmp (real, written) == 0
             ? 0
             : check_path (m, bind, srcfd, real, err);
}
