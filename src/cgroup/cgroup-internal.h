/* Shared between the files of src/cgroup and its unit tests only; callers
 * use mrc/cgroup.h.  Everything here is pure (no file system access) unless
 * it says otherwise, so it is tested without root. */
#ifndef MRC_CGROUP_INTERNAL_H
#define MRC_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>
#include <yajl/yajl_gen.h>

#include "mrc/cgroup.h"

/* ------------------------------------------------------------- paths -- */

/* The cgroup2 path for linux.cgroupsPath (see mrc_cgroup_prepare). */
int mrc_cgroup_resolve (const char *cgroups_path, const char *id,
                        bool systemd, char **out, mrc_error_t *err) MRC_WUR;

/* Append IN's components to BUF (see path.c): ".." refused, or with CLIMB
 * allowed as long as it stays below what BUF held.  WHAT names IN in
 * errors. */
int mrc_cgroup_path_append (char **buf, const char *in, const char *what,
                            bool climb, mrc_error_t *err) MRC_WUR;

/* What creating cgroup2 PATH would make: the topmost missing directory,
 * NULL when PATH exists. */
int mrc_cgroup_would_create (const char *path, char **created_from,
                             mrc_error_t *err) MRC_WUR;

/* An O_DIRECTORY fd of cgroup2 path PATH; ENOENT when it does not exist. */
int mrc_cgroup_open (const char *path, mrc_error_t *err) MRC_WUR;

/* Write R's resources into the cgroup2 directory DIRFD (conversions as
 * runc and crun: mrc_cgroup_plan_build).  memory.checkBeforeUpdate refuses
 * a limit at or below the current usage. */
int mrc_cgroup_apply (int dirfd, const struct mrc_resources *r,
                      mrc_error_t *err) MRC_WUR;

/* mrc_cgroup_resolve with mini-runc's own cgroup given (the text after
 * "0::" in /proc/self/cgroup). */
int mrc_cgroup_resolve_in (const char *cgroups_path, const char *id,
                           bool systemd, const char *own, char **out,
                           mrc_error_t *err) MRC_WUR;

/* The same for a v1 hierarchy whose own cgroup is OWN (NULL: "/"): a
 * relative path goes inside OWN, as runc's v1 driver puts it. */
int mrc_cgroup_resolve_v1_in (const char *cgroups_path, const char *id,
                              bool systemd, const char *own, char **out,
                              mrc_error_t *err) MRC_WUR;

/* /proc/self/cgroup, malloc'd. */
int mrc_cgroup_read_own (char **text, mrc_error_t *err) MRC_WUR;

/* "a-b.slice" -> "/a.slice/a-b.slice"; "-.slice" and "" -> "". */
int mrc_cgroup_expand_slice (const char *slice, char **out,
                             mrc_error_t *err) MRC_WUR;

/* The cgroup2 mount point in a mountinfo text; NULL when there is none.
 * Octal escapes (\040) are decoded. */
char *mrc_cgroup_mountinfo_find (const char *mountinfo,
                                 bool (*usable) (const char *mnt));

/* The "0::" path of a /proc/PID/cgroup text, malloc'd; NULL if absent. */
char *mrc_cgroup_own_from (const char *proc_cgroup);

/* ---------------------------------------------------- resource plans -- */

enum
{
  /* ENOENT on FILE is not an error (e.g. hugetlb.*.rsvd.max). */
  MRC_CGW_OPTIONAL = 1 << 0,
  /* On EINVAL write it again after every other file (cpu.max.burst must
     not exceed the quota, which the same plan may raise). */
  MRC_CGW_RETRY_LAST = 1 << 1,
};

/* One file write.  When FILE does not exist and ALT_FILE is set, ALT_VALUE
 * goes to ALT_FILE instead (io.bfq.weight falls back to io.weight). */
