/* recvtty SOCKET: the caller's side of --console-socket, as go-runc does it.
 *
 * Listens on the unix SOCK_STREAM socket SOCKET, accepts one connection and
 * reads exactly one message from it, which must carry exactly one fd by
 * SCM_RIGHTS (the pty master) and the pty's name as data.  Prints
 * "name: NAME" on stderr, then copies everything read from the master to
 * stdout until the pty hangs up.  Exits 2 on any protocol violation: a
 * second message, no fd, two fds, or an fd that is not a pty master. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static void
die (const char *what)
{
  fprintf (stderr, "recvtty: %s: %s\n", what, strerror (errno));
  exit (2);
}

static void
fail (const char *what)
{
  fprintf (stderr, "recvtty: %s\n", what);
  exit (2);
}

static int
receive_master (int conn)
{
  char name[4096];
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (int) * 4)];
  } ctl;
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof ctl.buf };
  ssize_t n;

  do
    n = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    die ("recvmsg");
  if (n == 0)
    fail ("connection closed without a message");
  if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))
    fail ("message truncated (too many fds or too long)");
  name[n] = '\0';

  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
    fail ("no SCM_RIGHTS in the message");
  if (c->cmsg_len != CMSG_LEN (sizeof (int)))
    fail ("not exactly one fd in the message");
  if (CMSG_NXTHDR (&msg, c) != NULL)
    fail ("more than one control message");
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);

  int ptn;
  if (ioctl (fd, TIOCGPTN, &ptn) < 0)
    fail ("the fd is not a pty master");
  fprintf (stderr, "name: %s\n", name);

  /* Nothing else may follow on the socket. */
  char extra;
  do
    n = recv (conn, &extra, 1, 0);
  while (n < 0 && errno == EINTR);
  if (n > 0)
    fail ("a second message on the console socket");
  return fd;
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: recvtty SOCKET\n");
      return 2;
    }
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (argv[1]) >= sizeof addr.sun_path)
    fail ("socket path too long");
  strcpy (addr.sun_path, argv[1]);

  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    die ("socket");
  if (bind (s, (struct sockaddr *) &addr, sizeof addr) < 0)
    die ("bind");
  if (listen (s, 1) < 0)
    die ("listen");
  /* Tell the test we are ready. */
  fprintf (stderr, "listening\n");

  int conn;
  do
    conn = accept4 (s, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    die ("accept");
  int master = receive_master (conn);
  close (conn);
  close (s);

  char buf[4096];
  for (;;)
    {
      ssize_t n = read (master, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) /* EIO once every slave fd is closed */
        break;
      for (ssize_t off = 0; off < n;)
        {
          ssize_t w = write (STDOUT_FILENO, buf + off, n - off);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            die ("write");
          off += w;
        }
    }
  return 0;
}
