#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/file.h"
#include "mrc/spec.h"

int
mrc_cli_spec (const struct mrc_globals *g, int argc, char **argv,
              mrc_error_t *err)
{
  (void) g;
  static const struct mrc_cmd cmd = {
    "spec", "[OPTIONS]",
    "Write a default config.json into the bundle directory.", 0, 0, false, NULL,
  };
  const char *bundle = ".";
  bool rootless = false;
  const struct mrc_opt opts[] = {
    { "bundle", 'b', MRC_OPT_STRING, &bundle, "DIR",
      "where to write config.json (default: the current directory)" },
    { "rootless", 0, MRC_OPT_BOOL, &rootless, NULL,
      "a config for an unprivileged user (user namespace)" },
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  cleanup_close int dfd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return mrc_fail_errno (err, "spec: bundle `%s`", bundle), 1;
  cleanup_free char *json = NULL;
  size_t len;
  if (mrc_spec_default_json (rootless, &json, &len, err) < 0)
    return 1;
  /* O_EXCL: never overwrite a config somebody wrote */
  cleanup_close int fd = openat (dfd, "config.json",
                                 O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
                                     | O_NOFOLLOW,
                                 0644);
  if (fd < 0)
    return mrc_fail_errno (err, "spec: write `%s/config.json`", bundle), 1;
  if (mrc_write_all (fd, json, len) < 0 || mrc_write_all (fd, "\n", 1) < 0)
    {
      mrc_fail_errno (err, "spec: write `%s/config.json`", bundle);
      unlinkat (dfd, "config.json", 0);
      return 1;
    }
  return 0;
}
