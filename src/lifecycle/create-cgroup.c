/* create's cgroup: making it (rootless: as far as the user may), and what
 * the container's `cgroup` mount will show. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/cleanup.h"
#include "mrc/cgroup.h"
#include "mrc/log.h"
#include "mrc/rootless.h"
#include "lifecycle-internal.h"

static bool
denied (const mrc_error_t *err)
{
  int e = *err ? (*err)->errnum : 0;
  return e == EACCES || e == EPERM || e == EROFS;
}

/* Rootless, as runc: no device rules when not the host's root (only it
 * may load the eBPF program or write devices.allow),
 * and a cgroup the user may not make is done without when no limit is
 * asked: on a hybrid host first with the cgroup2 part alone (a delegated
 * cgroup2 directory still gives freeze, kill and the process list), then
 * with none at all.  A limit without a cgroup is an error that says where
 * one comes from. */
int
mrc_created_make_cgroup (const struct mrc_globals *g, struct mrc_created *c,
                         const struct mrc_linux *l, bool *changed,
                         mrc_error_t *err)
{
  c->cg.no_devices = g->rootless && !mrc_host_root ();
  c->cg.hint_dir = c->root_fd;
  int r = mrc_cgroup_create (&c->cg, l, changed, err);
  if (r == 0 || !g->rootless || !denied (err))
    return r;
  cleanup_free char *limit = NULL;
  mrc_error_t bad = NULL;
  int asked = mrc_cgroup_limit_asked (l ? l->resources : NULL, &limit, &bad);
  mrc_error_free (&bad); /* create already refused what it refuses */
  if (asked != 0)
    return mrc_error_wrap (err, "rootless: %s needs a cgroup the user may "
                                "write: a delegated cgroup v2 subtree "
                                "(systemd's user@.service with "
                                "Delegate=yes, or a directory chowned to "
                                "the user) named by linux.cgroupsPath",
                           limit ? limit : "linux.resources");
  mrc_debug ("rootless: %s", (*err)->msg);
  mrc_error_free (err);
  if (c->cg.n_v1 > 0 && c->cg.path)
    {
      mrc_cgroup_drop_v1 (&c->cg);
      if (mrc_cgroup_create (&c->cg, l, changed, err) == 0)
        return *changed = true, 0;
      if (!denied (err))
        return -1;
      mrc_debug ("rootless: %s", (*err)->msg);
      mrc_error_free (err);
    }
  mrc_debug ("rootless: the container runs without a cgroup of its own, "
             "in the caller's");
  mrc_cgroup_release (&c->cg);
  c->cg = (struct mrc_cgroup) MRC_CGROUP_INIT;
  *changed = true;
  return 0;
}

/* What a `cgroup` mount shows on a v1 host: each hierarchy of CG, under
 * the name of its mount point's directory, as runc shows them. */
static int
v1_view (struct mrc_created *c, const struct mrc_cgroup *cg,
         mrc_error_t *err)
{
  c->cgroup_v1 = calloc (cg->n_v1 + 1, sizeof *c->cgroup_v1);
  if (c->cgroup_v1 == NULL)
    return mrc_fail_errno (err, "cgroup mounts");
  for (size_t i = 0; i < cg->n_v1; i++)
    {
      const char *mnt = mrc_cgroup_v1_mountpoint (cg->v1[i].key);
      char *host = NULL;
      if (mnt == NULL)
        continue;
      if (asprintf (&host, "%s%s", mnt, cg->v1[i].value) < 0)
        return mrc_fail_errno (err, "cgroup mounts");
      const char *slash = strrchr (mnt, '/');
      c->cgroup_v1[c->n_cgroup_v1++] = (struct mrc_setup_cgroup_v1){
        cg->v1[i].key, slash ? slash + 1 : mnt, host
      };
    }
  return 0;
}

/* The container's cgroup as its `cgroup` mount shows it; what it has no
 * group of its own in (rootless: none at all, or only cgroup2 on a hybrid
 * host), the caller's, which the container stays in, as runc binds it. */
int
mrc_created_cgroup_view (struct mrc_created *c, mrc_error_t *err)
{
  const struct mrc_cgroup *cg = &c->cg, *v1 = &c->cg;
  enum mrc_cgroup_layout layout = MRC_CGROUP_UNIFIED;
  bool lacks_v1 = cg->n_v1 == 0 && cg->path
                  && mrc_cgroup_layout (&layout, err) == 0
                  && layout == MRC_CGROUP_HYBRID;
  if (*err)
    return -1;
  if (!mrc_cgroup_present (cg) || lacks_v1)
    {
      if (mrc_cgroup_own (&c->own_cgroup, err) < 0)
        return -1;
      v1 = &c->own_cgroup;
      if (!lacks_v1)
        cg = &c->own_cgroup;
    }
  c->cgroup_dir = cg->path ? mrc_cgroup_fs_path (cg->path) : NULL;
  return v1->n_v1 > 0 ? v1_view (c, v1, err) : 0;
}
