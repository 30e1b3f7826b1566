/* What the cgroup2 and v1 `events --stats` generators share (see
 * cgroup-internal.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "cgroup-internal.h"

void
mrc_cgroup_sg_key (struct mrc_cgroup_sg *o, const char *k)
{
  o->st |= yajl_gen_string (o->g, (const unsigned char *) k, strlen (k));
}

void
mrc_cgroup_sg_str (struct mrc_cgroup_sg *o, const char *k, const char *v)
{
  mrc_cgroup_sg_key (o, k);
  o->st |= yajl_gen_string (o->g, (const unsigned char *) v, strlen (v));
}

static void
number (struct mrc_cgroup_sg *o, const char *k, const char *buf, int n)
{
  if (k)
    mrc_cgroup_sg_key (o, k);
  o->st |= yajl_gen_number (o->g, buf, (size_t) n);
}

void
mrc_cgroup_sg_u64 (struct mrc_cgroup_sg *o, const char *k, uint64_t v)
{
  char buf[32];
  number (o, k, buf, snprintf (buf, sizeof buf, "%" PRIu64, v));
}

void
mrc_cgroup_sg_u64_nz (struct mrc_cgroup_sg *o, const char *k, uint64_t v)
{
  if (v != 0)
    mrc_cgroup_sg_u64 (o, k, v);
}

void
mrc_cgroup_sg_i64 (struct mrc_cgroup_sg *o, const char *k, int64_t v)
{
  char buf[32];
  number (o, k, buf, snprintf (buf, sizeof buf, "%" PRId64, v));
}

void
mrc_cgroup_sg_open_map (struct mrc_cgroup_sg *o, const char *k)
{
  if (k)
    mrc_cgroup_sg_key (o, k);
  o->st |= yajl_gen_map_open (o->g);
}

void
mrc_cgroup_sg_close_map (struct mrc_cgroup_sg *o)
{
  o->st |= yajl_gen_map_close (o->g);
}

void
mrc_cgroup_sg_open_array (struct mrc_cgroup_sg *o, const char *k)
{
  mrc_cgroup_sg_key (o, k);
  o->st |= yajl_gen_array_open (o->g);
}

void
mrc_cgroup_sg_close_array (struct mrc_cgroup_sg *o)
{
  o->st |= yajl_gen_array_close (o->g);
}

int
mrc_cgroup_sg_begin (struct mrc_cgroup_sg *o, const char *id,
                     mrc_error_t *err)
{
  o->g = yajl_gen_alloc (NULL);
  o->st = 0;
  if (o->g == NULL)
    return mrc_fail_errno (err, "cgroup: stats");
  mrc_cgroup_sg_open_map (o, NULL);
  mrc_cgroup_sg_str (o, "type", "stats");
  mrc_cgroup_sg_str (o, "id", id);
  mrc_cgroup_sg_open_map (o, "data");
  return 0;
}

int
mrc_cgroup_sg_end (struct mrc_cgroup_sg *o, char **json, size_t *len,
                   mrc_error_t *err)
{
  mrc_cgroup_sg_open_map (o, "intel_rdt");
  mrc_cgroup_sg_close_map (o);
  mrc_cgroup_sg_key (o, "network_interfaces");
  o->st |= yajl_gen_null (o->g);
  mrc_cgroup_sg_close_map (o);
  mrc_cgroup_sg_close_map (o);
  const unsigned char *buf;
  size_t n = 0;
  if (o->st == 0)
    o->st |= yajl_gen_get_buf (o->g, &buf, &n);
  char *s = o->st == 0 ? strndup ((const char *) buf, n) : NULL;
  int saved = errno;
  yajl_gen_free (o->g);
  o->g = NULL;
  if (s == NULL)
    return mrc_error_set (err, o->st ? 0 : saved,
                          "cgroup: stats: generate the JSON");
  *json = s;
  *len = n;
  return 0;
}

char *
mrc_cgroup_sg_slurp (int dirfd, const char *file)
{
  char *text = NULL;
  mrc_error_t ignored = NULL;
  if (dirfd < 0)
    return NULL;
  if (mrc_cgroup_read (dirfd, file, &text, &ignored) < 0)
    mrc_error_free (&ignored);
  return text;
}

uint64_t
mrc_cgroup_sg_read_u64 (int dirfd, const char *file, uint64_t missing)
{
  cleanup_free char *t = mrc_cgroup_sg_slurp (dirfd, file);
  if (t == NULL)
    return missing;
  if (strncmp (t, "max", 3) == 0)
    return UINT64_MAX;
  return strtoull (t, NULL, 10);
}

uint64_t
mrc_cgroup_sg_kv (const char *text, const char *key)
{
  uint64_t v = 0;
  if (text)
    mrc_cgroup_kv_get (text, key, &v);
  return v;
}

void
mrc_cgroup_sg_memory_entry (struct mrc_cgroup_sg *o, const char *k,
                            uint64_t limit, uint64_t usage, uint64_t max,
                            uint64_t failcnt)
{
  mrc_cgroup_sg_open_map (o, k);
  mrc_cgroup_sg_u64 (o, "limit", limit);
  mrc_cgroup_sg_u64_nz (o, "usage", usage);
  mrc_cgroup_sg_u64_nz (o, "max", max);
  mrc_cgroup_sg_u64 (o, "failcnt", failcnt);
  mrc_cgroup_sg_close_map (o);
}

void
mrc_cgroup_sg_raw (struct mrc_cgroup_sg *o, const char *stat)
{
  if (stat == NULL || *stat == '\0')
    return;
  mrc_cgroup_sg_open_map (o, "raw");
  for (const char *p = stat; *p;)
    {
      const char *sp = strchr (p, ' '), *eol = strchrnul (p, '\n');
      if (sp && sp < eol)
        {
          char name[128];
          snprintf (name, sizeof name, "%.*s", (int) (sp - p), p);
          mrc_cgroup_sg_u64 (o, name, strtoull (sp + 1, NULL, 10));
        }
      p = *eol ? eol + 1 : eol;
    }
  mrc_cgroup_sg_close_map (o);
}

/* A cpuset list file ("0-3,8\n") as K: [0,1,2,3,8], as runc expands it
 * (numbers up to 65535); left out when absent or empty.  A part that
 * does not parse is skipped. */
