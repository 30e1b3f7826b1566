/* linux.resources -> the cgroup v1 files to write, as runc's fs driver
 * writes them (the OCI fields were designed for v1, so most go in as they
 * are).  Pure: the result is the same list of writes resources.c makes for
 * cgroup2, each naming the v1 controller whose hierarchy holds its file,
 * and mrc_cgroup_plan_apply performs it. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/cleanup.h"
#include "cgroup-internal.h"

#define R "linux.resources."
#define ACC_ALL                                                               \
  (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* A step returns 0, -1 with *ERR set, or -2 when memory ran out. */
typedef int plan_step (const struct mrc_resources *r,
                       struct mrc_cgroup_plan *p, mrc_error_t *err);

/* The fallback of the last write: the same value into ALT. */
static int
set_alt_same (struct mrc_cgroup_plan *p, const char *alt)
{
  struct mrc_cgroup_write *w = &p->w[p->n - 1];
  w->alt_file = strdup (alt);
  w->alt_value = strdup (w->value);
  return w->alt_file && w->alt_value ? 0 : -1;
}

/* v1 spells "no limit" -1 (the kernel reads it as PAGE_COUNTER_MAX); any
 * negative value asks for that. */
static int
add_limit (struct mrc_cgroup_plan *p, const char *ctrl, const char *what,
           const char *file, unsigned flags, int64_t v)
{
  return mrc_cgroup_plan_add (p, ctrl, what, file, flags, "%" PRId64, v < 0 ? -1 : v);
}

/* memory.limit_in_bytes and memory.memsw.limit_in_bytes: the kernel wants
 * limit <= memsw at every moment.  The limit goes first, so lowering both
 * works in order; raising both makes the limit fail with EINVAL (above
 * the old memsw), and RETRY_LAST writes it again once memsw has grown. */
static int
plan_memory_swap (const struct mrc_memory *m, struct mrc_cgroup_plan *p,
                  mrc_error_t *err)
{
  /* Any negative limit is "no limit", and then so is memsw by default. */
  int64_t limit = !m->has_limit ? 0 : m->limit < 0 ? -1 : m->limit;
  int64_t swap = m->has_swap ? m->swap : 0, above;
  bool set;
  /* The v2 conversion checks what runc refuses (swap below or without
     the limit); v1 takes the total itself, not the part above the limit. */
  if (mrc_cgroup_swap_value (swap, limit, &above, &set, err) < 0)
    return -1;
  if (limit != 0
      && add_limit (p, "memory", R "memory.limit", "memory.limit_in_bytes",
                    MRC_CGW_RETRY_LAST, limit)
             < 0)
    return -2;
  if (!set)
    return 0;
  int64_t total = above < 0 ? -1 : swap;
  /* Kernels without swap accounting have no memsw file: no limit on it is
     then already what was asked for. */
  /* the field the caller set: memsw derived from the limit alone is the
     limit's doing */
  const char *what = m->has_swap && m->swap != 0 ? R "memory.swap"
                                                 : R "memory.limit";
  if (add_limit (p, "memory", what, "memory.memsw.limit_in_bytes",
                 total < 0 ? MRC_CGW_OPTIONAL : 0, total)
      < 0)
    return -2;
  return 0;
}

static int
plan_memory (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
             mrc_error_t *err)
{
  const struct mrc_memory *m = r->memory;
  if (m == NULL)
    return 0;
  if (m->has_swappiness && m->swappiness > 100)
    return mrc_fail (err, "cgroup: invalid " R "memory.swappiness `%" PRIu64
                          "`: valid range is 0-100",
                     m->swappiness);
  int rc = plan_memory_swap (m, p, err);
  if (rc < 0)
    return rc;
  if (m->has_reservation && m->reservation != 0
      && add_limit (p, "memory", R "memory.reservation",
                    "memory.soft_limit_in_bytes", 0, m->reservation)
             < 0)
    return -2;
  /* kmem limits were deprecated in Linux 5.4 and the file is gone from
     newer kernels (5.16 to its removal, it answers EOPNOTSUPP, which
     OPTIONAL does not cover); kmem.tcp may be compiled out. */
  if (m->has_kernel && m->kernel != 0
      && add_limit (p, "memory", R "memory.kernel",
                    "memory.kmem.limit_in_bytes", MRC_CGW_OPTIONAL, m->kernel)
             < 0)
    return -2;
  if (m->has_kernel_tcp && m->kernel_tcp != 0
      && add_limit (p, "memory", R "memory.kernelTCP",
                    "memory.kmem.tcp.limit_in_bytes", MRC_CGW_OPTIONAL,
                    m->kernel_tcp)
             < 0)
    return -2;
  if (m->has_swappiness
      && mrc_cgroup_plan_add (p, "memory", R "memory.swappiness", "memory.swappiness", 0,
              "%" PRIu64, m->swappiness)
             < 0)
    return -2;
  if (m->has_disable_oom_killer && m->disable_oom_killer
      && mrc_cgroup_plan_add (p, "memory", R "memory.disableOOMKiller", "memory.oom_control",
              0, "1")
             < 0)
    return -2;
  if (m->has_check_before_update && m->check_before_update
      && m->has_limit && m->limit > 0)
    p->check_limit = m->limit;
  return 0;
}

