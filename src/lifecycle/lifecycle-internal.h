/* Shared between the files of src/lifecycle only; callers use
 * mrc/container.h. */
#ifndef MRC_LIFECYCLE_INTERNAL_H
#define MRC_LIFECYCLE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mrc/cgroup.h"
#include "mrc/container.h"
#include "mrc/error.h"
#include "mrc/hooks.h"
#include "mrc/launch.h"
#include "mrc/process.h"
#include "mrc/spec.h"
#include "mrc/state.h"

/* ------------------------------------ state machine (transitions.c) -- */

/* The verbs whose way depends on the container's status; a flag that
 * changes what is allowed makes a verb of its own. */
enum mrc_verb
{
  MRC_VERB_START,
  MRC_VERB_PAUSE,
  MRC_VERB_RESUME,
  MRC_VERB_KILL,
  MRC_VERB_KILL_ALL,
  MRC_VERB_UPDATE,
  MRC_VERB_EVENTS,
  MRC_VERB_DELETE,
  MRC_VERB_DELETE_FORCE,
  MRC_VERB_EXEC,
  MRC_VERB_EXEC_IGNORE_PAUSED,
  MRC_NVERBS
};

/* 0 when VERB may act on a container whose live state is ST; otherwise -1
 * with the error the table gives (errnum ESRCH: not running). */
int mrc_status_allows (enum mrc_verb verb, const struct mrc_state *st,
                       mrc_error_t *err) MRC_WUR;

/* ---------------------------------- live status (status.c, signal.c) -- */

/* The cgroup record of ST, borrowed: valid while ST is; no fd. */
static inline struct mrc_cgroup
mrc_state_cgroup (const struct mrc_state *st)
{
  struct mrc_cgroup cg = MRC_CGROUP_INIT;
  cg.path = st->cgroup_path;
  cg.created_from = st->cgroup_created_from;
  cg.v1 = st->cgroup_v1;
  cg.n_v1 = st->n_cgroup_v1;
  cg.v1_created = st->cgroup_v1_created;
  cg.n_v1_created = st->n_cgroup_v1_created;
  return cg;
}

/* Derive the live status (LOCKED: the caller holds the state dir's lock,
 * so a `creating` record means its creator died): the init must exist
 * with the recorded start time
 * (so a recycled pid is not mistaken for it); while exec.sock exists it is
 * still waiting for `start`.  A stopped container reports pid 0. */
void mrc_status_refresh (int dir_fd, bool locked, struct mrc_state *st);

/* Open the state root, open+lock <id> (LOCK_EX/LOCK_SH), load and refresh
 * its state.  *DIR_FD stays open (and locked) for the caller. */
int mrc_container_open (const char *root, const char *id, int lock_op,
                        int *root_fd, int *dir_fd, struct mrc_state *st,
                        mrc_error_t *err) MRC_WUR;

/* A pidfd of the container's init: the recorded pid, if it still has the
 * recorded start time and is in the container's cgroup; otherwise
 * "container not running" (errnum ESRCH).  Every use of a recorded pid
 * (a signal, setns) goes through it. */
int mrc_container_init_pidfd (const struct mrc_state *st,
                              mrc_error_t *err) MRC_WUR;

/* SIGKILL the container's processes and wait until the init is gone. */
int mrc_container_stop_all (const struct mrc_state *st, mrc_error_t *err) MRC_WUR;

/* Signal the init, or with ALL every process of its pid namespace. */
int mrc_container_signal (const struct mrc_state *st, int sig, bool all,
                          mrc_error_t *err) MRC_WUR;

/* The host pids of the container's processes, the init first. */
int mrc_container_pids (const struct mrc_state *st, pid_t **pids, size_t *n,
                        mrc_error_t *err) MRC_WUR;

/* --------------------------------------------- post* hooks (hooks.c) -- */

/* post* hooks taken out of the state dir under its lock, run after. */
struct mrc_post_hooks
{
  struct mrc_spec *spec; /* NULL: nothing to run */
  char *json;
  size_t len;
  enum mrc_hook_kind kind;
};

/* Read the KIND hooks of the config saved in DIR_FD with ST as their
 * state (problems are warnings: these hooks cannot fail a verb). */
void mrc_post_hooks_prepare (int dir_fd, const struct mrc_state *st,
                             enum mrc_hook_kind kind,
                             struct mrc_post_hooks *out);

/* Run them (failures warn) and free; a zeroed struct is fine. */
void mrc_post_hooks_run (struct mrc_post_hooks *h);

