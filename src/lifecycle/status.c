#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/proc.h"
#include "mrc/statedir.h"
#include "mrc/sync.h"
#include "lifecycle-internal.h"

/* How long a held lock is looked at again before it counts as a live
 * create: a create killed right after its clone leaves the new init
 * holding the lock until its first step closes it, a few microseconds
 * later (src/process/init.c), and a reader must not take that for a
 * create in progress. */
#define CREATOR_GRACE_MS 20

/* Whether a create still holds DIR_FD's lock: probed on a new open file
 * description, so a lock of our own is never converted or released. */
static bool
creator_alive (int dir_fd)
{
  cleanup_close int fd = openat (dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return false;
  for (int waited = 0;; waited++)
    {
      if (flock (fd, LOCK_SH | LOCK_NB) == 0)
        return false; /* closing fd drops the probe's lock */
      if (errno != EWOULDBLOCK)
        return false;
      if (waited == CREATOR_GRACE_MS)
        return true;
      usleep (1000);
    }
}

static int
is_frozen (const struct mrc_state *st, bool *frozen, mrc_error_t *err)
{
  struct mrc_cgroup cg = mrc_state_cgroup (st);
  *frozen = false;
  return mrc_cgroup_present (&cg) ? mrc_cgroup_is_frozen (&cg, frozen, err)
                                  : 0;
}

void
mrc_status_refresh (int dir_fd, bool locked, struct mrc_state *st)
{
  if (st->status == MRC_STATUS_CREATING && !locked && creator_alive (dir_fd))
    return; /* still being created: `creating`, as the runtime-spec has it */
  if (st->status == MRC_STATUS_CREATING
      || !mrc_proc_alive (st->pid, st->pid_start_time))
    {
      st->status = MRC_STATUS_STOPPED;
      st->pid = 0;
      return;
    }
  bool frozen = false;
  mrc_error_t ignored = NULL;
  if (faccessat (dir_fd, MRC_EXEC_SOCK, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    st->status = MRC_STATUS_CREATED;
  else if (is_frozen (st, &frozen, &ignored) == 0 && frozen)
    st->status = MRC_STATUS_PAUSED;
  else
    st->status = MRC_STATUS_RUNNING;
  mrc_error_free (&ignored);
}

int
mrc_container_open (const char *root, const char *id, int lock_op,
                    int *root_fd, int *dir_fd, struct mrc_state *st,
                    mrc_error_t *err)
{
  if (mrc_id_validate (id, err) < 0)
    return -1;
  cleanup_close int rfd = -1, dfd = -1;
  if (mrc_statedir_open_root (root, false, &rfd, err) < 0)
    {
      if ((*err)->errnum == ENOENT)
        return mrc_error_code (err, ENOENT, "container does not exist: `%s`",
                              id);
      return -1;
    }
  if (mrc_statedir_open (rfd, id, lock_op, &dfd, err) < 0)
    return -1;
  if (mrc_statedir_load (dfd, st, err) < 0)
    {
      /* no state.json: a create still running or killed half-way */
      if ((*err)->errnum == ENOENT)
        return mrc_error_code (err, ENOENT, "container does not exist: `%s`",
                               id);
      char where[PATH_MAX];
      mrc_statedir_path (dfd, where, sizeof where);
      cleanup_free char *why = strdup ((*err)->msg);
      return mrc_fail (err, "container `%s`: damaged state in `%s`: %s "
                            "(`delete --force` removes the container)",
                       id, where, why ? why : "?");
    }
  mrc_status_refresh (dfd, lock_op == LOCK_EX, st);
  *root_fd = steal_fd (&rfd);
  *dir_fd = steal_fd (&dfd);
  return 0;
}
