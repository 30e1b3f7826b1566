/* `events --stats` on cgroup v1 (hybrid and legacy hosts): the document
 * of stats.c, filled from each controller's hierarchy as runc's fs driver
 * reads it, so the JSON has one shape whatever the host.  A controller
 * without a hierarchy, or a file the kernel lacks (memsw without swap
 * accounting, kmem on new kernels), reads as zero or is left out, as on
 * cgroup2. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "cgroup-internal.h"

#define NS_PER_SEC 1000000000ULL

/* cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds. */
static uint64_t
ticks_to_ns (uint64_t ticks)
{
  long hz = sysconf (_SC_CLK_TCK);
  uint64_t h = hz > 0 ? (uint64_t) hz : 100;
  /* Split so a long-lived cgroup's count cannot overflow. */
  return ticks / h * NS_PER_SEC + ticks % h * NS_PER_SEC / h;
}

/* cpuacct.usage_percpu ("12 34 ...") as "percpu"; left out when empty. */
static void
gen_percpu (struct mrc_cgroup_sg *o, int fd)
{
  cleanup_free char *text = mrc_cgroup_sg_slurp (fd, "cpuacct.usage_percpu");
  bool opened = false;
  for (char *p = text, *f; p && (f = strsep (&p, " \t\n"));)
    {
      if (*f == '\0')
        continue;
      if (!opened)
        mrc_cgroup_sg_open_array (o, "percpu");
      opened = true;
      mrc_cgroup_sg_u64 (o, NULL, strtoull (f, NULL, 10));
    }
  if (opened)
    mrc_cgroup_sg_close_array (o);
}

/* cpuacct.usage_all ("cpu user system" then one "N USER SYSTEM" line per
 * cpu, in ns) as "percpu_kernel" (COLUMN 2) or "percpu_user" (1); left
 * out when the kernel has no such file (before 4.16). */
static void
gen_percpu_mode (struct mrc_cgroup_sg *o, const char *all, const char *k,
                 int column)
{
  bool opened = false;
  const char *p = all ? strchrnul (all, '\n') : NULL;
  while (p && *p)
    {
      const char *eol = strchrnul (++p, '\n');
      char line[128];
      unsigned cpu;
      uint64_t v[2];
      snprintf (line, sizeof line, "%.*s", (int) (eol - p), p);
      p = eol;
      if (sscanf (line, "%u %" SCNu64 " %" SCNu64, &cpu, &v[0], &v[1]) != 3)
        continue;
      if (!opened)
        mrc_cgroup_sg_open_array (o, k);
      opened = true;
      mrc_cgroup_sg_u64 (o, NULL, v[column - 1]);
    }
  if (opened)
    mrc_cgroup_sg_close_array (o);
}

/* Usage from the cpuacct hierarchy, throttling from cpu's cpu.stat
 * (throttled_time is already in ns on v1). */
static void
gen_cpu (struct mrc_cgroup_sg *o, int acct, int cpu)
{
  cleanup_free char *times = mrc_cgroup_sg_slurp (acct, "cpuacct.stat");
  cleanup_free char *all = mrc_cgroup_sg_slurp (acct, "cpuacct.usage_all");
  cleanup_free char *st = mrc_cgroup_sg_slurp (cpu, "cpu.stat");
  mrc_cgroup_sg_open_map (o, "cpu");
  mrc_cgroup_sg_open_map (o, "usage");
  mrc_cgroup_sg_u64_nz (o, "total",
                        mrc_cgroup_sg_read_u64 (acct, "cpuacct.usage", 0));
  gen_percpu (o, acct);
  gen_percpu_mode (o, all, "percpu_kernel", 2);
  gen_percpu_mode (o, all, "percpu_user", 1);
  mrc_cgroup_sg_u64 (o, "kernel",
                     ticks_to_ns (mrc_cgroup_sg_kv (times, "system")));
  mrc_cgroup_sg_u64 (o, "user",
                     ticks_to_ns (mrc_cgroup_sg_kv (times, "user")));
  mrc_cgroup_sg_close_map (o);
  mrc_cgroup_sg_open_map (o, "throttling");
  mrc_cgroup_sg_u64_nz (o, "periods", mrc_cgroup_sg_kv (st, "nr_periods"));
  mrc_cgroup_sg_u64_nz (o, "throttledPeriods",
                        mrc_cgroup_sg_kv (st, "nr_throttled"));
  mrc_cgroup_sg_u64_nz (o, "throttledTime",
                        mrc_cgroup_sg_kv (st, "throttled_time"));
  mrc_cgroup_sg_close_map (o);
  mrc_cgroup_sg_close_map (o);
}

/* memory[.NAME].{limit_in_bytes,usage_in_bytes,max_usage_in_bytes,failcnt}
 * as the types.MemoryEntry K. */
static void
gen_memory_entry (struct mrc_cgroup_sg *o, int fd, const char *k,
                  const char *name)
{
  static const char *const files[]
      = { "limit_in_bytes", "usage_in_bytes", "max_usage_in_bytes",
          "failcnt" };
  uint64_t v[4];
  for (size_t i = 0; i < 4; i++)
    {
      char file[64];
      snprintf (file, sizeof file, "memory.%s%s%s", name ? name : "",
                name ? "." : "", files[i]);
      v[i] = mrc_cgroup_sg_read_u64 (fd, file, 0);
    }
  mrc_cgroup_sg_memory_entry (o, k, v[0], v[1], v[2], v[3]);
}

