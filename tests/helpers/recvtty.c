/* recvtty: the caller's end of --console-socket, for the tests.
 *
 *   recvtty [--input TEXT] [--name-file F] [--timeout SECS] SOCKET
 *
 * Listens on the unix stream socket SOCKET (created under a temporary name
 * and renamed when it listens, so a test may wait for SOCKET to appear;
 * any path length: it binds from SOCKET's directory), accepts one
 * connection and checks that it carries exactly what go-runc accepts: one
 * message, one SCM_RIGHTS fd, the pty name as the data.  It writes the
 * name to F (or stderr), then either types TEXT into the master (C escapes
 * \n \r \t \\ \xHH are understood) or copies its own stdin to it, and
 * copies everything the master gives to stdout until the pty's slave side
 * is closed (EIO).  Exits 0 then, 2 on a protocol violation, 1 on other
 * errors or after SECS (default 10) seconds.
 *
 * Standalone on purpose: it checks mini-runc from outside, as containerd's
 * shim or conmon would, without sharing mini-runc's code. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static const char *sock_path;
static char tmp_name[sizeof ((struct sockaddr_un *) 0)->sun_path];

static void __attribute__ ((noreturn, format (printf, 2, 3)))
die (int status, const char *fmt, ...)
{
  va_list ap;
  fputs ("recvtty: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  exit (status);
}

/* Decode C escapes in place; returns the new length. */
static size_t
unescape (char *s)
{
  char *w = s;
  for (char *p = s; *p; p++)
    {
      if (*p != '\\' || p[1] == '\0')
        {
          *w++ = *p;
          continue;
        }
      p++;
      switch (*p)
        {
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'x':
          {
            char hex[3] = { p[1], p[1] ? p[2] : 0, 0 };
            *w++ = (char) strtol (hex, NULL, 16);
            p += hex[1] ? 2 : 1;
            break;
          }
        default: *w++ = *p; break;
        }
    }
  return (size_t) (w - s);
}

/* Bind and listen under a temporary name in SOCKET's directory, then
 * rename: SOCKET exists only once a connect will succeed. */
static int
listen_on (const char *path)
{
  char *d = strdup (path), *b = strdup (path);
  if (d == NULL || b == NULL)
    die (1, "out of memory");
  int dir = open (dirname (d), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    die (1, "open the directory of `%s`: %s", path, strerror (errno));
  snprintf (tmp_name, sizeof tmp_name, ".recvtty-%d", (int) getpid ());
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  /* relative to the directory, so any length of PATH works */
  if (fchdir (dir) < 0)
    die (1, "chdir: %s", strerror (errno));
  strcpy (sa.sun_path, tmp_name);
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || bind (s, (struct sockaddr *) &sa, sizeof sa) < 0
      || listen (s, 1) < 0)
    die (1, "listen on `%s`: %s", path, strerror (errno));
  if (renameat (dir, tmp_name, dir, basename (b)) < 0)
    die (1, "rename to `%s`: %s", path, strerror (errno));
  tmp_name[0] = '\0';
  close (dir);
  free (d);
  free (b);
  return s;
}

/* One message, one SCM_RIGHTS fd, the name as data, nothing after it. */
static int
receive_master (int conn, char *name, size_t size)
{
  char ctl[CMSG_SPACE (4 * sizeof (int))];
  struct iovec iov = { .iov_base = name, .iov_len = size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl, .msg_controllen = sizeof ctl };
  ssize_t k;
  do
    k = recvmsg (conn, &msg, MSG_CMSG_CLOEXEC);
  while (k < 0 && errno == EINTR);
  if (k < 0)
    die (1, "recvmsg: %s", strerror (errno));
  if (k == 0)
    die (2, "the runtime closed the socket without sending a message");
  name[k] = '\0';
  if (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))
    die (2, "message truncated (more than one fd, or a long name)");
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
    die (2, "message carries no SCM_RIGHTS fd (data `%s`)", name);
  if (c->cmsg_len != CMSG_LEN (sizeof (int)) || CMSG_NXTHDR (&msg, c))
    die (2, "message carries more than one fd");
  int fd;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  if (!isatty (fd))
    die (2, "the fd received is not a terminal");
  char extra;
  do
    k = recv (conn, &extra, 1, MSG_DONTWAIT);
  while (k < 0 && errno == EINTR);
  if (k > 0)
    die (2, "more data after the fd message");
  return fd;
}

