/* term-driver: src/term without a container, for the terminal tests.
 *
 *   term-driver [--size ROWSxCOLS] [--uid N] [--exec]
 *               (--socket PATH | --relay) -- CMD [ARG...]
 *
 * Forks a child that does what the container's init does around a
 * terminal: a private mount namespace with a new devpts instance on
 * /dev/pts (standing in for the container's), setsid, then
 * mrc_term_setup_child (mrc_term_setup_exec with --exec).  With --socket the master goes to PATH exactly as
 * `create --console-socket` sends it (connected by the parent before the
 * fork); with --relay it goes back to this process, which relays it to
 * its own stdin/stdout with mrc_relay_* in one poll loop, as `run` does.
 * The child then waits for the parent's go, closes the master and runs
 * CMD; the driver exits with CMD's status (128+N for a signal).
 *
 * Build: gcc -Iinclude tests/helpers/term-driver.c src/term/\*.c
 *        src/util/error.c src/util/fs.c src/util/fdpass.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/fdpass.h"
#include "mrc/term.h"

static void __attribute__ ((noreturn))
die_err (const char *what, mrc_error_t *err)
{
  fprintf (stderr, "term-driver: %s: %s\n", what,
           err && *err ? (*err)->msg : strerror (errno));
  exit (1);
}

static void
child_devpts (void)
{
  if (unshare (CLONE_NEWNS) < 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount ("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620") < 0)
    die_err ("private devpts", NULL);
}

static bool exec_mode;

static void __attribute__ ((noreturn))
child (const struct mrc_process *p, int sock, int go, char **cmd)
{
  mrc_error_t err = NULL;
  int master;
  char *name;
  child_devpts ();
  if (setsid () < 0)
    die_err ("setsid", NULL);
  if ((exec_mode ? mrc_term_setup_exec (p, &master, &name, &err)
                 : mrc_term_setup_child (p, &master, &name, &err)) < 0)
    die_err ("setup", &err);
  if (mrc_fdpass_send (sock, master, name, &err) < 0)
    die_err ("send the master", &err);
  close (sock);
  close (master);
  char c;
  if (go >= 0 && read (go, &c, 1) != 1)
    _exit (1);
  if (go >= 0)
    close (go);
  if (p->user.uid && setresuid (p->user.uid, p->user.uid, p->user.uid) < 0)
    die_err ("setresuid", NULL);
  execvp (cmd[0], cmd);
  fprintf (stderr, "term-driver: exec `%s`: %s\n", cmd[0], strerror (errno));
  _exit (127);
}

static int
recv_fd (int sock)
{
  char data[64], ctl[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl, .msg_controllen = sizeof ctl };
  if (recvmsg (sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
    return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_type != SCM_RIGHTS)
    return -1;
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

/* run's loop in small: the relay, our signals and the child's pidfd. */
static int
relay_loop (struct mrc_relay *r, pid_t pid, int pidfd, int sfd)
{
  for (;;)
    {
      struct pollfd p[2 + MRC_RELAY_MAX_POLLFDS] = {
        { .fd = sfd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      size_t n = mrc_relay_pollfds (r, p + 2, MRC_RELAY_MAX_POLLFDS);
      if (poll (p, 2 + n, -1) < 0 && errno != EINTR)
        return -1;
      mrc_error_t err = NULL;
      if (mrc_relay_step (r, p + 2, n, &err) < 0)
        die_err ("relay", &err);
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) == sizeof si)
            {
              if (si.ssi_signo == SIGWINCH)
                mrc_relay_winch (r);
              else
                kill (pid, (int) si.ssi_signo);
            }
        }
      if (p[1].revents & POLLIN)
        {
          int st;
          if (waitpid (pid, &st, 0) < 0)
            return -1;
          return WIFSIGNALED (st) ? 128 + WTERMSIG (st) : WEXITSTATUS (st);
        }
    }
}

static int
parent_relay (pid_t pid, int sock, int go)
{
  sigset_t set;
  sigemptyset (&set);
  int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT };
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaddset (&set, sigs[i]);
  int sfd = signalfd (-1, &set, SFD_CLOEXEC);
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  int master = recv_fd (sock);
  if (sfd < 0 || pidfd < 0 || master < 0)
    die_err ("relay setup", NULL);
  struct mrc_relay *r = NULL;
  mrc_error_t err = NULL;
  if (mrc_relay_new (master, &r, &err) < 0)
    die_err ("relay", &err);
  /* go only now: the child's first output finds the pty set up */
  if (write (go, "g", 1) != 1)
    die_err ("go", NULL);
  int status = relay_loop (r, pid, pidfd, sfd);
  mrc_relay_finish (r);
  return status;
}

int
main (int argc, char **argv)
{
  struct mrc_process p = { 0 };
  const char *socket_path = NULL;
  int relay = 0, i = 1;
  for (; i < argc && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "--size") == 0 && i + 1 < argc)
      {
        p.has_console_size = true;
        if (sscanf (argv[++i], "%ux%u", &p.console_height,
                    &p.console_width) != 2)
          return 2;
      }
    else if (strcmp (argv[i], "--uid") == 0 && i + 1 < argc)
      p.user.uid = (uint32_t) atoi (argv[++i]);
    else if (strcmp (argv[i], "--socket") == 0 && i + 1 < argc)
      socket_path = argv[++i];
    else if (strcmp (argv[i], "--relay") == 0)
      relay = 1;
    else if (strcmp (argv[i], "--exec") == 0)
      exec_mode = true;
    else
      return 2;
  if (i + 1 >= argc || !!socket_path == relay)
    {
      fprintf (stderr, "usage: term-driver [--size RxC] [--uid N] [--exec] "
               "(--socket PATH | --relay) -- CMD...\n");
      return 2;
    }
  mrc_error_t err = NULL;
  int sv[2] = { -1, -1 }, gv[2] = { -1, -1 }, sock = -1;
  if (socket_path && mrc_fdpass_connect (socket_path, &sock, &err) < 0)
    die_err ("console socket", &err);
  if (relay && (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0
                || pipe2 (gv, O_CLOEXEC) < 0))
    die_err ("socketpair", NULL);
  sigset_t all, old;
  sigfillset (&all);
  sigprocmask (SIG_BLOCK, &all, &old);
  pid_t pid = fork ();
  if (pid < 0)
    die_err ("fork", NULL);
  if (pid == 0)
    {
      sigprocmask (SIG_SETMASK, &old, NULL);
      child (&p, relay ? sv[1] : sock, relay ? gv[0] : -1, argv + i + 1);
    }
  if (!relay)
    {
      close (sock);
      int st;
      if (waitpid (pid, &st, 0) < 0)
        die_err ("wait", NULL);
      return WIFSIGNALED (st) ? 128 + WTERMSIG (st) : WEXITSTATUS (st);
    }
  close (sv[1]);
  close (gv[0]);
  return parent_relay (pid, sv[0], gv[1]);
}
