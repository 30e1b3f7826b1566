/* What the verbs of src/cli/ share beyond mrc/args.h. */
#ifndef MRC_CLI_INTERNAL_H
#define MRC_CLI_INTERNAL_H

#include "mrc/args.h"
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

#endif
