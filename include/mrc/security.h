/* Process security: capabilities, rlimits, no_new_privs, oomScoreAdj,
 * personality, ioPriority, scheduler, execCPUAffinity and seccomp, plus
 * hardening against known runtime attacks (CVE-2019-5736, CVE-2024-21626).
 *
 * Everything that can fail on bad input is resolved once, in the runtime
 * before the clone (mrc_security_prepare): capability and rlimit names,
 * scheduler and I/O priority values, CPU lists and the seccomp filter, which
 * libseccomp compiles to a classic BPF program there.  The child inherits
 * the prepared struct in memory and only issues syscalls:
 *
 *   runtime (parent)                    container init / exec child
 *   ----------------                    ---------------------------
 *   mrc_security_prepare
 *   [log mrc_security_warnings]
 *   clone ---------------------------->  mrc_security_protect_self
 *   [new user ns] mrc_security_set_rlimits (s, child pid)
 *                                        ... namespaces ...
 *                                        mrc_security_apply_root
 *                                        ... rootfs, its hooks ...
 *                                        mrc_security_apply_bounding
 *                                        [mrc_security_apply_before_user]
 *                                        setgroups/setresgid/setresuid
 *                                        chdir; mrc_security_check_cwd
 *                                        mrc_security_apply_caps
 *                                        (the PATH lookup, with them)
 *                                        mrc_security_apply_final -> fd
 *   mrc_security_send_notify_fd <------  (notify fd, when SCMP_ACT_NOTIFY)
 *                                        execve
 */
#ifndef MRC_SECURITY_H
#define MRC_SECURITY_H

#include <stdbool.h>
#include <sched.h>
#include <stddef.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/spec.h"

struct mrc_security;

/* Resolve P (capabilities, rlimits, noNewPrivileges, oomScoreAdj,
 * scheduler, ioPriority, execCPUAffinity) and L (seccomp, personality; L
 * may be NULL) into *OUT.  Errors name the JSON path and the bad value:
 * "process.capabilities.bounding: unknown capability `CAP_FOO`".  Unknown
 * syscall names are not errors (they may be newer than libseccomp): they
 * are skipped and listed by mrc_security_warnings.  ROOT, the state root
 * (or NULL), keeps compiled seccomp filters for the next container. */
int mrc_security_prepare (const struct mrc_process *p,
                          const struct mrc_linux *l, const char *root,
                          struct mrc_security **out, mrc_error_t *err) MRC_WUR;

void mrc_security_free (struct mrc_security *s);

static inline void
mrc_security_freep (struct mrc_security **s)
{
  mrc_security_free (*s);
}
#define cleanup_security __attribute__ ((cleanup (mrc_security_freep)))

/* Warnings found by prepare, NULL-terminated (never NULL itself), e.g.
 * "linux.seccomp: unknown syscall `foo` skipped".  The caller logs them. */
const char *const *mrc_security_warnings (const struct mrc_security *s);

/* True when the filter has an SCMP_ACT_NOTIFY rule: apply_final then
 * returns a listener fd for mrc_security_send_notify_fd. */
bool mrc_security_has_notify (const struct mrc_security *s);
/* linux.seccomp.listenerPath and listenerMetadata (NULL when absent). */
const char *mrc_security_listener_path (const struct mrc_security *s);
const char *mrc_security_listener_metadata (const struct mrc_security *s);

/* Child, first thing (after the id maps when mini-runc is not root: a
 * rootless parent cannot write the maps of a non-dumpable child).  Makes
 * the process non-dumpable, so no process of the container can open
 * /proc/PID/exe (the mini-runc binary: CVE-2019-5736), /proc/PID/fd or
 * /proc/PID/mem of the setup process, nor ptrace it.  execve resets it. */
int mrc_security_protect_self (mrc_error_t *err) MRC_WUR;

/* process.rlimits on PID (0: the caller) with prlimit.  The parent calls it
 * on a child in a new user namespace, where the child could no longer
 * raise a hard limit itself; apply_root calls it with 0.  Setting the same
 * values twice is harmless. */
