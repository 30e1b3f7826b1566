#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <yajl/yajl_gen.h>

#include "mrc/file.h"
#include "mrc/log.h"

/* The log sink is one of the two globals STYLE.md allows. */
static struct
{
  int fd;      /* -1: no log file */
  bool json;
  bool debug;
  /* in a child of the runtime: where its lines go instead */
  void (*forward) (void *arg, enum mrc_log_level level, const char *msg);
  void *forward_arg;
} sink = { -1, false, false, NULL, NULL };

static const char *const level_names[] = {
  [MRC_LOG_ERROR] = "error",
  [MRC_LOG_WARNING] = "warning",
  [MRC_LOG_INFO] = "info",
  [MRC_LOG_DEBUG] = "debug",
};

int
mrc_log_init (const char *path, bool json, bool debug)
{
  sink.json = json;
  sink.debug = debug;
  if (path == NULL || *path == '\0')
    return 0;
  int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  sink.fd = fd;
  return 0;
}

void
mrc_log_close (void)
{
  if (sink.fd >= 0)
    close (sink.fd);
  sink.fd = -1;
}

void
mrc_log_forward (void (*fn) (void *arg, enum mrc_log_level level,
                             const char *msg),
                 void *arg)
{
  mrc_log_close ();
  sink.forward = fn;
  sink.forward_arg = arg;
}

void
mrc_rfc3339_now (char *buf, unsigned size, long long *unix_ns)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  /* by hand, not strftime: glibc's strftime calls tzset, which reads
     /etc/localtime (seven syscalls) for a UTC time that needs no zone */
  snprintf (buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
            tm.tm_min, tm.tm_sec, ts.tv_nsec);
  if (unix_ns)
    *unix_ns = (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One JSON object per line, built with yajl so the message is escaped. */
static void
write_json_line (int fd, enum mrc_log_level level, const char *msg)
{
  char now[64];
  mrc_rfc3339_now (now, sizeof now, NULL);
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return;
  yajl_gen_map_open (g);
  yajl_gen_string (g, (const unsigned char *) "level", 5);
  yajl_gen_string (g, (const unsigned char *) level_names[level],
                   strlen (level_names[level]));
  yajl_gen_string (g, (const unsigned char *) "msg", 3);
  yajl_gen_string (g, (const unsigned char *) msg, strlen (msg));
  yajl_gen_string (g, (const unsigned char *) "time", 4);
  yajl_gen_string (g, (const unsigned char *) now, strlen (now));
  yajl_gen_map_close (g);
  const unsigned char *out;
  size_t len;
  if (yajl_gen_get_buf (g, &out, &len) == yajl_gen_status_ok)
    {
      char *line = malloc (len + 1);
      if (line)
        {
          memcpy (line, out, len);
          line[len] = '\n';
          /* one write per line so concurrent writers do not interleave */
          if (mrc_write_all (fd, line, len + 1) < 0)
            { /* nowhere left to report a failed log write */ }
          free (line);
        }
    }
  yajl_gen_free (g);
}

static void
write_text_line (int fd, enum mrc_log_level level, const char *msg)
{
  char now[64], *line = NULL;
  mrc_rfc3339_now (now, sizeof now, NULL);
  int n = asprintf (&line, "%s %s: %s\n", now, level_names[level], msg);
  if (n > 0 && mrc_write_all (fd, line, (size_t) n) < 0)
    { /* nowhere left to report a failed log write */ }
  free (line);
}

static void
emit (enum mrc_log_level level, const char *msg, bool to_stderr)
{
  int saved = errno;
  if (sink.forward)
    {
      sink.forward (sink.forward_arg, level, msg);
      errno = saved;
      return;
    }
  if (sink.fd >= 0)
    {
      if (sink.json)
        write_json_line (sink.fd, level, msg);
      else
        write_text_line (sink.fd, level, msg);
    }
  if (to_stderr)
    {
      char *line = NULL;
      int n = asprintf (&line, "mini-runc: %s%s%s\n",
                        level == MRC_LOG_ERROR ? "" : level_names[level],
                        level == MRC_LOG_ERROR ? "" : ": ", msg);
      if (n > 0 && mrc_write_all (STDERR_FILENO, line, (size_t) n) < 0)
        { /* stderr is gone */ }
      free (line);
    }
  errno = saved;
}

void
mrc_log (enum mrc_log_level level, const char *fmt, ...)
{
  if (level == MRC_LOG_DEBUG && !sink.debug)
    return;
  char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  int n = vasprintf (&msg, fmt, ap);
  va_end (ap);
  if (n < 0)
    return;
  /* Warnings reach the person at the terminal too; info/debug only go to
     stderr when there is no log file and --debug asked for them. */
  bool to_stderr = level <= MRC_LOG_WARNING || (sink.fd < 0 && sink.debug);
  emit (level, msg, to_stderr);
  free (msg);
}

void
mrc_log_error_final (const char *msg)
{
  emit (MRC_LOG_ERROR, msg, true);
}
