/* rtnetlink through libmnl: sockets, acknowledged requests, and the pure
 * builders and parsers of the few messages mini-runc sends. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "mrc/cleanup.h"
#include "net-internal.h"

int
mrc_nl_open (struct mrc_nl *nl, mrc_error_t *err)
{
  nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl->sock == NULL)
    return mrc_fail_errno (err, "open rtnetlink socket");
  if (mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      mrc_fail_errno (err, "bind rtnetlink socket");
      mrc_nl_close (nl);
      return -1;
    }
  /* The kernel's reason in words (extended ack), without our request
     echoed back.  Older kernels lack them: the errno still tells. */
  int one = 1;
  if ((mnl_socket_setsockopt (nl->sock, NETLINK_EXT_ACK, &one, sizeof one) < 0
       || mnl_socket_setsockopt (nl->sock, NETLINK_CAP_ACK, &one, sizeof one)
              < 0)
      && errno != ENOPROTOOPT)
    {
      mrc_fail_errno (err, "set rtnetlink socket options");
      mrc_nl_close (nl);
      return -1;
    }
  nl->portid = mnl_socket_get_portid (nl->sock);
  nl->seq = (uint32_t) time (NULL);
  return 0;
}

/* A netlink socket talks to the network namespace it was created in, so
 * we step into NS_FD's namespace only for socket(2) and come straight back:
 * no other work ever runs in the container's namespace.  Failing to come
 * back would leave the runtime in the wrong namespace: that is an error
 * the caller must not ignore (it aborts the container). */
int
mrc_nl_open_in (struct mrc_nl *nl, int ns_fd, mrc_error_t *err)
{
  cleanup_close int self = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0)
    return mrc_fail_errno (err, "open `/proc/self/ns/net`");
  if (setns (ns_fd, CLONE_NEWNET) < 0)
    return mrc_fail_errno (err, "enter the container's network namespace");
  int r = mrc_nl_open (nl, err);
  if (setns (self, CLONE_NEWNET) < 0)
    {
      if (r == 0)
        mrc_nl_close (nl);
      return mrc_fail_errno (err, "return to the runtime's network namespace");
    }
  return r;
}

void
mrc_nl_close (struct mrc_nl *nl)
{
  int saved = errno;
  if (nl->sock)
    mnl_socket_close (nl->sock);
  nl->sock = NULL;
  errno = saved;
}

/* Replies go to the caller's callback; errors are read here for their
   extended-ack text. */
struct talk
{
  mnl_cb_t cb;
  void *data;
  struct mrc_nl *nl;
};

static int
data_cb (const struct nlmsghdr *nlh, void *arg)
{
  struct talk *t = arg;
  return t->cb ? t->cb (nlh, t->data) : MNL_CB_OK;
}

static int
ext_attr_cb (const struct nlattr *attr, void *arg)
{
  struct talk *t = arg;
  if (mnl_attr_get_type (attr) == NLMSGERR_ATTR_MSG
      && mnl_attr_validate (attr, MNL_TYPE_NUL_STRING) == 0)
    snprintf (t->nl->ext, sizeof t->nl->ext, "%s", mnl_attr_get_str (attr));
  return MNL_CB_OK;
}

static int
error_cb (const struct nlmsghdr *nlh, void *arg)
{
  struct talk *t = arg;
  const struct nlmsgerr *e = mnl_nlmsg_get_payload (nlh);
  if (nlh->nlmsg_len < mnl_nlmsg_size (sizeof *e))
    {
      errno = EBADMSG;
      return MNL_CB_ERROR;
    }
  if (e->error == 0)
    return MNL_CB_STOP; /* the acknowledgement */
  /* The TLVs follow our request, or only its header when capped. */
  size_t off = sizeof *e;
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > sizeof e->msg)
    off += e->msg.nlmsg_len - sizeof e->msg;
  if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS)
      && mnl_nlmsg_size (off) <= nlh->nlmsg_len)
    mnl_attr_parse (nlh, (unsigned int) off, ext_attr_cb, t);
  errno = e->error == INT_MIN ? EINVAL : -e->error;
  return MNL_CB_ERROR;
}

/* The end of a dump; it carries the dump's error, if any. */
static int
done_cb (const struct nlmsghdr *nlh, void *arg)
{
  (void) arg;
  if (mnl_nlmsg_get_payload_len (nlh) >= sizeof (int))
    {
      int e = *(const int *) mnl_nlmsg_get_payload (nlh);
      if (e < 0)
        {
          errno = e == INT_MIN ? EINVAL : -e;
          return MNL_CB_ERROR;
        }
    }
  return MNL_CB_STOP;
}

static int
noop_cb (const struct nlmsghdr *nlh, void *arg)
{
  (void) nlh;
  (void) arg;
  return MNL_CB_OK;
}

