/* net: linux.netDevices validation, and the rtnetlink messages built and
 * parsed back with libmnl (no kernel needed). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "../../src/net/net-internal.h"
#include "mrc/net.h"
#include "tap.h"

/* A spec with DEVS ("host" or "host=name"), and a network namespace
   entry: NS_PATH NULL for a new one, "" for none at all. */
static int
check (const char *ns_path, const char *const *devs, mrc_error_t *err)
{
  struct mrc_net_device d[8] = { { NULL, NULL } };
  char buf[8][64];
  size_t n = 0;
  for (; devs && devs[n]; n++)
    {
      snprintf (buf[n], sizeof buf[n], "%s", devs[n]);
      char *eq = strchr (buf[n], '=');
      if (eq)
        {
          *eq = '\0';
          d[n].name = eq + 1;
        }
      d[n].host_name = buf[n];
    }
  struct mrc_namespace ns[] = { { "mount", NULL }, { "network", NULL } };
  ns[1].path = (char *) ns_path;
  struct mrc_linux l = { .namespaces = ns,
                         .n_namespaces = ns_path && !ns_path[0] ? 1 : 2,
                         .net_devices = d, .n_net_devices = n };
  struct mrc_spec spec = { .linux_ = &l };
  return mrc_net_check (&spec, err);
}

static void
accepted (const char *what, const char *const *devs)
{
  mrc_error_t err = NULL;
  if (!ok (check (NULL, devs, &err) == 0, "accepted: %s", what))
    diag ("%s", err ? err->msg : "?");
  mrc_error_free (&err);
}

static void
refused (const char *what, const char *ns_path, const char *const *devs,
         const char *needle)
{
  mrc_error_t err = NULL;
  int r = check (ns_path, devs, &err);
  ok (r < 0 && err, "refused: %s", what);
  ok (err && strncmp (err->msg, "linux.netDevices: ", 18) == 0
          && strstr (err->msg, needle),
      "  error names the field and `%s`: %s", needle, err ? err->msg : "-");
  mrc_error_free (&err);
}

static void
test_check (void)
{
  accepted ("no devices", NULL);
  accepted ("one device kept as is", (const char *[]){ "veth0", NULL });
  accepted ("renamed", (const char *[]){ "veth0=eth1", NULL });
  accepted ("15 characters",
            (const char *[]){ "abcdefghijklmno=eth0", "x=y", NULL });
  accepted ("swapped names", (const char *[]){ "a=b", "b=a", NULL });
  accepted ("no devices, no network namespace", NULL);

  refused ("host name of 16 characters", NULL,
           (const char *[]){ "abcdefghijklmnop", NULL }, "abcdefghijklmnop");
  refused ("name with a slash", NULL, (const char *[]){ "v0=a/b", NULL },
           "`a/b`");
  refused ("name `..`", NULL, (const char *[]){ "v0=..", NULL }, "`..`");
  refused ("name `.`", NULL, (const char *[]){ ".", NULL }, "`.`");
  refused ("name with a space", NULL, (const char *[]){ "v0=a b", NULL },
           "`a b`");
  refused ("name with a colon", NULL, (const char *[]){ "v0=eth0:1", NULL },
           "`eth0:1`");
  refused ("empty host name", NULL, (const char *[]){ "", NULL },
           "invalid network device name");
  refused ("two devices, one name", NULL,
           (const char *[]){ "v0=eth1", "v1=eth1", NULL }, "`eth1`");
  refused ("a rename onto another's kept name", NULL,
           (const char *[]){ "eth1", "v1=eth1", NULL }, "`eth1`");
  refused ("the name lo", NULL, (const char *[]){ "v0=lo", NULL }, "`lo`");
  refused ("no network namespace", "", (const char *[]){ "v0", NULL },
           "new network namespace");
  refused ("a joined network namespace", "/run/netns/x",
           (const char *[]){ "v0", NULL }, "/run/netns/x");

  ok (mrc_net_name_valid ("eth0") && !mrc_net_name_valid (NULL)
          && !mrc_net_name_valid ("a\tb"),
      "name validity: eth0 yes, NULL and a tab no");
}

/* ------------------------------------------------------------ messages */

