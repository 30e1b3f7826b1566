/* Parent side of `create`: plan namespaces, clone3, map ids, collect the
 * child's messages until READY.  See sync.h for the protocol. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/hooks.h"
#include "mrc/log.h"
#include "mrc/net.h"
#include "mrc/proc.h"
#include "mrc/security.h"
#include "mrc/setup.h"
#include "mrc/sync.h"
#include "process-internal.h"

static int
child_failed (struct mrc_spawned *s, mrc_error_t *err)
{
  int status = 0;
  pid_t r;
  do
    r = waitpid (s->pid, &status, 0);
  while (r < 0 && errno == EINTR);
  s->pid = 0;
  if (r > 0 && WIFSIGNALED (status))
    return mrc_fail (err, "container init was killed by signal %d during "
                          "setup",
                     WTERMSIG (status));
  return mrc_fail (err, "container init exited during setup");
}

/* With namespaces to enter (ns.c says why the runtime may not enter them
 * itself), a helper process enters them and clones the init with
 * CLONE_PARENT, so the init is still the runtime's child.  Right after the
 * clone the helper sends the init's pidfd (the one clone3 made, so it can
 * name no other process) and pid over a SEQPACKET pair, or why it could
 * not, and exits. */
static pid_t
clone_via_helper (struct mrc_child *c, int parent_sync_fd, int *pidfd,
                  mrc_error_t *err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return mrc_fail_errno (err, "create namespace helper socket");
  pid_t helper = fork ();
  if (helper == 0)
    {
      mrc_error_t e = NULL;
      int fd = -1;
      close (sv[0]);
      const struct mrc_launch *plan = c->plan;
      if (mrc_ns_enter (plan->spec, &plan->ns, &e) == 0)
        {
          pid_t pid = mrc_process_clone (plan->ns.clone_flags | CLONE_PARENT, &fd,
                                plan->cgroup_fd);
          if (pid == 0)
            {
              close (sv[1]);
              mrc_init_main (c, parent_sync_fd);
            }
          if (pid > 0)
            _exit (mrc_sync_cloned (sv[1], fd, pid) < 0);
          mrc_error_set (&e, errno, "clone container init");
        }
      mrc_sync_send_error (sv[1], &e);
      _exit (1);
    }
  int saved = errno;
  close (sv[1]);
  if (helper < 0)
    {
      close (sv[0]);
      return mrc_error_set (err, saved, "fork namespace helper");
    }
  struct mrc_sync_msg msg;
  int r = mrc_sync_recv (sv[0], &msg, pidfd);
  close (sv[0]);
  while (waitpid (helper, NULL, 0) < 0 && errno == EINTR)
    ;
  if (r == 0 && msg.type == MRC_SYNC_READY && *pidfd >= 0)
    return (pid_t) atoi (msg.text);
  if (*pidfd >= 0)
    close (*pidfd);
  *pidfd = -1;
  if (r == 0 && msg.type == MRC_SYNC_ERROR)
    return mrc_error_code (err, msg.value, "%s", msg.text);
  return mrc_fail (err, "the namespace helper died before the clone");
}

