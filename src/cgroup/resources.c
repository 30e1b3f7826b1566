/* linux.resources -> the cgroup v2 files to write, with the conversions
 * runc and crun use (the OCI fields were designed for cgroup v1).  Pure:
 * the result is a list of (file, value) writes that apply.c performs. */
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
#define DEFAULT_WEIGHT_FILE "io.bfq.weight"

static const char *const controllers[]
    = { "cpu", "cpuset", "io", "memory", "hugetlb", "pids", "rdma", "misc",
        NULL };

/* Written by the runtime itself: a unified key must not reach them. */
static const char *const reserved_files[]
    = { "cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
        "cgroup.kill", "cgroup.freeze", NULL };

const char *
mrc_cgroup_file_controller (const char *file)
{
  size_t len = strcspn (file, ".");
  if (file[len] != '.')
    return NULL;
  for (size_t i = 0; controllers[i]; i++)
    if (strlen (controllers[i]) == len
        && strncmp (controllers[i], file, len) == 0)
      return controllers[i];
  return NULL;
}

/* cpu.shares [2, 262144] -> cpu.weight [1, 10000], linearly as runc. */
uint64_t
mrc_cgroup_shares_to_weight (uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

/* blkio.weight [10, 1000] -> io.weight [1, 10000]. */
uint64_t
mrc_cgroup_blkio_to_io_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

int
mrc_cgroup_swap_value (int64_t swap, int64_t limit, int64_t *out, bool *set,
                       mrc_error_t *err)
{
  *set = true;
  /* cgroup v1 compatibility: unlimited memory with swap not given means
     unlimited swap too. */
  if (limit == -1 && swap == 0)
    return *out = -1, 0;
  if (swap == -1 || limit == -1)
    return *out = swap, 0;
  if (swap == 0)
    return *set = false, *out = 0, 0;
  if (limit == 0)
    return mrc_fail (err, "cgroup: " R "memory.swap needs "
                          "linux.resources.memory.limit");
  if (limit < 0 || swap < -1)
    return mrc_fail (err, "cgroup: invalid " R "memory value `%" PRId64 "`",
                     limit < 0 ? limit : swap);
  if (swap < limit)
    return mrc_fail (err,
                     "cgroup: " R "memory.swap `%" PRId64 "` (memory plus "
                     "swap) is below " R "memory.limit `%" PRId64 "`",
                     swap, limit);
  *out = swap - limit;
  return 0;
}

int
mrc_cgroup_plan_add (struct mrc_cgroup_plan *p, const char *ctrl,
                     const char *what, const char *file, unsigned flags,
                     const char *fmt, ...)
{
  struct mrc_cgroup_write *n = realloc (p->w, (p->n + 1) * sizeof *n);
  if (n == NULL)
    return -1;
  p->w = n;
  struct mrc_cgroup_write *w = &p->w[p->n];
  memset (w, 0, sizeof *w);
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&w->value, fmt, ap);
  va_end (ap);
  if (r < 0)
    return w->value = NULL, -1;
  w->what = strdup (what);
  w->file = strdup (file);
  w->controller = ctrl;
  w->flags = flags;
  p->n++;
  return w->what && w->file ? 0 : -1;
}

/* The fallback of the last write. */
static int __attribute__ ((format (printf, 3, 4)))
set_alt (struct mrc_cgroup_plan *p, const char *file, const char *fmt, ...)
{
  struct mrc_cgroup_write *w = &p->w[p->n - 1];
  va_list ap;
  va_start (ap, fmt);
  int r = vasprintf (&w->alt_value, fmt, ap);
  va_end (ap);
  if (r < 0)
    return w->alt_value = NULL, -1;
  w->alt_file = strdup (file);
  return w->alt_file ? 0 : -1;
}

/* -1 (or any negative) means no limit: "max". */
static int
add_limit (struct mrc_cgroup_plan *p, const char *ctrl, const char *what,
           const char *file, int64_t v)
{
  if (v < 0)
    return mrc_cgroup_plan_add (p, ctrl, what, file, 0, "max");
  return mrc_cgroup_plan_add (p, ctrl, what, file, 0, "%" PRId64, v);
}