int mrc_security_set_rlimits (const struct mrc_security *s, pid_t pid,
                              mrc_error_t *err) MRC_WUR;

/* Child, still root in the container, before the rootfs: rlimits,
 * oomScoreAdj, personality, ioPriority, scheduler, execCPUAffinity.initial. */
int mrc_security_apply_root (const struct mrc_security *s,
                             mrc_error_t *err) MRC_WUR;

/* Child, still root, after the rootfs and its hooks (which run with the
 * init's whole bounding set, as runc runs them) and before the filter and
 * the user switch: the bounding set, then PR_SET_KEEPCAPS so the permitted
 * set survives the switch to a non-zero uid. */
int mrc_security_apply_bounding (const struct mrc_security *s,
                                 mrc_error_t *err) MRC_WUR;

/* Still root, right before the user switch: the seccomp filter when the
 * process has no no_new_privs (it needs CAP_SYS_ADMIN then). */
int mrc_security_apply_before_user (const struct mrc_security *s,
                                    int *notify_fd, mrc_error_t *err) MRC_WUR;

/* After the user switch and chdir: the effective, permitted and
 * inheritable sets, then ambient.  Before the PATH lookup, which must see
 * the file as execve will: with these capabilities. */
int mrc_security_apply_caps (const struct mrc_security *s,
                             mrc_error_t *err) MRC_WUR;

/* The very last step before the runtime is told the process is ready /
 * before execve: execCPUAffinity.final, no_new_privs and, with
 * no_new_privs, the seccomp filter last.  *NOTIFY_FD is the listener fd
 * when the filter has SCMP_ACT_NOTIFY rules, else -1. */
int mrc_security_apply_final (const struct mrc_security *s, int *notify_fd,
                              mrc_error_t *err) MRC_WUR;

/* Only the seccomp step of apply_final (no_new_privs is not set here). */
int mrc_security_load_seccomp (const struct mrc_security *s, int *notify_fd,
                               mrc_error_t *err) MRC_WUR;

/* After chdir to process.cwd (or exec --cwd): the cwd must be inside the
 * process's root.  A cwd reached through a leaked host fd (cwd
 * /proc/self/fd/N, CVE-2024-21626) makes getcwd report "(unreachable)",
 * which glibc turns into ENOENT: refused. */
int mrc_security_check_cwd (mrc_error_t *err) MRC_WUR;

/* Runtime side: connect to LISTENER_PATH (a SOCK_STREAM unix socket) and
 * send, in one sendmsg, the container process state of the runtime-spec
 * ({"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"}) with
 * FD as SCM_RIGHTS.  STATE_JSON is the container's state object (as from
 * `state`), embedded verbatim; METADATA may be NULL. */
struct mrc_notify_msg
{
  const char *listener_path;
  int fd;
  pid_t pid;
  const char *state_json;
  const char *metadata;
};
int mrc_security_send_notify_fd (const struct mrc_notify_msg *m,
                                 mrc_error_t *err) MRC_WUR;

/* Pure lookups, exported for the unit tests and for `features`. */
int mrc_security_cap_from_name (const char *name);     /* -1: unknown */
/* The name the config gives capability C ("CAP_CHOWN"), into BUF of SIZE
 * bytes: 0, or -1 when mrc_security_cap_from_name accepts no name for C
 * (past libcap's, or C >= 64). */
int mrc_security_cap_name (int c, char *buf, size_t size);
/* Parse a CPU list ("0-3,7") into a CPU_ALLOC'd set of *SIZE bytes; -1 on
 * bad syntax or a CPU above 65535 (nothing to free then). */
int mrc_security_parse_cpus (const char *list, cpu_set_t **out, size_t *size);
/* NULL-terminated name lists for `features` (linux.seccomp). */
const char *const *mrc_security_seccomp_actions (void);
const char *const *mrc_security_seccomp_operators (void);
const char *const *mrc_security_seccomp_archs (void);
const char *const *mrc_security_seccomp_flags (void);

#endif
