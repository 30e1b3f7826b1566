/* The foreground wait of `run` and `exec`: mini-runc stays the parent of
 * the container process, forwards every signal it receives to it, relays
 * its terminal when it has one, reaps it and reports its status the way a
 * shell does. */
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
#include "mrc/term.h"

void
mrc_wait_signal_set (sigset_t *set)
{
  sigfillset (set);
  /* SIGCHLD is ours; KILL and STOP cannot be caught; synchronous faults
     must stay deadly for mini-runc itself; SIGPIPE is about our own
     stdout, not the container's. */
  static const int keep[] = { SIGCHLD, SIGKILL, SIGSTOP, SIGSEGV, SIGBUS,
                              SIGFPE,  SIGILL,  SIGTRAP, SIGSYS,  SIGPIPE };
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

static void
on_signal (int sfd, struct mrc_spawned *s, struct mrc_relay *relay)
{
  struct signalfd_siginfo si;
  if (read (sfd, &si, sizeof si) != sizeof si)
    return;
  /* A window change is copied to the pty; the kernel then signals the
     container's foreground process group itself. */
  if (si.ssi_signo == SIGWINCH && relay)
    mrc_relay_winch (relay);
  else
    mrc_pidfd_send_signal (s->pidfd, (int) si.ssi_signo);
}

int
mrc_wait_foreground (struct mrc_spawned *s, const sigset_t *set,
                     struct mrc_relay *relay, int *status, mrc_error_t *err)
{
  cleanup_close int sfd = signalfd (-1, set, SFD_CLOEXEC);
  if (sfd < 0)
    return mrc_fail_errno (err, "signalfd");
  for (;;)
    {
      struct pollfd p[2 + MRC_RELAY_MAX_POLLFDS]
          = { { .fd = sfd, .events = POLLIN },
              { .fd = s->pidfd, .events = POLLIN } };
      size_t n = relay ? mrc_relay_pollfds (relay, p + 2,
                                            MRC_RELAY_MAX_POLLFDS)
                       : 0;
      int wait_ms = -1;
      p[1].fd = mrc_pidfd_poll_fd (s->pidfd, &wait_ms);
      if (poll (p, 2 + n, wait_ms) < 0)
        {
          if (errno == EINTR)
            continue;
          return mrc_fail_errno (err, "poll");
        }
      if (p[0].revents & POLLIN)
        on_signal (sfd, s, relay);
      if (relay && mrc_relay_step (relay, p + 2, n, err) < 0)
        return -1;
      if ((p[1].revents & (POLLIN | POLLHUP))
          || (p[1].fd < 0 && mrc_pidfd_exited (s->pidfd)))
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
