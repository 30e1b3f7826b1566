#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/proc.h"

int
mrc_proc_stat (pid_t pid, uint64_t *start_time, bool *zombie)
{
  char path[64], buf[1024];
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? (errno = ESRCH, -1) : -1;
  ssize_t n;
  do
    n = read (fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n == 0 ? (errno = ESRCH, -1) : -1;
  buf[n] = '\0';
  /* comm may hold spaces and parentheses: fields restart after the last ')' */
  char *p = strrchr (buf, ')');
  if (p == NULL || p[1] != ' ')
    return errno = EPROTO, -1;
  p += 2;
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

pid_t
mrc_pidfd_proc_pid (int pidfd)
{
  char path[64], line[128];
  pid_t pid = -1;
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
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

int
mrc_pidfd_send_signal (int pidfd, int sig)
{
  return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int
mrc_pidfd_wait_exit (int pidfd, int timeout_ms)
{
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
