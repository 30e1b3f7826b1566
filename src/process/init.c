/* The container init's setup sequence, in the one order that works.
 * Runs in the child of clone3, already inside its new namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/fdpass.h"
#include "mrc/file.h"
#include "mrc/hooks.h"
#include "mrc/net.h"
#include "mrc/security.h"
#include "mrc/setup.h"
#include "mrc/sync.h"
#include "mrc/term.h"
#include "init.h"

static int
wait_for (int fd, enum mrc_sync_type want, mrc_error_t *err)
{
  struct mrc_sync_msg msg;
  int r = mrc_sync_recv (fd, &msg, NULL);
  if (r < 0)
    return mrc_fail_errno (err, "read from the runtime");
  if (r == 1)
    return mrc_fail (err, "the runtime went away during setup");
  if (msg.type != (uint32_t) want)
    return mrc_fail (err, "unexpected message %u from the runtime", msg.type);
  return 0;
}

/* Run the hooks of KIND from inside the container, with our own state. */
static int
run_own_hooks (const struct mrc_init_args *a, enum mrc_hook_kind kind,
               enum mrc_status status, mrc_error_t *err)
{
  size_t n;
  if (mrc_hooks_of (&a->opts->spec->hooks, kind, &n) == NULL || n == 0)
    return 0;
  cleanup_free char *json = NULL;
  size_t len;
  if (mrc_process_state_json (a->opts, getpid (), status, &json, &len, err) < 0)
    return -1;
  return mrc_hooks_run (&a->opts->spec->hooks, kind, json, len, err);
}

struct pivot_arg
{
  const struct mrc_init_args *a;
  int sync_fd;
};

/* The hook point before pivot_root: the runtime runs prestart and
 * createRuntime (it holds the host's view), then we run createContainer
 * here, in the container's namespaces. */
static int
before_pivot (void *arg, mrc_error_t *err)
{
  struct pivot_arg *pa = arg;
  const struct mrc_hooks *h = &pa->a->opts->spec->hooks;
  if (h->n_prestart + h->n_create_runtime > 0
      && (mrc_sync_send (pa->sync_fd, MRC_SYNC_HOOKS, 0, NULL) < 0
          || wait_for (pa->sync_fd, MRC_SYNC_HOOKS_DONE, err) < 0))
    return *err ? -1 : mrc_fail_errno (err, "ask the runtime for hooks");
  /* in the container's rootfs (the bind on it), as runc runs them; the
     root switch that follows changes into it anyway */
  if (pa->a->opts->spec->hooks.n_create_container > 0
      && chdir (pa->a->opts->rootfs) < 0)
    return mrc_fail_errno (err, "createContainer hooks: enter `%s`",
                           pa->a->opts->rootfs);
  return run_own_hooks (pa->a, MRC_HOOK_CREATE_CONTAINER,
                        MRC_STATUS_CREATING, err);
}

/* Send a terminal's master to the caller's console socket, or back to the
 * foreground mini-runc over the channel when there is none. */
int
mrc_init_send_master (int console_fd, int sync_fd, int master,
                      const char *name, mrc_error_t *err)
{
  if (console_fd >= 0)
    return mrc_fdpass_send (console_fd, master, name, err);
  if (mrc_sync_send_fd (sync_fd, MRC_SYNC_PTY_MASTER, master, name) < 0)
    return mrc_fail_errno (err, "send the terminal to the runtime");
  return 0;
}

/* After pivot_root, before the root goes read-only: the pty comes from
 * the container's own devpts and its slave is bound on /dev/console. */
/* process.cwd made when it is missing, as runc makes it: inside the new
 * root (nothing resolves outside it any more), as its root, while the
 * root may still be written. */
static int
make_cwd (const char *cwd, mrc_error_t *err)
{
  cleanup_free char *path = strdup (cwd);
  if (path == NULL)
    return mrc_fail_errno (err, "process.cwd `%s`", cwd);
  for (char *p = path + 1;; p++)
    {
      bool last = *p == '\0';
      if (*p != '/' && !last)
        continue;
      *p = '\0';
      if (*path && mkdir (path, 0755) < 0 && errno != EEXIST)
        return mrc_fail_errno (err, "create process.cwd `%s`", path);
      if (last)
        return 0;
      *p = '/';
    }
}

