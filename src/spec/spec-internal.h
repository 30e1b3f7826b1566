/* src/spec's private header: the schema tables, the JSON writers and the
 * key sets its files share (and its unit tests use). */
#ifndef MRC_SPEC_INTERNAL_H
#define MRC_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yajl/yajl_gen.h>

#include "mrc/error.h"

/* A strict, schema-driven streaming JSON decoder on top of yajl's event API.
 *
 * Each C struct filled from JSON is described by a `struct mrc_schema`: a
 * static const table of fields {json key, kind, offset, ...}.  The decoder
 * keeps a stack of frames (one per open JSON container), looks each key up
 * in the current object's table and stores values straight into the structs.
 * The same tables drive mrc_schema_free, so whatever the decoder allocated is
 * released by one walk, also after an error half-way through a document.
 *
 * Why not yajl_tree_parse: it stops at a NUL byte, keeps the first of
 * duplicate keys, coerces numbers through double and frees deep trees
 * recursively.  Here every number arrives as raw text and is range-checked
 * for its C type, duplicates are rejected, depth is capped, and every error
 * names the JSON path of the offending value.
 */

enum mrc_kind
{
  MRC_K_STR,     /* char * */
  MRC_K_BOOL,    /* bool */
  MRC_K_U16,     /* uint16_t */
  MRC_K_U32,     /* uint32_t */
  MRC_K_I32,     /* int32_t */
  MRC_K_U64,     /* uint64_t */
  MRC_K_I64,     /* int64_t */
  MRC_K_ENUM,    /* int, a string looked up in field->names */
  MRC_K_STRV,    /* char **, NULL-terminated */
  MRC_K_U32V,    /* uint32_t * with a size_t count */
  MRC_K_INLINE,  /* an object whose fields live in a struct at OFF */
  MRC_K_PTR,     /* an object allocated and stored as a pointer at OFF */
  MRC_K_ARRAY,   /* an array of objects: pointer at OFF, size_t count */
  MRC_K_MAP_STR, /* {"k": "v"...}: struct mrc_kv * at OFF, size_t count */
  MRC_K_MAP_OBJ, /* {"k": {...}...}: array of structs, key at sub->key_off */
};

#define MRC_F_REQUIRED 0x1

struct mrc_schema;

struct mrc_field
{
  const char *key;
  uint8_t kind;
  uint8_t flags;
  size_t off;
  /* Offset + 1 of a `bool has_x` set when the value is present (0: none);
     for arrays and maps, offset + 1 of the size_t element count. */
  size_t aux;
  const struct mrc_schema *sub;     /* INLINE, PTR, ARRAY, MAP_OBJ */
  const char *const *names;         /* ENUM: NULL-terminated, value = index */
};

struct mrc_schema
{
  size_t size;     /* sizeof the struct (PTR, ARRAY and MAP_OBJ elements) */
  size_t key_off;  /* MAP_OBJ elements: offset of the char * map key */
  const struct mrc_field *fields;
  size_t n_fields; /* at most 64 */
};

/* Decode BUF (LEN bytes) into OUT, a zeroed struct described by ROOT.  NAME
 * prefixes every error message.  On failure OUT may hold partial data: free
 * it with mrc_schema_free. */
int mrc_schema_decode (const struct mrc_schema *root, const char *buf,
                       size_t len, const char *name, void *out,
                       mrc_error_t *err) MRC_WUR;

/* Free everything the decoder may have allocated inside OBJ (not OBJ). */
void mrc_schema_free (const struct mrc_schema *schema, void *obj);

/* The tables, in schema.c. */
extern const struct mrc_schema mrc_schema_spec;
extern const struct mrc_schema mrc_schema_process;
extern const struct mrc_schema mrc_schema_resources;

#define MRC_HAS(type, member) (offsetof (type, member) + 1)
#define MRC_N_ELEMS(a) (sizeof (a) / sizeof ((a)[0]))

/* Shorthands for the field tables.  _REQ: an error when missing; _OPT: sets
 * the struct's `has_<member>` flag when present.  Arrays and maps keep their
 * length in `n_<member>`. */
