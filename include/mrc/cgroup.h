/* cgroup v2: placement, resources, device eBPF, freeze, kill, stats.
 *
 * A "cgroup path" here is always a path inside the cgroup2 hierarchy, as
 * /proc/PID/cgroup shows it after "0::" ("/mini-runc/abc"), never a
 * filesystem path: the module finds the cgroup2 mount itself (the first
 * cgroup2 entry of /proc/self/mountinfo, /sys/fs/cgroup/unified on hybrid
 * hosts) and opens everything relative to it with *at() calls.  Error
 * messages show the full filesystem path so a user can look at it.
 *
 * Typical use by the lifecycle:
 *
 *   create   mrc_cgroup_resolve -> mrc_cgroup_create (mkdir, controllers,
 *            resources, device program) -> clone3 CLONE_INTO_CGROUP with
 *            cg.fd -> record cg.path and cg.created_from in the state
 *   pause    mrc_cgroup_freeze (path, true)      resume: (path, false)
 *   state    mrc_cgroup_is_frozen -> "paused"
 *   kill -a  mrc_cgroup_kill (path, sig)
 *   update   open the cgroup (mrc_cgroup_open) -> mrc_cgroup_apply
 *   events   mrc_cgroup_stats_json, mrc_cgroup_oom_count
 *   delete   mrc_cgroup_destroy (path, created_from)
 */
#ifndef MRC_CGROUP_H
#define MRC_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/spec.h"

/* The cgroup2 mount point (e.g. "/sys/fs/cgroup/unified"), found once per
 * process in /proc/self/mountinfo.  *PATH stays owned by the module.
 * Fails with ENOENT when no cgroup2 file system is mounted. */
int mrc_cgroup_root (const char **path, mrc_error_t *err) MRC_WUR;

/* The cgroup path for linux.cgroupsPath CGROUPS_PATH (NULL or "" when
 * absent) of container ID, malloc'd into *OUT:
 *   - cgroupfs (SYSTEMD false), as runc: an absolute path is taken inside
 *     the cgroup2 root; a relative one, and the default (the id), go next
 *     to mini-runc's own cgroup, i.e. under the parent of the `0::` entry
 *     of /proc/self/cgroup (that cgroup usually holds processes, so no
 *     controller could be enabled below it);
 *   - SYSTEMD true: "slice:prefix:name" maps to the cgroupfs path systemd
 *     would use: the slice nested by its dashes ("a-b.slice" is
 *     /a.slice/a-b.slice, "" means system.slice, "-.slice" the root), then
 *     "prefix-name.scope" (a name ending in .slice is used as is).  Absent
 *     means system.slice:mini-runc:ID.
 * `..` components are refused, `.` and repeated slashes are dropped. */
int mrc_cgroup_resolve (const char *cgroups_path, const char *id,
                        bool systemd, char **out, mrc_error_t *err) MRC_WUR;

struct mrc_cgroup
{
  char *path;          /* cgroup path of the leaf */
  int fd;              /* O_DIRECTORY fd of the leaf: clone3's cgroup */
  char *created_from;  /* topmost directory this create made, NULL if the
                          leaf existed: what destroy may remove */
};

#define MRC_CGROUP_INIT { NULL, -1, NULL }

/* Create cgroup PATH for the container: mkdir -p (remembering the topmost
 * directory it made), enable in each ancestor's cgroup.subtree_control the
 * controllers R needs (only those), write R's resources and attach the
 * device program built from R->devices plus runc's default device rules
 * and LINUX_->devices (LINUX_ may be NULL: then no device program is
 * attached).  A controller missing from an ancestor's cgroup.controllers
 * fails with "cgroup: controller `memory` is not available in `DIR`
 * (needed for linux.resources.memory.limit)" before anything is created.
 * On failure everything this call created is removed.  An existing cgroup
 * is joined (runc does the same) and destroy will not remove it. */
int mrc_cgroup_create (const char *path, const struct mrc_linux *linux_,
                       struct mrc_cgroup *out, mrc_error_t *err) MRC_WUR;

/* Close the fd and free the strings (the cgroup itself stays). */
void mrc_cgroup_release (struct mrc_cgroup *cg);

/* "DIR" as a user sees it: the mount point joined with PATH.  Never fails
 * (falls back to PATH). */
char *mrc_cgroup_fs_path (const char *path);

