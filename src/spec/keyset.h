/* The set of keys seen in a document, to reject duplicates.  Private to
 * src/spec/decode.c. */
#ifndef MRC_SPEC_KEYSET_H
#define MRC_SPEC_KEYSET_H

#include <stddef.h>
#include <stdint.h>

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
