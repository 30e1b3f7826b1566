/* Creating a container's cgroup and removing it again.
 *
 * create walks the path from the cgroup2 root, one *at() call per level:
 * at each level it checks that the controllers the resources need are in
 * cgroup.controllers and enables them in cgroup.subtree_control (a child
 * only gets the controllers its parent enables), then makes and opens the
 * next directory.  The first level whose directory it had to make is
 * remembered, so a failure, and later delete, remove exactly what this
 * call made and never a cgroup that someone else owns. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "cgroup-internal.h"

#define MAX_DEPTH 64
#define RMDIR_TRIES 200       /* 10 ms apart: 2 s */
#define RMDIR_DELAY_NS 10000000L

struct need
{
  const char *controller;
  const char *what;  /* the first config field that needs it */
};

/* The distinct controllers of PLAN, in order of first use. */
static size_t
plan_controllers (const struct mrc_cgroup_plan *plan, struct need *need,
                  size_t max)
{
  size_t n = 0;
  for (size_t i = 0; i < plan->n; i++)
    {
      const char *c = plan->w[i].controller;
      bool dup = c == NULL;
      for (size_t j = 0; j < n && !dup; j++)
        dup = strcmp (need[j].controller, c) == 0;
      if (!dup && n < max)
        need[n++] = (struct need){ c, plan->w[i].what };
    }
  return n;
}

