/* cgroup paths: linux.cgroupsPath resolved as runc resolves it, systemd's
 * slice:prefix:name form, `..` refused, the cgroup2 mount and our own
 * cgroup found in /proc texts. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cgroup/cgroup-internal.h"
#include "tap.h"

static void
resolves (const char *cgpath, bool systemd, const char *own,
          const char *want)
{
  char *out = NULL;
  mrc_error_t err = NULL;
  int r = mrc_cgroup_resolve_in (cgpath, "abc", systemd, own, &out, &err);
  if (!ok (r == 0, "resolve `%s` (systemd %d, own `%s`)",
           cgpath ? cgpath : "(absent)", systemd, own ? own : "(none)"))
    diag ("%s", err ? err->msg : "?");
  else
    is_str (out, want, "  -> `%s`", want);
  free (out);
  mrc_error_free (&err);
}

static void
refused (const char *cgpath, bool systemd, const char *own,
         const char *needle)
{
  char *out = NULL;
  mrc_error_t err = NULL;
  int r = mrc_cgroup_resolve_in (cgpath, "abc", systemd, own, &out, &err);
  ok (r < 0 && out == NULL, "`%s` (systemd %d) is refused", cgpath, systemd);
  ok (err && strstr (err->msg, needle), "  error mentions `%s`: %s", needle,
      err ? err->msg : "(none)");
  ok (err && strncmp (err->msg, "cgroup: ", 8) == 0, "  error starts with "
      "`cgroup: `");
  free (out);
  mrc_error_free (&err);
}

static void
test_cgroupfs (void)
{
  /* Absolute: inside the cgroup2 root, wherever we are. */
  resolves ("/a/b", false, "/user.slice/s.scope", "/a/b");
  resolves ("//a/./b/", false, "/", "/a/b");
  /* Relative and absent: next to our own cgroup, as runc does. */
  resolves ("x/y", false, "/user.slice/s.scope", "/user.slice/x/y");
  resolves (NULL, false, "/user.slice/s.scope", "/user.slice/abc");
  resolves ("", false, "/", "/abc");
  resolves (NULL, false, "/", "/abc");
  resolves ("rel", false, "/top", "/rel");
  /* Colons mean nothing without --systemd-cgroup. */
  resolves ("/a:b:c", false, "/", "/a:b:c");
  refused ("/a/../b", false, "/", "`..` is not allowed");
  refused ("../escape", false, "/user.slice/s.scope", "`..`");
  refused ("/..", false, "/", "`..`");
  refused ("/", false, "/", "names no cgroup");
  refused ("/./", false, "/", "names no cgroup");
  refused ("rel", false, NULL, "/proc/self/cgroup");
}

static void
test_systemd (void)
{
  resolves ("system.slice:docker:abc", true, "/",
            "/system.slice/docker-abc.scope");
  resolves ("a-b.slice:p:n", true, "/", "/a.slice/a-b.slice/p-n.scope");
  resolves ("a-b-c.slice:p:n", true, "/",
            "/a.slice/a-b.slice/a-b-c.slice/p-n.scope");
  resolves ("-.slice:p:n", true, "/", "/p-n.scope");
  resolves (":p:n", true, "/", "/system.slice/p-n.scope");
  resolves ("user.slice::n", true, "/", "/user.slice/n.scope");
  resolves ("machine.slice:p:my.slice", true, "/", "/machine.slice/my.slice");
  resolves (NULL, true, "/", "/system.slice/mini-runc-abc.scope");
  refused ("/a/b", true, "/", "slice:prefix:name");
  refused ("a:b", true, "/", "slice:prefix:name");
  refused ("a.slice:b:c:d", true, "/", "slice:prefix:name");
  refused ("notaslice:p:n", true, "/", "invalid slice name `notaslice`");
  refused ("a--b.slice:p:n", true, "/", "invalid slice");
  refused ("-a.slice:p:n", true, "/", "invalid slice");
  refused ("a-.slice:p:n", true, "/", "invalid slice");
  refused ("a/b.slice:p:n", true, "/", "invalid slice");
  refused ("system.slice:p:", true, "/", "invalid unit name");
  refused ("system.slice:p:../x", true, "/", "invalid unit name");
}

