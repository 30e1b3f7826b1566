/* cgroup layouts: the v1 hierarchies read from mountinfo texts (names
 * without the non-controller options, escaped mount points, a later mount
 * of a hierarchy winning, hidden mounts skipped), the layout they make,
 * our own v1 cgroup in a /proc/self/cgroup text, and linux.cgroupsPath
 * resolved inside it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cgroup/cgroup-internal.h"
#include "tap.h"

/* ------------------------------------------------------------ helpers -- */

/* "NAME MNT ROOT" per hierarchy, one a line, so one exact comparison
 * shows every name, mount point, root and their order. */
static char *
summary (const struct mrc_cgroup_hier *h, size_t n)
{
  char *s = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&s, &len);
  if (f == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%s %s %s\n", h[i].name, h[i].mnt, h[i].root);
  fclose (f);
  return s;
}

/* Parse MI with USABLE and compare the hierarchies with WANT ("" for
 * none). */
static void
hiers (const char *what, const char *mi, bool (*usable) (const char *),
       size_t want_n, const char *want)
{
  struct mrc_cgroup_hier *h = NULL;
  size_t n = 99;
  mrc_error_t err = NULL;
  int r = mrc_cgroup_hiers_parse (mi, usable, &h, &n, &err);
  if (!is_int (r, 0, "%s: parsed", what))
    diag ("%s", err ? err->msg : "?");
  else
    {
      is_int (n, want_n, "  %zu hierarchies", want_n);
      char *s = summary (h, n);
      is_str (s, want, "  names, mount points and roots");
      free (s);
    }
  mrc_cgroup_hiers_free (h, r == 0 ? n : 0);
  mrc_error_free (&err);
}

/* ------------------------------------------------- mountinfo parsing -- */

/* `grep cgroup /proc/self/mountinfo` of the machine these tests were
 * written on: one hierarchy per controller, cgroup2 at .../unified. */
static const char this_host[]
    = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup "
      "rw,cpuacct\n"
      "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup "
      "rw,cpuset\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup "
      "rw,memory\n"
      "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup "
      "rw,devices\n"
      "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup "
      "rw,freezer\n"
      "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup "
      "rw,blkio\n"
      "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
      "rw,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 "
      "rw\n";

static const char this_host_want[]
    = "cpu /sys/fs/cgroup/cpu /\n"
      "cpuacct /sys/fs/cgroup/cpuacct /\n"
      "cpuset /sys/fs/cgroup/cpuset /\n"
      "memory /sys/fs/cgroup/memory /\n"
      "devices /sys/fs/cgroup/devices /\n"
      "freezer /sys/fs/cgroup/freezer /\n"
      "blkio /sys/fs/cgroup/blkio /\n"
      "pids /sys/fs/cgroup/pids /\n"
      "name=systemd /sys/fs/cgroup/systemd /\n";

/* A systemd hybrid host (Ubuntu 20.04 style) seen from inside a container
 * whose cgroups are bind-mounted from /docker/c1: combined hierarchies,
 * optional fields, options that are no controllers. */
static const char systemd_host[]
    = "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc "
      "proc rw\n"
      "24 27 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs "
      "tmpfs ro,mode=755\n"
      "25 24 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime "
      "shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
      "26 24 0:24 /docker/c1 /sys/fs/cgroup/systemd "
      "rw,nosuid,nodev,noexec,relatime - cgroup cgroup rw,xattr,name=systemd\n"
      "29 24 0:27 /docker/c1 /sys/fs/cgroup/cpu,cpuacct "
      "rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup "
      "rw,cpu,cpuacct\n"
      "30 24 0:28 /docker/c1 /sys/fs/cgroup/net_cls,net_prio "
      "rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup "
      "rw,net_cls,net_prio\n"
      "31 24 0:29 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime "
      "shared:15 - cgroup cgroup rw,cpuset,clone_children\n"
      "32 24 0:30 / /sys/fs/cgroup/hugetlb rw,nosuid,nodev,noexec,relatime "
      "shared:16 - cgroup cgroup rw,hugetlb\n"
      "33 24 0:31 / /sys/fs/cgroup/perf_event rw,nosuid,nodev,noexec,relatime "
      "shared:17 - cgroup cgroup rw,perf_event\n"
      "34 24 0:32 / /sys/fs/cgroup/rdma rw,nosuid,nodev,noexec,relatime "
      "shared:18 - cgroup cgroup rw,rdma\n"
      "35 24 0:33 / /sys/fs/cgroup/misc rw,nosuid,nodev,noexec,relatime "
      "shared:19 - cgroup cgroup rw,misc\n"
      "36 24 0:34 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime "
      "shared:20 master:3 - cgroup cgroup rw,memory\n";

