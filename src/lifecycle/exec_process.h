#ifndef MRC_LIFECYCLE_EXEC_PROCESS_H
#define MRC_LIFECYCLE_EXEC_PROCESS_H

#include "mrc/container.h"
#include "mrc/spec.h"

/* The process to exec: --process FILE parsed and validated with the strict
 * parser, or the container's config.json process with the command line's
 * args, env, user, groups, cwd, caps, no-new-privs and tty (taken out of
 * SPEC, the container's loaded config). */
int mrc_exec_build_process (const struct mrc_exec_opts *o,
                            struct mrc_spec *spec, struct mrc_process **out,
                            mrc_error_t *err) MRC_WUR;

#endif
