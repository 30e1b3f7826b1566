/* clone3 with a pidfd, born in the target cgroup (CLONE_INTO_CGROUP), so
 * not one instruction of the child runs, nor one page is charged,
 * elsewhere.  Where clone3 answers ENOSYS (kernels before 5.3, seccomp
 * policies, gVisor, valgrind; issue 15), plain clone(2): the child then
 * waits on a pipe until the parent has written it into cgroup.procs, so it
 * still runs nothing outside the cgroup; and where clone gives no pidfd
 * (CLONE_PIDFD is 5.2+), a /proc/PID handle (see mrc/proc.h), safe
 * because an unreaped child keeps its pid.  Behaves like fork: the child
 * goes on on a copy of this stack. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/log.h"
#include "mrc/proc.h"
#include "process-internal.h"

static pid_t
clone3_into (unsigned long long flags, int *pidfd, int cgroup_fd)
{
  struct clone_args args;
  memset (&args, 0, sizeof args);
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = (uint64_t) (uintptr_t) pidfd;
  /* with CLONE_PARENT the child inherits our exit signal: clone3 wants 0 */
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  if (cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = (uint64_t) cgroup_fd;
    }
  return (pid_t) syscall (SYS_clone3, &args, sizeof args);
}

/* The parent's half of the fallback: the child into the cgroup, a handle
 * where clone made no pidfd, then the gate opened.  Kills and reaps the
 * child on failure. */
static pid_t
place_child (pid_t pid, int *pidfd, int cgroup_fd, int gate)
{
  int saved = 0;
  if (cgroup_fd >= 0)
    {
      char text[32];
      int n = snprintf (text, sizeof text, "%d", (int) pid);
      if (mrc_write_file_at (cgroup_fd, "cgroup.procs", text, (size_t) n,
                             NULL)
          < 0)
        saved = errno ? errno : EIO;
    }
  if (saved == 0 && *pidfd < 0 && (*pidfd = mrc_pidfd_from_pid (pid)) < 0)
    saved = errno;
  if (saved == 0 && write (gate, "", 1) != 1)
    saved = errno;
  if (saved == 0)
    return pid;
  kill (pid, SIGKILL);
  while (waitpid (pid, NULL, __WALL) < 0 && errno == EINTR)
    ;
  mrc_closep (pidfd);
  errno = saved;
  return -1;
}

pid_t
mrc_process_clone (unsigned long long flags, int *pidfd, int cgroup_fd)
{
  *pidfd = -1;
  pid_t r = clone3_into (flags, pidfd, cgroup_fd);
  if (r >= 0 || errno != ENOSYS)
    return r;
  mrc_debug ("clone3: ENOSYS, using clone and cgroup.procs");
  int gate[2];
  if (pipe2 (gate, O_CLOEXEC) < 0)
    return -1;
  r = (pid_t) syscall (SYS_clone, (unsigned long) (flags | CLONE_PIDFD
                                                   | SIGCHLD),
                       NULL, pidfd, NULL, NULL);
  int saved = errno;
  if (r == 0)
    {
      char c;
      close (gate[1]);
      ssize_t n;
      do
        n = read (gate[0], &c, 1);
      while (n < 0 && errno == EINTR);
      if (n != 1)
        _exit (1); /* the parent failed to place us */
      close (gate[0]);
      return 0;
    }
  close (gate[0]);
  if (r > 0)
    r = place_child (r, pidfd, cgroup_fd, gate[1]);
  else
    errno = saved;
  saved = errno;
  close (gate[1]);
  errno = saved;
  return r;
}
