/* The cgroup module against the real cgroup2 hierarchy (root only; skipped
 * otherwise): create and destroy, a process cloned into the cgroup with
 * CLONE_INTO_CGROUP, freeze and thaw, the device program denying a device,
 * kill through the cgroup, stats, controllers enabled in the parent, the
 * missing-controller error, cleanup after a failure, a joined cgroup left
 * alone, and apply rolling back. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "../../src/cgroup/cgroup-internal.h"
#include "mrc/spec.h"
#include "tap.h"

static const char *root;
static char base[64];

/* The cgroup2 back end's create on a path, as the old path API had it. */
static int
v2_create (const char *path, const struct mrc_linux *lin,
           struct mrc_cgroup *cg, mrc_error_t *err)
{
  mrc_cgroup_release (cg);
  cg->path = strdup (path);
  return mrc_cgroup_v2_ops.create (cg, lin, err);
}

static bool
exists (const char *cgpath)
{
  char p[512];
  struct stat st;
  snprintf (p, sizeof p, "%s%s", root, cgpath);
  return stat (p, &st) == 0;
}

static char *
slurp (const char *cgpath, const char *file)
{
  char p[512], *text = NULL;
  size_t len;
  mrc_error_t err = NULL;
  snprintf (p, sizeof p, "%s%s/%s", root, cgpath, file);
  FILE *f = fopen (p, "re");
  if (f == NULL)
    return NULL;
  if (getdelim (&text, &len, '\0', f) < 0)
    {
      free (text);
      text = NULL;
    }
  fclose (f);
  mrc_error_free (&err);
  return text;
}

/* A child cloned straight into cgroup FD that runs BODY and exits with
 * its result, or pauses forever when BODY is NULL. */
static pid_t
spawn_in (int fd, int (*body) (void))
{
  struct clone_args a;
  memset (&a, 0, sizeof a);
  a.flags = CLONE_INTO_CGROUP;
  a.exit_signal = SIGCHLD;
  a.cgroup = (uint64_t) fd;
  long pid = syscall (SYS_clone3, &a, sizeof a);
  if (pid == 0)
    {
      /* Never outlive a crashed test. */
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (body)
        _exit (body ());
      for (;;)
        pause ();
    }
  if (pid < 0)
    diag ("clone3: %s", strerror (errno));
  return (pid_t) pid;
}

static int
open_kmsg (void)
{
  int fd = open ("/dev/kmsg", O_RDONLY | O_CLOEXEC);
  return fd >= 0 ? 0 : errno == EPERM ? 1 : 2;
}

static int
open_null (void)
{
  return open ("/dev/null", O_RDWR | O_CLOEXEC) >= 0 ? 0 : 1;
}

static int
wait_status (pid_t pid)
{
  int st = 0;
  while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
  return st;
}

