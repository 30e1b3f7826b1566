/* Joining namespaces by path happens in the parent, before the clone, so the
 * child inherits them: joins need the host's privileges, which a child that
 * was cloned into a new user namespace no longer has.  Non-user namespaces
 * are joined first for the same reason (after joining a user namespace the
 * process has no capabilities over namespaces owned by the host's), and a
 * joined user namespace last, so the namespaces the clone then creates are
 * owned by it, as a pod's containers need. */
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
#include "ns.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct
{
  const char *type;
  int flag;
  const char *self; /* what to go back to after the clone */
} ns_table[] = {
  /* join order: user must stay last (see above) */
  { "pid", CLONE_NEWPID, "/proc/self/ns/pid_for_children" },
  { "network", CLONE_NEWNET, "/proc/self/ns/net" },
  { "ipc", CLONE_NEWIPC, "/proc/self/ns/ipc" },
  { "uts", CLONE_NEWUTS, "/proc/self/ns/uts" },
  { "cgroup", CLONE_NEWCGROUP, "/proc/self/ns/cgroup" },
  { "time", CLONE_NEWTIME, "/proc/self/ns/time_for_children" },
  { "mount", CLONE_NEWNS, "/proc/self/ns/mnt" },
  { "user", CLONE_NEWUSER, NULL }, /* no way back: see mrc_ns_restore */
};

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

/* Keep a way back to the namespace we are about to leave. */
static int
save (struct mrc_ns_plan *plan, size_t t, mrc_error_t *err)
{
  plan->saved[t] = -1;
  if (ns_table[t].self == NULL)
    return 0;
  plan->saved[t] = open (ns_table[t].self, O_RDONLY | O_CLOEXEC);
  if (plan->saved[t] < 0)
    return mrc_fail_errno (err, "open `%s`", ns_table[t].self);
  return 0;
}

int
mrc_ns_restore (struct mrc_ns_plan *plan, mrc_error_t *err)
{
  int r = 0;
  for (size_t t = 0; t < MRC_NS_TYPES; t++)
    {
      if (plan->saved[t] < 0)
        continue;
      if (r == 0 && setns (plan->saved[t], ns_table[t].flag) < 0)
        r = mrc_fail_errno (err, "return to the runtime's %s namespace",
                            ns_table[t].type);
      close (plan->saved[t]);
      plan->saved[t] = -1;
    }
  return r;
}

static int
join (const char *type, int flag, const char *path, mrc_error_t *err)
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
  if (setns (fd, flag) < 0)
    return mrc_fail_errno (err, "join %s namespace `%s`", type, path);
  return 0;
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
mrc_ns_prepare (const struct mrc_spec *spec, struct mrc_ns_plan *plan,
                mrc_error_t *err)
{
  memset (plan, 0, sizeof *plan);
  for (size_t t = 0; t < MRC_NS_TYPES; t++)
    plan->saved[t] = -1;
  for (size_t t = 0; t < sizeof ns_table / sizeof ns_table[0]; t++)
    {
      const struct mrc_namespace *ns = mrc_spec_namespace (spec, ns_table[t].type);
      if (ns == NULL)
        continue;
      if (ns_table[t].flag == CLONE_NEWUSER)
        {
          plan->has_user = true;
          plan->new_user = ns->path == NULL;
        }
      if (ns->path == NULL || differs (ns->path, ns_table[t].self))
        plan->own_flags |= (unsigned long long) ns_table[t].flag;
      if (ns->path)
        {
          if (save (plan, t, err) < 0
              || join (ns_table[t].type, ns_table[t].flag, ns->path, err) < 0)
            return -1;
        }
      else if (ns_table[t].flag == CLONE_NEWTIME)
        {
          if (save (plan, t, err) < 0)
            return -1;
          plan->new_time = true;
        }
      /* A cgroup namespace made by the clone would be rooted at our own
         cgroup, not at the container's that CLONE_INTO_CGROUP puts the
         child in: the child unshares it once it is there. */
      else if (ns_table[t].flag == CLONE_NEWCGROUP)
        plan->new_cgroup = true;
      else
        plan->clone_flags |= (unsigned long long) ns_table[t].flag;
    }
  if (plan->new_time && new_time_ns (spec, err) < 0)
    return -1;
  return 0;
}
