/* Acting on a running container's cgroup2 cgroup: freeze and thaw, signal
 * every process, list them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/clock.h"
#include "mrc/file.h"
#include "cgroup-internal.h"

#define FREEZE_TIMEOUT_MS 10000
#define KILL_ROUNDS 100
#define MAX_DEPTH 64

/* `frozen` of cgroup.events read through EVFD, -1 on error. */
static int
read_frozen (int evfd)
{
  char buf[256];
  ssize_t n;
  do
    n = pread (evfd, buf, sizeof buf - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  uint64_t v;
  if (!mrc_cgroup_kv_get (buf, "frozen", &v))
    return errno = EPROTO, -1;
  return v != 0;
}

/* The kernel signals a change of cgroup.events with POLLPRI; polls are
 * short anyway so a missed wake-up costs 50 ms, not the timeout. */
static int
wait_frozen (int dirfd, bool want, mrc_error_t *err)
{
  cleanup_close int evfd = openat (dirfd, "cgroup.events",
                                   O_RDONLY | O_CLOEXEC);
  if (evfd < 0)
    return mrc_fail_errno (err, "open `cgroup.events`");
  int64_t deadline = mrc_monotonic_ms () + FREEZE_TIMEOUT_MS;
  for (;;)
    {
      int f = read_frozen (evfd);
      if (f < 0)
        return mrc_fail_errno (err, "read `cgroup.events`");
      if (f == (int) want)
        return 0;
      int64_t left = deadline - mrc_monotonic_ms ();
      if (left <= 0)
        return mrc_error_code (err, ETIMEDOUT,
                               "timed out waiting for `frozen %d` in "
                               "`cgroup.events`",
                               (int) want);
      struct pollfd p = { evfd, POLLPRI, 0 };
      if (poll (&p, 1, left < 50 ? (int) left : 50) < 0 && errno != EINTR)
        return mrc_fail_errno (err, "poll `cgroup.events`");
    }
}

int
mrc_cgroup_v2_freeze (const char *path, bool freeze, mrc_error_t *err)
{
  const char *verb = freeze ? "freeze" : "thaw";
  cleanup_free char *dir = mrc_cgroup_fs_path (path);
  cleanup_close int fd = mrc_cgroup_open (path, err);
  if (fd < 0)
    return mrc_error_wrap (err, "cgroup: %s", verb);
  if (mrc_write_file_at (fd, "cgroup.freeze", freeze ? "1" : "0", 1, err)
      < 0)
    return mrc_error_wrap (err, "cgroup: %s `%s`", verb, dir ? dir : path);
  if (wait_frozen (fd, freeze, err) == 0)
    return 0;
  /* Half frozen is worse than not frozen: undo. */
  if (freeze)
    {
      mrc_error_t ignored = NULL;
      if (mrc_write_file_at (fd, "cgroup.freeze", "0", 1, &ignored) < 0)
        mrc_error_free (&ignored);
    }
  return mrc_error_wrap (err, "cgroup: %s `%s`", verb, dir ? dir : path);
}

int
mrc_cgroup_v2_is_frozen (const char *path, bool *frozen, mrc_error_t *err)
{
  cleanup_close int fd = mrc_cgroup_open (path, err);
  cleanup_free char *text = NULL;
  if (fd < 0)
    return -1;
  if (mrc_cgroup_read (fd, "cgroup.freeze", &text, err) < 0)
    {
      /* The root cgroup, or a kernel before 5.2: never frozen. */
      if ((*err)->errnum != ENOENT)
        return -1;
      mrc_error_free (err);
      *frozen = false;
      return 0;
    }
  *frozen = text[0] == '1';
  return 0;
}

struct pid_list
{
  pid_t *v;
  size_t n;
  size_t cap;
};

static int
collect (int dirfd, struct pid_list *l, int depth, mrc_error_t *err)
{
  cleanup_free char *text = NULL;
  if (mrc_cgroup_read (dirfd, "cgroup.procs", &text, err) < 0)
    return -1;
  for (char *p = text; *p;)
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      if (l->n == l->cap)
        {
          size_t cap = l->cap ? l->cap * 2 : 64;
          pid_t *nv = realloc (l->v, cap * sizeof *nv);
          if (nv == NULL)
            return mrc_fail_errno (err, "read `cgroup.procs`");
          l->v = nv;
          l->cap = cap;
        }
      l->v[l->n++] = (pid_t) v;
      p = end + strspn (end, "\n");
    }
  cleanup_close int dfd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY
                                                  | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (d == NULL)
    return mrc_fail_errno (err, "list sub-cgroups");
  dfd = -1;
  cleanup_dir DIR *dir = d;
  struct dirent *e;
  while ((e = readdir (dir)) != NULL)
    {
      if (e->d_type != DT_DIR || e->d_name[0] == '.' || depth >= MAX_DEPTH)
        continue;
      cleanup_close int sub = openat (dirfd, e->d_name,
                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                          | O_CLOEXEC);
      /* A sub-cgroup may vanish while we look. */
      if (sub < 0 && errno == ENOENT)
        continue;
      if (sub < 0)
        return mrc_fail_errno (err, "open `%s`", e->d_name);
      if (collect (sub, l, depth + 1, err) < 0)
        return mrc_error_wrap (err, "`%s`", e->d_name);
    }
  return 0;
}

