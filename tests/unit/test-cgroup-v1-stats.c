/* `events --stats` from cgroup v1 files: fake hierarchies in a temp
 * directory (one per controller, and cpu,cpuacct together), the values
 * runc's fs driver reports (cpuacct ticks in ns, memsw as swap, the
 * closing "Total" blkio line skipped, runc's blkio file order), the
 * cgroup2 document's shape when nothing is there, and the OOM counts. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "../../src/cgroup/cgroup-internal.h"
#include "tap.h"

static char base[] = "/tmp/mrc-v1stats-XXXXXX";
static int basefd = -1;

/* A fresh hierarchy directory NAME (a path below the temp dir). */
static int
dir (const char *name)
{
  if (mkdirat (basefd, name, 0755) < 0)
    diag ("mkdir %s: %m", name);
  return openat (basefd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void
put (int fd, const char *file, const char *text)
{
  int f = openat (fd, file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t n = strlen (text);
  if (f < 0 || write (f, text, n) != (ssize_t) n)
    diag ("write %s: %m", file);
  if (f >= 0)
    close (f);
}

static void
add (struct mrc_cgroup_dirs *d, const char *hierarchy, int fd)
{
  d->v1[d->n].hierarchy = hierarchy;
  d->v1[d->n].fd = fd;
  d->n++;
}

static void
close_all (struct mrc_cgroup_dirs *d)
{
  for (size_t i = 0; i < d->n; i++)
    close (d->v1[i].fd);
  d->n = 0;
}

/* The v1 document of D, NULL (with a diagnostic) on failure. */
static char *
stats (const struct mrc_cgroup_dirs *d, const char *id)
{
  char *json = NULL;
  size_t len = 0;
  mrc_error_t err = NULL;
  if (mrc_cgroup_v1_stats_json (d, id, &json, &len, &err) < 0)
    {
      diag ("v1 stats: %s", err->msg);
      mrc_error_free (&err);
      return NULL;
    }
  if (len != strlen (json))
    diag ("length %zu of a %zu byte document", len, strlen (json));
  return json;
}

/* The value at PATH ("data/memory/usage/limit") of T. */
static yajl_val
at (yajl_val t, const char *path)
{
  char buf[256], *parts[16], *save = NULL;
  size_t n = 0;
  snprintf (buf, sizeof buf, "%s", path);
  for (char *p = strtok_r (buf, "/", &save); p && n < 15;
       p = strtok_r (NULL, "/", &save))
    parts[n++] = p;
  parts[n] = NULL;
  return yajl_tree_get (t, (const char **) parts, yajl_t_any);
}

/* The integer at PATH; -999 when absent or not an integer. */
static long long
num (yajl_val t, const char *path)
{
  yajl_val v = at (t, path);
  return v && YAJL_IS_INTEGER (v) ? YAJL_GET_INTEGER (v) : -999;
}

/* The integer array at PATH as "1,2,3"; "absent" when there is none. */
static const char *
list (yajl_val t, const char *path)
{
  static char buf[256];
  yajl_val v = at (t, path);
  if (!v || !YAJL_IS_ARRAY (v))
    return "absent";
  buf[0] = '\0';
  for (size_t i = 0; i < v->u.array.len; i++)
    snprintf (buf + strlen (buf), sizeof buf - strlen (buf), "%s%lld",
              i ? "," : "", YAJL_GET_INTEGER (v->u.array.values[i]));
  return buf;
}

static uint64_t
ticks_ns (uint64_t ticks)
{
  return ticks * 1000000000ULL / (uint64_t) sysconf (_SC_CLK_TCK);
}

static void
fill_separate (struct mrc_cgroup_dirs *d)
{
  int fd = dir ("memory");
  put (fd, "memory.stat", "cache 4096\nrss 8192\ntotal_cache 12288\n");
  put (fd, "memory.limit_in_bytes", "1073741824\n");
  put (fd, "memory.usage_in_bytes", "5000\n");
  put (fd, "memory.max_usage_in_bytes", "6000\n");
  put (fd, "memory.failcnt", "2\n");
  put (fd, "memory.memsw.limit_in_bytes", "2147483648\n");
  put (fd, "memory.memsw.usage_in_bytes", "7000\n");
  put (fd, "memory.memsw.max_usage_in_bytes", "8000\n");
  put (fd, "memory.memsw.failcnt", "0\n");
  put (fd, "memory.kmem.limit_in_bytes", "9223372036854771712\n");
  put (fd, "memory.kmem.usage_in_bytes", "300\n");
  put (fd, "memory.kmem.failcnt", "0\n");
  put (fd, "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n"
                                 "oom_kill 3\n");
  add (d, "memory", fd);
  fd = dir ("cpu");
  put (fd, "cpu.stat", "nr_periods 10\nnr_throttled 4\n"
                       "throttled_time 123456789\n");
  add (d, "cpu", fd);
  fd = dir ("cpuacct");
  put (fd, "cpuacct.usage", "987654321\n");
  put (fd, "cpuacct.usage_percpu", "500 487654321 \n");
  put (fd, "cpuacct.stat", "user 150\nsystem 50\n");
  put (fd, "cpuacct.usage_all", "cpu user system\n0 300 200\n1 400 100\n");
  add (d, "cpuacct", fd);
  fd = dir ("cpuset");
  put (fd, "cpuset.cpus", "0-2,4\n");
  put (fd, "cpuset.mems", "0\n");
  put (fd, "cpuset.cpu_exclusive", "1\n");
  put (fd, "cpuset.memory_pressure", "7\n");
  put (fd, "cpuset.sched_load_balance", "1\n");
  put (fd, "cpuset.sched_relax_domain_level", "-1\n");
  add (d, "cpuset", fd);
  fd = dir ("pids");
  put (fd, "pids.current", "3\n");
  put (fd, "pids.max", "max\n");
  add (d, "pids", fd);
  fd = dir ("blkio");
  put (fd, "blkio.throttle.io_service_bytes_recursive",
       "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n"
       "8:0 Discard 0\n8:0 Total 12288\nTotal 12288\n");
  put (fd, "blkio.throttle.io_serviced_recursive",
       "8:16 Read 2\n8:16 Write 3\nTotal 5\n");
  /* cfq's files with no device: skipped for the throttling layer's. */
  put (fd, "blkio.io_serviced_recursive", "Total 0\n");
  put (fd, "blkio.io_service_bytes_recursive", "Total 0\n");
  add (d, "blkio", fd);
  fd = dir ("hugetlb");
  put (fd, "hugetlb.2MB.usage_in_bytes", "2097152\n");
  put (fd, "hugetlb.2MB.max_usage_in_bytes", "4194304\n");
  put (fd, "hugetlb.2MB.failcnt", "1\n");
  put (fd, "hugetlb.2MB.rsvd.usage_in_bytes", "99\n");
  put (fd, "hugetlb.1GB.usage_in_bytes", "0\n");
  put (fd, "hugetlb.1GB.failcnt", "0\n");
  add (d, "hugetlb", fd);
}

static void
check_separate_cpu (yajl_val t)
{
  is_int (num (t, "data/cpu/usage/total"), 987654321, "total: cpuacct.usage");
  is_str (list (t, "data/cpu/usage/percpu"), "500,487654321",
          "percpu: cpuacct.usage_percpu");
  is_str (list (t, "data/cpu/usage/percpu_kernel"), "200,100",
          "percpu_kernel: system column of cpuacct.usage_all");
  is_str (list (t, "data/cpu/usage/percpu_user"), "300,400",
          "percpu_user: user column of cpuacct.usage_all");
  is_int (num (t, "data/cpu/usage/kernel"), ticks_ns (50),
          "kernel: cpuacct.stat system ticks in ns");
  is_int (num (t, "data/cpu/usage/user"), ticks_ns (150),
          "user: cpuacct.stat user ticks in ns");
  is_int (num (t, "data/cpu/throttling/periods"), 10, "periods");
  is_int (num (t, "data/cpu/throttling/throttledPeriods"), 4,
          "throttledPeriods");
  is_int (num (t, "data/cpu/throttling/throttledTime"), 123456789,
          "throttledTime: v1's ns as they are");
  is_str (list (t, "data/cpuset/cpus"), "0,1,2,4", "cpus: ranges expanded");
  is_str (list (t, "data/cpuset/mems"), "0", "mems");
  is_int (num (t, "data/cpuset/cpu_exclusive"), 1, "cpu_exclusive");
  is_int (num (t, "data/cpuset/memory_pressure"), 7, "memory_pressure");
  is_int (num (t, "data/cpuset/mem_exclusive"), 0, "absent flag reads 0");
  is_int (num (t, "data/cpuset/sched_relax_domain_level"), -1,
          "sched_relax_domain_level is signed");
}

static void
check_separate_rest (const char *json, yajl_val t)
{
  is_int (num (t, "data/memory/cache"), 4096, "cache: own, not total_cache");
  is_int (num (t, "data/memory/usage/limit"), 1073741824, "usage.limit");
  is_int (num (t, "data/memory/usage/usage"), 5000, "usage.usage");
  is_int (num (t, "data/memory/usage/max"), 6000, "usage.max");
  is_int (num (t, "data/memory/usage/failcnt"), 2, "usage.failcnt");
  is_int (num (t, "data/memory/swap/limit"), 2147483648LL, "swap: memsw");
  is_int (num (t, "data/memory/swap/usage"), 7000, "swap.usage");
  is_int (num (t, "data/memory/kernel/usage"), 300, "kernel: kmem");
  ok (strstr (json, "\"kernel\":{\"limit\":9223372036854771712,"
                    "\"usage\":300,\"failcnt\":0}")
          && strstr (json, "\"kernelTCP\":{\"limit\":0,\"failcnt\":0}"),
      "kmem entry whole; missing kmem.tcp files read as 0");
  is_int (num (t, "data/memory/raw/total_cache"), 12288,
          "raw has memory.stat");
  is_int (num (t, "data/memory/raw/rss"), 8192, "raw rss");
  ok (strstr (json, "\"pids\":{\"current\":3}"), "pids: current, max is no "
      "limit");
  ok (strstr (json, "\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":"
                    "\"Read\",\"value\":4096},{\"major\":8,\"op\":\"Write\","
                    "\"value\":8192},{\"major\":8,\"op\":\"Sync\"},"),
      "bytes from blkio.throttle.*, minor 0 and value 0 left out");
  yajl_val b = at (t, "data/blkio/ioServiceBytesRecursive");
  is_int (b && YAJL_IS_ARRAY (b) ? (long long) b->u.array.len : -1, 6,
          "the closing Total line is skipped");
  ok (strstr (json, "\"ioServicedRecursive\":[{\"major\":8,\"minor\":16,"
                    "\"op\":\"Read\",\"value\":2},{\"major\":8,\"minor\":16,"
                    "\"op\":\"Write\",\"value\":3}]"),
      "ioServicedRecursive");
  ok (strstr (json, "\"2MB\":{\"usage\":2097152,\"max\":4194304,"
                    "\"failcnt\":1}")
          && strstr (json, "\"1GB\":{\"failcnt\":0}"),
      "hugetlb per page size");
  ok (!strstr (json, "rsvd"), "reservation files are not page sizes");
  ok (strstr (json, "},\"intel_rdt\":{},\"network_interfaces\":null}}")
          != NULL,
      "document ends as runc's");
}

static void
test_separate (void)
{
  struct mrc_cgroup_dirs d = MRC_CGROUP_DIRS_INIT;
  fill_separate (&d);
  char *json = stats (&d, "c1");
  char ebuf[256];
  yajl_val t = json ? yajl_tree_parse (json, ebuf, sizeof ebuf) : NULL;
  if (!ok (t != NULL, "one hierarchy per controller: valid JSON"))
    diag ("%s: %s", json ? json : "no document", ebuf);
  else
    {
      const char *head = "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
                         "\"cpu\":{\"usage\":{\"total\":";
      ok (strncmp (json, head, strlen (head)) == 0, "envelope and first keys");
      yajl_val data = at (t, "data");
      const char *want[] = { "cpu", "cpuset", "memory", "pids", "blkio",
                             "hugetlb", "intel_rdt", "network_interfaces" };
      bool same = data && YAJL_IS_OBJECT (data) && data->u.object.len == 8;
      for (size_t i = 0; same && i < 8; i++)
        same = strcmp (data->u.object.keys[i], want[i]) == 0;
      ok (same, "data has runc's keys in runc's order");
      check_separate_cpu (t);
      check_separate_rest (json, t);
    }
  uint64_t n = 0;
  mrc_error_t err = NULL;
  ok (mrc_cgroup_v1_oom_count (&d, &n, &err) == 0 && n == 3,
      "oom count from memory.oom_control");
  yajl_tree_free (t);
  free (json);
  close_all (&d);
}

/* cpu and cpuacct mounted together, no memory, pids counted from the
 * first hierarchy's cgroup.procs. */
static void
test_combined (void)
{
  struct mrc_cgroup_dirs d = MRC_CGROUP_DIRS_INIT;
  int fd = dir ("systemd");
  put (fd, "cgroup.procs", "10\n11\n");
  add (&d, "name=systemd", fd);
  fd = dir ("cpu,cpuacct");
  put (fd, "cpu.stat", "nr_periods 1\nnr_throttled 0\nthrottled_time 0\n");
  put (fd, "cpuacct.usage", "42\n");
  put (fd, "cpuacct.stat", "user 0\nsystem 0\n");
  add (&d, "cpu,cpuacct", fd);
  char *json = stats (&d, "c2");
  ok (json && strstr (json, "\"cpu\":{\"usage\":{\"total\":42,\"kernel\":0,"
                            "\"user\":0},\"throttling\":{\"periods\":1}}"),
      "cpu,cpuacct: both from the one directory");
  ok (json && strstr (json, "\"memory\":{\"usage\":{\"limit\":0,"
                            "\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":"
                            "0},\"kernel\":{\"limit\":0,\"failcnt\":0},"
                            "\"kernelTCP\":{\"limit\":0,\"failcnt\":0}}"),
      "no memory hierarchy: zeros, no raw");
  ok (json && strstr (json, "\"pids\":{\"current\":2}"),
      "no pids hierarchy: cgroup.procs lines counted");
  free (json);
  uint64_t n = 9;
  mrc_error_t err = NULL;
  ok (mrc_cgroup_v1_oom_count (&d, &n, &err) == 0 && n == 0,
      "no memory hierarchy: no OOM kills");
  close_all (&d);
}

/* runc reads cfq's statistics before the throttling layer's, and the
 * non-recursive throttle files last. */
static void
test_blkio_order (void)
{
  struct mrc_cgroup_dirs d = MRC_CGROUP_DIRS_INIT;
  int fd = dir ("blkio-cfq");
  put (fd, "blkio.io_serviced_recursive", "8:0 Read 1\nTotal 1\n");
  put (fd, "blkio.io_service_bytes_recursive", "8:0 Read 512\nTotal 512\n");
  put (fd, "blkio.throttle.io_serviced_recursive", "8:0 Read 9\nTotal 9\n");
  add (&d, "blkio", fd);
  char *json = stats (&d, "b1");
  ok (json && strstr (json, "\"blkio\":{\"ioServiceBytesRecursive\":[{"
                            "\"major\":8,\"op\":\"Read\",\"value\":512}],"
                            "\"ioServicedRecursive\":[{\"major\":8,\"op\":"
                            "\"Read\",\"value\":1}]}"),
      "cfq's files first when they have entries");
  free (json);
  close_all (&d);
  fd = dir ("blkio-base");
  put (fd, "blkio.throttle.io_serviced", "253:1 Write 4\nTotal 4\n");
  add (&d, "blkio", fd);
  json = stats (&d, "b2");
  ok (json && strstr (json, "\"blkio\":{\"ioServicedRecursive\":[{"
                            "\"major\":253,\"minor\":1,\"op\":\"Write\","
                            "\"value\":4}]}"),
      "blkio.throttle.io_serviced last");
  free (json);
  close_all (&d);
}

static const char empty_doc[]
    = "{\"type\":\"stats\",\"id\":\"e\",\"data\":{\"cpu\":{\"usage\":{"
      "\"kernel\":0,\"user\":0},\"throttling\":{}},\"cpuset\":{"
      "\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
      "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":"
      "0,\"memory_pressure\":0,\"sched_load_balance\":0,"
      "\"sched_relax_domain_level\":0},\"memory\":{\"usage\":{\"limit\":0,"
      "\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},\"kernel\":{"
      "\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
      "\"pids\":{},\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},"
      "\"network_interfaces\":null}}";

/* Nothing mounted, and an empty cgroup2 directory: the one shape. */
static void
test_empty (void)
{
  struct mrc_cgroup_dirs d = MRC_CGROUP_DIRS_INIT;
  char *json = stats (&d, "e");
  is_str (json, empty_doc, "no hierarchy: every block, all zero");
  free (json);
  int fd = dir ("v2-empty");
  mrc_error_t err = NULL;
  size_t len;
  json = NULL;
  if (mrc_cgroup_v2_stats_json (fd, "e", &json, &len, &err) < 0)
    {
      diag ("%s", err->msg);
      mrc_error_free (&err);
    }
  is_str (json, empty_doc, "cgroup2 with no files: the same document");
  free (json);
  uint64_t n = 9;
  ok (mrc_cgroup_v2_oom_count (fd, &n, &err) == 0 && n == 0,
      "cgroup2 without memory.events: no OOM kills");
  put (fd, "memory.events", "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n");
  ok (mrc_cgroup_v2_oom_count (fd, &n, &err) == 0 && n == 2,
      "cgroup2: memory.events oom_kill");
  close (fd);
}

/* oom_control of an old kernel (no oom_kill line), and an unreadable one. */
static void
test_oom_v1 (void)
{
  struct mrc_cgroup_dirs d = MRC_CGROUP_DIRS_INIT;
  int fd = dir ("memory-old");
  put (fd, "memory.oom_control", "oom_kill_disable 1\nunder_oom 0\n");
  add (&d, "memory", fd);
  uint64_t n = 9;
  mrc_error_t err = NULL;
  ok (mrc_cgroup_v1_oom_count (&d, &n, &err) == 0 && n == 0,
      "no oom_kill line: 0, oom_kill_disable not taken for it");
  mkdirat (fd, "memory.oom_control.d", 0755);
  unlinkat (fd, "memory.oom_control", 0);
  renameat (fd, "memory.oom_control.d", fd, "memory.oom_control");
  int r = mrc_cgroup_v1_oom_count (&d, &n, &err);
  ok (r < 0 && err && strncmp (err->msg, "cgroup: oom count: ", 19) == 0,
      "a read error other than ENOENT fails: %s", err ? err->msg : "none");
  mrc_error_free (&err);
  close_all (&d);
}

static int
rm_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  return remove (path);
}

int
main (void)
{
  if (mkdtemp (base) == NULL
      || (basefd = open (base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      printf ("Bail out! temp dir: %m\n");
      return 1;
    }
  test_separate ();
  test_combined ();
  test_blkio_order ();
  test_empty ();
  test_oom_v1 ();
  close (basefd);
  nftw (base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  return done_testing ();
}
