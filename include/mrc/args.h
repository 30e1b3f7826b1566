/* Table-driven command-line parsing with runc's rules: `--flag value`,
 * `--flag=value`, single-dash long flags (`-bundle B`), `--bool=false`,
 * short letters, flags after positional arguments unless the verb stops at
 * its first positional (exec, kill, ps), and `--` ending the flags.
 * --help output is generated from the same table, so it cannot drift. */
#ifndef MRC_ARGS_H
#define MRC_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "mrc/error.h"

enum mrc_opt_kind
{
  MRC_OPT_BOOL,   /* bool *        */
  MRC_OPT_STRING, /* const char ** */
  MRC_OPT_INT,    /* int * (non-negative) */
  MRC_OPT_STRV,   /* char *** (repeatable; NULL-terminated, malloc'd) */
};

struct mrc_opt
{
  const char *name;  /* long name, without dashes */
  char short_name;   /* 0: none */
  enum mrc_opt_kind kind;
  void *target;
  const char *arg;   /* value placeholder in --help, NULL for bools */
  const char *help;
};

struct mrc_cmd
{
  const char *name;    /* "create" */
  const char *usage;   /* "[OPTIONS] CONTAINER-ID" */
  const char *summary; /* one line */
  size_t min_args;
  size_t max_args;     /* SIZE_MAX: unlimited */
  bool stop_at_positional;
  void (*print_help) (void); /* NULL: generated from the table */
};

/* Parse ARGV[0..ARGC) (ARGV[0] is the first argument after the verb).
 * Positional arguments are collected into *POS (malloc'd array of pointers
 * into ARGV, NULL-terminated) and *NPOS.  Returns 1 when --help/-h was
 * printed (the caller exits 0), 0 on success, -1 on error. */
int mrc_args_parse (const struct mrc_cmd *cmd, const struct mrc_opt *opts,
                    size_t nopts, int argc, char **argv, char ***pos,
                    size_t *npos, mrc_error_t *err) MRC_WUR;

void mrc_args_print_help (const struct mrc_cmd *cmd,
                          const struct mrc_opt *opts, size_t nopts);

#define MRC_NOPTS(a) (sizeof (a) / sizeof ((a)[0]))

#endif
