/* Removing a state directory (issue 15): only what mini-runc writes there,
 * by name, and never across a mount point.  The directory may not be what
 * it seems: `--root /var/lib delete docker` names a real directory, and
 * anything may have been bind-mounted or dropped inside one of ours.  So
 *   - the caller has proved it is ours (its marker, or a `.new-*` name);
 *   - each entry is removed only when the table below names it; the
 *     writable overlay layers are the container's, and go whole;
 *   - every directory is opened with RESOLVE_NO_XDEV: a mount point is
 *     left, as is anything unknown, and both are named in the error;
 *   - the marker goes last, and only from an otherwise empty directory,
 *     so what is left is still recognised as ours next time. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "mrc/setup.h"
#include "mrc/statedir.h"
#include "mrc/sync.h"
#include "lifecycle-internal.h"

#define TREE_MAX_DEPTH 256

enum owned_kind
{
  OWN_FILE, /* a file or socket: unlinked */
  OWN_DIR,  /* a directory of the entries CHILDREN names */
  OWN_TREE, /* a directory that is all ours (an overlay layer) */
};

struct owned
{
  const char *name; /* NULL ends a table */
  enum owned_kind kind;
  bool atomic; /* written through ".NAME.PID.tmp" (mrc_write_file_atomic) */
  const struct owned *children;
};

static const struct owned notify_entries[] = {
  { MRC_NOTIFY_SOCK, OWN_FILE, false, NULL },
  { NULL, 0, false, NULL },
};

static const struct owned overlay_entries[] = {
  { MRC_OVERLAY_UPPER, OWN_TREE, false, NULL },
  { MRC_OVERLAY_WORK, OWN_TREE, false, NULL },
  { NULL, 0, false, NULL },
};

/* Every entry mini-runc makes in <root>/<id>, besides the marker. */
static const struct owned state_entries[] = {
  { MRC_STATE_FILE, OWN_FILE, true, NULL },
  { MRC_INIT_RECORD, OWN_FILE, true, NULL },
  { MRC_SAVED_CONFIG, OWN_FILE, true, NULL },
  { MRC_EXEC_SOCK, OWN_FILE, false, NULL },
  { MRC_NOTIFY_DIR, OWN_DIR, false, notify_entries },
  { MRC_OVERLAY_DIR, OWN_DIR, false, overlay_entries },
  { NULL, 0, false, NULL },
};

/* What was left in place, for the error: "`a`, `overlay/b` (a mount
 * point)", cut short when long. */
struct left
{
  char text[1024];
  size_t len;
  size_t n;
};

static void
left_add (struct left *l, const char *prefix, const char *name, int errnum)
{
  const char *why = errnum == EXDEV || errnum == EBUSY ? " (a mount point)"
                                                      : "";
  if (l->len < sizeof l->text)
    {
      int k = snprintf (l->text + l->len, sizeof l->text - l->len,
                        "%s`%s%s%s`%s", l->n ? ", " : "", prefix,
                        *prefix ? "/" : "", name, why);
      l->len += k > 0 ? (size_t) k : 0;
    }
  l->n++;
}

/* EXDEV when DFD/NAME is a mount point, else 0: said in the error. */
static int
mount_point (int dfd, const char *name)
{
  int fd = mrc_fs_open_here (dfd, name, O_PATH);
  if (fd >= 0)
    close (fd);
  return fd < 0 && errno == EXDEV ? EXDEV : 0;
}

/* ".NAME.<digits>.tmp" */
static bool
is_temp_of (const char *entry, const char *name)
{
  size_t n = strlen (name);
  if (entry[0] != '.' || strncmp (entry + 1, name, n) != 0
      || entry[n + 1] != '.')
    return false;
  const char *p = entry + n + 2, *digits = p;
  while (*p >= '0' && *p <= '9')
    p++;
  return p > digits && strcmp (p, ".tmp") == 0;
}

static const struct owned *
lookup (const struct owned *table, const char *entry)
{
  for (const struct owned *o = table; o->name; o++)
    if (strcmp (o->name, entry) == 0
        || (o->atomic && is_temp_of (entry, o->name)))
      return o;
  return NULL;
}

/* A directory of ours inside an overlay layer that we may not read:
 * overlayfs makes its work/work with mode 0, which stops a rootless
 * delete (the host's root passes anyway).  Opened without following a
 * symlink, checked, then given u+rwx through the fd. */