struct mrc_cgroup_write
{
  const char *controller;  /* "memory" ..., NULL for cgroup.* files */
  char *what;              /* the config field, for errors */
  char *file;
  char *value;
  char *alt_file;
  char *alt_value;
  unsigned flags;
};

struct mrc_cgroup_plan
{
  struct mrc_cgroup_write *w;
  size_t n;
  /* memory.checkBeforeUpdate with a positive limit: refuse the limit if
     the usage (USAGE_FILE of the memory controller: memory.current on
     cgroup2, memory.usage_in_bytes on v1) is at or above it. */
  int64_t check_limit;
  const char *usage_file;
};

/* The writes for R, in the order they must happen.  Fails (nothing
 * allocated) on values runc refuses: realtime cpu fields, a swap limit
 * without or below the memory limit, unified keys that are not one plain
 * file name, hugepage sizes with a '/'. */
int mrc_cgroup_plan_build (const struct mrc_resources *r,
                           struct mrc_cgroup_plan *out,
                           mrc_error_t *err) MRC_WUR;
void mrc_cgroup_plan_free (struct mrc_cgroup_plan *p);

/* Append a write (VALUE printf-formatted) to P; -1 when memory ran out. */
int mrc_cgroup_plan_add (struct mrc_cgroup_plan *p, const char *ctrl,
                         const char *what, const char *file, unsigned flags,
                         const char *fmt, ...)
    __attribute__ ((format (printf, 6, 7)));

/* A name that becomes part of a file name, or a word of a line. */
bool mrc_cgroup_plain_name (const char *s);

/* hugetlb.SIZE.SUFFIX (and .rsvd.SUFFIX where the kernel has it) for
 * R->hugepageLimits: SUFFIX "max" on cgroup2, "limit_in_bytes" on v1; -2
 * when memory ran out. */
int mrc_cgroup_plan_hugetlb (const struct mrc_resources *r, const char *suffix,
                             struct mrc_cgroup_plan *p, mrc_error_t *err);

/* cpuset.cpus and cpuset.mems for C (the same files on v1 and cgroup2);
 * -2 when memory ran out. */
int mrc_cgroup_plan_cpuset (const struct mrc_cpu *c, struct mrc_cgroup_plan *p);

/* Send SIG to each of PIDS (one that exited meanwhile is no error); 1 when
 * there was none. */
int mrc_cgroup_signal_pids (const pid_t *pids, size_t n, int sig,
                            mrc_error_t *err) MRC_WUR;

/* rdma.max lines for R->rdma (the same file on v1 and cgroup2); -2 when
 * memory ran out. */
int mrc_cgroup_plan_rdma (const struct mrc_resources *r,
                          struct mrc_cgroup_plan *p, mrc_error_t *err);

/* The v2 controller a cgroup file belongs to ("memory.high" -> "memory",
 * "cgroup.type" -> NULL); NULL for unknown prefixes too. */
const char *mrc_cgroup_file_controller (const char *file);

/* runc's conversions. */
uint64_t mrc_cgroup_shares_to_weight (uint64_t shares);
uint64_t mrc_cgroup_blkio_to_io_weight (uint64_t weight);
/* linux.resources.memory.swap (memory + swap) -> memory.swap.max; -1 is
 * "max", 0 "leave alone" (*SET false). */
int mrc_cgroup_swap_value (int64_t swap, int64_t limit, int64_t *out,
                           bool *set, mrc_error_t *err) MRC_WUR;

/* -------------------------------------------------------- device bpf -- */

/* One normalised rule: TYPE 'a', 'c' or 'b'; MAJOR/MINOR -1 = any; ACCESS
 * a mask of BPF_DEVCG_ACC_*. */
struct mrc_cgroup_dev_rule
{
  char type;
  int64_t major;
  int64_t minor;
  unsigned access;
  bool allow;
};

/* The rules of the program: R's devices (R may be NULL), then runc's
 * default allow list, then an rwm allow rule per DEVS entry (linux.devices,
 * so configured nodes stay usable).  Later rules win. */