/* The kernel checks quota/period (and runtime/period for realtime) against
 * the parent as each file is written, so a period the old quota does not
 * fit fails with EINVAL until the quota is written: RETRY_LAST, as runc
 * retries the period after the quota.  The burst may not exceed the
 * quota: written before it (lowering both works), and again after it when
 * the new quota is what makes it fit. */
static int
plan_cpu (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
          mrc_error_t *err)
{
  const struct mrc_cpu *c = r->cpu;
  (void) err;
  if (c == NULL)
    return 0;
  int rc = 0;
  if (c->has_shares && c->shares != 0)
    rc |= mrc_cgroup_plan_add (p, "cpu", R "cpu.shares", "cpu.shares", 0, "%" PRIu64,
               c->shares);
  if (c->has_period && c->period != 0)
    rc |= mrc_cgroup_plan_add (p, "cpu", R "cpu.period", "cpu.cfs_period_us",
               MRC_CGW_RETRY_LAST, "%" PRIu64, c->period);
  if (c->has_burst)
    rc |= mrc_cgroup_plan_add (p, "cpu", R "cpu.burst", "cpu.cfs_burst_us",
               MRC_CGW_RETRY_LAST, "%" PRIu64, c->burst);
  if (c->has_quota && c->quota != 0)
    rc |= add_limit (p, "cpu", R "cpu.quota", "cpu.cfs_quota_us", 0,
                     c->quota);
  if (c->has_realtime_period && c->realtime_period != 0)
    rc |= mrc_cgroup_plan_add (p, "cpu", R "cpu.realtimePeriod", "cpu.rt_period_us",
               MRC_CGW_RETRY_LAST, "%" PRIu64, c->realtime_period);
  if (c->has_realtime_runtime && c->realtime_runtime != 0)
    rc |= add_limit (p, "cpu", R "cpu.realtimeRuntime", "cpu.rt_runtime_us",
                     0, c->realtime_runtime);
  if (c->has_idle)
    rc |= mrc_cgroup_plan_add (p, "cpu", R "cpu.idle", "cpu.idle", 0, "%" PRId64, c->idle);
  return rc ? -2 : 0;
}

static int
plan_cpuset (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
             mrc_error_t *err)
{
  const struct mrc_cpu *c = r->cpu;
  (void) err;
  if (c == NULL)
    return 0;
  return mrc_cgroup_plan_cpuset (c, p);
}

/* runc's fs driver takes 0 for "not set": a new cgroup stays unlimited
 * (podman 4.3 writes 0 for --pids-limit -1). */
static int
plan_pids (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
           mrc_error_t *err)
{
  (void) err;
  if (!r->has_pids_limit || r->pids_limit == 0)
    return 0;
  if (r->pids_limit < 0)
    return mrc_cgroup_plan_add (p, "pids", R "pids.limit", "pids.max", 0, "max") < 0 ? -2 : 0;
  return mrc_cgroup_plan_add (p, "pids", R "pids.limit", "pids.max", 0, "%" PRId64,
              r->pids_limit)
                 < 0
             ? -2
             : 0;
}

/* Weights go to the CFQ files, or to BFQ's where CFQ is gone (blk-mq
 * kernels); leaf weights exist with CFQ only. */
