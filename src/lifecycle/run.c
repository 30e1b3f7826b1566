/* run: create + start, then (unless detached) stay in the foreground as the
 * container's parent: forward signals, reap it, exit with its status, and
 * delete it. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/container.h"
#include "mrc/log.h"
#include "mrc/process.h"
#include "mrc/proc.h"
#include "mrc/statedir.h"
#include "create.h"
#include "start.h"

/* Every signal a caller may send us goes to the container instead; SIGCHLD
 * is ours, KILL and STOP cannot be caught. */
static void
forwarded_set (sigset_t *set)
{
  sigfillset (set);
  sigdelset (set, SIGCHLD);
  sigdelset (set, SIGKILL);
  sigdelset (set, SIGSTOP);
  /* synchronous faults must stay deadly for us */
  sigdelset (set, SIGSEGV);
  sigdelset (set, SIGBUS);
  sigdelset (set, SIGFPE);
  sigdelset (set, SIGILL);
  sigdelset (set, SIGTRAP);
  sigdelset (set, SIGSYS);
}

static int
exit_status (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 255;
}

static int
wait_foreground (struct mrc_spawned *init, const sigset_t *set, int *status,
                 mrc_error_t *err)
{
  cleanup_close int sfd = signalfd (-1, set, SFD_CLOEXEC);
  if (sfd < 0)
    return mrc_fail_errno (err, "run: signalfd");
  for (;;)
    {
      struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
                             { .fd = init->pidfd, .events = POLLIN } };
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return mrc_fail_errno (err, "run: poll");
        }
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) == sizeof si)
            mrc_pidfd_send_signal (init->pidfd, (int) si.ssi_signo);
        }
      if (p[1].revents & (POLLIN | POLLHUP))
        {
          int st;
          pid_t r = waitpid (init->pid, &st, 0);
          if (r < 0 && errno == EINTR)
            continue;
          if (r < 0)
            return mrc_fail_errno (err, "run: wait for the container");
          init->pid = 0;
          *status = exit_status (st);
          return 0;
        }
    }
}

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
  forwarded_set (&set);
  /* Blocked before the clone, so no signal is lost before signalfd; the
     init restores an empty mask before it executes the user's program. */
  if (!o->detach && sigprocmask (SIG_BLOCK, &set, &old) < 0)
    return mrc_fail_errno (err, "run: block signals");
  struct mrc_created c;
  if (mrc_create_common (g, o, &c, err) < 0)
    {
      mrc_created_release (&c);
      return -1;
    }
  struct mrc_state st = { .status = MRC_STATUS_CREATED };
  if (mrc_start_locked (c.dir_fd, &st, err) < 0)
    {
      mrc_created_undo (g, o->id, &c);
      mrc_created_release (&c);
      return -1;
    }
  *status = 0;
  if (o->detach)
    {
      mrc_created_release (&c);
      return 0;
    }
  /* Unlock: state, kill and exec must work while we wait. */
  close (c.dir_fd);
  c.dir_fd = -1;
  int r = wait_foreground (&c.init, &set, status, err);
  if (r < 0)
    mrc_process_abort (&c.init);
  if (!o->keep)
    remove_container (g, o->id);
  mrc_created_release (&c);
  return r;
}
