/* --no-pivot: what the host's tree left in the container's mount
 * namespace must not give away.
 *
 * MS_MOVE + chroot keeps the host's mounts in the namespace, under the
 * rootfs moved onto `/`: out of reach by path, but still counted by the
 * kernel.  A new proc or sysfs may be mounted in a user namespace only if
 * the mount namespace already holds one "fully visible" (its whole tree,
 * with no locked mount over anything but an empty directory; see
 * mount_too_revealing in fs/namespace.c).  The container's own /proc and
 * /sys have maskedPaths and readonlyPaths over them, and those are locked
 * in any user namespace made inside the container, so after pivot_root
 * `unshare -Urm` + `mount -t proc` fails there.  The host's have no masks:
 * left in place, they would let that succeed and hand out an unmasked
 * procfs.  So, as runc's msMoveRoot does, every whole proc and sysfs
 * mount outside the rootfs is detached before the move, or covered with
 * an empty tmpfs where it cannot be (locked in a user namespace). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/mountinfo.h"
#include "setup-internal.h"

#define MOUNTINFO_MAX (8 << 20)

/* The filesystems the kernel guards with the "fully visible" rule
 * (FS_USERNS_VISIBLE). */
static const char *const guarded_types[] = { "proc", "sysfs" };

static bool
guarded (const struct mrc_mountinfo_line *l)
{
  /* a bind of a subtree never counts as fully visible */
  if (strcmp (l->root, "/") != 0)
    return false;
  for (size_t i = 0; i < sizeof guarded_types / sizeof guarded_types[0]; i++)
    if (strcmp (l->fstype, guarded_types[i]) == 0)
      return true;
  return false;
}

/* PATH is DIR or below it (DIR absolute, without a trailing slash). */
static bool
is_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  if (n == 1)
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int
mount_id (int fd, int *id)
{
  struct statx st;
  if (statx (fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &st) < 0)
    return -1;
  if (!(st.stx_mask & STATX_MNT_ID))
    return errno = ENOSYS, -1;
  *id = (int) st.stx_mnt_id;
  return 0;
}

/* The mount L describes detached (or covered), found by its path and
 * acted on only when the path still leads to it: a parent detached
 * before took it along, and the path then names another mount. */
static int
hide_one (const struct mrc_mountinfo_line *l, mrc_error_t *err)
{
  cleanup_close int fd = open (l->mnt, O_PATH | O_DIRECTORY | O_NOFOLLOW
                                           | O_CLOEXEC);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
    return 0;
  int id;
  if (fd < 0 || mount_id (fd, &id) < 0)
    return mrc_fail_errno (err, "--no-pivot: find the host's `%s`", l->mnt);
  if (id != l->id)
    return 0;
  if (fchdir (fd) < 0)
    return mrc_fail_errno (err, "--no-pivot: enter the host's `%s`", l->mnt);
  /* a slave first: with a shared propagation the detach would reach the
     host's own mount namespace */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return mrc_fail_errno (err, "--no-pivot: make the host's `%s` a slave",
                           l->mnt);
  if (umount2 (".", MNT_DETACH) == 0)
    return 0;
  if (errno != EINVAL && errno != EPERM)
    return mrc_fail_errno (err, "--no-pivot: detach the host's `%s`", l->mnt);
  /* locked (a user namespace made the mount namespace): covered instead,
     which a user namespace made inside the container finds locked */
  if (mount ("tmpfs", ".", "tmpfs",
             MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0") < 0)
    return mrc_fail_errno (err, "--no-pivot: cover the host's `%s`", l->mnt);
  return 0;
}

int
mrc_setup_hide_host_pseudofs (const char *rootfs, mrc_error_t *err)
{
  cleanup_free char *root = realpath (rootfs, NULL);
  if (root == NULL)
    return mrc_fail_errno (err, "resolve rootfs `%s`", rootfs);
  /* read whole first: the host's /proc may be the first to go */
  cleanup_free char *text = NULL;
  size_t len;
  if (mrc_read_file_at (AT_FDCWD, "/proc/self/mountinfo", MOUNTINFO_MAX,
                        &text, &len, err) < 0)
    return mrc_error_wrap (err, "--no-pivot");
  for (char *line = text, *next; line && *line; line = next)
    {
      char *eol = strchrnul (line, '\n');
      next = *eol ? eol + 1 : NULL;
      *eol = '\0';
      struct mrc_mountinfo_line l;
      /* the container's own, inside the rootfs, stay: they are masked */
      if (mrc_mountinfo_split (line, &l) < 0 || !guarded (&l)
          || is_under (l.mnt, root))
        continue;
      if (hide_one (&l, err) < 0)
        return -1;
    }
  return 0;
}
