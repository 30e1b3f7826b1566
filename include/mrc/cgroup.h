/* cgroups: placement, resources, device control, freeze, kill, stats, on
 * every layout runc supports.
 *
 * The layout is read from /proc/self/mountinfo (never assumed from
 * /sys/fs/cgroup), once per process:
 *   unified  only cgroup2 (every controller there): today's v2 back end;
 *   hybrid   controllers in cgroup v1 hierarchies and a cgroup2 mount
 *            beside them (/sys/fs/cgroup/unified): resources, freeze and
 *            stats through v1, the process also placed in cgroup2, as
 *            runc places it (cgroup.kill and the process list use it);
 *   legacy   only v1 hierarchies.
 * A v1 mount hidden by a later mount (a private namespace that mounts
 * cgroup2 over /sys/fs/cgroup) does not count.
 *
 * A container's cgroup is a record (struct mrc_cgroup) saved in its state:
 * the cgroup2 path, and one path per v1 hierarchy.  A "cgroup path" is a
 * path inside a hierarchy, as /proc/PID/cgroup shows it ("/mini-runc/abc"),
 * never a file system path; the module finds the mounts itself and opens
 * everything relative to them.  Messages show full file system paths.
 *
 * Typical use by the lifecycle:
 *
 *   create   mrc_cgroup_prepare (what would be made, recorded first) ->
 *            mrc_cgroup_create (mkdir, controllers, resources, devices) ->
 *            mrc_cgroup_procs_open -> clone (CLONE_INTO_CGROUP with cg.fd;
 *            the child joins the v1 groups with mrc_cgroup_procs_join
 *            before anything else) -> record the cgroup in the state
 *   exec     the same procs_open/procs_join for the new process
 *   pause    mrc_cgroup_freeze (cg, true)        resume: (cg, false)
 *   state    mrc_cgroup_is_frozen -> "paused"
 *   kill -a  mrc_cgroup_kill (cg, sig)
 *   update   mrc_cgroup_update (cg, resources)
 *   events   mrc_cgroup_stats_json, mrc_cgroup_oom_count
 *   delete   mrc_cgroup_destroy (cg)
 */
#ifndef MRC_CGROUP_H
#define MRC_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/spec.h"

/* At most this many v1 hierarchies are joined (Linux has 14 controllers
 * and a few named hierarchies). */
#define MRC_CGROUP_V1_MAX 32

enum mrc_cgroup_layout
{
  MRC_CGROUP_UNIFIED,
  MRC_CGROUP_HYBRID,
  MRC_CGROUP_LEGACY,
};

/* The host's layout, and its name ("unified", "hybrid", "legacy").  Fails
 * with ENOENT when no cgroup file system is mounted at all. */
int mrc_cgroup_layout (enum mrc_cgroup_layout *out, mrc_error_t *err) MRC_WUR;
const char *mrc_cgroup_layout_name (enum mrc_cgroup_layout l);

/* The cgroup2 mount point (e.g. "/sys/fs/cgroup/unified"), found once per
 * process in /proc/self/mountinfo.  *PATH stays owned by the module.
 * Fails with ENOENT when no cgroup2 file system is mounted. */
int mrc_cgroup_root (const char **path, mrc_error_t *err) MRC_WUR;

/* A container's cgroup.  Strings and arrays are owned by whoever filled
 * the record (mrc_cgroup_prepare: free with mrc_cgroup_release; a record
 * borrowed from a state is freed with the state). */
struct mrc_cgroup
{
  char *path;          /* cgroup2 path (unified, hybrid), or NULL */
  int fd;              /* O_DIRECTORY fd of the cgroup2 leaf once created:
                          clone3's CLONE_INTO_CGROUP, or -1 */
  char *created_from;  /* topmost cgroup2 directory create made, NULL if
                          the leaf existed: what destroy may remove */
  struct mrc_kv *v1;   /* hybrid, legacy: hierarchy ("memory",
                          "cpu,cpuacct", "name=systemd") -> cgroup path */
  size_t n_v1;
  struct mrc_kv *v1_created; /* hierarchy -> topmost directory made there
                                (only hierarchies where create made one) */
  size_t n_v1_created;
  bool no_devices;     /* create sets no device rules: rootless, where only
                          the host's root could (and a user namespace cannot
                          make device nodes anyway) */
  int hint_dir;        /* create: where the ids of loaded device programs
                          are kept for the next container to share (the
                          state root, borrowed), or -1 */
  const struct mrc_linux *devices; /* create: the rules of the cgroup2
                                      device program still to attach
                                      (borrowed), or NULL */
  int device_prog;     /* that program once loaded, not yet attached, or -1 */
  uint32_t device_prog_id;
};

