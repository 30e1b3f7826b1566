/* Where a bind mount's source comes from: the container's init opens it
 * itself, or, in a user namespace, the runtime opens it for the init
 * through the init's root (mrc_setup_runtime_bind_source, below).
 *
 * In a user namespace the init is its mapped root, nobody on the host: a
 * source below a directory only the host's root may search (mode 000) is
 * out of its reach, though the config names it.  runc opens such sources
 * with its own privileges, and so do we, with one rule that keeps the
 * bind as safe as the init's own: the source is resolved through
 * /proc/<init>/root, so with the runtime's credentials but in the init's
 * mount namespace.  The fd's mount is then the init's own copy of the
 * host's, made by the clone into a less privileged mount namespace: its
 * ro, nosuid, nodev and noexec are locked there, and the init can clone
 * it (open_tree refuses a mount of another namespace).  A tree the runtime
 * cloned in its own namespace would carry none of those locks: container
 * root could lift a read-only host mount's ro with mount_setattr.  The
 * init asks for each source when it mounts it (sync.h: BIND_SOURCE), so
 * the lookup sees every mount made before, as the init's own would. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "setup-internal.h"

/* M's source as an absolute path, in *ABS (malloc'd) when relative. */
static const char *
source_path (const char *bundle, const struct mrc_mount *m, char **abs,
             mrc_error_t *err)
{
  const char *src = m->source;
  if (src == NULL)
    {
      mrc_fail (err, "mount to `%s`: bind mount without a source",
                m->destination);
      return NULL;
    }
  if (src[0] == '/')
    return src;
  if (asprintf (abs, "%s/%s", bundle, src) < 0)
    {
      *abs = NULL;
      mrc_error_set (err, ENOMEM, "mount `%s`", src);
      return NULL;
    }
  return *abs;
}

int
mrc_setup_bind_source (const char *bundle, const struct mrc_mount *m,
                       mrc_error_t *err)
{
  cleanup_free char *abs = NULL;
  const char *src = source_path (bundle, m, &abs, err);
  if (src == NULL)
    return -1;
  int fd = open (src, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`: open source", m->source,
                           m->destination);
  return fd;
}

int
mrc_setup_runtime_bind_source (pid_t proc_pid, const char *bundle,
                               const struct mrc_mount *m, int *fd,
                               mrc_error_t *err)
{
  *fd = -1;
  cleanup_free char *abs = NULL;
  const char *src = source_path (bundle, m, &abs, err);
  if (src == NULL)
    return -1;
  char root[64];
  snprintf (root, sizeof root, "/proc/%d/root", (int) proc_pid);
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  /* A runtime without the privilege to look into the init (an unprivileged
     one: the init is no longer dumpable) has none to lend it either. */
  if (rootfd < 0 && (errno == EACCES || errno == EPERM))
    return 0;
  if (rootfd < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`: open the container "
                           "init's root", m->source, m->destination);
  /* RESOLVE_IN_ROOT: `/` and absolute symlinks are the init's root, which
     is still the host's `/` (the init has not pivoted) */
  mrc_error_t e = NULL;
  *fd = mrc_fs_open_in_root (rootfd, src, O_PATH, &e);
  if (*fd >= 0)
    return 0;
  int errnum = e ? e->errnum : EIO;
  mrc_error_free (&e);
  /* A magic link (/proc/self/..., /proc/<pid>/ns/...) names another
     object from the runtime's side (/proc/self is the runtime): such a
     source stays the init's to open, as it always was. */
  if (errnum == ELOOP)
    return 0;
  return mrc_error_set (err, errnum, "mount `%s` to `%s`: open source",
                        m->source, m->destination);
}
