#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/args.h"
#include "mrc/cleanup.h"

static const struct mrc_opt *
find_long (const struct mrc_opt *opts, size_t n, const char *name, size_t len)
{
  for (size_t i = 0; i < n; i++)
    if (strlen (opts[i].name) == len && strncmp (opts[i].name, name, len) == 0)
      return &opts[i];
  return NULL;
}

static const struct mrc_opt *
find_short (const struct mrc_opt *opts, size_t n, char c)
{
  for (size_t i = 0; i < n; i++)
    if (opts[i].short_name && opts[i].short_name == c)
      return &opts[i];
  return NULL;
}

static int
parse_bool (const char *v, bool *out)
{
  static const struct
  {
    const char *s;
    bool v;
  } table[] = { { "true", true },  { "1", true },  { "t", true },
                { "TRUE", true },  { "True", true }, { "false", false },
                { "0", false },    { "f", false }, { "FALSE", false },
                { "False", false } };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp (v, table[i].s) == 0)
      {
        *out = table[i].v;
        return 0;
      }
  return -1;
}

static int
strv_append (char ***v, const char *s)
{
  size_t n = 0;
  if (*v)
    while ((*v)[n])
      n++;
  char **nv = realloc (*v, (n + 2) * sizeof *nv);
  if (nv == NULL)
    return -1;
  *v = nv;
  nv[n] = strdup (s);
  nv[n + 1] = NULL;
  return nv[n] ? 0 : -1;
}

static int
set_value (const struct mrc_opt *o, const char *value, mrc_error_t *err)
{
  switch (o->kind)
    {
    case MRC_OPT_BOOL:
      if (value == NULL)
        *(bool *) o->target = true;
      else if (parse_bool (value, (bool *) o->target) < 0)
        return mrc_fail (err, "invalid boolean value `%s` for --%s", value,
                         o->name);
      return 0;
    case MRC_OPT_STRING:
      *(const char **) o->target = value;
      return 0;
    case MRC_OPT_INT:
      {
        char *end;
        errno = 0;
        long v = strtol (value, &end, 10);
        if (*value == '\0' || *end || errno || v < 0 || v > INT_MAX)
          return mrc_fail (err, "invalid value `%s` for --%s: expected a "
                                "non-negative integer",
                           value, o->name);
        *(int *) o->target = (int) v;
        return 0;
      }
    case MRC_OPT_STRV:
      if (strv_append ((char ***) o->target, value) < 0)
        return mrc_fail_errno (err, "--%s", o->name);
      return 0;
    }
  return mrc_fail (err, "bad option table");
}

/* Handle one flag word at ARGV[*I]; may consume the next word as value. */
static int
parse_flag (const struct mrc_cmd *cmd, const struct mrc_opt *opts, size_t n,
            int argc, char **argv, int *i, mrc_error_t *err)
{
  const char *w = argv[*i];
  const char *name = w + 1 + (w[1] == '-');
  const char *eq = strchr (name, '=');
  size_t len = eq ? (size_t) (eq - name) : strlen (name);
  const struct mrc_opt *o = NULL;

  if (w[1] != '-' && len == 1)
    o = find_short (opts, n, name[0]);
  if (o == NULL)
    o = find_long (opts, n, name, len);
  if (o == NULL)
    return mrc_fail (err, "unknown flag `%.*s` (see `mini-runc %s%s--help`)",
                     (int) (len + (name - w)), w, cmd->name,
                     *cmd->name ? " " : "");
  if (eq)
    return set_value (o, eq + 1, err);
  if (o->kind == MRC_OPT_BOOL)
    return set_value (o, NULL, err);
  if (*i + 1 >= argc)
    return mrc_fail (err, "flag `%s` needs a value", w);
  (*i)++;
  return set_value (o, argv[*i], err);
}

static int
parse_args (const struct mrc_cmd *cmd, const struct mrc_opt *opts,
            size_t nopts, int argc, char **argv, char ***pos, size_t *npos,
            mrc_error_t *err)
{
  cleanup_free char **p = calloc ((size_t) argc + 1, sizeof *p);
  size_t np = 0;
  bool only_pos = false;
  if (p == NULL)
    return mrc_fail_errno (err, "parse arguments");

  for (int i = 0; i < argc; i++)
    {
      const char *w = argv[i];
      if (!only_pos && strcmp (w, "--") == 0)
        {
          only_pos = true;
          continue;
        }
      if (!only_pos && w[0] == '-' && w[1] != '\0')
        {
          if (strcmp (w, "--help") == 0 || strcmp (w, "-h") == 0
              || strcmp (w, "-help") == 0)
            {
              if (cmd->print_help)
                cmd->print_help ();
              else
                mrc_args_print_help (cmd, opts, nopts);
              return 1;
            }
          if (parse_flag (cmd, opts, nopts, argc, argv, &i, err) < 0)
            return -1;
          continue;
        }
      p[np++] = argv[i];
      if (cmd->stop_at_positional)
        only_pos = true;
    }
  if (np < cmd->min_args)
    return mrc_fail (err, "expected %s%zu argument%s, got %zu (usage: "
                          "mini-runc %s %s)",
                     cmd->min_args == cmd->max_args ? "" : "at least ",
                     cmd->min_args, cmd->min_args == 1 ? "" : "s", np,
                     cmd->name, cmd->usage);
  if (np > cmd->max_args)
    return mrc_fail (err, "too many arguments (usage: mini-runc %s %s)",
                     cmd->name, cmd->usage);
  *npos = np;
  *pos = steal_ptr (&p);
  return 0;
}

int
mrc_args_parse (const struct mrc_cmd *cmd, const struct mrc_opt *opts,
                size_t nopts, int argc, char **argv, char ***pos,
                size_t *npos, mrc_error_t *err)
{
  int r = parse_args (cmd, opts, nopts, argc, argv, pos, npos, err);
  /* a verb's errors say which verb; the global flags' need nothing
     before main's "mini-runc: " */
  if (r < 0 && *cmd->name)
    return mrc_error_wrap (err, "%s", cmd->name);
  return r;
}

void
mrc_args_print_help (const struct mrc_cmd *cmd, const struct mrc_opt *opts,
                     size_t nopts)
{
  printf ("Usage: mini-runc %s %s\n\n%s\n", cmd->name, cmd->usage,
          cmd->summary);
  if (nopts)
    printf ("\nOptions:\n");
  for (size_t i = 0; i < nopts; i++)
    {
      char left[64];
      int n = snprintf (left, sizeof left, "%s%c%s--%s%s%s",
                        opts[i].short_name ? "-" : "",
                        opts[i].short_name ? opts[i].short_name : ' ',
                        opts[i].short_name ? ", " : "", opts[i].name,
                        opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
      if (!opts[i].short_name)
        memmove (left, left + 1, (size_t) n);
      printf ("  %-30s %s\n", left, opts[i].help);
    }
  printf ("  %-30s %s\n", "-h, --help", "show this help");
}
