/* The container state machine as one table: for each verb and each live
 * status, whether the verb may go on, and if not the error it fails with.
 * include/mrc/container.h draws the same machine; this table is the rule
 * every verb checks (state, list and ps take any status: a stopped
 * container lists no processes).
 *
 * A refused cell carries its message and the errnum callers test: ESRCH
 * is "not running", which `events` takes as the end of the container and
 * runc's callers match.  In a message %1$s is the status's name and %2$s
 * the container's id (a cell may use either, both or neither). */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>

#include "lifecycle-internal.h"

struct refusal
{
  int errnum;
  const char *fmt; /* NULL: allowed */
};

#define NSTATUS (MRC_STATUS_STOPPED + 1)

#define NOT_RUNNING { ESRCH, "container not running" }
#define START_AGAIN { 0, "cannot start an already %1$s container" }
#define PAUSE_NOT_RUNNING                                                     \
  { 0, "cannot pause a %1$s container: container not running" }
#define RESUME_NOT_PAUSED                                                     \
  { 0, "cannot resume a %1$s container: container not paused" }
#define DELETE_NOT_STOPPED                                                    \
  { 0, "cannot delete container `%2$s` that is not stopped: %1$s "          \
       "(use --force)" }
#define EXEC_NOT_STARTED { 0, "cannot exec in a %1$s container" }
#define EXEC_STOPPED                                                          \
  { ESRCH, "cannot exec in a stopped container: container not running" }

static const struct refusal table[MRC_NVERBS][NSTATUS] = {
  [MRC_VERB_START] = {
    [MRC_STATUS_CREATING] = START_AGAIN,
    [MRC_STATUS_RUNNING] = START_AGAIN,
    [MRC_STATUS_PAUSED] = START_AGAIN,
    [MRC_STATUS_STOPPED] = { 0, "cannot start a container that has stopped" },
  },
  [MRC_VERB_PAUSE] = {
    [MRC_STATUS_CREATING] = PAUSE_NOT_RUNNING,
    [MRC_STATUS_CREATED] = PAUSE_NOT_RUNNING,
    [MRC_STATUS_PAUSED] = PAUSE_NOT_RUNNING,
    [MRC_STATUS_STOPPED] = NOT_RUNNING,
  },
  [MRC_VERB_RESUME] = {
    [MRC_STATUS_CREATING] = RESUME_NOT_PAUSED,
    [MRC_STATUS_CREATED] = RESUME_NOT_PAUSED,
    [MRC_STATUS_RUNNING] = RESUME_NOT_PAUSED,
    [MRC_STATUS_STOPPED] = NOT_RUNNING,
  },
  [MRC_VERB_KILL] = { [MRC_STATUS_STOPPED] = NOT_RUNNING },
  /* like runc: --all still reaches what is left in a stopped container's
     cgroup.  containerd's shim runs `kill --all ID 9` once the init of a
     container sharing a pid namespace (a pod's, the host's) has exited,
     to end the children it left behind. */
  [MRC_VERB_KILL_ALL] = { { 0, NULL } },
  [MRC_VERB_UPDATE] = { [MRC_STATUS_STOPPED] = NOT_RUNNING },
  [MRC_VERB_EVENTS] = { [MRC_STATUS_STOPPED] = NOT_RUNNING },
  /* like runc: a container that never started goes without --force */
  [MRC_VERB_DELETE] = {
    [MRC_STATUS_CREATING] = DELETE_NOT_STOPPED,
    [MRC_STATUS_RUNNING] = DELETE_NOT_STOPPED,
    [MRC_STATUS_PAUSED] = DELETE_NOT_STOPPED,
  },
  [MRC_VERB_DELETE_FORCE] = { { 0, NULL } },
  [MRC_VERB_EXEC] = {
    [MRC_STATUS_CREATING] = EXEC_NOT_STARTED,
    [MRC_STATUS_CREATED] = EXEC_NOT_STARTED,
    [MRC_STATUS_PAUSED] = { 0, "cannot exec in a paused container (use "
                               "--ignore-paused)" },
    [MRC_STATUS_STOPPED] = EXEC_STOPPED,
  },
  /* it joins the frozen cgroup: frozen until resume */
  [MRC_VERB_EXEC_IGNORE_PAUSED] = {
    [MRC_STATUS_CREATING] = EXEC_NOT_STARTED,
    [MRC_STATUS_CREATED] = EXEC_NOT_STARTED,
    [MRC_STATUS_STOPPED] = EXEC_STOPPED,
  },
};

int
mrc_status_allows (enum mrc_verb verb, const struct mrc_state *st,
                   mrc_error_t *err)
{
  const struct refusal *r = &table[verb][st->status];
  if (r->fmt == NULL)
    return 0;
  return mrc_error_code (err, r->errnum, r->fmt, mrc_status_name (st->status),
                         st->id ? st->id : "");
}
