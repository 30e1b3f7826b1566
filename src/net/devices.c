/* The loopback of a new network namespace, and host devices moved into
 * the container's network namespace (linux.netDevices). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "mrc/cleanup.h"
#include "mrc/net.h"
#include "net-internal.h"

static void
nl_closep (struct mrc_nl *nl)
{
  mrc_nl_close (nl);
}
#define cleanup_nl __attribute__ ((cleanup (nl_closep)))

static int
link_cb (const struct nlmsghdr *nlh, void *data)
{
  return mrc_nl_parse_link (nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/* ifindex and flags of the link called NAME in NL's namespace; errno
   ENODEV when there is none. */
static int
link_get (struct mrc_nl *nl, const char *name, struct mrc_nl_link *out)
{
  char req[MRC_NL_REQ_SIZE];
  struct nlmsghdr *nlh = mrc_nl_build_link_get (req, name);
  if (nlh == NULL)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  out->ifindex = 0;
  if (mrc_nl_talk (nl, nlh, link_cb, out) < 0)
    return -1;
  if (out->ifindex <= 0)
    {
      errno = ENODEV;
      return -1;
    }
  return 0;
}

static int
link_up (struct mrc_nl *nl, int ifindex)
{
  char req[MRC_NL_REQ_SIZE];
  return mrc_nl_talk (nl, mrc_nl_build_link_up (req, ifindex), NULL, NULL);
}

int
mrc_net_loopback_up (mrc_error_t *err)
{
  cleanup_nl struct mrc_nl nl = { 0 };
  struct mrc_nl_link lo;
  if (mrc_nl_open (&nl, err) < 0)
    return -1;
  if (link_get (&nl, "lo", &lo) < 0)
    return mrc_nl_fail (err, &nl, "find network device `lo`");
  if (link_up (&nl, lo.ifindex) < 0)
    return mrc_nl_fail (err, &nl, "bring network device `lo` up");
  return 0;
}

/* ------------------------------------------------------ device moves */

struct dev
{
  const char *host_name;
  const char *ct_name;  /* name in the container */
  struct mrc_nl_link host;  /* as found on the host */
  int ct_index;  /* ifindex in the container, once moved */
  struct mrc_nl_addr *addrs;  /* the ones it keeps */
  size_t n_addrs;
};

struct addr_collect
{
  struct dev *devs;
  size_t n;
};

static int
addr_cb (const struct nlmsghdr *nlh, void *data)
{
  struct addr_collect *c = data;
  struct mrc_nl_addr a;
  if (mrc_nl_parse_addr (nlh, &a) < 0)
    return MNL_CB_ERROR;
  if (!mrc_nl_addr_kept (&a))
    return MNL_CB_OK;
  for (size_t i = 0; i < c->n; i++)
    {
      struct dev *d = &c->devs[i];
      if (d->host.ifindex != a.ifindex)
        continue;
      struct mrc_nl_addr *v
          = reallocarray (d->addrs, d->n_addrs + 1, sizeof *v);
      if (v == NULL)
        return MNL_CB_ERROR;
      d->addrs = v;
      d->addrs[d->n_addrs++] = a;
    }
  return MNL_CB_OK;
}

static void
devs_free (struct dev *devs, size_t n)
{
  for (size_t i = 0; devs && i < n; i++)
    free (devs[i].addrs);
  free (devs);
}

/* Look every device up before moving any: a missing one fails with its
   name and nothing moved.  Then read the addresses each one keeps. */
static int
devs_find (struct mrc_nl *host, const struct mrc_linux *l, struct dev *devs,
           mrc_error_t *err)
{
  for (size_t i = 0; i < l->n_net_devices; i++)
    {
      const struct mrc_net_device *nd = &l->net_devices[i];
      struct dev *d = &devs[i];
      d->host_name = nd->host_name;
      d->ct_name = nd->name && nd->name[0] ? nd->name : nd->host_name;
      if (link_get (host, d->host_name, &d->host) == 0)
        continue;
      if (errno == ENODEV)
        return mrc_error_code (err, ENODEV, "linux.netDevices: network "
                               "device `%s` not found on the host",
                               d->host_name);
      return mrc_nl_fail (err, host, "linux.netDevices: find network "
                          "device `%s`", d->host_name);
    }
  char req[MRC_NL_REQ_SIZE];
  struct addr_collect c = { devs, l->n_net_devices };
  if (mrc_nl_talk (host, mrc_nl_build_addr_dump (req), addr_cb, &c) < 0)
    return mrc_nl_fail (err, host, "linux.netDevices: list host addresses");
  return 0;
}

/* Move ifindex FROM_INDEX (of FROM's namespace) into TO_NSFD's namespace
   as NAME, then, through TO, give it back ADDRS and its up state. */
