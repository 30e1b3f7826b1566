/* Walking one cgroup hierarchy (cgroup2, or one v1 hierarchy): making a
 * cgroup path level by level with *at() calls, and removing exactly the
 * levels that were made, deepest first.  The first level a create had to
 * make is remembered by the caller, so a failure, and later delete,
 * remove what that create made and never a cgroup someone else owns. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "cgroup-internal.h"

#define MAX_DEPTH 64
#define RMDIR_TRIES 200       /* 2 s at most with nap's back-off */
#define RMDIR_DELAY_NS 10000000L

int
mrc_cgroup_split (char *path, char **comp, size_t max, size_t *n)
{
  char *save = NULL;
  *n = 0;
  for (char *c = strtok_r (path, "/", &save); c;
       c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, "..") == 0 || strcmp (c, ".") == 0 || *n == max)
        return -1;
      comp[(*n)++] = c;
    }
  return *n == 0 ? -1 : 0;
}

char *
mrc_cgroup_join (char **comp, size_t n)
{
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen (comp[i]) + 1;
  char *s = malloc (len);
  if (s == NULL)
    return NULL;
  *s = '\0';
  for (size_t i = 0; i < n; i++)
    strcat (strcat (s, "/"), comp[i]);
  return s;
}

/* Back off from 100 us up to RMDIR_DELAY_NS: the common wait (a killed
 * process leaving its cgroup) is over in well under a millisecond, and a
 * fixed 10 ms sleep was most of `delete`'s time. */
static void
nap (int attempt)
{
  long ns = 100000L << (attempt < 7 ? attempt : 7);
  struct timespec ts = { 0, ns < RMDIR_DELAY_NS ? ns : RMDIR_DELAY_NS };
  nanosleep (&ts, NULL);
}

static char *
full_path (const char *mnt, const char *cgpath)
{
  char *s = NULL;
  if (asprintf (&s, "%s%s", mnt, strcmp (cgpath, "/") == 0 ? "" : cgpath)
      < 0)
    return NULL;
  return s;
}

static int
level_error (int errnum, const char *verb, const char *mnt,
             const char *cgpath, mrc_error_t *err)
{
  cleanup_free char *full = full_path (mnt, cgpath);
  return mrc_error_set (err, errnum, "cgroup: %s `%s`", verb,
                        full ? full : cgpath);
}

int
mrc_cgroup_remove_chain (int rootfd, const char *mnt, char **comp,
                         size_t from, size_t n, mrc_error_t *err)
{
  for (size_t i = n; i-- > from;)
    {
      cleanup_free char *p = mrc_cgroup_join (comp, i + 1);
      if (p == NULL)
        return mrc_fail_errno (err, "cgroup: remove");
      int tries = i == n - 1 ? RMDIR_TRIES : 1, r, attempt = 0;
      while ((r = unlinkat (rootfd, p + 1, AT_REMOVEDIR)) < 0
             && errno == EBUSY && --tries > 0)
        nap (attempt++);
      if (r < 0 && errno == ENOENT)
        continue;
      /* an ancestor that is busy or not empty holds someone else's
         cgroups and stays */
      if (r < 0 && i == n - 1)
        return level_error (errno, "remove", mnt, p, err);
      if (r < 0)
        break;
    }
  return 0;
}

int
mrc_cgroup_walk_create (int rootfd, const char *mnt, char **comp, size_t n,
                        const struct mrc_cgroup_walk *w, size_t *created,
                        mrc_error_t *err)
{
  cleanup_close int cur = dup (rootfd);
  cleanup_free char *cgpath = strdup ("");
  *created = n;
  if (cur < 0 || cgpath == NULL)
    return mrc_fail_errno (err, "cgroup: create");
  for (size_t i = 0; i < n; i++)
    {
      if (w && w->at_level
          && w->at_level (w->ctx, cur, *cgpath ? cgpath : "/", err) < 0)
        return -1;
      char *np = NULL;
      if (asprintf (&np, "%s/%s", cgpath, comp[i]) < 0)
        return mrc_fail_errno (err, "cgroup: create");
      free (cgpath);
      cgpath = np;
      bool made = mkdirat (cur, comp[i], 0755) == 0;
      if (!made && errno != EEXIST)
        return level_error (errno, "create", mnt, cgpath, err);
      if (made && *created == n)
        *created = i;
      int next = openat (cur, comp[i],
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return level_error (errno, "open", mnt, cgpath, err);
      if (w && w->after_open
          && w->after_open (w->ctx, cur, next, cgpath, err) < 0)
        {
          close (next);
          return -1;
        }
      close (cur);
      cur = next;
    }
  return steal_fd (&cur);
}

/* rmdir every cgroup below DIRFD, deepest first (a container with a
 * writable cgroupfs may have made some). */
static void
remove_children (int dirfd, int depth)
{
  cleanup_close int dfd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY
                                                  | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (d == NULL)
    return;
  dfd = -1;
  cleanup_dir DIR *dir = d;
  struct dirent *e;
  while ((e = readdir (dir)) != NULL)
    {
      if (e->d_type != DT_DIR || strcmp (e->d_name, ".") == 0
          || strcmp (e->d_name, "..") == 0 || depth > MAX_DEPTH)
        continue;
      cleanup_close int sub = openat (dirfd, e->d_name,
                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                          | O_CLOEXEC);
      if (sub >= 0)
        remove_children (sub, depth + 1);
      for (int t = 0; unlinkat (dirfd, e->d_name, AT_REMOVEDIR) < 0
                      && errno == EBUSY && t < RMDIR_TRIES;
           t++)
        nap (t);
    }
}

/* SIGKILL every listed process; how many there were (-1 on error). */
static long
kill_round (int dirfd)
{
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  mrc_error_t ignored = NULL;
  if (mrc_cgroup_collect_pids (dirfd, &pids, &n, &ignored) < 0)
    {
      mrc_error_free (&ignored);
      return -1;
    }
  for (size_t i = 0; i < n; i++)
    kill (pids[i], SIGKILL);
  return (long) n;
}

void
mrc_cgroup_empty_out (int dirfd)
{
  /* Without cgroup.kill a process may fork while we kill: go round until
     the cgroup lists none (a killed process leaves it when it is reaped
     by its parent, so this also waits for that). */
  for (int i = 0; i < RMDIR_TRIES && kill_round (dirfd) > 0; i++)
    nap (i);
  remove_children (dirfd, 0);
}

/* The v2 back end's wait: cgroup.events says when nothing lives there. */
void
mrc_cgroup_remove_below (int dirfd)
{
  remove_children (dirfd, 0);
}

void
mrc_cgroup_wait_unpopulated (int dirfd)
{
  for (int i = 0; i < RMDIR_TRIES; i++)
    {
      cleanup_free char *ev = NULL;
      mrc_error_t ignored = NULL;
      uint64_t populated = 1;
      if (mrc_cgroup_read (dirfd, "cgroup.events", &ev, &ignored) < 0)
        {
          mrc_error_free (&ignored);
          return;
        }
      if (!mrc_cgroup_kv_get (ev, "populated", &populated) || populated == 0)
        return;
      nap (i);
    }
}
