/* Unit tests of the process security library without seccomp: name tables,
 * capability and rlimit resolution with their errors, CPU lists, and (as
 * root only, in a forked child) the capability sets seen in
 * /proc/self/status after apply_root, a uid switch, apply_caps and
 * apply_final. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/names.h"
#include "mrc/security.h"

#include "tap.h"

/* prepare P with L, expect failure with exactly WANT. */
static void
expect_error (const struct mrc_process *p, const struct mrc_linux *l,
              const char *want, const char *what)
{
  struct mrc_security *s = NULL;
  mrc_error_t err = NULL;
  int r = mrc_security_prepare (p, l, NULL, &s, &err);
  ok (r < 0 && s == NULL, "%s: refused", what);
  is_str (err ? err->msg : NULL, want, "%s: message", what);
  mrc_error_free (&err);
  mrc_security_free (s);
}

static struct mrc_security *
expect_ok (const struct mrc_process *p, const struct mrc_linux *l,
           const char *what)
{
  struct mrc_security *s = NULL;
  mrc_error_t err = NULL;
  int r = mrc_security_prepare (p, l, NULL, &s, &err);
  ok (r == 0 && s != NULL, "%s: accepted", what);
  if (err)
    diag ("%s: %s", what, err->msg);
  mrc_error_free (&err);
  return s;
}

static void
test_cap_names (void)
{
  is_int (mrc_security_cap_from_name ("CAP_CHOWN"), 0, "CAP_CHOWN is 0");
  is_int (mrc_security_cap_from_name ("CAP_NET_BIND_SERVICE"), 10,
          "CAP_NET_BIND_SERVICE is 10");
  is_int (mrc_security_cap_from_name ("CAP_SYS_ADMIN"), 21,
          "CAP_SYS_ADMIN is 21");
  is_int (mrc_security_cap_from_name ("CAP_FOO"), -1, "CAP_FOO unknown");
  is_int (mrc_security_cap_from_name ("cap_chown"), -1,
          "lower case is not the spec's spelling");
  is_int (mrc_security_cap_from_name ("CHOWN"), -1, "prefix required");
  is_int (mrc_security_cap_from_name ("CAP_"), -1, "empty name");
  is_int (mrc_security_cap_from_name ("0"), -1, "numbers refused");
}

/* process.rlimits names through the one table security applies. */
static int
rlimit_from_name (const char *name)
{
  const struct mrc_name_value *r = mrc_names_find (mrc_names_rlimits, name);
  return r ? (int) r->value : -1;
}

static void
test_rlimit_names (void)
{
  is_int (rlimit_from_name ("RLIMIT_NOFILE"), RLIMIT_NOFILE,
          "RLIMIT_NOFILE");
  is_int (rlimit_from_name ("RLIMIT_RTTIME"), RLIMIT_RTTIME,
          "RLIMIT_RTTIME");
  is_int (rlimit_from_name ("RLIMIT_STACK"), RLIMIT_STACK,
          "RLIMIT_STACK");
  is_int (rlimit_from_name ("RLIMIT_FOO"), -1, "unknown");
  is_int (rlimit_from_name ("NOFILE"), -1, "prefix required");
  is_int (rlimit_from_name (NULL), -1, "NULL");
}

static void
test_cpus (void)
{
  cpu_set_t *set = NULL;
  size_t size = 0;
  ok (mrc_security_parse_cpus ("0-3,7", &set, &size) == 0, "0-3,7 parses");
  if (set)
    {
      ok (CPU_ISSET_S (0, size, set) && CPU_ISSET_S (3, size, set)
              && CPU_ISSET_S (7, size, set),
          "0, 3 and 7 set");
      ok (!CPU_ISSET_S (4, size, set) && !CPU_ISSET_S (6, size, set),
          "4 and 6 not set");
      is_int (CPU_COUNT_S (size, set), 5, "five CPUs");
      CPU_FREE (set);
    }
  static const char *const bad[] = { "", "3-1", "1,", ",1", "a", "-1",
                                     "1--2", "1-", "0 1", "99999", "1,,2" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      set = NULL;
      ok (mrc_security_parse_cpus (bad[i], &set, &size) < 0 && set == NULL,
          "cpu list `%s` refused", bad[i]);
    }
}

