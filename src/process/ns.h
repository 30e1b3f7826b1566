/* Namespace plan: which namespaces the clone creates and which the parent
 * joins by path before cloning. */
#ifndef MRC_PROCESS_NS_H
#define MRC_PROCESS_NS_H

#include <stdbool.h>

#include "mrc/error.h"
#include "mrc/names.h"
#include "mrc/spec.h"

struct mrc_ns_plan
{
  int join[MRC_N_NAMESPACES];     /* fds of namespaces joined by path, in
                                     join order (user last), or -1 */
  unsigned long long clone_flags; /* CLONE_NEW* created by clone3 */
  bool enter;                     /* joins or a new time namespace: a
                                     helper enters them and clones */
  bool new_time;                  /* created by unshare before the clone */
  bool new_cgroup;                /* created by unshare in the child */
  bool has_user;                  /* new or joined user namespace */
  bool new_user;
  unsigned long long own_flags;   /* new, or joined and not the host's */
};

/* Decide the plan; open and check every namespace given by path (errors
 * name the type and path: missing, not a namespace, another type).  On
 * success call mrc_ns_release when done. */
int mrc_ns_prepare (const struct mrc_spec *spec, struct mrc_ns_plan *plan,
                    mrc_error_t *err) MRC_WUR;

/* In the process about to clone the init (never the runtime itself: a
 * joined user namespace cannot be left): join PLAN's namespaces in order,
 * closing their fds, check the mappings of a joined user namespace, and
 * make a new time namespace with linux.timeOffsets. */
int mrc_ns_enter (const struct mrc_spec *spec, struct mrc_ns_plan *plan,
                  mrc_error_t *err) MRC_WUR;

/* Close the plan's fds. */
void mrc_ns_release (struct mrc_ns_plan *plan);

#endif