int mrc_cgroup_dev_rules (const struct mrc_resources *r,
                          const struct mrc_device *devs, size_t n_devs,
                          struct mrc_cgroup_dev_rule **out, size_t *n,
                          mrc_error_t *err) MRC_WUR;

/* The BPF_PROG_TYPE_CGROUP_DEVICE program: the last rule that matches a
 * request decides; no match denies.  An allow rule matches when it grants
 * every requested access, a deny rule when it covers any of them. */
int mrc_cgroup_dev_program (const struct mrc_cgroup_dev_rule *rules,
                            size_t n, struct bpf_insn **insns,
                            size_t *n_insns, mrc_error_t *err) MRC_WUR;

/* ---------------------------------------------- v1 resource plans -- */

/* The cgroup v1 writes for R, as runc's fs driver makes them, in the order
 * they must happen; each write's controller is the v1 controller whose
 * hierarchy holds the file ("memory", "cpu", "cpuset", "pids", "blkio",
 * "hugetlb", "net_cls", "net_prio", "rdma", "devices").  With LINUX_ (at
 * create; NULL for `update`) the device rules of mrc_cgroup_dev_rules
 * follow as devices.deny / devices.allow lines.  Fails (nothing allocated)
 * on values runc refuses and on any linux.resources.unified key (cgroup v2
 * only), naming the field. */
int mrc_cgroup_plan_build_v1 (const struct mrc_resources *r,
                              const struct mrc_linux *linux_,
                              struct mrc_cgroup_plan *out,
                              mrc_error_t *err) MRC_WUR;

/* ----------------------------------------- a container's directories -- */

/* The container's open cgroup directories by controller: on cgroup2 one
 * for every controller (ALL), on v1 one per hierarchy. */
struct mrc_cgroup_dirs
{
  int all;  /* cgroup2 leaf, or -1 */
  size_t n;
  struct
  {
    const char *hierarchy; /* "cpu,cpuacct", "name=systemd" (borrowed) */
    int fd;
  } v1[MRC_CGROUP_V1_MAX];
};

#define MRC_CGROUP_DIRS_INIT { -1, 0, { { NULL, -1 } } }

/* Whether the comma-separated HIERARCHY has CONTROLLER ("cpu" is in
 * "cpu,cpuacct"; "name=systemd" is its own). */
bool mrc_cgroup_hier_has (const char *hierarchy, const char *controller);

/* The directory fd holding CONTROLLER's files; -1 when none does.
 * CONTROLLER NULL (cgroup.* files): ALL, or the first v1 directory. */
int mrc_cgroup_dirs_fd (const struct mrc_cgroup_dirs *d,
                        const char *controller);

/* Open CG's directories: the cgroup2 leaf when CG has a cgroup2 path and
 * V2 is true, every v1 hierarchy's.  A directory that does not exist is
 * an error (ENOENT). */
int mrc_cgroup_dirs_open (const struct mrc_cgroup *cg, bool v2,
                          struct mrc_cgroup_dirs *d, mrc_error_t *err) MRC_WUR;
void mrc_cgroup_dirs_close (struct mrc_cgroup_dirs *d);

/* Write PLAN, each write into the directory of its controller (a write
 * whose controller no directory has fails naming the field: "controller
 * `pids` is not available (needed for linux.resources.pids.limit)"), all
 * or nothing: a failure puts back what the earlier writes replaced. */
int mrc_cgroup_plan_apply (const struct mrc_cgroup_plan *plan,
                           const struct mrc_cgroup_dirs *d,
                           mrc_error_t *err) MRC_WUR;

/* --------------------------------------------------------- v1 stats -- */

/* mrc_cgroup_stats_json's document from v1 files: memory.stat,
 * memory.{usage,max_usage,limit}_in_bytes and failcnt (memsw, kmem,
 * kmem.tcp alike), cpuacct.usage, cpuacct.usage_percpu, cpuacct.stat,
 * cpu.stat, pids.current/max, blkio.throttle.io_service*_recursive (or
 * blkio.io_service*_recursive), hugetlb.<size>.usage_in_bytes/failcnt. */
