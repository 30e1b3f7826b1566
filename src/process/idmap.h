#ifndef MRC_PROCESS_IDMAP_H
#define MRC_PROCESS_IDMAP_H

#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/spec.h"

/* Write linux.gidMappings then linux.uidMappings for PID's new user
 * namespace.  mini-runc runs privileged here, so setgroups stays allowed
 * (the container may need additionalGids). */
int mrc_idmap_write (pid_t pid, const struct mrc_spec *spec,
                     mrc_error_t *err) MRC_WUR;

#endif
