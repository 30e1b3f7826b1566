#ifndef MRC_PROCESS_INIT_H
#define MRC_PROCESS_INIT_H

#include <stdbool.h>

#include "mrc/process.h"
#include "mrc/state.h"

/* What the child needs beyond the spawn options; everything is inherited
 * in memory from the parent at clone time. */
struct mrc_init_args
{
  const struct mrc_spawn_opts *opts;
  int sync_fd;       /* child end */
  int parent_sync_fd; /* parent end: closed first thing */
  int listen_fd;     /* exec.sock */
  bool wait_for_maps;
  bool new_pid_ns, new_net_ns, new_cgroup_ns, has_user_ns;
  bool new_ipc_ns, new_uts_ns;
  bool fresh_net_ns; /* made by the clone (not joined): lo to bring up */
  int listen_fds;    /* LISTEN_FDS passed on (systemd socket activation) */
};

/* The OCI state of the container being set up, for hooks and the seccomp
 * listener: PID as the caller sees it. */
int mrc_process_state_json (const struct mrc_spawn_opts *o, pid_t pid,
                            enum mrc_status status, char **json, size_t *len,
                            mrc_error_t *err) MRC_WUR;

/* Send a terminal's MASTER (named NAME) to CONSOLE_FD, or when that is -1
 * to the foreground runtime over SYNC_FD. */
int mrc_init_send_master (int console_fd, int sync_fd, int master,
                          const char *name, mrc_error_t *err) MRC_WUR;

struct mrc_security;
int mrc_init_security (const struct mrc_security *sec, int sync_fd,
                       bool before, mrc_error_t *err) MRC_WUR;

/* Runs in the child; never returns. */
__attribute__ ((noreturn)) void mrc_init_main (const struct mrc_init_args *a);

/* Pieces of the init sequence, each in its own file. */
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
