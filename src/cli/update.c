/* update: new limits for a running container, from a LinuxResources JSON
 * (--resources FILE, or - for stdin) and/or runc's flags, which win. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"
#include "mrc/file.h"

struct update_flags
{
  const char *resources;
  const char *memory, *memory_reservation, *memory_swap, *kernel_memory;
  const char *cpu_shares, *cpu_quota, *cpu_period, *cpu_rt_period,
      *cpu_rt_runtime, *cpuset_cpus, *cpuset_mems;
  const char *pids_limit, *blkio_weight;
};

/* A number with an optional binary suffix (k, m, g, t; b ignored), or -1
 * for unlimited where it applies. */
static int
parse_size (const char *flag, const char *s, int64_t *out, mrc_error_t *err)
{
  static const struct
  {
    char c;
    int shift;
  } suffixes[] = { { 'k', 10 }, { 'm', 20 }, { 'g', 30 }, { 't', 40 } };
  char *end;
  errno = 0;
  long long v = strtoll (s, &end, 10);
  if (end == s || errno)
    goto bad;
  int shift = 0;
  for (size_t i = 0; *end && i < sizeof suffixes / sizeof suffixes[0]; i++)
    if ((*end | 0x20) == suffixes[i].c)
      {
        shift = suffixes[i].shift;
        end++;
        break;
      }
  if ((*end | 0x20) == 'b')
    end++;
  if (*end || v < -1 || (v == -1 && shift))
    goto bad;
  if (shift && v > (INT64_MAX >> shift))
    goto bad;
  *out = v == -1 ? -1 : (int64_t) ((uint64_t) v << shift);
  return 0;
bad:
  return mrc_fail (err, "update: invalid --%s `%s`", flag, s);
}

static int
load_file (const char *path, struct mrc_resources **r, mrc_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len;
  int rr = strcmp (path, "-") == 0
               ? mrc_read_fd_all (STDIN_FILENO, "stdin", MRC_SPEC_MAX_BYTES,
                                  &buf, &len, err)
               : mrc_read_file_at (AT_FDCWD, path, MRC_SPEC_MAX_BYTES, &buf,
                                   &len, err);
  if (rr < 0)
    return mrc_error_wrap (err, "update: --resources");
  const char *name = strcmp (path, "-") == 0 ? "resources" : path;
  if (mrc_spec_parse_resources (buf, len, name, r, err) < 0
      || mrc_spec_validate_resources (*r, name, err) < 0)
    return -1;
  return 0;
}

static int
flags_memory (const struct update_flags *f, struct mrc_resources *r,
              mrc_error_t *err)
{
  const struct
  {
    const char *flag, *value;
    size_t has, val;
  } map[] = {
    { "memory", f->memory, offsetof (struct mrc_memory, has_limit),
      offsetof (struct mrc_memory, limit) },
    { "memory-reservation", f->memory_reservation,
      offsetof (struct mrc_memory, has_reservation),
      offsetof (struct mrc_memory, reservation) },
    { "memory-swap", f->memory_swap, offsetof (struct mrc_memory, has_swap),
      offsetof (struct mrc_memory, swap) },
    { "kernel-memory", f->kernel_memory,
      offsetof (struct mrc_memory, has_kernel),
      offsetof (struct mrc_memory, kernel) },
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    {
      if (map[i].value == NULL)
        continue;
      if (r->memory == NULL && (r->memory = calloc (1, sizeof *r->memory)) == NULL)
        return mrc_fail_errno (err, "update");
      int64_t v;
      if (parse_size (map[i].flag, map[i].value, &v, err) < 0)
        return -1;
      *(bool *) ((char *) r->memory + map[i].has) = true;
      *(int64_t *) ((char *) r->memory + map[i].val) = v;
    }
  return 0;
}

static int
parse_u64 (const char *flag, const char *s, uint64_t *out, mrc_error_t *err)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull (s, &end, 10);
  if (*s == '\0' || *s == '-' || *end || errno)
    return mrc_fail (err, "update: invalid --%s `%s`", flag, s);
  *out = v;
  return 0;
}

static int
flags_cpu (const struct update_flags *f, struct mrc_resources *r,
           mrc_error_t *err)
{
  if (!(f->cpu_shares || f->cpu_quota || f->cpu_period || f->cpu_rt_period
        || f->cpu_rt_runtime || f->cpuset_cpus || f->cpuset_mems))
    return 0;
  if (r->cpu == NULL && (r->cpu = calloc (1, sizeof *r->cpu)) == NULL)
    return mrc_fail_errno (err, "update");
  struct mrc_cpu *c = r->cpu;
  int64_t q;
  if ((f->cpu_shares
       && (parse_u64 ("cpu-share", f->cpu_shares, &c->shares, err) < 0
           || !(c->has_shares = true)))
      || (f->cpu_period
          && (parse_u64 ("cpu-period", f->cpu_period, &c->period, err) < 0
              || !(c->has_period = true)))
      || (f->cpu_rt_period
          && (parse_u64 ("cpu-rt-period", f->cpu_rt_period,
                         &c->realtime_period, err)
                  < 0
              || !(c->has_realtime_period = true))))
    return -1;
  if (f->cpu_quota)
    {
      if (parse_size ("cpu-quota", f->cpu_quota, &q, err) < 0)
        return -1;
      c->has_quota = true;
      c->quota = q;
    }
  if (f->cpu_rt_runtime)
    {
      if (parse_size ("cpu-rt-runtime", f->cpu_rt_runtime, &q, err) < 0)
        return -1;
      c->has_realtime_runtime = true;
      c->realtime_runtime = q;
    }
  if ((f->cpuset_cpus && (free (c->cpus), !(c->cpus = strdup (f->cpuset_cpus))))
      || (f->cpuset_mems
          && (free (c->mems), !(c->mems = strdup (f->cpuset_mems)))))
    return mrc_fail_errno (err, "update");
  return 0;
}