static int
plan_memory (const struct mrc_memory *m, struct mrc_cgroup_plan *p,
             mrc_error_t *err)
{
  int64_t limit = m->has_limit ? m->limit : 0, swap;
  bool set;
  if (mrc_cgroup_swap_value (m->has_swap ? m->swap : 0, limit, &swap, &set,
                             err)
      < 0)
    return -1;
  /* Kernels without swap accounting have no memory.swap.max: asking for
     no swap limit, or for no swap at all, is then already satisfied. */
  unsigned sflags = swap <= 0 ? MRC_CGW_OPTIONAL : 0;
  /* the field the caller set: a swap value derived from the limit alone
     is the limit's doing */
  const char *swhat = m->has_swap && m->swap != 0 ? R "memory.swap"
                                                  : R "memory.limit";
  if (set && swap < 0
      && mrc_cgroup_plan_add (p, "memory", swhat, "memory.swap.max", sflags,
                               "max")
             < 0)
    return -2;
  if (set && swap >= 0
      && mrc_cgroup_plan_add (p, "memory", swhat, "memory.swap.max", sflags,
              "%" PRId64, swap)
             < 0)
    return -2;
  if (limit != 0
      && add_limit (p, "memory", R "memory.limit", "memory.max", limit) < 0)
    return -2;
  if (m->has_reservation && m->reservation != 0
      && add_limit (p, "memory", R "memory.reservation", "memory.low",
                    m->reservation)
             < 0)
    return -2;
  if (m->has_check_before_update && m->check_before_update && limit > 0)
    p->check_limit = limit;
  return 0;
}

int
mrc_cgroup_plan_cpuset (const struct mrc_cpu *c, struct mrc_cgroup_plan *p)
{
  if (c->cpus && *c->cpus
      && mrc_cgroup_plan_add (p, "cpuset", R "cpu.cpus", "cpuset.cpus", 0,
                              "%s", c->cpus) < 0)
    return -2;
  if (c->mems && *c->mems
      && mrc_cgroup_plan_add (p, "cpuset", R "cpu.mems", "cpuset.mems", 0,
                              "%s", c->mems) < 0)
    return -2;
  return 0;
}

static int
plan_cpu (const struct mrc_cpu *c, struct mrc_cgroup_plan *p,
          mrc_error_t *err)
{
  if ((c->has_realtime_runtime && c->realtime_runtime != 0)
      || (c->has_realtime_period && c->realtime_period != 0))
    return mrc_fail (err, "cgroup: " R "cpu.realtimeRuntime and "
                          "realtimePeriod are not supported on cgroup v2");
  if (c->has_idle && mrc_cgroup_plan_add (p, "cpu", R "cpu.idle", "cpu.idle", 0,
                          "%" PRId64, c->idle) < 0)
    return -2;
  if (c->has_shares && c->shares != 0
      && mrc_cgroup_plan_add (p, "cpu", R "cpu.shares", "cpu.weight", 0, "%" PRIu64,
              mrc_cgroup_shares_to_weight (c->shares))
             < 0)
    return -2;
  /* The burst may not exceed the quota: written first, and again after
     cpu.max when the new quota is what makes it fit. */
  if (c->has_burst && mrc_cgroup_plan_add (p, "cpu", R "cpu.burst", "cpu.max.burst",
                           MRC_CGW_RETRY_LAST, "%" PRIu64, c->burst) < 0)
    return -2;
  int64_t quota = c->has_quota ? c->quota : 0;
  uint64_t period = c->has_period ? c->period : 0;
  if (quota != 0 || period != 0)
    {
      char q[32] = "max", per[32] = "";
      if (quota > 0)
        snprintf (q, sizeof q, "%" PRId64, quota);
      /* Without a period the kernel keeps the current one. */
      if (period != 0)
        snprintf (per, sizeof per, " %" PRIu64, period);
      if (mrc_cgroup_plan_add (p, "cpu", quota != 0 ? R "cpu.quota" : R "cpu.period",
               "cpu.max", 0, "%s%s", q, per) < 0)
        return -2;
    }
  return mrc_cgroup_plan_cpuset (c, p);
}

/* v1's throttle rate 0 means "no limit", which v2 spells "max". */
static void
fmt_rate (char *buf, size_t size, const char *key, uint64_t rate)
{
  if (rate == 0)
    snprintf (buf, size, " %s=max", key);
  else
    snprintf (buf, size, " %s=%" PRIu64, key, rate);
}

struct throttle_list
{
  const char *key;
  const struct mrc_throttle_device *d;
  size_t n;
};

static bool
same_dev (const struct mrc_throttle_device *a,
          const struct mrc_throttle_device *b)
{
  return a->major == b->major && a->minor == b->minor;
}

/* Whether entry I of list K names a device met earlier. */
static bool
seen_before (const struct throttle_list *t, size_t k, size_t i)
{
  for (size_t pk = 0; pk <= k; pk++)
    for (size_t j = 0; j < (pk == k ? i : t[pk].n); j++)
      if (same_dev (&t[pk].d[j], &t[k].d[i]))
        return true;
  return false;
}

