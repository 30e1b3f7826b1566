#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
 * treats that as done, plain `delete` reports it.  Something under the
 * name that is not a container (EEXIST) fails both: it is left alone. */
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

static int delete_damaged (int root_fd, int dir_fd, const char *id,
                           bool force, mrc_error_t *load_err);

/* Kill what is left of the container ST describes and remove its cgroup:
 * what create made, no more (a joined cgroup stays); leftover processes
 * in it are killed first. */
static int
stop_and_uncgroup (const struct mrc_state *st, mrc_error_t *err)
{
  if (st->status != MRC_STATUS_STOPPED && mrc_container_stop_all (st, err) < 0)
    return -1;
  mrc_fault (NULL, "delete:stopped");
  struct mrc_cgroup cg = mrc_state_cgroup (st);
  if (mrc_cgroup_present (&cg) && mrc_cgroup_destroy (&cg, err) < 0)
    return -1;
  mrc_fault (NULL, "delete:cgroup");
  return 0;
}

int
mrc_delete_locked (int root_fd, int dir_fd, const char *id, bool force,
                   struct mrc_post_hooks *post, mrc_error_t *err)
{
  struct mrc_state st = { 0 };
  memset (post, 0, sizeof *post);
  if (mrc_statedir_load (dir_fd, &st, err) < 0)
    return delete_damaged (root_fd, dir_fd, id, force, err);
  mrc_status_refresh (dir_fd, true, &st);
  int r = mrc_status_allows (force ? MRC_VERB_DELETE_FORCE : MRC_VERB_DELETE,
                             &st, err);
  mrc_debug ("delete: container `%s` (%s)", id, mrc_status_name (st.status));
  if (r == 0)
    r = stop_and_uncgroup (&st, err);
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

/* state.json is missing or unreadable: LOAD_ERR says why, and is replaced
 * by the outcome.  The init record, written before it, still finds the
 * init and the cgroup; without --force a running init stays and is the
 * error. */
static int
delete_damaged (int root_fd, int dir_fd, const char *id, bool force,
                mrc_error_t *load_err)
{
  bool missing = (*load_err)->errnum == ENOENT;
  char where[PATH_MAX];
  mrc_statedir_path (dir_fd, where, sizeof where);
  struct mrc_state rec = { 0 };
  mrc_error_t rec_err = NULL;
  int r = mrc_statedir_load_record (dir_fd, &rec, &rec_err);
  if (r < 0 && missing && rec_err->errnum == ENOENT)
    {
      /* A create killed before it wrote either: its init died with it
         (EOF on its channel), and it made no cgroup yet. */
      mrc_error_free (&rec_err);
      mrc_error_free (load_err);
      if (mrc_statedir_remove (root_fd, id, dir_fd, load_err) < 0)
        return -1;
      if (force)
        return 0;
      return mrc_error_code (load_err, ENOENT,
                             "container does not exist: `%s`", id);
    }
  if (r < 0)
    {
      /* nothing tells where its processes are: --force removes the
         directory and says what may be left */
      cleanup_free char *why = strdup ((*load_err)->msg);
      mrc_fail (load_err, "container `%s`: damaged state in `%s`: %s; %s%s",
                id, where, why ? why : "?", rec_err->msg,
                force ? "" : " (`delete --force` removes the directory)");
      mrc_error_free (&rec_err);
      if (!force)
        return -1;
      mrc_warn ("%s: its processes and cgroup, if any, are not known and "
                "stay",
                (*load_err)->msg);
      mrc_error_free (load_err);
      return mrc_statedir_remove (root_fd, id, dir_fd, load_err);
    }
  mrc_error_t ignored = NULL;
  int fd = mrc_container_init_pidfd (&rec, &ignored);
  mrc_error_free (&ignored);
  rec.status = fd >= 0 ? MRC_STATUS_RUNNING : MRC_STATUS_STOPPED;
  if (fd >= 0)
    close (fd);
  if (rec.status == MRC_STATUS_RUNNING && !force)
    {
      r = mrc_error_wrap (load_err, "container `%s`: damaged state in `%s` "
                                    "while its init %d runs (`delete --force` "
                                    "kills it)",
                          id, where, (int) rec.pid);
      mrc_state_clear (&rec);
      return r;
    }
  mrc_debug ("delete: container `%s` from `%s` (%s): %s", id, MRC_INIT_RECORD,
             mrc_status_name (rec.status), (*load_err)->msg);
  mrc_error_free (load_err);
  /* no poststop hooks: their state (bundle, annotations) was in state.json */
  r = stop_and_uncgroup (&rec, load_err);
  if (r == 0)
    r = mrc_statedir_remove (root_fd, id, dir_fd, load_err);
  mrc_state_clear (&rec);
  if (r == 0 && missing && !force)
    return mrc_error_code (load_err, ENOENT, "container does not exist: `%s`",
                           id);
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
