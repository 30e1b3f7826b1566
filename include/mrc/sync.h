/* The parent/child channel of `create`: a SOCK_SEQPACKET socketpair, so
 * every message arrives whole.  It carries only sync points, errors and log
 * lines; the child inherited the parsed spec in memory (mini-runc never
 * re-executes itself).
 *
 *   parent (mini-runc create/run)              child (future container init)
 *   -----------------------------              -----------------------------
 *   socketpair, listen on <state>/exec.sock
 *   id-mapped mount trees (setup.h)
 *   clone3(namespace flags)  ----------------> closes the parent's end and
 *   (from a helper that joined                 the state-dir lock fd
 *    namespaces by path: ns.h)
 *   [user ns] rlimits; [new one] write setgroups/gid_map/uid_map
 *                 MAPS_DONE  ----------------> setresuid(0,0,0)
 *                                              hostname, rootfs, pivot_root,
 *                                              cwd, user, PATH lookup, fds
 *                       <----------------  LOG (any number, any time)
 *                       <----------------  ERROR (then the child _exits)
 *                       <----------------  READY
 *   write state.json and the pid file
 *                 GO         ----------------> close the channel; block in
 *                                              accept() on exec.sock
 *   exit (create) or release and wait (run)
 *                                              `start` connects and sends one
 *                                              byte; execve; the connection
 *                                              closes on exec (start sees EOF)
 *                                              or carries the exec error
 *
 * If the parent dies before GO, the child reads EOF and exits, so a killed
 * `create` never leaves a waiting init without a state.json behind it.
 */
#ifndef MRC_SYNC_H
#define MRC_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "mrc/error.h"

/* The exec barrier drawn above, in the container's state directory: the
 * init listens on it, `start` removes it, and while it exists the status
 * reads `created`. */
#define MRC_EXEC_SOCK "exec.sock"

enum mrc_sync_type
{
  MRC_SYNC_MAPS_DONE = 1,
  MRC_SYNC_LOG,
  MRC_SYNC_ERROR,
  MRC_SYNC_READY,
  MRC_SYNC_GO,
  MRC_SYNC_HOOKS,      /* child: mounts done, run prestart/createRuntime */
  MRC_SYNC_HOOKS_DONE, /* parent: they ran; go on to pivot_root */
  MRC_SYNC_SECCOMP_FD, /* child: the seccomp notify listener (SCM_RIGHTS) */
  MRC_SYNC_PTY_MASTER, /* child: the pty master for the foreground relay */
};

#define MRC_SYNC_TEXT_MAX 4000

struct mrc_sync_msg
{
  uint32_t type;
  int32_t value; /* errno for ERROR, level for LOG */
  char text[MRC_SYNC_TEXT_MAX];
};

/* Send a message with optional text (truncated to fit). */
int mrc_sync_send (int fd, enum mrc_sync_type type, int value,
                   const char *text) MRC_WUR;

/* Send a message carrying PASSFD (SCM_RIGHTS); TEXT as mrc_sync_send. */
int mrc_sync_send_fd (int fd, enum mrc_sync_type type, int passfd,
                      const char *text) MRC_WUR;

/* Receive one message.  Returns 0 on a message, 1 on EOF (peer gone), -1 on
 * error with errno set.  TEXT is always NUL-terminated.  A passed fd lands
 * in *PASSED (O_CLOEXEC), else *PASSED is -1; PASSED may be NULL, and then
 * a passed fd is closed. */
int mrc_sync_recv (int fd, struct mrc_sync_msg *msg, int *passed) MRC_WUR;

/* What the parent does with the child's requests while collecting. */
struct mrc_sync_handlers
{
  void *arg;
  /* MRC_SYNC_HOOKS: run the runtime-namespace hooks; the collector then
     answers HOOKS_DONE. */
  int (*on_hooks) (void *arg, mrc_error_t *err);
  /* SECCOMP_FD, PTY_MASTER: takes ownership of FD. */
  int (*on_fd) (void *arg, enum mrc_sync_type type, int fd, const char *text,
                mrc_error_t *err);
};

/* Parent side: read messages, writing LOG lines to the log, until READY
 * (returns 0), EOF (returns 1: the child exited, or executed its program
 * since the channel is close-on-exec) or an ERROR (returns -1 with the
 * child's message and errno in *ERR). */
int mrc_sync_collect (int fd, const struct mrc_sync_handlers *h,
                      mrc_error_t *err) MRC_WUR;

/* Child side: send *ERR as an ERROR message (best effort). */
void mrc_sync_send_error (int fd, mrc_error_t *err);

#endif
