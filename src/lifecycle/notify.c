/* NOTIFY_SOCKET: a caller (systemd, a shim) that sets it wants to hear when
 * the container's program says READY=1 through sd_notify.  create gives the
 * container a socket of its own, in the state dir, bound at
 * /run/notify/notify.sock inside with NOTIFY_SOCKET pointing there; start
 * listens on it, and forwards MAINPID and the READY message to the
 * caller's socket before it returns. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/proc.h"
#include "lifecycle-internal.h"

#define NOTIFY_IN_CONTAINER "/run/notify"

static int
strv_push (char ***v, char *s)
{
  size_t n = 0;
  while (*v && (*v)[n])
    n++;
  char **nv = realloc (*v, (n + 2) * sizeof *nv);
  if (nv == NULL)
    return -1;
  nv[n] = s;
  nv[n + 1] = NULL;
  *v = nv;
  return 0;
}

/* Drop any NOTIFY_SOCKET of the config: the container's is ours. */
static void
drop_notify_env (char **env)
{
  size_t w = 0;
  for (size_t r = 0; env && env[r]; r++)
    if (strncmp (env[r], "NOTIFY_SOCKET=", 14) == 0)
      free (env[r]);
    else
      env[w++] = env[r];
  if (env)
    env[w] = NULL;
}

int
mrc_notify_prepare (struct mrc_spec *spec, int dir_fd, const char *state_dir,
                    mrc_error_t *err)
{
  const char *host = getenv ("NOTIFY_SOCKET");
  if (host == NULL || *host == '\0')
    return 0;
  if (mkdirat (dir_fd, MRC_NOTIFY_DIR, 0755) < 0 && errno != EEXIST)
    return mrc_fail_errno (err, "NOTIFY_SOCKET: create the notify directory");
  struct mrc_mount m = { 0 };
  char *opts[] = { strdup ("rbind"), strdup ("nosuid"), strdup ("nodev"),
                   strdup ("noexec"), NULL };
  m.destination = strdup (NOTIFY_IN_CONTAINER);
  m.type = strdup ("bind");
  if (asprintf (&m.source, "%s/%s", state_dir, MRC_NOTIFY_DIR) < 0)
    m.source = NULL;
  m.options = calloc (5, sizeof (char *));
  if (m.options)
    memcpy (m.options, opts, sizeof opts);
  struct mrc_mount *nm = realloc (spec->mounts,
                                  (spec->n_mounts + 1) * sizeof *nm);
  char *env = strdup ("NOTIFY_SOCKET=" NOTIFY_IN_CONTAINER "/" MRC_NOTIFY_SOCK);
  if (nm == NULL || env == NULL || m.destination == NULL || m.type == NULL
      || m.source == NULL || m.options == NULL || !opts[0] || !opts[1]
      || !opts[2] || !opts[3])
    {
      free (env);
      return mrc_fail_errno (err, "NOTIFY_SOCKET");
    }
  spec->mounts = nm;
  nm[spec->n_mounts++] = m;
  drop_notify_env (spec->process->env);
  if (strv_push (&spec->process->env, env) < 0)
    {
      free (env);
      return mrc_fail_errno (err, "NOTIFY_SOCKET");
    }
  return 0;
}

int
mrc_notify_listen (int dir_fd, int *out, mrc_error_t *err)
{
  *out = -1;
  const char *host = getenv ("NOTIFY_SOCKET");
  struct stat st;
  if (host == NULL || *host == '\0'
      || fstatat (dir_fd, MRC_NOTIFY_DIR, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return 0;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  snprintf (sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s/%s", dir_fd,
            MRC_NOTIFY_DIR, MRC_NOTIFY_SOCK);
  cleanup_close int s = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return mrc_fail_errno (err, "NOTIFY_SOCKET: socket");
  unlink (sa.sun_path);
  if (bind (s, (struct sockaddr *) &sa, sizeof sa) < 0)
    return mrc_fail_errno (err, "NOTIFY_SOCKET: bind the container's socket");
  /* any user of the container may notify, as with systemd's socket */
  if (chmod (sa.sun_path, 0777) < 0)
    return mrc_fail_errno (err, "NOTIFY_SOCKET: chmod the container's socket");
  *out = steal_fd (&s);
  return 0;
}

/* Send MSG to the caller's NOTIFY_SOCKET (a path, or @abstract). */
static int
send_host (const char *msg, size_t len, mrc_error_t *err)
{
  const char *host = getenv ("NOTIFY_SOCKET");
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  size_t n = strlen (host);
  if (n >= sizeof sa.sun_path)
    return mrc_fail (err, "NOTIFY_SOCKET `%s`: path too long", host);
  memcpy (sa.sun_path, host, n);
  if (host[0] == '@')
    sa.sun_path[0] = '\0';
  socklen_t sl = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + n
                              + (host[0] == '@' ? 0 : 1));
  cleanup_close int s = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0 || sendto (s, msg, len, MSG_NOSIGNAL, (struct sockaddr *) &sa, sl)
                   < 0)
    return mrc_fail_errno (err, "NOTIFY_SOCKET `%s`: send", host);
  return 0;
}

int
mrc_notify_forward (int sock, pid_t pid, uint64_t start_time,
                    mrc_error_t *err)
{
  cleanup_close int pidfd = mrc_pidfd_open (pid);
  if (pidfd < 0 && errno != ESRCH)
    return mrc_fail_errno (err, "NOTIFY_SOCKET: open init process %d",
                           (int) pid);
  if (pidfd < 0 || !mrc_proc_alive (pid, start_time))
    return mrc_error_code (err, ESRCH, "container not running: it exited "
                                       "before it was ready");
  for (;;)
    {
      int wait_ms = -1;
      struct pollfd p[2]
          = { { .fd = sock, .events = POLLIN },
              { .fd = mrc_pidfd_poll_fd (pidfd, &wait_ms), .events = POLLIN } };
      if (poll (p, 2, wait_ms) < 0)
        {
          if (errno == EINTR)
            continue;
          return mrc_fail_errno (err, "NOTIFY_SOCKET: poll");
        }
      if (p[0].revents & POLLIN)
        {
          char buf[4096];
          ssize_t n = recv (sock, buf, sizeof buf - 1, 0);
          if (n < 0)
            return mrc_fail_errno (err, "NOTIFY_SOCKET: receive");
          buf[n] = '\0';
          if (strstr (buf, "READY=1") == NULL)
            continue; /* STATUS= and the like: only readiness is awaited */
          char *msg = NULL;
          int len = asprintf (&msg, "MAINPID=%d\n%s", (int) pid, buf);
          if (len < 0)
            return mrc_fail_errno (err, "NOTIFY_SOCKET");
          int r = send_host (msg, (size_t) len, err);
          free (msg);
          return r;
        }
      if ((p[1].revents & POLLIN) || (p[1].fd < 0 && mrc_pidfd_exited (pidfd)))
        return mrc_error_code (err, ESRCH, "container not running: it exited "
                                           "before it was ready");
    }
}
