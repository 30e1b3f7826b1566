/* rtnetlink plumbing private to src/net: a socket with its sequence
 * numbers, requests that are always acknowledged, and pure message
 * builders and parsers (unit-tested without a kernel). */
#ifndef MRC_NET_INTERNAL_H
#define MRC_NET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>
#include <libmnl/libmnl.h>

#include "mrc/error.h"

/* Requests are small: one header, one struct, a few attributes. */
#define MRC_NL_REQ_SIZE 512

struct mrc_nl
{
  struct mnl_socket *sock;
  uint32_t portid;
  uint32_t seq;
  char ext[128];  /* the kernel's extended-ack text of the last error */
};

/* One link as RTM_NEWLINK describes it. */
struct mrc_nl_link
{
  int ifindex;
  unsigned int flags;  /* IFF_* */
  char name[IFNAMSIZ];
};

/* One address as RTM_NEWADDR describes it; only what adding it back needs. */
struct mrc_nl_addr
{
  int ifindex;
  uint8_t family;  /* AF_INET, AF_INET6 */
  uint8_t prefixlen;
  uint8_t scope;  /* RT_SCOPE_* */
  uint32_t flags;  /* IFA_F_*, from IFA_FLAGS when present */
  uint8_t len;  /* address length of FAMILY: 4 or 16 */
  bool has_local, has_address, has_broadcast;
  uint8_t local[16], address[16], broadcast[4];
};

/* Sockets: in our own network namespace, or in the one NS_FD refers to
   (the socket is created there and then used from ours). */
int mrc_nl_open (struct mrc_nl *nl, mrc_error_t *err) MRC_WUR;
int mrc_nl_open_in (struct mrc_nl *nl, int ns_fd, mrc_error_t *err) MRC_WUR;
void mrc_nl_close (struct mrc_nl *nl);

/* Send REQ (NLM_F_ACK is added unless it is a dump) and read replies
   until its acknowledgement (or NLMSG_DONE of a dump), handing each data
   message to CB.  A netlink
   error comes back as -1 with errno set, for the caller to word. */
int mrc_nl_talk (struct mrc_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
                 void *data);

/* Set *ERR to "FMT...: strerror(errno)", with the kernel's own text of
   NL's last error appended in parentheses when it gave one.  Returns -1. */
int mrc_nl_fail (mrc_error_t *err, const struct mrc_nl *nl, const char *fmt,
                 ...) __attribute__ ((format (printf, 3, 4)));

/* Builders into BUF (MRC_NL_REQ_SIZE bytes); NULL when it does not fit. */
struct nlmsghdr *mrc_nl_build_link_get (void *buf, const char *name);
struct nlmsghdr *mrc_nl_build_link_up (void *buf, int ifindex);
struct nlmsghdr *mrc_nl_build_link_move (void *buf, int ifindex, int ns_fd,
                                         const char *new_name);
struct nlmsghdr *mrc_nl_build_addr_dump (void *buf);
struct nlmsghdr *mrc_nl_build_addr_add (void *buf, int ifindex,
                                        const struct mrc_nl_addr *a);

/* Parsers with attribute validation: 0, or -1 (errno EBADMSG/EINVAL) for
   a malformed message. */
int mrc_nl_parse_link (const struct nlmsghdr *nlh, struct mrc_nl_link *out);
int mrc_nl_parse_addr (const struct nlmsghdr *nlh, struct mrc_nl_addr *out);

/* The addresses a moved device keeps (runtime-spec netDevices): permanent
   ones of global scope.  Link-local and autoconfigured ones the kernel
   makes again inside by itself. */
bool mrc_nl_addr_kept (const struct mrc_nl_addr *a);

/* A valid interface name, as the kernel's dev_valid_name checks it. */
bool mrc_net_name_valid (const char *name);

#endif
