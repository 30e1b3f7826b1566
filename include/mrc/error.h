/* One error convention for all of mini-runc.
 *
 * A fallible function takes `mrc_error_t *err` as its last parameter,
 * returns -1 (or NULL) on failure and sets *err exactly then.  The error is
 * created where the syscall fails (errno captured first), gets context
 * prefixed when it crosses a module ("create: mount `/proc`: ..."), and is
 * printed once, in main.  Never log and return.
 */
#ifndef MRC_ERROR_H
#define MRC_ERROR_H

#include <stddef.h>

struct mrc_error {
  int errnum;   /* errno of the failing call, 0 if none */
  int status;   /* exit status to use (0 means default: 1) */
  char *msg;    /* full message, lower-case, no trailing period */
};
typedef struct mrc_error *mrc_error_t;

/* Set *err to "MSG: strerror(errnum)" (or just MSG when errnum is 0).
 * Always returns -1 so callers can `return mrc_error_set(...)`.
 * If *err is already set, it is replaced. */
int mrc_error_set (mrc_error_t *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Prefix context to an existing error: "CONTEXT: old message".
 * Returns -1.  If *err is NULL, creates an error with just CONTEXT. */
int mrc_error_wrap (mrc_error_t *err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Like mrc_error_set, but the message is exactly FMT: ERRNUM is recorded for
 * callers to test (ENOENT for "does not exist"...) without ": strerror". */
int mrc_error_code (mrc_error_t *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

void mrc_error_free (mrc_error_t *err);

/* Errors that are not from a syscall: errnum 0. */
#define mrc_fail(err, ...) mrc_error_set ((err), 0, __VA_ARGS__)
/* Errors from the syscall that just failed: errno captured here. */
#define mrc_fail_errno(err, ...) mrc_error_set ((err), errno, __VA_ARGS__)

#define MRC_WUR __attribute__ ((warn_unused_result))

#endif