static void
test_caps_errors (void)
{
  char *bad[] = { (char *) "CAP_CHOWN", (char *) "CAP_FOO", NULL };
  char *good[] = { (char *) "CAP_CHOWN", NULL };
  struct mrc_capabilities caps = { .bounding = bad };
  struct mrc_process p = { .capabilities = &caps };
  /* unknown names are skipped with a warning, as runc skips them */
  struct mrc_security *u = expect_ok (&p, NULL, "unknown bounding capability");
  is_str (u ? mrc_security_warnings (u)[0] : NULL,
          "process.capabilities.bounding: unknown capability `CAP_FOO` "
          "ignored",
          "unknown bounding capability: a warning naming it");
  mrc_security_free (u);
  caps = (struct mrc_capabilities){ .bounding = good, .ambient = bad };
  u = expect_ok (&p, NULL, "unknown ambient capability");
  is_str (u ? mrc_security_warnings (u)[0] : NULL,
          "process.capabilities.ambient: unknown capability `CAP_FOO` "
          "ignored",
          "unknown ambient capability: a warning naming it");
  mrc_security_free (u);
  caps = (struct mrc_capabilities){ .bounding = good, .effective = good,
                                    .permitted = good };
  mrc_security_free (expect_ok (&p, NULL, "known capabilities"));
  caps.ambient = good; /* CAP_CHOWN: permitted, not inheritable */
  struct mrc_security *s = expect_ok (&p, NULL, "ambient not inheritable");
  /* runc's default spec has such entries, for uid 0, which loses nothing
     by them: dropped without a warning every run of it would print */
  ok (s && mrc_security_warnings (s)[0] == NULL,
      "ambient not inheritable, uid 0: dropped quietly");
  mrc_security_free (s);
  /* a non-root process would run without it: said once, naming it */
  p.user.uid = 1000;
  s = expect_ok (&p, NULL, "ambient not inheritable, uid 1000");
  is_str (s ? mrc_security_warnings (s)[0] : NULL,
          "process.capabilities.ambient: can't raise ambient capability "
          "`CAP_CHOWN`: not both permitted and inheritable, skipped",
          "ambient not inheritable, uid 1000: a warning naming it");
  ok (s && mrc_security_warnings (s)[1] == NULL,
      "ambient not inheritable, uid 1000: one warning");
  mrc_security_free (s);
  caps.inheritable = good; /* now raisable: no warning */
  s = expect_ok (&p, NULL, "ambient permitted and inheritable, uid 1000");
  ok (s && mrc_security_warnings (s)[0] == NULL,
      "ambient permitted and inheritable: no warning");
  mrc_security_free (s);
  caps.inheritable = NULL;
  p.user.uid = 0;
  p.capabilities = NULL;
  s = expect_ok (&p, NULL, "no capabilities object");
  ok (s && mrc_security_warnings (s)[0] == NULL, "no warnings");
  ok (s && !mrc_security_has_notify (s), "no notify");
  mrc_security_free (s);
}

static void
test_rlimit_errors (void)
{
  struct mrc_rlimit r[2] = {
    { (char *) "RLIMIT_NOFILE", 1024, 1024 },
    { (char *) "RLIMIT_NOFILE", 2048, 2048 },
  };
  struct mrc_process p = { .rlimits = r, .n_rlimits = 2 };
  expect_error (&p, NULL, "process.rlimits: duplicate `RLIMIT_NOFILE`",
                "duplicate rlimit");
  r[1].type = (char *) "RLIMIT_FOO";
  expect_error (&p, NULL, "process.rlimits: unknown rlimit `RLIMIT_FOO`",
                "unknown rlimit");
  r[1] = (struct mrc_rlimit){ (char *) "RLIMIT_CORE", 10, 20 };
  expect_error (&p, NULL, "process.rlimits: RLIMIT_CORE: soft limit 20 is "
                          "above the hard limit 10",
                "soft above hard");
  r[1].soft = 10;
  mrc_security_free (expect_ok (&p, NULL, "two rlimits"));
}

