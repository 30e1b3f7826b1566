/* The exec barrier: a unix stream socket <state>/exec.sock on which the
 * created init waits in accept().  Unlike a fifo it carries an answer back:
 * the connection closes when execve succeeds (it is O_CLOEXEC) and carries
 * the error text when execve fails, so `start` can report it.  Paths go
 * through /proc/self/fd/N so a long --root never hits sun_path's limit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/process.h"
#include "mrc/sync.h"

static void
sock_addr (int state_fd, struct sockaddr_un *sa)
{
  memset (sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  snprintf (sa->sun_path, sizeof sa->sun_path, "/proc/self/fd/%d/%s", state_fd,
            MRC_EXEC_SOCK);
}

int
mrc_barrier_listen (int state_fd, int *fd, mrc_error_t *err)
{
  struct sockaddr_un sa;
  sock_addr (state_fd, &sa);
  cleanup_close int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return mrc_fail_errno (err, "create exec barrier");
  if (bind (s, (struct sockaddr *) &sa, sizeof sa) < 0)
    return mrc_fail_errno (err, "bind exec barrier");
  if (listen (s, 1) < 0)
    return mrc_fail_errno (err, "listen on exec barrier");
  *fd = steal_fd (&s);
  return 0;
}

int
mrc_barrier_wait (int listen_fd, mrc_error_t *err)
{
  for (;;)
    {
      int c = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (c < 0 && (errno == EINTR || errno == ECONNABORTED))
        continue;
      if (c < 0)
        return mrc_fail_errno (err, "wait for start");
      char b;
      ssize_t r;
      do
        r = read (c, &b, 1);
      while (r < 0 && errno == EINTR);
      if (r == 1)
        return c;
      close (c); /* a stray connect without the byte: keep waiting */
    }
}

int
mrc_barrier_release (int state_fd, mrc_error_t *err)
{
  struct sockaddr_un sa;
  sock_addr (state_fd, &sa);
  cleanup_close int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return mrc_fail_errno (err, "start: create socket");
  int r;
  do
    r = connect (s, (struct sockaddr *) &sa, sizeof sa);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    {
      if (errno == ECONNREFUSED || errno == ENOENT)
        return mrc_error_code (err, ESRCH, "container not running: its init "
                                          "is no longer waiting for start");
      return mrc_fail_errno (err, "start: connect to the container init");
    }
  /* Spent once connected: a start killed from here on must not leave a
     running container reading `created` (the status is its absence). */
  if (unlinkat (state_fd, MRC_EXEC_SOCK, 0) < 0 && errno != ENOENT)
    return mrc_fail_errno (err, "start: remove the exec barrier");
  /* EPIPE/ECONNRESET: the init died between connect and here */
  if (mrc_write_all (s, "g", 1) < 0)
    return mrc_error_code (err, ESRCH, "container not running: its init "
                                       "exited before start");
  char msg[1024];
  size_t used = 0;
  for (;;)
    {
      ssize_t n = read (s, msg + used, sizeof msg - 1 - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == ECONNRESET)
        return mrc_error_code (err, ESRCH, "container not running: its init "
                                           "exited during start");
      if (n < 0)
        return mrc_fail_errno (err, "start: wait for the container init");
      if (n == 0)
        break;
      used += (size_t) n;
      if (used == sizeof msg - 1)
        break;
    }
  if (used > 0)
    {
      /* the init's own report: a startContainer hook or execve failed */
      msg[used] = '\0';
      return mrc_error_code (err, ECANCELED, "start: %s", msg);
    }
  return 0;
}
