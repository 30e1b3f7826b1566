/* Id-mapped bind mounts (`idmap`, `ridmap`, uidMappings/gidMappings).
 *
 * The kernel lets only a caller privileged over a filesystem's own user
 * namespace (the host's) id-map a mount of it.  A container init already
 * inside its user namespace is not, so the runtime makes every id-mapped
 * tree itself, in its own namespaces, before the clone: open_tree(2) a
 * detached copy of the source, mount_setattr(2) MOUNT_ATTR_IDMAP on it.
 * The child inherits the fds and move_mount(2)s each tree onto its
 * target (src/setup/mounts.c).  One path with or without a user
 * namespace, and a bad source or mapping fails before anything exists. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fdpass.h"
#include "mrc/file.h"
#include "mrc/proc.h"
#include "setup-internal.h"

struct id_maps
{
  const struct mrc_id_mapping *uid, *gid;
  size_t n_uid, n_gid;
};

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
  pid_t proc_pid = mrc_pidfd_proc_pid (pidfd);
  if (proc_pid <= 0)
    fd = mrc_fail (err, "id-map `%s`: no pid of the user namespace child",
                   dest);
  else if (mrc_setup_write_id_maps (proc_pid, maps->uid, maps->n_uid,
                                    maps->gid, maps->n_gid, err) < 0)
    mrc_error_wrap (err, "id-map `%s`", dest);
  else
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

/* The user namespace M is mapped through: one with M's own mappings, or
 * for a bare `idmap` the container's (a namespace joined by path, or one
 * made with linux.uidMappings/gidMappings). */
static int
mount_userns (const struct mrc_spec *spec, const struct mrc_mount *m,
              mrc_error_t *err)
{
  if (m->n_uid_mappings || m->n_gid_mappings)
    {
      if (m->n_uid_mappings == 0 || m->n_gid_mappings == 0)
        return mrc_fail (err, "id-map `%s`: uidMappings and gidMappings "
                         "must be given together", m->destination);
      struct id_maps own = { m->uid_mappings, m->gid_mappings,
                             m->n_uid_mappings, m->n_gid_mappings };
      return userns_fd_with_maps (&own, m->destination, err);
    }
  const struct mrc_namespace *user = mrc_spec_namespace (spec, "user");
  if (user && user->path)
    {
      int fd = open (user->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return mrc_fail_errno (err, "id-map `%s`: open user namespace `%s`",
                               m->destination, user->path);
      return fd;
    }
  const struct mrc_linux *l = spec->linux_;
  if (user == NULL || l == NULL || l->n_uid_mappings == 0
      || l->n_gid_mappings == 0)
    return mrc_fail (err, "id-map `%s`: the mount has no uidMappings and "
                     "gidMappings and the container no user namespace "
                     "mappings", m->destination);
  struct id_maps container = { l->uid_mappings, l->gid_mappings,
                               l->n_uid_mappings, l->n_gid_mappings };
  return userns_fd_with_maps (&container, m->destination, err);
}

/* The id-mapped detached copy of bind mount M's source: recursive for an
 * rbind, every mount of it mapped with `ridmap`, else the top one. */
static int
map_tree (int srcfd, int ns, const struct mrc_mount *m,
          const struct mrc_mount_flags *mf, mrc_error_t *err)
{
  cleanup_close int tree = open_tree (
      srcfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH
                     | ((mf->flags & MS_REC) ? AT_RECURSIVE : 0));
  if (tree < 0 && errno == ENOSYS)
    return mrc_error_set (err, ENOSYS, "mount `%s` to `%s`: option `idmap` "
                                       "needs open_tree(2) and "
                                       "mount_setattr(2), which are missing",
                          m->source, m->destination);
  if (tree < 0)
    return mrc_fail_errno (err, "id-map `%s`: clone `%s`", m->destination,
                           m->source);
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP,
                             .userns_fd = (unsigned) ns };
  unsigned at = AT_EMPTY_PATH
                | ((mf->extensions & MRC_MOUNT_RIDMAP) ? AT_RECURSIVE : 0);
  if (mount_setattr (tree, "", at, &attr, sizeof attr) < 0)
    {
      if (errno != ENOSYS)
        return mrc_fail_errno (err, "id-map `%s`", m->destination);
      return mrc_error_set (err, ENOSYS, "mount `%s` to `%s`: option "
                                         "`idmap` needs mount_setattr(2), "
                                         "which is missing",
                            m->source, m->destination);
    }
  return steal_fd (&tree);
}

static int
idmap_tree (const struct mrc_spec *spec, const char *bundle,
            const struct mrc_mount *m, const struct mrc_mount_flags *mf,
            mrc_error_t *err)
{
  cleanup_close int srcfd = mrc_setup_bind_source (bundle, m, err);
  if (srcfd < 0)
    return -1;
  cleanup_close int ns = mount_userns (spec, m, err);
  if (ns < 0)
    return -1;
  return map_tree (srcfd, ns, m, mf, err);
}

/* In a helper that has joined the init's mount namespace (MNTNS): M's
 * id-mapped tree, cloned from the init's own copy of the source, so with
 * the flags that copy has locked (a read-only host mount stays read-only
 * for container root); sent over SOCK. */