static void
test_other_errors (void)
{
  struct mrc_process p = { .has_oom_score_adj = true, .oom_score_adj = 1001 };
  expect_error (&p, NULL, "process.oomScoreAdj: `1001` is not in -1000..1000",
                "oomScoreAdj range");
  p = (struct mrc_process){ 0 };
  struct mrc_io_priority io = { (char *) "IOPRIO_CLASS_FOO", 0 };
  p.io_priority = &io;
  expect_error (&p, NULL, "process.ioPriority.class: unknown class "
                          "`IOPRIO_CLASS_FOO`", "ioPriority class");
  io = (struct mrc_io_priority){ (char *) "IOPRIO_CLASS_BE", 8 };
  expect_error (&p, NULL, "process.ioPriority.priority: `8` is not in 0..7",
                "ioPriority range");
  p.io_priority = NULL;
  char *flags[] = { (char *) "SCHED_FLAG_NOPE", NULL };
  struct mrc_scheduler sc = { .policy = (char *) "SCHED_NOPE" };
  p.scheduler = &sc;
  expect_error (&p, NULL, "process.scheduler.policy: unknown policy "
                          "`SCHED_NOPE`", "scheduler policy");
  sc = (struct mrc_scheduler){ .policy = (char *) "SCHED_OTHER",
                               .flags = flags };
  expect_error (&p, NULL, "process.scheduler.flags: unknown flag "
                          "`SCHED_FLAG_NOPE`", "scheduler flag");
  sc = (struct mrc_scheduler){ .policy = (char *) "SCHED_BATCH",
                               .has_nice = true, .nice = 20 };
  expect_error (&p, NULL, "process.scheduler.nice: `20` is not in -20..19",
                "nice range");
  p.scheduler = NULL;
  p.exec_cpu_affinity_initial = (char *) "0-x";
  expect_error (&p, NULL, "process.execCPUAffinity.initial: invalid CPU "
                          "list `0-x`", "cpu list");
  p.exec_cpu_affinity_initial = NULL;
  struct mrc_personality pe = { .domain = (char *) "LINUX64" };
  struct mrc_linux l = { .personality = &pe };
  expect_error (&p, &l, "linux.personality.domain: unknown domain "
                        "`LINUX64`", "personality domain");
  char *pflags[] = { (char *) "ADDR_NO_RANDOMIZE", NULL };
  pe = (struct mrc_personality){ .domain = (char *) "LINUX32",
                                 .flags = pflags };
  expect_error (&p, &l, "linux.personality.flags: unsupported flag "
                        "`ADDR_NO_RANDOMIZE`", "personality flags");
}

/* "CapEff:\t0000000000000401" -> the mask, from /proc/self/status. */
static unsigned long long
status_mask (const char *key)
{
  cleanup_fclose FILE *f = fopen ("/proc/self/status", "re");
  char line[256];
  size_t n = strlen (key);
  while (f && fgets (line, sizeof line, f))
    if (strncmp (line, key, n) == 0 && line[n] == ':')
      return strtoull (line + n + 1, NULL, 16);
  return ~0ULL;
}

