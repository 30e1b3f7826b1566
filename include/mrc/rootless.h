/* Rootless: mini-runc run without the host's root, as runc decides it.
 *
 * `--rootless auto` (the default) means rootless when the effective uid
 * is not 0, or when mini-runc runs inside a user namespace that does not
 * map the host's whole id range (euid 0 there is not the host's root:
 * rootless podman and rootless Docker call the runtime so).  What changes
 * when rootless: the default state root is $XDG_RUNTIME_DIR/mini-runc; a
 * cgroup that cannot be made is skipped when no limit is asked; errors of
 * what needs the host's root say so.  Id maps do not depend on it: they
 * follow the caller's real privileges (src/setup/idmap.c). */
#ifndef MRC_ROOTLESS_H
#define MRC_ROOTLESS_H

#include <stdbool.h>

#include "mrc/error.h"

/* Whether this process runs in a user namespace other than the initial
 * one (its uid_map is not the identity of all 2^32-1 ids). */
bool mrc_in_user_namespace (void);

/* Effective uid 0 in the initial user namespace: the host's root. */
bool mrc_host_root (void);

/* ARG ("true", "false", "auto") of --rootless, resolved. */
int mrc_rootless_resolve (const char *arg, bool *rootless,
                          mrc_error_t *err) MRC_WUR;

/* The state root to use when no --root is given: $XDG_RUNTIME_DIR/mini-runc
 * when runc would honour XDG_RUNTIME_DIR (an effective uid other than 0, or
 * uid 0 inside a user namespace with $USER not "root"), else NULL (the
 * built-in /run/mini-runc).  Malloc'd. */
char *mrc_rootless_xdg_root (void);

#endif
