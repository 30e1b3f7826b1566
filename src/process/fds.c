#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/syscall.h>

#include "mrc/process.h"
#include "process-internal.h"

/* Preserved fds (3..first_closed-1) must reach the program; every other fd
 * must not (CVE-2024-21626: a leaked host directory fd lets the container
 * walk out of its root).  mini-runc's own channel fds are moved above the
 * preserved range so they can never be mistaken for a preserved fd. */
int
mrc_process_check_fds (int wanted, int inherited, mrc_error_t *err)
{
  if (wanted > inherited)
    return mrc_error_code (err, EBADF, "--preserve-fds/LISTEN_FDS: fd %d is "
                                       "not open in the caller",
                           3 + inherited);
  return 0;
}

/* Every open fd from FIRST on close-on-exec, found in /proc/self/fd
 * (the fd reading it is close-on-exec already). */
static int
cloexec_each (int first, mrc_error_t *err)
{
  DIR *d = opendir ("/proc/self/fd");
  if (d == NULL)
    return mrc_fail_errno (err, "mark fds close-on-exec: /proc/self/fd");
  struct dirent *e;
  int r = 0;
  while (r == 0 && (e = readdir (d)) != NULL)
    {
      char *end;
      long fd = strtol (e->d_name, &end, 10);
      if (*end || end == e->d_name || fd < first || fd == dirfd (d))
        continue;
      int flags = fcntl ((int) fd, F_GETFD);
      if (flags >= 0 && fcntl ((int) fd, F_SETFD, flags | FD_CLOEXEC) < 0)
        r = mrc_fail_errno (err, "mark fd %ld close-on-exec", fd);
    }
  closedir (d);
  return r;
}

int
mrc_init_fds (int first_closed, int *internal[], int n_internal,
              mrc_error_t *err)
{
  for (int i = 0; i < n_internal; i++)
    {
      if (*internal[i] < 0 || *internal[i] >= first_closed)
        continue;
      int nfd = fcntl (*internal[i], F_DUPFD_CLOEXEC, first_closed);
      if (nfd < 0)
        return mrc_fail_errno (err, "move internal fd");
      close (*internal[i]);
      *internal[i] = nfd;
    }
  for (int fd = 3; fd < first_closed; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags < 0)
        {
          if (errno == EBADF)
            continue; /* a gap in the caller's fds: nothing to pass */
          return mrc_fail_errno (err, "preserve fd %d", fd);
        }
      if (fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
        return mrc_fail_errno (err, "preserve fd %d", fd);
    }
  if (syscall (SYS_close_range, (unsigned) first_closed, ~0U,
               CLOSE_RANGE_CLOEXEC)
      == 0)
    return 0;
  /* A seccomp profile older than close_range (5.9) refuses it (EPERM, or
     ENOSYS), and so does an old kernel: mark them one by one. */
  if (errno != EPERM && errno != ENOSYS)
    return mrc_fail_errno (err, "mark fds close-on-exec");
  return cloexec_each (first_closed, err);
}
