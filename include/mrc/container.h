/* The container lifecycle: one function per verb, called by src/cli/.
 *
 * State machine (status is derived from the live system, never trusted
 * from the file alone).  The picture; the rule every verb checks, with the
 * error each refusal gives, is the table in src/lifecycle/transitions.c:
 *
 *   (none) --create--> created --start--> running --init exits--> stopped
 *                         |                  |  ^                     |
 *                         |               pause resume                |
 *                         |                  v  |                     |
 *                         |                 paused                    |
 *                         +------------- delete [--force] ------------+--> (none)
 */
#ifndef MRC_CONTAINER_H
#define MRC_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/globals.h"
#include "mrc/launch.h"
#include "mrc/state.h"

struct mrc_create_opts
{
  const char *id;
  const char *bundle;         /* NULL: the current directory */
  const char *pid_file;       /* NULL: none */
  const char *console_socket; /* NULL: none */
  const char *pidfd_socket;   /* NULL: none */
  struct mrc_launch_flags launch; /* --no-pivot, --no-new-keyring,
                                     --preserve-fds: for the child */
  bool detach;                /* run -d */
  bool keep;                  /* run --keep: do not delete after exit */
  bool foreground;            /* run without -d: may relay a terminal */
};

int mrc_container_create (const struct mrc_globals *g,
                          const struct mrc_create_opts *o,
                          mrc_error_t *err) MRC_WUR;

int mrc_container_start (const struct mrc_globals *g, const char *id,
                         mrc_error_t *err) MRC_WUR;

/* create + start; in the foreground, forward signals and wait: *STATUS is
 * the container's exit status (128+N for signal N). */
int mrc_container_run (const struct mrc_globals *g,
                       const struct mrc_create_opts *o, int *status,
                       mrc_error_t *err) MRC_WUR;

/* Live state; caller clears it with mrc_state_clear. */
int mrc_container_state (const struct mrc_globals *g, const char *id,
                         struct mrc_state *st, mrc_error_t *err) MRC_WUR;

int mrc_container_kill (const struct mrc_globals *g, const char *id, int sig,
                        bool all, mrc_error_t *err) MRC_WUR;

int mrc_container_delete (const struct mrc_globals *g, const char *id,
                          bool force, mrc_error_t *err) MRC_WUR;

struct mrc_exec_opts
{
  const char *id;
  const char *process_file;   /* --process: an OCI process JSON */
  char **args;                /* the command, when no --process */
  bool tty;
  const char *console_socket;
  bool detach;
  const char *pid_file;
  char **env;                 /* -e K=V, appended */
  const char *user;           /* -u uid[:gid] */
  char **additional_gids;     /* -g */
  const char *cwd;
  char **caps;                /* --cap, added to bounding/effective/permitted */
  bool no_new_privs;
  bool ignore_paused;         /* exec into a paused container: the process
                                 then waits, frozen, for resume */
  char **cgroups;             /* --cgroup [CONTROLLER[,...]:]PATH: join
                                 these sub-cgroups of the container's */
  struct mrc_launch_flags launch; /* --preserve-fds (the rest comes from
                                     the container's state) */
  int inherited_fds;          /* from the globals: see main.c */
};

/* Run a process in a running container.  Detached: returns once it runs.
 * Otherwise waits: *STATUS is its exit status (128+N for a signal).  When
 * the exec itself fails, the error's status is 255. */
int mrc_container_exec (const struct mrc_globals *g,
                        const struct mrc_exec_opts *o, int *status,
                        mrc_error_t *err) MRC_WUR;

/* The host pids of a running container's processes. */
int mrc_container_ps (const struct mrc_globals *g, const char *id,
                      pid_t **pids, size_t *n, mrc_error_t *err) MRC_WUR;

/* pause (PAUSE true) or resume through cgroup.freeze, waiting until the
 * kernel reports it done. */
int mrc_container_pause (const struct mrc_globals *g, const char *id,
                         bool pause, mrc_error_t *err) MRC_WUR;

/* Apply new limits to a running container, all or nothing. */
int mrc_container_update (const struct mrc_globals *g, const char *id,
                          const struct mrc_resources *res,
                          mrc_error_t *err) MRC_WUR;

/* runc's events: with STATS_ONCE one {"type":"stats"} line; otherwise a
 * stats line every INTERVAL_MS and an {"type":"oom"} line per new OOM kill,
 * until the container stops. */
int mrc_container_events (const struct mrc_globals *g, const char *id,
                          bool stats_once, int interval_ms,
                          mrc_error_t *err) MRC_WUR;

/* The runtime-spec features document of this build. */
int mrc_features_json (char **out, size_t *len, mrc_error_t *err) MRC_WUR;

/* What the features document says about cgroups ("v1", "v2", "systemd",
 * "systemdUser", "rdma"): true only for what the build implements. */
bool mrc_features_cgroup (const char *key);

/* Every container under --root, sorted by creation time. */
int mrc_container_list (const struct mrc_globals *g, struct mrc_state ***out,
                        size_t *n, mrc_error_t *err) MRC_WUR;
void mrc_container_list_free (struct mrc_state **list, size_t n);

#endif
