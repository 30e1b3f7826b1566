#define _GNU_SOURCE
#include <stdlib.h>

#include "mrc/args.h"
#include "mrc/cli.h"
#include "mrc/container.h"

/* create and run share these flags; run adds its own. */
#define CREATE_OPTS(o)                                                        \
  { "bundle", 'b', MRC_OPT_STRING, &(o).bundle, "DIR",                        \
    "bundle directory (default: the current directory)" },                    \
  { "pid-file", 0, MRC_OPT_STRING, &(o).pid_file, "FILE",                     \
    "write the init's host pid to FILE" },                                    \
  { "console-socket", 0, MRC_OPT_STRING, &(o).console_socket, "PATH",         \
    "unix socket that receives the pty master (process.terminal)" },          \
  { "pidfd-socket", 0, MRC_OPT_STRING, &(o).pidfd_socket, "PATH",             \
    "unix socket that receives a pidfd of the init" },                        \
  { "no-pivot", 0, MRC_OPT_BOOL, &(o).launch.no_pivot, NULL,                  \
    "move the rootfs onto / and chroot instead of pivot_root" },              \
  { "no-new-keyring", 0, MRC_OPT_BOOL, &(o).launch.no_new_keyring, NULL,      \
    "keep the caller's session keyring" },                                    \
  { "preserve-fds", 0, MRC_OPT_INT, &(o).launch.preserve_fds, "N",            \
    "pass fds 3..3+N-1 to the container" }

int
mrc_cli_create (const struct mrc_globals *g, int argc, char **argv,
                mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "create", "[OPTIONS] CONTAINER-ID",
    "Create a container from a bundle; its process waits for `start`.", 1, 1,
    false, NULL,
  };
  struct mrc_create_opts o = { 0 };
  const struct mrc_opt opts[] = { CREATE_OPTS (o) };
  char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  o.id = pos[0];
  r = mrc_container_create (g, &o, err);
  free (pos);
  return r < 0 ? 1 : 0;
}

int
mrc_cli_run (const struct mrc_globals *g, int argc, char **argv,
             mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "run", "[OPTIONS] CONTAINER-ID",
    "Create and start a container; in the foreground, wait for it, exit "
    "with its status and delete it.",
    1, 1, false, NULL,
  };
  struct mrc_create_opts o = { 0 };
  const struct mrc_opt opts[] = {
    CREATE_OPTS (o),
    { "detach", 'd', MRC_OPT_BOOL, &o.detach, NULL,
      "start the container and return at once" },
    { "keep", 0, MRC_OPT_BOOL, &o.keep, NULL,
      "do not delete the container after it exits" },
  };
  char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  o.id = pos[0];
  o.foreground = !o.detach;
  int status = 0;
  r = mrc_container_run (g, &o, &status, err);
  free (pos);
  return r < 0 ? 1 : status;
}