#define MRC_CGROUP_INIT                                                       \
  { NULL, -1, NULL, NULL, 0, NULL, 0, false, -1, NULL, -1, 0 }

/* Whether the record names any cgroup. */
bool mrc_cgroup_present (const struct mrc_cgroup *cg);

/* Resolve linux.cgroupsPath CGROUPS_PATH (NULL or "" when absent) of
 * container ID in every hierarchy of the host's layout, and what create
 * would make there (recorded before creating, so a runtime killed in
 * between leaves a record of what to remove).  Nothing is created.
 *   - cgroupfs (SYSTEMD false), as runc: an absolute path is taken inside
 *     each hierarchy's root; a relative one, and the default (the id), go
 *     next to mini-runc's own cgroup in cgroup2 (the parent of the `0::`
 *     entry of /proc/self/cgroup: that cgroup usually holds processes, so
 *     no controller could be enabled below it) and inside mini-runc's own
 *     cgroup of each v1 hierarchy (v1 has no such rule), as runc;
 *   - SYSTEMD true: "slice:prefix:name" maps to the cgroupfs path systemd
 *     would use: the slice nested by its dashes ("a-b.slice" is
 *     /a.slice/a-b.slice, "" means system.slice, "-.slice" the root), then
 *     "prefix-name.scope" (a name ending in .slice is used as is).  Absent
 *     means system.slice:mini-runc:ID.  The same path in every hierarchy.
 * `..` components are refused, `.` and repeated slashes are dropped. */
int mrc_cgroup_prepare (const char *cgroups_path, const char *id, bool systemd,
                        struct mrc_cgroup *out, mrc_error_t *err) MRC_WUR;

/* Create the prepared cgroup CG for the container: mkdir -p in every
 * hierarchy (CG's created_from fields are replaced by what this call
 * really made), controllers enabled on the way down (cgroup2), cpuset
 * initialised from the parent (v1), LINUX_'s resources written and device
 * access restricted to its rules plus runc's defaults and LINUX_->devices
 * (an eBPF program on cgroup2, devices.deny/allow on v1; LINUX_ NULL:
 * neither).  A controller the resources need that the host lacks fails
 * with "cgroup: controller `memory` is not available in `DIR` (needed for
 * linux.resources.memory.limit)" before anything is created.  On failure
 * everything this call created is removed.  An existing cgroup is joined
 * (runc does the same) and destroy will not remove it.  Opens CG->fd.
 * *CHANGED says whether what was made differs from the prediction (another
 * creator raced us for a parent): the record must then be saved again.
 * The cgroup2 device program is left to the two calls below. */
int mrc_cgroup_create (struct mrc_cgroup *cg, const struct mrc_linux *linux_,
                       bool *changed, mrc_error_t *err) MRC_WUR;

/* The cgroup2 device program create left due (CG->devices; nothing when
 * none is: v1 rules are written by create, rootless has none), in two
 * halves so the kernel's verifier runs while the init sets up its root:
 *   _load   builds it and loads it, or takes a live sibling's with exactly
 *           its instructions (devices.c), into CG->device_prog;
 *   _attach loads it if that was not done, attaches it to the leaf
 *           (BPF_F_ALLOW_MULTI, replacing what the leaf held: there is no
 *           moment without a filter) and closes it.
 * As runc sets a cgroup's device rules, create attaches it once the init's
 * device nodes are made and before any hook runs or READY is accepted, so
 * no program of the container's runs without it, and a hook's own program
 * (a GPU hook's) is attached after it and stays. */
int mrc_cgroup_devices_load (struct mrc_cgroup *cg, mrc_error_t *err) MRC_WUR;
int mrc_cgroup_devices_attach (struct mrc_cgroup *cg,
                               mrc_error_t *err) MRC_WUR;

/* What already exists of the prepared cgroup CG (runc joins an existing
 * cgroup): fails (EBUSY) when it is frozen, since the init would freeze in
 * it before it could report anything; *PROCS gets how many processes it
 * already holds (the caller warns, as runc does).  A cgroup that does not
 * exist yet is neither. */