int mrc_cgroup_v1_stats_json (const struct mrc_cgroup_dirs *d, const char *id,
                              char **json, size_t *len,
                              mrc_error_t *err) MRC_WUR;

/* The oom_kill count in FILE of DIRFD (memory.events on cgroup2,
 * memory.oom_control on v1); 0 when the file or the line is absent. */
int mrc_cgroup_oom_kill_in (int dirfd, const char *file, uint64_t *n,
                            mrc_error_t *err) MRC_WUR;

/* oom_kill of memory.oom_control; 0 without a memory hierarchy. */
int mrc_cgroup_v1_oom_count (const struct mrc_cgroup_dirs *d, uint64_t *n,
                             mrc_error_t *err) MRC_WUR;

/* The same document and count from the open cgroup2 directory DIRFD
 * (cpu.stat, memory.*, pids.*, io.stat, hugetlb.*; memory.events
 * oom_kill, 0 without it). */
int mrc_cgroup_v2_stats_json (int dirfd, const char *id, char **json,
                              size_t *len, mrc_error_t *err) MRC_WUR;
int mrc_cgroup_v2_oom_count (int dirfd, uint64_t *n,
                             mrc_error_t *err) MRC_WUR;

/* ------------------------------------------------------ v1 hierarchies -- */

struct mrc_cgroup_hier
{
  char *name;  /* the controllers as mounted: "cpu,cpuacct", "name=systemd" */
  char *mnt;   /* its mount point */
  char *root;  /* the mount's root inside the hierarchy (field 4) */
};

/* The v1 hierarchies in a mountinfo text, one per hierarchy (a later
 * mount of the same one wins), skipping those USABLE refuses (hidden by a
 * later mount).  Mount options that are not controllers (rw, xattr,
 * release_agent=...) are dropped from the name.  Malloc'd; free with
 * mrc_cgroup_hiers_free. */
int mrc_cgroup_hiers_parse (const char *mountinfo,
                            bool (*usable) (const char *mnt),
                            struct mrc_cgroup_hier **out, size_t *n,
                            mrc_error_t *err) MRC_WUR;
void mrc_cgroup_hiers_free (struct mrc_cgroup_hier *h, size_t n);

/* /proc/self/mountinfo, read once per process (owned by the module). */
const char *mrc_cgroup_mountinfo (mrc_error_t *err);

/* This process's v1 hierarchies (cached; owned by the module). */
int mrc_cgroup_hiers (const struct mrc_cgroup_hier **out, size_t *n,
                      mrc_error_t *err) MRC_WUR;
const struct mrc_cgroup_hier *mrc_cgroup_hier_find (const char *name);

/* The O_DIRECTORY fd of cgroup PATH in the v1 hierarchy NAME. */
int mrc_cgroup_v1_open (const char *name, const char *path,
                        mrc_error_t *err) MRC_WUR;

/* The layout of a host with N_V1 v1 hierarchies (only those with a real
 * controller count: a lone name=systemd does not) and HAS_V2. */
int mrc_cgroup_layout_of (const struct mrc_cgroup_hier *h, size_t n_v1,
                          bool has_v2, enum mrc_cgroup_layout *out,
                          mrc_error_t *err) MRC_WUR;

/* The path after "N:HIERARCHY:" in a /proc/PID/cgroup text, for the
 * hierarchy NAME (controllers compared as sets), malloc'd; NULL if absent. */
char *mrc_cgroup_own_v1_from (const char *proc_cgroup, const char *name);

/* ------------------------------------------------- walking a hierarchy -- */

