/* Networking through rtnetlink (libmnl): the loopback of a new network
 * namespace, and host devices moved into the container (linux.netDevices).
 *
 *   create (parent, host namespaces)          container init (child)
 *   --------------------------------          ----------------------
 *   mrc_net_check (spec)        before clone
 *   clone3 ------------------------------->  new network namespace
 *   mrc_net_move_devices (spec, pid)          mrc_net_loopback_up ()
 *     every device looked up first: a
 *     missing one fails before any moves
 *
 * Every request carries NLM_F_ACK and its acknowledgement is checked. */
#ifndef MRC_NET_H
#define MRC_NET_H

#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/spec.h"

/* Validate linux.netDevices without touching the system: host and
 * container names are valid interface names (shorter than IFNAMSIZ, no
 * '/', ':' or white space, not "." or ".."), no two devices end up with
 * the same name in the container (nor "lo"), and the container gets a new
 * network namespace (not one joined by path, not the host's).  Errors
 * name the field: "linux.netDevices: `eth0`: ...". */
int mrc_net_check (const struct mrc_spec *spec, mrc_error_t *err) MRC_WUR;

/* Child side, in its new network namespace: bring `lo` up. */
int mrc_net_loopback_up (mrc_error_t *err) MRC_WUR;

/* Parent side, in the host's network namespace, once PID (the container
 * init) exists: move every linux.netDevices entry into PID's network
 * namespace, renamed to its `name` when given.  The device keeps its
 * permanent global-scope addresses (the kernel drops addresses on a move:
 * they are read before and added back inside) and is set up again when
 * it was up.  All devices are looked up before the first is moved, so a
 * missing one fails with its name and nothing moved; when a later step
 * fails, the devices already moved are moved back under their host
 * names (best effort). */
int mrc_net_move_devices (const struct mrc_spec *spec, pid_t pid,
                          mrc_error_t *err) MRC_WUR;

#endif