static const char systemd_host_want[]
    = "name=systemd /sys/fs/cgroup/systemd /docker/c1\n"
      "cpu,cpuacct /sys/fs/cgroup/cpu,cpuacct /docker/c1\n"
      "net_cls,net_prio /sys/fs/cgroup/net_cls,net_prio /docker/c1\n"
      "cpuset /sys/fs/cgroup/cpuset /\n"
      "hugetlb /sys/fs/cgroup/hugetlb /\n"
      "perf_event /sys/fs/cgroup/perf_event /\n"
      "rdma /sys/fs/cgroup/rdma /\n"
      "misc /sys/fs/cgroup/misc /\n"
      "memory /sys/fs/cgroup/memory /\n";

static bool
not_memory (const char *mnt)
{
  return strcmp (mnt, "/sys/fs/cgroup/memory") != 0;
}

static bool
not_second (const char *mnt)
{
  return strcmp (mnt, "/mnt/second") != 0;
}

static void
test_hiers_parse (void)
{
  hiers ("this host's hybrid layout", this_host, NULL, 9, this_host_want);
  hiers ("a systemd hybrid host in a container", systemd_host, NULL, 9,
         systemd_host_want);

  /* Options that are no controllers stay out of the name; a named
     hierarchy may carry controllers too (kernel order: controllers,
     options, name last). */
  hiers ("options that are no controllers",
         "40 31 0:37 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime "
         "shared:9 - cgroup cgroup "
         "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,"
         "name=systemd\n"
         "41 31 0:38 / /dev/cpuctl rw,relatime - cgroup none "
         "rw,cpu,noprefix,cpuset_v2_mode,clone_children\n"
         "42 31 0:39 / /run/mine rw,relatime - cgroup mine "
         "rw,pids,xattr,name=mine\n",
         NULL, 3,
         "name=systemd /sys/fs/cgroup/systemd /\n"
         "cpu /dev/cpuctl /\n"
         "pids,name=mine /run/mine /\n");

  hiers ("escaped mount point and root",
         "50 31 0:40 /a\\040b /mnt/my\\040cgroups/cpu\\011x\\134y rw,relatime "
         "- cgroup cgroup rw,cpu\n",
         NULL, 1, "cpu /mnt/my cgroups/cpu\tx\\y /a b\n");

  /* The same hierarchy mounted again elsewhere: the first mount of the
     whole tree stays (a later one, of part of it or of all of it, such as
     the tree another runtime left mounted in a rootfs, must not move every
     container's groups there); a whole tree replaces a first partial one. */
  static const char twice[]
      = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup "
        "rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup "
        "rw,pids\n"
        "60 1 0:32 /sub /mnt/second rw,relatime - cgroup cgroup rw,memory\n";
  hiers ("a hierarchy mounted twice", twice, NULL, 2,
         "memory /sys/fs/cgroup/memory /\n"
         "pids /sys/fs/cgroup/pids /\n");
  hiers ("a whole hierarchy mounted again in a rootfs",
         "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup "
         "rw,memory\n"
         "70 69 0:32 / /tmp/b/rootfs/sys/fs/cgroup/memory rw,relatime - "
         "cgroup cgroup rw,memory\n",
         NULL, 1, "memory /sys/fs/cgroup/memory /\n");
  hiers ("a part of a hierarchy first, then the whole",
         "35 31 0:32 /docker/x /sys/fs/cgroup/memory rw - cgroup cgroup "
         "rw,memory\n"
         "60 1 0:32 / /mnt/all rw - cgroup cgroup rw,memory\n",
         NULL, 1, "memory /mnt/all /\n");
  hiers ("a hierarchy mounted twice, the later one hidden", twice,
         not_second, 2,
         "memory /sys/fs/cgroup/memory /\n"
         "pids /sys/fs/cgroup/pids /\n");

  hiers ("usable() refuses the memory mount", this_host, not_memory, 8,
         "cpu /sys/fs/cgroup/cpu /\n"
         "cpuacct /sys/fs/cgroup/cpuacct /\n"
         "cpuset /sys/fs/cgroup/cpuset /\n"
         "devices /sys/fs/cgroup/devices /\n"
         "freezer /sys/fs/cgroup/freezer /\n"
         "blkio /sys/fs/cgroup/blkio /\n"
         "pids /sys/fs/cgroup/pids /\n"
         "name=systemd /sys/fs/cgroup/systemd /\n");

  hiers ("a unified host has no v1 hierarchy",
         "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc "
         "proc rw\n"
         "25 23 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime "
         "shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
         "26 1 0:24 / /cgroup rw - tmpfs cgroup rw\n",
         NULL, 0, "");
  hiers ("an empty mountinfo", "", NULL, 0, "");
  hiers ("a last line without a newline",
         "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
         NULL, 1, "cpu /sys/fs/cgroup/cpu /\n");
}

