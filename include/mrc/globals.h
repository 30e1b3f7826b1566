/* The parsed global options (before the verb).  Passed down explicitly. */
#ifndef MRC_GLOBALS_H
#define MRC_GLOBALS_H

#include <stdbool.h>

#define MRC_DEFAULT_ROOT "/run/mini-runc"

struct mrc_globals
{
  const char *root;       /* state directory */
  const char *log;        /* --log PATH or NULL */
  const char *log_format; /* "text" | "json" */
  bool debug;
  bool systemd_cgroup;
  const char *rootless_arg; /* --rootless: "true" | "false" | "auto" */
  bool rootless;          /* resolved (mrc/rootless.h) */
  bool root_given;        /* --root was passed */
  int inherited_fds;      /* fds 3..3+N-1 were open when mini-runc started */
};

#endif
