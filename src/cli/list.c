#define _GNU_SOURCE
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

static void
print_table (struct mrc_state **list, size_t n)
{
  printf ("%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS",
          "BUNDLE", "CREATED", "OWNER");
  for (size_t i = 0; i < n; i++)
    printf ("%-12s %-10d %-10s %-40s %-30s %s\n", list[i]->id,
            (int) list[i]->pid, mrc_status_name (list[i]->status),
            list[i]->bundle, list[i]->created,
            list[i]->owner && *list[i]->owner ? list[i]->owner : "root");
}

int
mrc_cli_list (const struct mrc_globals *g, int argc, char **argv,
              mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "list", "[OPTIONS]", "List the containers under --root.", 0, 0, false, NULL,
  };
  const char *format = "table";
  bool quiet = false;
  const struct mrc_opt opts[] = {
    { "format", 'f', MRC_OPT_STRING, &format, "table|json",
      "output format (default: table)" },
    { "quiet", 'q', MRC_OPT_BOOL, &quiet, NULL, "print only the ids" },
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    return mrc_fail (err, "list: invalid --format `%s`: expected `table` or "
                          "`json`",
                     format),
           1;
  struct mrc_state **list = NULL;
  size_t n = 0;
  if (mrc_container_list (g, &list, &n, err) < 0)
    return 1;
  r = 0;
  if (quiet)
    for (size_t i = 0; i < n; i++)
      printf ("%s\n", list[i]->id);
  else if (strcmp (format, "json") == 0)
    {
      cleanup_free char *json = NULL;
      size_t len;
      r = mrc_state_list_to_json (list, n, &json, &len, err);
      if (r == 0)
        r = mrc_cli_print (json, len, err);
    }
  else
    print_table (list, n);
  mrc_container_list_free (list, n);
  return r < 0 ? 1 : 0;
}