/* mkdir -p cgroup path COMP[0..N-1] below ROOTFD (mount point MNT, for
 * messages), calling AT_LEVEL (may be NULL) on each existing or new level
 * before descending into it (cgroup2 enables controllers there) and
 * AFTER_OPEN on each level below the root once it is open, made or found
 * (v1 cpuset fills an empty one from its parent).  *CREATED gets the first
 * level made (N when none).  Returns the leaf's O_DIRECTORY fd. */
struct mrc_cgroup_walk
{
  int (*at_level) (void *ctx, int dirfd, const char *cgpath,
                   mrc_error_t *err);
  int (*after_open) (void *ctx, int parentfd, int dirfd, const char *cgpath,
                     mrc_error_t *err);
  void *ctx;
};

int mrc_cgroup_walk_create (int rootfd, const char *mnt, char **comp,
                            size_t n, const struct mrc_cgroup_walk *w,
                            size_t *created, mrc_error_t *err) MRC_WUR;

/* rmdir COMP[0..FROM] ... COMP[0..N-1] below ROOTFD, deepest first; EBUSY
 * on the leaf is retried, a busy ancestor stays (someone else's). */
int mrc_cgroup_remove_chain (int rootfd, const char *mnt, char **comp,
                             size_t from, size_t n, mrc_error_t *err) MRC_WUR;

/* Kill what is left in DIRFD, wait until cgroup.procs is empty (at most
 * 2 s), remove its sub-cgroups. */
void mrc_cgroup_empty_out (int dirfd);
/* cgroup2: wait until cgroup.events says `populated 0` (at most 2 s);
 * remove DIRFD's sub-cgroups. */
void mrc_cgroup_wait_unpopulated (int dirfd);
void mrc_cgroup_remove_below (int dirfd);

/* PATH's components ("/a/b" -> "a", "b") in place; -1 on "..", "." or more
 * than MAX. */
int mrc_cgroup_split (char *path, char **comp, size_t max, size_t *n);
/* "/" + COMP[0..N-1], malloc'd. */
char *mrc_cgroup_join (char **comp, size_t n);

/* The pids listed in cgroup.procs of DIRFD and its descendants. */
int mrc_cgroup_collect_pids (int dirfd, pid_t **pids, size_t *n,
                             mrc_error_t *err) MRC_WUR;

/* ------------------------------------------- cgroup2 by path (control.c) -- */

int mrc_cgroup_v2_freeze (const char *path, bool freeze,
                          mrc_error_t *err) MRC_WUR;
int mrc_cgroup_v2_is_frozen (const char *path, bool *frozen,
                             mrc_error_t *err) MRC_WUR;
int mrc_cgroup_v2_kill (const char *path, int sig, mrc_error_t *err) MRC_WUR;
int mrc_cgroup_v2_pids (const char *path, pid_t **pids, size_t *n,
                        mrc_error_t *err) MRC_WUR;
/* Make CG's cgroup2 path (enabling PLAN's controllers on the way down)
 * and write PLAN there; sets CG->fd, CG->created_from, and CG->devices to
 * DEVICES (NULL: none), the rules of the device program the caller
 * attaches later (mrc_cgroup_devices_attach).  On failure nothing is left. */
int mrc_cgroup_v2_make (struct mrc_cgroup *cg,
                        const struct mrc_cgroup_plan *plan,
                        const struct mrc_linux *devices,
                        mrc_error_t *err) MRC_WUR;
/* Write PLAN into CG's existing cgroup2 cgroup, enabling its controllers
 * on the way down. */
int mrc_cgroup_v2_update_plan (const struct mrc_cgroup *cg,
                               const struct mrc_cgroup_plan *plan,
                               mrc_error_t *err) MRC_WUR;
/* The controllers cgroup2's root offers (its cgroup.controllers),
 * malloc'd; "" when none or no cgroup2. */
char *mrc_cgroup_v2_controllers (void);
/* Drop P's writes for which KEEP (CTX, controller) is false. */
void mrc_cgroup_plan_filter (struct mrc_cgroup_plan *p,
                             bool (*keep) (void *ctx, const char *ctrl),
                             void *ctx);