/* Child: apply everything as uid 1000, report failures as exit codes. */
static int
apply_as_user (const struct mrc_security *s)
{
  mrc_error_t err = NULL;
  int fd = -1;
  if (mrc_security_protect_self (&err) < 0
      || mrc_security_apply_root (s, &err) < 0
      || mrc_security_apply_bounding (s, &err) < 0)
    return 10;
  if (setresgid (1000, 1000, 1000) < 0 || setresuid (1000, 1000, 1000) < 0)
    return 11;
  if (mrc_security_apply_caps (s, &err) < 0
      || mrc_security_apply_final (s, &fd, &err) < 0)
    {
      printf ("# apply_caps/final: %s\n", err->msg);
      return 12;
    }
  const unsigned long long want = (1ULL << 0) | (1ULL << 10);
  if (status_mask ("CapBnd") != want || status_mask ("CapEff") != want
      || status_mask ("CapPrm") != want || status_mask ("CapInh") != 0
      || status_mask ("CapAmb") != 0)
    return 13;
  if (status_mask ("NoNewPrivs") != 1)
    return 14;
  struct rlimit rl;
  if (getrlimit (RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur != 123
      || rl.rlim_max != 456)
    return 15;
  if (status_mask ("Seccomp") != 0)
    return 16;
  return 0;
}

static void
test_apply_as_root (void)
{
  if (geteuid () != 0)
    {
      ok (1, "# SKIP applying capabilities needs root");
      return;
    }
  char *two[] = { (char *) "CAP_NET_BIND_SERVICE", (char *) "CAP_CHOWN", NULL };
  struct mrc_capabilities caps = { .bounding = two, .effective = two,
                                   .permitted = two };
  struct mrc_rlimit rl = { (char *) "RLIMIT_NOFILE", 456, 123 };
  struct mrc_process p = { .capabilities = &caps, .rlimits = &rl,
                           .n_rlimits = 1, .no_new_privileges = true };
  struct mrc_security *s = expect_ok (&p, NULL, "two capabilities");
  if (s == NULL)
    return;
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    _exit (apply_as_user (s));
  int status = -1;
  waitpid (pid, &status, 0);
  is_int (WIFEXITED (status) ? WEXITSTATUS (status) : 100 + status, 0,
          "child as uid 1000 has exactly CAP_CHOWN and CAP_NET_BIND_SERVICE, "
          "NoNewPrivs and the rlimit");
  mrc_security_free (s);
}

static void
test_rlimit_raise_error (void)
{
  struct rlimit cur;
  if (getrlimit (RLIMIT_NOFILE, &cur) < 0 || cur.rlim_max == RLIM_INFINITY)
    {
      ok (1, "# SKIP no finite hard RLIMIT_NOFILE");
      return;
    }
  struct mrc_rlimit rl = { (char *) "RLIMIT_NOFILE", cur.rlim_max + 1,
                           cur.rlim_cur };
  struct mrc_process p = { .rlimits = &rl, .n_rlimits = 1 };
  struct mrc_security *s = expect_ok (&p, NULL, "rlimit above the hard one");
  if (s == NULL)
    return;
  mrc_error_t err = NULL;
  int r = mrc_security_set_rlimits (s, 0, &err);
  char want[160];
  snprintf (want, sizeof want, "process.rlimits: RLIMIT_NOFILE: cannot raise "
                               "the hard limit above %llu",
            (unsigned long long) cur.rlim_max);
  if (r == 0) /* CAP_SYS_RESOURCE: the raise worked; put it back */
    {
      ok (setrlimit (RLIMIT_NOFILE, &cur) == 0, "# SKIP raise allowed here");
      is_str (want, want, "# SKIP");
    }
  else
    {
      ok (r < 0, "raising the hard limit fails");
      is_str (err ? err->msg : NULL, want, "error names the limit");
    }
  mrc_error_free (&err);
  mrc_security_free (s);
}

int
main (void)
{
  test_cap_names ();
  test_rlimit_names ();
  test_cpus ();
  test_caps_errors ();
  test_rlimit_errors ();
  test_other_errors ();
  test_rlimit_raise_error ();
  test_apply_as_root ();
  return done_testing ();
}