/* What mrc_cgroup_create (PATH) would create: the topmost missing
 * directory, NULL when PATH exists.  Recorded before creating, so a
 * runtime killed in between leaves a record of what to remove. */
int mrc_cgroup_would_create (const char *path, char **created_from,
                             mrc_error_t *err) MRC_WUR;

/* `update`: enable what R needs on the way down to the existing cgroup
 * PATH (a missing controller is an error naming it) and apply R there, all
 * or nothing. */
int mrc_cgroup_update (const char *path, const struct mrc_resources *r,
                       mrc_error_t *err) MRC_WUR;

/* An O_DIRECTORY fd of cgroup PATH, e.g. for mrc_cgroup_apply in `update`.
 * ENOENT when it does not exist. */
int mrc_cgroup_open (const char *path, mrc_error_t *err) MRC_WUR;

/* Write R's resources into the cgroup DIRFD (conversions as runc and crun:
 * see mrc_cgroup_plan_build in src/cgroup/cgroup-internal.h and the man
 * page).  memory.checkBeforeUpdate refuses a limit at or below the current
 * usage.  Used by create and by `update`. */
int mrc_cgroup_apply (int dirfd, const struct mrc_resources *r,
                      mrc_error_t *err) MRC_WUR;

/* Build the BPF_PROG_TYPE_CGROUP_DEVICE program for R->devices (R may be
 * NULL) with runc's default rules and an allow rule for each of
 * LINUX_->devices, load it with bpf(2) and attach it to DIRFD with
 * BPF_F_ALLOW_MULTI, replacing the programs a previous call attached.
 * RLIMIT_MEMLOCK is never touched (BPF memory is charged to the memory
 * cgroup since Linux 5.11). */
int mrc_cgroup_devices (int dirfd, const struct mrc_linux *linux_,
                        mrc_error_t *err) MRC_WUR;

/* Write cgroup.freeze and wait (at most 10 s, on cgroup.events) until the
 * kernel reports `frozen 1` (or 0).  A freeze that times out is undone. */
int mrc_cgroup_freeze (const char *path, bool freeze,
                       mrc_error_t *err) MRC_WUR;

/* Whether a freeze was asked for PATH (cgroup.freeze is 1). */
int mrc_cgroup_is_frozen (const char *path, bool *frozen,
                          mrc_error_t *err) MRC_WUR;

/* Send SIG to every process of PATH and its descendants.  SIGKILL goes
 * through cgroup.kill when the kernel has it (5.14), else every pid in
 * cgroup.procs is signalled until none is left (bounded). */
int mrc_cgroup_kill (const char *path, int sig, mrc_error_t *err) MRC_WUR;

/* The pids of PATH and of its descendants (recursive cgroup.procs),
 * malloc'd into *PIDS (NULL when *N is 0). */
int mrc_cgroup_pids (const char *path, pid_t **pids, size_t *n,
                     mrc_error_t *err) MRC_WUR;

/* Remove what mrc_cgroup_create made: when CREATED_FROM is NULL the cgroup
 * was joined, not created, and nothing is done.  Otherwise kill what is
 * left in PATH, wait until it is empty, remove PATH's sub-cgroups and PATH,
 * then each parent up to and including CREATED_FROM (EBUSY retried for up
 * to 2 s).  A PATH that no longer exists is not an error. */
int mrc_cgroup_destroy (const char *path, const char *created_from,
                        mrc_error_t *err) MRC_WUR;

/* `events --stats` in runc's shape:
 *   {"type":"stats","id":ID,"data":{"cpu":{...},"cpuset":{...},
 *    "memory":{...},"pids":{...},"blkio":{...},"hugetlb":{...},
 *    "intel_rdt":{},"network_interfaces":null}}
 * from cpu.stat, memory.*, pids.*, io.stat and hugetlb.*; files of a
 * controller that is not enabled are skipped.  Compact, no newline. */
int mrc_cgroup_stats_json (const char *path, const char *id, char **json,
                           size_t *len, mrc_error_t *err) MRC_WUR;

/* The oom_kill count of memory.events (0 when the memory controller is not
 * enabled).  `events` reports {"type":"oom","id":ID} when it grows. */
int mrc_cgroup_oom_count (const char *path, uint64_t *n,
                          mrc_error_t *err) MRC_WUR;

#endif
