/* exec: a second process in a running container.  The pid (and time)
 * namespace only applies to children, so mini-runc joins those itself
 * before the clone; the child joins the rest through the init's pidfd in
 * one atomic setns(2), which also gets the order right when the container
 * has its own user namespace.  From there the child is set up with the
 * same steps as the init. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/security.h"
#include "mrc/sync.h"
#include "mrc/term.h"
#include "init.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct
{
  const char *proc_name;
  int flag;
  bool for_children; /* joined by the parent before the clone */
} ns_table[] = {
  { "pid", CLONE_NEWPID, true },     { "time", CLONE_NEWTIME, true },
  { "user", CLONE_NEWUSER, false },  { "mnt", CLONE_NEWNS, false },
  { "net", CLONE_NEWNET, false },    { "ipc", CLONE_NEWIPC, false },
  { "uts", CLONE_NEWUTS, false },    { "cgroup", CLONE_NEWCGROUP, false },
};

/* Which of the init's namespaces differ from ours. */
static int
ns_flags (pid_t pid, int *parent_flags, int *child_flags, mrc_error_t *err)
{
  *parent_flags = *child_flags = 0;
  for (size_t i = 0; i < sizeof ns_table / sizeof ns_table[0]; i++)
    {
      char path[64];
      struct stat theirs, ours;
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid,
                ns_table[i].proc_name);
      if (stat (path, &theirs) < 0)
        {
          if (errno == ENOENT)
            continue; /* a kernel without this namespace type */
          return mrc_fail_errno (err, "exec: read `%s`", path);
        }
      snprintf (path, sizeof path, "/proc/self/ns/%s", ns_table[i].proc_name);
      if (stat (path, &ours) < 0)
        return mrc_fail_errno (err, "exec: read `%s`", path);
      if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev)
        continue;
      if (ns_table[i].for_children)
        *parent_flags |= ns_table[i].flag;
      else
        *child_flags |= ns_table[i].flag;
    }
  return 0;
}

struct exec_child
{
  const struct mrc_exec_spawn *e;
  int flags;
  int sync_fd;
};

static int
child_setup (struct exec_child *c, char **exec_path, char ***envp,
             mrc_error_t *err)
{
  const struct mrc_process *p = c->e->process;
  /* Into the container's v1 cgroups first, as the init (init.c, step 0),
     before joining any namespace. */
  if (c->e->cgroup_procs
      && mrc_cgroup_procs_join (c->e->cgroup_procs, err) < 0)
    return mrc_error_wrap (err, "exec");
  /* Not dumpable while we hold host fds: processes of the container must
     not ptrace us or open /proc/<pid>/fd or exe before execve resets this
     (CVE-2019-5736, CVE-2016-9962). */
  if (mrc_security_protect_self (err) < 0)
    return -1;
  if (c->flags && setns (c->e->init_pidfd, c->flags) < 0)
    return mrc_fail_errno (err, "exec: join the container's namespaces");
  /* Own session: the caller's terminal signals reach the process only
     through mini-runc's forwarding, as for the init. */
  if (setsid () < 0)
    return mrc_fail_errno (err, "exec: setsid");
  /* The terminal from the container's devpts, before the user switch
     (the slave is handed to the user); /dev/console stays the init's. */
  if (p->terminal)
    {
      int master;
      cleanup_free char *name = NULL;
      if (mrc_term_setup_exec (p, &master, &name, err) < 0)
        return -1;
      int r = mrc_init_send_master (c->e->console_fd, c->sync_fd, master,
                                    name, err);
      close (master);
      if (r < 0)
        return -1;
    }
  if (c->e->console_fd >= 0)
    close (c->e->console_fd);
  /* rlimits, scheduling, the bounding set: as root, as for the init */
  if (mrc_security_apply_root (c->e->security, err) < 0)
    return -1;
  *envp = mrc_init_environ (p, 0);
  if (*envp == NULL)
    return mrc_fail_errno (err, "exec: build the environment");
  /* as for the init: without no_new_privs the filter precedes the switch */
  if (mrc_init_security (c->e->security, c->sync_fd, true, err) < 0
      || mrc_init_user (p, c->flags & CLONE_NEWUSER, err) < 0)
    return -1;
  if (chdir (p->cwd) < 0)
    return mrc_fail_errno (err, "exec: change to cwd `%s`", p->cwd);
  /* --cwd /proc/self/fd/N must not lead outside the root (CVE-2024-21626) */
  if (mrc_security_check_cwd (err) < 0
      || mrc_init_find_exec (p->args[0], *envp, exec_path, err) < 0)
    return -1;
  int *internal[] = { &c->sync_fd };
  if (mrc_init_fds (3 + c->e->preserve_fds, internal, 1, err) < 0)
    return -1;
  /* caps, no_new_privs, seccomp last, as for the init */
  return mrc_init_security (c->e->security, c->sync_fd, false, err);
}

