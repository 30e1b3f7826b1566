/* The cgroup v1 back end (hybrid and legacy hosts), as runc's fs driver:
 * the container gets a cgroup of its own in every mounted v1 hierarchy
 * (so tools reading /proc/PID/cgroup find its numbers), resources are
 * written to the v1 files (resources-v1.c), freeze goes through
 * freezer.state.  On a hybrid host the record also has a cgroup2 path:
 * the container is placed there too, as runc places it, which gives
 * cgroup.kill and an exact process list. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#define MAX_DEPTH 64
#define FREEZE_TIMEOUT_MS 10000
#define KILL_ROUNDS 100

static void
nap_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* The index of the first hierarchy of CG that has CONTROLLER, or -1. */
static ssize_t
find_hier (const struct mrc_cgroup *cg, const char *controller)
{
  for (size_t i = 0; i < cg->n_v1; i++)
    if (mrc_cgroup_hier_has (cg->v1[i].key, controller))
      return (ssize_t) i;
  return -1;
}

/* CG's directory in the hierarchy that has CONTROLLER: the fd, -1 with
 * *ERR set on failure, or -1 with *ERR NULL when there is none. */
static int
open_hier (const struct mrc_cgroup *cg, const char *controller,
           mrc_error_t *err)
{
  ssize_t i = find_hier (cg, controller);
  if (i < 0)
    return -1;
  return mrc_cgroup_v1_open (cg->v1[i].key, cg->v1[i].value, err);
}

/* ------------------------------------------------------------ create -- */

/* A new cpuset cgroup has no cpus and no mems, and takes no process until
 * it has both: give each level that has none, made now or found empty
 * (a plain mkdir by someone else), its parent's, top down, as runc does. */
static int
cpuset_inherit (void *ctx, int parentfd, int dirfd, const char *cgpath,
                mrc_error_t *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
  (void) ctx;
  for (size_t i = 0; i < 2; i++)
    {
      cleanup_free char *mine = NULL, *theirs = NULL;
      if (mrc_cgroup_read (dirfd, files[i], &mine, err) < 0)
        return mrc_error_wrap (err, "cgroup: `%s`", cgpath);
      if (strspn (mine, " \n") != strlen (mine)
          && strlen (mine) > 0)
        continue;
      if (mrc_cgroup_read (parentfd, files[i], &theirs, err) < 0
          || mrc_write_file_at (dirfd, files[i], theirs, strlen (theirs), err)
                 < 0)
        return mrc_error_wrap (err, "cgroup: initialise `%s` of `%s`",
                               files[i], cgpath);
    }
  return 0;
}

/* One hierarchy's part of a create. */
struct made
{
  int rootfd;
  const struct mrc_cgroup_hier *h;
  char *copy;
  char *comp[MAX_DEPTH];
  size_t n;
  size_t created; /* first level made; N when none */
};

static void
undo_made (struct made *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      mrc_error_t ignored = NULL;
      if (m[i].rootfd >= 0 && m[i].created < m[i].n
          && mrc_cgroup_remove_chain (m[i].rootfd, m[i].h->mnt, m[i].comp,
                                      m[i].created, m[i].n, &ignored)
                 < 0)
        mrc_error_free (&ignored);
    }
}

static void
free_made (struct made *m, size_t n)
{
  for (size_t i = 0; m && i < n; i++)
    {
      if (m[i].rootfd >= 0)
        close (m[i].rootfd);
      free (m[i].copy);
    }
  free (m);
}

