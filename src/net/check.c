/* linux.netDevices validation: pure, run by create before the clone so a
 * bad config leaves nothing behind. */
#include <ctype.h>
#include <string.h>
#include <net/if.h>

#include "mrc/net.h"
#include "net-internal.h"

/* The kernel's dev_valid_name: what it would refuse, we refuse first with
   the field named. */
bool
mrc_net_name_valid (const char *name)
{
  size_t len = name ? strlen (name) : 0;
  if (len == 0 || len >= IFNAMSIZ || strcmp (name, ".") == 0
      || strcmp (name, "..") == 0)
    return false;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == ':' || isspace ((unsigned char) *p))
      return false;
  return true;
}

static const char *
target_name (const struct mrc_net_device *d)
{
  return d->name && d->name[0] ? d->name : d->host_name;
}

static int
check_names (const struct mrc_linux *l, mrc_error_t *err)
{
  for (size_t i = 0; i < l->n_net_devices; i++)
    {
      const struct mrc_net_device *d = &l->net_devices[i];
      if (!mrc_net_name_valid (d->host_name))
        return mrc_fail (err, "linux.netDevices: `%s`: invalid network "
                         "device name (1 to %d characters, no '/', ':' or "
                         "space, not `.` or `..`)", d->host_name ? d->host_name : "",
                         IFNAMSIZ - 1);
      if (d->name && d->name[0] && !mrc_net_name_valid (d->name))
        return mrc_fail (err, "linux.netDevices: `%s`: name: invalid network "
                         "device name `%s` (1 to %d characters, no '/', ':' "
                         "or space, not `.` or `..`)", d->host_name, d->name,
                         IFNAMSIZ - 1);
      const char *t = target_name (d);
      /* A new network namespace always has its own `lo`. */
      if (strcmp (t, "lo") == 0)
        return mrc_fail (err, "linux.netDevices: `%s`: the name `lo` is taken "
                         "by the container's loopback", d->host_name);
      for (size_t j = 0; j < i; j++)
        if (strcmp (t, target_name (&l->net_devices[j])) == 0)
          return mrc_fail (err, "linux.netDevices: `%s` and `%s` would both "
                           "be named `%s` in the container",
                           l->net_devices[j].host_name, d->host_name, t);
    }
  return 0;
}

int
mrc_net_check (const struct mrc_spec *spec, mrc_error_t *err)
{
  const struct mrc_linux *l = spec->linux_;
  if (l == NULL || l->n_net_devices == 0)
    return 0;
  /* Devices move into a namespace the container owns: the host's would be
     a no-op that renames host devices, and a joined one outlives the
     container with our devices in it. */
  const struct mrc_namespace *ns = mrc_spec_namespace (spec, "network");
  if (ns == NULL)
    return mrc_fail (err, "linux.netDevices: requires a new network "
                     "namespace (linux.namespaces has no `network` entry)");
  if (ns->path && ns->path[0])
    return mrc_fail (err, "linux.netDevices: requires a new network "
                     "namespace, not one joined by path `%s`", ns->path);
  return check_names (l, err);
}