/* io.max takes one line per device: every limit of a device goes into one
 * line, the last entry of each kind winning. */
static int
plan_io_max (const struct mrc_block_io *b, struct mrc_cgroup_plan *p)
{
  const struct throttle_list t[] = {
    { "rbps", b->throttle_read_bps_device, b->n_throttle_read_bps_device },
    { "wbps", b->throttle_write_bps_device, b->n_throttle_write_bps_device },
    { "riops", b->throttle_read_iops_device,
      b->n_throttle_read_iops_device },
    { "wiops", b->throttle_write_iops_device,
      b->n_throttle_write_iops_device },
  };
  size_t nk = sizeof t / sizeof t[0];
  for (size_t k = 0; k < nk; k++)
    for (size_t i = 0; i < t[k].n; i++)
      {
        const struct mrc_throttle_device *d = &t[k].d[i];
        if (seen_before (t, k, i))
          continue;
        char line[256] = "", part[64];
        for (size_t k2 = 0; k2 < nk; k2++)
          {
            const struct mrc_throttle_device *last = NULL;
            for (size_t j = 0; j < t[k2].n; j++)
              if (same_dev (&t[k2].d[j], d))
                last = &t[k2].d[j];
            if (last == NULL)
              continue;
            fmt_rate (part, sizeof part, t[k2].key, last->rate);
            strcat (line, part);
          }
        if (mrc_cgroup_plan_add (p, "io", R "blockIO.throttle", "io.max", 0,
                 "%" PRId64 ":%" PRId64 "%s", d->major, d->minor, line)
            < 0)
          return -2;
      }
  return 0;
}

static int
plan_io (const struct mrc_block_io *b, struct mrc_cgroup_plan *p)
{
  /* io.bfq.weight takes v1's blkio weight range as is; without BFQ,
     io.weight gets it converted to its own range. */
  if (b->has_weight && b->weight != 0)
    {
      if (mrc_cgroup_plan_add (p, "io", R "blockIO.weight", DEFAULT_WEIGHT_FILE, 0, "%u",
               (unsigned) b->weight) < 0
          || set_alt (p, "io.weight", "%" PRIu64,
                      mrc_cgroup_blkio_to_io_weight (b->weight)) < 0)
        return -2;
    }
  for (size_t i = 0; i < b->n_weight_device; i++)
    {
      const struct mrc_weight_device *d = &b->weight_device[i];
      if (!d->has_weight || d->weight == 0)
        continue;
      if (mrc_cgroup_plan_add (p, "io", R "blockIO.weightDevice", DEFAULT_WEIGHT_FILE, 0,
               "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
               (unsigned) d->weight) < 0
          || set_alt (p, "io.weight", "%" PRId64 ":%" PRId64 " %" PRIu64,
                      d->major, d->minor,
                      mrc_cgroup_blkio_to_io_weight (d->weight)) < 0)
        return -2;
    }
  return plan_io_max (b, p);
}

bool
mrc_cgroup_plain_name (const char *s)
{
  return s && *s && strcmp (s, ".") != 0 && strcmp (s, "..") != 0
         && strpbrk (s, "/ \t\n") == NULL;
}

int
mrc_cgroup_plan_rdma (const struct mrc_resources *r,
                      struct mrc_cgroup_plan *p, mrc_error_t *err)
{
  for (size_t i = 0; i < r->n_rdma; i++)
    {
      const struct mrc_rdma *d = &r->rdma[i];
      if (!mrc_cgroup_plain_name (d->name))
        return mrc_fail (err, "cgroup: invalid " R "rdma device `%s`",
                         d->name ? d->name : "");
      char h[40] = "", o[40] = "";
      if (d->has_hca_handles)
        snprintf (h, sizeof h, " hca_handle=%" PRIu32, d->hca_handles);
      if (d->has_hca_objects)
        snprintf (o, sizeof o, " hca_object=%" PRIu32, d->hca_objects);
      if ((*h || *o)
          && mrc_cgroup_plan_add (p, "rdma", R "rdma", "rdma.max", 0, "%s%s%s", d->name, h,
                  o) < 0)
        return -2;
    }
  return 0;
}

