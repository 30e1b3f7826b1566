#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/log.h"
#include "mrc/proc.h"

/* The fields of DIR_FD's "stat" after comm, in BUF: comm may hold spaces
 * and parentheses, so fields restart after the last ')'.  Points at field
 * 3 (the state); NULL with errno (ESRCH once the process is gone). */
static char *
read_stat_at (int dir_fd, const char *name, char *buf, size_t size)
{
  cleanup_close int fd = openat (dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? (errno = ESRCH, NULL) : NULL;
  ssize_t n;
  do
    n = read (fd, buf, size - 1);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n == 0 ? (errno = ESRCH, NULL) : NULL;
  buf[n] = '\0';
  char *p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return errno = EPROTO, NULL;
  return p + 2;
}

int
mrc_proc_stat (pid_t pid, uint64_t *start_time, bool *zombie)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  char *p = read_stat_at (AT_FDCWD, path, buf, sizeof buf);
  if (p == NULL)
    return -1;
  char state = *p;
  /* p now points at field 3; start time is field 22 */
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return errno = EPROTO, -1;
      p++;
    }
  char *end;
  errno = 0;
  uint64_t t = strtoull (p, &end, 10);
  if (errno || end == p)
    return errno = EPROTO, -1;
  if (start_time)
    *start_time = t;
  if (zombie)
    *zombie = state == 'Z' || state == 'X';
  return 0;
}

bool
mrc_proc_alive (pid_t pid, uint64_t start_time)
{
  uint64_t t;
  bool zombie;
  if (pid <= 0 || mrc_proc_stat (pid, &t, &zombie) < 0)
    return false;
  return !zombie && t == start_time;
}

/* Where pidfds are missing (kernels before 5.3, seccomp policies, gVisor,
 * valgrind answering ENOSYS), a process handle is a /proc/PID directory
 * fd instead: it stays bound to that process, so once it is reaped (and
 * its pid free for reuse) every openat through it fails with ESRCH.  The
 * handle says which kind it is by its file type. */
static bool
is_proc_dir (int fd)
{
  struct stat st;
  return fstat (fd, &st) == 0 && S_ISDIR (st.st_mode);
}