/* ----------------------------------- start and delete under the lock -- */

/* Start a container whose state dir DIR_FD is locked and whose live state
 * is ST.  Its poststart hooks land in *POST, for the caller to run once it
 * has let go of the lock. */
int mrc_start_locked (int dir_fd, const struct mrc_state *st,
                      struct mrc_post_hooks *post, mrc_error_t *err) MRC_WUR;

/* delete with the state dir DIR_FD already locked (see delete.c); the
 * poststop hooks land in *POST, to run once the lock is gone. */
int mrc_delete_locked (int root_fd, int dir_fd, const char *id, bool force,
                       struct mrc_post_hooks *post, mrc_error_t *err) MRC_WUR;

/* ------------------------------------------ NOTIFY_SOCKET (notify.c) -- */

/* The container's socket, STATE_DIR/MRC_NOTIFY_DIR/MRC_NOTIFY_SOCK. */
#define MRC_NOTIFY_DIR "notify"
#define MRC_NOTIFY_SOCK "notify.sock"

/* create: when NOTIFY_SOCKET is set, add the container's notify socket
 * directory (STATE_DIR/notify, made in DIR_FD) as a bind mount at
 * /run/notify and point the process's NOTIFY_SOCKET there. */
int mrc_notify_prepare (struct mrc_spec *spec, int dir_fd,
                        const char *state_dir, mrc_error_t *err) MRC_WUR;

/* start: bind the container's socket (*OUT -1 when there is nothing to
 * forward). */
int mrc_notify_listen (int dir_fd, int *out, mrc_error_t *err) MRC_WUR;

/* Wait for READY=1 from the container (or its init's exit) and forward
 * MAINPID and the message to the caller's NOTIFY_SOCKET. */
int mrc_notify_forward (int sock, pid_t pid, uint64_t start_time,
                        mrc_error_t *err) MRC_WUR;

/* --------------------------------------------- exec (exec_process.c) -- */

/* The process to exec: --process FILE parsed and validated with the strict
 * parser, or the container's config.json process with the command line's
 * args, env, user, groups, cwd, caps, no-new-privs and tty (taken out of
 * SPEC, the container's loaded config). */
int mrc_exec_build_process (const struct mrc_exec_opts *o,
                            struct mrc_spec *spec, struct mrc_process **out,
                            mrc_error_t *err) MRC_WUR;

/* ------------------------------------------ create, for run (create.c) -- */

/* What create made, for run to go on with or undo. */
struct mrc_created
{
  struct mrc_spec *spec;
  char *config; /* config.json as read */
  size_t config_len;
  char *bundle;
  char *rootfs;
  char *state_dir; /* absolute: <root>/<id> */
  int root_fd;
  int dir_fd; /* locked exclusively */
  int console_fd; /* connected --console-socket, or -1 */
  struct mrc_cgroup cg;
  bool cgroup_made;   /* cg exists: undo removes it */
  struct mrc_cgroup own_cgroup; /* rootless without cg: the caller's, for
                                   the `cgroup` mount only */
  struct mrc_cgroup_procs cgroup_procs;
  struct mrc_setup_cgroup_v1 *cgroup_v1; /* for a `cgroup` mount (v1) */
  size_t n_cgroup_v1;
  char *cgroup_dir; /* cgroup2 dir's file system path */
  bool systemd_cgroup;
  struct mrc_launch plan; /* the init's launch plan */
  bool plan_prepared;
  struct mrc_spawned init;
  const char *pid_file;
  bool pid_file_written;
};

int mrc_create_common (const struct mrc_globals *g,
                       const struct mrc_create_opts *o, struct mrc_created *c,
                       mrc_error_t *err) MRC_WUR;
/* create-cgroup.c: make C->cg (rootless: as far as the user may), and
 * what the container's `cgroup` mount shows of it. */
int mrc_created_make_cgroup (const struct mrc_globals *g, struct mrc_created *c,
                             const struct mrc_linux *l, bool *changed,
                             mrc_error_t *err) MRC_WUR;
int mrc_created_cgroup_view (struct mrc_created *c, mrc_error_t *err) MRC_WUR;
/* Kill the init, remove the pid file and the state dir. */
void mrc_created_undo (const struct mrc_globals *g, const char *id,
                       struct mrc_created *c);
/* Free memory and close fds (the container lives on). */
void mrc_created_release (struct mrc_created *c);

#endif