static bool
not_other (const char *mnt)
{
  return strcmp (mnt, "/other") != 0;
}

static void
test_proc_texts (void)
{
  const char *mi
      = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 "
        "rw\n"
        "50 31 0:39 / /other rw - cgroup2 cgroup2 rw\n";
  /* a later mount hides an earlier one: the last usable one wins (found
     by the benchmark, which mounts cgroup2 over a hybrid /sys/fs/cgroup) */
  char *m = mrc_cgroup_mountinfo_find (mi, NULL);
  is_str (m, "/other", "the last cgroup2 mount wins");
  free (m);
  m = mrc_cgroup_mountinfo_find (mi, not_other);
  is_str (m, "/sys/fs/cgroup/unified", "an unusable (hidden) mount is skipped");
  free (m);
  m = mrc_cgroup_mountinfo_find ("1 2 0:1 / /a\\040b rw shared:1 - cgroup2 "
                                 "none rw\n", NULL);
  is_str (m, "/a b", "optional fields skipped, octal escapes decoded");
  free (m);
  m = mrc_cgroup_mountinfo_find ("1 2 0:1 / /x rw - cgroup cgroup rw,cpu\n",
                                 NULL);
  ok (m == NULL, "no cgroup2 mount: NULL");
  free (m);

  char *own = mrc_cgroup_own_from ("12:memory:/m\n0::/user.slice/s.scope\n");
  is_str (own, "/user.slice/s.scope", "the 0:: line of /proc/self/cgroup");
  free (own);
  own = mrc_cgroup_own_from ("4:memory:/x\n");
  ok (own == NULL, "no 0:: line: NULL");
  free (own);
}

static void
test_expand_slice (void)
{
  char *out = NULL;
  mrc_error_t err = NULL;
  ok (mrc_cgroup_expand_slice ("", &out, &err) == 0 && strcmp (out, "") == 0,
      "the empty slice is the root");
  free (out);
  ok (mrc_cgroup_expand_slice ("x-y-z.slice", &out, &err) == 0,
      "expand x-y-z.slice");
  is_str (out, "/x.slice/x-y.slice/x-y-z.slice", "  nests by dashes");
  free (out);
  ok (mrc_cgroup_expand_slice (".slice", &out, &err) < 0
          && err->errnum == EINVAL,
      "`.slice` alone is refused with EINVAL");
  mrc_error_free (&err);
}

/* Membership, from /proc/PID/cgroup texts: the check that keeps a reused
 * pid from being signalled. */
static void
test_member_of (void)
{
  struct mrc_kv v1[] = { { (char *) "cpu,cpuacct", (char *) "/c/box" } };
  struct mrc_cgroup cg = MRC_CGROUP_INIT;
  cg.path = (char *) "/mini-runc/box";
  ok (mrc_cgroup_member_of (&cg, "0::/mini-runc/box\n"), "cgroup2 leaf");
  ok (mrc_cgroup_member_of (&cg, "0::/mini-runc/box/init.scope\n"),
      "below the leaf (systemd's init.scope)");
  ok (!mrc_cgroup_member_of (&cg, "0::/mini-runc/box2\n"),
      "a sibling with the same prefix is not");
  ok (!mrc_cgroup_member_of (&cg, "0::/user.slice\n"), "a stranger is not");
  ok (!mrc_cgroup_member_of (&cg, ""), "an empty text is not");
  cg.path = NULL;
  cg.v1 = v1;
  cg.n_v1 = 1;
  ok (mrc_cgroup_member_of (&cg, "4:memory:/x\n3:cpu,cpuacct:/c/box\n"
                                 "0::/x\n"),
      "a v1 hierarchy");
  ok (!mrc_cgroup_member_of (&cg, "3:cpu,cpuacct:/c\n0::/c/box\n"),
      "another hierarchy's path does not count");
}

int
main (void)
{
  test_cgroupfs ();
  test_systemd ();
  test_proc_texts ();
  test_expand_slice ();
  test_member_of ();
  return done_testing ();
}
