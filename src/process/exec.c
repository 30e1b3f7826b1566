/* exec: a second process in a running container.  The pid (and time)
 * namespace only applies to children, so mini-runc joins those itself
 * before the clone; the child joins the rest (the `join` step of
 * steps.c) and is set up with the same table of steps as the init. */
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/fdpass.h"
#include "mrc/proc.h"
#include "mrc/rootless.h"
#include "mrc/security.h"
#include "mrc/sync.h"
#include "mrc/term.h"
#include "process-internal.h"

/* The child: the steps of the exec mode, READY right before execve.  The
 * runtime then takes the end of the channel (close-on-exec) as "the
 * program runs", and an end without READY as a process that died during
 * setup. */
__attribute__ ((noreturn)) static void
child_main (struct mrc_child *c, int parent_sync_fd)
{
  mrc_error_t err = NULL;
  mrc_child_begin (c, parent_sync_fd);
  if (mrc_child_run (c, NULL, NULL, &err) < 0)
    {
      mrc_sync_send_error (c->sync_fd, &err);
      _exit (255);
    }
  if (mrc_sync_ready (c->sync_fd) < 0)
    _exit (255);
  mrc_init_reset_signals ();
  execve (c->exec_path, c->plan->process->args, c->envp);
  mrc_error_set (&err, errno, "exec `%s`", c->exec_path);
  mrc_sync_send_error (c->sync_fd, &err);
  _exit (255);
}

struct exec_parent
{
  const struct mrc_launch *plan;
  struct mrc_spawned *out;
};

static int
on_fd (void *arg, enum mrc_sync_type type, int fd, const char *text,
       mrc_error_t *err)
{
  struct exec_parent *ep = arg;
  const struct mrc_launch *plan = ep->plan;
  cleanup_close int owned = fd;
  (void) text;
  if (type == MRC_SYNC_PTY_MASTER && ep->out->pty_master < 0)
    {
      ep->out->pty_master = steal_fd (&owned);
      return 0;
    }
  if (type != MRC_SYNC_SECCOMP_FD)
    return mrc_fail (err, "exec: unexpected fd message %d", (int) type);
  cleanup_free char *json = NULL;
  size_t len;
  if (mrc_launch_state_json (plan, plan->container->pid,
                             plan->container->status, &json, &len, err)
      < 0)
    return -1;
  struct mrc_notify_msg m = {
    .listener_path = mrc_security_listener_path (plan->security),
    .fd = owned, .pid = plan->container->pid, .state_json = json,
    .metadata = mrc_security_listener_metadata (plan->security),
  };
  return mrc_security_send_notify_fd (&m, err);
}

/* The helper's half: into the container's user namespace, then FLAGS'
 * (pid, time), then the child cloned as our parent's (CLONE_PARENT), its
 * pidfd sent back.  Returns 0 in the child; never returns in the helper. */
static pid_t
helper_main (const struct mrc_launch *plan, int flags, int sock)
{
  mrc_error_t err = NULL;
  char msg[32] = "";
  int pidfd = -1;
  pid_t pid = -1;
  if (mrc_pidfd_setns (plan->init_pidfd,
                       flags | (plan->ns.has_user ? CLONE_NEWUSER : 0))
      < 0)
    snprintf (msg, sizeof msg, "e%d", errno);
  else if ((pid = mrc_process_clone (CLONE_PARENT, &pidfd, plan->cgroup_fd))
           == 0)
    {
      close (sock);
      return 0;
    }
  else
    {
      if (mrc_fdpass_send (sock, pidfd, "ok", &err) < 0)
        kill (pid, SIGKILL); /* we are its parent's: it gets reaped */
      _exit (err ? 1 : 0);
    }
  /* an fd of -1 cannot travel: the failure goes as plain data */
  (void) !write (sock, msg, strlen (msg));
  _exit (1);
}

/* Without the host's root the runtime joins no pid namespace itself: an
 * unprivileged one may not (the kernel asks for CAP_SYS_ADMIN in the
 * joiner's own user namespace too), and uid 0 of a user namespace (rootless
 * podman) could join but not go back to its own, which the host does not
 * let it enter: every later child, LeakSanitizer's thread among them,
 * would then be born in the container.  The child is cloned instead by a
 * short-lived helper that joins the container's user namespace first, if
 * it has one (its owner, the runtime's uid, has every capability there),
 * then pid and time, as runc's nsexec does; with CLONE_PARENT the child is
 * still ours to wait for.  Returns as mrc_process_clone does. */