__attribute__ ((noreturn)) static void
locked_tree_helper (int mntns, int userns, int sock, const char *bundle,
                    const struct mrc_mount *m,
                    const struct mrc_mount_flags *mf)
{
  mrc_error_t e = NULL;
  int tree = -1;
  /* setns(CLONE_NEWNS) sets our root and cwd to the namespace's: the
     bundle's path means there what it means to the init */
  if (setns (mntns, CLONE_NEWNS) < 0)
    mrc_fail_errno (&e, "id-map `%s`: join the container's mount namespace",
                    m->destination);
  else
    {
      cleanup_close int srcfd = mrc_setup_bind_source (bundle, m, &e);
      if (srcfd >= 0)
        tree = map_tree (srcfd, userns, m, mf, &e);
    }
  if (tree >= 0)
    _exit (mrc_fdpass_send (sock, tree, "", &e) < 0);
  const char *msg = e && e->msg ? e->msg : "id-map: failed";
  if (mrc_write_all (sock, msg, strlen (msg)) < 0)
    { /* the runtime is gone */ }
  _exit (1);
}

bool
mrc_setup_mount_idmapped (const struct mrc_mount *m)
{
  if (m->n_uid_mappings || m->n_gid_mappings)
    return true;
  struct mrc_mount_flags mf;
  bool bind;
  mrc_error_t e = NULL;
  if (mrc_setup_mount_kind (m, &mf, &bind, &e) < 0)
    {
      mrc_error_free (&e);
      return false;
    }
  bool mapped = mf.extensions & MRC_MOUNT_IDMAP;
  mrc_mount_flags_clear (&mf);
  return mapped;
}

int
mrc_setup_runtime_idmap_tree (pid_t proc_pid, const struct mrc_spec *spec,
                              const char *bundle, const struct mrc_mount *m,
                              int *fd, mrc_error_t *err)
{
  *fd = -1;
  struct mrc_mount_flags mf;
  bool bind;
  if (mrc_setup_mount_kind (m, &mf, &bind, err) < 0)
    return -1;
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/mnt", (int) proc_pid);
  cleanup_close int mntns = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_close int userns = -1;
  int sv[2] = { -1, -1 };
  int r = -1;
  if (mntns < 0)
    mrc_fail_errno (err, "id-map `%s`: open `%s`", m->destination, path);
  else if ((userns = mount_userns (spec, m, err)) < 0)
    ;
  else if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    mrc_fail_errno (err, "id-map `%s`: socketpair", m->destination);
  else
    {
      pid_t pid = fork ();
      if (pid == 0)
        {
          close (sv[0]);
          locked_tree_helper (mntns, userns, sv[1], bundle, m, &mf);
        }
      int saved = errno;
      close (sv[1]);
      if (pid < 0)
        mrc_error_set (err, saved, "id-map `%s`: fork", m->destination);
      else
        {
          char msg[512];
          r = mrc_fdpass_recv (sv[0], fd, msg, sizeof msg, err);
          while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
            ;
          if (r == 0 && *fd < 0)
            r = mrc_fail (err, "%s", msg[0] ? msg : "id-map: the helper died");
        }
      close (sv[0]);
    }
  mrc_mount_flags_clear (&mf);
  return r;
}

static int *
new_fd_table (size_t n)
{
  int *fds = malloc (n * sizeof *fds);
  for (size_t i = 0; fds && i < n; i++)
    fds[i] = -1;
  return fds;
}

int
mrc_setup_idmap_prepare (const struct mrc_spec *spec, const char *bundle,
                         int **trees, mrc_error_t *err)
{
  *trees = NULL;
  int *fds = NULL;
  /* the sources are opened here, in the runtime's mount namespace */
  const struct mrc_namespace *mnt = mrc_spec_namespace (spec, "mount");
  bool joined_mnt = mnt && mnt->path;
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct mrc_mount *m = &spec->mounts[i];
      struct mrc_mount_flags mf;
      bool bind;
      if (mrc_setup_mount_kind (m, &mf, &bind, err) < 0)
        goto fail;
      bool mapped = m->n_uid_mappings || m->n_gid_mappings
                    || (mf.extensions & MRC_MOUNT_IDMAP);
      int fd = -2; /* nothing to do for this one */
      if (mapped && bind && joined_mnt)
        fd = mrc_fail (err, "id-map `%s`: not supported with a mount "
                            "namespace joined by path",
                       m->destination);
      else if (mapped && bind)
        fd = idmap_tree (spec, bundle, m, &mf, err);
      else if (mapped)
        fd = mrc_fail (err, "mount to `%s`: id-mapping needs a bind mount",
                       m->destination);
      mrc_mount_flags_clear (&mf);
      if (fd == -1)
        goto fail;
      if (fd == -2)
        continue;
      if (fds == NULL && (fds = new_fd_table (spec->n_mounts)) == NULL)
        {
          close (fd);
          mrc_error_set (err, ENOMEM, "id-mapped mounts");
          goto fail;
        }
      fds[i] = fd;
    }
  *trees = fds;
  return 0;
fail:
  mrc_setup_idmap_close (fds, spec->n_mounts);
  return -1;
}

void
mrc_setup_idmap_close (int *trees, size_t n)
{
  for (size_t i = 0; trees && i < n; i++)
    if (trees[i] >= 0)
      close (trees[i]);
  free (trees);
}