static void
test_lifecycle (void)
{
  char path[128], own[160];
  snprintf (path, sizeof path, "%s/leaf", base);
  struct mrc_linux lin = { 0 };
  struct mrc_cgroup cg = MRC_CGROUP_INIT;
  mrc_error_t err = NULL;
  if (!ok (v2_create (path, &lin, &cg, &err) == 0, "create `%s`",
           path))
    {
      diag ("%s", err->msg);
      mrc_error_free (&err);
      return;
    }
  is_str (cg.path, path, "path recorded");
  is_str (cg.created_from, base, "created_from is the topmost new dir");
  ok (cg.fd >= 0 && exists (path), "leaf exists and is open");

  /* The device program is due, not attached: create's caller attaches it
     once the init's device nodes exist. */
  ok (cg.devices == &lin && cg.device_prog < 0, "the device program is due");
  is_int (WEXITSTATUS (wait_status (spawn_in (cg.fd, open_kmsg))), 0,
          "  /dev/kmsg opens before it is attached");
  ok (mrc_cgroup_devices_load (&cg, &err) == 0 && cg.device_prog >= 0,
      "  loaded");
  is_int (WEXITSTATUS (wait_status (spawn_in (cg.fd, open_kmsg))), 0,
          "  /dev/kmsg still opens once loaded");
  ok (mrc_cgroup_devices_attach (&cg, &err) == 0 && cg.device_prog < 0
          && cg.devices == NULL,
      "  attached, nothing due any more");
  ok (mrc_cgroup_devices_attach (&cg, &err) == 0, "  a second attach is "
      "nothing");

  pid_t pid = spawn_in (cg.fd, NULL);
  ok (pid > 0, "clone3 CLONE_INTO_CGROUP");
  char procfile[64];
  snprintf (procfile, sizeof procfile, "/proc/%d/cgroup", (int) pid);
  char *pc = NULL;
  size_t len;
  FILE *f = fopen (procfile, "re");
  if (f && getdelim (&pc, &len, '\0', f) > 0)
    snprintf (own, sizeof own, "0::%s\n", path);
  ok (pc && strstr (pc, own), "/proc/PID/cgroup shows `%s`", path);
  free (pc);
  if (f)
    fclose (f);

  pid_t *pids = NULL;
  size_t n = 0;
  ok (mrc_cgroup_v2_pids (path, &pids, &n, &err) == 0 && n == 1
          && pids[0] == pid,
      "pids lists the child");
  free (pids);

  bool frozen = true;
  ok (mrc_cgroup_v2_is_frozen (path, &frozen, &err) == 0 && !frozen,
      "not frozen at first");
  ok (mrc_cgroup_v2_freeze (path, true, &err) == 0, "freeze");
  char *ev = slurp (path, "cgroup.events");
  ok (ev && strstr (ev, "frozen 1"), "cgroup.events says frozen 1");
  free (ev);
  ok (mrc_cgroup_v2_is_frozen (path, &frozen, &err) == 0 && frozen,
      "is_frozen says so");
  ok (mrc_cgroup_v2_freeze (path, false, &err) == 0, "thaw");
  ev = slurp (path, "cgroup.events");
  ok (ev && strstr (ev, "frozen 0"), "cgroup.events says frozen 0");
  free (ev);

  char *json = NULL;
  int jr = mrc_cgroup_v2_stats_json (cg.fd, "unit", &json, &len, &err);
  ok (jr == 0
          && strstr (json, "{\"type\":\"stats\",\"id\":\"unit\",\"data\":"
                           "{\"cpu\":{\"usage\":")
          && strstr (json, "\"pids\":{\"current\":1}"),
      "stats JSON: %s", jr == 0 ? json : err->msg);
  free (json);
  uint64_t ooms = 9;
  ok (mrc_cgroup_v2_oom_count (cg.fd, &ooms, &err) == 0 && ooms == 0,
      "no OOM kills");

  pid_t second = spawn_in (cg.fd, NULL);
  ok (mrc_cgroup_v2_kill (path, SIGUSR1, &err) == 0, "other signals go to "
      "cgroup.procs");
  int st = wait_status (pid), st2 = wait_status (second);
  ok (WIFSIGNALED (st) && WTERMSIG (st) == SIGUSR1 && WIFSIGNALED (st2)
          && WTERMSIG (st2) == SIGUSR1,
      "both children got SIGUSR1");

  /* The default device program: /dev/null yes, /dev/kmsg (1:11) no. */
  st = wait_status (spawn_in (cg.fd, open_kmsg));
  is_int (WEXITSTATUS (st), 1, "/dev/kmsg open denied with EPERM");
  st = wait_status (spawn_in (cg.fd, open_null));
  is_int (WEXITSTATUS (st), 0, "/dev/null open allowed");

  /* Last: on Linux 6.18 a cgroup that went through cgroup.kill SIGKILLs
     every later CLONE_INTO_CGROUP child at birth. */
  pid = spawn_in (cg.fd, NULL);
  ok (mrc_cgroup_v2_kill (path, SIGKILL, &err) == 0, "kill through the cgroup");
  st = wait_status (pid);
  ok (WIFSIGNALED (st) && WTERMSIG (st) == SIGKILL, "the child got SIGKILL");

  ok (mrc_cgroup_v2_destroy (cg.path, cg.created_from, &err) == 0, "destroy");
  ok (!exists (path) && !exists (base), "leaf and created parent removed");
  mrc_cgroup_release (&cg);
  mrc_error_free (&err);
}

