/* events: a container's stats and OOM events as JSON lines. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

/* Go-style durations as runc takes them: "5s", "100ms", "1m", "1.5s". */
static int
parse_duration_ms (const char *s, int *ms, mrc_error_t *err)
{
  static const struct
  {
    const char *unit;
    double ms;
  } units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 } };
  char *end;
  double v = strtod (s, &end);
  for (size_t i = 0; end != s && v > 0 && i < sizeof units / sizeof units[0];
       i++)
    if (strcmp (end, units[i].unit) == 0 && v * units[i].ms <= 86400000.0)
      {
        *ms = (int) (v * units[i].ms);
        return *ms > 0 ? 0 : mrc_fail (err, "events: --interval `%s` is too "
                                            "short", s);
      }
  return mrc_fail (err, "events: invalid --interval `%s`: expected a "
                        "duration like `5s` or `500ms`",
                   s);
}

int
mrc_cli_events (const struct mrc_globals *g, int argc, char **argv,
                mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "events", "[OPTIONS] CONTAINER-ID",
    "Print the container's resource statistics and OOM events as JSON "
    "lines until it stops.",
    1, 1, false, NULL,
  };
  bool stats = false;
  const char *interval = "5s";
  const struct mrc_opt opts[] = {
    { "stats", 0, MRC_OPT_BOOL, &stats, NULL,
      "print one stats line and exit" },
    { "interval", 0, MRC_OPT_STRING, &interval, "DURATION",
      "time between stats lines (default 5s)" },
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  int ms = 0;
  if (parse_duration_ms (interval, &ms, err) < 0)
    return 1;
  return mrc_container_events (g, pos[0], stats, ms, err) < 0 ? 1 : 0;
}
