/* The cgroup module's entry points: a container's cgroup record is
 * prepared for the host's layout, and every later call goes to the back
 * end the record belongs to (v1 entries: the v1 back end, which also
 * handles a hybrid host's cgroup2 placement; none: cgroup2). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "cgroup-internal.h"

#define MAX_DEPTH 64

static const struct mrc_cgroup_ops *
ops_of (const struct mrc_cgroup *cg)
{
  return cg->n_v1 > 0 ? &mrc_cgroup_v1_ops : &mrc_cgroup_v2_ops;
}

bool
mrc_cgroup_present (const struct mrc_cgroup *cg)
{
  return cg && (cg->path != NULL || cg->n_v1 > 0);
}

static void
kv_free (struct mrc_kv *kv, size_t n)
{
  for (size_t i = 0; kv && i < n; i++)
    free (kv[i].key), free (kv[i].value);
  free (kv);
}

void
mrc_cgroup_release (struct mrc_cgroup *cg)
{
  if (cg == NULL)
    return;
  int saved = errno;
  if (cg->fd >= 0)
    close (cg->fd);
  if (cg->device_prog >= 0)
    close (cg->device_prog);
  free (cg->path);
  free (cg->created_from);
  kv_free (cg->v1, cg->n_v1);
  kv_free (cg->v1_created, cg->n_v1_created);
  *cg = (struct mrc_cgroup) MRC_CGROUP_INIT;
  errno = saved;
}

/* Hierarchy H's own cgroup of this process, relative to the mount's
 * root; "/" when it is not below it. */
static char *
own_in (const struct mrc_cgroup_hier *h, const char *proc_cgroup)
{
  cleanup_free char *own = mrc_cgroup_own_v1_from (proc_cgroup, h->name);
  size_t rl = strlen (h->root);
  if (own == NULL)
    return strdup ("/");
  if (strcmp (h->root, "/") == 0)
    return steal_ptr (&own);
  if (strncmp (own, h->root, rl) == 0 && (own[rl] == '/' || own[rl] == '\0'))
    return strdup (own[rl] ? own + rl : "/");
  return strdup ("/");
}

/* What making PATH in hierarchy H would create, or NULL. */
static int
v1_would_create (const struct mrc_cgroup_hier *h, const char *path,
                 char **from, mrc_error_t *err)
{
  char *comp[MAX_DEPTH];
  size_t n;
  cleanup_free char *copy = strdup (path);
  if (copy == NULL)
    return mrc_fail_errno (err, "cgroup: `%s`", path);
  if (mrc_cgroup_split (copy, comp, MAX_DEPTH, &n) < 0)
    return mrc_error_code (err, EINVAL, "cgroup: invalid cgroup path `%s`",
                           path);
  cleanup_close int rootfd = open (h->mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", h->mnt);
  return mrc_cgroup_would_create_at (rootfd, comp, n, from, err);
}

static int
prepare_v1 (const char *cgroups_path, const char *id, bool systemd,
            struct mrc_cgroup *out, mrc_error_t *err)
{
  const struct mrc_cgroup_hier *h;
  size_t n;
  cleanup_free char *self = NULL;
  if (mrc_cgroup_hiers (&h, &n, err) < 0 || mrc_cgroup_read_own (&self, err) < 0)
    return -1;
  out->v1 = calloc (n + 1, sizeof *out->v1);
  out->v1_created = calloc (n + 1, sizeof *out->v1_created);
  if (out->v1 == NULL || out->v1_created == NULL)
    return mrc_fail_errno (err, "cgroup: prepare");
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *own = own_in (&h[i], self), *path = NULL, *from = NULL;
      if (own == NULL)
        return mrc_fail_errno (err, "cgroup: prepare");
      if (mrc_cgroup_resolve_v1_in (cgroups_path, id, systemd, own, &path, err)
              < 0
          || v1_would_create (&h[i], path, &from, err) < 0)
        return -1;
      char *key = strdup (h[i].name);
      if (key == NULL)
        return mrc_fail_errno (err, "cgroup: prepare");
      out->v1[out->n_v1++] = (struct mrc_kv){ key, steal_ptr (&path) };
      if (from == NULL)
        continue;
      if ((key = strdup (h[i].name)) == NULL)
        return mrc_fail_errno (err, "cgroup: prepare");
      out->v1_created[out->n_v1_created++]
          = (struct mrc_kv){ key, steal_ptr (&from) };
    }
  return 0;
}

