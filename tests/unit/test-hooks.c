/* The hook runner (mrc/hooks.h) against real small hooks: shell scripts
 * written to a temp dir.  Every call is timed: none may hang. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/hooks.h"
#include "mrc/proc.h"
#include "tap.h"

static char dir[] = "/tmp/mrc-test-hooks-XXXXXX";

/* DIR/NAME, in a static ring so a few can be alive at once. */
static const char *
at (const char *name)
{
  static char bufs[8][512];
  static int next;
  char *b = bufs[next++ % 8];
  snprintf (b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

/* Write a script DIR/NAME with BODY after a #!/bin/sh line; mode MODE. */
static const char *
script (const char *name, mode_t mode, const char *body)
{
  const char *path = at (name);
  FILE *f = fopen (path, "we");
  if (f == NULL || fprintf (f, "#!/bin/sh\n%s\n", body) < 0
      || fclose (f) != 0 || chmod (path, mode) < 0)
    {
      perror (path);
      exit (99);
    }
  return path;
}

static char *
slurp (const char *name)
{
  mrc_error_t err = NULL;
  char *buf = NULL;
  size_t len;
  if (mrc_read_file_at (AT_FDCWD, at (name), 1 << 20, &buf, &len, &err) < 0)
    {
      diag ("%s", err->msg);
      mrc_error_free (&err);
      return NULL;
    }
  return buf;
}

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run HOOK with STATE; the error text (or NULL) in *MSG, the wall time in
   *SECS.  Returns mrc_hook_run's result. */
static int
run (const struct mrc_hook *hook, const char *state, size_t len, char **msg,
     double *secs)
{
  mrc_error_t err = NULL;
  double t0 = now ();
  int r = mrc_hook_run (hook, state, len, &err);
  *secs = now () - t0;
  *msg = NULL;
  if ((r < 0) != (err != NULL))
    diag ("result %d but error %s", r, err ? "set" : "not set");
  if (err)
    {
      *msg = strdup (err->msg);
      mrc_error_free (&err);
    }
  return r;
}

/* The hook fails with exactly WANT, within MAX_SECS. */
static void
expect_error (const struct mrc_hook *hook, const char *want, double max_secs,
              const char *what)
{
  cleanup_free char *msg = NULL;
  double secs;
  int r = run (hook, "{}", 2, &msg, &secs);
  is_int (r, -1, "%s: fails", what);
  is_str (msg, want, "%s: message", what);
  ok (secs < max_secs, "%s: took %.2f s (< %.0f)", what, secs, max_secs);
}

static const char state_json[] = "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\","
                                  "\"pid\":42,\"status\":\"creating\","
                                  "\"bundle\":\"/b\"}";

static void
test_kinds (void)
{
  static const char *const names[] = { "prestart",       "createRuntime",
                                       "createContainer", "startContainer",
                                       "poststart",      "poststop" };
  for (int k = MRC_HOOK_PRESTART; k <= MRC_HOOK_POSTSTOP; k++)
    is_str (mrc_hook_kind_name (k), names[k], "kind %d is %s", k, names[k]);
  is_str (mrc_hook_kind_name ((enum mrc_hook_kind) 99), "unknown",
          "out of range kind");

  struct mrc_hook a[2] = { { .path = (char *) "/a" }, { .path = (char *) "/b" } };
  struct mrc_hooks h = { .start_container = a, .n_start_container = 2 };
  size_t n = 7;
  const struct mrc_hook *l = mrc_hooks_of (&h, MRC_HOOK_START_CONTAINER, &n);
  ok (l == a && n == 2, "hooks_of finds startContainer's list");
  l = mrc_hooks_of (&h, MRC_HOOK_POSTSTOP, &n);
  ok (l == NULL && n == 0, "hooks_of: an absent kind is empty");
  l = mrc_hooks_of (&h, (enum mrc_hook_kind) 99, &n);
  ok (l == NULL && n == 0, "hooks_of: out of range is empty");
}

/* stdin, argv (argv[0] included) and environ as the hook received them. */
static void
test_record (void)
{
  char body[1024];
  snprintf (body, sizeof body,
            "/bin/cat > %s/rec.stdin\n"
            "/usr/bin/tr '\\0' '\\n' < /proc/$$/cmdline > %s/rec.args\n"
            "/usr/bin/tr '\\0' '\\n' < /proc/$$/environ > %s/rec.env\n"
            "echo ignored on stdout; echo ignored on stderr >&2",
            dir, dir, dir);
  const char *rec = script ("record", 0755, body);
  char *args[] = { (char *) "hook-argv0", (char *) rec, (char *) "a b",
                   (char *) "", (char *) "c", NULL };
  char *env[] = { (char *) "FOO=bar baz", (char *) "EMPTY=", NULL };
  struct mrc_hook hook = { .path = (char *) "/bin/sh", .args = args,
                           .env = env };
  cleanup_free char *msg = NULL;
  double secs;
  int r = run (&hook, state_json, strlen (state_json), &msg, &secs);
  is_int (r, 0, "record hook succeeds");
  ok (msg == NULL, "no error");
  cleanup_free char *in = slurp ("rec.stdin");
  is_str (in, state_json, "stdin is the state, byte for byte");
  cleanup_free char *av = slurp ("rec.args");
  char want_av[600];
  snprintf (want_av, sizeof want_av, "hook-argv0\n%s\na b\n\nc\n", rec);
  is_str (av, want_av, "argv is args, argv[0] included");
  cleanup_free char *ev = slurp ("rec.env");
  is_str (ev, "FOO=bar baz\nEMPTY=\n", "environ is env exactly");

  /* No env: the runtime's own environment, as runc and crun give it. */
  setenv ("MRC_HOOK_TEST_INHERIT", "1", 1);
  hook.env = NULL;
  free (steal_ptr (&msg));
  r = run (&hook, "", 0, &msg, &secs);
  is_int (r, 0, "record hook without env and with an empty state");
  cleanup_free char *ev2 = slurp ("rec.env");
  ok (ev2 && strstr (ev2, "MRC_HOOK_TEST_INHERIT=1\n") != NULL,
      "environ is the runtime's when env is absent");
  cleanup_free char *in2 = slurp ("rec.stdin");
  is_str (in2, "", "stdin is empty (EOF) for an empty state");

  /* No args: argv is { path }. */
  struct mrc_hook bare = { .path = (char *) "/bin/true" };
  free (steal_ptr (&msg));
  is_int (run (&bare, "{}", 2, &msg, &secs), 0, "hook without args runs");
}

static void
test_failures (void)
{
  struct mrc_hook h = { 0 };
  h.path = (char *) script ("exit3", 0755,
                            "echo out; printf 'boom\\tnow\\nsecond\\n' >&2; "
                            "exit 3");
  expect_error (&h, "exited with status 3: boom now", 5, "exit 3");

  h.path = (char *) script ("exit4-stdout", 0755, "echo only-stdout; exit 4");
  expect_error (&h, "exited with status 4: only-stdout", 5,
                "exit 4, stdout used when stderr is empty");

  h.path = (char *) script ("exit5-silent", 0755, "exit 5");
  expect_error (&h, "exited with status 5", 5, "exit 5 silently");

  h.path = (char *) script ("kill9", 0755, "kill -9 $$");
  expect_error (&h, "killed by signal 9", 5, "killed by SIGKILL");

  /* Far more than a pipe holds on stderr: read as it comes, never stuck. */
  h.path = (char *) script ("chatty", 0755,
                            "echo first >&2; /usr/bin/head -c 1048576 "
                            "/dev/zero | /usr/bin/tr '\\0' x >&2; exit 1");
  expect_error (&h, "exited with status 1: first", 10, "1 MiB of stderr");

  h.path = (char *) "bin/true";
  expect_error (&h, "path `bin/true` is not absolute", 1, "relative path");
  h.path = (char *) at ("missing");
  expect_error (&h, "exec: no such file or directory", 5, "missing path");
  h.path = dir;
  expect_error (&h, "exec: is a directory", 5, "a directory");
  h.path = (char *) script ("noexec", 0644, "exit 0");
  expect_error (&h, "exec: permission denied", 5, "not executable");
}

static bool
gone (const char *pidfile)
{
  cleanup_free char *s = slurp (pidfile);
  pid_t pid = s ? atoi (s) : 0;
  bool zombie = false;
  if (pid <= 0)
    return false;
  for (int i = 0; i < 50; i++)
    {
      if (mrc_proc_stat (pid, NULL, &zombie) < 0 || zombie)
        return true;
      usleep (20000);
    }
  kill (pid, SIGKILL);
  return false;
}

static void
test_timeout (void)
{
  char body[512];
  snprintf (body, sizeof body,
            "/bin/sleep 30 & echo $! > %s/bg.pid; /bin/sleep 30", dir);
  struct mrc_hook h = { .has_timeout = true, .timeout = 1 };
  h.path = (char *) script ("sleeper", 0755, body);
  cleanup_free char *msg = NULL;
  double secs;
  int r = run (&h, "{}", 2, &msg, &secs);
  is_int (r, -1, "sleeper times out");
  is_str (msg, "timed out after 1 s", "timeout message");
  ok (secs >= 0.9 && secs < 4, "killed after about 1 s (%.2f s)", secs);
  ok (gone ("bg.pid"), "its background child in the group is killed too");

  /* Deaf to the polite signals: SIGKILL is what it gets. */
  h.path = (char *) script ("deaf", 0755,
                            "trap '' TERM INT HUP; while :; do :; done");
  free (steal_ptr (&msg));
  r = run (&h, "{}", 2, &msg, &secs);
  is_str (msg, "timed out after 1 s", "a hook ignoring SIGTERM times out");
  ok (secs < 4, "and is killed (%.2f s)", secs);

  /* A timeout that does not fire changes nothing. */
  h.timeout = 5;
  h.path = (char *) "/bin/true";
  free (steal_ptr (&msg));
  is_int (run (&h, "{}", 2, &msg, &secs), 0, "a quick hook under a timeout");
}

static void
test_no_hang (void)
{
  size_t big = 4 << 20;
  cleanup_free char *state = malloc (big);
  if (state == NULL)
    exit (99);
  memset (state, ' ', big);
  cleanup_free char *msg = NULL;
  double secs;
  struct mrc_hook h = { 0 };

  h.path = (char *) script ("noread", 0755, "exit 0");
  is_int (run (&h, state, big, &msg, &secs), 0,
          "a hook that never reads 4 MiB of state succeeds");
  ok (secs < 5, "without hanging (%.2f s)", secs);

  h.path = (char *) script ("closein", 0755,
                            "exec 0<&-; /bin/sleep 0.3; exit 0");
  free (steal_ptr (&msg));
  is_int (run (&h, state, big, &msg, &secs), 0,
          "a hook that closes stdin unread and lives on succeeds");
  sigset_t pending;
  sigpending (&pending);
  ok (!sigismember (&pending, SIGPIPE), "no SIGPIPE left pending");

  /* Daemonises holding stdout and stderr: done when the hook exits. */
  char body[512];
  snprintf (body, sizeof body,
            "/bin/sleep 30 & echo $! > %s/daemon.pid; "
            "echo daemon-says-hi >&2; exit 2", dir);
  h.path = (char *) script ("daemon", 0755, body);
  free (steal_ptr (&msg));
  int r = run (&h, "{}", 2, &msg, &secs);
  is_int (r, -1, "a daemonising hook that fails");
  is_str (msg, "exited with status 2: daemon-says-hi",
          "its stderr is read though its child holds the pipe");
  ok (secs < 5, "without waiting for its child (%.2f s)", secs);
  cleanup_free char *pid = slurp ("daemon.pid");
  ok (pid && kill (atoi (pid), 0) == 0, "its child is left alone");
  if (pid)
    kill (atoi (pid), SIGKILL);
}

/* Fds without O_CLOEXEC stay ours; a caller ignoring SIGCHLD still gets
   the hook's status. */
static void
test_environment_of_call (void)
{
  int fd = open ("/dev/null", O_RDONLY); /* no O_CLOEXEC, on purpose */
  if (fd < 0 || dup2 (fd, 50) < 0)
    exit (99);
  close (fd);
  struct mrc_hook h = { 0 };
  h.path = (char *) script ("fd50", 0755,
                            "[ -e /proc/self/fd/50 ] && exit 7; exit 0");
  cleanup_free char *msg = NULL;
  double secs;
  is_int (run (&h, "{}", 2, &msg, &secs), 0, "only fds 0-2 reach the hook");
  close (50);

  signal (SIGCHLD, SIG_IGN);
  h.path = (char *) script ("exit6", 0755, "exit 6");
  free (steal_ptr (&msg));
  run (&h, "{}", 2, &msg, &secs);
  is_str (msg, "exited with status 6", "status read with SIGCHLD ignored");
  struct sigaction sa;
  sigaction (SIGCHLD, NULL, &sa);
  ok (sa.sa_handler == SIG_IGN, "SIGCHLD disposition restored");
  signal (SIGCHLD, SIG_DFL);
}

static void
test_lists (void)
{
  char body[512];
  snprintf (body, sizeof body, "echo \"$1\" >> %s/order", dir);
  const char *mark = script ("mark", 0755, body);
  const char *fail = script ("fail", 0755, "echo bad hook >&2; exit 3");
  char *a0[] = { (char *) "mark", (char *) "0", NULL };
  char *a2[] = { (char *) "mark", (char *) "2", NULL };
  struct mrc_hook list[3] = { { .path = (char *) mark, .args = a0 },
                              { .path = (char *) fail },
                              { .path = (char *) mark, .args = a2 } };
  struct mrc_hooks h = { .create_runtime = list, .n_create_runtime = 3,
                         .poststop = list, .n_poststop = 3 };
  mrc_error_t err = NULL;
  char want[600];

  int r = mrc_hooks_run (&h, MRC_HOOK_CREATE_RUNTIME, "{}", 2, &err);
  is_int (r, -1, "a list with a failing hook fails");
  snprintf (want, sizeof want,
            "createRuntime hook[1] `%s`: exited with status 3: bad hook",
            fail);
  is_str (err ? err->msg : NULL, want, "the error names kind, index, path");
  mrc_error_free (&err);
  cleanup_free char *o1 = slurp ("order");
  is_str (o1, "0\n", "hooks after the failing one do not run");

  unlink (at ("order"));
  is_int (mrc_hooks_run_warn (&h, MRC_HOOK_POSTSTOP, "{}", 2), 1,
          "run_warn counts one failure");
  cleanup_free char *o2 = slurp ("order");
  is_str (o2, "0\n2\n", "run_warn runs the hooks after a failure");

  is_int (mrc_hooks_run (&h, MRC_HOOK_PRESTART, "{}", 2, &err), 0,
          "an empty kind succeeds");
  ok (err == NULL, "and sets no error");
}

static int
rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  return remove (path);
}

int
main (void)
{
  /* Whatever goes wrong, the test itself never hangs. */
  alarm (120);
  if (mkdtemp (dir) == NULL)
    {
      perror ("mkdtemp");
      return 99;
    }
  test_kinds ();
  test_record ();
  test_failures ();
  test_timeout ();
  test_no_hang ();
  test_environment_of_call ();
  test_lists ();
  nftw (dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  return done_testing ();
}
