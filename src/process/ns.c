/* The namespace plan of a container, and entering it.
 *
 * Namespaces given by path are joined, and a new time namespace is made,
 * before the clone so the init inherits them.  The runtime does not do
 * that itself: a joined user namespace can never be left again, and the
 * runtime's own later work (hooks, the pid file, cleanup of cgroups and
 * state) must happen in its own namespaces, as the runtime-spec requires.
 * So the paths are opened and checked here, in the runtime, and a short-
 * lived helper process enters them (mrc_ns_enter) and clones the init
 * (spawn.c).  Non-user namespaces are joined first (after joining a user
 * namespace the helper has no capabilities over namespaces owned by the
 * host's), a joined user namespace last, so the namespaces the clone then
 * creates are owned by it, as a pod's containers need. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/names.h"
#include "mrc/rootless.h"
#include "process-internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The namespaces, in join order (user last, see above), are the rows of
 * mrc_names_namespaces (include/mrc/names.h); plan->join[] is indexed by
 * row. */

/* Whether PATH names another namespace than the one we are in (SELF): a
 * pod's joined namespace is the container's own, the host's is not. */
static bool
differs (const char *path, const char *self)
{
  struct stat a, b;
  if (self == NULL || stat (path, &a) < 0 || stat (self, &b) < 0)
    return true;
  return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

/* Open PATH and check it is a namespace of kind FLAG. */
static int
open_ns (const char *type, int flag, const char *path, mrc_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "open %s namespace `%s`", type, path);
  int kind = ioctl (fd, NS_GET_NSTYPE);
  if (kind < 0)
    return mrc_fail_errno (err, "%s namespace `%s` is not a namespace", type,
                           path);
  if (kind != flag)
    return mrc_fail (err, "%s namespace `%s` is a namespace of another type",
                     type, path);
  return steal_fd (&fd);
}

/* A new time namespace is made with unshare in the parent: its offsets must
 * be written before any process lives in it, which clone3 cannot do. */
static int
new_time_ns (const struct mrc_spec *spec, mrc_error_t *err)
{
  if (unshare (CLONE_NEWTIME) < 0)
    return mrc_fail_errno (err, "create time namespace");
  const struct mrc_linux *l = spec->linux_;
  for (size_t i = 0; l && i < l->n_time_offsets; i++)
    {
      char line[128];
      int n = snprintf (line, sizeof line, "%s %lld %u\n",
                        l->time_offsets[i].clock,
                        (long long) l->time_offsets[i].secs,
                        l->time_offsets[i].nanosecs);
      if (mrc_write_file_at (AT_FDCWD, "/proc/self/timens_offsets", line,
                             (size_t) n, err)
          < 0)
        return mrc_error_wrap (err, "linux.timeOffsets.%s",
                               l->time_offsets[i].clock);
    }
  return 0;
}

int
mrc_ns_prepare (const struct mrc_spec *spec, struct mrc_launch_ns *plan,
                mrc_error_t *err)
{
  memset (plan, 0, sizeof *plan);
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    plan->join[t] = -1;
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    {
      const struct mrc_ns_name *row = &mrc_names_namespaces[t];
      const struct mrc_namespace *ns = mrc_spec_namespace (spec, row->name);
      if (ns == NULL)
        continue;
      /* a path naming the runtime's own namespace is no change at all */
      bool own = ns->path == NULL || differs (ns->path, row->self);
      if (own)
        plan->own_flags |= (unsigned long long) row->flag;
      if (own && row->flag == CLONE_NEWUSER)
        {
          plan->has_user = true;
          plan->new_user = ns->path == NULL;
        }
      if (ns->path && !own)
        continue;
      if (ns->path)
        {
          plan->join[t] = open_ns (row->name, row->flag, ns->path, err);
          if (plan->join[t] < 0)
            {
              mrc_ns_release (plan);
              return -1;
            }
          plan->enter = true;
        }
      else if (row->flag == CLONE_NEWTIME)
        plan->new_time = plan->enter = true;
      /* A cgroup namespace made by the clone would be rooted at our own
         cgroup, not at the container's that CLONE_INTO_CGROUP puts the
         child in: the child unshares it once it is there. */
      else if (row->flag == CLONE_NEWCGROUP)
        plan->new_cgroup = true;
      else
        plan->clone_flags |= (unsigned long long) row->flag;
    }
  return 0;
}

/* Whether the map file FILE (of our own user namespace, so relative to
 * its parent, as written) holds exactly the N entries of WANT, in any
 * order.  -1 when it cannot be read. */
static int
map_matches (const char *file, const struct mrc_id_mapping *want, size_t n)
{
  FILE *f = fopen (file, "re");
  if (f == NULL)
    return -1;
  unsigned c, h, z;
  size_t lines = 0, found = 0;
  while (fscanf (f, "%u %u %u", &c, &h, &z) == 3)
    {
      lines++;
      for (size_t i = 0; i < n; i++)
        if (want[i].container_id == c && want[i].host_id == h
            && want[i].size == z)
          {
            found++;
            break;
          }
    }
  fclose (f);
  return lines == n && found == n;
}