static int
plan_blkio_weights (const struct mrc_block_io *b, struct mrc_cgroup_plan *p)
{
  if (b->has_weight && b->weight != 0
      && (mrc_cgroup_plan_add (p, "blkio", R "blockIO.weight", "blkio.weight", 0, "%u",
               (unsigned) b->weight) < 0
          || set_alt_same (p, "blkio.bfq.weight") < 0))
    return -2;
  if (b->has_leaf_weight && b->leaf_weight != 0
      && mrc_cgroup_plan_add (p, "blkio", R "blockIO.leafWeight", "blkio.leaf_weight",
              MRC_CGW_OPTIONAL, "%u", (unsigned) b->leaf_weight)
             < 0)
    return -2;
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct mrc_weight_device *d = &b->weight_device[i];
      if (d->has_weight && d->weight != 0
          && (mrc_cgroup_plan_add (p, "blkio", R "blockIO.weightDevice",
                   "blkio.weight_device", 0, "%" PRId64 ":%" PRId64 " %u",
                   d->major, d->minor, (unsigned) d->weight) < 0
              || set_alt_same (p, "blkio.bfq.weight_device") < 0))
        return -2;
      if (d->has_leaf_weight && d->leaf_weight != 0
          && mrc_cgroup_plan_add (p, "blkio", R "blockIO.weightDevice",
                  "blkio.leaf_weight_device", MRC_CGW_OPTIONAL,
                  "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                  (unsigned) d->leaf_weight)
                 < 0)
        return -2;
    }
  return 0;
}

/* One line per entry; v1 reads rate 0 as "no limit", so 0 goes in as is. */
static int
plan_blkio (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
            mrc_error_t *err)
{
  const struct mrc_block_io *b = r->block_io;
  (void) err;
  if (b == NULL)
    return 0;
  if (plan_blkio_weights (b, p) < 0)
    return -2;
  const struct
  {
    const char *what, *file;
    const struct mrc_throttle_device *d;
    size_t n;
  } t[] = {
    { R "blockIO.throttleReadBpsDevice", "blkio.throttle.read_bps_device",
      b->throttle_read_bps_device, b->n_throttle_read_bps_device },
    { R "blockIO.throttleWriteBpsDevice", "blkio.throttle.write_bps_device",
      b->throttle_write_bps_device, b->n_throttle_write_bps_device },
    { R "blockIO.throttleReadIOPSDevice", "blkio.throttle.read_iops_device",
      b->throttle_read_iops_device, b->n_throttle_read_iops_device },
    { R "blockIO.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device",
      b->throttle_write_iops_device, b->n_throttle_write_iops_device },
  };
  for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
    for (size_t i = 0; i < t[k].n; i++)
      if (mrc_cgroup_plan_add (p, "blkio", t[k].what, t[k].file, 0,
               "%" PRId64 ":%" PRId64 " %" PRIu64, t[k].d[i].major,
               t[k].d[i].minor, t[k].d[i].rate)
          < 0)
        return -2;
  return 0;
}

static int
plan_hugetlb (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
              mrc_error_t *err)
{
  return mrc_cgroup_plan_hugetlb (r, "limit_in_bytes", p, err);
}

/* classID 0 is the kernel's default and runc's "not set". */
static int
plan_net (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
          mrc_error_t *err)
{
  if (r->has_network_class_id && r->network_class_id != 0
      && mrc_cgroup_plan_add (p, "net_cls", R "network.classID", "net_cls.classid", 0,
              "%" PRIu32, r->network_class_id)
             < 0)
    return -2;
  for (size_t i = 0; i < r->n_network_priorities; i++)
    {
      const struct mrc_net_priority *n = &r->network_priorities[i];
      if (!mrc_cgroup_plain_name (n->name))
        return mrc_fail (err, "cgroup: invalid " R "network.priorities "
                              "name `%s`",
                         n->name ? n->name : "");
      if (mrc_cgroup_plan_add (p, "net_prio", R "network.priorities", "net_prio.ifpriomap",
               0, "%s %" PRIu32, n->name, n->priority) < 0)
        return -2;
    }
  return 0;
}

/* ------------------------------------------------------------ devices -- */

static const struct
{
  char c;
  unsigned bit;
} access_letters[] = {
  { 'r', BPF_DEVCG_ACC_READ },
  { 'w', BPF_DEVCG_ACC_WRITE },
  { 'm', BPF_DEVCG_ACC_MKNOD },
};

static bool
covers_all (const struct mrc_cgroup_dev_rule *d)
{
  return d->type == 'a' && d->major < 0 && d->minor < 0
         && (d->access & ACC_ALL) == ACC_ALL;
}

/* "TYPE MAJ:MIN ACCESS" into devices.allow or devices.deny, '*' for any. */
static int
add_dev (struct mrc_cgroup_plan *p, char type,
         const struct mrc_cgroup_dev_rule *d)
{
  char maj[24] = "*", min[24] = "*", acc[4] = "";
  size_t k = 0;
  if (d->major >= 0)
    snprintf (maj, sizeof maj, "%" PRId64, d->major);
  if (d->minor >= 0)
    snprintf (min, sizeof min, "%" PRId64, d->minor);
  for (size_t i = 0; i < sizeof access_letters / sizeof access_letters[0];
       i++)
    if (d->access & access_letters[i].bit)
      acc[k++] = access_letters[i].c;
  return mrc_cgroup_plan_add (p, "devices", R "devices",
              d->allow ? "devices.allow" : "devices.deny", 0, "%c %s:%s %s",
              type, maj, min, acc);
}