static int
overrun_cb (const struct nlmsghdr *nlh, void *arg)
{
  (void) nlh;
  (void) arg;
  errno = ENOSPC;
  return MNL_CB_ERROR;
}

/* With a table, mnl_cb_run2 uses no defaults: every control message is
   here.  Not const only because mnl_cb_run2 takes a plain pointer. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
  [NLMSG_NOOP] = noop_cb,
  [NLMSG_ERROR] = error_cb,
  [NLMSG_DONE] = done_cb,
  [NLMSG_OVERRUN] = overrun_cb,
};

int
mrc_nl_talk (struct mrc_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct talk t = { cb, data, nl };
  nl->ext[0] = '\0';
  /* A dump ends with NLMSG_DONE instead of an acknowledgement. */
  req->nlmsg_flags |= NLM_F_REQUEST;
  if (!(req->nlmsg_flags & NLM_F_DUMP))
    req->nlmsg_flags |= NLM_F_ACK;
  req->nlmsg_seq = ++nl->seq;
  if (mnl_socket_sendto (nl->sock, req, req->nlmsg_len) < 0)
    return -1;
  int r;
  do
    {
      ssize_t n = mnl_socket_recvfrom (nl->sock, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        {
          errno = ECONNRESET;
          return -1;
        }
      r = mnl_cb_run2 (buf, (size_t) n, req->nlmsg_seq, nl->portid, data_cb,
                       &t, ctl_cbs, NLMSG_MIN_TYPE);
    }
  while (r > 0); /* MNL_CB_OK: more to come; STOP: acked or done */
  return r < 0 ? -1 : 0;
}

int
mrc_nl_fail (mrc_error_t *err, const struct mrc_nl *nl, const char *fmt, ...)
{
  int errnum = errno;
  char what[256];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (what, sizeof what, fmt, ap);
  va_end (ap);
  if (nl->ext[0] == '\0')
    return mrc_error_set (err, errnum, "%s", what);
  return mrc_error_code (err, errnum, "%s: %s (%s)", what, strerror (errnum),
                         nl->ext);
}

/* ------------------------------------------------------------ builders */

static struct nlmsghdr *
start_link (void *buf, uint16_t type, int ifindex)
{
  memset (buf, 0, MRC_NL_REQ_SIZE);
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  return nlh;
}

struct nlmsghdr *
mrc_nl_build_link_get (void *buf, const char *name)
{
  struct nlmsghdr *nlh = start_link (buf, RTM_GETLINK, 0);
  if (!mnl_attr_put_strz_check (nlh, MRC_NL_REQ_SIZE, IFLA_IFNAME, name))
    return NULL;
  return nlh;
}

struct nlmsghdr *
mrc_nl_build_link_up (void *buf, int ifindex)
{
  struct nlmsghdr *nlh = start_link (buf, RTM_NEWLINK, ifindex);
  struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  return nlh;
}

/* The kernel moves the device first and renames it after, inside the
 * target namespace (do_setlink): a host device with the new name does not
 * collide, and a device whose host name exists inside would be refused
 * before anything moved. */
struct nlmsghdr *
mrc_nl_build_link_move (void *buf, int ifindex, int ns_fd,
                        const char *new_name)
{
  struct nlmsghdr *nlh = start_link (buf, RTM_NEWLINK, ifindex);
  if (!mnl_attr_put_u32_check (nlh, MRC_NL_REQ_SIZE, IFLA_NET_NS_FD,
                               (uint32_t) ns_fd))
    return NULL;
  if (new_name
      && !mnl_attr_put_strz_check (nlh, MRC_NL_REQ_SIZE, IFLA_IFNAME,
                                   new_name))
    return NULL;
  return nlh;
}

struct nlmsghdr *
mrc_nl_build_addr_dump (void *buf)
{
  memset (buf, 0, MRC_NL_REQ_SIZE);
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = RTM_GETADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = AF_UNSPEC;
  return nlh;
}

/* Of an address's flags, those a user sets; the kernel derives the rest
   (permanent, secondary, tentative) itself and may refuse them. */
#define ADDR_USER_FLAGS (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_NOPREFIXROUTE)

struct nlmsghdr *
mrc_nl_build_addr_add (void *buf, int ifindex, const struct mrc_nl_addr *a)
{
  const uint32_t flags = a->flags & ADDR_USER_FLAGS;
  memset (buf, 0, MRC_NL_REQ_SIZE);
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = RTM_NEWADDR;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = a->family;
  ifa->ifa_prefixlen = a->prefixlen;
  ifa->ifa_scope = a->scope;
  ifa->ifa_flags = (uint8_t) flags;
  ifa->ifa_index = (uint32_t) ifindex;
  const size_t sz = MRC_NL_REQ_SIZE;
  if ((a->has_local
       && !mnl_attr_put_check (nlh, sz, IFA_LOCAL, a->len, a->local))
      || (a->has_address
          && !mnl_attr_put_check (nlh, sz, IFA_ADDRESS, a->len, a->address))
      || (a->has_broadcast
          && !mnl_attr_put_check (nlh, sz, IFA_BROADCAST, 4, a->broadcast))
      || !mnl_attr_put_u32_check (nlh, sz, IFA_FLAGS, flags))
    return NULL;
  return nlh;
}

