/* Running OCI hooks (runtime-spec config.md, "POSIX-platform Hooks").
 *
 * A hook is a direct child of the calling process (fork + execve), the
 * leader of a new process group, with:
 *   argv   hook.args, or { hook.path } when args is absent (as execv)
 *   envp   hook.env exactly, empty when absent: nothing leaks in from the
 *          runtime's own environment
 *   stdin  a pipe carrying the OCI state JSON, then EOF
 *   stdout, stderr  two pipes, each captured up to MRC_HOOK_OUTPUT_MAX bytes
 *          (the rest is read and dropped, so a chatty hook never blocks).
 *          A failure names the first line of stderr, or of stdout when
 *          stderr is empty; output of a hook that succeeds is dropped
 *   fds    0, 1, 2 only; signal mask empty, ignored signals reset
 *
 * The runner never hangs on a hook's misbehaviour, only on a hook that runs
 * forever without a timeout (the spec sets no default):
 *   - stdin is written without blocking, interleaved with waiting; a hook
 *     that exits or closes stdin unread just stops the writing (SIGPIPE is
 *     blocked for the call and a SIGPIPE it raised is consumed);
 *   - completion is the hook process's exit (pidfd), never EOF on its
 *     output: a hook that daemonises holding stdout/stderr open is done
 *     when it exits, and what it wrote so far is read without blocking;
 *   - past hook.timeout seconds the hook's whole process group is killed
 *     with SIGKILL (and the hook itself through its pidfd, in case it left
 *     the group), then reaped.
 * Children a hook leaves behind in the background are not killed.
 *
 * No global state and no signal handlers: the same calls work from the
 * runtime (prestart, createRuntime, poststart, poststop) and from the
 * container's init before it execs (createContainer, startContainer).  The
 * caller must not reap children behind our back (waitpid(-1) elsewhere, or
 * SIGCHLD set to SIG_IGN, which is reset to SIG_DFL for the call). */
#ifndef MRC_HOOKS_H
#define MRC_HOOKS_H

#include <stddef.h>

#include "mrc/error.h"
#include "mrc/spec.h"

/* Bytes of each of stdout and stderr kept for the error message. */
#define MRC_HOOK_OUTPUT_MAX 4096

/* In the order the lifecycle runs them. */
enum mrc_hook_kind
{
  MRC_HOOK_PRESTART,
  MRC_HOOK_CREATE_RUNTIME,
  MRC_HOOK_CREATE_CONTAINER,
  MRC_HOOK_START_CONTAINER,
  MRC_HOOK_POSTSTART,
  MRC_HOOK_POSTSTOP,
};

/* The config.json key: "prestart", "createRuntime", ... ("unknown" for a
 * value out of range). */
const char *mrc_hook_kind_name (enum mrc_hook_kind kind);

/* The hooks of KIND in H and their number in *N (NULL and 0 when none or
 * KIND is out of range). */
const struct mrc_hook *mrc_hooks_of (const struct mrc_hooks *h,
                                     enum mrc_hook_kind kind, size_t *n);

/* Run one hook with STATE (LEN bytes) on its stdin and wait for it.  0 when
 * it exited with status 0; otherwise -1 with one of (no prefix):
 *   "path `P` is not absolute"
 *   "exec: <strerror>"             (ENOENT, EACCES, EISDIR for a directory)
 *   "exited with status 3: <first line of stderr>"
 *   "killed by signal 9"
 *   "timed out after 2 s"
 * or the syscall that failed (pipe, fork, poll...). */
int mrc_hook_run (const struct mrc_hook *hook, const char *state, size_t len,
                  mrc_error_t *err) MRC_WUR;

/* Run the hooks of KIND in order, stopping at the first failure, whose
 * error is "KIND hook[I] `PATH`: <mrc_hook_run's message>".  For
 * prestart, createRuntime, createContainer and startContainer, whose
 * failure fails the operation. */
int mrc_hooks_run (const struct mrc_hooks *h, enum mrc_hook_kind kind,
                   const char *state, size_t len, mrc_error_t *err) MRC_WUR;

/* Run every hook of KIND in order; each failure is logged as a warning
 * (same text as mrc_hooks_run's error) and the next hook still runs, as
 * the spec asks for poststart and poststop.  Returns the number of hooks
 * that failed.  Logs through mrc_warn, so call it from the runtime process
 * only, never from the container's init. */
size_t mrc_hooks_run_warn (const struct mrc_hooks *h, enum mrc_hook_kind kind,
                           const char *state, size_t len);

#endif
