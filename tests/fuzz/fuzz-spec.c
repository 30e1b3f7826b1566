/* libFuzzer target: raw bytes into every JSON reader of src/spec.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *     tests/fuzz/fuzz-spec.c src/spec/[a-z]*.c src/util/error.c \
 *     src/util/file.c $(pkg-config --cflags --libs yajl) -o fuzz-spec
 *   ./fuzz-spec -max_total_time=60 -detect_leaks=1 \
 *     -dict=tests/fuzz/spec.dict tests/fuzz/corpus
 *
 * Besides crashes, leaks and sanitizer reports, it checks one property: a
 * state that was read can be written and read back. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/spec.h"
#include "mrc/state.h"

static void
check_state (const char *buf, size_t len)
{
  struct mrc_state st, again;
  mrc_error_t err = NULL;
  if (mrc_state_from_json (buf, len, "state.json", &st, &err) < 0)
    {
      mrc_error_free (&err);
      return;
    }
  char *json = NULL;
  size_t n = 0;
  if (mrc_state_to_json (&st, true, true, &json, &n, &err) == 0)
    {
      if (mrc_state_from_json (json, n, "state.json", &again, &err) < 0)
        abort (); /* what we write, we must read */
      if (again.status != st.status || again.pid != st.pid
          || strcmp (again.id, st.id) != 0)
        abort ();
      mrc_state_clear (&again);
      free (json);
    }
  mrc_error_free (&err);
  mrc_state_clear (&st);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *buf = (const char *) data;
  mrc_error_t err = NULL;

  struct mrc_spec *spec = NULL;
  if (mrc_spec_parse (buf, size, "config.json", &spec, &err) == 0)
    {
      if (mrc_spec_validate (spec, &err) == 0)
        (void) mrc_spec_namespace (spec, "uts");
      mrc_spec_free (spec);
    }
  mrc_error_free (&err);

  struct mrc_process *p = NULL;
  if (mrc_spec_parse_process (buf, size, "process.json", &p, &err) == 0)
    {
      (void) !mrc_spec_validate_process (p, "process.json", &err);
      mrc_process_free (p);
    }
  mrc_error_free (&err);

  struct mrc_resources *r = NULL;
  if (mrc_spec_parse_resources (buf, size, "resources.json", &r, &err) == 0)
    {
      (void) !mrc_spec_validate_resources (r, "resources.json", &err);
      mrc_resources_free (r);
    }
  mrc_error_free (&err);

  check_state (buf, size);
  return 0;
}