int mrc_cgroup_existing (const struct mrc_cgroup *cg, size_t *procs,
                         mrc_error_t *err) MRC_WUR;

/* Open CG->fd, the cgroup2 leaf (for exec's CLONE_INTO_CGROUP); -1 when
 * CG has no cgroup2 path.  The caller closes it. */
int mrc_cgroup_open_fd (struct mrc_cgroup *cg, mrc_error_t *err) MRC_WUR;

/* exec --cgroup ARGS (NULL-terminated; runc's [CONTROLLER[,...]:]PATH,
 * repeatable): *OUT is CG's record with its paths moved into those
 * sub-cgroups of the container's cgroup, as runc 1.1.5 moves them:
 *   PATH (or ":PATH")  every hierarchy, cgroup2 included; then it must be
 *                      the only one given;
 *   CTRL,...:PATH      only the v1 hierarchies holding those controllers
 *                      ("cpu" names "cpu,cpuacct"); refused on cgroup v2
 *                      and for a controller the container has no group of.
 * PATH is relative to the container's cgroup (a leading "/" too); "." and
 * ".." are cleaned, climbing out of the container's cgroup is refused, as
 * are two different paths for one hierarchy.  Pure: nothing is opened or
 * checked for existence.  Free *OUT with mrc_cgroup_release. */
int mrc_cgroup_sub (const struct mrc_cgroup *cg, char *const *args,
                    struct mrc_cgroup *out, mrc_error_t *err) MRC_WUR;

/* The first linux.resources field of R that asks for a limit (a write to
 * a controller's file: "linux.resources.memory.limit"), or NULL when R asks
 * none (absent, empty, or only device rules).  Rootless create skips a
 * cgroup it may not make only when this is NULL.  Returns 1 with *WHAT
 * malloc'd, 0 with *WHAT NULL, -1 on a value create would refuse. */
int mrc_cgroup_limit_asked (const struct mrc_resources *r, char **what,
                            mrc_error_t *err) MRC_WUR;

/* This process's own cgroups (the `0::` entry, and each v1 hierarchy's),
 * as a record that names them: what a rootless container without a cgroup
 * of its own lives in, for its `cgroup` mount.  Never to be created,
 * destroyed or killed: it is the caller's. */
int mrc_cgroup_own (struct mrc_cgroup *out, mrc_error_t *err) MRC_WUR;

/* Forget CG's v1 hierarchies (rootless on a hybrid host: the cgroup2 part
 * alone, when the v1 groups may not be made). */
void mrc_cgroup_drop_v1 (struct mrc_cgroup *cg);

/* Free what mrc_cgroup_prepare allocated and close the fd (the cgroup
 * itself stays). */
void mrc_cgroup_release (struct mrc_cgroup *cg);
#define cleanup_cgroup __attribute__ ((cleanup (mrc_cgroup_release)))

/* The mount point of the v1 hierarchy NAME ("cpu,cpuacct"), or NULL. */
const char *mrc_cgroup_v1_mountpoint (const char *name);

/* "DIR" as a user sees it: the cgroup2 mount point joined with PATH.
 * Never fails (falls back to PATH). */
char *mrc_cgroup_fs_path (const char *path);

/* The container's `cgroup.procs` files of every v1 hierarchy of CG, opened
 * for writing by the runtime before the clone: the child writes itself
 * into them (mrc_cgroup_procs_join) before it runs anything else, still
 * with the runtime's credentials, so no process of the container ever runs
 * outside them.  cgroup2 needs none (CLONE_INTO_CGROUP). */
struct mrc_cgroup_procs
{
  int fd[MRC_CGROUP_V1_MAX];
  const char *what[MRC_CGROUP_V1_MAX]; /* its cgroup path, for errors */
  size_t n;
};

#define MRC_CGROUP_PROCS_INIT { { -1 }, { NULL }, 0 }

int mrc_cgroup_procs_open (const struct mrc_cgroup *cg,
                           struct mrc_cgroup_procs *out,
                           mrc_error_t *err) MRC_WUR;
/* In the child: write "0" (this process) to each and close them. */
int mrc_cgroup_procs_join (struct mrc_cgroup_procs *p, mrc_error_t *err) MRC_WUR;
void mrc_cgroup_procs_close (struct mrc_cgroup_procs *p);
#define cleanup_cgroup_procs __attribute__ ((cleanup (mrc_cgroup_procs_close)))

