#ifndef MRC_LIFECYCLE_CREATE_H
#define MRC_LIFECYCLE_CREATE_H

#include <stdbool.h>

#include "mrc/cgroup.h"
#include "mrc/container.h"
#include "mrc/launch.h"
#include "mrc/process.h"
#include "mrc/setup.h"
#include "mrc/spec.h"

/* What create made, for run to go on with or undo. */
struct mrc_created
{
  struct mrc_spec *spec;
  char *config; /* config.json as read */
  size_t config_len;
  char *bundle;
  char *rootfs;
  char *state_dir; /* absolute: <root>/<id> */
  int root_fd;
  int dir_fd; /* locked exclusively */
  int console_fd; /* connected --console-socket, or -1 */
  struct mrc_cgroup cg;
  bool cgroup_made;   /* cg exists: undo removes it */
  struct mrc_cgroup_procs cgroup_procs;
  struct mrc_setup_cgroup_v1 *cgroup_v1; /* for a `cgroup` mount (v1) */
  size_t n_cgroup_v1;
  char *cgroup_dir; /* cgroup2 dir's file system path */
  bool systemd_cgroup;
  struct mrc_launch plan; /* the init's launch plan */
  bool plan_prepared;
  struct mrc_spawned init;
  const char *pid_file;
  bool pid_file_written;
};

int mrc_create_common (const struct mrc_globals *g,
                       const struct mrc_create_opts *o, struct mrc_created *c,
                       mrc_error_t *err) MRC_WUR;
/* Kill the init, remove the pid file and the state dir. */
void mrc_created_undo (const struct mrc_globals *g, const char *id,
                       struct mrc_created *c);
/* Free memory and close fds (the container lives on). */
void mrc_created_release (struct mrc_created *c);

#endif