static int
start_child (const struct mrc_launch *plan, struct mrc_spawned *out,
             mrc_error_t *err)
{
  int sv[2];
  cleanup_close int listen_fd = -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return mrc_fail_errno (err, "create sync socket");
  cleanup_close int parent_end = sv[0], child_end = sv[1];
  if (mrc_barrier_listen (plan->state_fd, &listen_fd, err) < 0)
    return -1;

  struct mrc_child c = { .plan = plan, .sync_fd = child_end,
                         .listen_fd = listen_fd };
  int pidfd = -1;
  pid_t pid;
  int saved[MRC_N_NAMESPACES];
  bool here = plan->ns.enter && mrc_ns_enter_reversible (&plan->ns);
  if (here && mrc_ns_enter_saved (plan->spec, &plan->ns, saved, err) < 0)
    return -1;
  if (plan->ns.enter && !here)
    pid = clone_via_helper (&c, parent_end, &pidfd, err);
  else if ((pid = mrc_process_clone (plan->ns.clone_flags, &pidfd,
                                     plan->cgroup_fd))
           == 0)
    {
      /* the init holds no handle on the runtime's namespaces, nor on the
         joined ones (it would pin a pod's until it execs) */
      for (size_t t = 0; here && t < MRC_N_NAMESPACES; t++)
        {
          if (saved[t] >= 0)
            close (saved[t]);
          if (plan->ns.join[t] >= 0)
            close (plan->ns.join[t]);
        }
      mrc_init_main (&c, parent_end);
    }
  else if (pid < 0)
    mrc_fail_errno (err, "clone container init");
  /* the runtime's own namespaces again before anything else: a runtime
     that cannot go back must not go on (hooks, cleanup run in them) */
  mrc_error_t back = NULL;
  if (here && mrc_ns_return (saved, &back) < 0)
    {
      if (pid > 0)
        {
          mrc_pidfd_send_signal (pidfd, SIGKILL);
          while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
            ;
          close (pidfd);
        }
      mrc_error_free (err);
      *err = back;
      return -1;
    }
  if (pid < 0)
    return -1;

  out->pid = pid;
  out->cloned = true;
  out->pty_master = -1;
  out->pidfd = pidfd;
  out->sync_fd = steal_fd (&parent_end);
  return 0;
}

/* What the parent does for the child's requests during setup. */
struct spawn_ctx
{
  const struct mrc_launch *plan;
  struct mrc_spawned *out;
  bool settled;
};

/* The lifecycle's work due before any hook and before READY, once. */
static int
settle (struct spawn_ctx *c, mrc_error_t *err)
{
  const struct mrc_launch_around *a = &c->plan->around;
  if (c->settled || a->settle == NULL)
    return 0;
  c->settled = true;
  return a->settle (a->arg, err);
}

/* prestart (deprecated, kept for old callers) and createRuntime run here,
 * in the runtime's namespaces, while the child waits before pivot_root. */
static int
on_hooks (void *arg, mrc_error_t *err)
{
  struct spawn_ctx *c = arg;
  cleanup_free char *json = NULL;
  size_t len;
  const struct mrc_hooks *h = &c->plan->spec->hooks;
  if (settle (c, err) < 0)
    return -1;
  /* the init also asks before createContainer hooks of its own */
  if (h->n_prestart + h->n_create_runtime == 0)
    return 0;
  if (mrc_launch_state_json (c->plan, c->out->pid, MRC_STATUS_CREATING, &json,
                             &len, err)
      < 0)
    return -1;
  if (mrc_hooks_run (h, MRC_HOOK_PRESTART, json, len, err) < 0
      || mrc_hooks_run (h, MRC_HOOK_CREATE_RUNTIME, json, len, err) < 0)
    return -1;
  return 0;
}

/* The seccomp notify listener goes to linux.seccomp.listenerPath with the
 * state, as the runtime-spec describes. */
static int
on_fd (void *arg, enum mrc_sync_type type, int fd, const char *text,
       mrc_error_t *err)
{
  struct spawn_ctx *c = arg;
  cleanup_close int owned = fd;
  (void) text;
  if (type == MRC_SYNC_PTY_MASTER && c->out->pty_master < 0)
    {
      c->out->pty_master = steal_fd (&owned);
      return 0;
    }
  if (type != MRC_SYNC_SECCOMP_FD)
    return mrc_fail (err, "unexpected fd message %d from container init",
                     (int) type);
  cleanup_free char *json = NULL;
  size_t len;
  if (mrc_launch_state_json (c->plan, c->out->pid, MRC_STATUS_CREATING, &json,
                             &len, err)
      < 0)
    return -1;
  struct mrc_notify_msg m = {
    .listener_path = mrc_security_listener_path (c->plan->security),
    .fd = owned, .pid = c->out->pid, .state_json = json,
    .metadata = mrc_security_listener_metadata (c->plan->security),
  };
  return mrc_security_send_notify_fd (&m, err);
}

/* A bind source the init in a user namespace may not reach itself,
 * opened through its root (src/setup/bind-source.c); only for the inits
 * that ask (mrc_init_asks_bind_sources), for a bind of mounts[]. */