int
mrc_cgroup_prepare (const char *cgroups_path, const char *id, bool systemd,
                    struct mrc_cgroup *out, mrc_error_t *err)
{
  enum mrc_cgroup_layout layout;
  *out = (struct mrc_cgroup) MRC_CGROUP_INIT;
  int r = mrc_cgroup_layout (&layout, err);
  if (r == 0 && layout != MRC_CGROUP_LEGACY)
    r = mrc_cgroup_resolve (cgroups_path, id, systemd, &out->path, err) < 0
                || mrc_cgroup_would_create (out->path, &out->created_from,
                                            err) < 0
            ? -1
            : 0;
  if (r == 0 && layout != MRC_CGROUP_UNIFIED)
    r = prepare_v1 (cgroups_path, id, systemd, out, err);
  if (r < 0)
    mrc_cgroup_release (out);
  return r;
}

static bool
same_str (const char *a, const char *b)
{
  return (a == NULL) == (b == NULL) && (a == NULL || strcmp (a, b) == 0);
}

static bool
same_kv (const struct mrc_kv *a, size_t na, const struct mrc_kv *b, size_t nb)
{
  if (na != nb)
    return false;
  for (size_t i = 0; i < na; i++)
    if (!same_str (a[i].key, b[i].key) || !same_str (a[i].value, b[i].value))
      return false;
  return true;
}

int
mrc_cgroup_create (struct mrc_cgroup *cg, const struct mrc_linux *linux_,
                   bool *changed, mrc_error_t *err)
{
  /* the prediction, to compare with what is really made */
  struct mrc_cgroup before = *cg;
  cg->created_from = cg->created_from ? strdup (cg->created_from) : NULL;
  cg->v1_created = NULL;
  cg->n_v1_created = 0;
  int r = ops_of (cg)->create (cg, linux_, err);
  *changed = r == 0
             && (!same_str (before.created_from, cg->created_from)
                 || !same_kv (before.v1_created, before.n_v1_created,
                              cg->v1_created, cg->n_v1_created));
  if (r < 0)
    {
      /* nothing was made: the prediction stands */
      free (cg->created_from);
      kv_free (cg->v1_created, cg->n_v1_created);
      cg->created_from = before.created_from;
      cg->v1_created = before.v1_created;
      cg->n_v1_created = before.n_v1_created;
      return -1;
    }
  free (before.created_from);
  kv_free (before.v1_created, before.n_v1_created);
  return 0;
}

int
mrc_cgroup_own (struct mrc_cgroup *out, mrc_error_t *err)
{
  enum mrc_cgroup_layout layout;
  const struct mrc_cgroup_hier *h = NULL;
  size_t n = 0;
  cleanup_free char *self = NULL;
  *out = (struct mrc_cgroup) MRC_CGROUP_INIT;
  if (mrc_cgroup_layout (&layout, err) < 0
      || mrc_cgroup_read_own (&self, err) < 0
      || (layout != MRC_CGROUP_UNIFIED && mrc_cgroup_hiers (&h, &n, err) < 0))
    return -1;
  if (layout != MRC_CGROUP_LEGACY
      && (out->path = mrc_cgroup_own_from (self)) == NULL)
    return mrc_fail (err, "cgroup: no cgroup2 entry (`0::`) in "
                          "/proc/self/cgroup");
  if (n && (out->v1 = calloc (n, sizeof *out->v1)) == NULL)
    return mrc_cgroup_release (out), mrc_fail_errno (err, "cgroup: own");
  for (size_t i = 0; i < n; i++)
    {
      char *key = strdup (h[i].name), *path = own_in (&h[i], self);
      if (key == NULL || path == NULL)
        {
          free (key);
          free (path);
          mrc_cgroup_release (out);
          return mrc_fail_errno (err, "cgroup: own");
        }
      out->v1[out->n_v1++] = (struct mrc_kv){ key, path };
    }
  return 0;
}

