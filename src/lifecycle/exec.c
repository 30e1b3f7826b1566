/* exec: build the process (from --process, or from the container's own
 * config.json process with the command line's overrides, as runc does),
 * then hand it to the process layer and wait like `run`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/fault.h"
#include "mrc/container.h"
#include "mrc/fdpass.h"
#include "mrc/file.h"
#include "mrc/log.h"
#include "mrc/proc.h"
#include "mrc/process.h"
#include "mrc/security.h"
#include "mrc/statedir.h"
#include "mrc/term.h"
#include "lifecycle-internal.h"

/* A pidfd for the init, then the start time checked again, so the pid
 * cannot have been recycled in between. */
static int
open_init (const struct mrc_state *st, int *pidfd, mrc_error_t *err)
{
  int fd = mrc_pidfd_open (st->pid);
  if (fd < 0 && errno != ESRCH)
    return mrc_fail_errno (err, "exec: open init process %d", (int) st->pid);
  if (fd < 0 || !mrc_proc_alive (st->pid, st->pid_start_time))
    {
      if (fd >= 0)
        close (fd);
      return mrc_error_code (err, ESRCH, "container not running");
    }
  *pidfd = fd;
  return 0;
}

/* The config as create read it (kept in the state dir): an edited or
 * removed bundle does not change what exec runs, nor its seccomp filter. */
static int
load_config (int dir_fd, struct mrc_spec **spec, mrc_error_t *err)
{
  if (mrc_spec_load (dir_fd, MRC_SAVED_CONFIG, spec, err) < 0)
    return mrc_error_wrap (err, "exec: the container's saved config");
  return 0;
}

/* A terminal needs a console socket, or a foreground mini-runc to relay
 * it; a console socket needs a terminal. */
static int
check_terminal (const struct mrc_exec_opts *o, const struct mrc_process *p,
                int *console_fd, mrc_error_t *err)
{
  if (p->terminal && o->console_socket == NULL && o->detach)
    return mrc_fail (err, "exec: a terminal with --detach needs "
                          "--console-socket");
  if (o->console_socket && !p->terminal)
    return mrc_fail (err, "exec: --console-socket was given but the process "
                          "has no terminal (use -t)");
  if (o->console_socket
      && mrc_fdpass_connect (o->console_socket, console_fd, err) < 0)
    return mrc_error_wrap (err, "exec: --console-socket");
  return 0;
}

/* The cgroups the process joins: the init's, or the sub-cgroups of them
 * --cgroup names (they must exist: exec makes none, as runc).  cgroup2 at
 * the clone, v1 by the child itself before anything else
 * (process/exec.c), so a missing one fails here, before anything runs. */
static int
open_cgroup (const struct mrc_exec_opts *o, const struct mrc_state *st,
             struct mrc_cgroup *cg, struct mrc_cgroup_procs *procs,
             mrc_error_t *err)
{
  struct mrc_cgroup own = mrc_state_cgroup (st);
  if (mrc_cgroup_sub (&own, o->cgroups, cg, err) < 0)
    return mrc_error_wrap (err, "exec");
  if (mrc_cgroup_open_fd (cg, err) == 0
      && mrc_cgroup_procs_open (cg, procs, err) == 0)
    return 0;
  if (o->cgroups == NULL)
    return mrc_error_wrap (err, "exec: the container's cgroup");
  bool one = o->cgroups[0] && o->cgroups[1] == NULL;
  return mrc_error_wrap (err, "exec: --cgroup%s%s%s", one ? " `" : "",
                         one ? o->cgroups[0] : "", one ? "`" : "");
}

static int run_prepared (const struct mrc_exec_opts *o,
                         const struct mrc_launch *plan, pid_t *warm,
                         int *status, mrc_error_t *err);

static int
launch (const char *root, const struct mrc_exec_opts *o,
        const struct mrc_state *st, const struct mrc_spec *spec,
        struct mrc_process *p, pid_t *warm, int *status, mrc_error_t *err)
{
  cleanup_close int pidfd = -1, console_fd = -1;
  if (check_terminal (o, p, &console_fd, err) < 0)
    return -1;
  cleanup_cgroup struct mrc_cgroup cg = MRC_CGROUP_INIT;
  cleanup_cgroup_procs struct mrc_cgroup_procs procs = MRC_CGROUP_PROCS_INIT;
  if (open_cgroup (o, st, &cg, &procs, err) < 0)
    return -1;
  if (open_init (st, &pidfd, err) < 0)
    return -1;
  struct mrc_launch plan = {
    .mode = MRC_LAUNCH_EXEC, .flags = o->launch, .id = st->id, .spec = spec,
    .process = p, .bundle = st->bundle, .rootfs = st->rootfs, .root = root,
    .state_fd = -1, .lock_fd = -1, .console_fd = console_fd,
    .inherited_fds = o->inherited_fds, .cgroup_fd = cg.fd,
    .cgroup_procs = procs.n ? &procs : NULL, .container = st,
    .init_pidfd = pidfd,
  };
  /* the container's, as runc keeps it in its config */
  plan.flags.no_new_keyring = st->no_new_keyring;
  if (mrc_launch_prepare (&plan, err) < 0)
    return -1;
  int r = run_prepared (o, &plan, warm, status, err);
  mrc_launch_release (&plan);
  return r;
}

