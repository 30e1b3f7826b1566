/* One hook process: fork + execve in its own process group, the state
 * written to its stdin while its stdout/stderr are drained, and a wait on
 * its pidfd bounded by the hook's timeout.  See hooks.h for the contract.
 *
 *   runtime                                  hook (child)
 *   pipe x4 (stdin, stdout, stderr, exec)
 *   fork ------------------------------------> setpgid(0, 0), clean signals
 *   read exec pipe (blocks until exec/fail)    dup2 0 1 2, rest CLOEXEC
 *                                       <----- execve (EOF) | errno, _exit
 *   pidfd_open
 *   poll: pidfd | stdin POLLOUT | out POLLIN
 *     until the pidfd says exited, or the deadline (SIGKILL the group)
 *   waitpid, read what output is left without blocking, verdict
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/clock.h"
#include "mrc/log.h"
#include "mrc/hooks.h"
#include "mrc/proc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* After the hook exits, at most this many reads per stream: a background
   child still writing must not keep us here. */
#define DRAIN_READS_MAX 64

struct hook_out
{
  int fd;  /* our read end, non-blocking; -1 at EOF */
  size_t len;
  char buf[MRC_HOOK_OUTPUT_MAX];
};

struct hook_proc
{
  pid_t pid;
  int pidfd;
  int in_fd;  /* our write end of the hook's stdin, non-blocking */
  const char *state;
  size_t len, off;
  struct hook_out out[2];  /* stdout, stderr */
};

/* ---- signals around the call ---- */

/* SIGPIPE is blocked while we write to a hook that may not read (a
   SIGPIPE raised meanwhile is consumed), and SIGCHLD must not be ignored,
   or the kernel reaps the hook before we can read its status. */
struct sig_guard
{
  sigset_t old_mask;
  bool pipe_was_pending;
  bool restore_chld;
  struct sigaction old_chld;
};

static int
guard_enter (struct sig_guard *g, mrc_error_t *err)
{
  sigset_t pipe_set, pending;
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  if (sigpending (&pending) < 0)
    return mrc_fail_errno (err, "sigpending");
  g->pipe_was_pending = sigismember (&pending, SIGPIPE) == 1;
  if (sigaction (SIGCHLD, NULL, &g->old_chld) < 0)
    return mrc_fail_errno (err, "sigaction `SIGCHLD`");
  g->restore_chld = g->old_chld.sa_handler == SIG_IGN
                    || (g->old_chld.sa_flags & SA_NOCLDWAIT);
  if (g->restore_chld)
    {
      struct sigaction dfl = { .sa_handler = SIG_DFL };
      sigemptyset (&dfl.sa_mask);
      if (sigaction (SIGCHLD, &dfl, NULL) < 0)
        return mrc_fail_errno (err, "sigaction `SIGCHLD`");
    }
  if (sigprocmask (SIG_BLOCK, &pipe_set, &g->old_mask) < 0)
    {
      int saved = errno;
      if (g->restore_chld)
        sigaction (SIGCHLD, &g->old_chld, NULL);
      return mrc_error_set (err, saved, "block `SIGPIPE`");
    }
  return 0;
}

static void
guard_leave (struct sig_guard *g)
{
  int saved = errno;
  sigset_t pipe_set, pending;
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  if (!g->pipe_was_pending && sigpending (&pending) == 0
      && sigismember (&pending, SIGPIPE) == 1)
    {
      const struct timespec zero = { 0, 0 };
      /* Ours: take it before unblocking, or it would kill the caller. */
      while (sigtimedwait (&pipe_set, NULL, &zero) < 0 && errno == EINTR)
        ;
    }
  /* Restoring a mask and a disposition we read ourselves cannot fail. */
  sigprocmask (SIG_SETMASK, &g->old_mask, NULL);
  if (g->restore_chld)
    sigaction (SIGCHLD, &g->old_chld, NULL);
  errno = saved;
}