static void
cpuset_list (struct mrc_cgroup_sg *o, int fd, const char *file, const char *k)
{
  cleanup_free char *text = mrc_cgroup_sg_slurp (fd, file);
  bool opened = false;
  for (char *p = text, *part; p && (part = strsep (&p, ",\n"));)
    {
      unsigned lo, hi;
      int got = sscanf (part, "%u-%u", &lo, &hi);
      if (got == 1)
        hi = lo;
      if (got < 1 || lo > hi || hi > UINT16_MAX)
        continue;
      if (!opened)
        mrc_cgroup_sg_open_array (o, k);
      opened = true;
      for (unsigned c = lo; c <= hi; c++)
        mrc_cgroup_sg_u64 (o, NULL, c);
    }
  if (opened)
    mrc_cgroup_sg_close_array (o);
}

/* A signed one-number file (sched_relax_domain_level is -1 by default). */
static int64_t
read_i64 (int fd, const char *file)
{
  cleanup_free char *t = mrc_cgroup_sg_slurp (fd, file);
  return t ? strtoll (t, NULL, 10) : 0;
}

void
mrc_cgroup_sg_cpuset (struct mrc_cgroup_sg *o, int fd)
{
  /* runc's types.CPUSet, in its order; LIST marks the two lists. */
  static const struct
  {
    const char *key;
    bool list;
  } fields[] = {
    { "cpus", true },
    { "cpu_exclusive", false },
    { "mems", true },
    { "mem_hardwall", false },
    { "mem_exclusive", false },
    { "memory_migrate", false },
    { "memory_spread_page", false },
    { "memory_spread_slab", false },
    { "memory_pressure", false },
    { "sched_load_balance", false },
    { "sched_relax_domain_level", false },
  };
  mrc_cgroup_sg_open_map (o, "cpuset");
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    {
      char file[64];
      snprintf (file, sizeof file, "cpuset.%s", fields[i].key);
      if (fields[i].list)
        cpuset_list (o, fd, file, fields[i].key);
      else
        mrc_cgroup_sg_i64 (o, fields[i].key, read_i64 (fd, file));
    }
  mrc_cgroup_sg_close_map (o);
}