int
mrc_cgroup_collect_pids (int dirfd, pid_t **pids, size_t *n,
                         mrc_error_t *err)
{
  struct pid_list l = { NULL, 0, 0 };
  if (collect (dirfd, &l, 0, err) < 0)
    {
      free (l.v);
      return -1;
    }
  *pids = l.v;
  *n = l.n;
  return 0;
}

int
mrc_cgroup_v2_pids (const char *path, pid_t **pids, size_t *n,
                    mrc_error_t *err)
{
  cleanup_close int fd = mrc_cgroup_open (path, err);
  if (fd < 0)
    return -1;
  if (mrc_cgroup_collect_pids (fd, pids, n, err) < 0)
    {
      cleanup_free char *dir = mrc_cgroup_fs_path (path);
      return mrc_error_wrap (err, "cgroup: list processes of `%s`",
                             dir ? dir : path);
    }
  return 0;
}

int
mrc_cgroup_signal_pids (const pid_t *pids, size_t n, int sig,
                        mrc_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      return mrc_fail_errno (err, "cgroup: signal %d to pid %d", sig,
                             (int) pids[i]);
  return n == 0;
}

/* Signal each listed process; 1 when there was none. */
static int
signal_round (const char *path, int sig, mrc_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n;
  if (mrc_cgroup_v2_pids (path, &pids, &n, err) < 0)
    return -1;
  return mrc_cgroup_signal_pids (pids, n, sig, err);
}

int
mrc_cgroup_v2_kill (const char *path, int sig, mrc_error_t *err)
{
  if (sig == SIGKILL)
    {
      cleanup_close int fd = mrc_cgroup_open (path, err);
      if (fd < 0)
        return -1;
      /* cgroup.kill (5.14) kills the whole subtree atomically: nothing can
         fork its way out. */
      if (mrc_write_file_at (fd, "cgroup.kill", "1", 1, err) == 0)
        return 0;
      if ((*err)->errnum != ENOENT)
        return mrc_error_wrap (err, "cgroup: kill");
      mrc_error_free (err);
    }
  /* A process may fork while we signal: SIGKILL goes round until the
     cgroup is empty. */
  for (int round = 0; round < KILL_ROUNDS; round++)
    {
      int r = signal_round (path, sig, err);
      if (r < 0)
        return -1;
      if (r == 1 || sig != SIGKILL)
        return 0;
      struct timespec ts = { 0, 10000000L };
      nanosleep (&ts, NULL);
    }
  return mrc_error_code (err, EBUSY,
                         "cgroup: processes of `%s` survived SIGKILL", path);
}
