/* ps: the container's processes.  json is the array of host pids that
 * containerd reads; table runs the host's ps (default `-ef`, or the given
 * ps options) and keeps the header and the container's lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"
#include "mrc/cli.h"
#include "mrc/container.h"

static int
pid_column (const char *header)
{
  int col = 0;
  cleanup_free char *h = strdup (header);
  char *save = NULL;
  for (char *t = h ? strtok_r (h, " \t\n", &save) : NULL; t;
       t = strtok_r (NULL, " \t\n", &save), col++)
    if (strcmp (t, "PID") == 0)
      return col;
  return -1;
}

static bool
line_in (const char *line, int col, const pid_t *pids, size_t n)
{
  cleanup_free char *l = strdup (line);
  char *save = NULL, *t = l ? strtok_r (l, " \t\n", &save) : NULL;
  for (int i = 0; t && i < col; i++)
    t = strtok_r (NULL, " \t\n", &save);
  if (t == NULL)
    return false;
  long v = strtol (t, NULL, 10);
  for (size_t i = 0; i < n; i++)
    if (pids[i] == v)
      return true;
  return false;
}

static int
print_table (char **ps_args, const pid_t *pids, size_t n, mrc_error_t *err)
{
  size_t na = 0;
  while (ps_args && ps_args[na])
    na++;
  cleanup_free char **argv = calloc (na + 3, sizeof *argv);
  if (argv == NULL)
    return mrc_fail_errno (err, "ps");
  argv[0] = (char *) "ps";
  if (na == 0)
    argv[1] = (char *) "-ef";
  for (size_t i = 0; i < na; i++)
    argv[1 + i] = ps_args[i];
  int fds[2];
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return mrc_fail_errno (err, "ps");
  pid_t child = fork ();
  if (child < 0)
    return mrc_fail_errno (err, "ps: fork");
  if (child == 0)
    {
      dup2 (fds[1], STDOUT_FILENO);
      execvp ("ps", argv);
      _exit (127);
    }
  close (fds[1]);
  cleanup_fclose FILE *f = fdopen (fds[0], "re");
  cleanup_free char *line = NULL;
  size_t cap = 0;
  int col = -1;
  while (f && getline (&line, &cap, f) > 0)
    {
      if (col < 0)
        {
          col = pid_column (line);
          fputs (line, stdout);
        }
      else if (line_in (line, col, pids, n))
        fputs (line, stdout);
    }
  int status;
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (col < 0 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return mrc_fail (err, "ps: the host's `ps` failed or printed no PID "
                          "column");
  return 0;
}

int
mrc_cli_ps (const struct mrc_globals *g, int argc, char **argv,
            mrc_error_t *err)
{
  static const struct mrc_cmd cmd = {
    "ps", "[OPTIONS] CONTAINER-ID [PS-OPTIONS...]",
    "List the processes of a container.", 1, SIZE_MAX, true, NULL,
  };
  const char *format = "table";
  const struct mrc_opt opts[] = {
    { "format", 'f', MRC_OPT_STRING, &format, "table|json",
      "output format (default: table)" },
  };
  cleanup_free char **pos = NULL;
  size_t npos;
  int r = mrc_args_parse (&cmd, opts, MRC_NOPTS (opts), argc, argv, &pos,
                          &npos, err);
  if (r != 0)
    return r < 0 ? 1 : 0;
  bool json = strcmp (format, "json") == 0;
  if (!json && strcmp (format, "table") != 0)
    return mrc_fail (err, "ps: invalid --format `%s`: expected `table` or "
                          "`json`", format), 1;
  if (json && npos > 1)
    return mrc_fail (err, "ps: ps options cannot be used with --format json"),
           1;
  cleanup_free pid_t *pids = NULL;
  size_t n;
  if (mrc_container_ps (g, pos[0], &pids, &n, err) < 0)
    return 1;
  if (!json)
    return print_table (pos + 1, pids, n, err) < 0 ? 1 : 0;
  putchar ('[');
  for (size_t i = 0; i < n; i++)
    printf ("%s%d", i ? "," : "", (int) pids[i]);
  printf ("]\n");
  return 0;
}
