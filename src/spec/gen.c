#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

int
mrc_gen_init (struct mrc_gen *gen, const char *indent, mrc_error_t *err)
{
  gen->status = yajl_gen_status_ok;
  gen->g = yajl_gen_alloc (NULL);
  if (gen->g == NULL)
    return mrc_error_set (err, ENOMEM, "generate JSON");
  /* Whatever we write must read back: refuse strings that are not UTF-8
     (a bundle path, say) here rather than leave an unreadable state. */
  if (!yajl_gen_config (gen->g, yajl_gen_validate_utf8, 1)
      || (indent
          && (!yajl_gen_config (gen->g, yajl_gen_beautify, 1)
              || !yajl_gen_config (gen->g, yajl_gen_indent_string,
                                   indent))))
    {
      yajl_gen_free (gen->g);
      gen->g = NULL;
      return mrc_fail (err, "generate JSON: cannot set the indentation");
    }
  return 0;
}

/* Run CALL only while everything before it succeeded. */
#define STICKY(gen, call)                                                     \
  do                                                                          \
    {                                                                         \
      if ((gen)->status == yajl_gen_status_ok)                                \
        (gen)->status = (call);                                               \
    }                                                                         \
  while (0)

void
mrc_gen_open_map (struct mrc_gen *gen)
{
  STICKY (gen, yajl_gen_map_open (gen->g));
}

void
mrc_gen_close_map (struct mrc_gen *gen)
{
  STICKY (gen, yajl_gen_map_close (gen->g));
}

void
mrc_gen_open_array (struct mrc_gen *gen)
{
  STICKY (gen, yajl_gen_array_open (gen->g));
}

void
mrc_gen_close_array (struct mrc_gen *gen)
{
  STICKY (gen, yajl_gen_array_close (gen->g));
}

void
mrc_gen_str (struct mrc_gen *gen, const char *s)
{
  STICKY (gen, yajl_gen_string (gen->g, (const unsigned char *) s,
                                strlen (s)));
}

void
mrc_gen_int (struct mrc_gen *gen, int64_t n)
{
  STICKY (gen, yajl_gen_integer (gen->g, (long long) n));
}

/* yajl_gen_integer takes a long long: print larger values ourselves. */
void
mrc_gen_uint (struct mrc_gen *gen, uint64_t n)
{
  char buf[24];
  int len = snprintf (buf, sizeof buf, "%" PRIu64, n);
  STICKY (gen, yajl_gen_number (gen->g, buf, (size_t) len));
}

void
mrc_gen_bool (struct mrc_gen *gen, bool b)
{
  STICKY (gen, yajl_gen_bool (gen->g, b));
}

void
mrc_gen_strv (struct mrc_gen *gen, const char *const *v)
{
  mrc_gen_open_array (gen);
  for (size_t i = 0; v && v[i]; i++)
    mrc_gen_str (gen, v[i]);
  mrc_gen_close_array (gen);
}

void
mrc_gen_kstr (struct mrc_gen *gen, const char *key, const char *s)
{
  mrc_gen_str (gen, key);
  mrc_gen_str (gen, s);
}

void
mrc_gen_kint (struct mrc_gen *gen, const char *key, int64_t n)
{
  mrc_gen_str (gen, key);
  mrc_gen_int (gen, n);
}

void
mrc_gen_kbool (struct mrc_gen *gen, const char *key, bool b)
{
  mrc_gen_str (gen, key);
  mrc_gen_bool (gen, b);
}

static const char *
status_text (yajl_gen_status st)
{
  static const char *const texts[] = {
    [yajl_gen_keys_must_be_strings] = "a key is not a string",
    [yajl_max_depth_exceeded] = "nesting too deep",
    [yajl_gen_in_error_state] = "generator in error state",
    [yajl_gen_generation_complete] = "document already complete",
    [yajl_gen_invalid_number] = "invalid number",
    [yajl_gen_no_buf] = "no buffer",
    [yajl_gen_invalid_string] = "a string is not valid UTF-8",
  };
  if ((size_t) st < sizeof texts / sizeof texts[0] && texts[st])
    return texts[st];
  return "unknown yajl_gen error";
}

int
mrc_gen_finish (struct mrc_gen *gen, const char *what, char **out,
                size_t *len, mrc_error_t *err)
{
  const unsigned char *buf = NULL;
  size_t n = 0;
  int ret = 0;
  STICKY (gen, yajl_gen_get_buf (gen->g, &buf, &n));
  if (gen->status != yajl_gen_status_ok)
    ret = mrc_fail (err, "generate %s: %s", what, status_text (gen->status));
  else if ((*out = malloc (n + 1)) == NULL)
    ret = mrc_error_set (err, ENOMEM, "generate %s", what);
  else
    {
      memcpy (*out, buf, n);
      (*out)[n] = '\0';
      if (len)
        *len = n;
    }
  yajl_gen_free (gen->g);
  gen->g = NULL;
  return ret;
}
