/* Starting the RCU grace period that the first move into a v1 cgroup waits
 * for, early, so that it passes while the runtime does other work.
 *
 * Writing a pid into a v1 cgroup.procs takes the kernel's global
 * cgroup_threadgroup_rwsem for writing, and a writer must first wait for
 * an RCU grace period (rcu_sync_enter), about 8 ms on these machines;
 * writers that come while one is inside, or within a grace period after
 * it left, pass at once.  cgroup2 avoids the move altogether
 * (CLONE_INTO_CGROUP), v1 cannot: its container processes must move
 * (the cgroup-v1 step of process/steps.c).  So create and exec fork, first of all, a
 * short-lived process that moves itself into the group it is already in
 * (a move that changes nothing but takes the lock): the grace period then
 * runs alongside the runtime's own setup instead of after it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "cgroup-internal.h"

pid_t
mrc_cgroup_warm_start (void)
{
  const struct mrc_cgroup_hier *h;
  size_t n;
  mrc_error_t ignored = NULL;
  cleanup_free char *self = NULL, *own = NULL, *file = NULL;
  /* best effort: any failure only means no head start */
  if (mrc_cgroup_hiers (&h, &n, &ignored) < 0 || n == 0
      || mrc_cgroup_read_own (&self, &ignored) < 0
      || (own = mrc_cgroup_own_v1_from (self, h[0].name)) == NULL
      || asprintf (&file, "%s%s/cgroup.procs", h[0].mnt,
                   strcmp (h[0].root, "/") == 0 ? own : "")
             < 0)
    {
      mrc_error_free (&ignored);
      return 0;
    }
  pid_t pid = fork ();
  if (pid == 0)
    {
      int fd = open (file, O_WRONLY | O_CLOEXEC);
      _exit (fd < 0 || write (fd, "0", 1) != 1);
    }
  return pid > 0 ? pid : 0;
}

void
mrc_cgroup_warm_end (pid_t pid)
{
  int saved = errno;
  if (pid > 0)
    while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
      ;
  errno = saved;
}
