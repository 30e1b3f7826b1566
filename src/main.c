/* mini-runc: global flags, the verb table, and the single place where an
 * error is printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>
#include <yajl/yajl_version.h>

#include "mrc/args.h"
#include "mrc/cli.h"
#include "mrc/fault.h"
#include "mrc/log.h"
#include "mrc/rootless.h"
#include "mrc/spec.h"

#ifndef MRC_VERSION
#define MRC_VERSION "0.1.0"
#endif

static const struct
{
  const char *name;
  mrc_verb_fn fn;
  const char *summary;
  bool stateless; /* never opens the state root */
} verbs[] = {
  { "create", mrc_cli_create, "create a container (its process waits)", false },
  { "start", mrc_cli_start, "start the process of a created container", false },
  { "run", mrc_cli_run, "create and start a container", false },
  { "exec", mrc_cli_exec, "run a process in a running container", false },
  { "state", mrc_cli_state, "print the state of a container", false },
  { "kill", mrc_cli_kill, "send a signal to a container", false },
  { "delete", mrc_cli_delete, "delete a container", false },
  { "list", mrc_cli_list, "list containers", false },
  { "ps", mrc_cli_ps, "list the processes of a container", false },
  { "pause", mrc_cli_pause, "freeze every process of a container", false },
  { "resume", mrc_cli_resume, "thaw a paused container", false },
  { "update", mrc_cli_update, "change a running container's limits", false },
  { "events", mrc_cli_events, "print a container's stats and OOM events", false },
  { "spec", mrc_cli_spec, "write a default config.json", true },
  { "features", mrc_cli_features, "print the features this build supports",
    true },
};

static void
print_version (void)
{
  const struct scmp_version *sv = seccomp_version ();
  printf ("mini-runc version %s\nspec: %s\nyajl: %d.%d.%d\n", MRC_VERSION,
          MRC_OCI_VERSION, YAJL_MAJOR, YAJL_MINOR, YAJL_MICRO);
  if (sv)
    printf ("libseccomp: %u.%u.%u\n", sv->major, sv->minor, sv->micro);
}

/* The parsed global options: one of the two globals STYLE.md allows. */
static const char default_root[] = MRC_DEFAULT_ROOT;
static struct mrc_globals g = { .root = default_root, .log_format = "text",
                                .rootless_arg = "auto" };
static bool version;

static const struct mrc_opt global_opts[] = {
  { "root", 0, MRC_OPT_STRING, &g.root, "DIR",
    "state directory (default: " MRC_DEFAULT_ROOT
    ", rootless: $XDG_RUNTIME_DIR/mini-runc)" },
  { "log", 0, MRC_OPT_STRING, &g.log, "PATH", "append log lines to PATH" },
  { "log-format", 0, MRC_OPT_STRING, &g.log_format, "text|json",
    "log line format (default: text)" },
  { "debug", 0, MRC_OPT_BOOL, &g.debug, NULL, "log debug messages" },
  { "systemd-cgroup", 0, MRC_OPT_BOOL, &g.systemd_cgroup, NULL,
    "linux.cgroupsPath is slice:prefix:name (mapped to cgroupfs)" },
  { "rootless", 0, MRC_OPT_STRING, &g.rootless_arg, "true|false|auto",
    "run without the host's root (default: auto, see mini-runc(8))" },
  { "version", 'v', MRC_OPT_BOOL, &version, NULL, "print the version" },
};

