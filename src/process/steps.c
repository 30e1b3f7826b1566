/* The child's setup: one ordered table of steps for the init of `create`
 * and for a process of `exec`, each step marked with the modes it runs in,
 * each saying why it stands where it does.  Both modes walk the same table
 * (mrc_child_run), so the steps they share cannot drift apart;
 * tests/unit/test-process-steps.c checks the order of each mode. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/fault.h"
#include "mrc/fdpass.h"
#include "mrc/log.h"
#include "mrc/net.h"
#include "mrc/proc.h"
#include "mrc/security.h"
#include "mrc/setup.h"
#include "mrc/sync.h"
#include "mrc/term.h"
#include "process-internal.h"

int
mrc_child_terminal (const struct mrc_child *c, bool console, mrc_error_t *err)
{
  const struct mrc_process *p = c->plan->process;
  if (!p->terminal)
    return 0;
  int master, r;
  cleanup_free char *name = NULL;
  if ((console ? mrc_term_setup_child (p, &master, &name, err)
               : mrc_term_setup_exec (p, &master, &name, err)) < 0)
    return -1;
  if (c->plan->console_fd >= 0)
    r = mrc_fdpass_send (c->plan->console_fd, master, name, err);
  else if ((r = mrc_sync_pass_fd (c->sync_fd, MRC_SYNC_PTY_MASTER, master,
                                  name)) < 0)
    mrc_fail_errno (err, "send the terminal to the runtime");
  close (master);
  return r;
}

/* A log line of the child goes to the runtime as a LOG message. */
static void
log_to_channel (void *arg, enum mrc_log_level level, const char *msg)
{
  const struct mrc_child *c = arg;
  if (mrc_sync_log (c->sync_fd, (int) level, msg) < 0)
    { /* the runtime is gone (or the channel closed after GO) */ }
}

void
mrc_child_begin (struct mrc_child *c, int parent_sync_fd)
{
  /* The runtime's end of the channel: with it open here, the runtime would
     never see the end of the channel when we exit or exec. */
  close (parent_sync_fd);
  /* Only the runtime writes the log: ours goes over the channel. */
  mrc_log_forward (log_to_channel, c);
}

/* Send the notify fd a seccomp step made to the runtime. */
static int
security_step (struct mrc_child *c, bool before, mrc_error_t *err)
{
  int notify_fd = -1;
  const struct mrc_security *sec = c->plan->security;
  int r = before ? mrc_security_apply_before_user (sec, &notify_fd, err)
                 : mrc_security_apply_final (sec, &notify_fd, err);
  if (r < 0 || notify_fd < 0)
    return r;
  r = mrc_sync_pass_fd (c->sync_fd, MRC_SYNC_SECCOMP_FD, notify_fd, NULL);
  close (notify_fd);
  if (r < 0)
    return mrc_fail_errno (err, "send the seccomp listener");
  return 0;
}

/* Into the container's cgroup of every cgroup v1 hierarchy before anything
   else runs (cgroup2 placed us at the clone, CLONE_INTO_CGROUP), so not one
   page or fork of the container is accounted elsewhere.  Through
   cgroup.procs files the runtime opened, with the credentials of the clone
   (a new user namespace does not change them), and before the cgroup
   namespace, so that it is rooted at the container's cgroup in these
   hierarchies too. */
static int
cgroup_v1 (struct mrc_child *c, mrc_error_t *err)
{
  if (c->plan->cgroup_procs == NULL)
    return 0;
  return mrc_cgroup_procs_join (c->plan->cgroup_procs, err);
}

/* A new user namespace has no mappings until the parent writes them (nor
   rlimits, in a new or joined one: see spawn.c); until then we are nobody,
   so nothing else can happen first.  Then root of it: the host's root ids
   mean nothing inside. */
static int
user_maps (struct mrc_child *c, mrc_error_t *err)
{
  if (!c->plan->ns.has_user)
    return 0;
  if (mrc_sync_wait (c->sync_fd, MRC_SYNC_MAPS_DONE, err) < 0)
    return -1;
  if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
    return mrc_fail_errno (err, "become root in the user namespace");
  return 0;
}

/* The cgroup namespace now that we are in the container's cgroup (see
   ns.c), so the container sees its cgroup as `/`. */
static int
cgroup_ns (struct mrc_child *c, mrc_error_t *err)
{
  if (c->plan->ns.new_cgroup && unshare (CLONE_NEWCGROUP) < 0)
    return mrc_fail_errno (err, "create cgroup namespace");
  return 0;
}

/* Not dumpable while we hold host resources (CVE-2019-5736, CVE-2016-9962):
   processes of the container must not ptrace us or open /proc/<pid>/fd or
   exe before execve resets this.  After the maps, which a parent cannot
   write for a non-dumpable child; before exec's join, which puts us among
   the container's processes. */
