/* The pieces of the `events --stats` document (runc's types.Event with
 * types.Stats) that the cgroup2 (stats.c) and v1 (stats-v1.c) generators
 * share: the envelope, the key/value writers, and the blocks both fill
 * the same way.  Internal to src/cgroup and its unit tests.
 *
 * Every writer ORs its yajl status into the generator: one check at the
 * end (mrc_cgroup_sg_end), no error path in between.  Keys follow runc's
 * JSON tags; `_nz` writers leave out a zero, as runc's omitempty does. */
#ifndef MRC_CGROUP_STATS_GEN_H
#define MRC_CGROUP_STATS_GEN_H

#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "mrc/error.h"

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
