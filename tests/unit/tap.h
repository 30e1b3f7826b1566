/* A tiny TAP producer for mini-runc's C unit tests.
 *
 *   plan (N);                       optional: "1..N" up front
 *   ok (cond, "what %d", i);        "ok 1 - what 0" / "not ok 1 - ..."
 *   is_str (got, want, "what");     strings (NULL-safe), diagnostics on fail
 *   is_int (got, want, "what");     integers
 *   diag ("fmt", ...);              "# ..." comment lines
 *   return done_testing ();         trailing "1..N" when no plan; returns the
 *                                   number of failures (capped at 255) so
 *                                   main's status is non-zero on failure
 *
 * Header-only so every test binary is one .c file plus the objects under
 * test; everything is static inline so unused helpers cost no warning. */
#ifndef MRC_TESTS_TAP_H
#define MRC_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct tap_state
{
  int run;
  int failed;
  int planned; /* -1: no plan */
};

static inline struct tap_state *
tap_state (void)
{
  static struct tap_state s = { 0, 0, -1 };
  return &s;
}

static inline void
plan (int n)
{
  tap_state ()->planned = n;
  printf ("1..%d\n", n);
  fflush (stdout);
}

static inline void __attribute__ ((format (printf, 1, 2)))
diag (const char *fmt, ...)
{
  va_list ap;
  fputs ("# ", stdout);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  fputc ('\n', stdout);
  fflush (stdout);
}

static inline bool
tap_vok (bool cond, const char *file, int line, const char *fmt, va_list ap)
{
  struct tap_state *s = tap_state ();
  s->run++;
  printf ("%sok %d - ", cond ? "" : "not ", s->run);
  vprintf (fmt, ap);
  fputc ('\n', stdout);
  if (!cond)
    {
      s->failed++;
      printf ("#   failed at %s:%d\n", file, line);
    }
  fflush (stdout);
  return cond;
}

static inline bool __attribute__ ((format (printf, 4, 5)))
tap_ok (bool cond, const char *file, int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  bool r = tap_vok (cond, file, line, fmt, ap);
  va_end (ap);
  return r;
}

static inline bool __attribute__ ((format (printf, 5, 6)))
tap_is_str (const char *got, const char *want, const char *file, int line,
            const char *fmt, ...)
{
  bool cond = (got == NULL || want == NULL) ? got == want
                                            : strcmp (got, want) == 0;
  va_list ap;
  va_start (ap, fmt);
  bool r = tap_vok (cond, file, line, fmt, ap);
  va_end (ap);
  if (!r)
    {
      printf ("#          got: %s%s%s\n", got ? "'" : "", got ? got : "NULL",
              got ? "'" : "");
      printf ("#     expected: %s%s%s\n", want ? "'" : "",
              want ? want : "NULL", want ? "'" : "");
    }
  return r;
}

static inline bool __attribute__ ((format (printf, 5, 6)))
tap_is_int (long long got, long long want, const char *file, int line,
            const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  bool r = tap_vok (got == want, file, line, fmt, ap);
  va_end (ap);
  if (!r)
    printf ("#          got: %lld\n#     expected: %lld\n", got, want);
  return r;
}

#define ok(cond, ...) tap_ok ((cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...)                                                \
  tap_is_str ((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                \
  tap_is_int ((long long) (got), (long long) (want), __FILE__, __LINE__,     \
              __VA_ARGS__)

static inline int
done_testing (void)
{
  struct tap_state *s = tap_state ();
  if (s->planned < 0)
    printf ("1..%d\n", s->run);
  else if (s->planned != s->run)
    {
      printf ("# planned %d tests but ran %d\n", s->planned, s->run);
      s->failed++;
    }
  if (s->failed)
    printf ("# failed %d of %d tests\n", s->failed, s->run);
  fflush (stdout);
  return s->failed > 255 ? 255 : s->failed;
}

#endif
