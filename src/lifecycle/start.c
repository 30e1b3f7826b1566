#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fault.h"
#include "mrc/log.h"
#include "mrc/container.h"
#include "mrc/process.h"
#include "mrc/statedir.h"
#include "mrc/sync.h"
#include <string.h>

#include "lifecycle-internal.h"

int
mrc_start_locked (int dir_fd, const struct mrc_state *st,
                  struct mrc_post_hooks *post, mrc_error_t *err)
{
  memset (post, 0, sizeof *post);
  if (mrc_status_allows (MRC_VERB_START, st, err) < 0)
    return -1;
  int r = mrc_barrier_release (dir_fd, err);
  mrc_fault (NULL, "start:released");
  /* Released (or failed for good): the barrier is spent either way, and its
     absence is what makes the status read `running`. */
  if (unlinkat (dir_fd, MRC_EXEC_SOCK, 0) < 0 && errno != ENOENT && r == 0)
    return mrc_fail_errno (err, "remove exec barrier");
  if (r == 0)
    {
      struct mrc_state running = *st;
      running.status = MRC_STATUS_RUNNING;
      mrc_post_hooks_prepare (dir_fd, &running, MRC_HOOK_POSTSTART, post);
    }
  return r;
}

int
mrc_container_start (const struct mrc_globals *g, const char *id,
                     mrc_error_t *err)
{
  cleanup_close int root_fd = -1, dir_fd = -1, notify = -1;
  struct mrc_state st = { 0 };
  struct mrc_post_hooks post = { 0 };
  int r = mrc_container_open (g->root, id, LOCK_EX, &root_fd, &dir_fd, &st, err);
  if (r == 0)
    mrc_debug ("start: container `%s`, init pid %d", id, (int) st.pid);
  if (r == 0)
    r = mrc_notify_listen (dir_fd, &notify, err);
  if (r == 0 && mrc_start_locked (dir_fd, &st, &post, err) < 0)
    {
      /* The init reported that the program never ran (a startContainer
         hook or execve failed): the container is removed, as the
         runtime-spec asks.  An init that merely died stays, stopped, for
         `delete`, as runc keeps it. */
      mrc_error_t ignored = NULL;
      if ((*err)->errnum == ECANCELED
          && mrc_delete_locked (root_fd, dir_fd, id, true, &post, &ignored)
                 < 0)
        mrc_error_free (&ignored);
      r = -1;
    }
  /* the lock goes before the hooks run: they may call mini-runc */
  if (dir_fd >= 0)
    close (steal_fd (&dir_fd));
  mrc_post_hooks_run (&post);
  /* NOTIFY_SOCKET: start returns once the program said READY=1 */
  if (r == 0 && notify >= 0)
    r = mrc_notify_forward (notify, st.pid, st.pid_start_time, err);
  mrc_state_clear (&st);
  return r;
}
