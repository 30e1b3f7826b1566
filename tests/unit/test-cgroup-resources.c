/* linux.resources -> cgroup v2 writes: runc's conversions (shares, swap,
 * blkio weight), -1 as "max", pids 0 as "not set", io.max lines, the
 * values refused, and the order of the writes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cgroup/cgroup-internal.h"
#include "mrc/spec.h"
#include "tap.h"

/* The plan as "file=value" lines ("file=value|alt=altvalue" with a
 * fallback, "?" suffix for optional writes). */
static char *
render (const struct mrc_cgroup_plan *p)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  for (size_t i = 0; i < p->n; i++)
    {
      const struct mrc_cgroup_write *w = &p->w[i];
      fprintf (f, "%s=%s", w->file, w->value);
      if (w->alt_file)
        fprintf (f, "|%s=%s", w->alt_file, w->alt_value);
      if (w->flags & MRC_CGW_OPTIONAL)
        fputc ('?', f);
      if (w->flags & MRC_CGW_RETRY_LAST)
        fputc ('!', f);
      fputc ('\n', f);
    }
  fclose (f);
  return buf;
}

static void
plans (const struct mrc_resources *r, const char *want, const char *what)
{
  struct mrc_cgroup_plan p;
  mrc_error_t err = NULL;
  if (!ok (mrc_cgroup_plan_build (r, &p, &err) == 0, "%s: converts", what))
    {
      diag ("%s", err ? err->msg : "?");
      mrc_error_free (&err);
      return;
    }
  char *got = render (&p);
  is_str (got, want, "%s: writes", what);
  free (got);
  mrc_cgroup_plan_free (&p);
}

static void
refuses (const struct mrc_resources *r, const char *needle, const char *what)
{
  struct mrc_cgroup_plan p = { NULL, 0, 0, NULL };
  mrc_error_t err = NULL;
  ok (mrc_cgroup_plan_build (r, &p, &err) < 0 && p.w == NULL,
      "%s: refused", what);
  ok (err && strstr (err->msg, needle), "  error names `%s`: %s", needle,
      err ? err->msg : "(none)");
  mrc_error_free (&err);
}

static void
test_formulas (void)
{
  is_int (mrc_cgroup_shares_to_weight (0), 0, "shares 0: unset");
  is_int (mrc_cgroup_shares_to_weight (2), 1, "shares 2 -> weight 1");
  is_int (mrc_cgroup_shares_to_weight (1024), 39, "shares 1024 -> 39");
  is_int (mrc_cgroup_shares_to_weight (262144), 10000, "shares max -> 10000");
  is_int (mrc_cgroup_shares_to_weight (1), 1, "shares 1 clamps to 2");
  is_int (mrc_cgroup_blkio_to_io_weight (10), 1, "blkio 10 -> io 1");
  is_int (mrc_cgroup_blkio_to_io_weight (500), 4950, "blkio 500 -> 4950");
  is_int (mrc_cgroup_blkio_to_io_weight (1000), 10000, "blkio 1000 -> 10000");

  int64_t v;
  bool set;
  mrc_error_t err = NULL;
  ok (mrc_cgroup_swap_value (200, 100, &v, &set, &err) == 0 && set
          && v == 100,
      "swap 200, limit 100 -> memory.swap.max 100");
  ok (mrc_cgroup_swap_value (100, 100, &v, &set, &err) == 0 && set && v == 0,
      "swap equal to limit -> no swap (0)");
  ok (mrc_cgroup_swap_value (-1, 100, &v, &set, &err) == 0 && set && v == -1,
      "swap -1 -> max");
  ok (mrc_cgroup_swap_value (0, -1, &v, &set, &err) == 0 && set && v == -1,
      "limit -1, no swap -> swap max too (v1 compatibility)");
  ok (mrc_cgroup_swap_value (0, 100, &v, &set, &err) == 0 && !set,
      "swap 0 -> left alone");
  ok (mrc_cgroup_swap_value (50, 100, &v, &set, &err) < 0,
      "swap below limit refused");
  mrc_error_free (&err);
  ok (mrc_cgroup_swap_value (50, 0, &v, &set, &err) < 0,
      "swap without a limit refused");
  mrc_error_free (&err);

  is_str (mrc_cgroup_file_controller ("memory.high"), "memory",
          "memory.high belongs to memory");
  ok (mrc_cgroup_file_controller ("cgroup.type") == NULL,
      "cgroup.* belongs to no controller");
  ok (mrc_cgroup_file_controller ("memoryx.high") == NULL,
      "prefixes must match exactly");
}