/* The process runs from PLAN; in the foreground, wait for it. */
static int
run_prepared (const struct mrc_exec_opts *o, const struct mrc_launch *plan,
              pid_t *warm, int *status, mrc_error_t *err)
{
  const struct mrc_state *st = plan->container;
  const struct mrc_process *p = plan->process;
  sigset_t set;
  mrc_wait_signal_set (&set);
  if (!o->detach && sigprocmask (SIG_BLOCK, &set, NULL) < 0)
    return mrc_fail_errno (err, "exec: block signals");
  if (!o->detach)
    signal (SIGPIPE, SIG_IGN); /* our closed stdout is not the process's */
  struct mrc_spawned s;
  mrc_debug ("exec: in container `%s` (init pid %d): `%s`", st->id,
             (int) st->pid, p->args && p->args[0] ? p->args[0] : "");
  mrc_fault (NULL, "exec:prepared");
  int launched = mrc_process_exec (plan, &s, err);
  if (launched == 0)
    mrc_fault (NULL, "exec:launched");
  if (launched == 0)
    mrc_debug ("exec: pid %d runs", (int) s.pid);
  /* joined (or failed): the head start has done its work */
  mrc_cgroup_warm_end (*warm);
  *warm = 0;
  if (launched < 0)
    return -1;
  if (o->pid_file && mrc_write_pid_file (o->pid_file, s.pid, err) < 0)
    {
      mrc_process_abort (&s);
      return -1;
    }
  int r = 0;
  *status = 0;
  cleanup_relay struct mrc_relay *relay = NULL;
  if (!o->detach && s.pty_master >= 0)
    r = mrc_relay_new (steal_fd (&s.pty_master), &relay, err);
  if (r == 0 && !o->detach)
    r = mrc_wait_foreground (&s, &set, relay, status, err);
  mrc_relay_finish (steal_ptr (&relay));
  if (s.pty_master >= 0)
    close (s.pty_master);
  if (s.pidfd >= 0)
    close (s.pidfd);
  return r;
}

static int exec_steps (const struct mrc_globals *g,
                       const struct mrc_exec_opts *o, pid_t *warm,
                       int *status, mrc_error_t *err);

int
mrc_container_exec (const struct mrc_globals *g, const struct mrc_exec_opts *o,
                    int *status, mrc_error_t *err)
{
  /* the exec'd process moves into the v1 groups too: its grace period
     starts now (src/cgroup/warm.c) */
  pid_t warm = mrc_cgroup_warm_start ();
  int r = exec_steps (g, o, &warm, status, err);
  mrc_cgroup_warm_end (warm);
  return r;
}

static int
exec_steps (const struct mrc_globals *g, const struct mrc_exec_opts *o,
            pid_t *warm, int *status, mrc_error_t *err)
{
  cleanup_close int root_fd = -1, dir_fd = -1;
  struct mrc_state st = { 0 };
  cleanup_process struct mrc_process *p = NULL;
  cleanup_spec struct mrc_spec *spec = NULL;
  int r = mrc_container_open (g->root, o->id, 0, &root_fd, &dir_fd, &st,
                              err);
  if (r == 0)
    r = mrc_status_allows (o->ignore_paused ? MRC_VERB_EXEC_IGNORE_PAUSED
                                             : MRC_VERB_EXEC,
                           &st, err);
  if (r == 0)
    r = load_config (dir_fd, &spec, err);
  if (r == 0)
    r = mrc_exec_build_process (o, spec, &p, err);
  /* The lock only guards reading the state: delete may go on while the
     process runs (it then kills it with the rest of the container). */
  if (dir_fd >= 0)
    {
      close (dir_fd);
      dir_fd = -1;
    }
  if (r == 0)
    r = launch (g->root, o, &st, spec, p, warm, status, err);
  mrc_state_clear (&st);
  return r;
}
