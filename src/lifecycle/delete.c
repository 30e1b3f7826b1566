#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/fault.h"
#include "mrc/log.h"
#include "mrc/container.h"
#include "mrc/statedir.h"
#include "lifecycle-internal.h"

/* ENOENT from any step means "no such container": runc's `delete --force`
 * treats that as done, plain `delete` reports it. */
static int
not_found (bool force, mrc_error_t *err)
{
  if (force && (*err)->errnum == ENOENT)
    {
      mrc_error_free (err);
      return 0;
    }
  return -1;
}

int
mrc_delete_locked (int root_fd, int dir_fd, const char *id, bool force,
                   struct mrc_post_hooks *post, mrc_error_t *err)
{
  struct mrc_state st = { 0 };
  memset (post, 0, sizeof *post);
  if (mrc_statedir_load (dir_fd, &st, err) < 0)
    {
      if ((*err)->errnum != ENOENT)
        return -1;
      /* A create killed before it wrote state.json: its init died with it
         (EOF on its channel), so only the directory is left. */
      mrc_error_free (err);
      if (mrc_statedir_remove (root_fd, id, dir_fd, err) < 0)
        return -1;
      if (force)
        return 0;
      return mrc_error_code (err, ENOENT, "container does not exist: `%s`", id);
    }
  mrc_status_refresh (dir_fd, true, &st);
  int r = mrc_status_allows (force ? MRC_VERB_DELETE_FORCE : MRC_VERB_DELETE,
                             &st, err);
  if (r == 0 && st.status != MRC_STATUS_STOPPED)
    r = mrc_container_stop_all (&st, err);
  mrc_fault (NULL, "delete:stopped");
  /* The cgroup goes with the container: what create made, no more (a
     joined cgroup stays); leftover processes in it are killed first. */
  mrc_debug ("delete: container `%s` (%s)", id, mrc_status_name (st.status));
  struct mrc_cgroup cg = mrc_state_cgroup (&st);
  if (r == 0 && mrc_cgroup_present (&cg))
    r = mrc_cgroup_destroy (&cg, err);
  mrc_fault (NULL, "delete:cgroup");
  if (r == 0)
    {
      /* poststop: read now, run by the caller once the container is gone
         and the lock released; a concurrent delete then finds nothing,
         so they run once. */
      st.status = MRC_STATUS_STOPPED;
      st.pid = 0;
      mrc_post_hooks_prepare (dir_fd, &st, MRC_HOOK_POSTSTOP, post);
      r = mrc_statedir_remove (root_fd, id, dir_fd, err);
    }
  mrc_state_clear (&st);
  return r;
}

int
mrc_container_delete (const struct mrc_globals *g, const char *id, bool force,
                      mrc_error_t *err)
{
  cleanup_close int root_fd = -1, dir_fd = -1;
  if (mrc_id_validate (id, err) < 0)
    return -1;
  if (mrc_statedir_open_root (g->root, false, &root_fd, err) < 0)
    {
      if ((*err)->errnum == ENOENT)
        mrc_error_code (err, ENOENT, "container does not exist: `%s`", id);
      return not_found (force, err);
    }
  /* a create of this id killed before its rename left a temp dir */
  mrc_statedir_reap_stale (root_fd, id);
  if (mrc_statedir_open (root_fd, id, LOCK_EX, &dir_fd, err) < 0)
    return not_found (force, err);
  struct mrc_post_hooks post;
  int r = mrc_delete_locked (root_fd, dir_fd, id, force, &post, err);
  close (steal_fd (&dir_fd));
  mrc_post_hooks_run (&post);
  return r;
}
