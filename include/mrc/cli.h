/* The verbs: each parses its own flags and calls one lifecycle function.
 * Returns the process exit status; an error is set in *ERR for main to
 * print (once). */
#ifndef MRC_CLI_H
#define MRC_CLI_H

#include "mrc/error.h"
#include "mrc/globals.h"

typedef int (*mrc_verb_fn) (const struct mrc_globals *g, int argc,
                            char **argv, mrc_error_t *err);

int mrc_cli_create (const struct mrc_globals *g, int argc, char **argv,
                    mrc_error_t *err);
int mrc_cli_start (const struct mrc_globals *g, int argc, char **argv,
                   mrc_error_t *err);
int mrc_cli_run (const struct mrc_globals *g, int argc, char **argv,
                 mrc_error_t *err);
int mrc_cli_state (const struct mrc_globals *g, int argc, char **argv,
                   mrc_error_t *err);
int mrc_cli_kill (const struct mrc_globals *g, int argc, char **argv,
                  mrc_error_t *err);
int mrc_cli_delete (const struct mrc_globals *g, int argc, char **argv,
                    mrc_error_t *err);
int mrc_cli_list (const struct mrc_globals *g, int argc, char **argv,
                  mrc_error_t *err);
int mrc_cli_exec (const struct mrc_globals *g, int argc, char **argv,
                  mrc_error_t *err);
int mrc_cli_ps (const struct mrc_globals *g, int argc, char **argv,
                mrc_error_t *err);
int mrc_cli_features (const struct mrc_globals *g, int argc, char **argv,
                      mrc_error_t *err);
int mrc_cli_pause (const struct mrc_globals *g, int argc, char **argv,
                   mrc_error_t *err);
int mrc_cli_resume (const struct mrc_globals *g, int argc, char **argv,
                    mrc_error_t *err);
int mrc_cli_update (const struct mrc_globals *g, int argc, char **argv,
                    mrc_error_t *err);
int mrc_cli_events (const struct mrc_globals *g, int argc, char **argv,
                    mrc_error_t *err);
int mrc_cli_spec (const struct mrc_globals *g, int argc, char **argv,
                  mrc_error_t *err);

/* Print a JSON buffer to stdout followed by a newline. */
int mrc_cli_print (const char *buf, size_t len, mrc_error_t *err) MRC_WUR;

#endif
