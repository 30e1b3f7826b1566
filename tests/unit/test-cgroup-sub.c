/* exec --cgroup: runc's [CONTROLLER[,CONTROLLER...]:]PATH applied to a
 * container's cgroup record, on a hybrid, a unified and a legacy host:
 * which hierarchy moves where, and what is refused. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/cgroup.h"
#include "tap.h"

static struct mrc_kv hybrid_v1[] = {
  { "cpu,cpuacct", "/c" },
  { "memory", "/user.slice/c" },
  { "name=systemd", "/c" },
};

/* hybrid: cgroup2 and three v1 hierarchies; unified: cgroup2 only;
   legacy: the v1 ones only */
#define CG(PATH, V1, N_V1)                                                    \
  { .path = (PATH), .fd = -1, .v1 = (V1), .n_v1 = (N_V1), .hint_dir = -1,  \
    .device_prog = -1 }
static const struct mrc_cgroup hybrid = CG ("/c", hybrid_v1, 3);
static const struct mrc_cgroup unified = CG ("/c", NULL, 0);
static const struct mrc_cgroup legacy = CG (NULL, hybrid_v1, 3);

/* ARGS applied to CG give cgroup2 path WANT2 and v1 paths WANT1[i]. */
static void
moves (const struct mrc_cgroup *cg, char **args, const char *want2,
       const char *const *want1, const char *what)
{
  struct mrc_cgroup out = MRC_CGROUP_INIT;
  mrc_error_t err = NULL;
  if (!ok (mrc_cgroup_sub (cg, args, &out, &err) == 0, "%s", what))
    {
      diag ("%s", err ? err->msg : "?");
      mrc_error_free (&err);
      return;
    }
  if (want2)
    is_str (out.path, want2, "  cgroup2 -> `%s`", want2);
  else
    ok (out.path == NULL, "  no cgroup2 path");
  is_int ((long long) out.n_v1, (long long) cg->n_v1, "  every hierarchy");
  for (size_t i = 0; i < out.n_v1 && i < cg->n_v1; i++)
    {
      is_str (out.v1[i].key, cg->v1[i].key, "  hierarchy %zu kept", i);
      is_str (out.v1[i].value, want1[i], "  %s -> `%s`", cg->v1[i].key,
              want1[i]);
    }
  ok (out.fd == -1 && out.created_from == NULL && out.n_v1_created == 0,
      "  nothing to remove, no fd");
  mrc_cgroup_release (&out);
}

static void
refused (const struct mrc_cgroup *cg, char **args, const char *needle)
{
  struct mrc_cgroup out = MRC_CGROUP_INIT;
  mrc_error_t err = NULL;
  int r = mrc_cgroup_sub (cg, args, &out, &err);
  ok (r < 0 && out.path == NULL && out.v1 == NULL, "`%s`%s is refused",
      args[0], args[1] ? " (and more)" : "");
  ok (err && strstr (err->msg, needle), "  error mentions `%s`: %s", needle,
      err ? err->msg : "(none)");
  ok (err && strncmp (err->msg, "--cgroup", 8) == 0 && err->errnum == EINVAL,
      "  names the flag, EINVAL");
  mrc_error_free (&err);
  mrc_cgroup_release (&out);
}

#define ARGS(...) ((char *[]){ __VA_ARGS__, NULL })
#define V1(...) ((const char *const[]){ __VA_ARGS__ })