/* Remove cgroup2 PATH as mrc_cgroup_destroy does (CREATED_FROM NULL:
 * nothing). */
int mrc_cgroup_v2_destroy (const char *path, const char *created_from,
                           mrc_error_t *err) MRC_WUR;
/* The topmost of COMP[0..N-1] missing below ROOTFD ("/a/b"), or NULL. */
int mrc_cgroup_would_create_at (int rootfd, char **comp, size_t n,
                                char **created_from, mrc_error_t *err) MRC_WUR;

/* ------------------------------------------------------------ back ends -- */

/* What differs between the unified and the v1 (hybrid, legacy) back ends;
 * cgroup.c picks one by the record (v1 entries or not) and the lifecycle
 * never knows which. */
struct mrc_cgroup_ops
{
  int (*create) (struct mrc_cgroup *cg, const struct mrc_linux *linux_,
                 mrc_error_t *err);
  int (*update) (const struct mrc_cgroup *cg, const struct mrc_resources *r,
                 mrc_error_t *err);
  int (*freeze) (const struct mrc_cgroup *cg, bool freeze, mrc_error_t *err);
  int (*is_frozen) (const struct mrc_cgroup *cg, bool *frozen,
                    mrc_error_t *err);
  int (*kill) (const struct mrc_cgroup *cg, int sig, mrc_error_t *err);
  int (*pids) (const struct mrc_cgroup *cg, pid_t **pids, size_t *n,
               mrc_error_t *err);
  int (*destroy) (const struct mrc_cgroup *cg, mrc_error_t *err);
  int (*stats_json) (const struct mrc_cgroup *cg, const char *id,
                     char **json, size_t *len, mrc_error_t *err);
  int (*oom_count) (const struct mrc_cgroup *cg, uint64_t *n,
                    mrc_error_t *err);
};

extern const struct mrc_cgroup_ops mrc_cgroup_v2_ops;
extern const struct mrc_cgroup_ops mrc_cgroup_v1_ops;

/* ------------------------------------------------------ file helpers -- */

/* Open cgroup PATH under the cgroup2 root with FLAGS (O_CLOEXEC added).
 * Touches the file system. */
int mrc_cgroup_open_at (const char *path, int flags, mrc_error_t *err) MRC_WUR;

/* Read a small cgroup file of DIRFD into *OUT (NUL-terminated). */
int mrc_cgroup_read (int dirfd, const char *file, char **out,
                     mrc_error_t *err) MRC_WUR;

/* The value of KEY in a "key value" per line text (cgroup.events,
 * memory.events, cpu.stat); false when absent. */
bool mrc_cgroup_kv_get (const char *text, const char *key, uint64_t *out);

/* ---------------------------------------------------- stats document -- */

/* The pieces of the `events --stats` document (runc's types.Event with
 * types.Stats) that the cgroup2 (stats.c) and v1 (stats-v1.c) generators
 * share: the envelope, the key/value writers, and the blocks both fill
 * the same way.
 *
 * Every writer ORs its yajl status into the generator: one check at the
 * end (mrc_cgroup_sg_end), no error path in between.  Keys follow runc's
 * JSON tags; `_nz` writers leave out a zero, as runc's omitempty does. */

struct mrc_cgroup_sg
{
  yajl_gen g;
  int st;
};

/* {"type":"stats","id":ID,"data":{ -- the caller writes cpu, cpuset,
 * memory, pids, blkio and hugetlb, then mrc_cgroup_sg_end adds
 * "intel_rdt":{},"network_interfaces":null}}, hands the compact text out
 * and frees the generator (also on failure). */
int mrc_cgroup_sg_begin (struct mrc_cgroup_sg *o, const char *id,
                         mrc_error_t *err) MRC_WUR;
int mrc_cgroup_sg_end (struct mrc_cgroup_sg *o, char **json, size_t *len,
                       mrc_error_t *err) MRC_WUR;