/* ------------------------------------------------------------- parsers */

/* Expected payload types, indexed by attribute; MNL_TYPE_UNSPEC entries
   are not read and not checked. */
static const enum mnl_attr_data_type link_policy[IFLA_MAX + 1] = {
  [IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
};

static const enum mnl_attr_data_type addr_policy[IFA_MAX + 1] = {
  [IFA_ADDRESS] = MNL_TYPE_BINARY,
  [IFA_LOCAL] = MNL_TYPE_BINARY,
  [IFA_BROADCAST] = MNL_TYPE_BINARY,
  [IFA_FLAGS] = MNL_TYPE_U32,
};

struct attr_table
{
  const struct nlattr **tb;
  const enum mnl_attr_data_type *policy;
  uint16_t max;
};

static int
attr_cb (const struct nlattr *attr, void *data)
{
  struct attr_table *t = data;
  if (mnl_attr_type_valid (attr, t->max) < 0)
    return MNL_CB_OK; /* newer than our headers: not ours to read */
  uint16_t type = mnl_attr_get_type (attr);
  if (t->policy[type] != MNL_TYPE_UNSPEC
      && mnl_attr_validate (attr, t->policy[type]) < 0)
    return MNL_CB_ERROR;
  t->tb[type] = attr;
  return MNL_CB_OK;
}

int
mrc_nl_parse_link (const struct nlmsghdr *nlh, struct mrc_nl_link *out)
{
  const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
  struct attr_table t = { tb, link_policy, IFLA_MAX };
  if (nlh->nlmsg_type != RTM_NEWLINK
      || nlh->nlmsg_len < mnl_nlmsg_size (sizeof (struct ifinfomsg)))
    {
      errno = EBADMSG;
      return -1;
    }
  const struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
  if (mnl_attr_parse (nlh, sizeof *ifi, attr_cb, &t) < 0)
    {
      errno = EBADMSG;
      return -1;
    }
  memset (out, 0, sizeof *out);
  out->ifindex = ifi->ifi_index;
  out->flags = ifi->ifi_flags;
  if (tb[IFLA_IFNAME])
    snprintf (out->name, sizeof out->name, "%s",
              mnl_attr_get_str (tb[IFLA_IFNAME]));
  return 0;
}

static int
copy_addr (const struct nlattr *attr, uint8_t *dst, size_t want)
{
  if (attr == NULL)
    return 0;
  if (mnl_attr_get_payload_len (attr) != want)
    return -1;
  memcpy (dst, mnl_attr_get_payload (attr), want);
  return 1;
}

int
mrc_nl_parse_addr (const struct nlmsghdr *nlh, struct mrc_nl_addr *out)
{
  const struct nlattr *tb[IFA_MAX + 1] = { NULL };
  struct attr_table t = { tb, addr_policy, IFA_MAX };
  errno = EBADMSG;
  if (nlh->nlmsg_type != RTM_NEWADDR
      || nlh->nlmsg_len < mnl_nlmsg_size (sizeof (struct ifaddrmsg)))
    return -1;
  const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload (nlh);
  if (mnl_attr_parse (nlh, sizeof *ifa, attr_cb, &t) < 0)
    return -1;
  memset (out, 0, sizeof *out);
  out->ifindex = (int) ifa->ifa_index;
  out->family = ifa->ifa_family;
  out->prefixlen = ifa->ifa_prefixlen;
  out->scope = ifa->ifa_scope;
  out->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32 (tb[IFA_FLAGS]) : ifa->ifa_flags;
  out->len = ifa->ifa_family == AF_INET6 ? 16 : 4;
  int l = copy_addr (tb[IFA_LOCAL], out->local, out->len);
  int a = copy_addr (tb[IFA_ADDRESS], out->address, out->len);
  int b = ifa->ifa_family == AF_INET
              ? copy_addr (tb[IFA_BROADCAST], out->broadcast, 4) : 0;
  if (l < 0 || a < 0 || b < 0)
    return -1;
  out->has_local = l;
  out->has_address = a;
  out->has_broadcast = b;
  return 0;
}

bool
mrc_nl_addr_kept (const struct mrc_nl_addr *a)
{
  return (a->family == AF_INET || a->family == AF_INET6)
         && (a->flags & IFA_F_PERMANENT) && a->scope == RT_SCOPE_UNIVERSE
         && (a->has_local || a->has_address);
}