int
mrc_cgroup_limit_asked (const struct mrc_resources *r, char **what,
                        mrc_error_t *err)
{
  *what = NULL;
  struct mrc_cgroup_plan plan;
  if (mrc_cgroup_plan_build (r, &plan, err) < 0)
    return -1;
  /* the cgroup2 plan has a write for every limit, and none for devices */
  int asked = plan.n > 0;
  if (asked && (*what = strdup (plan.w[0].what)) == NULL)
    asked = mrc_fail_errno (err, "cgroup: resources");
  mrc_cgroup_plan_free (&plan);
  return asked;
}

void
mrc_cgroup_drop_v1 (struct mrc_cgroup *cg)
{
  kv_free (cg->v1, cg->n_v1);
  kv_free (cg->v1_created, cg->n_v1_created);
  cg->v1 = cg->v1_created = NULL;
  cg->n_v1 = cg->n_v1_created = 0;
}

int
mrc_cgroup_existing (const struct mrc_cgroup *cg, size_t *procs,
                     mrc_error_t *err)
{
  bool frozen = false;
  mrc_error_t absent = NULL;
  cleanup_free pid_t *pids = NULL;
  *procs = 0;
  /* errors here mean it does not exist (yet): nothing to say about it */
  if (ops_of (cg)->is_frozen (cg, &frozen, &absent) < 0)
    mrc_error_free (&absent);
  if (frozen)
    return mrc_error_code (err, EBUSY,
                           "cgroup: the container's cgroup `%s` is frozen: "
                           "thaw it, or give linux.cgroupsPath another",
                           cg->path ? cg->path
                                    : cg->n_v1 ? cg->v1[0].value : "?");
  /* in any hierarchy: someone else's group may hold processes in v1 only */
  for (size_t i = 0; i <= cg->n_v1; i++)
    {
      int fd = i < cg->n_v1
                   ? mrc_cgroup_v1_open (cg->v1[i].key, cg->v1[i].value,
                                         &absent)
                   : cg->path ? mrc_cgroup_open (cg->path, &absent) : -1;
      size_t n = 0;
      free (pids);
      pids = NULL;
      if (fd >= 0 && mrc_cgroup_collect_pids (fd, &pids, &n, &absent) == 0
          && n > *procs)
        *procs = n;
      mrc_error_free (&absent);
      if (fd >= 0)
        close (fd);
    }
  return 0;
}

int
mrc_cgroup_open_fd (struct mrc_cgroup *cg, mrc_error_t *err)
{
  cg->fd = -1;
  if (cg->path && (cg->fd = mrc_cgroup_open (cg->path, err)) < 0)
    return -1;
  return 0;
}

int
mrc_cgroup_update (const struct mrc_cgroup *cg, const struct mrc_resources *r,
                   mrc_error_t *err)
{
  return ops_of (cg)->update (cg, r, err);
}

int
mrc_cgroup_freeze (const struct mrc_cgroup *cg, bool freeze, mrc_error_t *err)
{
  return ops_of (cg)->freeze (cg, freeze, err);
}

int
mrc_cgroup_is_frozen (const struct mrc_cgroup *cg, bool *frozen,
                      mrc_error_t *err)
{
  return ops_of (cg)->is_frozen (cg, frozen, err);
}

int
mrc_cgroup_kill (const struct mrc_cgroup *cg, int sig, mrc_error_t *err)
{
  return ops_of (cg)->kill (cg, sig, err);
}

int
mrc_cgroup_pids (const struct mrc_cgroup *cg, pid_t **pids, size_t *n,
                 mrc_error_t *err)
{
  return ops_of (cg)->pids (cg, pids, n, err);
}

int
mrc_cgroup_destroy (const struct mrc_cgroup *cg, mrc_error_t *err)
{
  return ops_of (cg)->destroy (cg, err);
}

int
mrc_cgroup_stats_json (const struct mrc_cgroup *cg, const char *id,
                       char **json, size_t *len, mrc_error_t *err)
{
  return ops_of (cg)->stats_json (cg, id, json, len, err);
}

int
mrc_cgroup_oom_count (const struct mrc_cgroup *cg, uint64_t *n,
                      mrc_error_t *err)
{
  return ops_of (cg)->oom_count (cg, n, err);
}

/* ----------------------------------------------------- directories -- */