/* Mappings given with a user namespace joined by path (podman sends both)
 * must be that namespace's own: it cannot be given others. */
static int
check_joined_maps (const struct mrc_spec *spec, const char *path,
                   mrc_error_t *err)
{
  const struct mrc_linux *l = spec->linux_;
  static const char *const files[] = { "/proc/self/uid_map",
                                       "/proc/self/gid_map" };
  static const char *const keys[] = { "uidMappings", "gidMappings" };
  for (int i = 0; l && i < 2; i++)
    {
      const struct mrc_id_mapping *m = i ? l->gid_mappings : l->uid_mappings;
      size_t n = i ? l->n_gid_mappings : l->n_uid_mappings;
      if (n == 0)
        continue;
      int r = map_matches (files[i], m, n);
      if (r < 0)
        return mrc_fail_errno (err, "read `%s`", files[i]);
      if (r == 0)
        return mrc_fail (err, "linux.%s: not the mappings of the user "
                              "namespace `%s`",
                         keys[i], path);
    }
  return 0;
}

int
mrc_ns_enter (const struct mrc_spec *spec, const struct mrc_launch_ns *plan,
              mrc_error_t *err)
{
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    {
      if (plan->join[t] < 0)
        continue;
      const struct mrc_ns_name *row = &mrc_names_namespaces[t];
      const struct mrc_namespace *ns = mrc_spec_namespace (spec, row->name);
      int r = setns (plan->join[t], row->flag);
      int saved = errno;
      /* not inherited by the init: it would pin the namespace until exec
         (this is the helper's copy of the plan: nothing else uses it) */
      close (plan->join[t]);
      if (r < 0)
        return mrc_error_set (err, saved, "join %s namespace `%s`",
                              row->name, ns->path);
      if (row->flag == CLONE_NEWUSER
          && check_joined_maps (spec, ns->path, err) < 0)
        return -1;
    }
  if (plan->new_time && new_time_ns (spec, err) < 0)
    return -1;
  return 0;
}

bool
mrc_ns_enter_reversible (const struct mrc_launch_ns *plan)
{
  if (plan->new_time || !mrc_host_root ())
    return false;
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    if (plan->join[t] >= 0
        && (mrc_names_namespaces[t].flag & (CLONE_NEWUSER | CLONE_NEWNS)))
      return false;
  return true;
}

int
mrc_ns_enter_saved (const struct mrc_spec *spec,
                    const struct mrc_launch_ns *plan,
                    int saved[MRC_N_NAMESPACES], mrc_error_t *err)
{
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    saved[t] = -1;
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    {
      if (plan->join[t] < 0)
        continue;
      const struct mrc_ns_name *row = &mrc_names_namespaces[t];
      saved[t] = open (row->self, O_RDONLY | O_CLOEXEC);
      if (saved[t] < 0)
        {
          mrc_fail_errno (err, "open `%s`", row->self);
          break;
        }
      if (setns (plan->join[t], row->flag) < 0)
        {
          mrc_fail_errno (err, "join %s namespace `%s`", row->name,
                          mrc_spec_namespace (spec, row->name)->path);
          break;
        }
    }
  if (*err == NULL)
    return 0;
  mrc_error_t back = NULL;
  if (mrc_ns_return (saved, &back) < 0)
    mrc_error_free (&back); /* the first error says more; both are fatal */
  return -1;
}

int
mrc_ns_return (int saved[MRC_N_NAMESPACES], mrc_error_t *err)
{
  int r = 0;
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    {
      if (saved[t] < 0)
        continue;
      const struct mrc_ns_name *row = &mrc_names_namespaces[t];
      if (setns (saved[t], row->flag) < 0 && r == 0)
        r = mrc_fail_errno (err, "return to the runtime's %s namespace",
                            row->name);
      close (saved[t]);
      saved[t] = -1;
    }
  return r;
}

void
mrc_ns_release (struct mrc_launch_ns *plan)
{
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    if (plan->join[t] >= 0)
      {
        close (plan->join[t]);
        plan->join[t] = -1;
      }
}

int
mrc_ns_prepare_exec (pid_t pid, struct mrc_launch_ns *plan, mrc_error_t *err)
{
  memset (plan, 0, sizeof *plan);
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    plan->join[t] = -1;
  for (size_t i = 0; i < MRC_N_NAMESPACES; i++)
    {
      const struct mrc_ns_name *row = &mrc_names_namespaces[i];
      char path[64];
      struct stat theirs, ours;
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, row->proc);
      if (stat (path, &theirs) < 0)
        {
          if (errno == ENOENT)
            continue; /* a kernel without this namespace type */
          return mrc_fail_errno (err, "exec: read `%s`", path);
        }
      snprintf (path, sizeof path, "/proc/self/ns/%s", row->proc);
      if (stat (path, &ours) < 0)
        return mrc_fail_errno (err, "exec: read `%s`", path);
      if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev)
        continue;
      if (row->for_children)
        plan->exec_parent_flags |= row->flag;
      else
        plan->exec_child_flags |= row->flag;
    }
  plan->has_user = plan->exec_child_flags & CLONE_NEWUSER;
  return 0;
}
