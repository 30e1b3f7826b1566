/* The channels between the runtime and the processes it starts: each a
 * SOCK_SEQPACKET socketpair, so every message arrives whole.  They carry
 * sync points, errors, log lines and fds; the child inherited the launch
 * plan in memory (mini-runc never re-executes itself).
 *
 * Every message of every channel (the source of truth is the table in
 * src/process/sync.c, which gives each its name and whether it carries an
 * fd):
 *
 *   message      sender   channel      payload          meaning
 *   -----------  -------  -----------  ---------------  ---------------------
 *   MAPS_DONE    runtime  create       -                ids mapped, rlimits
 *                                                       set: become root
 *   LOG          child    create,exec  level, text      a log line: the
 *                                                       runtime writes it
 *   ERROR        child    all three    errno, text      setup failed; the
 *                                                       sender exits
 *   READY        child    create,exec  -                setup done
 *                helper   helper       pidfd, pid text  the init is cloned
 *   GO           runtime  create       -                state recorded: wait
 *                                                       for `start`
 *   HOOKS        child    create       -                mounts done: run
 *                                                       prestart and
 *                                                       createRuntime
 *   HOOKS_DONE   runtime  create       -                they ran: pivot
 *   SECCOMP_FD   child    create,exec  fd               the seccomp notify
 *                                                       listener
 *   PTY_MASTER   child    create,exec  fd, name         the pty master for a
 *                                                       foreground relay
 *   BIND_SOURCE  child    create       mounts[] index   [user ns] open this
 *                                                       bind's source for me
 *   SOURCE_FD    runtime  create       fd, or none      the source, opened
 *                                                       through the init's
 *                                                       root; none: open it
 *                                                       yourself
 *
 * create (mini-runc create/run and the container's init):
 *
 *   runtime                                    init
 *   -------                                    ----
 *   socketpair, listen on <state>/exec.sock
 *   clone3 (or the helper below) ------------> its steps (src/process/
 *   [user ns] rlimits; [new one] the maps      steps.c) up to the user
 *                 MAPS_DONE  ---------------->   maps: setresuid(0,0,0)
 *                       <----------------  LOG (any number, any time)
 *                       <----------------  BIND_SOURCE i ([user ns] each
 *   open mounts[i]'s source through             bind of mounts[], in order)
 *   /proc/<init>/root
 *                 SOURCE_FD  ---------------->
 *                       <----------------  HOOKS (hooks to run; before
 *   prestart, createRuntime                     pivot_root)
 *                 HOOKS_DONE ---------------->
 *                       <----------------  PTY_MASTER, SECCOMP_FD (each
 *                                               when the config asks)
 *                       <----------------  ERROR (then the init _exits)
 *                       <----------------  READY
 *   write state.json and the pid file
 *                 GO         ---------------->  close the channel; block in
 *                                               accept() on exec.sock
 *   exit (create) or release and wait (run)
 *                                               `start` connects and sends
 *                                               one byte; execve; the
 *                                               connection closes on exec
 *                                               (start sees EOF) or carries
 *                                               the exec error
 *
 * If the runtime dies before GO, the init reads EOF and exits, so a killed
 * `create` never leaves a waiting init without a state.json behind it.
 *
 * exec (mini-runc exec and the new process): the same messages from the
 * child but MAPS_DONE, HOOKS, GO are never sent; after READY the channel's
 * end (it is close-on-exec) means the program runs, an ERROR after READY
 * that execve failed, an end without READY that the child died.
 *
 * helper (a create that joins namespaces by path, src/process/spawn.c):
 * the helper joins them, clones the init and sends one message, READY with
 * the init's pidfd and its pid as text, or ERROR; then it exits.
 */
#ifndef MRC_SYNC_H
#define MRC_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
  MRC_SYNC_BIND_SOURCE, /* child: open mounts[value]'s bind source for me */
  MRC_SYNC_SOURCE_FD,   /* parent: that source (SCM_RIGHTS), or none */
};

#define MRC_SYNC_TEXT_MAX 4000

struct mrc_sync_msg
{
  uint32_t type;
  int32_t value; /* errno for ERROR, level for LOG */
  char text[MRC_SYNC_TEXT_MAX];
};

/* The name of a message type ("MAPS_DONE"), for errors. */
const char *mrc_sync_name (uint32_t type);

/* Typed senders, one per message; each returns -1 with errno set when the
 * peer is gone.  TEXT is truncated to fit. */
int mrc_sync_maps_done (int fd) MRC_WUR;      /* runtime -> init */
int mrc_sync_go (int fd) MRC_WUR;             /* runtime -> init */
int mrc_sync_ready (int fd) MRC_WUR;          /* child -> runtime */
int mrc_sync_log (int fd, int level, const char *text) MRC_WUR;
/* SECCOMP_FD or PTY_MASTER with PASSFD (SCM_RIGHTS) */
int mrc_sync_pass_fd (int fd, enum mrc_sync_type type, int passfd,
                      const char *text) MRC_WUR;
/* helper -> runtime: READY with the init's PIDFD and PID */
int mrc_sync_cloned (int fd, int pidfd, pid_t pid) MRC_WUR;

/* Child side: ask for the hooks (HOOKS) and wait for HOOKS_DONE. */
int mrc_sync_hooks (int fd, mrc_error_t *err) MRC_WUR;

/* Child side, in a user namespace: ask the runtime for the source of the
 * bind mounts[INDEX] (BIND_SOURCE) and wait for SOURCE_FD.  *SRCFD gets
 * the fd, or -1 when the runtime left the source for us to open. */
int mrc_sync_bind_source (int fd, size_t index, int *srcfd,
                          mrc_error_t *err) MRC_WUR;

/* Child side: wait for WANT from the runtime; EOF (the runtime went away)
 * and any other message are errors. */
int mrc_sync_wait (int fd, enum mrc_sync_type want, mrc_error_t *err) MRC_WUR;

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
  /* MRC_SYNC_BIND_SOURCE: an O_PATH fd of mounts[INDEX]'s source into *FD
     (-1: the child opens it itself); the collector answers SOURCE_FD and
     closes it.  Without this handler the request is an error. */
  int (*on_bind_source) (void *arg, size_t index, int *fd, mrc_error_t *err);
};

/* Parent side: read messages, writing LOG lines to the log, until READY
 * (returns 0), EOF (returns 1: the child exited, or executed its program
 * since the channel is close-on-exec) or an ERROR (returns -1 with the
 * child's message and errno in *ERR). */
int mrc_sync_collect (int fd, const struct mrc_sync_handlers *h,
                      mrc_error_t *err) MRC_WUR;

/* Child (or helper) side: send *ERR as an ERROR message (best effort). */
void mrc_sync_send_error (int fd, mrc_error_t *err);

#endif
