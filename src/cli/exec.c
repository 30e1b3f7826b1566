#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

int
mrc_cli_exec (const struct mrc_globals *g, int argc, char **argv,
              mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "exec", "[OPTIONS] CONTAINER-ID [COMMAND [ARG...]]",
    "Run a process in a running container.", 1, SIZE_MAX, true, NULL,
  };
  struct mrc_exec_opts o = { 0 };
  cleanup_strv char **env = NULL, **gids = NULL, **caps = NULL;
  cleanup_strv char **cgroups = NULL;
  const char *apparmor = NULL, *label = NULL;
  const struct mrc_opt opts[] = {
    { "process", 'p', MRC_OPT_STRING, &o.process_file, "FILE",
      "an OCI process JSON; the command line's overrides are then ignored" },
    { "tty", 't', MRC_OPT_BOOL, &o.tty, NULL, "allocate a terminal" },
    { "console-socket", 0, MRC_OPT_STRING, &o.console_socket, "PATH",
      "unix socket that receives the pty master" },
    { "detach", 'd', MRC_OPT_BOOL, &o.detach, NULL,
      "return once the process runs" },
    { "pid-file", 0, MRC_OPT_STRING, &o.pid_file, "FILE",
      "write the process's host pid to FILE" },
    { "env", 'e', MRC_OPT_STRV, &env, "K=V", "add an environment variable" },
    { "user", 'u', MRC_OPT_STRING, &o.user, "UID[:GID]", "run as this user" },
    { "additional-gids", 'g', MRC_OPT_STRV, &gids, "GID",
      "add a supplementary group" },
    { "cwd", 0, MRC_OPT_STRING, &o.cwd, "DIR", "working directory" },
    { "cap", 'c', MRC_OPT_STRV, &caps, "CAP",
      "add a capability (bounding, effective, permitted)" },
    { "no-new-privs", 0, MRC_OPT_BOOL, &o.no_new_privs, NULL,
      "set no_new_privs" },
    { "ignore-paused", 0, MRC_OPT_BOOL, &o.ignore_paused, NULL,
      "exec into a paused container too (the process runs once resumed)" },
    { "preserve-fds", 0, MRC_OPT_INT, &o.launch.preserve_fds, "N",
      "pass fds 3..3+N-1 to the process" },
    { "cgroup", 0, MRC_OPT_STRV, &cgroups, "[CTRL:]PATH",
      "run in this existing sub-cgroup of the container's (CTRL,...: in "
      "those v1 hierarchies only)" },
    { "apparmor", 0, MRC_OPT_STRING, &apparmor, "PROFILE",
      "accepted for compatibility; this host has no AppArmor" },
    { "process-label", 0, MRC_OPT_STRING, &label, "LABEL",
      "accepted for compatibility; this host has no SELinux" },
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  o.id = pos[0];
  o.args = pos + 1;
  o.inherited_fds = g->inherited_fds;
  o.env = env;
  o.additional_gids = gids;
  o.caps = caps;
  o.cgroups = cgroups;
  int status = 0;
  /* runc and its callers: 255 whenever the process could not be run */
  if (mrc_container_exec (g, &o, &status, err) < 0)
    {
      (*err)->status = 255;
      return 255;
    }
  return status;
}