static pid_t
clone_through_userns (const struct mrc_launch *plan, int flags, int *pidfd,
                      mrc_error_t *err)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return mrc_fail_errno (err, "exec: create helper socket");
  pid_t helper = fork ();
  if (helper == 0)
    {
      close (sv[0]);
      return helper_main (plan, flags, sv[1]);
    }
  int saved = errno;
  close (sv[1]);
  char msg[32] = "";
  int r = helper < 0 ? mrc_error_set (err, saved, "exec: fork helper")
                     : mrc_fdpass_recv (sv[0], pidfd, msg, sizeof msg, err);
  close (sv[0]);
  int status = 0;
  while (helper > 0 && waitpid (helper, &status, 0) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return -1;
  if (*pidfd < 0 && (msg[0] == 'e' || msg[0] == 'c'))
    return mrc_error_set (err, atoi (msg + 1), msg[0] == 'e'
                                                   ? "exec: join the "
                                                     "container's "
                                                     "namespaces"
                                                   : "exec: clone");
  if (*pidfd < 0)
    return mrc_fail (err, "exec: the namespace helper exited (status "
                          "%d) without a process",
                     WIFEXITED (status) ? WEXITSTATUS (status) : -1);
  pid_t pid = mrc_pidfd_proc_pid (*pidfd);
  if (pid <= 0)
    {
      mrc_pidfd_send_signal (*pidfd, SIGKILL);
      mrc_closep (pidfd);
      return mrc_fail (err, "exec: find the new process in /proc");
    }
  return pid;
}

int
mrc_process_exec (const struct mrc_launch *plan, struct mrc_spawned *out,
                  mrc_error_t *err)
{
  int parent_flags = plan->ns.exec_parent_flags;
  out->pid = 0;
  out->cloned = false;
  out->pidfd = out->sync_fd = out->pty_master = -1;
  /* pid and time apply to children: joined here for the clone, then
     left again, so the rest of exec (and LeakSanitizer's helper thread in
     the sanitizer build) runs in mini-runc's own */
  cleanup_close int own_pid = open ("/proc/self/ns/pid_for_children",
                                    O_RDONLY | O_CLOEXEC);
  cleanup_close int own_time = open ("/proc/self/ns/time_for_children",
                                     O_RDONLY | O_CLOEXEC);
  bool helper = parent_flags && !mrc_host_root ();
  if (parent_flags && !helper
      && mrc_pidfd_setns (plan->init_pidfd, parent_flags) < 0)
    return mrc_fail_errno (err, "exec: join the container's pid namespace");
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return mrc_fail_errno (err, "exec: create sync socket");
  cleanup_close int parent_end = sv[0], child_end = sv[1];

  /* born in the container's cgroup: limits apply from its first page */
  pid_t pid;
  if (helper)
    pid = clone_through_userns (plan, parent_flags, &out->pidfd, err);
  else
    {
      pid = mrc_process_clone (0, &out->pidfd, plan->cgroup_fd);
      int clone_errno = errno;
      if (pid != 0 && parent_flags)
        {
          if ((parent_flags & CLONE_NEWPID) && own_pid >= 0)
            (void) !setns (own_pid, CLONE_NEWPID);
          if ((parent_flags & CLONE_NEWTIME) && own_time >= 0)
            (void) !setns (own_time, CLONE_NEWTIME);
        }
      if (pid < 0)
        return mrc_error_set (err, clone_errno, "exec: clone");
    }
  if (pid < 0)
    return -1;
  if (pid == 0)
    {
      struct mrc_child c = { .plan = plan, .sync_fd = child_end,
                             .listen_fd = -1,
                             .user_joined = helper && plan->ns.has_user };
      child_main (&c, parent_end);
    }
  out->pid = pid;
  out->cloned = true;
  out->sync_fd = steal_fd (&parent_end);
  /* our copy of the child's end must go, or its exec would never show as
     EOF here */
  close (steal_fd (&child_end));
  struct exec_parent ep = { plan, out };
  struct mrc_sync_handlers h = { &ep, NULL, on_fd, NULL };
  int r = mrc_sync_collect (out->sync_fd, &h, err);
  if (r == 0)
    r = mrc_sync_collect (out->sync_fd, &h, err) == 1 ? 2 : -1;
  close (out->sync_fd);
  out->sync_fd = -1;
  if (r == 2)
    return 0; /* READY, then the channel closed on execve */
  if (r == 1)
    mrc_fail (err, "exec: the process died during setup");
  mrc_process_abort (out);
  return -1;
}