static int
after_pivot (void *arg, mrc_error_t *err)
{
  struct pivot_arg *pa = arg;
  const struct mrc_process *p = pa->a->opts->spec->process;
  if (access (p->cwd, F_OK) < 0 && errno == ENOENT
      && make_cwd (p->cwd, err) < 0)
    return -1;
  if (!p->terminal)
    return 0;
  int master;
  cleanup_free char *name = NULL;
  if (mrc_term_setup_child (p, &master, &name, err) < 0)
    return -1;
  int r = mrc_init_send_master (pa->a->opts->console_fd, pa->sync_fd, master,
                                name, err);
  close (master);
  return r;
}

/* The security steps around the user switch (BEFORE: the seccomp filter
 * of a process without no_new_privs, which needs root's CAP_SYS_ADMIN;
 * after: capabilities, no_new_privs, the filter of one with it), sending
 * a seccomp notify fd to the runtime over SYNC_FD. */
int
mrc_init_security (const struct mrc_security *sec, int sync_fd, bool before,
                   mrc_error_t *err)
{
  int notify_fd = -1;
  int r = before ? mrc_security_apply_before_user (sec, &notify_fd, err)
                 : mrc_security_apply_final (sec, &notify_fd, err);
  if (r < 0 || notify_fd < 0)
    return r;
  r = mrc_sync_send_fd (sync_fd, MRC_SYNC_SECCOMP_FD, notify_fd, NULL);
  close (notify_fd);
  if (r < 0)
    return mrc_fail_errno (err, "send the seccomp listener");
  return 0;
}

/* Steps 1-4: identity, session and the privileged process attributes. */
static int
setup_process (const struct mrc_init_args *a, int sync_fd, mrc_error_t *err)
{
  const struct mrc_spawn_opts *o = a->opts;
  /* 0. Into the container's cgroup of every cgroup v1 hierarchy before
     anything else runs (cgroup2 placed us at the clone, CLONE_INTO_CGROUP),
     so not one page or fork of the container is accounted elsewhere.
     Through cgroup.procs files the runtime opened, with the credentials of
     the clone (a new user namespace does not change them), and before the
     cgroup namespace (1b), so that it is rooted at the container's cgroup
     in these hierarchies too. */
  if (o->cgroup_procs && mrc_cgroup_procs_join (o->cgroup_procs, err) < 0)
    return -1;
  /* 1. A new user namespace has no mappings until the parent writes them
     (nor rlimits, in a new or joined one: see spawn.c); until then we are
     nobody, so nothing else can happen first.  Then root of it: the
     host's root ids mean nothing inside. */
  if (a->wait_for_maps)
    {
      if (wait_for (sync_fd, MRC_SYNC_MAPS_DONE, err) < 0)
        return -1;
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return mrc_fail_errno (err, "become root in the user namespace");
    }
  /* 1b. The cgroup namespace now that we are in the container's cgroup
     (see ns.c), so the container sees its cgroup as `/`. */
  if (a->new_cgroup_ns && unshare (CLONE_NEWCGROUP) < 0)
    return mrc_fail_errno (err, "create cgroup namespace");
  /* 2. Not dumpable while we hold host resources (CVE-2019-5736): after
     the maps, which a parent cannot write for a non-dumpable child. */
  if (mrc_security_protect_self (err) < 0)
    return -1;
  /* 3. Our own session, so the caller's terminal signals (Ctrl-C to the
     caller's process group) reach the container only through mini-runc. */
  if (setsid () < 0)
    return mrc_fail_errno (err, "setsid");
  /* 4. A fresh session keyring, unless --no-new-keyring: the caller's
     keyring must not be reachable from the container. */
  if (!o->no_new_keyring
      && syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0
      && errno != ENOSYS && errno != EPERM)
    return mrc_fail_errno (err, "create session keyring");
  /* 5. rlimits, oom_score_adj, scheduling and the bounding set need root
     in the container and the host's /proc, so before the rootfs; dropping
     the bounding set leaves the effective set the mounts need. */
  return mrc_security_apply_root (o->security, err);
}