static void
write_all (int fd, const char *p, size_t n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, p, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        die (1, "write: %s", strerror (errno));
      p += w;
      n -= (size_t) w;
    }
}

/* master -> stdout until EIO; stdin -> master while COPY_IN. */
static void
copy_loop (int master, int copy_in)
{
  char buf[4096];
  for (;;)
    {
      struct pollfd p[2] = { { .fd = master, .events = POLLIN },
                             { .fd = 0, .events = POLLIN } };
      if (poll (p, copy_in ? 2 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          die (1, "poll: %s", strerror (errno));
        }
      if (p[0].revents)
        {
          ssize_t k = read (master, buf, sizeof buf);
          if (k < 0 && errno == EINTR)
            continue;
          if (k <= 0)
            return; /* EIO: every holder of the slave closed it */
          write_all (1, buf, (size_t) k);
        }
      if (copy_in && p[1].revents)
        {
          ssize_t k = read (0, buf, sizeof buf);
          if (k <= 0)
            copy_in = 0;
          else
            write_all (master, buf, (size_t) k);
        }
    }
}

static void
cleanup (void)
{
  if (tmp_name[0])
    unlink (tmp_name);
  if (sock_path)
    unlink (sock_path);
}

static void
on_alarm (int sig)
{
  static const char msg[] = "recvtty: timed out\n";
  (void) sig;
  cleanup ();
  if (write (2, msg, sizeof msg - 1) < 0)
    { /* exiting anyway */ }
  _exit (1);
}

int
main (int argc, char **argv)
{
  char *input = NULL;
  const char *name_file = NULL;
  unsigned timeout = 10;
  int i = 1;
  for (; i + 1 < argc && strncmp (argv[i], "--", 2) == 0; i += 2)
    if (strcmp (argv[i], "--input") == 0)
      input = argv[i + 1];
    else if (strcmp (argv[i], "--name-file") == 0)
      name_file = argv[i + 1];
    else if (strcmp (argv[i], "--timeout") == 0)
      timeout = (unsigned) atoi (argv[i + 1]);
    else
      die (1, "unknown option `%s`", argv[i]);
  if (i + 1 != argc)
    die (1, "usage: recvtty [--input TEXT] [--name-file F] [--timeout S] "
            "SOCKET");
  /* listen_on changes directory: later unlinks need the full path */
  if (argv[i][0] != '/')
    die (1, "SOCKET must be an absolute path");
  sock_path = argv[i];
  atexit (cleanup);
  struct sigaction sa = { .sa_handler = on_alarm };
  if (sigaction (SIGALRM, &sa, NULL) < 0)
    die (1, "sigaction: %s", strerror (errno));
  alarm (timeout); /* never outlive a test that went wrong */

  int ls = listen_on (sock_path);
  int conn;
  do
    conn = accept4 (ls, NULL, NULL, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0)
    die (1, "accept: %s", strerror (errno));
  close (ls);
  unlink (sock_path);
  sock_path = NULL;

  char name[256];
  int master = receive_master (conn, name, sizeof name);
  close (conn);
  FILE *nf = name_file ? fopen (name_file, "we") : stderr;
  if (nf == NULL)
    die (1, "open `%s`: %s", name_file, strerror (errno));
  fprintf (nf, "%s\n", name);
  if (name_file)
    fclose (nf);
  if (input)
    write_all (master, input, unescape (input));
  copy_loop (master, input == NULL);
  return 0;
}