/* The rules of the cgroup2 device program, written one by one, so the v1
 * cgroup allows what that program would.  The kernel keeps a default
 * (allow or deny) and a list of exceptions: an "a" line to devices.deny
 * clears the list and denies by default, one to devices.allow clears it
 * and allows by default; any other allow line adds an exception (or, in
 * allow mode, takes a deny exception away), a deny line the reverse.
 *
 * - The program denies what no rule matches.  mrc_cgroup_dev_rules starts
 *   with linux.resources.devices, which usually opens with a deny-all
 *   (Docker, podman) but need not: without R's devices it starts with
 *   the default allow list.  Unless the first rule covers everything
 *   (which resets the kernel's state itself), a leading "a *:* rwm" to
 *   devices.deny makes the cgroup default-deny whatever it inherited.
 * - The kernel reads any line starting with "a" as "every device": an
 *   "a" rule narrower than that (a major, a minor or fewer accesses) goes
 *   in as its "c" and "b" halves, which is what the program matches.
 * - A rule with no access can never match in the program: skipped.
 *
 * What v1 cannot say: the kernel takes an exception away only on an
 * exact type/major/minor match, so a deny narrower than an earlier allow
 * ("c *:* rwm" then deny "c 1:3 rwm") leaves the device allowed, where
 * the program denies it.  runc's v1 driver has the same limit. */
static int
plan_devices (const struct mrc_resources *r, const struct mrc_linux *linux_,
              struct mrc_cgroup_plan *p, mrc_error_t *err)
{
  static const struct mrc_cgroup_dev_rule deny_all
      = { 'a', -1, -1, ACC_ALL, false };
  cleanup_free struct mrc_cgroup_dev_rule *rules = NULL;
  size_t n = 0;
  if (mrc_cgroup_dev_rules (r, linux_->devices, linux_->n_devices, &rules,
                            &n, err)
      < 0)
    return -1;
  if ((n == 0 || !covers_all (&rules[0])) && add_dev (p, 'a', &deny_all) < 0)
    return -2;
  for (size_t i = 0; i < n; i++)
    {
      const struct mrc_cgroup_dev_rule *d = &rules[i];
      if ((d->access & ACC_ALL) == 0)
        continue;
      if (d->type != 'a' || covers_all (d))
        {
          if (add_dev (p, d->type, d) < 0)
            return -2;
        }
      else if (add_dev (p, 'c', d) < 0 || add_dev (p, 'b', d) < 0)
        return -2;
    }
  return 0;
}

/* --------------------------------------------------------------- plan -- */

/* The order of the writes: memory first (a limit is in place before the
 * rest), devices last (see mrc_cgroup_plan_build_v1). */
static plan_step *const steps[] = {
  plan_memory, plan_cpu,  plan_cpuset, plan_pids, plan_blkio,
  plan_hugetlb, plan_net, mrc_cgroup_plan_rdma,
};

int
mrc_cgroup_plan_build_v1 (const struct mrc_resources *r,
                          const struct mrc_linux *linux_,
                          struct mrc_cgroup_plan *out, mrc_error_t *err)
{
  struct mrc_cgroup_plan p = { .usage_file = "memory.usage_in_bytes" };
  int rc = 0;
  /* unified names cgroup2 files: there is nowhere to write them. */
  if (r && r->n_unified > 0)
    return mrc_fail (err, "cgroup: " R "unified.%s: needs cgroup v2 (this "
                          "host's controllers are in cgroup v1)",
                     r->unified[0].key ? r->unified[0].key : "");
  for (size_t i = 0; r && rc == 0 && i < sizeof steps / sizeof steps[0]; i++)
    rc = steps[i](r, &p, err);
  /* Without R the cgroup still gets the default device rules, as the
     cgroup2 program does. */
  if (rc == 0 && linux_)
    rc = plan_devices (r, linux_, &p, err);
  if (rc == -2)
    mrc_fail_errno (err, "cgroup: convert linux.resources to cgroup v1");
  if (rc < 0)
    {
      mrc_cgroup_plan_free (&p);
      return -1;
    }
  *out = p;
  return 0;
}