static int
not_dumpable (struct mrc_child *c, mrc_error_t *err)
{
  (void) c;
  return mrc_security_protect_self (err);
}

/* exec: the init's namespaces but pid and time (joined by the runtime for
   the clone: they apply to children), in one atomic setns(2) through its
   pidfd, which also gets the order right when the container has its own
   user namespace. */
static int
join (struct mrc_child *c, mrc_error_t *err)
{
  int flags = c->plan->ns.exec_child_flags;
  if (c->user_joined)
    flags &= ~CLONE_NEWUSER; /* joining the one we are in is EINVAL */
  if (flags && mrc_pidfd_setns (c->plan->init_pidfd, flags) < 0)
    return mrc_fail_errno (err, "exec: join the container's namespaces");
  return 0;
}

/* Our own session, so the caller's terminal signals (Ctrl-C to the
   caller's process group) reach the container only through mini-runc. */
static int
session (struct mrc_child *c, mrc_error_t *err)
{
  (void) c;
  if (setsid () < 0)
    return mrc_fail_errno (err, "setsid");
  return 0;
}

/* A fresh session keyring, unless --no-new-keyring: the keyring of
   whoever ran mini-runc must not be reachable from the container.  In the
   container's user namespace (joined, for exec), so the keyring is owned
   there, and before the user switch, which may lose the right to it. */
static int
keyring (struct mrc_child *c, mrc_error_t *err)
{
  if (!c->plan->flags.no_new_keyring
      && syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0
      && errno != ENOSYS && errno != EPERM)
    return mrc_fail_errno (err, "create session keyring");
  return 0;
}

/* rlimits, oom_score_adj and scheduling need root in the container and
   (for the init) the host's /proc, so before the rootfs. */
static int
process_root (struct mrc_child *c, mrc_error_t *err)
{
  return mrc_security_apply_root (c->plan->security, err);
}

/* A network namespace of our own starts with lo down: bring it up so
   localhost works, as runc does. */
static int
loopback (struct mrc_child *c, mrc_error_t *err)
{
  if (!(c->plan->ns.clone_flags & CLONE_NEWNET))
    return 0;
  return mrc_net_loopback_up (err);
}

/* Hostname before the rootfs: it needs nothing from the filesystem. */
static int
hostname (struct mrc_child *c, mrc_error_t *err)
{
  return mrc_setup_hostname (c->plan->spec, err);
}

/* exec: the terminal from the container's devpts, before the user switch
   (the slave is handed to the user); /dev/console stays the init's.  The
   init makes its own inside the rootfs step, while its root may still be
   written (init.c). */
static int
terminal (struct mrc_child *c, mrc_error_t *err)
{
  return mrc_child_terminal (c, false, err);
}

/* The master went through the console socket: done with it. */
static int
console_done (struct mrc_child *c, mrc_error_t *err)
{
  (void) err;
  if (c->plan->console_fd >= 0)
    close (c->plan->console_fd);
  return 0;
}

/* The environment reads the container's /etc/passwd: after pivot. */
static int
environ_ (struct mrc_child *c, mrc_error_t *err)
{
  c->envp = mrc_init_environ (c->plan->process, c->plan->listen_fds);
  if (c->envp == NULL)
    return mrc_fail_errno (err, "build the environment");
  return 0;
}

/* linux.memoryPolicy: only a thread's own policy can be set, and fork and
   execve pass it on, so it is set here, in the child.  After the cgroups
   are joined, so MPOL_F_RELATIVE_NODES counts in the container's cpuset;
   after the rootfs step, so the runtime's setup and the createContainer
   hooks (host programs the init runs) keep the host's policy; before the
   seccomp filters, which may deny set_mempolicy (Docker's profile allows it
   only with CAP_SYS_NICE).  It needs no privilege.  The nodes were parsed
   by the parent (the plan): this is the call alone. */
static int
mempolicy (struct mrc_child *c, mrc_error_t *err)
{
  const struct mrc_mempolicy *m = &c->plan->mempolicy;
  if (!m->set
      || syscall (SYS_set_mempolicy, m->mode, m->maxnode ? m->nodemask : NULL,
                  m->maxnode) == 0)
    return 0;
  const struct mrc_memory_policy *p = c->plan->spec->linux_->memory_policy;
  return mrc_fail_errno (err, "set linux.memoryPolicy `%s` nodes `%s`",
                         p->mode, p->nodes ? p->nodes : "");
}

/* Without no_new_privs the seccomp filter must precede the user switch: it
   needs CAP_SYS_ADMIN, which the switch drops. */
static int
seccomp_before_user (struct mrc_child *c, mrc_error_t *err)
{
  return security_step (c, true, err);
}

