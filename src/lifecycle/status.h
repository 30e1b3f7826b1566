#ifndef MRC_LIFECYCLE_STATUS_H
#define MRC_LIFECYCLE_STATUS_H

#include <stdbool.h>
#include <sys/types.h>

#include "mrc/cgroup.h"
#include "mrc/error.h"
#include "mrc/state.h"

/* The cgroup record of ST, borrowed: valid while ST is; no fd. */
static inline struct mrc_cgroup
mrc_state_cgroup (const struct mrc_state *st)
{
  struct mrc_cgroup cg = {
    st->cgroup_path, -1, st->cgroup_created_from,
    st->cgroup_v1, st->n_cgroup_v1,
    st->cgroup_v1_created, st->n_cgroup_v1_created,
  };
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

/* SIGKILL the container's processes and wait until the init is gone. */
int mrc_container_stop_all (const struct mrc_state *st, mrc_error_t *err) MRC_WUR;

/* Signal the init, or with ALL every process of its pid namespace. */
int mrc_container_signal (const struct mrc_state *st, int sig, bool all,
                          mrc_error_t *err) MRC_WUR;

/* The host pids of the container's processes, the init first. */
int mrc_container_pids (const struct mrc_state *st, pid_t **pids, size_t *n,
                        mrc_error_t *err) MRC_WUR;

#endif
