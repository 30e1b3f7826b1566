/* mount_setattr(2) work on mounts[] entries: the recursive options (`rro`,
 * `rnosuid`...) and id-mapped bind mounts (`idmap`, `ridmap`,
 * uidMappings/gidMappings). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "setup-internal.h"

int
mrc_setup_mount_setattr (int rootfd, const char *dest,
                         const struct mrc_mount_flags *mf, mrc_error_t *err)
{
  if (mf->attr_set == 0 && mf->attr_clr == 0)
    return 0;
  struct mount_attr attr = { .attr_set = mf->attr_set,
                             .attr_clr = mf->attr_clr };
  /* DEST again, not the fd the mount went onto: that one names the
   * directory underneath the new mount. */
  cleanup_close int fd = mrc_fs_open_in_root (rootfd, dest, O_PATH, err);
  if (fd < 0)
    return -1;
  if (mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                     sizeof attr) < 0)
    return mrc_fail_errno (err, "set recursive mount options of `%s`", dest);
  return 0;
}

/* "C H S\n" lines for /proc/PID/{u,g}id_map. */
static int
write_map (pid_t pid, const char *file, const struct mrc_id_mapping *m,
           size_t n, const char *dest, mrc_error_t *err)
{
  char path[64], buf[4096];
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    {
      int w = snprintf (buf + len, sizeof buf - len, "%u %u %u\n",
                        m[i].container_id, m[i].host_id, m[i].size);
      if (w < 0 || (size_t) w >= sizeof buf - len)
        return mrc_fail (err, "id-map `%s`: too many %s entries", dest, file);
      len += (size_t) w;
    }
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "id-map `%s`: open %s", dest, file);
  ssize_t w = write (fd, buf, len);
  if (w < 0 || (size_t) w != len)
    return mrc_fail_errno (err, "id-map `%s`: write %s", dest, file);
  return 0;
}

struct id_maps
{
  const struct mrc_id_mapping *uid, *gid;
  size_t n_uid, n_gid;
};

/* The pid of the process PIDFD refers to as /proc sees it.  In a container
 * with a pid namespace, /proc is still the host's when mounts are made:
 * the pid clone(2) returned names another process there.  A pidfd's
 * fdinfo gives the pid in the namespace of the /proc read through. */
static pid_t
proc_pid_of (int pidfd)
{
  char path[64], line[128];
  pid_t pid = -1;
  snprintf (path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return -1;
  while (fgets (line, sizeof line, f))
    if (sscanf (line, "Pid: %d", &pid) == 1)
      break;
  fclose (f);
  return pid;
}

/* An fd of a new user namespace with MAPS: a short-lived child unshares
 * it and waits on a pipe while we write its maps, then exits; the
 * namespace lives on through the fd. */
static int
userns_fd_with_maps (const struct id_maps *maps, const char *dest,
                     mrc_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return mrc_fail_errno (err, "id-map `%s`: pipe", dest);
  int pidfd = -1;
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | CLONE_PIDFD
                                              | SIGCHLD,
                               NULL, &pidfd, NULL, 0);
  if (pid == 0)
    {
      char c;
      close (p[1]);
      /* EOF when the parent is done (or gone) */
      while (read (p[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  int saved = errno;
  close (p[0]);
  if (pid < 0)
    {
      close (p[1]);
      return mrc_error_set (err, saved, "id-map `%s`: clone user namespace",
                            dest);
    }
  char path[64];
  int fd = -1;
  pid_t proc_pid = proc_pid_of (pidfd);
  if (proc_pid <= 0)
    fd = mrc_fail (err, "id-map `%s`: no pid of the user namespace child",
                   dest);
  else if (write_map (proc_pid, "uid_map", maps->uid, maps->n_uid, dest,
                      err) == 0
           && write_map (proc_pid, "gid_map", maps->gid, maps->n_gid, dest,
                         err) == 0)
    {
      snprintf (path, sizeof path, "/proc/%d/ns/user", (int) proc_pid);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        fd = mrc_fail_errno (err, "id-map `%s`: open user namespace", dest);
    }
  close (p[1]);
  close (pidfd);
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return fd;
}

/* The mappings of M: its own, or the container's for a bare `idmap`. */
static int
mount_maps (const struct mrc_setup_ctx *ctx, const struct mrc_mount *m,
            struct id_maps *out, mrc_error_t *err)
{
  const struct mrc_linux *l = ctx->spec->linux_;
  if (m->n_uid_mappings || m->n_gid_mappings)
    {
      if (m->n_uid_mappings == 0 || m->n_gid_mappings == 0)
        return mrc_fail (err, "id-map `%s`: uidMappings and gidMappings "
                         "must be given together", m->destination);
      *out = (struct id_maps){ m->uid_mappings, m->gid_mappings,
                               m->n_uid_mappings, m->n_gid_mappings };
      return 0;
    }
  if (!ctx->new_user_ns || l == NULL || l->n_uid_mappings == 0
      || l->n_gid_mappings == 0)
    return mrc_fail (err, "id-map `%s`: the mount has no uidMappings and "
                     "gidMappings and the container no user namespace "
                     "mappings", m->destination);
  *out = (struct id_maps){ l->uid_mappings, l->gid_mappings,
                           l->n_uid_mappings, l->n_gid_mappings };
  return 0;
}

int
mrc_setup_idmap_tree (const struct mrc_setup_ctx *ctx, int srcfd,
                      const struct mrc_mount *m, unsigned long flags,
                      unsigned long extensions, mrc_error_t *err)
{
  struct id_maps maps = { 0 };
  if (mount_maps (ctx, m, &maps, err) < 0)
    return -1;
  /* The kernel lets only a caller privileged over the filesystem's own
   * user namespace (the host's) id-map a mount: the container's init,
   * already in its user namespace, is not. */
  if (ctx->new_user_ns)
    return mrc_fail (err, "id-map `%s`: not supported yet in a container "
                     "with a user namespace", m->destination);
  cleanup_close int tree = open_tree (
      srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH
                     | ((flags & MS_REC) ? AT_RECURSIVE : 0));
  if (tree < 0)
    return mrc_fail_errno (err, "id-map `%s`: clone `%s`", m->destination,
                           m->source);
  cleanup_close int ns = userns_fd_with_maps (&maps, m->destination, err);
  if (ns < 0)
    return -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP,
                             .userns_fd = (unsigned) ns };
  unsigned at = AT_EMPTY_PATH
                | ((extensions & MRC_MOUNT_RIDMAP) ? AT_RECURSIVE : 0);
  if (mount_setattr (tree, "", at, &attr, sizeof attr) < 0)
    return mrc_fail_errno (err, "id-map `%s`", m->destination);
  return steal_fd (&tree);
}

int
mrc_setup_move_tree (int tree, int tfd, const char *what, const char *dest,
                     mrc_error_t *err)
{
  if (move_mount (tree, "", tfd, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mrc_fail_errno (err, "mount `%s` to `%s`", what, dest);
  return 0;
}