/* On a host with v1 hierarchies: fork a process that moves itself into
 * its own v1 group, so the RCU grace period the first move of a container
 * process waits for (about 8 ms) starts now and passes while the caller
 * goes on (see src/cgroup/warm.c).  Returns its pid, 0 when there was
 * nothing to do; best effort.  mrc_cgroup_warm_end reaps it. */
pid_t mrc_cgroup_warm_start (void);
void mrc_cgroup_warm_end (pid_t pid);

/* `update`: apply R to the existing cgroup CG, all or nothing.  On
 * cgroup2 the controllers R needs are enabled on the way down; a missing
 * controller is an error naming it and the field. */
int mrc_cgroup_update (const struct mrc_cgroup *cg,
                       const struct mrc_resources *r,
                       mrc_error_t *err) MRC_WUR;

/* Freeze or thaw every process of CG and wait (at most 10 s) until the
 * kernel reports it done: cgroup.freeze and cgroup.events on cgroup2,
 * freezer.state (FROZEN) on v1.  A freeze that times out is undone. */
int mrc_cgroup_freeze (const struct mrc_cgroup *cg, bool freeze,
                       mrc_error_t *err) MRC_WUR;

/* Whether CG is frozen (a freeze was asked on cgroup2; FROZEN on v1). */
int mrc_cgroup_is_frozen (const struct mrc_cgroup *cg, bool *frozen,
                          mrc_error_t *err) MRC_WUR;

/* Send SIG to every process of CG and its descendants.  SIGKILL goes
 * through cgroup.kill when the kernel has it (5.14, cgroup2: hybrid too);
 * otherwise every pid in cgroup.procs is signalled until none is left
 * (bounded), the v1 freezer holding them still meanwhile where there is
 * one, so nothing forks its way out. */
int mrc_cgroup_kill (const struct mrc_cgroup *cg, int sig,
                     mrc_error_t *err) MRC_WUR;

/* The pids of CG and of its descendants (recursive cgroup.procs),
 * malloc'd into *PIDS (NULL when *N is 0). */
int mrc_cgroup_pids (const struct mrc_cgroup *cg, pid_t **pids, size_t *n,
                     mrc_error_t *err) MRC_WUR;

/* Whether TEXT, a /proc/PID/cgroup, puts the process in CG (or below it)
 * in at least one hierarchy CG records.  Pure. */
bool mrc_cgroup_member_of (const struct mrc_cgroup *cg, const char *text);

/* The same for process PID, read from /proc (errnum ENOENT or ESRCH when
 * it is gone). */
int mrc_cgroup_holds (const struct mrc_cgroup *cg, pid_t pid, bool *member,
                      mrc_error_t *err) MRC_WUR;

/* Remove what mrc_cgroup_create made, in every hierarchy: where nothing
 * was made the cgroup was joined, not created, and stays.  Otherwise kill
 * what is left, wait until it is empty, remove its sub-cgroups and it,
 * then each parent up to and including the recorded topmost directory
 * (EBUSY retried for up to 2 s).  A cgroup that no longer exists is not an
 * error. */
int mrc_cgroup_destroy (const struct mrc_cgroup *cg, mrc_error_t *err) MRC_WUR;

/* `events --stats` in runc's shape:
 *   {"type":"stats","id":ID,"data":{"cpu":{...},"cpuset":{...},
 *    "memory":{...},"pids":{...},"blkio":{...},"hugetlb":{...},
 *    "intel_rdt":{},"network_interfaces":null}}
 * from the cgroup2 files, or the v1 ones; files of a controller that is
 * not there are skipped.  Compact, no newline. */
int mrc_cgroup_stats_json (const struct mrc_cgroup *cg, const char *id,
                           char **json, size_t *len, mrc_error_t *err) MRC_WUR;

/* OOM kills so far: memory.events oom_kill (cgroup2), memory.oom_control
 * oom_kill (v1); 0 without a memory controller.  `events` reports
 * {"type":"oom","id":ID} when it grows. */
int mrc_cgroup_oom_count (const struct mrc_cgroup *cg, uint64_t *n,
                          mrc_error_t *err) MRC_WUR;

#endif