#define MRC_FIELD(k, kind, fl, T, m, aux, sub)                                \
  { k, kind, fl, offsetof (T, m), aux, sub, NULL }
#define MRC_STR(k, T, m) MRC_FIELD (k, MRC_K_STR, 0, T, m, 0, NULL)
#define MRC_STR_REQ(k, T, m)                                                  \
  MRC_FIELD (k, MRC_K_STR, MRC_F_REQUIRED, T, m, 0, NULL)
#define MRC_BOOL(k, T, m) MRC_FIELD (k, MRC_K_BOOL, 0, T, m, 0, NULL)
#define MRC_BOOL_REQ(k, T, m)                                                 \
  MRC_FIELD (k, MRC_K_BOOL, MRC_F_REQUIRED, T, m, 0, NULL)
#define MRC_BOOL_OPT(k, T, m)                                                 \
  MRC_FIELD (k, MRC_K_BOOL, 0, T, m, MRC_HAS (T, has_##m), NULL)
#define MRC_NUM(k, kind, T, m) MRC_FIELD (k, kind, 0, T, m, 0, NULL)
#define MRC_NUM_REQ(k, kind, T, m)                                            \
  MRC_FIELD (k, kind, MRC_F_REQUIRED, T, m, 0, NULL)
#define MRC_NUM_OPT(k, kind, T, m)                                            \
  MRC_FIELD (k, kind, 0, T, m, MRC_HAS (T, has_##m), NULL)
#define MRC_STRV(k, T, m) MRC_FIELD (k, MRC_K_STRV, 0, T, m, 0, NULL)
#define MRC_STRV_REQ(k, T, m)                                                 \
  MRC_FIELD (k, MRC_K_STRV, MRC_F_REQUIRED, T, m, 0, NULL)
#define MRC_ARRAY(k, T, m, sub)                                               \
  MRC_FIELD (k, MRC_K_ARRAY, 0, T, m, MRC_HAS (T, n_##m), &sub)
#define MRC_MAP_STR(k, T, m)                                                  \
  MRC_FIELD (k, MRC_K_MAP_STR, 0, T, m, MRC_HAS (T, n_##m), NULL)
#define MRC_MAP_OBJ(k, T, m, sub)                                             \
  MRC_FIELD (k, MRC_K_MAP_OBJ, 0, T, m, MRC_HAS (T, n_##m), &sub)
#define MRC_PTR(k, T, m, sub) MRC_FIELD (k, MRC_K_PTR, 0, T, m, 0, &sub)
/* An object whose fields are stored directly in the enclosing struct T
   (e.g. process.consoleSize); PRESENT is T's flag set when it appears. */
#define MRC_INLINE(k, T, present, sub)                                        \
  { k, MRC_K_INLINE, 0, 0, MRC_HAS (T, present), &sub, NULL }
/* Used as `static MRC_SCHEMA (...);` or without static. */
#define MRC_SCHEMA(name, T, key_off, fields)                                  \
  const struct mrc_schema name                                                \
      = { sizeof (T), key_off, fields, MRC_N_ELEMS (fields) };                \
  _Static_assert (MRC_N_ELEMS (fields) <= 64, #fields " has too many keys")

/* A thin layer over yajl_gen whose first failure sticks: callers emit a
 * whole document and check once, in mrc_gen_finish, instead of after each
 * of dozens of calls. */

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

/* The set of keys seen in a document, to reject duplicates (decode.c). */

/* Every key of every object, keyed by (object serial, key): one hash set
 * for the whole document finds duplicates in O(1) whatever the shape. */
struct mrc_key_entry
{
  uint64_t serial;
  uint64_t hash;
  char *key;
  size_t len;
};

struct mrc_key_set
{
  struct mrc_key_entry *tab;
  size_t cap;
  size_t n;
};

/* Add KEY to object SERIAL.  Returns 1 if new (*STORED points to the
 * stored copy, valid until mrc_key_set_free), 0 if a duplicate, -1 when out
 * of memory. */
int mrc_key_set_add (struct mrc_key_set *s, uint64_t serial, const char *k,
                     size_t len, const char **stored);
void mrc_key_set_free (struct mrc_key_set *s);

#endif
