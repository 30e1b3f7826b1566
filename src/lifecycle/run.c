/* run: create + start, then (unless detached) stay in the foreground as the
 * container's parent: forward signals, reap it, exit with its status, and
 * delete it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/container.h"
#include "mrc/log.h"
#include "mrc/process.h"
#include "mrc/proc.h"
#include "mrc/statedir.h"
#include "mrc/term.h"
#include "lifecycle-internal.h"

static void
remove_container (const struct mrc_globals *g, const char *id)
{
  mrc_error_t e = NULL;
  if (mrc_container_delete (g, id, true, &e) < 0)
    {
      mrc_warn ("run: delete `%s`: %s", id, e->msg);
      mrc_error_free (&e);
    }
}

int
mrc_container_run (const struct mrc_globals *g,
                   const struct mrc_create_opts *o, int *status,
                   mrc_error_t *err)
{
  sigset_t set, old;
  mrc_wait_signal_set (&set);
  /* Blocked before the clone, so no signal is lost before signalfd; the
     init restores an empty mask before it executes the user's program. */
  if (!o->detach && sigprocmask (SIG_BLOCK, &set, &old) < 0)
    return mrc_fail_errno (err, "run: block signals");
  /* a closed stdout must fail our writes, not kill us and orphan the
     container; the init resets this before exec */
  if (!o->detach)
    signal (SIGPIPE, SIG_IGN);
  struct mrc_created c;
  cleanup_relay struct mrc_relay *relay = NULL;
  if (mrc_create_common (g, o, &c, err) < 0)
    {
      mrc_created_release (&c);
      return -1;
    }
  /* The relay (raw mode, window size) before start: the pty must be set
     up before the program's first output. */
  if (c.init.pty_master >= 0
      && mrc_relay_new (steal_fd (&c.init.pty_master), &relay, err) < 0)
    {
      mrc_created_undo (g, o->id, &c);
      mrc_created_release (&c);
      return -1;
    }
  struct mrc_state st = { 0 };
  struct mrc_post_hooks post = { 0 };
  cleanup_close int notify = -1;
  if (mrc_statedir_load (c.dir_fd, &st, err) < 0
      || mrc_notify_listen (c.dir_fd, &notify, err) < 0
      || mrc_start_locked (c.dir_fd, &st, &post, err) < 0)
    {
      mrc_state_clear (&st);
      mrc_created_undo (g, o->id, &c);
      mrc_created_release (&c);
      return -1;
    }
  *status = 0;
  /* Unlock before poststart (a hook may call mini-runc) and the wait. */
  close (c.dir_fd);
  c.dir_fd = -1;
  mrc_post_hooks_run (&post);
  int nr = notify >= 0 ? mrc_notify_forward (notify, st.pid,
                                             st.pid_start_time, err)
                       : 0;
  mrc_state_clear (&st);
  if (nr < 0)
    {
      mrc_process_abort (&c.init);
      if (!o->keep)
        remove_container (g, o->id);
      mrc_created_release (&c);
      return -1;
    }
  if (o->detach)
    {
      mrc_created_release (&c);
      return 0;
    }
  int r = mrc_wait_foreground (&c.init, &set, relay, status, err);
  mrc_relay_finish (steal_ptr (&relay));
  if (r < 0)
    mrc_process_abort (&c.init);
  if (!o->keep)
    remove_container (g, o->id);
  mrc_created_release (&c);
  return r;
}