struct move
{
  struct mrc_nl *from, *to;
  int to_nsfd;
  int from_index;
  const char *name;
};

static int
move_link (const struct move *m, const struct dev *d, mrc_error_t *err)
{
  char req[MRC_NL_REQ_SIZE];
  struct nlmsghdr *nlh
      = mrc_nl_build_link_move (req, m->from_index, m->to_nsfd, m->name);
  if (mrc_nl_talk (m->from, nlh, NULL, NULL) < 0)
    {
      char as[IFNAMSIZ + 8] = "";
      if (strcmp (d->host_name, m->name) != 0)
        snprintf (as, sizeof as, " as `%s`", m->name);
      return mrc_nl_fail (err, m->from, "move network device `%s`%s",
                          d->host_name, as);
    }
  struct mrc_nl_link moved;
  /* The ifindex may change on the way: the kernel keeps it only when it
     is free in the target namespace. */
  if (link_get (m->to, m->name, &moved) < 0)
    return mrc_nl_fail (err, m->to, "find moved network device `%s`",
                        m->name);
  for (size_t i = 0; i < d->n_addrs; i++)
    {
      nlh = mrc_nl_build_addr_add (req, moved.ifindex, &d->addrs[i]);
      if (nlh == NULL || mrc_nl_talk (m->to, nlh, NULL, NULL) < 0)
        {
          char text[64] = "?";
          const struct mrc_nl_addr *a = &d->addrs[i];
          inet_ntop (a->family, a->has_local ? a->local : a->address, text,
                     sizeof text);
          return mrc_nl_fail (err, m->to, "add address `%s/%u` to network "
                              "device `%s`", text, a->prefixlen, m->name);
        }
    }
  if ((d->host.flags & IFF_UP) && link_up (m->to, moved.ifindex) < 0)
    return mrc_nl_fail (err, m->to, "bring network device `%s` up",
                        m->name);
  return 0;
}

/* Best effort, after a failure: every device that reached the container's
 * namespace (under its new name, or its host name when the rename failed)
 * goes back to the host under its host name with its addresses, so a
 * failed create leaves the host as it was.  Left there, a veth would die
 * with the namespace and a physical device would come back to the host
 * under its container name. */
static void
move_back (struct mrc_nl *host, struct mrc_nl *ct, int host_nsfd,
           const struct dev *devs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      const struct dev *d = &devs[i];
      struct mrc_nl_link in;
      if (link_get (ct, d->ct_name, &in) < 0
          && link_get (ct, d->host_name, &in) < 0)
        continue;
      struct move m = { ct, host, host_nsfd, in.ifindex, d->host_name };
      mrc_error_t ignored = NULL;
      if (move_link (&m, d, &ignored) < 0)
        mrc_error_free (&ignored);
    }
}

static int
move_all (struct mrc_nl *host, const struct mrc_linux *l, pid_t pid,
          struct dev *devs, mrc_error_t *err)
{
  if (devs_find (host, l, devs, err) < 0)
    return -1;
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  cleanup_close int ct_nsfd = open (path, O_RDONLY | O_CLOEXEC);
  if (ct_nsfd < 0)
    return mrc_fail_errno (err, "linux.netDevices: open `%s`", path);
  cleanup_close int host_nsfd
      = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (host_nsfd < 0)
    return mrc_fail_errno (err, "linux.netDevices: open "
                           "`/proc/self/ns/net`");
  cleanup_nl struct mrc_nl ct = { 0 };
  if (mrc_nl_open_in (&ct, ct_nsfd, err) < 0)
    return mrc_error_wrap (err, "linux.netDevices");
  for (size_t i = 0; i < l->n_net_devices; i++)
    {
      struct move m = { host, &ct, ct_nsfd, devs[i].host.ifindex,
                        devs[i].ct_name };
      if (move_link (&m, &devs[i], err) < 0)
        {
          move_back (host, &ct, host_nsfd, devs, i + 1);
          return mrc_error_wrap (err, "linux.netDevices");
        }
    }
  return 0;
}

int
mrc_net_move_devices (const struct mrc_spec *spec, pid_t pid,
                      mrc_error_t *err)
{
  const struct mrc_linux *l = spec->linux_;
  if (l == NULL || l->n_net_devices == 0)
    return 0;
  cleanup_nl struct mrc_nl host = { 0 };
  if (mrc_nl_open (&host, err) < 0)
    return mrc_error_wrap (err, "linux.netDevices");
  struct dev *devs = calloc (l->n_net_devices, sizeof *devs);
  if (devs == NULL)
    return mrc_fail_errno (err, "linux.netDevices: allocate");
  int r = move_all (&host, l, pid, devs, err);
  devs_free (devs, l->n_net_devices);
  return r;
}