static bool
has_word (const char *text, const char *word)
{
  size_t wl = strlen (word);
  for (const char *p = text; (p = strstr (p, word)) != NULL; p += wl)
    if ((p == text || p[-1] == ' ' || p[-1] == '\n')
        && (p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\n'))
      return true;
  return false;
}

/* Make the NEED controllers available to the children of DIRFD (cgroup
 * path CGPATH). */
static int
enable_controllers (int dirfd, const char *cgpath, const struct need *need,
                    size_t n, mrc_error_t *err)
{
  if (n == 0)
    return 0;
  cleanup_free char *avail = NULL, *enabled = NULL;
  cleanup_free char *dir = mrc_cgroup_fs_path (cgpath);
  if (mrc_cgroup_read (dirfd, "cgroup.controllers", &avail, err) < 0
      || mrc_cgroup_read (dirfd, "cgroup.subtree_control", &enabled, err)
             < 0)
    return mrc_error_wrap (err, "cgroup: `%s`", dir ? dir : cgpath);
  for (size_t i = 0; i < n; i++)
    {
      if (!has_word (avail, need[i].controller))
        return mrc_error_code (err, ENOTSUP,
                               "cgroup: controller `%s` is not available in "
                               "`%s` (needed for %s)",
                               need[i].controller, dir ? dir : cgpath,
                               need[i].what);
      if (has_word (enabled, need[i].controller))
        continue;
      char buf[64];
      snprintf (buf, sizeof buf, "+%s", need[i].controller);
      int fd = openat (dirfd, "cgroup.subtree_control", O_WRONLY | O_CLOEXEC);
      if (fd < 0 || mrc_write_all (fd, buf, strlen (buf)) < 0)
        {
          int saved = errno;
          if (fd >= 0)
            close (fd);
          return mrc_error_set (err, saved,
                                "cgroup: enable controller `%s` in `%s` "
                                "(needed for %s)",
                                need[i].controller, dir ? dir : cgpath,
                                need[i].what);
        }
      close (fd);
    }
  return 0;
}

/* PATH's components ("/a/b" -> "a", "b") in place; -1 on "..", ".". */
static int
split (char *path, char **comp, size_t max, size_t *n)
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

/* Back off from 100 us up to RMDIR_DELAY_NS: the common wait (a killed
 * process leaving its cgroup) is over in well under a millisecond, and a
 * fixed 10 ms sleep was most of `delete`'s time. */
static void
nap_n (int attempt)
{
  long ns = 100000L << (attempt < 7 ? attempt : 7);
  struct timespec ts = { 0, ns < RMDIR_DELAY_NS ? ns : RMDIR_DELAY_NS };
  nanosleep (&ts, NULL);
}

/* "/" + COMP[0..N-1]. */
static char *
join (char **comp, size_t n)
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

/* rmdir the cgroups COMP[0..FROM], COMP[0..FROM+1] ... COMP[0..N-1] under
 * ROOTFD, deepest first.  EBUSY on the leaf is retried (its processes may
 * still be exiting); an ancestor that is busy or not empty holds someone
 * else's cgroups and stays. */
static int
remove_chain (int rootfd, char **comp, size_t from, size_t n,
              mrc_error_t *err)
{
  for (size_t i = n; i-- > from;)
    {
      cleanup_free char *p = join (comp, i + 1);
      if (p == NULL)
        return mrc_fail_errno (err, "cgroup: remove");
      int tries = i == n - 1 ? RMDIR_TRIES : 1, r, attempt = 0;
      while ((r = unlinkat (rootfd, p + 1, AT_REMOVEDIR)) < 0
             && errno == EBUSY && --tries > 0)
        nap_n (attempt++);
      if (r < 0 && errno == ENOENT)
        continue;
      if (r < 0 && i == n - 1)
        {
          int saved = errno;
          cleanup_free char *full = mrc_cgroup_fs_path (p);
          return mrc_error_set (err, saved, "cgroup: remove `%s`",
                                full ? full : p);
        }
      if (r < 0)
        break;
    }
  return 0;
}

/* Open each level of COMP under ROOTFD, enabling NEED on the way and
 * making what is missing; *CREATED gets the first level made (N when
 * none).  Returns the leaf's fd. */
static int
walk_create (int rootfd, char **comp, size_t n, const struct need *need,
             size_t n_need, size_t *created, mrc_error_t *err)
{
  cleanup_close int cur = dup (rootfd);
  cleanup_free char *cgpath = strdup ("");
  *created = n;
  if (cur < 0 || cgpath == NULL)
    return mrc_fail_errno (err, "cgroup: create");
  for (size_t i = 0; i < n; i++)
    {
      if (enable_controllers (cur, *cgpath ? cgpath : "/", need, n_need, err)
          < 0)
        return -1;
      char *np = NULL;
      if (asprintf (&np, "%s/%s", cgpath, comp[i]) < 0)
        return mrc_fail_errno (err, "cgroup: create");
      free (cgpath);
      cgpath = np;
      if (mkdirat (cur, comp[i], 0755) == 0)
        {
          if (*created == n)
            *created = i;
        }
      else if (errno != EEXIST)
        {
          int saved = errno;
          cleanup_free char *full = mrc_cgroup_fs_path (cgpath);
          return mrc_error_set (err, saved, "cgroup: create `%s`",
                                full ? full : cgpath);
        }
      int next = openat (cur, comp[i],
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          int saved = errno;
          cleanup_free char *full = mrc_cgroup_fs_path (cgpath);
          return mrc_error_set (err, saved, "cgroup: open `%s`",
                                full ? full : cgpath);
        }
      close (cur);
      cur = next;
    }
  return steal_fd (&cur);
}

static int
setup_leaf (int fd, const struct mrc_linux *linux_, mrc_error_t *err)
{
  if (linux_ == NULL)
    return 0;
  if (mrc_cgroup_apply (fd, linux_->resources, err) < 0)
    return -1;
  return mrc_cgroup_devices (fd, linux_, err);
}

/* A cgroup path taken apart for a walk from the cgroup2 root. */
struct cg_path
{
  char *copy;            /* owns the strings comp[] points into */
  char *comp[MAX_DEPTH];
  size_t n;
  const char *root;      /* the cgroup2 mount point */
};

static void
cg_path_free (struct cg_path *p)
{
  free (p->copy);
}

/* Split PATH into components (refusing `..` and `.`) and find the root. */
static int
cg_path_parse (const char *path, struct cg_path *p, mrc_error_t *err)
{
  p->copy = strdup (path);
  if (p->copy == NULL)
    return mrc_fail_errno (err, "cgroup: `%s`", path);
  if (split (p->copy, p->comp, MAX_DEPTH, &p->n) < 0)
    return mrc_error_code (err, EINVAL, "cgroup: invalid cgroup path `%s`",
                           path);
  return mrc_cgroup_root (&p->root, err);
}

#define cleanup_cg_path __attribute__ ((cleanup (cg_path_free)))

int
mrc_cgroup_create (const char *path, const struct mrc_linux *linux_,
                   struct mrc_cgroup *out, mrc_error_t *err)
{
  size_t created = 0, n_need;
  struct need need[16];
  cleanup_cg_path struct cg_path cp = { 0 };
  if (cg_path_parse (path, &cp, err) < 0)
    return -1;
  char **comp = cp.comp;
  size_t n = cp.n;
  const char *root = cp.root;
  /* The plan is built first: invalid values fail before any mkdir. */
  struct mrc_cgroup_plan plan;
  if (mrc_cgroup_plan_build (linux_ ? linux_->resources : NULL, &plan, err)
      < 0)
    return -1;
  n_need = plan_controllers (&plan, need, sizeof need / sizeof need[0]);
  cleanup_close int rootfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = rootfd < 0 ? mrc_fail_errno (err, "cgroup: open `%s`", root)
                      : walk_create (rootfd, comp, n, need, n_need, &created,
                                     err);
  if (fd >= 0 && setup_leaf (fd, linux_, err) < 0)
    {
      close (fd);
      fd = -1;
    }
  if (fd >= 0)
    {
      out->path = join (comp, n);
      out->created_from = created < n ? join (comp, created + 1) : NULL;
      out->fd = fd;
      if (out->path == NULL || (created < n && out->created_from == NULL))
        {
          mrc_cgroup_release (out);
          fd = mrc_fail_errno (err, "cgroup: create `%s`", path);
        }
    }
  if (fd < 0 && rootfd >= 0 && created < n)
    {
      mrc_error_t ignored = NULL;
      if (remove_chain (rootfd, comp, created, n, &ignored) < 0)
        mrc_error_free (&ignored);
    }
  mrc_cgroup_plan_free (&plan);
  return fd < 0 ? -1 : 0;
}

void
mrc_cgroup_release (struct mrc_cgroup *cg)
{
  if (cg == NULL)
    return;
  int saved = errno;
  if (cg->fd >= 0)
    close (cg->fd);
  cg->fd = -1;
  free (cg->path);
  free (cg->created_from);
  cg->path = cg->created_from = NULL;
  errno = saved;
}

/* Wait until nothing lives in DIRFD's cgroup (cgroup.events populated 0),
 * at most 2 s. */
static void
wait_empty (int dirfd)
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
      nap_n (i);
    }
}

