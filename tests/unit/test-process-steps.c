/* The child's step table (src/process/steps.c), walked for each mode with
 * a recording stub instead of the steps themselves: the order of each
 * mode, and that the steps both modes need are the same rows. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../../src/process/process-internal.h"
#include "tap.h"

#define MAX_STEPS 64

struct record
{
  const char *names[MAX_STEPS];
  size_t n;
};

static int
record (void *arg, const struct mrc_child_step *s)
{
  struct record *r = arg;
  if (r->n < MAX_STEPS)
    r->names[r->n++] = s->name;
  return 0;
}

static struct record
walk (enum mrc_launch_mode mode)
{
  struct mrc_launch plan = { .mode = mode };
  struct mrc_child c = { .plan = &plan, .sync_fd = -1, .listen_fd = -1 };
  struct record r = { .n = 0 };
  mrc_error_t err = NULL;
  ok (mrc_child_run (&c, record, &r, &err) == 0, "%s: the walk completes",
      mode == MRC_LAUNCH_CREATE ? "create" : "exec");
  return r;
}

static long
pos (const struct record *r, const char *name)
{
  for (size_t i = 0; i < r->n; i++)
    if (strcmp (r->names[i], name) == 0)
      return (long) i;
  return -1;
}

static void
before (const struct record *r, const char *mode, const char *a,
        const char *b)
{
  long pa = pos (r, a), pb = pos (r, b);
  ok (pa >= 0 && pb >= 0 && pa < pb, "%s: %s before %s", mode, a, b);
}

static void
exact (const struct record *r, const char *mode, const char *const *want)
{
  size_t n = 0;
  bool same = true;
  while (want[n])
    n++;
  for (size_t i = 0; i < n && i < r->n; i++)
    if (strcmp (r->names[i], want[i]) != 0)
      {
        diag ("%s: step %zu is %s, expected %s", mode, i, r->names[i],
              want[i]);
        same = false;
      }
  ok (same && n == r->n, "%s: exactly the expected steps, in order (%zu)",
      mode, r->n);
}

/* The rules each mode's order must keep, with why (steps.c has the long
 * form of each). */
static void
rules (const struct record *r, const char *mode)
{
  /* not one page or fork of the process is accounted elsewhere */
  is_str (r->n ? r->names[0] : NULL, "cgroup-v1", "%s: v1 cgroups first",
          mode);
  /* the filter: as few runtime syscalls as possible run under it */
  is_str (r->n ? r->names[r->n - 1] : NULL, "security-final",
          "%s: no_new_privs and seccomp last", mode);
  /* the caller's keyring is dropped while we may still make one */
  before (r, mode, "keyring", "user");
  before (r, mode, "session", "keyring");
  /* without no_new_privs the filter needs the privilege the switch drops */
  before (r, mode, "seccomp-before-user", "user");
  /* the cwd and the PATH lookup as the user, the lookup before the filter */
  before (r, mode, "user", "cwd");
  before (r, mode, "cwd", "find-exec");
  /* the lookup with the capabilities execve will check the file with */
  before (r, mode, "user", "caps");
  before (r, mode, "caps", "find-exec");
  before (r, mode, "find-exec", "fds");
  before (r, mode, "environ", "find-exec");
  /* host resources are held: not dumpable before anything of the
     container can see us */
  before (r, mode, "not-dumpable", "session");
  before (r, mode, "process-root", "user");
  /* the memory policy: relative nodes count in the container's cpuset, and
     a seccomp filter may deny set_mempolicy */
  before (r, mode, "cgroup-v1", "mempolicy");
  before (r, mode, "mempolicy", "seccomp-before-user");
  /* the bounding set while root may still drop it, before a filter that
     may deny prctl */
  before (r, mode, "bounding", "seccomp-before-user");
  before (r, mode, "bounding", "user");
}

int
main (void)
{
  struct record cr = walk (MRC_LAUNCH_CREATE);
  struct record er = walk (MRC_LAUNCH_EXEC);
  static const char *const create_want[] = {
    "cgroup-v1", "user-maps", "cgroup-ns", "not-dumpable", "session",
    "keyring", "process-root", "loopback", "hostname", "rootfs",
    "console-done", "environ", "mempolicy", "bounding", "seccomp-before-user",
    "user", "cwd", "caps", "find-exec", "fds", "security-final", NULL,
  };
  static const char *const exec_want[] = {
    "cgroup-v1", "not-dumpable", "join", "session", "keyring",
    "process-root", "terminal", "console-done", "environ", "mempolicy",
    "bounding", "seccomp-before-user", "user", "cwd", "caps", "find-exec",
    "fds", "security-final", NULL,
  };
  exact (&cr, "create", create_want);
  exact (&er, "exec", exec_want);
  rules (&cr, "create");
  rules (&er, "exec");
  /* create-only: the maps before anything (we are nobody until then), the
     cgroup namespace once in the cgroup, the root switch before the user
     switch */
  before (&cr, "create", "user-maps", "cgroup-ns");
  before (&cr, "create", "user-maps", "not-dumpable");
  before (&cr, "create", "rootfs", "environ");
  /* the createContainer hooks the rootfs step runs keep the host's policy */
  before (&cr, "create", "rootfs", "mempolicy");
  /* and the init's whole bounding set, as runc's do */
  before (&cr, "create", "rootfs", "bounding");
  ok (pos (&cr, "join") < 0 && pos (&cr, "terminal") < 0,
      "create: no join, its terminal is made inside the rootfs step");
  /* exec-only: joined before the session and keyring are made in it */
  before (&er, "exec", "not-dumpable", "join");
  before (&er, "exec", "join", "keyring");
  ok (pos (&er, "rootfs") < 0 && pos (&er, "hostname") < 0
          && pos (&er, "user-maps") < 0,
      "exec: none of the container's own setup");

  /* Every step marked for both modes is one row: each mode runs the
     common steps in the same order, and the tail from the environment on
     is the same in both. */
  size_t n;
  const struct mrc_child_step *steps = mrc_child_steps (&n);
  size_t both = 0;
  long last_c = -1, last_e = -1;
  bool ordered = true;
  for (size_t i = 0; i < n; i++)
    {
      ok (steps[i].modes != 0 && (steps[i].modes & ~MRC_LAUNCH_BOTH) == 0,
          "step %s is marked with known modes", steps[i].name);
      if (steps[i].modes != MRC_LAUNCH_BOTH)
        continue;
      both++;
      long c = pos (&cr, steps[i].name), e = pos (&er, steps[i].name);
      ordered = ordered && c > last_c && e > last_e;
      last_c = c;
      last_e = e;
    }
  ok (both >= 12 && ordered, "the %zu common steps run in both modes, in "
                             "the table's order", both);
  long tc = pos (&cr, "environ"), te = pos (&er, "environ");
  bool tail = tc >= 0 && te >= 0 && cr.n - (size_t) tc == er.n - (size_t) te;
  for (size_t i = 0; tail && (size_t) tc + i < cr.n; i++)
    tail = strcmp (cr.names[tc + i], er.names[te + i]) == 0;
  ok (tail, "the tail (environ .. security-final) is the same in both");
  return done_testing ();
}