static void
test_controllers (void)
{
  char path[128];
  char *avail = slurp ("", "cgroup.controllers");
  snprintf (path, sizeof path, "%s/mem", base);
  struct mrc_memory mem = { .has_limit = true, .limit = 16 << 20 };
  struct mrc_resources r = { .memory = &mem };
  struct mrc_linux lin = { .resources = &r };
  struct mrc_cgroup cg = MRC_CGROUP_INIT;
  mrc_error_t err = NULL;
  if (avail && strstr (avail, "memory"))
    ok (1, "# SKIP the memory controller is available here");
  else
    {
      char want[256];
      snprintf (want, sizeof want,
                "cgroup: controller `memory` is not available in `%s` "
                "(needed for linux.resources.memory.limit)",
                root);
      ok (v2_create (path, &lin, &cg, &err) < 0, "memory limit "
          "without the controller fails");
      is_str (err ? err->msg : NULL, want, "  naming the controller");
      ok (!exists (path) && !exists (base), "  and leaves nothing behind");
      mrc_error_free (&err);
    }
  if (avail && strstr (avail, "hugetlb"))
    {
      struct mrc_hugepage_limit h[] = { { "2MB", 4 << 20 } };
      struct mrc_resources rh = { .hugepage_limits = h,
                                  .n_hugepage_limits = 1 };
      lin.resources = &rh;
      ok (v2_create (path, &lin, &cg, &err) == 0, "hugetlb limit");
      char *sc = slurp (base, "cgroup.subtree_control");
      ok (sc && strstr (sc, "hugetlb"), "  hugetlb enabled in the parent");
      free (sc);
      char *v = slurp (path, "hugetlb.2MB.max");
      is_str (v, "4194304\n", "  hugetlb.2MB.max written");
      free (v);
      ok (mrc_cgroup_v2_destroy (cg.path, cg.created_from, &err) == 0
              && !exists (base),
          "  destroyed");
      mrc_cgroup_release (&cg);
    }
  free (avail);
  mrc_error_free (&err);
}

static void
test_failure_and_join (void)
{
  char path[128], full[512];
  snprintf (path, sizeof path, "%s/a/b", base);
  struct mrc_kv kv[] = { { "cgroup.max.depth", "bogus" } };
  struct mrc_resources r = { .unified = kv, .n_unified = 1 };
  struct mrc_linux lin = { .resources = &r };
  struct mrc_cgroup cg = MRC_CGROUP_INIT;
  mrc_error_t err = NULL;
  ok (v2_create (path, &lin, &cg, &err) < 0 && err
          && strstr (err->msg, "linux.resources.unified.cgroup.max.depth"),
      "a bad unified value fails: %s", err ? err->msg : "");
  ok (!exists (base), "  every directory it made is gone");
  mrc_error_free (&err);

  /* A cgroup that exists is joined, and never removed by destroy. */
  snprintf (full, sizeof full, "%s%s", root, base);
  ok (mkdir (full, 0755) == 0, "make `%s` by hand", base);
  lin.resources = NULL;
  ok (v2_create (base, &lin, &cg, &err) == 0
          && cg.created_from == NULL,
      "joining it: created_from is NULL");
  ok (mrc_cgroup_v2_destroy (cg.path, cg.created_from, &err) == 0
          && exists (base),
      "destroy leaves it");

  /* apply is all or nothing. */
  struct mrc_kv two[] = { { "cgroup.max.depth", "3" },
                          { "cgroup.max.descendants", "bogus" } };
  struct mrc_resources r2 = { .unified = two, .n_unified = 2 };
  ok (mrc_cgroup_apply (cg.fd, &r2, &err) < 0, "apply with a bad value "
      "fails");
  mrc_error_free (&err);
  char *v = slurp (base, "cgroup.max.depth");
  is_str (v, "max\n", "  and the earlier write was undone");
  free (v);
  two[1].value = "7";
  ok (mrc_cgroup_apply (cg.fd, &r2, &err) == 0, "apply good values");
  v = slurp (base, "cgroup.max.descendants");
  is_str (v, "7\n", "  written");
  free (v);
  mrc_cgroup_release (&cg);
  ok (rmdir (full) == 0, "clean up by hand");
  mrc_error_free (&err);
}

int
main (void)
{
  mrc_error_t err = NULL;
  if (geteuid () != 0 || mrc_cgroup_root (&root, &err) < 0)
    {
      printf ("1..0 # SKIP needs root and a cgroup2 mount\n");
      mrc_error_free (&err);
      return 0;
    }
  snprintf (base, sizeof base, "/mrc-unit-%d", (int) getpid ());
  diag ("cgroup2 at %s, testing under %s", root, base);
  test_lifecycle ();
  test_controllers ();
  test_failure_and_join ();
  return done_testing ();
}
