/* `events --stats`: a cgroup's statistics in the JSON shape of runc's
 * types.Event / types.Stats, so tools that parse runc's output parse ours.
 * Fields runc marks omitempty are left out when zero; files of controllers
 * that are not enabled read as zero. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "mrc/cleanup.h"
#include "cgroup-internal.h"

/* Every generator call ORs its status in: one check at the end. */
struct out
{
  yajl_gen g;
  int st;
};

static void
key (struct out *o, const char *k)
{
  o->st |= yajl_gen_string (o->g, (const unsigned char *) k, strlen (k));
}

static void
u64 (struct out *o, const char *k, uint64_t v)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%" PRIu64, v);
  key (o, k);
  o->st |= yajl_gen_number (o->g, buf, (size_t) n);
}

/* omitempty */
static void
u64_nz (struct out *o, const char *k, uint64_t v)
{
  if (v != 0)
    u64 (o, k, v);
}

static void
open_map (struct out *o, const char *k)
{
  if (k)
    key (o, k);
  o->st |= yajl_gen_map_open (o->g);
}

static void
close_map (struct out *o)
{
  o->st |= yajl_gen_map_close (o->g);
}

/* A whole small file; NULL when it does not exist or cannot be read. */
static char *
slurp (int dirfd, const char *file)
{
  char *text = NULL;
  mrc_error_t ignored = NULL;
  if (mrc_cgroup_read (dirfd, file, &text, &ignored) < 0)
    mrc_error_free (&ignored);
  return text;
}

/* A one-number file ("max" is UINT64_MAX); MISSING when absent. */
static uint64_t
read_u64 (int dirfd, const char *file, uint64_t missing)
{
  cleanup_free char *t = slurp (dirfd, file);
  if (t == NULL)
    return missing;
  if (strncmp (t, "max", 3) == 0)
    return UINT64_MAX;
  return strtoull (t, NULL, 10);
}

static uint64_t
kv (const char *text, const char *k)
{
  uint64_t v = 0;
  if (text)
    mrc_cgroup_kv_get (text, k, &v);
  return v;
}

static void
gen_cpu (struct out *o, int fd)
{
  cleanup_free char *st = slurp (fd, "cpu.stat");
  open_map (o, "cpu");
  open_map (o, "usage");
  u64_nz (o, "total", kv (st, "usage_usec") * 1000);
  u64 (o, "kernel", kv (st, "system_usec") * 1000);
  u64 (o, "user", kv (st, "user_usec") * 1000);
  close_map (o);
  open_map (o, "throttling");
  u64_nz (o, "periods", kv (st, "nr_periods"));
  u64_nz (o, "throttledPeriods", kv (st, "nr_throttled"));
  u64_nz (o, "throttledTime", kv (st, "throttled_usec") * 1000);
  close_map (o);
  close_map (o);
  /* cgroup v2 has none of v1's cpuset flags: runc reports them as 0. */
  static const char *const cpuset_zero[]
      = { "cpu_exclusive",      "mem_hardwall",       "mem_exclusive",
          "memory_migrate",     "memory_spread_page", "memory_spread_slab",
          "memory_pressure",    "sched_load_balance",
          "sched_relax_domain_level", NULL };
  open_map (o, "cpuset");
  for (size_t i = 0; cpuset_zero[i]; i++)
    u64 (o, cpuset_zero[i], 0);
  close_map (o);
}

static void
memory_entry (struct out *o, const char *k, uint64_t limit, uint64_t usage,
              uint64_t max, uint64_t failcnt)
{
  open_map (o, k);
  u64 (o, "limit", limit);
  u64_nz (o, "usage", usage);
  u64_nz (o, "max", max);
  u64 (o, "failcnt", failcnt);
  close_map (o);
}

/* memory.stat as "raw": every "name value" line. */
static void
gen_raw (struct out *o, const char *stat)
{
  if (stat == NULL || *stat == '\0')
    return;
  open_map (o, "raw");
  for (const char *p = stat; *p;)
    {
      const char *sp = strchr (p, ' '), *eol = strchrnul (p, '\n');
      if (sp && sp < eol)
        {
          char name[128];
          snprintf (name, sizeof name, "%.*s", (int) (sp - p), p);
          u64 (o, name, strtoull (sp + 1, NULL, 10));
        }
      p = *eol ? eol + 1 : eol;
    }
  close_map (o);
}

static void
gen_memory (struct out *o, int fd)
{
  cleanup_free char *stat = slurp (fd, "memory.stat");
  cleanup_free char *events = slurp (fd, "memory.events");
  uint64_t usage = read_u64 (fd, "memory.current", 0);
  uint64_t limit = read_u64 (fd, "memory.max", 0);
  uint64_t swap = read_u64 (fd, "memory.swap.current", 0);
  uint64_t swap_limit = read_u64 (fd, "memory.swap.max", 0);
  /* runc reports swap as v1 did: memory plus swap. */
  if (swap_limit != UINT64_MAX)
    swap_limit += limit;
  open_map (o, "memory");
  u64_nz (o, "cache", kv (stat, "file"));
  memory_entry (o, "usage", limit, usage, read_u64 (fd, "memory.peak", 0),
                kv (events, "max"));
  memory_entry (o, "swap", swap_limit, swap + usage,
                read_u64 (fd, "memory.swap.peak", 0), 0);
  memory_entry (o, "kernel", 0, 0, 0, 0);
  memory_entry (o, "kernelTCP", 0, 0, 0, 0);
  gen_raw (o, stat);
  close_map (o);
}

