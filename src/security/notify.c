/* SCMP_ACT_NOTIFY: hand the listener fd and the container process state to
 * the agent at linux.seccomp.listenerPath, as the runtime-spec describes:
 * one connection per fd, the JSON as the payload, the fd as SCM_RIGHTS in
 * the first sendmsg, then the connection is closed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "mrc/cleanup.h"
#include "mrc/fdpass.h"
#include "security-internal.h"

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

/* The container process state document, built with yajl.  STATE is the
 * OCI state already serialised by mini-runc's own generator: it goes in
 * verbatim (yajl_gen_number writes its argument as is). */
static char *
notify_json (const struct mrc_notify_msg *m)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return NULL;
  yajl_gen_map_open (g);
  gen_str (g, "ociVersion");
  gen_str (g, MRC_OCI_VERSION);
  gen_str (g, "fds");
  yajl_gen_array_open (g);
  gen_str (g, "seccompFd");
  yajl_gen_array_close (g);
  gen_str (g, "pid");
  yajl_gen_integer (g, m->pid);
  if (m->metadata)
    {
      gen_str (g, "metadata");
      gen_str (g, m->metadata);
    }
  gen_str (g, "state");
  yajl_gen_number (g, m->state_json, strlen (m->state_json));
  yajl_gen_map_close (g);
  const unsigned char *buf;
  size_t len;
  char *out = NULL;
  if (yajl_gen_get_buf (g, &buf, &len) == yajl_gen_status_ok)
    out = strndup ((const char *) buf, len);
  yajl_gen_free (g);
  return out;
}

int
mrc_security_send_notify_fd (const struct mrc_notify_msg *m, mrc_error_t *err)
{
  cleanup_free char *text = notify_json (m);
  if (text == NULL)
    return mrc_fail (err, "seccomp listener `%s`: build the state document",
                     m->listener_path);
  cleanup_close int sock = -1;
  if (mrc_fdpass_connect (m->listener_path, &sock, err) < 0)
    return mrc_error_wrap (err, "linux.seccomp.listenerPath");
  if (mrc_fdpass_send (sock, m->fd, text, err) < 0)
    return mrc_error_wrap (err, "send the seccomp fd to `%s`",
                           m->listener_path);
  return 0;
}