/* ------------------------------------------------------------ layouts -- */

static void
layout_is (const char *what, const struct mrc_cgroup_hier *h, size_t n,
           bool has_v2, enum mrc_cgroup_layout want)
{
  enum mrc_cgroup_layout l = (enum mrc_cgroup_layout) 42;
  mrc_error_t err = NULL;
  int r = mrc_cgroup_layout_of (h, n, has_v2, &l, &err);
  if (!is_int (r, 0, "%s", what))
    diag ("%s", err ? err->msg : "?");
  else
    is_str (mrc_cgroup_layout_name (l), mrc_cgroup_layout_name (want),
            "  is %s", mrc_cgroup_layout_name (want));
  mrc_error_free (&err);
}

static void
layout_fails (const char *what, const struct mrc_cgroup_hier *h, size_t n)
{
  enum mrc_cgroup_layout l = (enum mrc_cgroup_layout) 42;
  mrc_error_t err = NULL;
  int r = mrc_cgroup_layout_of (h, n, false, &l, &err);
  is_int (r, -1, "%s: refused", what);
  is_int (err ? err->errnum : -1, ENOENT, "  errnum ENOENT");
  is_str (err ? err->msg : NULL, "cgroup: no cgroup file system is mounted",
          "  message");
  mrc_error_free (&err);
}

static void
test_layout (void)
{
  struct mrc_cgroup_hier sd[] = { { "name=systemd", "/sys/fs/cgroup/systemd",
                                    "/" } };
  struct mrc_cgroup_hier mixed[]
      = { { "name=systemd", "/sys/fs/cgroup/systemd", "/" },
          { "cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct", "/" } };
  struct mrc_cgroup_hier mem[] = { { "memory", "/sys/fs/cgroup/memory", "/" } };

  layout_is ("cgroup2 only", NULL, 0, true, MRC_CGROUP_UNIFIED);
  layout_is ("cgroup2 and a lone name=systemd", sd, 1, true,
             MRC_CGROUP_UNIFIED);
  layout_is ("cgroup2 and v1 controllers", mixed, 2, true, MRC_CGROUP_HYBRID);
  layout_is ("v1 controllers only", mixed, 2, false, MRC_CGROUP_LEGACY);
  layout_is ("a lone v1 controller", mem, 1, false, MRC_CGROUP_LEGACY);
  layout_is ("only the first N_V1 entries count", mixed, 1, true,
             MRC_CGROUP_UNIFIED);
  layout_fails ("nothing mounted", NULL, 0);
  layout_fails ("a lone name=systemd without cgroup2", sd, 1);

  is_str (mrc_cgroup_layout_name (MRC_CGROUP_UNIFIED), "unified",
          "layout name: unified");
  is_str (mrc_cgroup_layout_name (MRC_CGROUP_HYBRID), "hybrid",
          "layout name: hybrid");
  is_str (mrc_cgroup_layout_name (MRC_CGROUP_LEGACY), "legacy",
          "layout name: legacy");
  is_str (mrc_cgroup_layout_name ((enum mrc_cgroup_layout) 3), "unknown",
          "layout name: out of range");
  is_str (mrc_cgroup_layout_name ((enum mrc_cgroup_layout) -1), "unknown",
          "layout name: negative");
}

