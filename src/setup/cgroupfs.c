/* A `cgroup` mount on a cgroup v1 host, as runc makes it: a tmpfs on the
 * destination, in it one directory per v1 hierarchy (named as on the
 * host: "memory", "cpu,cpuacct", "systemd") holding the container's own
 * group of that hierarchy, symlinks for the controllers of a combined one
 * ("cpu" -> "cpu,cpuacct"), and the tmpfs read-only last when the entry
 * asks for `ro`.  So software inside that reads its limits
 * (/sys/fs/cgroup/memory/memory.limit_in_bytes: JVMs, systemd) finds
 * them.
 *
 * In a cgroup namespace of its own a fresh cgroup v1 mount of each
 * hierarchy is rooted at the container's group (the init joined the
 * groups before unsharing it: process/init.c); without one, or in a user
 * namespace (which may not mount cgroup v1 at all), the container's group
 * on the host is bound there instead, never the host's whole hierarchy. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "setup-internal.h"

/* The mount options of hierarchy NAME: its controllers, and "none" before
 * a name of its own when it has no controller ("none,name=systemd"). */
static char *
cgroup_options (const char *name)
{
  char *s = NULL;
  bool named_only = strncmp (name, "name=", 5) == 0 && !strchr (name, ',');
  if (asprintf (&s, "%s%s", named_only ? "none," : "", name) < 0)
    return NULL;
  return s;
}

/* Hierarchy H's directory under M's destination. */
static int
mount_hierarchy (const struct mrc_launch *plan, int rootfd,
                 const struct mrc_mount *m, const struct mrc_mount_flags *mf,
                 const struct mrc_setup_cgroup_v1 *h, mrc_error_t *err)
{
  cleanup_free char *dest = NULL, *opts = cgroup_options (h->name);
  if (opts == NULL
      || asprintf (&dest, "%s/%s", m->destination, h->dir) < 0)
    return mrc_fail_errno (err, "mount to `%s`", m->destination);
  struct mrc_mount cm = *m;
  cm.destination = dest;
  cm.type = (char *) "cgroup";
  cm.source = (char *) "cgroup";
  struct mrc_mount_flags cf = *mf;
  cf.extensions = 0;
  if (plan->ns.new_cgroup && !plan->ns.has_user)
    {
      cf.data = opts;
      return mrc_setup_mount_fs (plan, rootfd, &cm, &cf, "cgroup", err);
    }
  cf.data = NULL;
  cf.flags |= MS_BIND | MS_REC;
  int r = mrc_setup_bind_host (rootfd, &cm, &cf, h->host, err);
  if (r == 1)
    return mrc_fail_errno (err, "mount to `%s`: open `%s`", dest, h->host);
  return r;
}

/* "cpu" and "cpuacct" -> "cpu,cpuacct" in the tmpfs TMP. */
static int
link_controllers (int tmp, const struct mrc_setup_cgroup_v1 *h,
                  const char *dest, mrc_error_t *err)
{
  cleanup_free char *copy = strdup (h->name);
  char *save = NULL;
  if (copy == NULL)
    return mrc_fail_errno (err, "mount to `%s`", dest);
  for (char *c = strtok_r (copy, ",", &save); c;
       c = strtok_r (NULL, ",", &save))
    {
      if (strncmp (c, "name=", 5) == 0 || strcmp (c, h->dir) == 0)
        continue;
      if (symlinkat (h->dir, tmp, c) < 0 && errno != EEXIST)
        return mrc_fail_errno (err, "mount to `%s`: symlink `%s`", dest, c);
    }
  return 0;
}

int
mrc_setup_cgroup_v1_tree (const struct mrc_launch *plan, int rootfd,
                          const struct mrc_mount *m,
                          const struct mrc_mount_flags *mf, mrc_error_t *err)
{
  /* 1. the tmpfs, writable until the tree is in it */
  struct mrc_mount tm = *m;
  tm.type = (char *) "tmpfs";
  tm.source = (char *) "tmpfs";
  struct mrc_mount_flags tf = { .flags = mf->flags & ~(unsigned long) MS_RDONLY,
                                .propagation = mf->propagation,
                                .data = (char *) "mode=755" };
  if (mrc_setup_mount_fs (plan, rootfd, &tm, &tf, "tmpfs", err) < 0)
    return -1;
  cleanup_close int tmp = mrc_fs_open_in_root (rootfd, m->destination,
                                               O_RDONLY | O_DIRECTORY, err);
  if (tmp < 0)
    return -1;
  /* 2. every hierarchy, and the names of a combined one */
  for (size_t i = 0; i < plan->n_cgroup_v1; i++)
    if (mount_hierarchy (plan, rootfd, m, mf, &plan->cgroup_v1[i], err) < 0
        || link_controllers (tmp, &plan->cgroup_v1[i], m->destination, err)
               < 0)
      return -1;
  /* 3. read-only last, as asked */
  if (!(mf->flags & MS_RDONLY))
    return 0;
  return mrc_setup_make_readonly (tmp, tf.flags, m->destination, err);
}
