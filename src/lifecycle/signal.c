#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/proc.h"
#include "lifecycle-internal.h"

#define STOP_TIMEOUT_MS 10000

/* The init is the recorded pid only while its start time and its cgroup
 * match the record: checked after the pidfd is open, so the pid cannot be
 * recycled in between, and a pid that fails either (reused, or copied
 * into an edited record with its start time) is never signalled. */
int
mrc_container_init_pidfd (const struct mrc_state *st, mrc_error_t *err)
{
  if (st->pid <= 0)
    return mrc_error_code (err, ESRCH, "container not running");
  cleanup_close int fd = mrc_pidfd_open (st->pid);
  if (fd < 0 && errno == ESRCH)
    return mrc_error_code (err, ESRCH, "container not running");
  if (fd < 0)
    return mrc_fail_errno (err, "open init process %d", (int) st->pid);
  if (!mrc_proc_alive (st->pid, st->pid_start_time))
    return mrc_error_code (err, ESRCH, "container not running");
  struct mrc_cgroup cg = mrc_state_cgroup (st);
  bool member = true;
  mrc_error_t gone = NULL;
  if (mrc_cgroup_present (&cg) && mrc_cgroup_holds (&cg, st->pid, &member,
                                                    &gone) < 0)
    {
      mrc_error_free (&gone);
      member = false; /* exited meanwhile */
    }
  if (!member)
    return mrc_error_code (err, ESRCH, "container not running");
  return steal_fd (&fd);
}

static int
ns_inode (pid_t pid, ino_t *ino)
{
  char path[64];
  struct stat s;
  snprintf (path, sizeof path, "/proc/%d/ns/pid", (int) pid);
  if (stat (path, &s) < 0)
    return -1;
  *ino = s.st_ino;
  return 0;
}

/* Without cgroups, "all processes of the container" are the processes in
 * its pid namespace; with a shared pid namespace, only the init. */
int
mrc_container_pids (const struct mrc_state *st, pid_t **out, size_t *n,
                    mrc_error_t *err)
{
  /* The cgroup knows every process, in any pid namespace layout. */
  struct mrc_cgroup cg = mrc_state_cgroup (st);
  if (mrc_cgroup_present (&cg))
    return mrc_cgroup_pids (&cg, out, n, err);
  ino_t init_ns, self_ns, ns;
  size_t count = 0, cap = 16;
  cleanup_free pid_t *pids = malloc (cap * sizeof *pids);
  if (pids == NULL)
    return mrc_fail_errno (err, "list processes");
  if (ns_inode (st->pid, &init_ns) < 0 || ns_inode (getpid (), &self_ns) < 0)
    return mrc_fail_errno (err, "read pid namespace of %d", (int) st->pid);
  pids[count++] = st->pid;
  cleanup_dir DIR *d = init_ns == self_ns ? NULL : opendir ("/proc");
  if (init_ns != self_ns && d == NULL)
    return mrc_fail_errno (err, "open /proc");
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      if (*end || pid <= 0 || pid == st->pid)
        continue;
      if (ns_inode ((pid_t) pid, &ns) < 0 || ns != init_ns)
        continue; /* exited meanwhile, or another namespace */
      if (count == cap)
        {
          pid_t *np = realloc (pids, (cap *= 2) * sizeof *np);
          if (np == NULL)
            return mrc_fail_errno (err, "list processes");
          pids = np;
        }
      pids[count++] = (pid_t) pid;
    }
  *n = count;
  *out = steal_ptr (&pids);
  return 0;
}

static int
signal_others (const struct mrc_state *st, int sig, mrc_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n;
  if (mrc_container_pids (st, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (pids[i] != st->pid)
      kill (pids[i], sig); /* it may have exited meanwhile */
  return 0;
}

/* kill --all of a stopped container: the processes its init left in its
 * cgroup, if it has one still (runc: nothing to do is no error). */
static int
signal_leftovers (const struct mrc_state *st, int sig, mrc_error_t *err)
{
  struct mrc_cgroup cg = mrc_state_cgroup (st);
  if (!mrc_cgroup_present (&cg))
    return 0;
  if (mrc_cgroup_kill (&cg, sig, err) == 0)
    return 0;
  if ((*err)->errnum != ENOENT)
    return -1;
  mrc_error_free (err);
  return 0;
}

int
mrc_container_signal (const struct mrc_state *st, int sig, bool all,
                      mrc_error_t *err)
{
  if (all && st->status == MRC_STATUS_STOPPED)
    return signal_leftovers (st, sig, err);
  cleanup_close int fd = mrc_container_init_pidfd (st, err);
  if (fd < 0)
    return -1;
  /* --all through the cgroup (cgroup.kill for SIGKILL); without one,
     through the pid namespace */
  struct mrc_cgroup cg = mrc_state_cgroup (st);
  if (all && mrc_cgroup_present (&cg))
    return mrc_cgroup_kill (&cg, sig, err);
  if (all && signal_others (st, sig, err) < 0)
    return -1;
  if (mrc_pidfd_send_signal (fd, sig) < 0)
    {
      if (errno == ESRCH)
        return mrc_error_code (err, ESRCH, "container not running");
      return mrc_fail_errno (err, "send signal %d to the container", sig);
    }
  return 0;
}

int
mrc_container_stop_all (const struct mrc_state *st, mrc_error_t *err)
{
  cleanup_close int fd = mrc_container_init_pidfd (st, err);
  if (fd < 0)
    {
      if ((*err)->errnum == ESRCH)
        {
          mrc_error_free (err);
          return 0; /* already gone */
        }
      return -1;
    }
  /* SIGKILL to a pid namespace's init kills every process in it; the
     cgroup also reaches a container that shares the host's. */
  struct mrc_cgroup cg = mrc_state_cgroup (st);
  if (mrc_cgroup_present (&cg) && mrc_cgroup_kill (&cg, SIGKILL, err) < 0)
    return -1;
  if (mrc_pidfd_send_signal (fd, SIGKILL) < 0 && errno != ESRCH)
    return mrc_fail_errno (err, "kill the container");
  int r = mrc_pidfd_wait_exit (fd, STOP_TIMEOUT_MS);
  if (r < 0)
    return mrc_fail_errno (err, "wait for the container to stop");
  if (r == 1)
    return mrc_fail (err, "the container did not stop within %d ms of "
                          "SIGKILL",
                     STOP_TIMEOUT_MS);
  return 0;
}
