/* The foreground wait of `run` and `exec`: mini-runc stays the parent of
 * the container process, forwards every signal it receives to it, reaps it
 * and reports its status the way a shell does. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/proc.h"
#include "mrc/process.h"

void
mrc_wait_signal_set (sigset_t *set)
{
  sigfillset (set);
  /* SIGCHLD is ours; KILL and STOP cannot be caught; synchronous faults
     must stay deadly for mini-runc itself. */
  static const int keep[] = { SIGCHLD, SIGKILL, SIGSTOP, SIGSEGV,
                              SIGBUS,  SIGFPE,  SIGILL,  SIGTRAP, SIGSYS };
  for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
    sigdelset (set, keep[i]);
}

int
mrc_wait_status (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return 255;
}

int
mrc_wait_foreground (struct mrc_spawned *s, const sigset_t *set, int *status,
                     mrc_error_t *err)
{
  cleanup_close int sfd = signalfd (-1, set, SFD_CLOEXEC);
  if (sfd < 0)
    return mrc_fail_errno (err, "signalfd");
  for (;;)
    {
      struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
                             { .fd = s->pidfd, .events = POLLIN } };
      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return mrc_fail_errno (err, "poll");
        }
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) == sizeof si)
            mrc_pidfd_send_signal (s->pidfd, (int) si.ssi_signo);
        }
      if (p[1].revents & (POLLIN | POLLHUP))
        {
          int st;
          pid_t r = waitpid (s->pid, &st, 0);
          if (r < 0 && errno == EINTR)
            continue;
          if (r < 0)
            return mrc_fail_errno (err, "wait for the container process");
          s->pid = 0;
          *status = mrc_wait_status (st);
          return 0;
        }
    }
}
