/* Container setup steps run by the child (the future container init), after
 * its namespaces exist and before the user's program is executed.
 * The ordering of these calls lives in src/process/init.c. */
#ifndef MRC_SETUP_H
#define MRC_SETUP_H

#include <stdbool.h>

#include "mrc/error.h"
#include "mrc/spec.h"

struct mrc_setup_ctx
{
  const struct mrc_spec *spec;
  const char *bundle;   /* absolute bundle directory */
  const char *rootfs;   /* absolute host path of the root filesystem */
  bool no_pivot;        /* --no-pivot: MS_MOVE + chroot instead */
  bool new_user_ns;     /* the container has its own (new or joined) userns */
  bool new_pid_ns;
  bool new_net_ns;
  bool new_cgroup_ns;
  bool new_mount_ns;    /* always true for a container with a rootfs */
};

/* Make the mount tree private (or linux.rootfsPropagation), bind the rootfs,
 * perform mounts[] in order (targets resolved inside the rootfs without
 * following symlinks out of it), create /dev's default devices and
 * symlinks, pivot_root into the rootfs (detaching the old root), apply
 * root.readonly.  On return the process's / is the container's root and
 * its cwd is /. */
int mrc_setup_rootfs (const struct mrc_setup_ctx *ctx, mrc_error_t *err) MRC_WUR;

/* hostname and domainname (needs a uts namespace; validated earlier). */
int mrc_setup_hostname (const struct mrc_spec *spec, mrc_error_t *err) MRC_WUR;

#endif
