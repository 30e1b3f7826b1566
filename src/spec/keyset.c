#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "spec-internal.h"

static uint64_t
hash_key (uint64_t serial, const char *k, size_t len)
{
  uint64_t h = 14695981039346656037ull; /* FNV-1a */
  for (size_t i = 0; i < sizeof serial; i++)
    h = (h ^ ((serial >> (i * 8)) & 0xff)) * 1099511628211ull;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char) k[i]) * 1099511628211ull;
  return h;
}

static struct mrc_key_entry *
key_slot (struct mrc_key_entry *tab, size_t cap, uint64_t serial,
          uint64_t hash, const char *k, size_t len)
{
  for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1))
    {
      struct mrc_key_entry *e = &tab[i];
      if (e->key == NULL
          || (e->serial == serial && e->hash == hash && e->len == len
              && memcmp (e->key, k, len) == 0))
        return e;
    }
}

static int
key_set_grow (struct mrc_key_set *s)
{
  size_t ncap = s->cap ? s->cap * 2 : 64;
  struct mrc_key_entry *tab = calloc (ncap, sizeof *tab);
  if (tab == NULL)
    return -1;
  for (size_t i = 0; i < s->cap; i++)
    if (s->tab[i].key)
      *key_slot (tab, ncap, s->tab[i].serial, s->tab[i].hash, s->tab[i].key,
                 s->tab[i].len)
          = s->tab[i];
  free (s->tab);
  s->tab = tab;
  s->cap = ncap;
  return 0;
}

int
mrc_key_set_add (struct mrc_key_set *s, uint64_t serial, const char *k,
                 size_t len, const char **stored)
{
  if ((s->n + 1) * 2 > s->cap && key_set_grow (s) < 0)
    return -1;
  uint64_t hash = hash_key (serial, k, len);
  struct mrc_key_entry *e = key_slot (s->tab, s->cap, serial, hash, k, len);
  if (e->key)
    return 0;
  char *copy = malloc (len + 1);
  if (copy == NULL)
    return -1;
  memcpy (copy, k, len);
  copy[len] = '\0';
  *e = (struct mrc_key_entry){ serial, hash, copy, len };
  s->n++;
  *stored = copy;
  return 1;
}

void
mrc_key_set_free (struct mrc_key_set *s)
{
  for (size_t i = 0; i < s->cap; i++)
    free (s->tab[i].key);
  free (s->tab);
}