void
mrc_cgroup_sg_pids (struct mrc_cgroup_sg *o, int pids_fd, int procs_fd)
{
  uint64_t current = mrc_cgroup_sg_read_u64 (pids_fd, "pids.current",
                                             UINT64_MAX);
  uint64_t limit = mrc_cgroup_sg_read_u64 (pids_fd, "pids.max", 0);
  if (current == UINT64_MAX)
    {
      cleanup_free char *procs = mrc_cgroup_sg_slurp (procs_fd,
                                                      "cgroup.procs");
      current = 0;
      for (const char *p = procs; p && *p; p++)
        current += *p == '\n';
    }
  mrc_cgroup_sg_open_map (o, "pids");
  mrc_cgroup_sg_u64_nz (o, "current", current);
  mrc_cgroup_sg_u64_nz (o, "limit", limit == UINT64_MAX ? 0 : limit);
  mrc_cgroup_sg_close_map (o);
}

void
mrc_cgroup_sg_blkio_entry (struct mrc_cgroup_sg *o, unsigned major,
                           unsigned minor, const char *op, uint64_t value)
{
  mrc_cgroup_sg_open_map (o, NULL);
  mrc_cgroup_sg_u64_nz (o, "major", major);
  mrc_cgroup_sg_u64_nz (o, "minor", minor);
  if (op && *op)
    mrc_cgroup_sg_str (o, "op", op);
  mrc_cgroup_sg_u64_nz (o, "value", value);
  mrc_cgroup_sg_close_map (o);
}

void
mrc_cgroup_sg_hugetlb_entry (struct mrc_cgroup_sg *o, const char *size,
                             uint64_t usage, uint64_t max, uint64_t failcnt)
{
  mrc_cgroup_sg_open_map (o, size);
  mrc_cgroup_sg_u64_nz (o, "usage", usage);
  mrc_cgroup_sg_u64_nz (o, "max", max);
  mrc_cgroup_sg_u64 (o, "failcnt", failcnt);
  mrc_cgroup_sg_close_map (o);
}

void
mrc_cgroup_sg_hugetlb (struct mrc_cgroup_sg *o, int fd, const char *suffix,
                       void (*one) (struct mrc_cgroup_sg *o, int fd,
                                    const char *size))
{
  mrc_cgroup_sg_open_map (o, "hugetlb");
  /* A fresh open: readdir must not move FD's own offset. */
  int dfd = fd >= 0 ? openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                    : -1;
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  if (d == NULL && dfd >= 0)
    close (dfd);
  cleanup_dir DIR *dir = d;
  size_t sl = strlen (suffix);
  struct dirent *e;
  while (dir && (e = readdir (dir)) != NULL)
    {
      const char *n = e->d_name;
      size_t len = strlen (n);
      if (strncmp (n, "hugetlb.", 8) != 0 || len <= 8 + sl
          || strcmp (n + len - sl, suffix) != 0 || strstr (n, ".rsvd."))
        continue;
      char size[64];
      snprintf (size, sizeof size, "%.*s", (int) (len - 8 - sl), n + 8);
      one (o, fd, size);
    }
  mrc_cgroup_sg_close_map (o);
}
