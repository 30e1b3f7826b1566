#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "mrc/cleanup.h"
#include "mrc/spec.h"

#include "spec-internal.h"

/* One open JSON container. */
enum frame_type
{
  FR_OBJ,      /* an object described by a schema */
  FR_ARRAY,    /* an array of schema objects */
  FR_STRV,     /* an array of strings */
  FR_U32V,     /* an array of uint32 */
  FR_MAP_STR,  /* an object of strings */
  FR_MAP_OBJ,  /* an object of schema objects */
  FR_SKIP_OBJ, /* an unknown field's object: checked, not stored */
  FR_SKIP_ARR, /* an unknown field's array */
};

struct frame
{
  uint8_t type;
  const struct mrc_schema *schema; /* FR_OBJ */
  const struct mrc_field *owner;   /* the field that opened an array/map */
  char *base; /* FR_OBJ: the struct; arrays and maps: the owner's struct */
  const struct mrc_field *pending; /* FR_OBJ: field of the current key */
  const char *key;                 /* objects: the current key */
  size_t key_len;
  size_t index;   /* arrays: index of the current element */
  size_t cap;     /* arrays and maps: allocated elements */
  uint64_t seen;  /* FR_OBJ: bit i set when fields[i] got a non-null value */
  uint64_t serial; /* objects: identity in the duplicate-key set */
};

struct decoder
{
  const struct mrc_schema *root;
  void *out;
  const char *name;
  mrc_error_t *err;
  struct frame stack[MRC_SPEC_MAX_DEPTH];
  size_t depth;
  uint64_t serial;
  struct mrc_key_set keys;
};

enum value_type
{
  V_NULL,
  V_BOOL,
  V_NUM,
  V_STR,
};

struct value
{
  enum value_type type;
  const char *s;
  size_t len;
  bool b;
};

struct int_type
{
  bool is_signed;
  int64_t min;
  uint64_t max;
};

static const struct int_type int_types[] = {
  [MRC_K_U16] = { false, 0, UINT16_MAX },
  [MRC_K_U32] = { false, 0, UINT32_MAX },
  [MRC_K_I32] = { true, INT32_MIN, INT32_MAX },
  [MRC_K_U64] = { false, 0, UINT64_MAX },
  [MRC_K_I64] = { true, INT64_MIN, INT64_MAX },
};

/* What a value of each kind must look like, for type errors. */
static const char *const expect_msg[] = {
  [MRC_K_STR] = "expected a string",
  [MRC_K_BOOL] = "expected a boolean",
  [MRC_K_U16] = "expected an unsigned 16-bit integer",
  [MRC_K_U32] = "expected an unsigned 32-bit integer",
  [MRC_K_I32] = "expected a 32-bit integer",
  [MRC_K_U64] = "expected an unsigned 64-bit integer",
  [MRC_K_I64] = "expected a 64-bit integer",
  [MRC_K_ENUM] = "expected a string",
  [MRC_K_STRV] = "expected an array",
  [MRC_K_U32V] = "expected an array",
  [MRC_K_INLINE] = "expected an object",
  [MRC_K_PTR] = "expected an object",
  [MRC_K_ARRAY] = "expected an array",
  [MRC_K_MAP_STR] = "expected an object",
  [MRC_K_MAP_OBJ] = "expected an object",
};

#define MAX_KEY_SHOWN 64

/* Keys come from untrusted input: show control bytes as '?' and cut long
 * ones, so an error message stays one readable line. */
static void
put_key (FILE *m, const char *k, size_t len)
{
  size_t shown = len > MAX_KEY_SHOWN ? MAX_KEY_SHOWN : len;
  for (size_t i = 0; i < shown; i++)
    {
      unsigned char c = (unsigned char) k[i];
      fputc (c < 0x20 || c == 0x7f ? '?' : c, m);
    }
  if (shown < len)
    fputs ("...", m);
}

static bool
is_object_frame (const struct frame *f)
{
  return f->type == FR_OBJ || f->type == FR_MAP_STR || f->type == FR_MAP_OBJ
         || f->type == FR_SKIP_OBJ;
}

