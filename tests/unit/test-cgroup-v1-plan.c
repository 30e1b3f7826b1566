/* linux.resources -> cgroup v1 writes (runc's fs driver): every field's
 * file and value, the controller each write goes to, the memory limit
 * before memsw, the RETRY_LAST and OPTIONAL flags, pids 0 as "not set",
 * the values refused, and the devices.deny / devices.allow lines that make
 * the cgroup allow what the cgroup2 device program would. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cgroup/cgroup-internal.h"
#include "mrc/spec.h"
#include "tap.h"

/* The plan as "controller:file=value" lines ("|alt=altvalue" with a
 * fallback, "?" for optional writes, "!" for RETRY_LAST). */
static char *
render (const struct mrc_cgroup_plan *p)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  for (size_t i = 0; i < p->n; i++)
    {
      const struct mrc_cgroup_write *w = &p->w[i];
      fprintf (f, "%s:%s=%s", w->controller ? w->controller : "(null)",
               w->file, w->value);
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

/* Builds the plan of R and LINUX_ and compares it; leaves it in *OUT when
 * OUT is given (the caller frees it). */
static bool
plans_linux (const struct mrc_resources *r, const struct mrc_linux *linux_,
             const char *want, const char *what, struct mrc_cgroup_plan *out)
{
  struct mrc_cgroup_plan p;
  mrc_error_t err = NULL;
  if (!ok (mrc_cgroup_plan_build_v1 (r, linux_, &p, &err) == 0,
           "%s: converts", what))
    {
      diag ("%s", err ? err->msg : "?");
      mrc_error_free (&err);
      return false;
    }
  char *got = render (&p);
  bool same = is_str (got, want, "%s: writes", what);
  free (got);
  if (out)
    *out = p;
  else
    mrc_cgroup_plan_free (&p);
  return same;
}

static void
plans (const struct mrc_resources *r, const char *want, const char *what)
{
  (void) plans_linux (r, NULL, want, what, NULL);
}

/* Refused with exactly MSG, nothing allocated. */
static void
refuses (const struct mrc_resources *r, const char *msg, const char *what)
{
  struct mrc_cgroup_plan p = { NULL, 0, 0, NULL };
  mrc_error_t err = NULL;
  ok (mrc_cgroup_plan_build_v1 (r, NULL, &p, &err) < 0 && p.w == NULL
          && p.n == 0,
      "%s: refused", what);
  is_str (err ? err->msg : NULL, msg, "  with the message");
  mrc_error_free (&err);
}

static void
test_memory (void)
{
  struct mrc_memory mem = {
    .has_limit = true, .limit = 1073741824, .has_swap = true,
    .swap = 2147483648, .has_reservation = true, .reservation = 536870912,
    .has_kernel = true, .kernel = 67108864, .has_kernel_tcp = true,
    .kernel_tcp = 16777216, .has_swappiness = true, .swappiness = 60,
    .has_disable_oom_killer = true, .disable_oom_killer = true,
    .has_check_before_update = true, .check_before_update = true
  };
  struct mrc_resources r = { .memory = &mem };
  struct mrc_cgroup_plan p;
  if (plans_linux (&r, NULL,
                   "memory:memory.limit_in_bytes=1073741824!\n"
                   "memory:memory.memsw.limit_in_bytes=2147483648\n"
                   "memory:memory.soft_limit_in_bytes=536870912\n"
                   "memory:memory.kmem.limit_in_bytes=67108864?\n"
                   "memory:memory.kmem.tcp.limit_in_bytes=16777216?\n"
                   "memory:memory.swappiness=60\n"
                   "memory:memory.oom_control=1\n",
                   "every memory field", &p))
    {
      is_str (p.usage_file, "memory.usage_in_bytes", "usage file is v1's");
      is_int (p.check_limit, 1073741824, "checkBeforeUpdate keeps the limit");
      is_str (p.w[0].what, "linux.resources.memory.limit",
              "the limit write names its field");
      is_str (p.w[1].what, "linux.resources.memory.swap",
              "the memsw write names its field");
      mrc_cgroup_plan_free (&p);
    }

  mem = (struct mrc_memory){ .has_limit = true, .limit = -1 };
  plans (&r,
         "memory:memory.limit_in_bytes=-1!\n"
         "memory:memory.memsw.limit_in_bytes=-1?\n",
         "limit -1, swap not given: memsw unlimited too");
  mem = (struct mrc_memory){ .has_limit = true, .limit = -5 };
  plans (&r,
         "memory:memory.limit_in_bytes=-1!\n"
         "memory:memory.memsw.limit_in_bytes=-1?\n",
         "any negative limit is -1, memsw too");
  mem = (struct mrc_memory){ .has_limit = true, .limit = 100,
                             .has_swap = true, .swap = -1 };
  plans (&r,
         "memory:memory.limit_in_bytes=100!\n"
         "memory:memory.memsw.limit_in_bytes=-1?\n",
         "swap -1: memsw -1, optional");
  mem = (struct mrc_memory){ .has_limit = true, .limit = 100,
                             .has_swap = true, .swap = 100 };
  plans (&r,
         "memory:memory.limit_in_bytes=100!\n"
         "memory:memory.memsw.limit_in_bytes=100\n",
         "swap == limit: the total itself, required");
  mem = (struct mrc_memory){ .has_limit = true, .limit = 100,
                             .has_swap = true, .swap = 0 };
  plans (&r, "memory:memory.limit_in_bytes=100!\n", "swap 0: no memsw");
  mem = (struct mrc_memory){ .has_reservation = true, .reservation = -1,
                             .has_swappiness = true, .swappiness = 0,
                             .has_disable_oom_killer = true };
  plans (&r,
         "memory:memory.soft_limit_in_bytes=-1\n"
         "memory:memory.swappiness=0\n",
         "reservation -1, swappiness 0, OOM killer kept");
  mem = (struct mrc_memory){ .has_reservation = true, .has_kernel = true,
                             .has_kernel_tcp = true };
  plans (&r, "", "zero reservation and kernel limits are no request");
  mem = (struct mrc_memory){ .has_limit = true, .limit = -1,
                             .has_check_before_update = true,
                             .check_before_update = true };
  if (plans_linux (&r, NULL,
                   "memory:memory.limit_in_bytes=-1!\n"
                   "memory:memory.memsw.limit_in_bytes=-1?\n",
                   "checkBeforeUpdate with no limit", &p))
    {
      is_int (p.check_limit, 0, "  checks nothing");
      mrc_cgroup_plan_free (&p);
    }
}

static void
test_memory_refused (void)
{
  struct mrc_memory mem = { .has_swappiness = true, .swappiness = 101 };
  struct mrc_resources r = { .memory = &mem };
  refuses (&r,
           "cgroup: invalid linux.resources.memory.swappiness `101`: valid "
           "range is 0-100",
           "swappiness 101");
  mem = (struct mrc_memory){ .has_limit = true, .limit = 100,
                             .has_swap = true, .swap = 50 };
  refuses (&r,
           "cgroup: linux.resources.memory.swap `50` (memory plus swap) is "
           "below linux.resources.memory.limit `100`",
           "swap below limit");
  mem = (struct mrc_memory){ .has_swap = true, .swap = 100 };
  refuses (&r,
           "cgroup: linux.resources.memory.swap needs "
           "linux.resources.memory.limit",
           "swap without limit");
}

static void
test_cpu_pids (void)
{
  struct mrc_cpu cpu = {
    .has_shares = true, .shares = 1024, .has_quota = true, .quota = 50000,
    .has_period = true, .period = 100000, .has_burst = true, .burst = 1000,
    .has_realtime_period = true, .realtime_period = 1000000,
    .has_realtime_runtime = true, .realtime_runtime = 950000,
    .has_idle = true, .idle = 1, .cpus = "0-1", .mems = "0"
  };
  struct mrc_resources r = { .cpu = &cpu };
  plans (&r,
         "cpu:cpu.shares=1024\n"
         "cpu:cpu.cfs_period_us=100000!\n"
         "cpu:cpu.cfs_burst_us=1000!\n"
         "cpu:cpu.cfs_quota_us=50000\n"
         "cpu:cpu.rt_period_us=1000000!\n"
         "cpu:cpu.rt_runtime_us=950000\n"
         "cpu:cpu.idle=1\n"
         "cpuset:cpuset.cpus=0-1\n"
         "cpuset:cpuset.mems=0\n",
         "every cpu field, realtime accepted on v1");
  cpu = (struct mrc_cpu){ .has_quota = true, .quota = -1 };
  plans (&r, "cpu:cpu.cfs_quota_us=-1\n", "quota -1 alone");
  cpu = (struct mrc_cpu){ .has_realtime_runtime = true,
                          .realtime_runtime = -1 };
  plans (&r, "cpu:cpu.rt_runtime_us=-1\n", "realtime runtime -1");
  cpu = (struct mrc_cpu){ .has_shares = true, .has_period = true,
                          .has_quota = true, .has_realtime_period = true,
                          .has_realtime_runtime = true, .cpus = "",
                          .mems = "" };
  plans (&r, "", "zeros and empty sets are no request");
  cpu = (struct mrc_cpu){ .has_burst = true, .burst = 0, .has_idle = true };
  plans (&r, "cpu:cpu.cfs_burst_us=0!\ncpu:cpu.idle=0\n",
         "burst 0 and idle 0 are real values");

  struct mrc_resources rp = { .has_pids_limit = true, .pids_limit = 0 };
  plans (&rp, "", "pids 0 is not set (stays unlimited)");
  rp.pids_limit = -1;
  plans (&rp, "pids:pids.max=max\n", "pids -1 is max");
  rp.pids_limit = -7;
  plans (&rp, "pids:pids.max=max\n", "any negative pids is max");
  rp.pids_limit = 42;
  plans (&rp, "pids:pids.max=42\n", "pids 42");
  rp.has_pids_limit = false;
  plans (&rp, "", "no pids object");
  plans (NULL, "", "no resources at all");
}

static void
test_blkio (void)
{
  struct mrc_weight_device wd[] = {
    { .major = 8, .minor = 0, .has_weight = true, .weight = 500,
      .has_leaf_weight = true, .leaf_weight = 300 },
    { .major = 8, .minor = 16, .has_leaf_weight = true, .leaf_weight = 200 },
  };
  struct mrc_throttle_device rbps[] = { { 8, 0, 1000 }, { 8, 16, 0 } };
  struct mrc_throttle_device wbps[] = { { 8, 0, 2000 } };
  struct mrc_throttle_device riops[] = { { 8, 0, 10 } };
  struct mrc_throttle_device wiops[] = { { 8, 16, 7 } };
  struct mrc_block_io b = {
    .has_weight = true, .weight = 100, .has_leaf_weight = true,
    .leaf_weight = 50, .weight_device = wd, .n_weight_device = 2,
    .throttle_read_bps_device = rbps, .n_throttle_read_bps_device = 2,
    .throttle_write_bps_device = wbps, .n_throttle_write_bps_device = 1,
    .throttle_read_iops_device = riops, .n_throttle_read_iops_device = 1,
    .throttle_write_iops_device = wiops, .n_throttle_write_iops_device = 1
  };
  struct mrc_resources r = { .block_io = &b };
  plans (&r,
         "blkio:blkio.weight=100|blkio.bfq.weight=100\n"
         "blkio:blkio.leaf_weight=50?\n"
         "blkio:blkio.weight_device=8:0 500|blkio.bfq.weight_device=8:0 500\n"
         "blkio:blkio.leaf_weight_device=8:0 300?\n"
         "blkio:blkio.leaf_weight_device=8:16 200?\n"
         "blkio:blkio.throttle.read_bps_device=8:0 1000\n"
         "blkio:blkio.throttle.read_bps_device=8:16 0\n"
         "blkio:blkio.throttle.write_bps_device=8:0 2000\n"
         "blkio:blkio.throttle.read_iops_device=8:0 10\n"
         "blkio:blkio.throttle.write_iops_device=8:16 7\n",
         "every blockIO field, one line per throttle entry, rate 0 as is");
  b = (struct mrc_block_io){ .has_weight = true, .has_leaf_weight = true };
  plans (&r, "", "weight 0 is no request");
}

static void
test_hugetlb_net_rdma (void)
{
  struct mrc_hugepage_limit h[] = { { "2MB", 4194304 }, { "1GB", 0 } };
  struct mrc_net_priority np[] = { { "eth0", 5 }, { "lo", 2 } };
  struct mrc_rdma rd[] = { { "mlx5_1", true, 3, true, 9 },
                           { "mlx4_0", false, 0, false, 0 } };
  struct mrc_resources r = {
    .hugepage_limits = h, .n_hugepage_limits = 2,
    .has_network_class_id = true, .network_class_id = 0x100001,
    .network_priorities = np, .n_network_priorities = 2, .rdma = rd,
    .n_rdma = 2
  };
  plans (&r,
         "hugetlb:hugetlb.2MB.limit_in_bytes=4194304\n"
         "hugetlb:hugetlb.2MB.rsvd.limit_in_bytes=4194304?\n"
         "hugetlb:hugetlb.1GB.limit_in_bytes=0\n"
         "hugetlb:hugetlb.1GB.rsvd.limit_in_bytes=0?\n"
         "net_cls:net_cls.classid=1048577\n"
         "net_prio:net_prio.ifpriomap=eth0 5\n"
         "net_prio:net_prio.ifpriomap=lo 2\n"
         "rdma:rdma.max=mlx5_1 hca_handle=3 hca_object=9\n",
         "hugetlb, classID, priorities, rdma (an entry without limits "
         "skipped)");
  struct mrc_resources rc = { .has_network_class_id = true };
  plans (&rc, "", "classID 0 is not set");

  struct mrc_hugepage_limit bad[] = { { "../2MB", 1 } };
  struct mrc_resources rh = { .hugepage_limits = bad,
                              .n_hugepage_limits = 1 };
  refuses (&rh,
           "cgroup: invalid linux.resources.hugepageLimits pageSize `../2MB`",
           "hugepage size with a slash");
  struct mrc_net_priority badp[] = { { "eth0 7\nlo", 1 } };
  struct mrc_resources rn = { .network_priorities = badp,
                              .n_network_priorities = 1 };
  refuses (&rn,
           "cgroup: invalid linux.resources.network.priorities name "
           "`eth0 7\nlo`",
           "interface name that is not one word");
  struct mrc_rdma badr[] = { { "a/b", true, 1, false, 0 } };
  struct mrc_resources rr = { .rdma = badr, .n_rdma = 1 };
  refuses (&rr, "cgroup: invalid linux.resources.rdma device `a/b`",
           "rdma device with a slash");
}

static void
test_unified_and_order (void)
{
  struct mrc_kv kv[] = { { "memory.high", "1G" }, { "io.weight", "50" } };
  struct mrc_memory mem = { .has_limit = true, .limit = 4096 };
  struct mrc_resources r = { .unified = kv, .n_unified = 2, .memory = &mem };
  refuses (&r,
           "cgroup: linux.resources.unified.memory.high: needs cgroup v2 "
           "(this host's controllers are in cgroup v1)",
           "unified keys name the first");

  /* One field of each controller: memory, cpu, cpuset, pids, blkio,
     hugetlb, net_cls, net_prio, rdma, devices. */
  struct mrc_cpu cpu = { .has_shares = true, .shares = 512, .cpus = "0" };
  struct mrc_block_io b = { .has_weight = true, .weight = 10 };
  struct mrc_hugepage_limit h[] = { { "2MB", 2097152 } };
  struct mrc_net_priority np[] = { { "eth0", 1 } };
  struct mrc_rdma rd[] = { { "mlx5_0", true, 1, false, 0 } };
  struct mrc_device_cgroup dc[] = { { .allow = false, .access = "rwm" } };
  struct mrc_resources all = {
    .memory = &mem, .cpu = &cpu, .has_pids_limit = true, .pids_limit = 9,
    .block_io = &b, .hugepage_limits = h, .n_hugepage_limits = 1,
    .has_network_class_id = true, .network_class_id = 7,
    .network_priorities = np, .n_network_priorities = 1, .rdma = rd,
    .n_rdma = 1, .devices = dc, .n_devices = 1
  };
  struct mrc_linux lx = { .resources = &all };
  struct mrc_cgroup_plan p;
  if (plans_linux (&all, &lx,
                   "memory:memory.limit_in_bytes=4096!\n"
                   "cpu:cpu.shares=512\n"
                   "cpuset:cpuset.cpus=0\n"
                   "pids:pids.max=9\n"
                   "blkio:blkio.weight=10|blkio.bfq.weight=10\n"
                   "hugetlb:hugetlb.2MB.limit_in_bytes=2097152\n"
                   "hugetlb:hugetlb.2MB.rsvd.limit_in_bytes=2097152?\n"
                   "net_cls:net_cls.classid=7\n"
                   "net_prio:net_prio.ifpriomap=eth0 1\n"
                   "rdma:rdma.max=mlx5_0 hca_handle=1\n"
                   "devices:devices.deny=a *:* rwm\n"
                   "devices:devices.allow=c *:* m\n"
                   "devices:devices.allow=b *:* m\n"
                   "devices:devices.allow=c 1:3 rwm\n"
                   "devices:devices.allow=c 1:8 rwm\n"
                   "devices:devices.allow=c 1:7 rwm\n"
                   "devices:devices.allow=c 5:0 rwm\n"
                   "devices:devices.allow=c 1:5 rwm\n"
                   "devices:devices.allow=c 1:9 rwm\n"
                   "devices:devices.allow=c 136:* rwm\n"
                   "devices:devices.allow=c 5:2 rwm\n"
                   "devices:devices.allow=c 10:200 rwm\n",
                   "controllers in order, devices last", &p))
    {
      is_str (p.w[p.n - 1].what, "linux.resources.devices",
              "device writes name linux.resources.devices");
      mrc_cgroup_plan_free (&p);
    }
}

/* runc's default rules, as mrc_cgroup_dev_rules appends them. */
#define DEFAULT_ALLOWS                                                        \
  "devices:devices.allow=c *:* m\n"                                           \
  "devices:devices.allow=b *:* m\n"                                           \
  "devices:devices.allow=c 1:3 rwm\n"                                         \
  "devices:devices.allow=c 1:8 rwm\n"                                         \
  "devices:devices.allow=c 1:7 rwm\n"                                         \
  "devices:devices.allow=c 5:0 rwm\n"                                         \
  "devices:devices.allow=c 1:5 rwm\n"                                         \
  "devices:devices.allow=c 1:9 rwm\n"                                         \
  "devices:devices.allow=c 136:* rwm\n"                                       \
  "devices:devices.allow=c 5:2 rwm\n"                                         \
  "devices:devices.allow=c 10:200 rwm\n"

static void
test_devices_docker (void)
{
  /* Docker's list: deny everything, then its defaults and a --device. */
  struct mrc_device_cgroup docker[] = {
    { .allow = false, .access = "rwm" },
    { .allow = true, .type = "c", .access = "m" },
    { .allow = true, .type = "b", .access = "m" },
    { .allow = true, .type = "c", .has_major = true, .major = 1,
      .has_minor = true, .minor = 3, .access = "rwm" },
    { .allow = true, .type = "c", .has_major = true, .major = 136,
      .access = "rwm" },
    { .allow = true, .type = "c", .has_major = true, .major = 10,
      .has_minor = true, .minor = 229, .access = "mwr" },
    { .allow = false, .type = "c", .has_major = true, .major = 1,
      .has_minor = true, .minor = 3, .access = "w" },
  };
  struct mrc_device nodes[] = {
    { .type = "c", .path = "/dev/fuse", .major = 10, .minor = 229 },
    { .type = "p", .path = "/dev/fifo", .major = 0, .minor = 0 },
    { .type = "b", .path = "/dev/sda", .major = 8, .minor = 0 },
  };
  struct mrc_resources r = { .devices = docker, .n_devices = 7 };
  struct mrc_linux lx = { .resources = &r, .devices = nodes, .n_devices = 3 };
  plans_linux (&r, &lx,
               "devices:devices.deny=a *:* rwm\n"
               "devices:devices.allow=c *:* m\n"
               "devices:devices.allow=b *:* m\n"
               "devices:devices.allow=c 1:3 rwm\n"
               "devices:devices.allow=c 136:* rwm\n"
               "devices:devices.allow=c 10:229 rwm\n"
               "devices:devices.deny=c 1:3 w\n" DEFAULT_ALLOWS
               "devices:devices.allow=c 10:229 rwm\n"
               "devices:devices.allow=b 8:0 rwm\n",
               "Docker-like list: its deny-all opens, no second one", NULL);

  struct mrc_resources none = { .has_pids_limit = true, .pids_limit = 3 };
  struct mrc_linux lx_none = { .resources = &none };
  plans_linux (&none, &lx_none,
               "pids:pids.max=3\n"
               "devices:devices.deny=a *:* rwm\n" DEFAULT_ALLOWS,
               "no linux.resources.devices: a deny-all goes first", NULL);
  struct mrc_linux bare = { 0 };
  plans_linux (NULL, &bare, "devices:devices.deny=a *:* rwm\n" DEFAULT_ALLOWS,
               "no resources at create: still default-deny plus defaults",
               NULL);
  plans_linux (&r, NULL, "", "linux_ NULL (update): no device writes", NULL);
}

static void
test_devices_edges (void)
{
  struct mrc_device_cgroup privileged[] = { { .allow = true,
                                              .access = "rwm" } };
  struct mrc_resources rp = { .devices = privileged, .n_devices = 1 };
  struct mrc_linux lxp = { .resources = &rp };
  plans_linux (&rp, &lxp,
               "devices:devices.allow=a *:* rwm\n" DEFAULT_ALLOWS,
               "allow-all first: no deny-all before it", NULL);

  /* An "a" rule narrower than everything: the kernel would read it as
     every device, so it goes in as its c and b halves. */
  struct mrc_device_cgroup narrow[] = {
    { .allow = true, .type = "a", .has_major = true, .major = 7,
      .access = "r" },
    { .allow = true, .access = "rw" },
    { .allow = true, .type = "c", .has_major = true, .major = 4,
      .access = "" },
    { .allow = false, .type = "a", .access = "rwm" },
  };
  struct mrc_resources rn = { .devices = narrow, .n_devices = 4 };
  struct mrc_linux lxn = { .resources = &rn };
  plans_linux (&rn, &lxn,
               "devices:devices.deny=a *:* rwm\n"
               "devices:devices.allow=c 7:* r\n"
               "devices:devices.allow=b 7:* r\n"
               "devices:devices.allow=c *:* rw\n"
               "devices:devices.allow=b *:* rw\n"
               "devices:devices.deny=a *:* rwm\n" DEFAULT_ALLOWS,
               "narrow a rules split, empty access skipped", NULL);

  struct mrc_device_cgroup badt[] = { { .allow = true, .type = "x" } };
  struct mrc_resources rb = { .devices = badt, .n_devices = 1 };
  struct mrc_linux lxb = { .resources = &rb };
  struct mrc_cgroup_plan p = { NULL, 0, 0, NULL };
  mrc_error_t err = NULL;
  ok (mrc_cgroup_plan_build_v1 (&rb, &lxb, &p, &err) < 0 && p.w == NULL,
      "invalid device type refused");
  is_str (err ? err->msg : NULL,
          "cgroup: linux.resources.devices[0]: invalid type `x`",
          "  naming the rule");
  mrc_error_free (&err);
}

int
main (void)
{
  test_memory ();
  test_memory_refused ();
  test_cpu_pids ();
  test_blkio ();
  test_hugetlb_net_rdma ();
  test_unified_and_order ();
  test_devices_docker ();
  test_devices_edges ();
  return done_testing ();
}
