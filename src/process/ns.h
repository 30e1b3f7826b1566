/* Namespace plan: which namespaces the clone creates and which the parent
 * joins by path before cloning. */
#ifndef MRC_PROCESS_NS_H
#define MRC_PROCESS_NS_H

#include <stdbool.h>

#include "mrc/error.h"
#include "mrc/spec.h"

#define MRC_NS_TYPES 8

struct mrc_ns_plan
{
  int saved[MRC_NS_TYPES];        /* our own namespaces, to go back to */
  unsigned long long clone_flags; /* CLONE_NEW* created by clone3 */
  bool new_time;                  /* created by unshare in the parent */
  bool new_cgroup;                /* created by unshare in the child */
  bool has_user;                  /* new or joined user namespace */
  bool new_user;
  unsigned long long own_flags;   /* new, or joined and not the host's */
};

/* Decide the plan and join every namespace given by path (in the calling
 * process, before the clone, keeping fds of the ones it leaves).  Fails
 * with the namespace type and path in the message when a path is missing
 * or of the wrong type.  Call mrc_ns_restore after the clone, also after a
 * failure. */
int mrc_ns_prepare (const struct mrc_spec *spec, struct mrc_ns_plan *plan,
                    mrc_error_t *err) MRC_WUR;

/* Back to the runtime's own namespaces once the child has inherited the
 * joined ones, so hooks, the pid file and cleanup run in the runtime's
 * namespaces as the runtime-spec requires.  A joined user namespace
 * cannot be left: with one, mini-runc stays in it. */
int mrc_ns_restore (struct mrc_ns_plan *plan, mrc_error_t *err) MRC_WUR;

#endif