/* ----------------------------------------------------- hierarchy names -- */

static void
test_hier_has (void)
{
  ok (mrc_cgroup_hier_has ("cpu,cpuacct", "cpu"), "cpu,cpuacct has cpu");
  ok (mrc_cgroup_hier_has ("cpu,cpuacct", "cpuacct"),
      "cpu,cpuacct has cpuacct");
  ok (!mrc_cgroup_hier_has ("cpu,cpuacct", "cpuset"),
      "cpu,cpuacct has no cpuset");
  ok (!mrc_cgroup_hier_has ("cpuacct", "cpu"), "cpuacct has no cpu (prefix)");
  ok (!mrc_cgroup_hier_has ("cpu", "cpuacct"), "cpu has no cpuacct");
  ok (mrc_cgroup_hier_has ("net_cls,net_prio", "net_prio"),
      "net_cls,net_prio has net_prio");
  ok (mrc_cgroup_hier_has ("name=systemd", "name=systemd"),
      "name=systemd is its own");
  ok (!mrc_cgroup_hier_has ("name=systemd", "systemd"),
      "name=systemd has no systemd");
  ok (!mrc_cgroup_hier_has ("", "cpu"), "the empty hierarchy has no cpu");
  ok (!mrc_cgroup_hier_has ("cpu,cpuacct", ""),
      "cpu,cpuacct has no empty controller");
}

/* ----------------------------------------------------- own v1 cgroups -- */

static const char proc_cgroup[]
    = "12:name=systemd:/user.slice/user-1000.slice/session-2.scope\n"
      "11:net_cls,net_prio:/n\n"
      "4:memory:/process_api/5f5574f57e942b9f66c39a7799e3dc82\n"
      "2:cpuacct,cpu:/x\n"
      "1:pids:/with:colon\n"
      "0::/user.slice\n";

static void
own_is (const char *text, const char *name, const char *want)
{
  char *got = mrc_cgroup_own_v1_from (text, name);
  is_str (got, want, "own cgroup of `%s`", name);
  free (got);
}

static void
test_own_v1 (void)
{
  own_is (proc_cgroup, "name=systemd",
          "/user.slice/user-1000.slice/session-2.scope");
  own_is (proc_cgroup, "memory",
          "/process_api/5f5574f57e942b9f66c39a7799e3dc82");
  /* controllers are compared as sets */
  own_is (proc_cgroup, "cpu,cpuacct", "/x");
  own_is (proc_cgroup, "cpuacct,cpu", "/x");
  own_is (proc_cgroup, "net_prio,net_cls", "/n");
  own_is (proc_cgroup, "pids", "/with:colon");
  /* a part of a hierarchy, or more than it, is not the hierarchy */
  own_is (proc_cgroup, "cpu", NULL);
  own_is (proc_cgroup, "cpu,cpuacct,cpuset", NULL);
  own_is (proc_cgroup, "cpuset", NULL);
  own_is (proc_cgroup, "systemd", NULL);
  /* "0::" is cgroup2, no v1 hierarchy */
  own_is ("0::/\n", "", NULL);
  own_is ("0::/\n", "cpu", NULL);
  own_is ("", "memory", NULL);
  own_is ("3:cpuset:/last", "cpuset", "/last");
  /* a named hierarchy may have a 63-character name: no fixed buffer may
     cut it */
  own_is ("5:name=abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghi"
          ":/long\n",
          "name=abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghi",
          "/long");
  /* the same names, not only as many */
  own_is ("2:cpu,cpuacct:/x\n", "cpu,cpu", NULL);
}

