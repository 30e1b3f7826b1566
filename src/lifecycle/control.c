/* pause, resume, update, events: the verbs that act on a running
 * container's cgroup. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/fault.h"
#include "mrc/container.h"
#include "mrc/file.h"
#include "lifecycle-internal.h"

/* Open and lock ID, and make sure VERB may act on it and it has a cgroup. */
static int
open_live (const struct mrc_globals *g, const char *id, int lock_op,
           enum mrc_verb verb, struct mrc_state *st, mrc_error_t *err)
{
  cleanup_close int root_fd = -1, dir_fd = -1;
  if (mrc_container_open (g->root, id, lock_op, &root_fd, &dir_fd, st, err) < 0
      || mrc_status_allows (verb, st, err) < 0)
    return -1;
  struct mrc_cgroup cg = mrc_state_cgroup (st);
  if (!mrc_cgroup_present (&cg))
    return mrc_fail (err, "container `%s` has no cgroup of its own: it was "
                          "created rootless, where the user could make "
                          "none (a delegated cgroup v2 subtree gives one, "
                          "see ROOTLESS in mini-runc(8))",
                     id);
  return 0;
}

int
mrc_container_pause (const struct mrc_globals *g, const char *id, bool pause,
                     mrc_error_t *err)
{
  struct mrc_state st = { 0 };
  int r = open_live (g, id, LOCK_EX, pause ? MRC_VERB_PAUSE : MRC_VERB_RESUME,
                     &st, err);
  struct mrc_cgroup cg = mrc_state_cgroup (&st);
  if (r == 0)
    r = mrc_cgroup_freeze (&cg, pause, err);
  mrc_state_clear (&st);
  return r;
}

int
mrc_container_update (const struct mrc_globals *g, const char *id,
                      const struct mrc_resources *res, mrc_error_t *err)
{
  struct mrc_state st = { 0 };
  int r = open_live (g, id, LOCK_EX, MRC_VERB_UPDATE, &st, err);
  /* all or nothing: a failure restores the old values, so the container
     keeps the limits it had */
  struct mrc_cgroup cg = mrc_state_cgroup (&st);
  if (r == 0)
    mrc_fault (NULL, "update:locked");
  if (r == 0)
    r = mrc_cgroup_update (&cg, res, err);
  if (r == 0)
    mrc_fault (NULL, "update:applied");
  mrc_state_clear (&st);
  return r;
}

static int
print_line (const char *json, size_t len)
{
  if (mrc_write_all (STDOUT_FILENO, json, len) < 0
      || mrc_write_all (STDOUT_FILENO, "\n", 1) < 0)
    return -1;
  return 0;
}

/* One round of `events`: stats when asked, an oom event when the count
 * went up.  Returns 1 when the container has stopped. */
static int
events_round (const struct mrc_globals *g, const char *id, bool stats,
              uint64_t *ooms, mrc_error_t *err)
{
  struct mrc_state st = { 0 };
  cleanup_free char *json = NULL;
  size_t len;
  int r = open_live (g, id, 0, MRC_VERB_EVENTS, &st, err);
  if (r < 0)
    {
      mrc_state_clear (&st);
      if ((*err)->errnum != ESRCH && (*err)->errnum != ENOENT)
        return -1;
      mrc_error_free (err);
      return 1;
    }
  uint64_t n = 0;
  mrc_error_t ignored = NULL;
  struct mrc_cgroup cg = mrc_state_cgroup (&st);
  if (mrc_cgroup_oom_count (&cg, &n, &ignored) < 0)
    mrc_error_free (&ignored); /* no memory controller: no oom events */
  else if (n > *ooms)
    {
      char line[512];
      int k = snprintf (line, sizeof line, "{\"type\":\"oom\",\"id\":\"%s\"}",
                        id);
      *ooms = n;
      if (print_line (line, (size_t) k) < 0)
        r = mrc_fail_errno (err, "events: write");
    }
  if (r == 0 && stats
      && (mrc_cgroup_stats_json (&cg, id, &json, &len, err) < 0
          || print_line (json, len) < 0))
    r = *err ? -1 : mrc_fail_errno (err, "events: write");
  mrc_state_clear (&st);
  return r;
}

int
mrc_container_events (const struct mrc_globals *g, const char *id,
                      bool stats_once, int interval_ms, mrc_error_t *err)
{
  uint64_t ooms = 0;
  struct mrc_state st = { 0 };
  if (open_live (g, id, 0, MRC_VERB_EVENTS, &st, err) < 0)
    {
      mrc_state_clear (&st);
      return -1;
    }
  /* oom events are the ones after we started watching */
  mrc_error_t ignored = NULL;
  struct mrc_cgroup cg = mrc_state_cgroup (&st);
  if (mrc_cgroup_oom_count (&cg, &ooms, &ignored) < 0)
    {
      mrc_error_free (&ignored);
      ooms = 0;
    }
  mrc_state_clear (&st);
  if (stats_once)
    return events_round (g, id, true, &ooms, err) < 0 ? -1 : 0;
  for (;;)
    {
      int r = events_round (g, id, true, &ooms, err);
      if (r != 0)
        return r < 0 ? -1 : 0;
      struct timespec ts = { interval_ms / 1000,
                             (long) (interval_ms % 1000) * 1000000L };
      while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
        ;
    }
}