pid_t
mrc_pidfd_proc_pid (int pidfd)
{
  char path[64], line[128];
  pid_t pid = -1;
  if (is_proc_dir (pidfd))
    {
      snprintf (path, sizeof path, "/proc/self/fd/%d", pidfd);
      ssize_t n = readlink (path, line, sizeof line - 1);
      if (n <= 0)
        return -1;
      line[n] = '\0';
      return sscanf (line, "/proc/%d", &pid) == 1 ? pid : -1;
    }
  snprintf (path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  FILE *f = fopen (path, "re");
  if (f == NULL)
    return -1;
  while (fgets (line, sizeof line, f))
    if (sscanf (line, "Pid: %d", &pid) == 1)
      break;
  fclose (f);
  return pid;
}

int
mrc_pidfd_open (pid_t pid)
{
  int fd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (fd >= 0 || errno != ENOSYS)
    return fd;
  mrc_debug ("pidfd_open: ENOSYS, using /proc/%d and start-time checks",
             (int) pid);
  char path[64];
  snprintf (path, sizeof path, "/proc/%d", (int) pid);
  fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    errno = ESRCH;
  return fd;
}

int
mrc_pidfd_from_pid (pid_t pid)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d", (int) pid);
  return open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The state of the process behind a /proc/PID handle: 'Z' or 'X' when it
 * has exited, -1 with ESRCH once it is reaped. */
static int
proc_dir_state (int dir_fd)
{
  char buf[1024];
  char *p = read_stat_at (dir_fd, "stat", buf, sizeof buf);
  return p != NULL ? *p : -1;
}

int
mrc_pidfd_poll_fd (int handle, int *timeout_ms)
{
  if (!is_proc_dir (handle))
    return handle;
  if (*timeout_ms < 0 || *timeout_ms > MRC_PIDFD_POLL_MS)
    *timeout_ms = MRC_PIDFD_POLL_MS;
  return -1;
}

int
mrc_pidfd_exited (int handle)
{
  if (!is_proc_dir (handle))
    {
      struct pollfd p = { .fd = handle, .events = POLLIN };
      int r = poll (&p, 1, 0);
      return r < 0 ? -1 : r > 0;
    }
  int st = proc_dir_state (handle);
  if (st < 0)
    return errno == ESRCH ? 1 : -1;
  return st == 'Z' || st == 'X';
}

int
mrc_pidfd_send_signal (int pidfd, int sig)
{
  int r = (int) syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
  if (r == 0 || (errno != ENOSYS && errno != EBADF))
    return r;
  /* ENOSYS, or EBADF for a /proc/PID handle on kernels before 5.1: kill(2)
     after checking the handle's process is still there.  A pid stays ours
     until its process is reaped, so the window is the one between this
     check and the kill, as with any pid-based runtime. */
  pid_t pid = mrc_pidfd_proc_pid (pidfd);
  if (pid <= 0)
    return errno = EBADF, -1;
  r = mrc_pidfd_exited (pidfd);
  if (r != 0)
    return r < 0 ? -1 : (errno = ESRCH, -1);
  return kill (pid, sig);
}

/* The order a /proc/PID handle's namespaces are joined in: user first,
 * so the others are joined with its capabilities; every file is opened
 * before the first setns, while the caller may still open them. */
static const struct
{
  int flag;
  const char *file;
} ns_order[] = {
  { CLONE_NEWUSER, "ns/user" },     { CLONE_NEWIPC, "ns/ipc" },
  { CLONE_NEWUTS, "ns/uts" },       { CLONE_NEWNET, "ns/net" },
  { CLONE_NEWPID, "ns/pid" },       { CLONE_NEWTIME, "ns/time" },
  { CLONE_NEWCGROUP, "ns/cgroup" }, { CLONE_NEWNS, "ns/mnt" },
};
#define NS_COUNT (sizeof ns_order / sizeof ns_order[0])

int
mrc_pidfd_setns (int pidfd, int flags)
{
  if (!is_proc_dir (pidfd))
    return setns (pidfd, flags);
  int fds[NS_COUNT], r = 0, saved = 0;
  for (size_t i = 0; i < NS_COUNT; i++)
    {
      fds[i] = -1;
      if ((flags & ns_order[i].flag) && r == 0)
        {
          fds[i] = openat (pidfd, ns_order[i].file, O_RDONLY | O_CLOEXEC);
          if (fds[i] < 0)
            r = -1, saved = errno == ENOENT ? ESRCH : errno;
        }
    }
  for (size_t i = 0; i < NS_COUNT && r == 0; i++)
    if (fds[i] >= 0 && setns (fds[i], ns_order[i].flag) < 0)
      r = -1, saved = errno;
  for (size_t i = 0; i < NS_COUNT; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  if (r < 0)
    errno = saved;
  return r;
}

/* A /proc/PID handle is not pollable: look every 10 ms. */
static int
wait_proc_dir (int dir_fd, int timeout_ms)
{
  for (int waited = 0; timeout_ms < 0 || waited < timeout_ms; waited += MRC_PIDFD_POLL_MS)
    {
      int r = mrc_pidfd_exited (dir_fd);
      if (r != 0)
        return r < 0 ? -1 : 0;
      usleep (MRC_PIDFD_POLL_MS * 1000);
    }
  return 1;
}

int
mrc_pidfd_wait_exit (int pidfd, int timeout_ms)
{
  if (is_proc_dir (pidfd))
    return wait_proc_dir (pidfd, timeout_ms);
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  for (;;)
    {
      int r = poll (&p, 1, timeout_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      return r == 0 ? 1 : 0;
    }
}