/* ---- the child ---- */

/* Every fd but 0, 1, 2 closes on exec; the exec-error pipe stays usable
   until then.  Without close_range (before 5.11), mark them one by one. */
static int
cloexec_from_3 (void)
{
  if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return -1;
  int max = rl.rlim_cur > INT_MAX ? INT_MAX : (int) rl.rlim_cur;
  for (int fd = 3; fd < max; fd++)
    if (fcntl (fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
      return -1;
  return 0;
}

static void __attribute__ ((noreturn))
child_exec (const struct mrc_hook *hook, const int stdio[3], int exec_fd)
{
  char *default_argv[] = { hook->path, NULL };
  char *const *argv = hook->args && hook->args[0] ? hook->args : default_argv;
  /* no env: the runtime's own, as runc and crun give it */
  char *const *envp = hook->env ? hook->env : environ;
  sigset_t none;
  int hi[3];

  /* Its own group, so a timeout kills what it spawned too. */
  if (setpgid (0, 0) < 0)
    goto fail;
  for (int s = 1; s < NSIG; s++)
    signal (s, SIG_DFL); /* EINVAL for KILL/STOP/libc-internal: ignored */
  sigemptyset (&none);
  if (sigprocmask (SIG_SETMASK, &none, NULL) < 0)
    goto fail;
  /* Move the pipe ends above 2 first: one of them may be 0, 1 or 2 when
     the runtime was started with a closed stdio fd. */
  for (int i = 0; i < 3; i++)
    if ((hi[i] = fcntl (stdio[i], F_DUPFD_CLOEXEC, 3)) < 0)
      goto fail;
  for (int i = 0; i < 3; i++)
    if (dup2 (hi[i], i) < 0)
      goto fail;
  if (cloexec_from_3 () < 0)
    goto fail;
  execve (hook->path, argv, envp);
fail:;
  int e = errno;
  /* Nothing to do if this fails: the parent then sees EOF and status 127. */
  ssize_t n = write (exec_fd, &e, sizeof e);
  (void) n;
  _exit (127);
}

/* ---- spawning ---- */

/* A pipe whose both ends are O_CLOEXEC, our end (READ_END_OURS says
   which) non-blocking; the hook's end stays blocking, as programs expect. */
static int
hook_pipe (int *ours, int *theirs, bool read_end_ours, mrc_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return mrc_fail_errno (err, "pipe");
  *ours = read_end_ours ? p[0] : p[1];
  *theirs = read_end_ours ? p[1] : p[0];
  int fl = fcntl (*ours, F_GETFL);
  if (fl < 0 || fcntl (*ours, F_SETFL, fl | O_NONBLOCK) < 0)
    return mrc_fail_errno (err, "set pipe non-blocking");
  return 0;
}

static void
reap (pid_t pid, int *status)
{
  while (waitpid (pid, status, 0) < 0 && errno == EINTR)
    ;
}

/* 0 with *E = 0 when the hook exec'd, *E = its errno when it could not. */
static int
read_exec_result (int fd, int *e, mrc_error_t *err)
{
  ssize_t n;
  *e = 0;
  do
    n = read (fd, e, sizeof *e);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return mrc_fail_errno (err, "read exec status");
  if (n != 0 && n != (ssize_t) sizeof *e)
    return mrc_fail (err, "read exec status: short read");
  return 0;
}

static int
exec_failed (const struct mrc_hook *hook, pid_t pid, int e, mrc_error_t *err)
{
  struct stat st;
  reap (pid, NULL);
  /* execve says EACCES for a directory: say what is wrong. */
  if (e == EACCES && stat (hook->path, &st) == 0 && S_ISDIR (st.st_mode))
    e = EISDIR;
  return mrc_error_set (err, e, "exec");
}

static int
spawn (const struct mrc_hook *hook, struct hook_proc *p, mrc_error_t *err)
{
  cleanup_close int in_r = -1, out_w = -1, err_w = -1;
  cleanup_close int exec_r = -1, exec_w = -1;
  if (hook_pipe (&p->in_fd, &in_r, false, err) < 0
      || hook_pipe (&p->out[0].fd, &out_w, true, err) < 0
      || hook_pipe (&p->out[1].fd, &err_w, true, err) < 0)
    return -1;
  int ex[2];
  if (pipe2 (ex, O_CLOEXEC) < 0)
    return mrc_fail_errno (err, "pipe");
  exec_r = ex[0];
  exec_w = ex[1];

  pid_t pid = fork ();
  if (pid < 0)
    return mrc_fail_errno (err, "fork");
  if (pid == 0)
    child_exec (hook, (const int[3]){ in_r, out_w, err_w }, exec_w);

  /* Our copy of the write end closed, EOF means the child exec'd. */
  mrc_closep (&exec_w);
  int e;
  if (read_exec_result (exec_r, &e, err) < 0)
    {
      kill (pid, SIGKILL);
      reap (pid, NULL);
      return -1;
    }
  if (e != 0)
    return exec_failed (hook, pid, e, err);
  p->pid = pid;
  p->pidfd = mrc_pidfd_open (pid);
  if (p->pidfd < 0)
    {
      int saved = errno;
      kill (-pid, SIGKILL);
      reap (pid, NULL);
      p->pid = -1;
      return mrc_error_set (err, saved, "open hook process %d", (int) pid);
    }
  return 0;
}

/* ---- while it runs ---- */

static int
feed_stdin (struct hook_proc *p, mrc_error_t *err)
{
  ssize_t n = write (p->in_fd, p->state + p->off, p->len - p->off);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return 0;
  if (n < 0 && errno != EPIPE)
    return mrc_fail_errno (err, "write state to hook stdin");
  /* EPIPE: the hook closed its stdin unread, which is its right. */
  if (n < 0 || (p->off += (size_t) n) == p->len)
    mrc_closep (&p->in_fd);
  return 0;
}

/* One read: keep what fits, drop the rest.  1 when more may follow, 0 at
   EOF or when nothing is available now. */
static int
drain_once (struct hook_out *o, mrc_error_t *err)
{
  char scratch[4096];
  size_t room = sizeof o->buf - o->len;
  char *dst = room ? o->buf + o->len : scratch;
  ssize_t n = read (o->fd, dst, room ? room : sizeof scratch);
  if (n < 0 && errno == EINTR)
    return 1;
  if (n < 0 && errno == EAGAIN)
    return 0;
  if (n < 0)
    return mrc_fail_errno (err, "read hook output");
  if (n == 0)
    {
      mrc_closep (&o->fd);
      return 0;
    }
  if (room)
    o->len += (size_t) n;
  return 1;
}

/* Until the hook exits (0) or DEADLINE passes (1); DEADLINE < 0: none. */
static int
supervise (struct hook_proc *p, int64_t deadline, mrc_error_t *err)
{
  for (;;)
    {
      struct pollfd fds[4] = {
        { .fd = p->pidfd, .events = POLLIN },
        { .fd = p->in_fd, .events = POLLOUT },
        { .fd = p->out[0].fd, .events = POLLIN },
        { .fd = p->out[1].fd, .events = POLLIN },
      };
      int wait_ms = -1;
      if (deadline >= 0)
        {
          int64_t left = deadline - mrc_monotonic_ms ();
          if (left <= 0)
            return 1;
          wait_ms = left > INT_MAX ? INT_MAX : (int) left;
        }
      fds[0].fd = mrc_pidfd_poll_fd (p->pidfd, &wait_ms);
      /* poll ignores the negative fds of closed streams. */
      int r = poll (fds, 4, wait_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return mrc_fail_errno (err, "poll hook");
      if (fds[0].revents || (fds[0].fd < 0 && mrc_pidfd_exited (p->pidfd)))
        return 0;
      if (fds[1].revents && feed_stdin (p, err) < 0)
        return -1;
      for (int i = 0; i < 2; i++)
        if (fds[2 + i].revents && drain_once (&p->out[i], err) < 0)
          return -1;
    }
}

/* ---- the verdict ---- */

/* The first line of the captured stderr, or of stdout when stderr said
   nothing, with control bytes shown as '?': one readable line. */
static void
first_line (const struct hook_proc *p, char *line, size_t size)
{
  const struct hook_out *o = p->out[1].len ? &p->out[1] : &p->out[0];
  size_t i = 0, n = 0;
  while (i < o->len && (o->buf[i] == '\n' || o->buf[i] == '\r'))
    i++;
  for (; i < o->len && o->buf[i] != '\n' && n + 1 < size; i++)
    {
      unsigned char c = (unsigned char) o->buf[i];
      line[n++] = c < 0x20 || c == 0x7f ? (c == '\t' ? ' ' : '?') : (char) c;
    }
  while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '?'))
    n--;
  line[n] = '\0';
}

static int
verdict (const struct hook_proc *p, int status, mrc_error_t *err)
{
  char line[MRC_HOOK_OUTPUT_MAX + 1];
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  first_line (p, line, sizeof line);
  const char *sep = line[0] ? ": " : "";
  if (WIFSIGNALED (status))
    return mrc_fail (err, "killed by signal %d%s%s", WTERMSIG (status), sep,
                     line);
  return mrc_fail (err, "exited with status %d%s%s", WEXITSTATUS (status),
                   sep, line);
}

static void
proc_close (struct hook_proc *p)
{
  mrc_closep (&p->pidfd);
  mrc_closep (&p->in_fd);
  mrc_closep (&p->out[0].fd);
  mrc_closep (&p->out[1].fd);
}

static int
run_guarded (const struct mrc_hook *hook, struct hook_proc *p,
             mrc_error_t *err)
{
  if (spawn (hook, p, err) < 0)
    return -1;
  if (p->len == 0)
    mrc_closep (&p->in_fd);
  int64_t deadline = hook->has_timeout && hook->timeout > 0
                         ? mrc_monotonic_ms () + (int64_t) hook->timeout * 1000
                         : -1;
  int r = supervise (p, deadline, err);
  if (r != 0)
    {
      /* Timed out, or we cannot watch it any more: the whole group goes,
         and the hook itself by its pidfd in case it left the group.  The
         unreaped leader keeps the group id from being reused meanwhile. */
      kill (-p->pid, SIGKILL);
      mrc_pidfd_send_signal (p->pidfd, SIGKILL);
    }
  int status = 0;
  reap (p->pid, &status);
  mrc_closep (&p->in_fd);
  /* What it wrote before exiting; a failed read here only shortens the
     message, the verdict is the exit status. */
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < DRAIN_READS_MAX && p->out[i].fd >= 0; k++)
      if (drain_once (&p->out[i], NULL) <= 0)
        break;
  if (r < 0)
    return -1;
  if (r > 0)
    return mrc_fail (err, "timed out after %d s", (int) hook->timeout);
  return verdict (p, status, err);
}

int
mrc_hook_run (const struct mrc_hook *hook, const char *state, size_t len,
              mrc_error_t *err)
{
  if (hook->path == NULL || hook->path[0] != '/')
    return mrc_fail (err, "path `%s` is not absolute",
                     hook->path ? hook->path : "");
  struct hook_proc p = {
    .pid = -1, .pidfd = -1, .in_fd = -1, .state = state, .len = len,
    .out = { { .fd = -1 }, { .fd = -1 } },
  };
  struct sig_guard g;
  if (guard_enter (&g, err) < 0)
    return -1;
  int r = run_guarded (hook, &p, err);
  proc_close (&p);
  guard_leave (&g);
  return r;
}