static int
collect_cb (const struct nlattr *attr, void *data)
{
  const struct nlattr **tb = data;
  if (mnl_attr_type_valid (attr, IFLA_MAX) >= 0)
    tb[mnl_attr_get_type (attr)] = attr;
  return MNL_CB_OK;
}

static struct nlmsghdr *
start_bad_link (char *buf)
{
  memset (buf, 0, MRC_NL_REQ_SIZE);
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = RTM_NEWLINK;
  mnl_nlmsg_put_extra_header (nlh, sizeof (struct ifinfomsg));
  mnl_attr_put (nlh, IFLA_IFNAME, 3, "abc");
  return nlh;
}

static void
test_link_messages (void)
{
  char buf[MRC_NL_REQ_SIZE];
  const struct nlattr *tb[IFLA_MAX + 1] = { NULL };

  struct nlmsghdr *nlh = mrc_nl_build_link_up (buf, 7);
  struct ifinfomsg *ifi = mnl_nlmsg_get_payload (nlh);
  ok (nlh->nlmsg_type == RTM_NEWLINK && (nlh->nlmsg_flags & NLM_F_ACK)
          && ifi->ifi_index == 7 && ifi->ifi_flags == IFF_UP
          && ifi->ifi_change == IFF_UP,
      "link up: RTM_NEWLINK, acked, ifindex 7, IFF_UP in flags and change");

  nlh = mrc_nl_build_link_move (buf, 9, 42, "eth1");
  ifi = mnl_nlmsg_get_payload (nlh);
  ok (nlh && mnl_attr_parse (nlh, sizeof *ifi, collect_cb, tb) >= 0,
      "move: attributes parse");
  ok (ifi->ifi_index == 9 && ifi->ifi_change == 0 && tb[IFLA_NET_NS_FD]
          && mnl_attr_get_u32 (tb[IFLA_NET_NS_FD]) == 42,
      "move: ifindex 9, IFLA_NET_NS_FD 42, flags untouched");
  is_str (tb[IFLA_IFNAME] ? mnl_attr_get_str (tb[IFLA_IFNAME]) : NULL,
          "eth1", "move: IFLA_IFNAME is the new name");

  memset (tb, 0, sizeof tb);
  nlh = mrc_nl_build_link_move (buf, 9, 42, NULL);
  mnl_attr_parse (nlh, sizeof *ifi, collect_cb, tb);
  ok (tb[IFLA_IFNAME] == NULL, "move without a rename: no IFLA_IFNAME");

  nlh = mrc_nl_build_link_get (buf, "lo");
  ok (nlh->nlmsg_type == RTM_GETLINK && !(nlh->nlmsg_flags & NLM_F_DUMP),
      "get: RTM_GETLINK by name, not a dump");

  /* The reply shape the kernel sends back parses into a link. */
  nlh = mrc_nl_build_link_get (buf, "veth0");
  nlh->nlmsg_type = RTM_NEWLINK;
  ifi = mnl_nlmsg_get_payload (nlh);
  ifi->ifi_index = 5;
  ifi->ifi_flags = IFF_UP;
  struct mrc_nl_link link;
  ok (mrc_nl_parse_link (nlh, &link) == 0 && link.ifindex == 5
          && link.flags == IFF_UP && strcmp (link.name, "veth0") == 0,
      "parse link: ifindex, flags, name");

  /* An IFLA_IFNAME without its NUL is refused by the policy. */
  nlh = start_bad_link (buf);
  ok (mrc_nl_parse_link (nlh, &link) < 0, "parse link: unterminated name "
      "refused");
  ok (mrc_nl_build_link_get (buf, "x") != NULL, "builders reset the buffer");
}

/* An address message as the kernel sends it in a dump. */
static struct nlmsghdr *
kernel_addr (char *buf, int family, const char *text, uint8_t plen,
             uint8_t scope, uint32_t flags)
{
  uint8_t bin[16];
  inet_pton (family, text, bin);
  size_t len = family == AF_INET6 ? 16 : 4;
  memset (buf, 0, MRC_NL_REQ_SIZE);
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  nlh->nlmsg_type = RTM_NEWADDR;
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = family;
  ifa->ifa_prefixlen = plen;
  ifa->ifa_scope = scope;
  ifa->ifa_index = 3;
  ifa->ifa_flags = (uint8_t) flags;
  mnl_attr_put (nlh, IFA_ADDRESS, len, bin);
  if (family == AF_INET)
    mnl_attr_put (nlh, IFA_LOCAL, len, bin);
  mnl_attr_put_u32 (nlh, IFA_FLAGS, flags);
  return nlh;
}

