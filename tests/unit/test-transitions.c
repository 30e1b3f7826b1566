/* Unit tests of the state machine table (src/lifecycle/transitions.c):
 * every verb in every status, with the exact error text and errnum the
 * verbs gave when each checked the status by itself (bats tests and
 * runc's callers match these strings). */
#define _GNU_SOURCE
#include <errno.h>

#include "../../src/lifecycle/lifecycle-internal.h"
#include "tap.h"

#define NSTATUS (MRC_STATUS_STOPPED + 1)

struct cell
{
  const char *msg; /* NULL: allowed */
  int errnum;
};

struct row
{
  enum mrc_verb verb;
  const char *name;
  /* creating, created, running, paused, stopped */
  struct cell cells[NSTATUS];
};

#define OK { NULL, 0 }
#define NOT_RUNNING { "container not running", ESRCH }

static const struct row rows[] = {
  { MRC_VERB_START, "start",
    { { "cannot start an already creating container", 0 }, OK,
      { "cannot start an already running container", 0 },
      { "cannot start an already paused container", 0 },
      { "cannot start a container that has stopped", 0 } } },
  { MRC_VERB_PAUSE, "pause",
    { { "cannot pause a creating container: container not running", 0 },
      { "cannot pause a created container: container not running", 0 }, OK,
      { "cannot pause a paused container: container not running", 0 },
      NOT_RUNNING } },
  { MRC_VERB_RESUME, "resume",
    { { "cannot resume a creating container: container not paused", 0 },
      { "cannot resume a created container: container not paused", 0 },
      { "cannot resume a running container: container not paused", 0 }, OK,
      NOT_RUNNING } },
  { MRC_VERB_KILL, "kill", { OK, OK, OK, OK, NOT_RUNNING } },
  /* a stopped container's leftovers, as runc */
  { MRC_VERB_KILL_ALL, "kill --all", { OK, OK, OK, OK, OK } },
  { MRC_VERB_UPDATE, "update", { OK, OK, OK, OK, NOT_RUNNING } },
  { MRC_VERB_EVENTS, "events", { OK, OK, OK, OK, NOT_RUNNING } },
  { MRC_VERB_DELETE, "delete",
    { { "cannot delete container `c1` that is not stopped: creating (use "
        "--force)", 0 },
      OK,
      { "cannot delete container `c1` that is not stopped: running (use "
        "--force)", 0 },
      { "cannot delete container `c1` that is not stopped: paused (use "
        "--force)", 0 },
      OK } },
  { MRC_VERB_DELETE_FORCE, "delete --force", { OK, OK, OK, OK, OK } },
  { MRC_VERB_EXEC, "exec",
    { { "cannot exec in a creating container", 0 },
      { "cannot exec in a created container", 0 }, OK,
      { "cannot exec in a paused container (use --ignore-paused)", 0 },
      { "cannot exec in a stopped container: container not running",
        ESRCH } } },
  { MRC_VERB_EXEC_IGNORE_PAUSED, "exec --ignore-paused",
    { { "cannot exec in a creating container", 0 },
      { "cannot exec in a created container", 0 }, OK, OK,
      { "cannot exec in a stopped container: container not running",
        ESRCH } } },
};

static void
check_cell (const struct row *row, enum mrc_status s)
{
  const struct cell *want = &row->cells[s];
  struct mrc_state st = { .id = (char *) "c1", .status = s };
  mrc_error_t err = NULL;
  int r = mrc_status_allows (row->verb, &st, &err);
  if (want->msg == NULL)
    {
      ok (r == 0 && err == NULL, "%s in a %s container is allowed",
          row->name, mrc_status_name (s));
      mrc_error_free (&err);
      return;
    }
  ok (r == -1 && err != NULL, "%s in a %s container is refused", row->name,
      mrc_status_name (s));
  is_str (err ? err->msg : NULL, want->msg, "  with its message");
  is_int (err ? err->errnum : -1, want->errnum, "  and its errnum");
  mrc_error_free (&err);
}

int
main (void)
{
  is_int ((int) (sizeof rows / sizeof rows[0]), MRC_NVERBS,
          "every verb has a row");
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    for (int s = 0; s < NSTATUS; s++)
      check_cell (&rows[i], (enum mrc_status) s);
  return done_testing ();
}