static int
user (struct mrc_child *c, mrc_error_t *err)
{
  return mrc_init_user (c->plan->process, c->plan->ns.has_user, err);
}

/* The cwd as the user (as runc does): a cwd the user may not enter fails
   here, not in the user's program; and a cwd that resolves outside the
   root (a --cwd /proc/self/fd/N) is refused (CVE-2024-21626). */
static int
cwd (struct mrc_child *c, mrc_error_t *err)
{
  const char *dir = c->plan->process->cwd;
  if (chdir (dir) < 0)
    return mrc_fail_errno (err, "change to process.cwd `%s`", dir);
  return mrc_security_check_cwd (err);
}

/* The bounding set after the rootfs: a createContainer hook the init runs
   there gets the init's whole set, as runc's hooks do (a hook may need
   CAP_SYS_CHROOT to run ldconfig in the root); before the filter, which
   may deny prctl, and the user switch, which needs KEEPCAPS. */
static int
bounding (struct mrc_child *c, mrc_error_t *err)
{
  return mrc_security_apply_bounding (c->plan->security, err);
}

/* The capability sets once the user is switched (the switch clears the
   effective set) and before the PATH lookup: execve will check the file
   with these, so the lookup must too (runc looks up after applying them):
   a non-root user's CAP_DAC_OVERRIDE runs a root-only 0700 program. */
static int
caps (struct mrc_child *c, mrc_error_t *err)
{
  return mrc_security_apply_caps (c->plan->security, err);
}

/* The executable is looked up now, as the user with the final
   capabilities, so a missing binary or one execve would refuse fails
   `create` or `exec` (callers map these errors to 127 and 126), not
   `start`; and before the final seccomp filter, which may not allow the
   lookup's syscalls. */
static int
find_exec (struct mrc_child *c, mrc_error_t *err)
{
  return mrc_init_find_exec (c->plan->process->args[0], c->envp,
                             &c->exec_path, err);
}

/* fds: nothing below opens another one we would leak. */
static int
fds (struct mrc_child *c, mrc_error_t *err)
{
  int *internal[] = { &c->sync_fd, &c->listen_fd };
  int n = c->listen_fd >= 0 ? 2 : 1;
  return mrc_init_fds (3 + c->plan->flags.preserve_fds + c->plan->listen_fds,
                       internal, n, err);
}

/* no_new_privs and the seccomp filter last, so the fewest runtime
   syscalls run under the filter; still before READY, so a bad filter
   fails `create`/`exec` and the notify fd can reach the runtime. */
static int
security_final (struct mrc_child *c, mrc_error_t *err)
{
  return security_step (c, false, err);
}

#define C MRC_LAUNCH_CREATE
#define E MRC_LAUNCH_EXEC
#define B MRC_LAUNCH_BOTH
static const struct mrc_child_step steps[] = {
  { "cgroup-v1", B, cgroup_v1 },
  { "user-maps", C, user_maps },
  { "cgroup-ns", C, cgroup_ns },
  { "not-dumpable", B, not_dumpable },
  { "join", E, join },
  { "session", B, session },
  { "keyring", B, keyring },
  { "process-root", B, process_root },
  { "loopback", C, loopback },
  { "hostname", C, hostname },
  /* the root filesystem, mounts, /dev, the hooks and pivot_root (init.c):
     needs root in the container's user namespace, so before the switch */
  { "rootfs", C, mrc_init_rootfs },
  { "terminal", E, terminal },
  { "console-done", B, console_done },
  { "environ", B, environ_ },
  { "mempolicy", B, mempolicy },
  { "bounding", B, bounding },
  { "seccomp-before-user", B, seccomp_before_user },
  { "user", B, user },
  { "cwd", B, cwd },
  { "caps", B, caps },
  { "find-exec", B, find_exec },
  { "fds", B, fds },
  { "security-final", B, security_final },
};
#undef C
#undef E
#undef B

const struct mrc_child_step *
mrc_child_steps (size_t *n)
{
  *n = sizeof steps / sizeof steps[0];
  return steps;
}

int
mrc_child_run (struct mrc_child *c,
               int (*visit) (void *arg, const struct mrc_child_step *s),
               void *arg, mrc_error_t *err)
{
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
    {
      if (!(steps[i].modes & c->plan->mode))
        continue;
      if (visit == NULL)
        mrc_fault (c->plan->mode == MRC_LAUNCH_CREATE ? "init" : "exec",
                   steps[i].name);
      if (visit == NULL)
        mrc_debug ("%s: step %s", c->plan->mode == MRC_LAUNCH_CREATE ? "init"
                                                                    : "exec",
                   steps[i].name);
      int r = visit ? visit (arg, &steps[i]) : steps[i].run (c, err);
      if (r < 0)
        return -1;
    }
  return 0;
}
