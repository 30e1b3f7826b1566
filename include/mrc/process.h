/* Starting the container's init: namespaces, the clone, the child's init
 * sequence and the exec barrier. */
#ifndef MRC_PROCESS_H
#define MRC_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/launch.h"
#include "mrc/spec.h"
#include "mrc/state.h"

/* Resolve PLAN (mrc/launch.h) once the lifecycle has set the container's
 * facts: fds, namespaces, sysctls, id-mapped trees, security, the state
 * object; bad input fails here, before the clone.  On failure nothing of
 * it is left; on success mrc_launch_release frees it. */
int mrc_launch_prepare (struct mrc_launch *plan, mrc_error_t *err) MRC_WUR;
void mrc_launch_release (struct mrc_launch *plan);

/* The OCI state object of PLAN's container with PID and STATUS, compact,
 * for the hooks and the seccomp listener. */
int mrc_launch_state_json (const struct mrc_launch *plan, pid_t pid,
                           enum mrc_status status, char **json, size_t *len,
                           mrc_error_t *err) MRC_WUR;

struct mrc_spawned
{
  pid_t pid;      /* in mini-runc's pid namespace */
  int pidfd;
  int sync_fd;    /* parent end of the channel, -1 after go/abort */
  bool cloned;    /* a process existed, even if it is gone now */
  int pty_master; /* the terminal's master for the foreground relay, or -1 */
};

/* Clone the init of a prepared create PLAN and run its setup up to READY
 * (see sync.h).  On failure nothing is left: the child is killed and
 * reaped. */
int mrc_process_spawn (const struct mrc_launch *plan, struct mrc_spawned *out,
                       mrc_error_t *err) MRC_WUR;

/* Tell the init its state is recorded: it then waits for `start`. */
int mrc_process_go (struct mrc_spawned *s, mrc_error_t *err) MRC_WUR;

/* Kill (SIGKILL) and reap a spawned init; closes its fds. */
void mrc_process_abort (struct mrc_spawned *s);

/* `start`: connect to <state>/exec.sock, release the init, and wait until
 * it has executed the user's program.  When the init reports why it could
 * not, the error's errnum is ECANCELED; an init that died is ESRCH
 * ("container not running"). */
int mrc_barrier_release (int state_fd, mrc_error_t *err) MRC_WUR;

/* Create the listening exec.sock in STATE_FD; returns the listening fd. */
int mrc_barrier_listen (int state_fd, int *fd, mrc_error_t *err) MRC_WUR;

/* Child side: block until `start` connects; returns the connection fd. */
int mrc_barrier_wait (int listen_fd, mrc_error_t *err) MRC_WUR;

/* The signals the foreground mini-runc forwards (block them before the
 * clone so none is lost; the child unblocks them before exec). */
void mrc_wait_signal_set (sigset_t *set);

/* Forward signals in SET to S's process and reap it; *STATUS is its exit
 * status, 128+N for signal N. */
struct mrc_relay;
int mrc_wait_foreground (struct mrc_spawned *s, const sigset_t *set,
                         struct mrc_relay *relay, int *status,
                         mrc_error_t *err) MRC_WUR;

/* A waitpid status as a shell reports it. */
int mrc_wait_status (int status);

/* exec: a new process in the namespaces of a running container, from a
 * prepared exec PLAN: join the init's namespaces, set the process up with
 * the same steps as the init and execve.  Returns once the program runs
 * (the channel closed on exec) or with the reason it could not. */
int mrc_process_exec (const struct mrc_launch *plan, struct mrc_spawned *out,
                      mrc_error_t *err) MRC_WUR;

/* Only fds the caller gave us may be passed on (see main.c). */
int mrc_process_check_fds (int wanted, int inherited, mrc_error_t *err) MRC_WUR;

#endif