int
mrc_cgroup_dirs_fd (const struct mrc_cgroup_dirs *d, const char *controller)
{
  if (d->all >= 0)
    return d->all;
  if (controller == NULL)
    return d->n > 0 ? d->v1[0].fd : -1;
  for (size_t i = 0; i < d->n; i++)
    if (mrc_cgroup_hier_has (d->v1[i].hierarchy, controller))
      return d->v1[i].fd;
  return -1;
}

void
mrc_cgroup_dirs_close (struct mrc_cgroup_dirs *d)
{
  int saved = errno;
  if (d->all >= 0)
    close (d->all);
  for (size_t i = 0; i < d->n; i++)
    if (d->v1[i].fd >= 0)
      close (d->v1[i].fd);
  *d = (struct mrc_cgroup_dirs) MRC_CGROUP_DIRS_INIT;
  errno = saved;
}

/* The O_DIRECTORY fd of cgroup PATH in the v1 hierarchy NAME. */
int
mrc_cgroup_v1_open (const char *name, const char *path, mrc_error_t *err)
{
  const struct mrc_cgroup_hier *h = mrc_cgroup_hier_find (name);
  if (h == NULL)
    return mrc_error_code (err, ENOENT,
                           "cgroup: the v1 hierarchy `%s` is not mounted",
                           name);
  cleanup_close int rootfd = open (h->mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", h->mnt);
  const char *rel = path + strspn (path, "/");
  int fd = openat (rootfd, *rel ? rel : ".",
                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s%s`", h->mnt,
                           strcmp (path, "/") ? path : "");
  return fd;
}

int
mrc_cgroup_dirs_open (const struct mrc_cgroup *cg, bool v2,
                      struct mrc_cgroup_dirs *d, mrc_error_t *err)
{
  *d = (struct mrc_cgroup_dirs) MRC_CGROUP_DIRS_INIT;
  if (v2 && cg->path && (d->all = mrc_cgroup_open (cg->path, err)) < 0)
    return -1;
  for (size_t i = 0; i < cg->n_v1 && i < MRC_CGROUP_V1_MAX; i++)
    {
      int fd = mrc_cgroup_v1_open (cg->v1[i].key, cg->v1[i].value, err);
      if (fd < 0)
        {
          mrc_cgroup_dirs_close (d);
          return -1;
        }
      d->v1[d->n].hierarchy = cg->v1[i].key;
      d->v1[d->n++].fd = fd;
    }
  return 0;
}

/* ------------------------------------------------------------ procs -- */

void
mrc_cgroup_procs_close (struct mrc_cgroup_procs *p)
{
  int saved = errno;
  for (size_t i = 0; i < p->n; i++)
    if (p->fd[i] >= 0)
      close (p->fd[i]);
  p->n = 0;
  errno = saved;
}

int
mrc_cgroup_procs_open (const struct mrc_cgroup *cg,
                       struct mrc_cgroup_procs *out, mrc_error_t *err)
{
  out->n = 0;
  for (size_t i = 0; i < cg->n_v1 && i < MRC_CGROUP_V1_MAX; i++)
    {
      cleanup_close int dir = mrc_cgroup_v1_open (cg->v1[i].key,
                                                  cg->v1[i].value, err);
      int fd = dir < 0 ? -1
                       : openat (dir, "cgroup.procs",
                                 O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        {
          if (dir >= 0)
            mrc_fail_errno (err, "cgroup: open `cgroup.procs` of `%s` in "
                                 "the %s hierarchy",
                            cg->v1[i].value, cg->v1[i].key);
          mrc_cgroup_procs_close (out);
          return -1;
        }
      out->what[out->n] = cg->v1[i].value;
      out->fd[out->n++] = fd;
    }
  return 0;
}

int
mrc_cgroup_procs_join (struct mrc_cgroup_procs *p, mrc_error_t *err)
{
  int rc = 0;
  for (size_t i = 0; i < p->n && rc == 0; i++)
    if (mrc_write_all (p->fd[i], "0", 1) < 0)
      rc = mrc_fail_errno (err, "join the container's cgroup `%s`%s",
                           p->what[i] ? p->what[i] : "?",
                           errno == ENOSPC ? " (a cpuset group needs "
                           "cpuset.cpus and cpuset.mems)" : "");
  mrc_cgroup_procs_close (p);
  return rc;
}
