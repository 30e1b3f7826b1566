/* A thin layer over yajl_gen whose first failure sticks: callers emit a
 * whole document and check once, in mrc_gen_finish, instead of after each
 * of dozens of calls.  Private to src/spec. */
#ifndef MRC_SPEC_GEN_H
#define MRC_SPEC_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "mrc/error.h"

struct mrc_gen
{
  yajl_gen g;
  yajl_gen_status status;
};

/* INDENT: NULL for compact output, else the indent string ("\t", "  "). */
int mrc_gen_init (struct mrc_gen *gen, const char *indent,
                  mrc_error_t *err) MRC_WUR;
void mrc_gen_open_map (struct mrc_gen *gen);
void mrc_gen_close_map (struct mrc_gen *gen);
void mrc_gen_open_array (struct mrc_gen *gen);
void mrc_gen_close_array (struct mrc_gen *gen);
void mrc_gen_str (struct mrc_gen *gen, const char *s);
void mrc_gen_int (struct mrc_gen *gen, int64_t n);
void mrc_gen_uint (struct mrc_gen *gen, uint64_t n);
void mrc_gen_bool (struct mrc_gen *gen, bool b);
/* A NULL-terminated list of strings as an array. */
void mrc_gen_strv (struct mrc_gen *gen, const char *const *v);
/* "key": value shorthands. */
void mrc_gen_kstr (struct mrc_gen *gen, const char *key, const char *s);
void mrc_gen_kint (struct mrc_gen *gen, const char *key, int64_t n);
void mrc_gen_kbool (struct mrc_gen *gen, const char *key, bool b);

/* Hand the text over as a malloc'd NUL-terminated string, and free the
 * generator (also on failure).  WHAT names the document in errors. */
int mrc_gen_finish (struct mrc_gen *gen, const char *what, char **out,
                    size_t *len, mrc_error_t *err) MRC_WUR;

#endif