/* mkdir -p CG's path in hierarchy I; its leaf fd goes into D. */
static int
make_one (const struct mrc_cgroup *cg, size_t i, struct made *m,
          struct mrc_cgroup_dirs *d, mrc_error_t *err)
{
  const char *name = cg->v1[i].key, *path = cg->v1[i].value;
  m->rootfd = -1;
  m->h = mrc_cgroup_hier_find (name);
  if (m->h == NULL)
    return mrc_error_code (err, ENOENT,
                           "cgroup: the v1 hierarchy `%s` is not mounted",
                           name);
  m->copy = strdup (path);
  if (m->copy == NULL)
    return mrc_fail_errno (err, "cgroup: create `%s`", path);
  if (mrc_cgroup_split (m->copy, m->comp, MAX_DEPTH, &m->n) < 0)
    return mrc_error_code (err, EINVAL, "cgroup: invalid cgroup path `%s`",
                           path);
  m->created = m->n;
  m->rootfd = open (m->h->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (m->rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", m->h->mnt);
  struct mrc_cgroup_walk w = { NULL, cpuset_inherit, NULL };
  int fd = mrc_cgroup_walk_create (m->rootfd, m->h->mnt, m->comp, m->n,
                                   mrc_cgroup_hier_has (name, "cpuset") ? &w
                                                                        : NULL,
                                   &m->created, err);
  if (fd < 0)
    return -1;
  d->v1[d->n].hierarchy = name;
  d->v1[d->n++].fd = fd;
  return 0;
}

/* Every controller the plan writes to has a hierarchy: checked before
 * anything is made. */
static int
check_controllers (const struct mrc_cgroup *cg,
                   const struct mrc_cgroup_plan *plan, mrc_error_t *err)
{
  for (size_t i = 0; i < plan->n; i++)
    if (plan->w[i].controller && find_hier (cg, plan->w[i].controller) < 0)
      return mrc_error_code (err, ENOTSUP,
                             "cgroup: controller `%s` is not available: no "
                             "cgroup v1 hierarchy has it (needed for %s)",
                             plan->w[i].controller, plan->w[i].what);
  return 0;
}

/* What was really made replaces the prediction in CG->v1_created. */
static int
record_made (struct mrc_cgroup *cg, const struct made *m, size_t n,
             mrc_error_t *err)
{
  struct mrc_kv *kv = calloc (n + 1, sizeof *kv);
  size_t k = 0;
  if (kv == NULL)
    return mrc_fail_errno (err, "cgroup: create");
  for (size_t i = 0; i < n; i++)
    {
      if (m[i].created >= m[i].n)
        continue;
      kv[k].key = strdup (cg->v1[i].key);
      kv[k].value = mrc_cgroup_join ((char **) m[i].comp, m[i].created + 1);
      if (kv[k].key == NULL || kv[k].value == NULL)
        {
          free (kv[k].key), free (kv[k].value);
          for (size_t j = 0; j < k; j++)
            free (kv[j].key), free (kv[j].value);
          free (kv);
          return mrc_fail_errno (err, "cgroup: create");
        }
      k++;
    }
  for (size_t i = 0; i < cg->n_v1_created; i++)
    free (cg->v1_created[i].key), free (cg->v1_created[i].value);
  free (cg->v1_created);
  cg->v1_created = kv;
  cg->n_v1_created = k;
  return 0;
}

/* Device access: the v1 devices controller, else (hybrid) the cgroup2
 * eBPF program on the placement; a legacy host without one cannot
 * restrict devices, which runc refuses too. */
static int
devices_where (const struct mrc_cgroup *cg, const struct mrc_linux *linux_,
               bool *v1, mrc_error_t *err)
{
  *v1 = find_hier (cg, "devices") >= 0;
  if (linux_ == NULL || *v1 || cg->path)
    return 0;
  return mrc_error_code (err, ENOTSUP,
                         "cgroup: controller `devices` is not available: no "
                         "cgroup v1 hierarchy has it (needed for "
                         "linux.resources.devices)");
}

/* ------------------------------------------------- hybrid's cgroup2 -- */

/* On a hybrid host a controller that no v1 hierarchy has but cgroup2
 * offers (hugetlb, on the machines this is tested on) is used in cgroup2,
 * with its cgroup2 files: the limit is then enforced, not refused. */
struct split
{
  const struct mrc_cgroup *cg;
  char *v2; /* cgroup2's controllers, comma-separated */
};

static const char *
v2_name (const char *v1)
{
  return strcmp (v1, "blkio") == 0 ? "io" : v1;
}

static const char *
v1_name (const char *v2)
{
  return strcmp (v2, "io") == 0 ? "blkio" : v2;
}

static bool
moved (const struct split *sp, const char *v1)
{
  return find_hier (sp->cg, v1) < 0 && mrc_cgroup_hier_has (sp->v2, v2_name (v1));
}

static bool
keep_v1 (void *ctx, const char *ctrl)
{
  return ctrl == NULL || !moved (ctx, ctrl);
}

static bool
keep_v2 (void *ctx, const char *ctrl)
{
  return ctrl != NULL && moved (ctx, v1_name (ctrl));
}

/* P1 (the v1 plan of R) loses the writes of moved controllers; P2 gets
 * them from the cgroup2 plan of the fields they come from. */
static int
plan_split (const struct mrc_cgroup *cg, const struct mrc_resources *r,
            struct mrc_cgroup_plan *p1, struct mrc_cgroup_plan *p2,
            mrc_error_t *err)
{
  *p2 = (struct mrc_cgroup_plan){ NULL, 0, 0, "memory.current" };
  if (cg->path == NULL || r == NULL)
    return 0;
  struct split sp = { cg, mrc_cgroup_v2_controllers () };
  if (sp.v2 == NULL)
    return mrc_fail_errno (err, "cgroup: read cgroup2's controllers");
  struct mrc_resources sub = { 0 };
  if (r->memory && moved (&sp, "memory"))
    sub.memory = r->memory;
  if (r->cpu && (moved (&sp, "cpu") || moved (&sp, "cpuset")))
    sub.cpu = r->cpu;
  if (r->has_pids_limit && moved (&sp, "pids"))
    sub.has_pids_limit = true, sub.pids_limit = r->pids_limit;
  if (r->block_io && moved (&sp, "blkio"))
    sub.block_io = r->block_io;
  if (r->n_hugepage_limits && moved (&sp, "hugetlb"))
    sub.hugepage_limits = r->hugepage_limits,
    sub.n_hugepage_limits = r->n_hugepage_limits;
  if (r->n_rdma && moved (&sp, "rdma"))
    sub.rdma = r->rdma, sub.n_rdma = r->n_rdma;
  int rc = mrc_cgroup_plan_build (&sub, p2, err);
  if (rc == 0)
    {
      mrc_cgroup_plan_filter (p2, keep_v2, &sp);
      mrc_cgroup_plan_filter (p1, keep_v1, &sp);
    }
  free (sp.v2);
  return rc;
}

/* The v1 plan of R (with LINUX_'s device rules when given) and the
 * cgroup2 part of a hybrid host, checked: every controller has a home. */
static int
plan_both (const struct mrc_cgroup *cg, const struct mrc_resources *r,
           const struct mrc_linux *linux_, struct mrc_cgroup_plan *p1,
           struct mrc_cgroup_plan *p2, mrc_error_t *err)
{
  *p2 = (struct mrc_cgroup_plan){ NULL, 0, 0, NULL };
  if (mrc_cgroup_plan_build_v1 (r, linux_, p1, err) < 0)
    return -1;
  if (plan_split (cg, r, p1, p2, err) == 0 && check_controllers (cg, p1, err) == 0)
    return 0;
  mrc_cgroup_plan_free (p1);
  mrc_cgroup_plan_free (p2);
  return -1;
}

/* ------------------------------------------------------- v1 create -- */

static int
v1_create (struct mrc_cgroup *cg, const struct mrc_linux *linux_,
           mrc_error_t *err)
{
  bool v1_devices;
  struct mrc_cgroup_plan plan, plan2;
  const struct mrc_linux *dev = cg->no_devices ? NULL : linux_;
  if (devices_where (cg, dev, &v1_devices, err) < 0
      || plan_both (cg, linux_ ? linux_->resources : NULL,
                    v1_devices ? dev : NULL, &plan, &plan2, err) < 0)
    return -1;
  struct mrc_cgroup_dirs d = MRC_CGROUP_DIRS_INIT;
  struct made *m = calloc (cg->n_v1 + 1, sizeof *m);
  size_t nm = 0;
  int rc = m ? 0 : mrc_fail_errno (err, "cgroup: create");
  /* hybrid: the cgroup2 placement first, with what only cgroup2 has, and
     device access when v1 has no devices controller */
  bool placed = false;
  if (rc == 0 && cg->path)
    {
      rc = mrc_cgroup_v2_make (cg, &plan2, v1_devices ? NULL : dev, err);
      placed = rc == 0;
    }
  for (size_t i = 0; rc == 0 && i < cg->n_v1 && i < MRC_CGROUP_V1_MAX; i++)
    {
      rc = make_one (cg, i, &m[i], &d, err);
      nm = i + 1;
    }
  if (rc == 0)
    rc = mrc_cgroup_plan_apply (&plan, &d, err);
  if (rc == 0)
    rc = record_made (cg, m, nm, err);
  mrc_cgroup_dirs_close (&d);
  if (rc < 0)
    {
      undo_made (m, nm);
      mrc_error_t ignored = NULL;
      if (placed
          && mrc_cgroup_v2_destroy (cg->path, cg->created_from, &ignored) < 0)
        mrc_error_free (&ignored);
    }
  free_made (m, nm);
  mrc_cgroup_plan_free (&plan);
  mrc_cgroup_plan_free (&plan2);
  return rc;
}

/* v1 first, then a hybrid host's cgroup2 part: each all or nothing. */
static int
v1_update (const struct mrc_cgroup *cg, const struct mrc_resources *r,
           mrc_error_t *err)
{
  struct mrc_cgroup_plan plan, plan2;
  struct mrc_cgroup_dirs d;
  if (plan_both (cg, r, NULL, &plan, &plan2, err) < 0)
    return -1;
  int rc = mrc_cgroup_dirs_open (cg, false, &d, err);
  if (rc == 0)
    {
      rc = mrc_cgroup_plan_apply (&plan, &d, err);
      mrc_cgroup_dirs_close (&d);
    }
  if (rc == 0 && plan2.n > 0)
    rc = mrc_cgroup_v2_update_plan (cg, &plan2, err);
  mrc_cgroup_plan_free (&plan);
  mrc_cgroup_plan_free (&plan2);
  return rc;
}

/* ------------------------------------------------------------ freeze -- */

/* freezer.state: "THAWED", "FREEZING" or "FROZEN". */
static int
read_state (int fd, char *buf, size_t size)
{
  ssize_t n;
  do
    n = pread (fd, buf, size - 1, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  return 0;
}

static int
write_state (int dirfd, const char *state)
{
  mrc_error_t e = NULL;
  if (mrc_write_file_at (dirfd, "freezer.state", state, strlen (state), &e)
      == 0)
    return 0;
  errno = e->errnum;
  mrc_error_free (&e);
  return -1;
}

/* Write STATE until the freezer reports it: a freeze can stay FREEZING
 * while a task sleeps uninterruptibly; asking again moves it on. */
static int
set_state (int dirfd, const char *state, mrc_error_t *err)
{
  cleanup_close int fd = openat (dirfd, "freezer.state", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "open `freezer.state`");
  int64_t deadline = mrc_monotonic_ms () + FREEZE_TIMEOUT_MS;
  for (long wait = 1;; wait = wait < 10 ? wait * 2 : 10)
    {
      char buf[32];
      if (write_state (dirfd, state) < 0)
        return mrc_fail_errno (err, "write `%s` to `freezer.state`", state);
      if (read_state (fd, buf, sizeof buf) < 0)
        return mrc_fail_errno (err, "read `freezer.state`");
      if (strcmp (buf, state) == 0)
        return 0;
      if (mrc_monotonic_ms () >= deadline)
        return mrc_error_code (err, ETIMEDOUT,
                               "timed out waiting for `freezer.state` to "
                               "say `%s` (it says `%s`)",
                               state, buf);
      nap_ms (wait);
    }
}

static int
v1_freeze (const struct mrc_cgroup *cg, bool freeze, mrc_error_t *err)
{
  mrc_error_t none = NULL;
  cleanup_close int fd = open_hier (cg, "freezer", &none);
  if (fd < 0 && none)
    {
      *err = none;
      return mrc_error_wrap (err, "cgroup: %s", freeze ? "freeze" : "thaw");
    }
  if (fd < 0 && cg->path)
    return mrc_cgroup_v2_freeze (cg->path, freeze, err);
  if (fd < 0)
    return mrc_error_code (err, ENOTSUP,
                           "cgroup: no freezer: no cgroup v1 hierarchy has "
                           "the `freezer` controller");
  if (set_state (fd, freeze ? "FROZEN" : "THAWED", err) == 0)
    return 0;
  /* Half frozen is worse than not frozen: undo. */
  if (freeze)
    (void) write_state (fd, "THAWED");
  return mrc_error_wrap (err, "cgroup: %s", freeze ? "freeze" : "thaw");
}

static int
v1_is_frozen (const struct mrc_cgroup *cg, bool *frozen, mrc_error_t *err)
{
  mrc_error_t none = NULL;
  cleanup_close int fd = open_hier (cg, "freezer", &none);
  *frozen = false;
  if (fd < 0 && none)
    {
      *err = none;
      return -1;
    }
  if (fd < 0)
    return cg->path ? mrc_cgroup_v2_is_frozen (cg->path, frozen, err) : 0;
  cleanup_free char *text = NULL;
  if (mrc_cgroup_read (fd, "freezer.state", &text, err) < 0)
    return -1;
  *frozen = strncmp (text, "FROZEN", 6) == 0;
  return 0;
}

/* -------------------------------------------------------------- kill -- */

/* The hierarchy the process list is read from on a legacy host. */
static int
list_dir (const struct mrc_cgroup *cg, mrc_error_t *err)
{
  static const char *const prefer[] = { "pids", "freezer", "memory", "cpu",
                                        NULL };
  for (size_t i = 0; prefer[i]; i++)
    if (find_hier (cg, prefer[i]) >= 0)
      return open_hier (cg, prefer[i], err);
  if (cg->n_v1 == 0)
    return mrc_fail (err, "cgroup: the container has no cgroup");
  return mrc_cgroup_v1_open (cg->v1[0].key, cg->v1[0].value, err);
}

static int
v1_pids (const struct mrc_cgroup *cg, pid_t **pids, size_t *n,
         mrc_error_t *err)
{
  if (cg->path)
    return mrc_cgroup_v2_pids (cg->path, pids, n, err);
  cleanup_close int fd = list_dir (cg, err);
  if (fd < 0)
    return -1;
  if (mrc_cgroup_collect_pids (fd, pids, n, err) < 0)
    return mrc_error_wrap (err, "cgroup: list processes");
  return 0;
}

/* Signal every listed process; 1 when there was none. */
static int
signal_round (const struct mrc_cgroup *cg, int sig, mrc_error_t *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n;
  if (v1_pids (cg, &pids, &n, err) < 0)
    return -1;
  return mrc_cgroup_signal_pids (pids, n, sig, err);
}

/* SIGKILL without cgroup.kill: frozen, nothing can fork between the list
 * and the signal; thawed after, since a task frozen by the v1 freezer
 * dies only once it runs again. */
static int
kill_all (const struct mrc_cgroup *cg, mrc_error_t *err)
{
  mrc_error_t ignored = NULL;
  cleanup_close int freezer = open_hier (cg, "freezer", &ignored);
  mrc_error_free (&ignored);
  for (int round = 0; round < KILL_ROUNDS; round++)
    {
      if (freezer >= 0)
        (void) write_state (freezer, "FROZEN");
      int r = signal_round (cg, SIGKILL, err);
      if (freezer >= 0)
        (void) write_state (freezer, "THAWED");
      if (r != 0)
        return r < 0 ? -1 : 0;
      nap_ms (10);
    }
  return mrc_error_code (err, EBUSY,
                         "cgroup: processes of the container survived "
                         "SIGKILL");
}

static int
v1_kill (const struct mrc_cgroup *cg, int sig, mrc_error_t *err)
{
  if (cg->path && sig != SIGKILL)
    return mrc_cgroup_v2_kill (cg->path, sig, err);
  if (cg->path)
    {
      /* hybrid: cgroup.kill reaches every process at once; the ones the
         v1 freezer holds die once thawed */
      mrc_error_t e = NULL;
      if (mrc_cgroup_v2_kill (cg->path, SIGKILL, &e) == 0)
        {
          cleanup_close int freezer = open_hier (cg, "freezer", &e);
          mrc_error_free (&e);
          if (freezer >= 0)
            (void) write_state (freezer, "THAWED");
          return 0;
        }
      mrc_error_free (&e);
    }
  if (sig == SIGKILL)
    return kill_all (cg, err);
  return signal_round (cg, sig, err) < 0 ? -1 : 0;
}

/* ----------------------------------------------------------- destroy -- */

static const char *
created_in (const struct mrc_cgroup *cg, const char *name)
{
  for (size_t i = 0; i < cg->n_v1_created; i++)
    if (strcmp (cg->v1_created[i].key, name) == 0)
      return cg->v1_created[i].value;
  return NULL;
}

/* Remove CG's cgroup in hierarchy I up to FROM (what create made). */
static int
remove_one (const struct mrc_cgroup *cg, size_t i, const char *from,
            mrc_error_t *err)
{
  char *comp[MAX_DEPTH], *fcomp[MAX_DEPTH];
  size_t n, nf;
  const struct mrc_cgroup_hier *h = mrc_cgroup_hier_find (cg->v1[i].key);
  cleanup_free char *copy = strdup (cg->v1[i].value), *fcopy = strdup (from);
  if (h == NULL)
    return 0; /* unmounted since: nothing of ours can be left there */
  if (copy == NULL || fcopy == NULL)
    return mrc_fail_errno (err, "cgroup: remove `%s`", cg->v1[i].value);
  if (mrc_cgroup_split (copy, comp, MAX_DEPTH, &n) < 0
      || mrc_cgroup_split (fcopy, fcomp, MAX_DEPTH, &nf) < 0 || nf > n)
    return mrc_error_code (err, EINVAL, "cgroup: invalid cgroup path `%s`",
                           cg->v1[i].value);
  for (size_t k = 0; k < nf; k++)
    if (strcmp (comp[k], fcomp[k]) != 0)
      return mrc_error_code (err, EINVAL, "cgroup: `%s` is not inside `%s`",
                             cg->v1[i].value, from);
  cleanup_close int rootfd = open (h->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "cgroup: open `%s`", h->mnt);
  mrc_error_t ignored = NULL;
  int fd = mrc_cgroup_v1_open (cg->v1[i].key, cg->v1[i].value, &ignored);
  mrc_error_free (&ignored);
  if (fd >= 0)
    {
      mrc_cgroup_empty_out (fd);
      close (fd);
    }
  return mrc_cgroup_remove_chain (rootfd, h->mnt, comp, nf - 1, n, err);
}

static int
v1_destroy (const struct mrc_cgroup *cg, mrc_error_t *err)
{
  if (cg->n_v1_created == 0 && cg->created_from == NULL)
    return 0; /* all joined: not ours to remove */
  mrc_error_t ignored = NULL;
  if (v1_kill (cg, SIGKILL, &ignored) < 0)
    mrc_error_free (&ignored);
  int rc = 0;
  for (size_t i = 0; i < cg->n_v1; i++)
    {
      const char *from = created_in (cg, cg->v1[i].key);
      if (from && remove_one (cg, i, from, rc == 0 ? err : &ignored) < 0)
        {
          if (rc < 0)
            mrc_error_free (&ignored);
          rc = -1;
        }
    }
  if (cg->path && cg->created_from
      && mrc_cgroup_v2_destroy (cg->path, cg->created_from,
                                rc == 0 ? err : &ignored) < 0)
    {
      if (rc < 0)
        mrc_error_free (&ignored);
      rc = -1;
    }
  return rc;
}

/* ------------------------------------------------------------- stats -- */

static int
v1_stats_json (const struct mrc_cgroup *cg, const char *id, char **json,
               size_t *len, mrc_error_t *err)
{
  struct mrc_cgroup_dirs d;
  if (mrc_cgroup_dirs_open (cg, false, &d, err) < 0)
    return mrc_error_wrap (err, "cgroup: stats");
  int r = mrc_cgroup_v1_stats_json (&d, id, json, len, err);
  mrc_cgroup_dirs_close (&d);
  return r;
}

static int
v1_oom_count (const struct mrc_cgroup *cg, uint64_t *n, mrc_error_t *err)
{
  struct mrc_cgroup_dirs d;
  if (mrc_cgroup_dirs_open (cg, false, &d, err) < 0)
    return -1;
  int r = mrc_cgroup_v1_oom_count (&d, n, err);
  mrc_cgroup_dirs_close (&d);
  return r;
}

const struct mrc_cgroup_ops mrc_cgroup_v1_ops = {
  .create = v1_create,         .update = v1_update,
  .freeze = v1_freeze,         .is_frozen = v1_is_frozen,
  .kill = v1_kill,             .pids = v1_pids,
  .destroy = v1_destroy,       .stats_json = v1_stats_json,
  .oom_count = v1_oom_count,
};