int
mrc_cgroup_plan_hugetlb (const struct mrc_resources *r, const char *suffix,
                         struct mrc_cgroup_plan *p, mrc_error_t *err)
{
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      const struct mrc_hugepage_limit *h = &r->hugepage_limits[i];
      if (!mrc_cgroup_plain_name (h->page_size))
        return mrc_fail (err, "cgroup: invalid " R "hugepageLimits "
                              "pageSize `%s`",
                         h->page_size ? h->page_size : "");
      char file[128];
      snprintf (file, sizeof file, "hugetlb.%s.%s", h->page_size, suffix);
      if (mrc_cgroup_plan_add (p, "hugetlb", R "hugepageLimits", file, 0,
                               "%" PRIu64, h->limit) < 0)
        return -2;
      /* Reservations are limited too where the kernel (5.7) has them. */
      snprintf (file, sizeof file, "hugetlb.%s.rsvd.%s", h->page_size, suffix);
      if (mrc_cgroup_plan_add (p, "hugetlb", R "hugepageLimits", file,
                               MRC_CGW_OPTIONAL, "%" PRIu64, h->limit) < 0)
        return -2;
    }
  return 0;
}

static int
plan_hugetlb_rdma (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
                   mrc_error_t *err)
{
  int rc = mrc_cgroup_plan_hugetlb (r, "max", p, err);
  return rc < 0 ? rc : mrc_cgroup_plan_rdma (r, p, err);
}

static int
plan_unified (const struct mrc_resources *r, struct mrc_cgroup_plan *p,
              mrc_error_t *err)
{
  for (size_t i = 0; i < r->n_unified; i++)
    {
      const struct mrc_kv *kv = &r->unified[i];
      if (!mrc_cgroup_plain_name (kv->key))
        return mrc_fail (err, "cgroup: " R "unified: `%s` is not a cgroup "
                              "file name",
                         kv->key ? kv->key : "");
      for (size_t j = 0; reserved_files[j]; j++)
        if (strcmp (kv->key, reserved_files[j]) == 0)
          return mrc_fail (err, "cgroup: " R "unified: `%s` is managed by "
                                "mini-runc",
                           kv->key);
      char what[300];
      snprintf (what, sizeof what, R "unified.%s", kv->key);
      if (mrc_cgroup_plan_add (p, mrc_cgroup_file_controller (kv->key), what, kv->key, 0,
               "%s", kv->value ? kv->value : "") < 0)
        return -2;
    }
  return 0;
}

int
mrc_cgroup_plan_build (const struct mrc_resources *r,
                       struct mrc_cgroup_plan *out, mrc_error_t *err)
{
  struct mrc_cgroup_plan p = { NULL, 0, 0, "memory.current" };
  int rc = 0;
  if (r && r->memory)
    rc = plan_memory (r->memory, &p, err);
  if (rc == 0 && r && r->cpu)
    rc = plan_cpu (r->cpu, &p, err);
  /* pids.limit 0 is "not set", as runc has it (podman 4.3 writes 0 for
     --pids-limit -1): a new cgroup stays unlimited, an update leaves the
     limit alone.  Negative is "max". */
  if (rc == 0 && r && r->has_pids_limit && r->pids_limit != 0)
    rc = add_limit (&p, "pids", R "pids.limit", "pids.max", r->pids_limit)
                 < 0
             ? -2
             : 0;
  if (rc == 0 && r && r->block_io)
    rc = plan_io (r->block_io, &p);
  if (rc == 0 && r)
    rc = plan_hugetlb_rdma (r, &p, err);
  /* Last, so a unified value overrides a typed field, as in runc. */
  if (rc == 0 && r)
    rc = plan_unified (r, &p, err);
  if (rc == -2)
    mrc_fail_errno (err, "cgroup: convert " R "to cgroup v2");
  if (rc < 0)
    {
      mrc_cgroup_plan_free (&p);
      return -1;
    }
  *out = p;
  return 0;
}

void
mrc_cgroup_plan_free (struct mrc_cgroup_plan *p)
{
  for (size_t i = 0; p && i < p->n; i++)
    {
      free (p->w[i].what);
      free (p->w[i].file);
      free (p->w[i].value);
      free (p->w[i].alt_file);
      free (p->w[i].alt_value);
    }
  if (p)
    {
      free (p->w);
      p->w = NULL;
      p->n = 0;
    }
}

void
mrc_cgroup_plan_filter (struct mrc_cgroup_plan *p,
                        bool (*keep) (void *ctx, const char *ctrl), void *ctx)
{
  size_t k = 0;
  for (size_t i = 0; i < p->n; i++)
    {
      struct mrc_cgroup_write *w = &p->w[i];
      if (keep (ctx, w->controller))
        {
          p->w[k++] = *w;
          continue;
        }
      free (w->what);
      free (w->file);
      free (w->value);
      free (w->alt_file);
      free (w->alt_value);
    }
  p->n = k;
}