static void
gen_memory (struct mrc_cgroup_sg *o, int fd)
{
  cleanup_free char *stat = mrc_cgroup_sg_slurp (fd, "memory.stat");
  mrc_cgroup_sg_open_map (o, "memory");
  /* runc takes this cgroup's own "cache", not total_cache. */
  mrc_cgroup_sg_u64_nz (o, "cache", mrc_cgroup_sg_kv (stat, "cache"));
  gen_memory_entry (o, fd, "usage", NULL);
  gen_memory_entry (o, fd, "swap", "memsw");
  gen_memory_entry (o, fd, "kernel", "kmem");
  gen_memory_entry (o, fd, "kernelTCP", "kmem.tcp");
  mrc_cgroup_sg_raw (o, stat);
  mrc_cgroup_sg_close_map (o);
}

/* The lines "MAJ:MIN Op VALUE" (or "MAJ:MIN VALUE") of a v1 blkio file
 * as the list NAME, the closing "Total N" skipped.  O NULL only counts
 * them.  Returns the number of entries. */
static size_t
blkio_list (struct mrc_cgroup_sg *o, const char *text, const char *name)
{
  size_t n = 0;
  for (const char *p = text; p && *p;)
    {
      const char *eol = strchrnul (p, '\n');
      char line[256], op[32] = "";
      unsigned maj, min;
      uint64_t v;
      snprintf (line, sizeof line, "%.*s", (int) (eol - p), p);
      p = *eol ? eol + 1 : eol;
      if (sscanf (line, "%u:%u %31s %" SCNu64, &maj, &min, op, &v) != 4)
        {
          op[0] = '\0';
          if (sscanf (line, "%u:%u %" SCNu64, &maj, &min, &v) != 3)
            continue;
        }
      if (o && n == 0)
        mrc_cgroup_sg_open_array (o, name);
      if (o)
        mrc_cgroup_sg_blkio_entry (o, maj, min, op, v);
      n++;
    }
  if (o && n > 0)
    mrc_cgroup_sg_close_array (o);
  return n;
}

/* runc's order: the bfq scheduler's statistics, then cfq's, then the
 * throttling layer's (which sees all I/O); the first whose io_serviced
 * file has an entry wins. */
static const struct
{
  const char *bytes;
  const char *ios;
} blkio_sources[] = {
  { "blkio.bfq.io_service_bytes_recursive",
    "blkio.bfq.io_serviced_recursive" },
  { "blkio.io_service_bytes_recursive", "blkio.io_serviced_recursive" },
  { "blkio.throttle.io_service_bytes_recursive",
    "blkio.throttle.io_serviced_recursive" },
  { "blkio.throttle.io_service_bytes", "blkio.throttle.io_serviced" },
};

static void
gen_blkio (struct mrc_cgroup_sg *o, int fd)
{
  size_t n = sizeof blkio_sources / sizeof blkio_sources[0];
  mrc_cgroup_sg_open_map (o, "blkio");
  for (size_t i = 0; fd >= 0 && i < n; i++)
    {
      cleanup_free char *ios = mrc_cgroup_sg_slurp (fd, blkio_sources[i].ios);
      if (blkio_list (NULL, ios, NULL) == 0)
        continue;
      cleanup_free char *bytes
          = mrc_cgroup_sg_slurp (fd, blkio_sources[i].bytes);
      blkio_list (o, bytes, "ioServiceBytesRecursive");
      blkio_list (o, ios, "ioServicedRecursive");
      break;
    }
  mrc_cgroup_sg_close_map (o);
}

static void
gen_hugetlb_one (struct mrc_cgroup_sg *o, int fd, const char *size)
{
  static const char *const files[]
      = { "usage_in_bytes", "max_usage_in_bytes", "failcnt" };
  uint64_t v[3];
  for (size_t i = 0; i < 3; i++)
    {
      char file[128];
      snprintf (file, sizeof file, "hugetlb.%s.%s", size, files[i]);
      v[i] = mrc_cgroup_sg_read_u64 (fd, file, 0);
    }
  mrc_cgroup_sg_hugetlb_entry (o, size, v[0], v[1], v[2]);
}

int
mrc_cgroup_v1_stats_json (const struct mrc_cgroup_dirs *d, const char *id,
                          char **json, size_t *len, mrc_error_t *err)
{
  struct mrc_cgroup_sg o;
  if (mrc_cgroup_sg_begin (&o, id, err) < 0)
    return -1;
  gen_cpu (&o, mrc_cgroup_dirs_fd (d, "cpuacct"),
           mrc_cgroup_dirs_fd (d, "cpu"));
  mrc_cgroup_sg_cpuset (&o, mrc_cgroup_dirs_fd (d, "cpuset"));
  gen_memory (&o, mrc_cgroup_dirs_fd (d, "memory"));
  /* Without a pids hierarchy the processes are counted, as on cgroup2. */
  mrc_cgroup_sg_pids (&o, mrc_cgroup_dirs_fd (d, "pids"),
                      mrc_cgroup_dirs_fd (d, NULL));
  gen_blkio (&o, mrc_cgroup_dirs_fd (d, "blkio"));
  mrc_cgroup_sg_hugetlb (&o, mrc_cgroup_dirs_fd (d, "hugetlb"),
                         ".usage_in_bytes", gen_hugetlb_one);
  return mrc_cgroup_sg_end (&o, json, len, err);
}

int
mrc_cgroup_v1_oom_count (const struct mrc_cgroup_dirs *d, uint64_t *n,
                         mrc_error_t *err)
{
  int fd = mrc_cgroup_dirs_fd (d, "memory");
  *n = 0;
  if (fd < 0)
    return 0;
  /* oom_kill is there since Linux 4.13; older kernels count nothing. */
  return mrc_cgroup_oom_kill_in (fd, "memory.oom_control", n, err);
}