static void
test_memory_cpu_pids (void)
{
  struct mrc_memory mem = { .has_limit = true, .limit = 1 << 20,
                            .has_swap = true, .swap = 3 << 20,
                            .has_reservation = true, .reservation = 4096 };
  struct mrc_resources r = { .memory = &mem };
  plans (&r,
         "memory.swap.max=2097152\nmemory.max=1048576\nmemory.low=4096\n",
         "memory limit, swap, reservation");
  mem = (struct mrc_memory){ .has_limit = true, .limit = -1 };
  plans (&r, "memory.swap.max=max?\nmemory.max=max\n", "memory -1");
  mem = (struct mrc_memory){ .has_limit = true, .limit = 100,
                             .has_swap = true, .swap = 100 };
  plans (&r, "memory.swap.max=0?\nmemory.max=100\n", "swap == limit");
  mem = (struct mrc_memory){ .has_swap = true, .swap = 100 };
  refuses (&r, "memory.swap", "swap without limit");

  struct mrc_cpu cpu = { .has_shares = true, .shares = 1024,
                         .has_quota = true, .quota = 50000,
                         .has_period = true, .period = 100000,
                         .has_burst = true, .burst = 1000,
                         .has_idle = true, .idle = 0,
                         .cpus = "0-1", .mems = "0" };
  struct mrc_resources rc = { .cpu = &cpu };
  plans (&rc,
         "cpu.idle=0\ncpu.weight=39\ncpu.max.burst=1000!\n"
         "cpu.max=50000 100000\ncpuset.cpus=0-1\ncpuset.mems=0\n",
         "cpu everything");
  cpu = (struct mrc_cpu){ .has_quota = true, .quota = -1 };
  plans (&rc, "cpu.max=max\n", "quota -1 alone: max, period kept");
  cpu = (struct mrc_cpu){ .has_period = true, .period = 20000 };
  plans (&rc, "cpu.max=max 20000\n", "period alone");
  cpu = (struct mrc_cpu){ .has_realtime_runtime = true,
                          .realtime_runtime = 950000 };
  refuses (&rc, "realtime", "realtime runtime");
  cpu = (struct mrc_cpu){ .has_realtime_period = true,
                          .realtime_period = 0 };
  plans (&rc, "", "realtime period 0 is no request");

  struct mrc_resources rp = { .has_pids_limit = true, .pids_limit = 0 };
  plans (&rp, "", "pids 0 is not set, as runc: no write");
  rp.pids_limit = -1;
  plans (&rp, "pids.max=max\n", "pids -1 is max");
  rp.pids_limit = 42;
  plans (&rp, "pids.max=42\n", "pids 42");
  plans (NULL, "", "no resources at all");
}

static void
test_io_hugetlb_rdma (void)
{
  struct mrc_weight_device wd[]
      = { { .major = 8, .minor = 0, .has_weight = true, .weight = 500 } };
  struct mrc_throttle_device rbps[] = { { 8, 0, 1000 }, { 8, 16, 0 } };
  struct mrc_throttle_device wiops[] = { { 8, 16, 7 }, { 8, 0, 9 } };
  struct mrc_block_io b = { .has_weight = true, .weight = 100,
                            .weight_device = wd, .n_weight_device = 1,
                            .throttle_read_bps_device = rbps,
                            .n_throttle_read_bps_device = 2,
                            .throttle_write_iops_device = wiops,
                            .n_throttle_write_iops_device = 2 };
  struct mrc_resources r = { .block_io = &b };
  plans (&r,
         "io.bfq.weight=100|io.weight=910\n"
         "io.bfq.weight=8:0 500|io.weight=8:0 4950\n"
         "io.max=8:0 rbps=1000 wiops=9\n"
         "io.max=8:16 rbps=max wiops=7\n",
         "blockIO weight, device weight, throttles merged per device");

  struct mrc_hugepage_limit h[] = { { "2MB", 4194304 } };
  struct mrc_rdma rd[] = { { "mlx5_1", true, 3, false, 0 } };
  struct mrc_resources rh = { .hugepage_limits = h, .n_hugepage_limits = 1,
                              .rdma = rd, .n_rdma = 1 };
  plans (&rh,
         "hugetlb.2MB.max=4194304\nhugetlb.2MB.rsvd.max=4194304?\n"
         "rdma.max=mlx5_1 hca_handle=3\n",
         "hugetlb and rdma");
  struct mrc_hugepage_limit bad[] = { { "../2MB", 1 } };
  rh = (struct mrc_resources){ .hugepage_limits = bad,
                               .n_hugepage_limits = 1 };
  refuses (&rh, "pageSize", "hugepage size with a slash");
}

static void
test_unified (void)
{
  struct mrc_kv kv[] = { { "memory.high", "1G" }, { "io.weight", "50" } };
  struct mrc_resources r = { .unified = kv, .n_unified = 2,
                             .has_pids_limit = true, .pids_limit = 5 };
  plans (&r, "pids.max=5\nmemory.high=1G\nio.weight=50\n",
         "unified keys come last and override");
  struct mrc_cgroup_plan p;
  mrc_error_t err = NULL;
  if (ok (mrc_cgroup_plan_build (&r, &p, &err) == 0, "plan for controllers"))
    {
      is_str (p.w[1].controller, "memory", "memory.high needs memory");
      is_str (p.w[1].what, "linux.resources.unified.memory.high",
              "  and says which field");
      mrc_cgroup_plan_free (&p);
    }
  const char *bad[] = { "../memory.max", "a/b", "..", ".", "", "x y",
                        "cgroup.procs", "cgroup.subtree_control" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct mrc_kv k[] = { { (char *) bad[i], "1" } };
      struct mrc_resources rb = { .unified = k, .n_unified = 1 };
      refuses (&rb, "linux.resources.unified", bad[i]);
    }
}

int
main (void)
{
  test_formulas ();
  test_memory_cpu_pids ();
  test_io_hugetlb_rdma ();
  test_unified ();
  return done_testing ();
}