static int
on_bind_source (void *arg, size_t index, int *fd, mrc_error_t *err)
{
  struct spawn_ctx *c = arg;
  const struct mrc_spec *spec = c->plan->spec;
  if (!mrc_init_asks_bind_sources (c->plan) || index >= spec->n_mounts)
    return mrc_fail (err, "unexpected bind source request %zu from "
                          "container init", index);
  pid_t proc_pid = mrc_pidfd_proc_pid (c->out->pidfd);
  if (proc_pid <= 0)
    return mrc_fail_errno (err, "find the container init in /proc");
  const struct mrc_mount *m = &spec->mounts[index];
  if (mrc_setup_mount_idmapped (m))
    return mrc_setup_runtime_idmap_tree (proc_pid, spec, c->plan->bundle, m,
                                         fd, err);
  return mrc_setup_runtime_bind_source (proc_pid, c->plan->bundle, m, fd,
                                        err);
}

/* For a child in a user namespace: the maps of a new one, and rlimits
 * from outside, since inside the child can no longer raise a hard limit. */
static int
map_ids (const struct mrc_launch *plan, struct mrc_spawned *out,
         mrc_error_t *err)
{
  const struct mrc_linux *l = plan->spec->linux_;
  bool new_user = plan->ns.new_user;
  /* /proc/PID/{u,g}id_map: the pid /proc knows it by */
  pid_t proc_pid = new_user ? mrc_pidfd_proc_pid (out->pidfd) : 0;
  if (new_user && proc_pid <= 0)
    return mrc_fail_errno (err, "find the container init in /proc");
  if (mrc_security_set_rlimits (plan->security, out->pid, err) < 0
      || (new_user && l
          && mrc_setup_write_id_maps (proc_pid, l->uid_mappings,
                                      l->n_uid_mappings, l->gid_mappings,
                                      l->n_gid_mappings, err) < 0))
    return -1;
  if (mrc_sync_maps_done (out->sync_fd) < 0)
    return mrc_fail_errno (err, "signal container init");
  return 0;
}

int
mrc_process_spawn (const struct mrc_launch *plan, struct mrc_spawned *out,
                   mrc_error_t *err)
{
  out->pid = 0;
  out->cloned = false;
  out->pidfd = out->sync_fd = out->pty_master = -1;
  if (start_child (plan, out, err) < 0)
    return -1;
  struct spawn_ctx ctx = { plan, out, false };
  struct mrc_sync_handlers h = { &ctx, on_hooks, on_fd, on_bind_source };
  int r = plan->ns.has_user ? map_ids (plan, out, err) : 0;
  /* host devices into the container's network namespace, from ours (we
     are back in the runtime's namespaces), before the program can run */
  const struct mrc_linux *l = plan->spec->linux_;
  if (r == 0 && l && l->n_net_devices > 0)
    r = mrc_net_move_devices (plan->spec, out->pid, err);
  if (r == 0 && plan->around.during)
    r = plan->around.during (plan->around.arg, err);
  if (r == 0)
    r = mrc_sync_collect (out->sync_fd, &h, err);
  if (r == 0)
    r = settle (&ctx, err);
  if (r != 0)
    {
      if (r == 1)
        child_failed (out, err);
      mrc_process_abort (out);
      return -1;
    }
  return 0;
}

int
mrc_process_go (struct mrc_spawned *s, mrc_error_t *err)
{
  int r = mrc_sync_go (s->sync_fd);
  int saved = errno;
  close (s->sync_fd);
  s->sync_fd = -1;
  if (r < 0)
    return mrc_error_set (err, saved, "release container init");
  return 0;
}

void
mrc_process_abort (struct mrc_spawned *s)
{
  if (s->pid > 0)
    {
      if (s->pidfd >= 0)
        mrc_pidfd_send_signal (s->pidfd, SIGKILL);
      else
        kill (s->pid, SIGKILL);
      while (waitpid (s->pid, NULL, 0) < 0 && errno == EINTR)
        ;
      s->pid = 0;
    }
  if (s->sync_fd >= 0)
    close (s->sync_fd);
  if (s->pidfd >= 0)
    close (s->pidfd);
  if (s->pty_master >= 0)
    close (s->pty_master);
  s->sync_fd = s->pidfd = s->pty_master = -1;
}
