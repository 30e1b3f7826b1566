/* Starting the container's init: namespaces, the clone, the child's init
 * sequence and the exec barrier. */
#ifndef MRC_PROCESS_H
#define MRC_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/spec.h"

struct mrc_security;
struct mrc_cgroup_procs;
struct mrc_setup_cgroup_v1;

struct mrc_spawn_opts
{
  const char *id;
  const struct mrc_spec *spec;
  const struct mrc_security *security; /* prepared by mrc_process_spawn */
  const char *bundle;  /* absolute */
  const char *rootfs;  /* absolute */
  int state_fd;        /* the container's state dir: exec.sock lives here */
  const char *state_dir; /* its absolute path */
  const char *cgroup_dir; /* file system path of its cgroup, or NULL */
  const struct mrc_setup_cgroup_v1 *cgroup_v1; /* its v1 groups */
  size_t n_cgroup_v1;
  int lock_fd;         /* the state-dir lock: closed in the child */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;    /* --preserve-fds: fds 3..3+N-1 pass into the container */
  int inherited_fds;   /* how many of 3.. the caller really gave us */
  int console_fd;      /* connected --console-socket, or -1: the pty master
                          then comes back over the channel (foreground run) */
  int cgroup_fd;       /* the container's cgroup dir (CLONE_INTO_CGROUP) */
  struct mrc_cgroup_procs *cgroup_procs; /* its v1 cgroup.procs files */
  const int *idmap_trees; /* made by mrc_process_spawn (setup.h) */
  const char *root;    /* the state root: its seccomp filter cache */
};

struct mrc_spawned
{
  pid_t pid;      /* in mini-runc's pid namespace */
  int pidfd;
  int sync_fd;    /* parent end of the channel, -1 after go/abort */
  bool cloned;    /* a process existed, even if it is gone now */
  int pty_master; /* the terminal's master for the foreground relay, or -1 */
};

/* Clone the init and run its setup up to READY (see sync.h).  On failure
 * nothing is left: the child is killed and reaped. */
int mrc_process_spawn (const struct mrc_spawn_opts *o, struct mrc_spawned *out,
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

/* exec: a new process in the namespaces of a running container. */
struct mrc_exec_spawn
{
  const struct mrc_process *process;
  const struct mrc_security *security;
  const char *state_json; /* the container's state, for a seccomp listener */
  pid_t init_pid;
  int init_pidfd;
  int preserve_fds;
  int inherited_fds; /* how many of 3.. the caller really gave us */
  int console_fd; /* connected --console-socket, or -1 */
  int cgroup_fd;  /* the container's cgroup dir, or -1 */
  struct mrc_cgroup_procs *cgroup_procs; /* its v1 cgroup.procs files */
};

/* Join the init's namespaces, set the process up as the init would be and
 * execve.  Returns once the program runs (the channel closed on exec) or
 * with the reason it could not. */
int mrc_process_exec (const struct mrc_exec_spawn *e, struct mrc_spawned *out,
                      mrc_error_t *err) MRC_WUR;

/* Only fds the caller gave us may be passed on (see main.c). */
int mrc_process_check_fds (int wanted, int inherited, mrc_error_t *err) MRC_WUR;

#endif
