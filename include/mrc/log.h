/* The log sink: --log PATH, --log-format text|json, --debug.
 *
 * A JSON line is exactly {"level":"...","msg":"...","time":"<RFC 3339>"},
 * the shape runc emits and containerd/podman parse.  Only the runtime
 * process writes the log: the container's init sends its messages over the
 * sync socket and the parent writes them here. */
#ifndef MRC_LOG_H
#define MRC_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum mrc_log_level
{
  MRC_LOG_ERROR,
  MRC_LOG_WARNING,
  MRC_LOG_INFO,
  MRC_LOG_DEBUG,
};

/* PATH may be NULL (stderr only).  Returns -1 with errno on failure. */
int mrc_log_init (const char *path, bool json, bool debug);
void mrc_log_close (void);

/* In a child of the runtime (the container's init, an exec'd process):
 * close the log file and hand every line to FN instead, which sends it to
 * the runtime over the sync channel (src/process/steps.c). */
void mrc_log_forward (void (*fn) (void *arg, enum mrc_log_level level,
                                  const char *msg),
                      void *arg);

void mrc_log (enum mrc_log_level level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* The one place an error reaches the user: the log file (when given) and
 * stderr. */
void mrc_log_error_final (const char *msg);

#define mrc_warn(...) mrc_log (MRC_LOG_WARNING, __VA_ARGS__)
#define mrc_debug(...) mrc_log (MRC_LOG_DEBUG, __VA_ARGS__)

/* "2026-11-25T19:38:29.123456789Z" into BUF (at least 40 bytes). */
void mrc_rfc3339_now (char *buf, unsigned size, long long *unix_ns);

#endif
