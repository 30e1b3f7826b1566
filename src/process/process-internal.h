/* Shared between the files of src/process only; callers use mrc/process.h
 * and mrc/launch.h. */
#ifndef MRC_PROCESS_INTERNAL_H
#define MRC_PROCESS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/launch.h"
#include "mrc/process.h"
#include "mrc/spec.h"
#include "mrc/sync.h"

/* ---- namespaces (ns.c) ---- */

/* Decide the plan; open and check every namespace given by path (errors
 * name the type and path: missing, not a namespace, another type).  On
 * success call mrc_ns_release when done. */
int mrc_ns_prepare (const struct mrc_spec *spec, struct mrc_launch_ns *plan,
                    mrc_error_t *err) MRC_WUR;

/* In the process about to clone the init (never the runtime itself: a
 * joined user namespace cannot be left): join PLAN's namespaces in order,
 * closing their fds, check the mappings of a joined user namespace, and
 * make a new time namespace with linux.timeOffsets. */
int mrc_ns_enter (const struct mrc_spec *spec,
                  const struct mrc_launch_ns *plan,
                  mrc_error_t *err) MRC_WUR;

/* exec: which of the namespaces of the init PID differ from ours, into
 * PLAN's exec_parent_flags (pid, time: they apply to children, so the
 * runtime joins them for the clone) and exec_child_flags (the rest, joined
 * by the child in one setns on the init's pidfd). */
int mrc_ns_prepare_exec (pid_t pid, struct mrc_launch_ns *plan,
                         mrc_error_t *err) MRC_WUR;

/* Close the plan's fds. */
void mrc_ns_release (struct mrc_launch_ns *plan);

/* Whether the runtime itself may join PLAN's namespaces for the clone and
 * go back after it, sparing the helper's fork (a pod's containers join
 * its network, ipc and uts namespaces): only the host's root (going back
 * needs CAP_SYS_ADMIN over its own), and only namespaces that can be left
 * without a trace: no user namespace (never left), no mount namespace (the
 * runtime's view of its files), no new time namespace (made by unshare). */
bool mrc_ns_enter_reversible (const struct mrc_launch_ns *plan);
/* Join PLAN's namespaces here, the runtime's own kept open in SAVED (the
 * join fds stay open: the plan owns them); on failure already back. */
int mrc_ns_enter_saved (const struct mrc_spec *spec,
                        const struct mrc_launch_ns *plan,
                        int saved[MRC_N_NAMESPACES], mrc_error_t *err) MRC_WUR;
/* Back into the namespaces SAVED holds, closing them. */
int mrc_ns_return (int saved[MRC_N_NAMESPACES], mrc_error_t *err) MRC_WUR;

/* ---- clone (clone.c) ---- */

/* clone3 (FLAGS | CLONE_PIDFD, into CGROUP_FD unless -1), the pidfd into
 * *PIDFD; on ENOSYS clone(2) with the same guarantees (clone.c says how).
 * Returns like fork: the pid, 0 in the child, -1 with errno. */
pid_t mrc_process_clone (unsigned long long flags, int *pidfd,
                         int cgroup_fd) MRC_WUR;

/* ---- the child (steps.c) ---- */

/* What a child has of its own while its steps run: the plan is shared and
 * read-only, these are the child's working state. */
struct mrc_child
{
  const struct mrc_launch *plan;
  int sync_fd;     /* the child's end of the channel */
  int listen_fd;   /* create: exec.sock, on which it waits for `start`;
                      exec: -1 */
  char **envp;     /* built by the environ step */
  char *exec_path; /* found by the PATH step */
  bool user_joined; /* exec: cloned inside the container's user namespace
                       by the rootless helper (exec.c) */
};

/* One step of the child's setup, marked with the modes it runs in. */
struct mrc_child_step
{
  const char *name;
  unsigned modes; /* MRC_LAUNCH_CREATE | MRC_LAUNCH_EXEC */
  int (*run) (struct mrc_child *c, mrc_error_t *err);
};

/* The one ordered list of steps of both modes. */
const struct mrc_child_step *mrc_child_steps (size_t *n);

/* Run the steps of C's mode in order, up to READY.  With VISIT, each step
 * of the mode is handed to VISIT instead of being run (the unit test's
 * recorder walks the table this way). */
int mrc_child_run (struct mrc_child *c,
                   int (*visit) (void *arg, const struct mrc_child_step *s),
                   void *arg, mrc_error_t *err) MRC_WUR;

/* The first thing a child does: its log lines go over the channel (the
 * runtime writes them), the runtime's fds that are not its own close. */
void mrc_child_begin (struct mrc_child *c, int parent_sync_fd);

/* process.terminal: a pty from the container's devpts (with CONSOLE, the
 * init's, its slave bound on /dev/console; else exec's), its master sent
 * to the console socket, or when there is none to the foreground runtime
 * over the channel. */
int mrc_child_terminal (const struct mrc_child *c, bool console,
                        mrc_error_t *err) MRC_WUR;

/* ---- create (init.c) and exec (exec.c) ---- */

/* Whether the init of PLAN asks the runtime for its bind sources
 * (BIND_SOURCE, src/setup/bind-source.c): in a user namespace, new or
 * joined, where its root is nobody on the host, and a new mount namespace,
 * which nothing but the init can change while the runtime looks up paths
 * in it with the host's privileges (a joined one may hold running
 * containers: the init opens its sources there itself, as before). */
bool mrc_init_asks_bind_sources (const struct mrc_launch *plan);

/* The init of a create: its steps, READY, then the wait for `start` and
 * the user's program.  Never returns. */
__attribute__ ((noreturn)) void mrc_init_main (struct mrc_child *c,
                                               int parent_sync_fd);

/* The create-only steps that run the rootfs setup with its hook points
 * (init.c). */
int mrc_init_rootfs (struct mrc_child *c, mrc_error_t *err) MRC_WUR;

/* ---- pieces of the steps, each in its own file ---- */

int mrc_init_user (const struct mrc_process *p, bool has_user_ns,
                   mrc_error_t *err) MRC_WUR;
/* The environment with HOME (from the container's /etc/passwd) and
 * LISTEN_FDS/LISTEN_PID added as runc does; malloc'd vector. */
char **mrc_init_environ (const struct mrc_process *p, int listen_fds);
/* Find ARGV0 on the PATH of ENV (inside the container's root). */
int mrc_init_find_exec (const char *argv0, char *const *env, char **out,
                        mrc_error_t *err) MRC_WUR;
/* Mark every fd >= FIRST_CLOSED close-on-exec and fds 3..FIRST_CLOSED-1
 * inheritable.  INTERNAL fds are moved above the preserved range first. */
int mrc_init_fds (int first_closed, int *internal[], int n_internal,
                  mrc_error_t *err) MRC_WUR;

/* Default dispositions and an empty mask, right before execve: the
 * foreground runtime blocks the signals it forwards, and the program must
 * not inherit that. */
void mrc_init_reset_signals (void);

#endif