/* Everything up to READY.  Each step says why it stands where it does. */
static int
setup (const struct mrc_init_args *a, int *sync_fd, int *listen_fd,
       char **exec_path, char ***envp, mrc_error_t *err)
{
  const struct mrc_spawn_opts *o = a->opts;
  const struct mrc_spec *spec = o->spec;
  const struct mrc_process *p = spec->process;

  if (setup_process (a, *sync_fd, err) < 0)
    return -1;
  /* 5b. A network namespace of our own starts with lo down: bring it up
     so localhost works, as runc does. */
  if (a->fresh_net_ns && mrc_net_loopback_up (err) < 0)
    return -1;
  /* 6. Hostname before the rootfs: it needs nothing from the filesystem. */
  if (mrc_setup_hostname (spec, err) < 0)
    return -1;
  /* 7. The root filesystem, mounts, /dev and pivot_root: needs root in the
     container's user namespace, so before the user switch. */
  struct pivot_arg pa = { a, *sync_fd };
  struct mrc_setup_ctx ctx = {
    .spec = spec, .bundle = o->bundle, .rootfs = o->rootfs,
    .no_pivot = o->no_pivot, .new_user_ns = a->has_user_ns,
    .new_pid_ns = a->new_pid_ns, .new_net_ns = a->new_net_ns,
    .new_cgroup_ns = a->new_cgroup_ns, .new_mount_ns = true,
    .new_ipc_ns = a->new_ipc_ns, .new_uts_ns = a->new_uts_ns,
    .state_dir = o->state_dir, .cgroup_dir = o->cgroup_dir,
    .cgroup_v1 = o->cgroup_v1, .n_cgroup_v1 = o->n_cgroup_v1,
    .idmap_trees = o->idmap_trees,
    .before_pivot = before_pivot, .after_pivot = after_pivot,
    .hook_arg = &pa,
  };
  if (mrc_setup_rootfs (&ctx, err) < 0)
    return -1;
  if (o->console_fd >= 0)
    close (o->console_fd); /* the master went through it: done */
  /* 8. The environment reads the container's /etc/passwd: after pivot. */
  *envp = mrc_init_environ (p, a->listen_fds);
  if (*envp == NULL)
    return mrc_fail_errno (err, "build the environment");
  /* 9. The user switch, then the cwd as that user (as runc does): a cwd
     the user may not enter fails here, not in the user's program; and a
     cwd that resolves outside the root is refused (CVE-2024-21626).
     Without no_new_privs the seccomp filter must precede the switch. */
  if (mrc_init_security (o->security, *sync_fd, true, err) < 0
      || mrc_init_user (p, a->has_user_ns, err) < 0)
    return -1;
  if (chdir (p->cwd) < 0)
    return mrc_fail_errno (err, "change to process.cwd `%s`", p->cwd);
  if (mrc_security_check_cwd (err) < 0)
    return -1;
  /* 10. The executable is looked up now, as the user, so a missing binary
     fails `create` (callers map that error to 127), not `start`. */
  if (mrc_init_find_exec (p->args[0], *envp, exec_path, err) < 0)
    return -1;
  /* 11. fds: nothing below opens another one we would leak. */
  int *internal[] = { sync_fd, listen_fd };
  if (mrc_init_fds (3 + o->preserve_fds + a->listen_fds, internal, 2, err) < 0)
    return -1;
  /* 12. Capabilities, no_new_privs and the seccomp filter last, so the
     fewest runtime syscalls run under the filter; still before READY, so a
     bad filter fails `create` and the notify fd can reach the runtime. */
  return mrc_init_security (o->security, *sync_fd, false, err);
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

/* Tell `start` why the program did not run, then give up. */
__attribute__ ((noreturn)) static void
start_failed (int conn, mrc_error_t *err)
{
  const char *m = (*err && (*err)->msg) ? (*err)->msg : "unknown error";
  if (mrc_write_all (conn, m, strlen (m)) < 0)
    { /* start went away: nothing more to tell */ }
  _exit (127);
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
  /* startContainer hooks: in the container, after `start`, right before
     the program; a failure fails `start`. */
  if (run_own_hooks (a, MRC_HOOK_START_CONTAINER, MRC_STATUS_CREATED, &err) < 0)
    start_failed (conn, &err);
  mrc_init_reset_signals ();
  execve (exec_path, a->opts->spec->process->args, envp);
  mrc_error_set (&err, errno, "exec `%s`", exec_path);
  start_failed (conn, &err);
}