/* rmdir every cgroup below DIRFD, deepest first (a container with a
 * writable cgroupfs may have made some). */
static int
remove_children (int dirfd, int depth)
{
  cleanup_close int dfd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY
                                                  | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (d == NULL)
    return -1;
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
        nap_n (t);
    }
  return 0;
}

int
mrc_cgroup_destroy (const char *path, const char *created_from,
                    mrc_error_t *err)
{
  char *comp[MAX_DEPTH], *from_comp[MAX_DEPTH];
  size_t n, n_from;
  const char *root;
  if (created_from == NULL)
    return 0;
  cleanup_free char *copy = strdup (path), *from = strdup (created_from);
  if (copy == NULL || from == NULL)
    return mrc_fail_errno (err, "cgroup: remove `%s`", path);
  if (split (copy, comp, MAX_DEPTH, &n) < 0
      || split (from, from_comp, MAX_DEPTH, &n_from) < 0 || n_from > n)
    return mrc_error_code (err, EINVAL, "cgroup: invalid cgroup path `%s`",
                           path);
  for (size_t i = 0; i < n_from; i++)
    if (strcmp (comp[i], from_comp[i]) != 0)
      return mrc_error_code (err, EINVAL,
                             "cgroup: `%s` is not inside `%s`", path,
                             created_from);
  if (mrc_cgroup_root (&root, err) < 0)
    return -1;
  mrc_error_t ignored = NULL;
  int fd = mrc_cgroup_open_at (path, O_RDONLY | O_DIRECTORY, &ignored);
  mrc_error_free (&ignored);
  if (fd >= 0)
    {
      if (mrc_cgroup_kill (path, SIGKILL, &ignored) < 0)
        mrc_error_free (&ignored);
      wait_empty (fd);
      remove_children (fd, 0);
      close (fd);
    }
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", root);
  return remove_chain (rootfd, comp, n_from - 1, n, err);
}

int
mrc_cgroup_update (const char *path, const struct mrc_resources *r,
                   mrc_error_t *err)
{
  size_t created = 0;
  struct need need[16];
  cleanup_cg_path struct cg_path cp = { 0 };
  if (cg_path_parse (path, &cp, err) < 0)
    return -1;
  struct mrc_cgroup_plan plan;
  if (mrc_cgroup_plan_build (r, &plan, err) < 0)
    return -1;
  /* The same walk as create: a limit on a controller the container did not
     use before gets it enabled on the way down, or an error naming it. */
  size_t n_need = plan_controllers (&plan, need, sizeof need / sizeof need[0]);
  cleanup_close int rootfd = open (cp.root,
                                  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int fd
      = rootfd < 0 ? mrc_fail_errno (err, "cgroup: open `%s`", cp.root)
                   : walk_create (rootfd, cp.comp, cp.n, need, n_need,
                                  &created, err);
  int ret = fd < 0 ? -1 : mrc_cgroup_apply (fd, r, err);
  mrc_cgroup_plan_free (&plan);
  return ret;
}

int
mrc_cgroup_would_create (const char *path, char **created_from,
                         mrc_error_t *err)
{
  *created_from = NULL;
  cleanup_cg_path struct cg_path cp = { 0 };
  if (cg_path_parse (path, &cp, err) < 0)
    return -1;
  char **comp = cp.comp;
  size_t n = cp.n;
  const char *root = cp.root;
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", root);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *p = join (comp, i + 1);
      if (p == NULL)
        return mrc_fail_errno (err, "cgroup: `%s`", path);
      struct stat st;
      if (fstatat (rootfd, p + 1, &st, AT_SYMLINK_NOFOLLOW) == 0)
        continue;
      if (errno != ENOENT)
        return mrc_fail_errno (err, "cgroup: `%s`", p);
      *created_from = steal_ptr (&p);
      return 0;
    }
  return 0;
}
