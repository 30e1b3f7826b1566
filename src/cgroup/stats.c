/* `events --stats` on cgroup2: a cgroup's statistics in the JSON shape of
 * runc's types.Event / types.Stats, so tools that parse runc's output
 * parse ours.  Fields runc marks omitempty are left out when zero; files
 * of controllers that are not enabled read as zero.  The v1 document is
 * made in stats-v1.c from the same pieces (cgroup-internal.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/cleanup.h"
#include "cgroup-internal.h"

static void
gen_cpu (struct mrc_cgroup_sg *o, int fd)
{
  cleanup_free char *st = mrc_cgroup_sg_slurp (fd, "cpu.stat");
  mrc_cgroup_sg_open_map (o, "cpu");
  mrc_cgroup_sg_open_map (o, "usage");
  mrc_cgroup_sg_u64_nz (o, "total",
                        mrc_cgroup_sg_kv (st, "usage_usec") * 1000);
  mrc_cgroup_sg_u64 (o, "kernel",
                     mrc_cgroup_sg_kv (st, "system_usec") * 1000);
  mrc_cgroup_sg_u64 (o, "user", mrc_cgroup_sg_kv (st, "user_usec") * 1000);
  mrc_cgroup_sg_close_map (o);
  mrc_cgroup_sg_open_map (o, "throttling");
  mrc_cgroup_sg_u64_nz (o, "periods", mrc_cgroup_sg_kv (st, "nr_periods"));
  mrc_cgroup_sg_u64_nz (o, "throttledPeriods",
                        mrc_cgroup_sg_kv (st, "nr_throttled"));
  mrc_cgroup_sg_u64_nz (o, "throttledTime",
                        mrc_cgroup_sg_kv (st, "throttled_usec") * 1000);
  mrc_cgroup_sg_close_map (o);
  mrc_cgroup_sg_close_map (o);
  /* cgroup v2 has none of v1's cpuset flags: runc reports them as 0. */
  mrc_cgroup_sg_cpuset (o, -1);
}

static void
gen_memory (struct mrc_cgroup_sg *o, int fd)
{
  cleanup_free char *stat = mrc_cgroup_sg_slurp (fd, "memory.stat");
  cleanup_free char *events = mrc_cgroup_sg_slurp (fd, "memory.events");
  uint64_t usage = mrc_cgroup_sg_read_u64 (fd, "memory.current", 0);
  uint64_t limit = mrc_cgroup_sg_read_u64 (fd, "memory.max", 0);
  uint64_t swap = mrc_cgroup_sg_read_u64 (fd, "memory.swap.current", 0);
  uint64_t swap_limit = mrc_cgroup_sg_read_u64 (fd, "memory.swap.max", 0);
  /* runc reports swap as v1 did: memory plus swap. */
  if (swap_limit != UINT64_MAX)
    swap_limit += limit;
  mrc_cgroup_sg_open_map (o, "memory");
  mrc_cgroup_sg_u64_nz (o, "cache", mrc_cgroup_sg_kv (stat, "file"));
  mrc_cgroup_sg_memory_entry (o, "usage", limit, usage,
                              mrc_cgroup_sg_read_u64 (fd, "memory.peak", 0),
                              mrc_cgroup_sg_kv (events, "max"));
  mrc_cgroup_sg_memory_entry (
      o, "swap", swap_limit, swap + usage,
      mrc_cgroup_sg_read_u64 (fd, "memory.swap.peak", 0), 0);
  mrc_cgroup_sg_memory_entry (o, "kernel", 0, 0, 0, 0);
  mrc_cgroup_sg_memory_entry (o, "kernelTCP", 0, 0, 0, 0);
  mrc_cgroup_sg_raw (o, stat);
  mrc_cgroup_sg_close_map (o);
}

/* io.stat lines "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.." as runc's
 * v1-shaped lists: bytes into ioServiceBytesRecursive, ios into
 * ioServicedRecursive. */
static void
gen_blkio_list (struct mrc_cgroup_sg *o, const char *iostat, const char *name,
                const char *rkey, const char *wkey)
{
  bool opened = false;
  for (const char *p = iostat; p && *p;)
    {
      const char *eol = strchrnul (p, '\n');
      unsigned maj, min;
      char line[1024];
      snprintf (line, sizeof line, "%.*s", (int) (eol - p), p);
      p = *eol ? eol + 1 : eol;
      if (sscanf (line, "%u:%u", &maj, &min) != 2)
        continue;
      const char *keys[] = { rkey, wkey }, *ops[] = { "Read", "Write" };
      for (int k = 0; k < 2; k++)
        {
          char pat[32];
          snprintf (pat, sizeof pat, " %s=", keys[k]);
          const char *at = strstr (line, pat);
          if (at == NULL)
            continue;
          if (!opened)
            mrc_cgroup_sg_open_array (o, name);
          opened = true;
          mrc_cgroup_sg_blkio_entry (
              o, maj, min, ops[k], strtoull (at + strlen (pat), NULL, 10));
        }
    }
  if (opened)
    mrc_cgroup_sg_close_array (o);
}

/* hugetlb.<size>.current, failcnt from hugetlb.<size>.events. */
static void
gen_hugetlb_one (struct mrc_cgroup_sg *o, int fd, const char *size)
{
  char file[128];
  snprintf (file, sizeof file, "hugetlb.%s.events", size);
  cleanup_free char *events = mrc_cgroup_sg_slurp (fd, file);
  snprintf (file, sizeof file, "hugetlb.%s.current", size);
  mrc_cgroup_sg_hugetlb_entry (o, size, mrc_cgroup_sg_read_u64 (fd, file, 0),
                               0, mrc_cgroup_sg_kv (events, "max"));
}

int
mrc_cgroup_v2_stats_json (int dirfd, const char *id, char **json,
                          size_t *len, mrc_error_t *err)
{
  struct mrc_cgroup_sg o;
  if (mrc_cgroup_sg_begin (&o, id, err) < 0)
    return -1;
  gen_cpu (&o, dirfd);
  gen_memory (&o, dirfd);
  mrc_cgroup_sg_pids (&o, dirfd, dirfd);
  cleanup_free char *iostat = mrc_cgroup_sg_slurp (dirfd, "io.stat");
  mrc_cgroup_sg_open_map (&o, "blkio");
  gen_blkio_list (&o, iostat, "ioServiceBytesRecursive", "rbytes", "wbytes");
  gen_blkio_list (&o, iostat, "ioServicedRecursive", "rios", "wios");
  mrc_cgroup_sg_close_map (&o);
  mrc_cgroup_sg_hugetlb (&o, dirfd, ".current", gen_hugetlb_one);
  return mrc_cgroup_sg_end (&o, json, len, err);
}

int
mrc_cgroup_oom_kill_in (int dirfd, const char *file, uint64_t *n,
                        mrc_error_t *err)
{
  cleanup_free char *text = NULL;
  *n = 0;
  if (mrc_cgroup_read (dirfd, file, &text, err) < 0)
    {
      if ((*err)->errnum != ENOENT)
        return mrc_error_wrap (err, "cgroup: oom count");
      mrc_error_free (err);
      return 0;
    }
  mrc_cgroup_kv_get (text, "oom_kill", n);
  return 0;
}

int
mrc_cgroup_v2_oom_count (int dirfd, uint64_t *n, mrc_error_t *err)
{
  return mrc_cgroup_oom_kill_in (dirfd, "memory.events", n, err);
}