static int
let_in (int dfd, const char *name)
{
  struct stat st;
  cleanup_close int fd = openat (dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return -1;
  if (!S_ISDIR (st.st_mode) || st.st_uid != geteuid ())
    return errno = EACCES, -1;
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  return chmod (proc, (st.st_mode & 07777) | S_IRWXU);
}

static int remove_entries (int dfd, const char *prefix,
                           const struct owned *table, int depth,
                           struct left *left, mrc_error_t *err);

/* Remove DFD/NAME, of kind O (a table row, or NULL inside a tree). */
static int
remove_one (int dfd, const char *prefix, const char *name,
            const struct owned *o, int depth, struct left *left,
            mrc_error_t *err)
{
  if (o && o->kind == OWN_FILE)
    {
      if (unlinkat (dfd, name, 0) < 0 && errno != ENOENT)
        left_add (left, prefix, name, errno);
      return 0;
    }
  /* inside a tree anything goes; a file is simply unlinked */
  if (o == NULL && unlinkat (dfd, name, 0) == 0)
    return 0;
  if (o == NULL && errno != EISDIR)
    {
      if (errno != ENOENT)
        left_add (left, prefix, name, errno);
      return 0;
    }
  cleanup_close int sub = mrc_fs_open_here (dfd, name,
                                            O_RDONLY | O_DIRECTORY);
  if (sub < 0 && errno == EACCES && o == NULL && let_in (dfd, name) == 0)
    sub = mrc_fs_open_here (dfd, name, O_RDONLY | O_DIRECTORY);
  if (sub < 0)
    {
      if (errno != ENOENT)
        left_add (left, prefix, name, errno);
      return 0;
    }
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s%s%s", prefix, *prefix ? "/" : "", name);
  size_t before = left->n;
  if (remove_entries (sub, path, o ? o->children : NULL, depth + 1, left,
                      err)
      < 0)
    return -1;
  if (left->n == before && unlinkat (dfd, name, AT_REMOVEDIR) < 0
      && errno != ENOENT)
    left_add (left, prefix, name, errno);
  return 0;
}

/* Remove the entries of DFD that TABLE names (TABLE NULL: all of them,
 * inside a tree); record the others in LEFT. */
static int
remove_entries (int dfd, const char *prefix, const struct owned *table,
                int depth, struct left *left, mrc_error_t *err)
{
  if (depth > TREE_MAX_DEPTH)
    return mrc_error_code (err, ELOOP, "remove `%s`: directories nested "
                                       "too deep", prefix);
  int dup_fd = dup (dfd);
  if (dup_fd < 0)
    return mrc_fail_errno (err, "remove `%s`", prefix);
  cleanup_dir DIR *d = fdopendir (dup_fd);
  if (d == NULL)
    {
      close (dup_fd);
      return mrc_fail_errno (err, "remove `%s`", prefix);
    }
  rewinddir (d);
  struct dirent *de;
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      const char *name = de->d_name;
      if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0
          || (depth == 0 && strcmp (name, MRC_STATE_MARKER) == 0))
        continue;
      const struct owned *o = table ? lookup (table, name) : NULL;
      if (table && o == NULL)
        left_add (left, prefix, name, mount_point (dfd, name));
      else if (remove_one (dfd, prefix, name, o, depth, left, err) < 0)
        return -1;
    }
  if (errno != 0)
    return mrc_fail_errno (err, "remove `%s`", prefix);
  return 0;
}

int
mrc_statedir_remove (int root_fd, const char *name, int dir_fd,
                     mrc_error_t *err)
{
  struct left left = { .len = 0, .n = 0 };
  if (remove_entries (dir_fd, "", state_entries, 0, &left, err) < 0)
    return mrc_error_wrap (err, "delete `%s`", name);
  if (left.n > 0)
    {
      char where[PATH_MAX];
      mrc_statedir_path (dir_fd, where, sizeof where);
      return mrc_error_code (err, ENOTEMPTY,
                             "delete `%s`: left `%s` in place: it holds "
                             "what mini-runc did not write there: %s%s",
                             name, where, left.text,
                             left.len >= sizeof left.text ? "..." : "");
    }
  if (unlinkat (dir_fd, MRC_STATE_MARKER, 0) < 0 && errno != ENOENT)
    return mrc_fail_errno (err, "delete `%s`: remove `%s`", name,
                           MRC_STATE_MARKER);
  if (unlinkat (root_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return mrc_fail_errno (err, "remove state of `%s`", name);
  return 0;
}