static void
print_usage (void)
{
  printf ("Usage: mini-runc [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
          "A small, fast OCI container runtime, called like runc.\n\n"
          "Commands:\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    printf ("  %-10s %s\n", verbs[i].name, verbs[i].summary);
  printf ("\nGlobal options:\n");
  for (size_t i = 0; i < MRC_NOPTS (global_opts); i++)
    {
      const struct mrc_opt *o = &global_opts[i];
      char left[48];
      snprintf (left, sizeof left, "%s--%s%s%s", o->short_name ? "-v, " : "",
                o->name, o->arg ? " " : "", o->arg ? o->arg : "");
      printf ("  %-28s %s\n", left, o->help);
    }
  printf ("  %-28s %s\n\nRun `mini-runc COMMAND --help` for a command's "
          "options.\n",
          "-h, --help", "show this help");
}

/* --rootless, and the default state root that follows from it: runc's
 * rule, $XDG_RUNTIME_DIR/mini-runc for a caller without the host's root.
 * The caller's --root always wins. */
static int
resolve_root (mrc_error_t *err)
{
  if (mrc_rootless_resolve (g.rootless_arg, &g.rootless, err) < 0)
    return -1;
  g.root_given = g.root != default_root;
  if (g.root_given)
    return 0;
  static char *xdg; /* lives as long as the process */
  xdg = mrc_rootless_xdg_root ();
  if (xdg)
    g.root = xdg;
  return 0;
}

static bool
asks_help (int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
      return true;
  return false;
}

/* A rootless caller with neither --root nor XDG_RUNTIME_DIR gets the
 * built-in root, which it usually cannot write: say what to do instead of
 * a bare "permission denied". */
static int
check_root_usable (mrc_error_t *err)
{
  if (!g.rootless || g.root_given || g.root != default_root)
    return 0;
  if (access (g.root, W_OK | X_OK) == 0
      || (errno == ENOENT && access ("/run", W_OK | X_OK) == 0))
    return 0;
  return mrc_fail_errno (err, "rootless: state root `%s` is not usable and "
                              "XDG_RUNTIME_DIR is not set: set "
                              "XDG_RUNTIME_DIR or pass --root DIR",
                         g.root);
}

static int
report (mrc_error_t *err)
{
  mrc_log_error_final (*err ? (*err)->msg : "unknown error");
  int status = (*err && (*err)->status) ? (*err)->status : 1;
  mrc_error_free (err);
  return status;
}

int
main (int argc, char **argv)
{
  /* no verb name: its errors read "mini-runc: unknown flag ..." */
  static const struct mrc_cmd global = { "", "", "", 0, SIZE_MAX,
                                         true, print_usage };
  /* Before mini-runc opens anything: which of the caller's fds exist.
     Only those may be passed on with --preserve-fds or LISTEN_FDS; a gap
     would otherwise be filled by one of our own fds (a host directory fd
     reaching the container is CVE-2024-21626). */
  while (fcntl (3 + g.inherited_fds, F_GETFD) >= 0)
    g.inherited_fds++;
  /* A caller ignoring SIGCHLD would have our children reaped behind our
     back: their pids could then name other processes. */
  signal (SIGCHLD, SIG_DFL);
  mrc_fault_list_if_asked (); /* test builds only (mrc/fault.h) */
  mrc_error_t err = NULL;
  char **pos = NULL;
  size_t npos = 0;
  /* Global flags stop at the verb: everything after it is the verb's. */
  int r = mrc_args_parse (&global, global_opts, MRC_NOPTS (global_opts),
                          argc - 1, argv + 1, &pos, &npos, &err);
  if (r == 1)
    return 0;
  if (r < 0)
    return report (&err);
  if (strcmp (g.log_format, "text") != 0 && strcmp (g.log_format, "json") != 0)
    return mrc_fail (&err, "invalid --log-format `%s`: expected `text` or "
                           "`json`", g.log_format), report (&err);
  if (mrc_log_init (g.log, strcmp (g.log_format, "json") == 0, g.debug) < 0)
    return mrc_fail_errno (&err, "open log file `%s`", g.log), report (&err);
  if (version)
    return free (pos), print_version (), 0;
  if (resolve_root (&err) < 0)
    return free (pos), report (&err);
  if (npos == 0)
    return free (pos), print_usage (), 1;
  /* pos[0] points into argv: the verb's own arguments follow it. */
  int vi = 1;
  while (argv[vi] != pos[0])
    vi++;
  const char *verb = pos[0];
  free (pos);
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp (verb, verbs[i].name) == 0)
      {
        if (!verbs[i].stateless && !asks_help (argc - vi - 1, argv + vi + 1)
            && check_root_usable (&err) < 0)
          return report (&err);
        int status = verbs[i].fn (&g, argc - vi - 1, argv + vi + 1, &err);
        if (err)
          return report (&err);
        mrc_log_close ();
        return status;
      }
  mrc_fail (&err, "unknown command `%s` (see `mini-runc --help`)", verb);
  return report (&err);
}
