#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/error.h"

/* Used when even the error cannot be allocated. */
static struct mrc_error oom_error = { ENOMEM, 0, (char *) "out of memory" };

static void
set_message (mrc_error_t *err, int errnum, char *msg)
{
  mrc_error_t e = calloc (1, sizeof *e);
  if (e == NULL || msg == NULL)
    {
      /* Out of memory while reporting: keep what we can. */
      free (e);
      free (msg);
      if (*err)
        mrc_error_free (err);
      *err = &oom_error;
      return;
    }
  e->errnum = errnum;
  e->msg = msg;
  if (*err)
    mrc_error_free (err);
  *err = e;
}

/* ERRNUM's text as runc (Go) prints it: glibc's with a lower-case first
 * letter ("no such file or directory").  Callers match it case by case:
 * the Docker CLI maps "no such file or directory" to exit status 127 and
 * "permission denied" to 126, and anything else, glibc's capitalised
 * text included, to 125. */
static void
errno_text (int errnum, char *buf, size_t size)
{
  snprintf (buf, size, "%s", strerror (errnum));
  /* an acronym ("RPC struct is bad") keeps its capitals */
  if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
    buf[0] = (char) (buf[0] - 'A' + 'a');
}

int
mrc_error_set (mrc_error_t *err, int errnum, const char *fmt, ...)
{
  char *base = NULL, *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&base, fmt, ap) < 0)
    base = NULL;
  va_end (ap);
  if (base && errnum)
    {
      char text[128];
      errno_text (errnum, text, sizeof text);
      if (asprintf (&msg, "%s: %s", base, text) < 0)
        msg = NULL;
      free (base);
    }
  else
    msg = base;
  if (err)
    set_message (err, errnum, msg);
  else
    free (msg);
  errno = errnum ? errnum : EINVAL;
  return -1;
}

int
mrc_error_code (mrc_error_t *err, int errnum, const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (err)
    set_message (err, errnum, msg);
  else
    free (msg);
  errno = errnum ? errnum : EINVAL;
  return -1;
}

int
mrc_error_wrap (mrc_error_t *err, const char *fmt, ...)
{
  char *ctx = NULL, *msg = NULL;
  int errnum = (err && *err) ? (*err)->errnum : 0;
  int status = (err && *err) ? (*err)->status : 0;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&ctx, fmt, ap) < 0)
    ctx = NULL;
  va_end (ap);
  if (err == NULL)
    {
      free (ctx);
      return -1;
    }
  if (ctx && *err && (*err)->msg)
    {
      if (asprintf (&msg, "%s: %s", ctx, (*err)->msg) < 0)
        msg = NULL;
      free (ctx);
    }
  else
    msg = ctx;
  set_message (err, errnum, msg);
  if (*err != &oom_error)
    (*err)->status = status;
  errno = errnum ? errnum : EINVAL;
  return -1;
}

void
mrc_error_free (mrc_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  if (*err != &oom_error)
    {
      free ((*err)->msg);
      free (*err);
    }
  *err = NULL;
}