/* The JSON path of the current position in the first N frames, e.g.
 * "mounts[2].options[0]".  NULL when out of memory. */
static char *
build_path (const struct decoder *d, size_t n)
{
  char *path = NULL;
  size_t size = 0;
  FILE *m = open_memstream (&path, &size);
  if (m == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    {
      const struct frame *f = &d->stack[i];
      if (!is_object_frame (f))
        fprintf (m, "[%zu]", f->index);
      else if (f->key)
        {
          if (ftell (m) > 0)
            fputc ('.', m);
          put_key (m, f->key, f->key_len);
        }
    }
  if (fclose (m) != 0)
    {
      free (path);
      return NULL;
    }
  return path;
}

/* Set the error for the position in the first N frames.  Returns 0 so
 * callbacks can `return fail_at (...)` to stop yajl. */
static int
fail_at (struct decoder *d, size_t n, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
fail_at (struct decoder *d, size_t n, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *path = build_path (d, n);
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    mrc_error_set (d->err, ENOMEM, "%s: decode", d->name);
  else if (path && *path)
    mrc_fail (d->err, "%s: %s: %s", d->name, path, msg);
  else
    mrc_fail (d->err, "%s: %s", d->name, msg);
  return 0;
}

static int
fail_oom (struct decoder *d)
{
  mrc_error_set (d->err, ENOMEM, "%s: decode", d->name);
  return 0;
}

static int
type_error (struct decoder *d, enum mrc_kind kind)
{
  return fail_at (d, d->depth, "%s", expect_msg[kind]);
}

/* Make room for NEED elements of ELEM bytes; new elements are zeroed. */
static bool
grow (void **arr, size_t *cap, size_t need, size_t elem)
{
  if (need <= *cap)
    return true;
  size_t ncap = *cap ? *cap * 2 : 4;
  while (ncap < need)
    ncap *= 2;
  char *n = reallocarray (*arr, ncap, elem);
  if (n == NULL)
    return false;
  memset (n + *cap * elem, 0, (ncap - *cap) * elem);
  *arr = n;
  *cap = ncap;
  return true;
}

static struct frame *
top (struct decoder *d)
{
  return &d->stack[d->depth - 1];
}

static int
push (struct decoder *d, enum frame_type type, const struct mrc_schema *schema,
      const struct mrc_field *owner, char *base)
{
  struct frame *f = &d->stack[d->depth++];
  *f = (struct frame){ .type = type, .schema = schema, .owner = owner,
                       .base = base };
  if (is_object_frame (f))
    f->serial = ++d->serial;
  return 1;
}

/* A value (scalar or container) at the top frame's position is complete. */
static void
value_done (struct decoder *d)
{
  if (d->depth == 0)
    return;
  struct frame *f = top (d);
  if (f->type == FR_OBJ)
    f->pending = NULL;
  else if (!is_object_frame (f))
    f->index++;
}

static char *
dup_string (struct decoder *d, const struct value *v)
{
  if (memchr (v->s, '\0', v->len))
    {
      fail_at (d, d->depth, "string contains a NUL character");
      return NULL;
    }
  char *s = strndup (v->s, v->len);
  if (s == NULL)
    fail_oom (d);
  return s;
}

/* Integers arrive as raw text: floats and exponents are refused, the range
 * is the C type's, and nothing is coerced (uid 1.5 or -1 is an error). */
static bool
parse_integer (const struct value *v, enum mrc_kind kind, uint64_t *u,
               int64_t *i)
{
  const struct int_type *t = &int_types[kind];
  char tmp[32];
  if (v->type != V_NUM || v->len == 0 || v->len >= sizeof tmp)
    return false;
  memcpy (tmp, v->s, v->len);
  tmp[v->len] = '\0';
  if (strpbrk (tmp, ".eE"))
    return false;
  char *end = NULL;
  errno = 0;
  if (t->is_signed)
    {
      long long n = strtoll (tmp, &end, 10);
      if (errno || *end || n < t->min || n > (long long) t->max)
        return false;
      *i = n;
      return true;
    }
  if (tmp[0] == '-')
    return false;
  unsigned long long n = strtoull (tmp, &end, 10);
  if (errno || *end || n > t->max)
    return false;
  *u = n;
  return true;
}

static int
store_integer (struct decoder *d, enum mrc_kind kind, void *p,
               const struct value *v)
{
  uint64_t u = 0;
  int64_t i = 0;
  if (!parse_integer (v, kind, &u, &i))
    return type_error (d, kind);
  switch (kind)
    {
    case MRC_K_U16:
      *(uint16_t *) p = (uint16_t) u;
      break;
    case MRC_K_U32:
      *(uint32_t *) p = (uint32_t) u;
      break;
    case MRC_K_I32:
      *(int32_t *) p = (int32_t) i;
      break;
    case MRC_K_U64:
      *(uint64_t *) p = u;
      break;
    default:
      *(int64_t *) p = i;
      break;
    }
  return 1;
}

static int
store_enum (struct decoder *d, const struct mrc_field *fd, void *p,
            const struct value *v)
{
  if (v->type != V_STR)
    return type_error (d, MRC_K_ENUM);
  for (size_t i = 0; fd->names[i]; i++)
    if (strlen (fd->names[i]) == v->len
        && memcmp (fd->names[i], v->s, v->len) == 0)
      {
        *(int *) p = (int) i;
        return 1;
      }
  return fail_at (d, d->depth, "unknown value `%.*s`",
                  (int) (v->len > MAX_KEY_SHOWN ? MAX_KEY_SHOWN : v->len),
                  v->s);
}

static int
store_scalar (struct decoder *d, const struct mrc_field *fd, char *base,
              const struct value *v)
{
  void *p = base + fd->off;
  switch (fd->kind)
    {
    case MRC_K_STR:
      if (v->type != V_STR)
        return type_error (d, MRC_K_STR);
      if ((*(char **) p = dup_string (d, v)) == NULL)
        return 0;
      break;
    case MRC_K_BOOL:
      if (v->type != V_BOOL)
        return type_error (d, MRC_K_BOOL);
      *(bool *) p = v->b;
      break;
    case MRC_K_U16:
    case MRC_K_U32:
    case MRC_K_I32:
    case MRC_K_U64:
    case MRC_K_I64:
      if (!store_integer (d, fd->kind, p, v))
        return 0;
      break;
    case MRC_K_ENUM:
      if (!store_enum (d, fd, p, v))
        return 0;
      break;
    default:
      return type_error (d, fd->kind);
    }
  if (fd->aux)
    *(bool *) (base + fd->aux - 1) = true;
  return 1;
}

static void
mark_seen (struct frame *f)
{
  f->seen |= UINT64_C (1) << (f->pending - f->schema->fields);
}

static int
append_element (struct decoder *d, struct frame *f, const struct value *v)
{
  const struct mrc_field *fd = f->owner;
  void **arr = (void **) (f->base + fd->off);
  if (f->type == FR_STRV)
    {
      if (v->type != V_STR)
        return type_error (d, MRC_K_STR);
      char *s = dup_string (d, v);
      if (s == NULL)
        return 0;
      if (!grow (arr, &f->cap, f->index + 2, sizeof (char *)))
        {
          free (s);
          return fail_oom (d);
        }
      (*(char ***) arr)[f->index] = s;
      return 1;
    }
  uint32_t n = 0;
  if (!store_integer (d, MRC_K_U32, &n, v))
    return 0;
  if (!grow (arr, &f->cap, f->index + 1, sizeof n))
    return fail_oom (d);
  (*(uint32_t **) arr)[f->index] = n;
  *(size_t *) (f->base + fd->aux - 1) = f->index + 1;
  return 1;
}

static int
append_map_string (struct decoder *d, struct frame *f, const struct value *v)
{
  const struct mrc_field *fd = f->owner;
  struct mrc_kv **arr = (struct mrc_kv **) (f->base + fd->off);
  size_t *count = (size_t *) (f->base + fd->aux - 1);
  if (v->type != V_STR)
    return type_error (d, MRC_K_STR);
  if (!grow ((void **) arr, &f->cap, *count + 1, sizeof **arr))
    return fail_oom (d);
  struct mrc_kv *kv = &(*arr)[(*count)++];
  if ((kv->key = strndup (f->key, f->key_len)) == NULL)
    return fail_oom (d);
  return (kv->value = dup_string (d, v)) != NULL;
}

static int
on_scalar (struct decoder *d, const struct value *v)
{
  if (d->depth == 0)
    return fail_at (d, 0, "expected an object");
  struct frame *f = top (d);
  switch (f->type)
    {
    case FR_OBJ:
      if (f->pending && v->type != V_NULL)
        {
          if (!store_scalar (d, f->pending, f->base, v))
            return 0;
          mark_seen (f);
        }
      break;
    case FR_STRV:
    case FR_U32V:
      if (!append_element (d, f, v))
        return 0;
      break;
    case FR_MAP_STR:
      if (!append_map_string (d, f, v))
        return 0;
      break;
    case FR_ARRAY:
    case FR_MAP_OBJ:
      return type_error (d, MRC_K_PTR);
    default:
      break;
    }
  value_done (d);
  return 1;
}

static int
cb_null (void *ctx)
{
  struct value v = { .type = V_NULL };
  return on_scalar (ctx, &v);
}

static int
cb_boolean (void *ctx, int b)
{
  struct value v = { .type = V_BOOL, .b = b != 0 };
  return on_scalar (ctx, &v);
}

static int
cb_number (void *ctx, const char *s, size_t len)
{
  struct value v = { .type = V_NUM, .s = s, .len = len };
  return on_scalar (ctx, &v);
}

static int
cb_string (void *ctx, const unsigned char *s, size_t len)
{
  struct value v = { .type = V_STR, .s = (const char *) s, .len = len };
  return on_scalar (ctx, &v);
}

/* A new element of an array of objects, or a new entry of a map of objects:
 * grow the C array and decode the object into the new element. */
static int
push_element (struct decoder *d, struct frame *f)
{
  const struct mrc_field *fd = f->owner;
  const struct mrc_schema *sub = fd->sub;
  void **arr = (void **) (f->base + fd->off);
  size_t *count = (size_t *) (f->base + fd->aux - 1);
  if (!grow (arr, &f->cap, *count + 1, sub->size))
    return fail_oom (d);
  char *elem = (char *) *arr + (*count)++ * sub->size;
  if (f->type == FR_MAP_OBJ
      && (*(char **) (elem + sub->key_off) = strndup (f->key, f->key_len))
             == NULL)
    return fail_oom (d);
  return push (d, FR_OBJ, sub, NULL, elem);
}

/* An object starts as the value of a known field. */
static int
start_field_object (struct decoder *d, struct frame *f)
{
  const struct mrc_field *fd = f->pending;
  void *p = f->base + fd->off;
  switch (fd->kind)
    {
    case MRC_K_INLINE:
      if (fd->aux)
        *(bool *) (f->base + fd->aux - 1) = true;
      mark_seen (f);
      return push (d, FR_OBJ, fd->sub, NULL, p);
    case MRC_K_PTR:
      if ((*(void **) p = calloc (1, fd->sub->size)) == NULL)
        return fail_oom (d);
      mark_seen (f);
      return push (d, FR_OBJ, fd->sub, NULL, *(void **) p);
    case MRC_K_MAP_STR:
      mark_seen (f);
      return push (d, FR_MAP_STR, NULL, fd, f->base);
    case MRC_K_MAP_OBJ:
      mark_seen (f);
      return push (d, FR_MAP_OBJ, NULL, fd, f->base);
    default:
      return type_error (d, fd->kind);
    }
}

static int
start_field_array (struct decoder *d, struct frame *f)
{
  const struct mrc_field *fd = f->pending;
  switch (fd->kind)
    {
    case MRC_K_STRV:
      {
        /* Allocated now so that `[]` is an empty vector, not absent. */
        size_t cap = 0;
        if (!grow ((void **) (f->base + fd->off), &cap, 1, sizeof (char *)))
          return fail_oom (d);
        mark_seen (f);
        push (d, FR_STRV, NULL, fd, f->base);
        top (d)->cap = cap;
        return 1;
      }
    case MRC_K_U32V:
      mark_seen (f);
      return push (d, FR_U32V, NULL, fd, f->base);
    case MRC_K_ARRAY:
      mark_seen (f);
      return push (d, FR_ARRAY, NULL, fd, f->base);
    default:
      return type_error (d, fd->kind);
    }
}

static int
check_depth (struct decoder *d)
{
  if (d->depth < MRC_SPEC_MAX_DEPTH)
    return 1;
  return fail_at (d, d->depth, "nesting too deep (over %d levels)",
                  MRC_SPEC_MAX_DEPTH);
}

static int
cb_start_map (void *ctx)
{
  struct decoder *d = ctx;
  if (!check_depth (d))
    return 0;
  if (d->depth == 0)
    return push (d, FR_OBJ, d->root, NULL, d->out);
  struct frame *f = top (d);
  switch (f->type)
    {
    case FR_OBJ:
      if (f->pending == NULL)
        return push (d, FR_SKIP_OBJ, NULL, NULL, NULL);
      return start_field_object (d, f);
    case FR_ARRAY:
    case FR_MAP_OBJ:
      return push_element (d, f);
    case FR_STRV:
    case FR_MAP_STR:
      return type_error (d, MRC_K_STR);
    case FR_U32V:
      return type_error (d, MRC_K_U32);
    default:
      return push (d, FR_SKIP_OBJ, NULL, NULL, NULL);
    }
}

static int
cb_start_array (void *ctx)
{
  struct decoder *d = ctx;
  if (!check_depth (d))
    return 0;
  if (d->depth == 0)
    return fail_at (d, 0, "expected an object");
  struct frame *f = top (d);
  switch (f->type)
    {
    case FR_OBJ:
      if (f->pending == NULL)
        return push (d, FR_SKIP_ARR, NULL, NULL, NULL);
      return start_field_array (d, f);
    case FR_ARRAY:
    case FR_MAP_OBJ:
      return type_error (d, MRC_K_PTR);
    case FR_STRV:
    case FR_MAP_STR:
      return type_error (d, MRC_K_STR);
    case FR_U32V:
      return type_error (d, MRC_K_U32);
    default:
      return push (d, FR_SKIP_ARR, NULL, NULL, NULL);
    }
}

static const struct mrc_field *
lookup_field (const struct mrc_schema *s, const char *k, size_t len)
{
  for (size_t i = 0; i < s->n_fields; i++)
    if (strlen (s->fields[i].key) == len
        && memcmp (s->fields[i].key, k, len) == 0)
      return &s->fields[i];
  return NULL;
}

static int
cb_map_key (void *ctx, const unsigned char *key, size_t len)
{
  struct decoder *d = ctx;
  struct frame *f = top (d);
  const char *k = (const char *) key;
  const char *stored = NULL;
  int r = mrc_key_set_add (&d->keys, f->serial, k, len, &stored);
  if (r < 0)
    return fail_oom (d);
  if (r == 0)
    {
      cleanup_free char *shown = NULL;
      size_t size = 0;
      FILE *m = open_memstream (&shown, &size);
      if (m == NULL)
        return fail_oom (d);
      put_key (m, k, len);
      if (fclose (m) != 0)
        return fail_oom (d);
      return fail_at (d, d->depth - 1, "duplicate key `%s`", shown);
    }
  f->key = stored;
  f->key_len = len;
  if (f->type == FR_OBJ)
    f->pending = lookup_field (f->schema, k, len);
  else if (f->type != FR_SKIP_OBJ && memchr (k, '\0', len))
    return fail_at (d, d->depth, "key contains a NUL character");
  return 1;
}

static int
check_required (struct decoder *d, struct frame *f)
{
  for (size_t i = 0; i < f->schema->n_fields; i++)
    {
      const struct mrc_field *fd = &f->schema->fields[i];
      if ((fd->flags & MRC_F_REQUIRED) && !(f->seen & (UINT64_C (1) << i)))
        {
          f->key = fd->key;
          f->key_len = strlen (fd->key);
          return fail_at (d, d->depth, "required");
        }
    }
  return 1;
}

static int
cb_end_map (void *ctx)
{
  struct decoder *d = ctx;
  struct frame *f = top (d);
  if (f->type == FR_OBJ && !check_required (d, f))
    return 0;
  d->depth--;
  value_done (d);
  return 1;
}

static int
cb_end_array (void *ctx)
{
  struct decoder *d = ctx;
  d->depth--;
  value_done (d);
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = cb_null,
  .yajl_boolean = cb_boolean,
  .yajl_number = cb_number,
  .yajl_string = cb_string,
  .yajl_start_map = cb_start_map,
  .yajl_map_key = cb_map_key,
  .yajl_end_map = cb_end_map,
  .yajl_start_array = cb_start_array,
  .yajl_end_array = cb_end_array,
};

/* yajl's messages read "parse error: trailing garbage\n" or "lexical error:
 * invalid char in json text.\n": keep the reason only. */
static int
fail_syntax (yajl_handle h, const char *buf, size_t len, size_t at,
             const char *name, mrc_error_t *err)
{
  static const char *const prefixes[] = { "parse error: ", "lexical error: " };
  unsigned char *raw = yajl_get_error (h, 0, (const unsigned char *) buf, len);
  const char *reason = raw ? (const char *) raw : "syntax error";
  for (size_t i = 0; i < MRC_N_ELEMS (prefixes); i++)
    if (strncmp (reason, prefixes[i], strlen (prefixes[i])) == 0)
      reason += strlen (prefixes[i]);
  size_t n = strlen (reason);
  while (n > 0 && strchr ("\n. ", reason[n - 1]))
    n--;
  mrc_fail (err, "%s: invalid JSON at byte %zu: %.*s", name, at, (int) n,
            reason);
  if (raw)
    yajl_free_error (h, raw);
  return -1;
}

int
mrc_schema_decode (const struct mrc_schema *root, const char *buf,
                   size_t len, const char *name, void *out,
                   mrc_error_t *err)
{
  if (len > MRC_SPEC_MAX_BYTES)
    return mrc_fail (err, "%s: file too large (over %u bytes)", name,
                     MRC_SPEC_MAX_BYTES);
  size_t blank = 0;
  while (blank < len && strchr (" \t\r\n", buf[blank]) && buf[blank])
    blank++;
  if (blank == len)
    return mrc_fail (err, "%s: empty file", name);
  /* Positions in messages count from 1, like yajl's. */
  const char *nul = memchr (buf, '\0', len);
  if (nul)
    return mrc_fail (err, "%s: invalid JSON at byte %zu: NUL byte", name,
                     (size_t) (nul - buf) + 1);

  struct decoder d = { .root = root, .out = out, .name = name, .err = err };
  yajl_handle h = yajl_alloc (&callbacks, NULL, &d);
  if (h == NULL)
    return mrc_error_set (err, ENOMEM, "%s: decode", name);
  /* Defaults are what we want: no comments, UTF-8 validated, one value,
     no trailing garbage. */
  yajl_status st = yajl_parse (h, (const unsigned char *) buf, len);
  size_t at = yajl_get_bytes_consumed (h);
  if (st == yajl_status_ok)
    {
      /* Only the end of input is left to complain about. */
      st = yajl_complete_parse (h);
      at = len;
    }
  int ret = 0;
  if (st == yajl_status_client_canceled)
    ret = -1;
  else if (st != yajl_status_ok)
    ret = fail_syntax (h, buf, len, at, name, err);
  yajl_free (h);
  mrc_key_set_free (&d.keys);
  return ret;
}
