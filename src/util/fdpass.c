#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fdpass.h"
#include "mrc/file.h"

int
mrc_fdpass_connect (const char *path, int *fd, mrc_error_t *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  cleanup_close int pfd = -1;
  struct stat st;
  if (stat (path, &st) < 0)
    return mrc_fail_errno (err, "socket `%s`", path);
  if (!S_ISSOCK (st.st_mode))
    return mrc_fail (err, "socket `%s`: not a unix socket", path);
  if (strlen (path) < sizeof sa.sun_path)
    strcpy (sa.sun_path, path);
  else
    {
      /* too long for sun_path: reach it through an O_PATH fd */
      pfd = open (path, O_PATH | O_CLOEXEC);
      if (pfd < 0)
        return mrc_fail_errno (err, "socket `%s`", path);
      snprintf (sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d", pfd);
    }
  cleanup_close int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return mrc_fail_errno (err, "socket `%s`", path);
  int r;
  do
    r = connect (s, (struct sockaddr *) &sa, sizeof sa);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return mrc_fail_errno (err, "connect to socket `%s`", path);
  *fd = steal_fd (&s);
  return 0;
}

int
mrc_fdpass_send (int sock, int fd, const char *data, mrc_error_t *err)
{
  char ctl[CMSG_SPACE (sizeof (int))];
  memset (ctl, 0, sizeof ctl);
  /* at least one byte of data, or the message carries no ancillary data */
  size_t dlen = strlen (data);
  struct iovec iov = { .iov_base = (void *) (dlen ? data : " "),
                       .iov_len = dlen ? dlen : 1 };
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
    return mrc_fail_errno (err, "send fd");
  /* a stream socket may take less: the fd went with the first part, the
     rest follows as plain data */
  if (dlen > (size_t) w && mrc_write_all (sock, data + w, dlen - (size_t) w) < 0)
    return mrc_fail_errno (err, "send fd");
  return 0;
}

int
mrc_fdpass_recv (int sock, int *fd, char *data, size_t size, mrc_error_t *err)
{
  char ctl[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = data, .iov_len = size - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl, .msg_controllen = sizeof ctl };
  ssize_t r;
  *fd = -1;
  do
    r = recvmsg (sock, &msg, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return mrc_fail_errno (err, "receive a file descriptor");
  data[r] = '\0';
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (fd, CMSG_DATA (c), sizeof *fd);
  return 0;
}