static void
gen_pids (struct out *o, int fd)
{
  uint64_t current = read_u64 (fd, "pids.current", UINT64_MAX);
  uint64_t limit = read_u64 (fd, "pids.max", 0);
  if (current == UINT64_MAX)
    {
      /* No pids controller: count the processes, as runc does. */
      cleanup_free char *procs = slurp (fd, "cgroup.procs");
      current = 0;
      for (const char *p = procs; p && *p; p++)
        current += *p == '\n';
    }
  open_map (o, "pids");
  u64_nz (o, "current", current);
  u64_nz (o, "limit", limit == UINT64_MAX ? 0 : limit);
  close_map (o);
}

/* io.stat lines "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.." as runc's
 * v1-shaped lists: bytes into ioServiceBytesRecursive, ios into
 * ioServicedRecursive. */
static void
gen_blkio_list (struct out *o, const char *iostat, const char *name,
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
            {
              key (o, name);
              o->st |= yajl_gen_array_open (o->g);
              opened = true;
            }
          open_map (o, NULL);
          u64_nz (o, "major", maj);
          u64_nz (o, "minor", min);
          key (o, "op");
          o->st |= yajl_gen_string (o->g, (const unsigned char *) ops[k],
                                    strlen (ops[k]));
          u64_nz (o, "value", strtoull (at + strlen (pat), NULL, 10));
          close_map (o);
        }
    }
  if (opened)
    o->st |= yajl_gen_array_close (o->g);
}

/* hugetlb.<size>.current for each page size the cgroup has. */
static void
gen_hugetlb (struct out *o, int fd)
{
  open_map (o, "hugetlb");
  int dfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (d == NULL && dfd >= 0)
    close (dfd);
  cleanup_dir DIR *dir = d;
  struct dirent *e;
  while (dir && (e = readdir (dir)) != NULL)
    {
      const char *n = e->d_name;
      size_t len = strlen (n);
      if (strncmp (n, "hugetlb.", 8) != 0 || len < 17
          || strcmp (n + len - 8, ".current") != 0 || strstr (n, ".rsvd."))
        continue;
      char size[64], file[128];
      snprintf (size, sizeof size, "%.*s", (int) (len - 16), n + 8);
      snprintf (file, sizeof file, "hugetlb.%s.events", size);
      cleanup_free char *events = slurp (fd, file);
      open_map (o, size);
      u64_nz (o, "usage", read_u64 (fd, n, 0));
      u64 (o, "failcnt", kv (events, "max"));
      close_map (o);
    }
  close_map (o);
}

static void
gen_data (struct out *o, int fd)
{
  open_map (o, "data");
  gen_cpu (o, fd);
  gen_memory (o, fd);
  gen_pids (o, fd);
  cleanup_free char *iostat = slurp (fd, "io.stat");
  open_map (o, "blkio");
  gen_blkio_list (o, iostat, "ioServiceBytesRecursive", "rbytes", "wbytes");
  gen_blkio_list (o, iostat, "ioServicedRecursive", "rios", "wios");
  close_map (o);
  gen_hugetlb (o, fd);
  open_map (o, "intel_rdt");
  close_map (o);
  key (o, "network_interfaces");
  o->st |= yajl_gen_null (o->g);
  close_map (o);
}

int
mrc_cgroup_stats_json (const char *path, const char *id, char **json,
                       size_t *len, mrc_error_t *err)
{
  cleanup_close int fd = mrc_cgroup_open (path, err);
  if (fd < 0)
    return mrc_error_wrap (err, "cgroup: stats");
  struct out o = { yajl_gen_alloc (NULL), 0 };
  if (o.g == NULL)
    return mrc_fail_errno (err, "cgroup: stats");
  open_map (&o, NULL);
  key (&o, "type");
  o.st |= yajl_gen_string (o.g, (const unsigned char *) "stats", 5);
  key (&o, "id");
  o.st |= yajl_gen_string (o.g, (const unsigned char *) id, strlen (id));
  gen_data (&o, fd);
  close_map (&o);
  const unsigned char *buf;
  size_t n;
  if (o.st == 0)
    o.st |= yajl_gen_get_buf (o.g, &buf, &n);
  char *s = o.st == 0 ? strndup ((const char *) buf, n) : NULL;
  int saved = errno;
  yajl_gen_free (o.g);
  if (s == NULL)
    return mrc_error_set (err, o.st ? 0 : saved,
                          "cgroup: stats: generate the JSON");
  *json = s;
  *len = n;
  return 0;
}
