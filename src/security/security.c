/* The security steps of the container init and of exec, in the order the
 * kernel requires; each ordering rule is explained where it is applied.
 * See mrc/security.h for where the caller puts each step. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "security-internal.h"

int
mrc_sec_warn (struct mrc_security *s, const char *fmt, ...)
{
  char **v = realloc (s->warnings, (s->n_warnings + 2) * sizeof *v);
  if (v == NULL)
    return -1;
  s->warnings = v;
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&v[s->n_warnings], fmt, ap);
  va_end (ap);
  if (r < 0)
    {
      v[s->n_warnings] = NULL;
      return -1;
    }
  v[++s->n_warnings] = NULL;
  return 0;
}

void
mrc_sec_unwarn (struct mrc_security *s, size_t first)
{
  while (s->n_warnings > first)
    {
      free (s->warnings[--s->n_warnings]);
      s->warnings[s->n_warnings] = NULL;
    }
}

const char *const *
mrc_security_warnings (const struct mrc_security *s)
{
  static const char *const none[] = { NULL };
  return s->warnings ? (const char *const *) s->warnings : none;
}

bool
mrc_security_has_notify (const struct mrc_security *s)
{
  return s->seccomp.notify;
}

const char *
mrc_security_listener_path (const struct mrc_security *s)
{
  return s->seccomp.listener_path;
}

const char *
mrc_security_listener_metadata (const struct mrc_security *s)
{
  return s->seccomp.listener_metadata;
}

void
mrc_security_free (struct mrc_security *s)
{
  if (s == NULL)
    return;
  int saved = errno;
  free (s->rlimits);
  if (s->cpus_initial.set)
    CPU_FREE (s->cpus_initial.set);
  if (s->cpus_final.set)
    CPU_FREE (s->cpus_final.set);
  mrc_sec_seccomp_free (&s->seccomp);
  for (size_t i = 0; i < s->n_warnings; i++)
    free (s->warnings[i]);
  free (s->warnings);
  free (s);
  errno = saved;
}

int
mrc_security_prepare (const struct mrc_process *p, const struct mrc_linux *l,
                      const char *root, struct mrc_security **out,
                      mrc_error_t *err)
{
  __attribute__ ((cleanup (mrc_security_freep))) struct mrc_security *s
      = calloc (1, sizeof *s);
  if (s == NULL)
    return mrc_fail_errno (err, "prepare the process security");
  s->no_new_privs = p->no_new_privileges;
  if (mrc_sec_caps_prepare (s, p, err) < 0
      || mrc_sec_rlimits_prepare (s, p, err) < 0
      || mrc_sec_sched_prepare (s, p, l, err) < 0)
    return -1;
  if (l && l->seccomp
      && mrc_sec_seccomp_prepare (s, l->seccomp, root, err) < 0)
    return -1;
  *out = steal_ptr (&s);
  return 0;
}

/* CVE-2019-5736: a container process that opens /proc/PID/exe of a
   mini-runc process inside the container (the init before execve, or an
   exec child) reaches the mini-runc binary on the host, and may rewrite it
   once it is no longer busy.  A non-dumpable process's /proc/PID/exe, fd/,
   mem, environ... are refused to everybody without CAP_SYS_PTRACE in the
   initial user namespace (which a container with a user namespace never
   has), and it cannot be ptraced.  The cost is one prctl (well under a
   microsecond); copying the binary into a sealed memfd and re-executing it,
   as runc 1.1 did, costs a copy of the binary and an execve on every
   start.  The kernel makes the process dumpable again at execve, once the
   container's own program is running. */
int
mrc_security_protect_self (mrc_error_t *err)
{
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return mrc_fail_errno (err, "prctl PR_SET_DUMPABLE");
  return 0;
}

int
mrc_security_apply_root (const struct mrc_security *s, mrc_error_t *err)
{
  /* rlimits as root: once the user is switched, a hard limit can only go
     down.  In a new user namespace the runtime has already set them with
     prlimit from outside (mrc_security_set_rlimits); this repeats it. */
  if (mrc_security_set_rlimits (s, 0, err) < 0)
    return -1;
  /* oom_score_adj, ioprio, scheduler and the initial affinity may need
     CAP_SYS_RESOURCE / CAP_SYS_NICE, which only root still holds here. */
  return mrc_sec_sched_apply_root (s, err);
}

int
mrc_security_apply_bounding (const struct mrc_security *s, mrc_error_t *err)
{
  /* it needs CAP_SETPCAP, and it sets KEEPCAPS for the user switch that
     follows */
  return mrc_sec_caps_apply_bounding (s, err);
}

int
mrc_security_apply_before_user (const struct mrc_security *s, int *notify_fd,
                                mrc_error_t *err)
{
  *notify_fd = -1;
  /* Loading a filter needs no_new_privs or CAP_SYS_ADMIN in the effective
     set.  Without noNewPrivileges the filter must go in while we are still
     root: switching to another uid clears the effective set (as runc
     does; the profile must then allow setgroups, setresuid, capset,
     prctl and execve, which every usable profile does). */
  if (!s->no_new_privs)
    return mrc_security_load_seccomp (s, notify_fd, err);
  return 0;
}

/* The kernel checks the program's file at execve with the capabilities
   the process then has, so the PATH lookup runs after this, as runc's
   does: a file only CAP_DAC_OVERRIDE (or a directory only
   CAP_DAC_READ_SEARCH) opens to the user is found, and one these
   capabilities cannot run fails `create`, not `start`. */
int
mrc_security_apply_caps (const struct mrc_security *s, mrc_error_t *err)
{
  return mrc_sec_caps_apply_sets (s, err);
}

int
mrc_security_apply_final (const struct mrc_security *s, int *notify_fd,
                          mrc_error_t *err)
{
  *notify_fd = -1;
  /* The final affinity before the filter, which may deny the syscall. */
  if (mrc_sec_cpus_apply (&s->cpus_final, "final", err) < 0)
    return -1;
  if (s->no_new_privs && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return mrc_fail_errno (err, "prctl PR_SET_NO_NEW_PRIVS");
  /* With no_new_privs, the filter goes in last: every syscall after it
     is filtered, so the fewer the runtime makes, the fewer a profile has
     to allow for mini-runc's sake rather than the program's. */
  if (s->no_new_privs)
    return mrc_security_load_seccomp (s, notify_fd, err);
  return 0;
}

/* CVE-2024-21626: a cwd such as /proc/self/fd/N, where N is a directory
   fd of the host leaked into the init, puts the process in a host
   directory.  The kernel reports a cwd outside the process's root as
   "(unreachable)/...", which glibc's getcwd turns into ENOENT. */
int
mrc_security_check_cwd (mrc_error_t *err)
{
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf) == NULL)
    {
      if (errno == ENOENT)
        return mrc_error_code (err, ENOENT, "check the working directory: "
                                            "it is outside the container's "
                                            "root");
      return mrc_fail_errno (err, "check the working directory");
    }
  if (buf[0] != '/')
    return mrc_error_code (err, ENOENT, "check the working directory: `%s` "
                                        "is outside the container's root",
                           buf);
  return 0;
}