void mrc_cgroup_sg_key (struct mrc_cgroup_sg *o, const char *k);
void mrc_cgroup_sg_str (struct mrc_cgroup_sg *o, const char *k,
                        const char *v);
void mrc_cgroup_sg_u64 (struct mrc_cgroup_sg *o, const char *k, uint64_t v);
void mrc_cgroup_sg_u64_nz (struct mrc_cgroup_sg *o, const char *k,
                           uint64_t v);
void mrc_cgroup_sg_i64 (struct mrc_cgroup_sg *o, const char *k, int64_t v);
/* K NULL: a value inside an array. */
void mrc_cgroup_sg_open_map (struct mrc_cgroup_sg *o, const char *k);
void mrc_cgroup_sg_close_map (struct mrc_cgroup_sg *o);
void mrc_cgroup_sg_open_array (struct mrc_cgroup_sg *o, const char *k);
void mrc_cgroup_sg_close_array (struct mrc_cgroup_sg *o);

/* A whole small file of DIRFD; NULL when DIRFD is -1 or the file does not
 * exist or cannot be read (a statistic that is not there reads as zero). */
char *mrc_cgroup_sg_slurp (int dirfd, const char *file);
/* A one-number file ("max" is UINT64_MAX); MISSING when absent. */
uint64_t mrc_cgroup_sg_read_u64 (int dirfd, const char *file,
                                 uint64_t missing);
/* KEY's value in a "key value" per line TEXT (may be NULL); 0 if absent. */
uint64_t mrc_cgroup_sg_kv (const char *text, const char *key);

/* A types.MemoryEntry: {"limit","usage"?,"max"?,"failcnt"} under K. */
void mrc_cgroup_sg_memory_entry (struct mrc_cgroup_sg *o, const char *k,
                                 uint64_t limit, uint64_t usage, uint64_t max,
                                 uint64_t failcnt);
/* memory.stat STAT as "raw": every "name value" line; left out when
 * STAT is NULL or empty. */
void mrc_cgroup_sg_raw (struct mrc_cgroup_sg *o, const char *stat);

/* "cpuset" from the v1 cpuset directory FD: "cpus" and "mems" as lists
 * of numbers (left out when absent or empty), the flags
 * cpuset.cpu_exclusive ... sched_relax_domain_level (0 when absent).  FD
 * -1 (cgroup2 has none of the flags) writes the zeros runc reports. */
void mrc_cgroup_sg_cpuset (struct mrc_cgroup_sg *o, int fd);

/* "pids": pids.current and pids.max ("max" is no limit: left out) of
 * PIDS_FD; without pids.current the lines of PROCS_FD's cgroup.procs are
 * counted, as runc does on cgroup2. */
void mrc_cgroup_sg_pids (struct mrc_cgroup_sg *o, int pids_fd, int procs_fd);

/* One types.BlkioEntry (an element of an array the caller opened). */
void mrc_cgroup_sg_blkio_entry (struct mrc_cgroup_sg *o, unsigned major,
                                unsigned minor, const char *op,
                                uint64_t value);

/* One types.Hugetlb under SIZE ("2MB"). */
void mrc_cgroup_sg_hugetlb_entry (struct mrc_cgroup_sg *o, const char *size,
                                  uint64_t usage, uint64_t max,
                                  uint64_t failcnt);

/* "hugetlb": {SIZE: ...} for each file hugetlb.<SIZE>SUFFIX of FD
 * (".current" on cgroup2, ".usage_in_bytes" on v1; the .rsvd. files of
 * reservations are not page sizes), ONE writing the entry.  FD -1: {}. */
void mrc_cgroup_sg_hugetlb (struct mrc_cgroup_sg *o, int fd,
                            const char *suffix,
                            void (*one) (struct mrc_cgroup_sg *o, int fd,
                                         const char *size));

#endif
