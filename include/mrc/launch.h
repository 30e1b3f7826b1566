/* One launch: everything a process of a container (the init of `create`,
 * or a process of `exec`) is started with, in one struct with a mode.
 *
 * The lifecycle fills in the container's facts (the config, its
 * directories, its cgroup, the caller's fds and flags), then
 * mrc_launch_prepare (process.h) resolves the rest (security, namespaces,
 * id-mapped trees, the OCI state object) and runs every check that bad
 * input can fail, before anything exists that would have to be undone.
 * From then on the plan is read-only: the child inherits it in memory at
 * the clone and its steps (src/process/steps.c) read only it.
 *
 * This header only describes the data, so that the setup layer, which the
 * steps call, can read the plan without depending on the process layer. */
#ifndef MRC_LAUNCH_H
#define MRC_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/names.h"
#include "mrc/spec.h"
#include "mrc/state.h"

/* Bits, so that a child step can be marked for both. */
enum mrc_launch_mode
{
  MRC_LAUNCH_CREATE = 1u << 0, /* the container's init */
  MRC_LAUNCH_EXEC = 1u << 1,   /* another process in a running container */
};
#define MRC_LAUNCH_BOTH (MRC_LAUNCH_CREATE | MRC_LAUNCH_EXEC)

/* The command line's options that reach the child.  The CLI fills this
 * struct and it is copied whole into the plan, so an option of this kind
 * touches the CLI, this struct and the one step that reads it. */
struct mrc_launch_flags
{
  bool no_pivot;       /* create --no-pivot: MS_MOVE + chroot */
  bool no_new_keyring; /* create --no-new-keyring; kept for exec in the
                          state (runc keeps it in the container's config) */
  int preserve_fds;    /* --preserve-fds: fds 3..3+N-1 pass into the process */
};

/* Namespaces of a create: which the clone makes, which are joined by path
 * (by a helper process, see src/process/ns.c), which are the container's
 * own.  For exec: which of the init's differ from the runtime's. */
struct mrc_launch_ns
{
  int join[MRC_N_NAMESPACES];         /* fds of namespaces joined by path, in
                                     join order (user last), or -1 */
  unsigned long long clone_flags; /* CLONE_NEW* created by clone3 */
  bool enter;                     /* joins or a new time namespace: a
                                     helper enters them and clones */
  bool new_time;                  /* created by unshare before the clone */
  bool new_cgroup;                /* created by unshare in the child */
  bool has_user;                  /* new or joined user namespace */
  bool new_user;
  unsigned long long own_flags;   /* new, or joined and not the host's */
  /* exec: the init's namespaces that are not ours, joined by the runtime
     itself for its children (pid, time) and by the child (the rest) */
  int exec_parent_flags, exec_child_flags;
};

/* A v1 host's hierarchy as a `cgroup` mount shows it. */
struct mrc_setup_cgroup_v1
{
  const char *name;  /* its controllers, as mount options: "cpu,cpuacct",
                        "name=systemd" */
  const char *dir;   /* its directory under the mount: "cpu,cpuacct" */
  const char *host;  /* the container's group in it, on the host */
};

struct mrc_security;
struct mrc_cgroup_procs;

/* create: the runtime's own work around the init's setup, given by the
 * lifecycle (the cgroup's device program: src/lifecycle/create.c).
 * DURING runs right after the clone, while the init sets up its root (the
 * two overlap); SETTLE once the init's mounts and device nodes are made,
 * before any hook runs and before READY is accepted.  Either may be NULL;
 * a failure of either fails the create. */
struct mrc_launch_around
{
  void *arg;
  int (*during) (void *arg, mrc_error_t *err);
  int (*settle) (void *arg, mrc_error_t *err);
};

struct mrc_launch
{
  enum mrc_launch_mode mode;
  struct mrc_launch_flags flags;

  /* --- the container's facts, set by the lifecycle --- */
  const char *id;
  const struct mrc_spec *spec;       /* the container's config */
  const struct mrc_process *process; /* what runs (create: spec->process) */
  const char *bundle;                /* absolute */
  const char *rootfs;                /* absolute */
  const char *root;                  /* the state root: seccomp cache */
  const char *state_dir;             /* absolute path of <root>/<id> */
  int state_fd;        /* create: the state dir (exec.sock), -1 for exec */
  int lock_fd;         /* create: the state-dir lock, closed by the child */
  int console_fd;      /* connected --console-socket, or -1: the pty master
                          then comes back over the channel (foreground) */
  int inherited_fds;   /* how many of 3.. the caller really gave us */
  int cgroup_fd;       /* the cgroup2 dir (CLONE_INTO_CGROUP), or -1 */
  struct mrc_cgroup_procs *cgroup_procs; /* v1 cgroup.procs files, or NULL */
  const char *cgroup_dir;                /* cgroup2 dir's path, or NULL */
  const struct mrc_setup_cgroup_v1 *cgroup_v1; /* for a `cgroup` mount */
  size_t n_cgroup_v1;
  bool rootless;       /* create: --rootless resolved (mrc/rootless.h): what
                          needs the host's root is refused saying so */
  struct mrc_launch_around around;   /* create */
  const struct mrc_state *container; /* exec: the running container */
  int init_pidfd;                    /* exec: its init */

  /* --- resolved by mrc_launch_prepare --- */
  struct mrc_security *security;
  struct mrc_launch_ns ns;
  int *idmap_trees;   /* create: detached id-mapped trees, or NULL */
  int listen_fds;     /* create: LISTEN_FDS passed on (socket activation) */
  struct mrc_mempolicy mempolicy; /* linux.memoryPolicy, for both modes */
  struct mrc_state state; /* the OCI state object (pid and status are set
                             where it is sent: mrc_launch_state_json) */
};

#endif
