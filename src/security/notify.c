/* SCMP_ACT_NOTIFY: hand the listener fd and the container process state to
 * the agent at linux.seccomp.listenerPath, as the runtime-spec describes:
 * one connection per fd, the JSON as the payload, the fd as SCM_RIGHTS in
 * the first sendmsg, then the connection is closed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mrc/cleanup.h"
#include "mrc/fdpass.h"
#include "mrc/file.h"
#include "security-internal.h"

/* S as a JSON string, quotes included; NULL on ENOMEM. */
static char *
json_string (const char *s)
{
  size_t n = strlen (s);
  char *out = malloc (n * 6 + 3), *o = out;
  if (out == NULL)
    return NULL;
  *o++ = '"';
  for (const unsigned char *c = (const unsigned char *) s; *c; c++)
    {
      if (*c == '"' || *c == '\\')
        {
          *o++ = '\\';
          *o++ = (char) *c;
        }
      else if (*c < 0x20)
        o += sprintf (o, "\\u%04x", *c);
      else
        *o++ = (char) *c;
    }
  *o++ = '"';
  *o = '\0';
  return out;
}

static int
send_with_fd (int sock, int fd, const char *data, size_t len)
{
  char ctl[CMSG_SPACE (sizeof (int))];
  memset (ctl, 0, sizeof ctl);
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl, .msg_controllen = sizeof ctl };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof (int));
  ssize_t w;
  do
    w = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (w < 0 && errno == EINTR);
  if (w < 0)
    return -1;
  /* A stream socket may take less; the fd went with the first part, the
     rest follows as plain data, which the spec allows. */
  return mrc_write_all (sock, data + w, len - (size_t) w);
}

int
mrc_security_send_notify_fd (const struct mrc_notify_msg *m, mrc_error_t *err)
{
  cleanup_free char *meta = NULL, *text = NULL;
  if (m->metadata && (meta = json_string (m->metadata)) == NULL)
    return mrc_fail_errno (err, "seccomp listener `%s`", m->listener_path);
  int n = asprintf (&text,
                    "{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],"
                    "\"pid\":%d%s%s,\"state\":%s}",
                    MRC_OCI_VERSION, (int) m->pid, meta ? ",\"metadata\":" : "",
                    meta ? meta : "", m->state_json);
  if (n < 0)
    {
      text = NULL;
      return mrc_fail_errno (err, "seccomp listener `%s`", m->listener_path);
    }
  cleanup_close int sock = -1;
  if (mrc_fdpass_connect (m->listener_path, &sock, err) < 0)
    return mrc_error_wrap (err, "linux.seccomp.listenerPath");
  if (send_with_fd (sock, m->fd, text, (size_t) n) < 0)
    return mrc_fail_errno (err, "send the seccomp fd to `%s`",
                           m->listener_path);
  return 0;
}
