/* The cgroup2 back end: creating a container's cgroup, changing its
 * limits and removing it again.
 *
 * create walks the path from the cgroup2 root (walk.c): at each level it
 * checks that the controllers the resources need are in
 * cgroup.controllers and enables them in cgroup.subtree_control (a child
 * only gets the controllers its parent enables), then makes and opens the
 * next directory. */
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

struct needs
{
  struct need v[16];
  size_t n;
};

/* Make the NEED controllers available to the children of DIRFD (cgroup
 * path CGPATH): the walk's callback at each level. */
static int
enable_controllers (void *ctx, int dirfd, const char *cgpath,
                    mrc_error_t *err)
{
  const struct needs *ns = ctx;
  const struct need *need = ns->v;
  size_t n = ns->n;
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

/* PLAN's writes into the leaf FD. */
static int
setup_leaf (int fd, const struct mrc_cgroup_plan *plan, mrc_error_t *err)
{
  struct mrc_cgroup_dirs d = MRC_CGROUP_DIRS_INIT;
  d.all = fd;
  return mrc_cgroup_plan_apply (plan, &d, err);
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
  if (mrc_cgroup_split (p->copy, p->comp, MAX_DEPTH, &p->n) < 0)
    return mrc_error_code (err, EINVAL, "cgroup: invalid cgroup path `%s`",
                           path);
  return mrc_cgroup_root (&p->root, err);
}

#define cleanup_cg_path __attribute__ ((cleanup (cg_path_free)))

/* The walk for PLAN: which controllers to enable on the way down. */
static void
needs_of (const struct mrc_cgroup_plan *plan, struct needs *ns,
          struct mrc_cgroup_walk *w)
{
  ns->n = plan_controllers (plan, ns->v, sizeof ns->v / sizeof ns->v[0]);
  *w = (struct mrc_cgroup_walk){ enable_controllers, NULL, ns };
}

int
mrc_cgroup_v2_make (struct mrc_cgroup *cg, const struct mrc_cgroup_plan *plan,
                    const struct mrc_linux *devices, mrc_error_t *err)
{
  size_t created = 0;
  struct needs ns;
  struct mrc_cgroup_walk w;
  cleanup_cg_path struct cg_path cp = { 0 };
  if (cg_path_parse (cg->path, &cp, err) < 0)
    return -1;
  needs_of (plan, &ns, &w);
  cleanup_close int rootfd = open (cp.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd = rootfd < 0 ? mrc_fail_errno (err, "cgroup: open `%s`", cp.root)
                      : mrc_cgroup_walk_create (rootfd, cp.root, cp.comp, cp.n,
                                                &w, &created, err);
  if (fd >= 0 && setup_leaf (fd, plan, err) < 0)
    {
      close (fd);
      fd = -1;
    }
  char *from = NULL;
  if (fd >= 0 && created < cp.n
      && (from = mrc_cgroup_join (cp.comp, created + 1)) == NULL)
    {
      close (fd);
      fd = mrc_fail_errno (err, "cgroup: create `%s`", cg->path);
    }
  if (fd >= 0)
    {
      free (cg->created_from);
      cg->created_from = from;
      cg->fd = fd;
      cg->devices = devices; /* mrc_cgroup_devices_attach (devices.c) */
    }
  if (fd < 0 && rootfd >= 0 && created < cp.n)
    {
      mrc_error_t ignored = NULL;
      if (mrc_cgroup_remove_chain (rootfd, cp.root, cp.comp, created, cp.n,
                                   &ignored) < 0)
        mrc_error_free (&ignored);
    }
  return fd < 0 ? -1 : 0;
}

static int
v2_create (struct mrc_cgroup *cg, const struct mrc_linux *linux_,
           mrc_error_t *err)
{
  /* The plan is built first: invalid values fail before any mkdir. */
  struct mrc_cgroup_plan plan;
  if (mrc_cgroup_plan_build (linux_ ? linux_->resources : NULL, &plan, err)
      < 0)
    return -1;
  int r = mrc_cgroup_v2_make (cg, &plan, cg->no_devices ? NULL : linux_,
                              err);
  mrc_cgroup_plan_free (&plan);
  return r;
}

int
mrc_cgroup_v2_destroy (const char *path, const char *created_from,
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
  if (mrc_cgroup_split (copy, comp, MAX_DEPTH, &n) < 0
      || mrc_cgroup_split (from, from_comp, MAX_DEPTH, &n_from) < 0
      || n_from > n)
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
      if (mrc_cgroup_v2_kill (path, SIGKILL, &ignored) < 0)
        mrc_error_free (&ignored);
      mrc_cgroup_wait_unpopulated (fd);
      mrc_cgroup_remove_below (fd);
      close (fd);
    }
  cleanup_close int rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", root);
  return mrc_cgroup_remove_chain (rootfd, root, comp, n_from - 1, n, err);
}

static int
v2_destroy (const struct mrc_cgroup *cg, mrc_error_t *err)
{
  return mrc_cgroup_v2_destroy (cg->path, cg->created_from, err);
}

int
mrc_cgroup_v2_update_plan (const struct mrc_cgroup *cg,
                           const struct mrc_cgroup_plan *plan,
                           mrc_error_t *err)
{
  size_t created = 0;
  struct needs ns;
  struct mrc_cgroup_walk w;
  cleanup_cg_path struct cg_path cp = { 0 };
  if (cg_path_parse (cg->path, &cp, err) < 0)
    return -1;
  /* The same walk as create: a limit on a controller the container did not
     use before gets it enabled on the way down, or an error naming it. */
  needs_of (plan, &ns, &w);
  cleanup_close int rootfd = open (cp.root,
                                  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int fd
      = rootfd < 0 ? mrc_fail_errno (err, "cgroup: open `%s`", cp.root)
                   : mrc_cgroup_walk_create (rootfd, cp.root, cp.comp, cp.n,
                                             &w, &created, err);
  return fd < 0 ? -1 : setup_leaf (fd, plan, err);
}

static int
v2_update (const struct mrc_cgroup *cg, const struct mrc_resources *r,
           mrc_error_t *err)
{
  struct mrc_cgroup_plan plan;
  if (mrc_cgroup_plan_build (r, &plan, err) < 0)
    return -1;
  int ret = mrc_cgroup_v2_update_plan (cg, &plan, err);
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
  cleanup_close int rootfd = open (cp.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", cp.root);
  return mrc_cgroup_would_create_at (rootfd, cp.comp, cp.n, created_from,
                                     err);
}

int
mrc_cgroup_would_create_at (int rootfd, char **comp, size_t n,
                            char **created_from, mrc_error_t *err)
{
  *created_from = NULL;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *p = mrc_cgroup_join (comp, i + 1);
      if (p == NULL)
        return mrc_fail_errno (err, "cgroup: would create");
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

static int
v2_freeze (const struct mrc_cgroup *cg, bool freeze, mrc_error_t *err)
{
  return mrc_cgroup_v2_freeze (cg->path, freeze, err);
}

static int
v2_is_frozen (const struct mrc_cgroup *cg, bool *frozen, mrc_error_t *err)
{
  return mrc_cgroup_v2_is_frozen (cg->path, frozen, err);
}

static int
v2_kill (const struct mrc_cgroup *cg, int sig, mrc_error_t *err)
{
  return mrc_cgroup_v2_kill (cg->path, sig, err);
}

static int
v2_pids (const struct mrc_cgroup *cg, pid_t **pids, size_t *n,
         mrc_error_t *err)
{
  return mrc_cgroup_v2_pids (cg->path, pids, n, err);
}

static int
v2_stats_json (const struct mrc_cgroup *cg, const char *id, char **json,
               size_t *len, mrc_error_t *err)
{
  cleanup_close int fd = mrc_cgroup_open (cg->path, err);
  if (fd < 0)
    return mrc_error_wrap (err, "cgroup: stats");
  return mrc_cgroup_v2_stats_json (fd, id, json, len, err);
}

static int
v2_oom_count (const struct mrc_cgroup *cg, uint64_t *n, mrc_error_t *err)
{
  cleanup_close int fd = mrc_cgroup_open (cg->path, err);
  if (fd < 0)
    return -1;
  return mrc_cgroup_v2_oom_count (fd, n, err);
}

const struct mrc_cgroup_ops mrc_cgroup_v2_ops = {
  .create = v2_create,         .update = v2_update,
  .freeze = v2_freeze,         .is_frozen = v2_is_frozen,
  .kill = v2_kill,             .pids = v2_pids,
  .destroy = v2_destroy,       .stats_json = v2_stats_json,
  .oom_count = v2_oom_count,
};