/* ------------------------------------------------- v1 path resolution -- */

static void
v1_resolves (const char *cgpath, bool systemd, const char *own,
             const char *want)
{
  char *out = NULL;
  mrc_error_t err = NULL;
  int r = mrc_cgroup_resolve_v1_in (cgpath, "abc", systemd, own, &out, &err);
  if (!is_int (r, 0, "v1: resolve `%s` (systemd %d, own `%s`)",
               cgpath ? cgpath : "(absent)", systemd, own ? own : "(none)"))
    diag ("%s", err ? err->msg : "?");
  else
    is_str (out, want, "  -> `%s`", want);
  free (out);
  mrc_error_free (&err);
}

static void
v1_refused (const char *cgpath, const char *id, const char *own,
            const char *want_msg)
{
  char *out = NULL;
  mrc_error_t err = NULL;
  int r = mrc_cgroup_resolve_v1_in (cgpath, id, false, own, &out, &err);
  is_int (r, -1, "v1: `%s` (id `%s`) is refused",
          cgpath ? cgpath : "(absent)", id);
  ok (out == NULL, "  nothing returned");
  is_int (err ? err->errnum : -1, EINVAL, "  errnum EINVAL");
  is_str (err ? err->msg : NULL, want_msg, "  message");
  free (out);
  mrc_error_free (&err);
}

static void
test_resolve_v1 (void)
{
  /* relative: inside our own cgroup (not next to it, as on cgroup2) */
  v1_resolves ("c", false, "/a/b", "/a/b/c");
  v1_resolves ("c/d", false, "/a/b", "/a/b/c/d");
  v1_resolves ("./c//d/", false, "/a/b/", "/a/b/c/d");
  v1_resolves (NULL, false, "/a/b", "/a/b/abc");
  v1_resolves ("", false, "/a/b", "/a/b/abc");
  v1_resolves ("c", false, "/", "/c");
  v1_resolves ("c", false, NULL, "/c");
  v1_resolves (NULL, false, NULL, "/abc");
  /* absolute: from the hierarchy's root, wherever we are */
  v1_resolves ("/x/y", false, "/a/b", "/x/y");
  v1_resolves ("/x/y", false, NULL, "/x/y");
  /* systemd's slice:prefix:name ignores our own cgroup */
  v1_resolves ("system.slice:docker:abc", true, "/a/b",
               "/system.slice/docker-abc.scope");
  v1_resolves ("a-b.slice:p:n", true, NULL, "/a.slice/a-b.slice/p-n.scope");
  v1_resolves (NULL, true, "/a/b", "/system.slice/mini-runc-abc.scope");

  v1_refused ("../x", "abc", "/a/b",
              "cgroup: linux.cgroupsPath `../x`: `..` is not allowed");
  v1_refused ("c/../../x", "abc", "/a/b",
              "cgroup: linux.cgroupsPath `c/../../x`: `..` is not allowed");
  v1_refused ("/a/..", "abc", NULL,
              "cgroup: linux.cgroupsPath `/a/..`: `..` is not allowed");
  v1_refused (NULL, "..", "/a/b",
              "cgroup: container id `..`: `..` is not allowed");
  v1_refused ("/", "abc", "/a/b",
              "cgroup: linux.cgroupsPath `/` names no cgroup of its own");
}

int
main (void)
{
  test_hiers_parse ();
  test_layout ();
  test_hier_has ();
  test_own_v1 ();
  test_resolve_v1 ();
  return done_testing ();
}