__attribute__ ((noreturn)) static void
child_main (struct exec_child *c)
{
  mrc_error_t err = NULL;
  char *exec_path = NULL, **envp = NULL;
  if (child_setup (c, &exec_path, &envp, &err) < 0)
    {
      mrc_sync_send_error (c->sync_fd, &err);
      _exit (255);
    }
  /* READY right before execve: the runtime then takes the end of the
     channel (close-on-exec) as "the program runs", and an end without
     READY as a process that died during setup. */
  if (mrc_sync_send (c->sync_fd, MRC_SYNC_READY, 0, NULL) < 0)
    _exit (255);
  mrc_init_reset_signals ();
  execve (exec_path, c->e->process->args, envp);
  mrc_error_set (&err, errno, "exec `%s`", exec_path);
  mrc_sync_send_error (c->sync_fd, &err);
  _exit (255);
}

struct exec_parent
{
  const struct mrc_exec_spawn *e;
  struct mrc_spawned *out;
};

static int
on_fd (void *arg, enum mrc_sync_type type, int fd, const char *text,
       mrc_error_t *err)
{
  struct exec_parent *ep = arg;
  const struct mrc_exec_spawn *e = ep->e;
  cleanup_close int owned = fd;
  (void) text;
  if (type == MRC_SYNC_PTY_MASTER && ep->out->pty_master < 0)
    {
      ep->out->pty_master = steal_fd (&owned);
      return 0;
    }
  if (type != MRC_SYNC_SECCOMP_FD)
    return mrc_fail (err, "exec: unexpected fd message %d", (int) type);
  struct mrc_notify_msg m = {
    .listener_path = mrc_security_listener_path (e->security), .fd = owned,
    .pid = e->init_pid, .state_json = e->state_json,
    .metadata = mrc_security_listener_metadata (e->security),
  };
  return mrc_security_send_notify_fd (&m, err);
}

int
mrc_process_exec (const struct mrc_exec_spawn *e, struct mrc_spawned *out,
                  mrc_error_t *err)
{
  int parent_flags, child_flags;
  out->pid = 0;
  out->cloned = false;
  out->pidfd = out->sync_fd = out->pty_master = -1;
  if (mrc_process_check_fds (e->preserve_fds, e->inherited_fds, err) < 0
      || ns_flags (e->init_pid, &parent_flags, &child_flags, err) < 0)
    return -1;
  /* pid and time apply to children: joined here for the clone, then
     left again, so the rest of exec (and LeakSanitizer's helper thread in
     the sanitizer build) runs in mini-runc's own */
  cleanup_close int own_pid = open ("/proc/self/ns/pid_for_children",
                                    O_RDONLY | O_CLOEXEC);
  cleanup_close int own_time = open ("/proc/self/ns/time_for_children",
                                     O_RDONLY | O_CLOEXEC);
  if (parent_flags && setns (e->init_pidfd, parent_flags) < 0)
    return mrc_fail_errno (err, "exec: join the container's pid namespace");
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return mrc_fail_errno (err, "exec: create sync socket");
  cleanup_close int parent_end = sv[0], child_end = sv[1];

  /* born in the container's cgroup: limits apply from its first page */
  struct clone_args args = { .flags = CLONE_PIDFD, .exit_signal = SIGCHLD,
                             .pidfd = (uint64_t) (uintptr_t) &out->pidfd };
  if (e->cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t) e->cgroup_fd;
    }
  pid_t pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
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
  if (pid == 0)
    {
      close (parent_end);
      struct exec_child c = { e, child_flags, child_end };
      child_main (&c);
    }
  out->pid = pid;
  out->cloned = true;
  out->sync_fd = steal_fd (&parent_end);
  /* our copy of the child's end must go, or its exec would never show as
     EOF here */
  close (steal_fd (&child_end));
  struct exec_parent ep = { e, out };
  struct mrc_sync_handlers h = { &ep, NULL, on_fd };
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
