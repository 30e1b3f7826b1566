/* Shared between the files of src/cgroup and its unit tests only; callers
 * use mrc/cgroup.h.  Everything here is pure (no file system access) unless
 * it says otherwise, so it is tested without root. */
#ifndef MRC_CGROUP_INTERNAL_H
#define MRC_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include "mrc/cgroup.h"

/* ------------------------------------------------------------- paths -- */

/* mrc_cgroup_resolve with mini-runc's own cgroup given (the text after
 * "0::" in /proc/self/cgroup). */
int mrc_cgroup_resolve_in (const char *cgroups_path, const char *id,
                           bool systemd, const char *own, char **out,
                           mrc_error_t *err) MRC_WUR;

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
     memory.current is at or above it. */
  int64_t check_limit;
};

/* The writes for R, in the order they must happen.  Fails (nothing
 * allocated) on values runc refuses: realtime cpu fields, a swap limit
 * without or below the memory limit, unified keys that are not one plain
 * file name, hugepage sizes with a '/'. */
int mrc_cgroup_plan_build (const struct mrc_resources *r,
                           struct mrc_cgroup_plan *out,
                           mrc_error_t *err) MRC_WUR;
void mrc_cgroup_plan_free (struct mrc_cgroup_plan *p);

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



#endif