static void
test_addr_messages (void)
{
  char buf[MRC_NL_REQ_SIZE], out[MRC_NL_REQ_SIZE];
  struct mrc_nl_addr a, back;

  kernel_addr (buf, AF_INET, "10.200.1.2", 30, RT_SCOPE_UNIVERSE,
               IFA_F_PERMANENT);
  ok (mrc_nl_parse_addr ((struct nlmsghdr *) buf, &a) == 0
          && a.family == AF_INET && a.prefixlen == 30 && a.ifindex == 3
          && a.has_local && a.has_address && a.len == 4,
      "parse IPv4 address: family, prefix, ifindex, local and address");
  ok (mrc_nl_addr_kept (&a), "a permanent global IPv4 address is kept");

  struct nlmsghdr *nlh = mrc_nl_build_addr_add (out, 11, &a);
  ok (nlh && nlh->nlmsg_type == RTM_NEWADDR
          && (nlh->nlmsg_flags & (NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL))
                 == (NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL),
      "add: RTM_NEWADDR, acked, create, exclusive");
  /* parse what we built: same address, on the new ifindex */
  nlh->nlmsg_type = RTM_NEWADDR;
  ok (mrc_nl_parse_addr (nlh, &back) == 0 && back.ifindex == 11
          && back.prefixlen == 30
          && memcmp (back.local, a.local, 4) == 0
          && memcmp (back.address, a.address, 4) == 0,
      "add: carries the address and prefix onto ifindex 11");
  ok ((back.flags & IFA_F_PERMANENT) == 0,
      "add: kernel-derived flags are not sent back");

  kernel_addr (buf, AF_INET6, "fd00::2", 64, RT_SCOPE_UNIVERSE,
               IFA_F_PERMANENT | IFA_F_NODAD);
  ok (mrc_nl_parse_addr ((struct nlmsghdr *) buf, &a) == 0 && a.len == 16
          && !a.has_local && a.has_address && mrc_nl_addr_kept (&a),
      "parse IPv6 address: 16 bytes, kept");
  nlh = mrc_nl_build_addr_add (out, 11, &a);
  ok (nlh && mrc_nl_parse_addr (nlh, &back) == 0
          && (back.flags & IFA_F_NODAD) && back.len == 16,
      "add IPv6: nodad kept");

  kernel_addr (buf, AF_INET6, "fe80::1", 64, RT_SCOPE_LINK, IFA_F_PERMANENT);
  mrc_nl_parse_addr ((struct nlmsghdr *) buf, &a);
  ok (!mrc_nl_addr_kept (&a), "a link-local address is not kept");
  kernel_addr (buf, AF_INET6, "fd00::3", 64, RT_SCOPE_UNIVERSE, 0);
  mrc_nl_parse_addr ((struct nlmsghdr *) buf, &a);
  ok (!mrc_nl_addr_kept (&a), "a dynamic (not permanent) address is not "
      "kept");

  /* An IPv4 address attribute of the wrong length is refused. */
  kernel_addr (buf, AF_INET, "10.0.0.1", 8, 0, IFA_F_PERMANENT);
  nlh = (struct nlmsghdr *) buf;
  uint8_t six[6] = { 0 };
  mnl_attr_put (nlh, IFA_BROADCAST, sizeof six, six);
  ok (mrc_nl_parse_addr (nlh, &a) < 0, "a 6-byte IPv4 broadcast is refused");

  nlh = mrc_nl_build_addr_dump (out);
  ok (nlh->nlmsg_type == RTM_GETADDR && (nlh->nlmsg_flags & NLM_F_DUMP),
      "addresses: RTM_GETADDR dump");
}

int
main (void)
{
  test_check ();
  test_link_messages ();
  test_addr_messages ();
  return done_testing ();
}
