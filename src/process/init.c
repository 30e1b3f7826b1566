/* The container init's setup sequence, in the one order that works.
 * Runs in the child of clone3, already inside its new namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/setup.h"
#include "mrc/sync.h"
#include "init.h"

static int
wait_for (int fd, enum mrc_sync_type want, mrc_error_t *err)
{
  struct mrc_sync_msg msg;
  int r = mrc_sync_recv (fd, &msg);
  if (r < 0)
    return mrc_fail_errno (err, "read from the runtime");
  if (r == 1)
    return mrc_fail (err, "the runtime went away during setup");
  if (msg.type != (uint32_t) want)
    return mrc_fail (err, "unexpected message %u from the runtime", msg.type);
  return 0;
}

/* Everything up to READY.  Each step says why it stands where it does. */
static int
setup (const struct mrc_init_args *a, int *sync_fd, int *listen_fd,
       char **exec_path, char ***envp, mrc_error_t *err)
{
  const struct mrc_spawn_opts *o = a->opts;
  const struct mrc_spec *spec = o->spec;
  const struct mrc_process *p = spec->process;

  /* 1. A new user namespace has no mappings until the parent writes them;
     until then we are nobody, so nothing else can happen first. */
  if (a->wait_for_maps)
    {
      if (wait_for (*sync_fd, MRC_SYNC_MAPS_DONE, err) < 0)
        return -1;
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return mrc_fail_errno (err, "become root in the user namespace");
    }
  /* 2. Our own session, so the caller's terminal signals (Ctrl-C to the
     caller's process group) reach the container only through mini-runc. */
  if (setsid () < 0)
    return mrc_fail_errno (err, "setsid");
  /* 3. A fresh session keyring, unless --no-new-keyring: the caller's
     keyring must not be reachable from the container. */
  if (!o->no_new_keyring
      && syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0
      && errno != ENOSYS && errno != EPERM)
    return mrc_fail_errno (err, "create session keyring");
  /* 4. Hostname before the rootfs: it needs nothing from the filesystem. */
  if (mrc_setup_hostname (spec, err) < 0)
    return -1;
  /* 5. The root filesystem, mounts, /dev and pivot_root: needs root in the
     container's user namespace, so before the user switch. */
  struct mrc_setup_ctx ctx = {
    .spec = spec, .bundle = o->bundle, .rootfs = o->rootfs,
    .no_pivot = o->no_pivot, .new_user_ns = a->has_user_ns,
    .new_pid_ns = a->new_pid_ns, .new_net_ns = a->new_net_ns,
    .new_cgroup_ns = a->new_cgroup_ns, .new_mount_ns = true,
  };
  if (mrc_setup_rootfs (&ctx, err) < 0)
    return -1;
  /* 6. The environment reads the container's /etc/passwd: after pivot. */
  *envp = mrc_init_environ (p, a->listen_fds);
  if (*envp == NULL)
    return mrc_fail_errno (err, "build the environment");
  /* 7. The user switch, then the cwd as that user (as runc does): a cwd
     the user may not enter fails here, not in the user's program. */
  if (mrc_init_user (p, a->has_user_ns, err) < 0)
    return -1;
  if (chdir (p->cwd) < 0)
    return mrc_fail_errno (err, "change to process.cwd `%s`", p->cwd);
  /* 8. The executable is looked up now, as the user, so a missing binary
     fails `create` (callers map that error to 127), not `start`. */
  if (mrc_init_find_exec (p->args[0], *envp, exec_path, err) < 0)
    return -1;
  /* 9. fds last before READY: nothing above opens another one. */
  int *internal[] = { sync_fd, listen_fd };
  if (mrc_init_fds (3 + o->preserve_fds + a->listen_fds, internal, 2, err) < 0)
    return -1;
  return 0;
}

void
mrc_init_reset_signals (void)
{
  sigset_t none;
  sigemptyset (&none);
  for (int s = 1; s < NSIG; s++)
    signal (s, SIG_DFL); /* EINVAL for KILL/STOP/internal ones: ignored */
  sigprocmask (SIG_SETMASK, &none, NULL);
}

void
mrc_init_main (const struct mrc_init_args *a)
{
  mrc_error_t err = NULL;
  int sync_fd = a->sync_fd, listen_fd = a->listen_fd;
  char *exec_path = NULL, **envp = NULL;

  /* The state-dir lock belongs to the parent's verb: holding it here would
     block every later verb on this container until the init exits. */
  close (a->opts->lock_fd);
  close (a->parent_sync_fd);
  /* No PR_SET_PDEATHSIG: a parent that dies is seen as EOF on the channel
     at the next sync point (maps, GO), and a pdeathsig would race with
     the parent's normal exit right after GO. */

  if (setup (a, &sync_fd, &listen_fd, &exec_path, &envp, &err) < 0)
    {
      mrc_sync_send_error (sync_fd, &err);
      _exit (1);
    }
  if (mrc_sync_send (sync_fd, MRC_SYNC_READY, 0, NULL) < 0
      || wait_for (sync_fd, MRC_SYNC_GO, &err) < 0)
    _exit (1);
  close (sync_fd);

  int conn = mrc_barrier_wait (listen_fd, &err);
  if (conn < 0)
    _exit (1);
  close (listen_fd);
  mrc_init_reset_signals ();
  execve (exec_path, a->opts->spec->process->args, envp);
  char msg[512];
  int n = snprintf (msg, sizeof msg, "exec `%s`: %s", exec_path,
                    strerror (errno));
  if (mrc_write_all (conn, msg, (size_t) n) < 0)
    { /* start went away: nothing more to tell */ }
  _exit (127);
}