static int
flags_other (const struct update_flags *f, struct mrc_resources *r,
             mrc_error_t *err)
{
  if (f->pids_limit)
    {
      int64_t v;
      if (parse_size ("pids-limit", f->pids_limit, &v, err) < 0)
        return -1;
      r->has_pids_limit = true;
      r->pids_limit = v;
    }
  if (f->blkio_weight)
    {
      uint64_t w;
      if (parse_u64 ("blkio-weight", f->blkio_weight, &w, err) < 0)
        return -1;
      if (w < 10 || w > 1000)
        return mrc_fail (err, "update: --blkio-weight `%s` is not in "
                              "[10, 1000]", f->blkio_weight);
      if (r->block_io == NULL
          && (r->block_io = calloc (1, sizeof *r->block_io)) == NULL)
        return mrc_fail_errno (err, "update");
      r->block_io->has_weight = true;
      r->block_io->weight = (uint16_t) w;
    }
  return 0;
}

int
mrc_cli_update (const struct mrc_globals *g, int argc, char **argv,
                mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "update", "[OPTIONS] CONTAINER-ID",
    "Change the resource limits of a running container.", 1, 1, false, NULL,
  };
  struct update_flags f = { 0 };
  const struct mrc_opt opts[] = {
    { "resources", 'r', MRC_OPT_STRING, &f.resources, "FILE",
      "LinuxResources JSON (`-`: stdin); the flags below win over it" },
    { "memory", 'm', MRC_OPT_STRING, &f.memory, "BYTES",
      "memory limit (k, m, g suffixes; -1: none)" },
    { "memory-reservation", 0, MRC_OPT_STRING, &f.memory_reservation, "BYTES",
      "memory soft limit" },
    { "memory-swap", 0, MRC_OPT_STRING, &f.memory_swap, "BYTES",
      "memory plus swap limit" },
    { "kernel-memory", 0, MRC_OPT_STRING, &f.kernel_memory, "BYTES",
      "kernel memory limit (cgroup v1 where the kernel has it; ignored on v2)" },
    { "cpu-share", 0, MRC_OPT_STRING, &f.cpu_shares, "N",
      "CPU shares (relative weight)" },
    { "cpu-shares", 0, MRC_OPT_STRING, &f.cpu_shares, "N", "same as --cpu-share" },
    { "cpu-quota", 0, MRC_OPT_STRING, &f.cpu_quota, "USEC",
      "CPU time per period (-1: none)" },
    { "cpu-period", 0, MRC_OPT_STRING, &f.cpu_period, "USEC",
      "CPU CFS period" },
    { "cpu-rt-period", 0, MRC_OPT_STRING, &f.cpu_rt_period, "USEC",
      "realtime period (cgroup v1; refused on v2, which has none)" },
    { "cpu-rt-runtime", 0, MRC_OPT_STRING, &f.cpu_rt_runtime, "USEC",
      "realtime runtime (cgroup v1; refused on v2, which has none)" },
    { "cpuset-cpus", 0, MRC_OPT_STRING, &f.cpuset_cpus, "LIST",
      "CPUs allowed (0-3,7)" },
    { "cpuset-mems", 0, MRC_OPT_STRING, &f.cpuset_mems, "LIST",
      "memory nodes allowed" },
    { "pids-limit", 0, MRC_OPT_STRING, &f.pids_limit, "N",
      "maximum number of processes (-1: none)" },
    { "blkio-weight", 0, MRC_OPT_STRING, &f.blkio_weight, "N",
      "block IO weight, 10 to 1000" },
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  cleanup_resources struct mrc_resources *res = NULL;
  if (f.resources)
    r = load_file (f.resources, &res, err);
  else if ((res = calloc (1, sizeof *res)) == NULL)
    r = mrc_fail_errno (err, "update");
  if (r == 0 && (flags_memory (&f, res, err) < 0 || flags_cpu (&f, res, err) < 0
                 || flags_other (&f, res, err) < 0))
    r = -1;
  if (r == 0)
    r = mrc_container_update (g, pos[0], res, err);
  return r < 0 ? 1 : 0;
}
