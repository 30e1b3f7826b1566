/* The container init: its create-only rootfs step with the two hook
 * points, and what it does after its steps (src/process/steps.c): READY,
 * the wait for `start`, the user's program.  Runs in the child of clone3,
 * already inside its new namespaces. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/hooks.h"
#include "mrc/setup.h"
#include "mrc/sync.h"
#include "mrc/term.h"
#include "process-internal.h"

/* Run the hooks of KIND from inside the container, with our own state. */
static int
run_own_hooks (const struct mrc_launch *plan, enum mrc_hook_kind kind,
               enum mrc_status status, mrc_error_t *err)
{
  size_t n;
  if (mrc_hooks_of (&plan->spec->hooks, kind, &n) == NULL || n == 0)
    return 0;
  cleanup_free char *json = NULL;
  size_t len;
  if (mrc_launch_state_json (plan, getpid (), status, &json, &len, err) < 0)
    return -1;
  return mrc_hooks_run (&plan->spec->hooks, kind, json, len, err);
}

/* The hook point before pivot_root: the runtime runs prestart and
 * createRuntime (it holds the host's view), then we run createContainer
 * here, in the container's namespaces. */
static int
before_pivot (void *arg, mrc_error_t *err)
{
  struct mrc_child *c = arg;
  const struct mrc_hooks *h = &c->plan->spec->hooks;
  /* asked before createContainer too: the runtime settles the cgroup's
     device program before any hook runs, as runc sets it */
  if (h->n_prestart + h->n_create_runtime + h->n_create_container > 0
      && mrc_sync_hooks (c->sync_fd, err) < 0)
    return -1;
  /* in the container's rootfs (the bind on it), as runc runs them; the
     root switch that follows changes into it anyway */
  if (h->n_create_container > 0 && chdir (c->plan->rootfs) < 0)
    return mrc_fail_errno (err, "createContainer hooks: enter `%s`",
                           c->plan->rootfs);
  return run_own_hooks (c->plan, MRC_HOOK_CREATE_CONTAINER,
                        MRC_STATUS_CREATING, err);
}

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

/* After pivot_root, before the root goes read-only: a missing cwd is made,
 * and the pty comes from the container's own devpts, its slave bound on
 * /dev/console. */
static int
after_pivot (void *arg, mrc_error_t *err)
{
  struct mrc_child *c = arg;
  const struct mrc_process *p = c->plan->process;
  if (access (p->cwd, F_OK) < 0 && errno == ENOENT
      && make_cwd (p->cwd, err) < 0)
    return -1;
  return mrc_child_terminal (c, true, err);
}

/* Without a mount namespace of its own the container shares the host's
 * mount table, which it must not change: its root is the rootfs by chroot,
 * with the same hook points around the switch (the plan refused every
 * field that would need a mount, plan.c).  runc runs such a config too. */
static int
chroot_only (struct mrc_child *c, mrc_error_t *err)
{
  const char *rootfs = c->plan->rootfs;
  if (before_pivot (c, err) < 0)
    return -1;
  if (chdir (rootfs) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return mrc_fail_errno (err, "chroot into the rootfs `%s`", rootfs);
  return after_pivot (c, err);
}

bool
mrc_init_asks_bind_sources (const struct mrc_launch *plan)
{
  return plan->ns.has_user && (plan->ns.clone_flags & CLONE_NEWNS);
}

/* A bind's source from the runtime, when the rootfs setup mounts it: the
   lookup then sees every mount made before it, as our own would. */
static int
bind_source (void *arg, size_t index, int *fd, mrc_error_t *err)
{
  struct mrc_child *c = arg;
  return mrc_sync_bind_source (c->sync_fd, index, fd, err);
}

int
mrc_init_rootfs (struct mrc_child *c, mrc_error_t *err)
{
  if (!(c->plan->ns.own_flags & CLONE_NEWNS))
    return chroot_only (c, err);
  struct mrc_setup_points points = {
    before_pivot, after_pivot,
    mrc_init_asks_bind_sources (c->plan) ? bind_source : NULL, c
  };
  return mrc_setup_rootfs (c->plan, &points, err);
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
mrc_init_main (struct mrc_child *c, int parent_sync_fd)
{
  mrc_error_t err = NULL;
  const struct mrc_launch *plan = c->plan;

  mrc_child_begin (c, parent_sync_fd);
  /* The state-dir lock belongs to the parent's verb: holding it here would
     block every later verb on this container until the init exits. */
  close (plan->lock_fd);
  /* No PR_SET_PDEATHSIG: a parent that dies is seen as EOF on the channel
     at the next sync point (maps, GO), and a pdeathsig would race with
     the parent's normal exit right after GO. */

  if (mrc_child_run (c, NULL, NULL, &err) < 0)
    {
      mrc_sync_send_error (c->sync_fd, &err);
      _exit (1);
    }
  if (mrc_sync_ready (c->sync_fd) < 0
      || mrc_sync_wait (c->sync_fd, MRC_SYNC_GO, &err) < 0)
    _exit (1);
  close (c->sync_fd);

  int conn = mrc_barrier_wait (c->listen_fd, &err);
  if (conn < 0)
    _exit (1);
  close (c->listen_fd);
  /* startContainer hooks: in the container, after `start`, right before
     the program; a failure fails `start`. */
  if (run_own_hooks (plan, MRC_HOOK_START_CONTAINER, MRC_STATUS_CREATED, &err)
      < 0)
    start_failed (conn, &err);
  mrc_init_reset_signals ();
  execve (c->exec_path, plan->process->args, c->envp);
  mrc_error_set (&err, errno, "exec `%s`", c->exec_path);
  start_failed (conn, &err);
}