static void
test_plain (void)
{
  moves (&hybrid, NULL, "/c", V1 ("/c", "/user.slice/c", "/c"),
         "no --cgroup: the container's own cgroups");
  moves (&hybrid, ARGS ("sub"), "/c/sub",
         V1 ("/c/sub", "/user.slice/c/sub", "/c/sub"),
         "hybrid: PATH moves every v1 hierarchy and cgroup2");
  moves (&hybrid, ARGS (":a/b"), "/c/a/b",
         V1 ("/c/a/b", "/user.slice/c/a/b", "/c/a/b"),
         "`:PATH` is runc's spelling of the same");
  moves (&hybrid, ARGS ("/x//./y/"), "/c/x/y",
         V1 ("/c/x/y", "/user.slice/c/x/y", "/c/x/y"),
         "a leading slash is inside the container's cgroup; `.` and `//` go");
  moves (&hybrid, ARGS ("a/../b"), "/c/b",
         V1 ("/c/b", "/user.slice/c/b", "/c/b"),
         "`..` that stays inside is cleaned, as runc's path.Join");
  moves (&hybrid, ARGS (""), "/c", V1 ("/c", "/user.slice/c", "/c"),
         "an empty path is the container's own cgroup (runc: the same)");
  moves (&unified, ARGS ("sub"), "/c/sub", NULL, "unified: PATH");
  moves (&unified, ARGS (":sub"), "/c/sub", NULL, "unified: `:PATH`");
  moves (&legacy, ARGS ("sub"), NULL,
         V1 ("/c/sub", "/user.slice/c/sub", "/c/sub"), "legacy: PATH");
  static const struct mrc_cgroup rooted = CG ("/", NULL, 0);
  moves (&rooted, ARGS ("s"), "/s", NULL, "a container at the root: `/s`");
  moves (&rooted, ARGS ("."), "/", NULL, "  and `.` is the root itself");
}

static void
test_controllers (void)
{
  moves (&hybrid, ARGS ("memory:m"), "/c",
         V1 ("/c", "/user.slice/c/m", "/c"),
         "CONTROLLER:PATH moves that hierarchy only, cgroup2 stays");
  moves (&hybrid, ARGS ("cpuacct:x"), "/c",
         V1 ("/c/x", "/user.slice/c", "/c"),
         "one controller of a co-mounted pair names its hierarchy");
  moves (&hybrid, ARGS ("memory,name=systemd:s"), "/c",
         V1 ("/c", "/user.slice/c/s", "/c/s"),
         "a comma list, named hierarchies included");
  moves (&hybrid, ARGS ("memory:m", "cpu:p"), "/c",
         V1 ("/c/p", "/user.slice/c/m", "/c"), "repeated, one per hierarchy");
  moves (&hybrid, ARGS ("cpu,cpuacct:p", "cpu:p"), "/c",
         V1 ("/c/p", "/user.slice/c", "/c"),
         "one hierarchy named twice with the same path");
  moves (&legacy, ARGS ("memory:m"), NULL, V1 ("/c", "/user.slice/c/m", "/c"),
         "legacy: CONTROLLER:PATH");
}

static void
test_refused (void)
{
  refused (&hybrid, ARGS ("../x"), "`..` leads out");
  refused (&hybrid, ARGS ("a/../../c/a"), "`..` leads out");
  refused (&hybrid, ARGS ("memory:.."), "`..` leads out");
  refused (&hybrid, ARGS ("../c2"), "`..` leads out"); /* runc: prefix bug */
  refused (&hybrid, ARGS ("a:b:c"), "[CONTROLLER[,CONTROLLER...]:]PATH");
  refused (&hybrid, ARGS ("sub", "memory:m"), "missing CONTROLLER: prefix");
  refused (&hybrid, ARGS ("memory:m", ":s"), "missing CONTROLLER: prefix");
  refused (&hybrid, ARGS ("bogus:s"), "controller `bogus`");
  refused (&hybrid, ARGS ("memory,:s"), "controller ``");
  refused (&hybrid, ARGS ("cpu:a", "cpuacct:b"), "already given `/c/a`");
  refused (&hybrid, ARGS ("memory:a", "memory:b"), "memory hierarchy");
  refused (&unified, ARGS ("memory:s"), "on cgroup v1 only");
}

int
main (void)
{
  test_plain ();
  test_controllers ();
  test_refused ();
  return done_testing ();
}
