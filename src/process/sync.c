#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mrc/log.h"
#include "mrc/sync.h"

static int
send_msg (int fd, enum mrc_sync_type type, int value, const char *text,
          int passfd)
{
  struct mrc_sync_msg msg;
  size_t tlen = 0;
  msg.type = type;
  msg.value = value;
  if (text)
    {
      tlen = strnlen (text, MRC_SYNC_TEXT_MAX - 1);
      memcpy (msg.text, text, tlen);
    }
  msg.text[tlen] = '\0';
  struct iovec iov = { .iov_base = &msg,
                       .iov_len = offsetof (struct mrc_sync_msg, text) + tlen + 1 };
  char ctl[CMSG_SPACE (sizeof (int))];
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (passfd >= 0)
    {
      memset (ctl, 0, sizeof ctl);
      mh.msg_control = ctl;
      mh.msg_controllen = sizeof ctl;
      struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &passfd, sizeof (int));
    }
  for (;;)
    {
      ssize_t w = sendmsg (fd, &mh, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      /* SOCK_SEQPACKET: a message is sent whole or not at all */
      return (size_t) w == iov.iov_len ? 0 : (errno = EIO, -1);
    }
}

int
mrc_sync_send (int fd, enum mrc_sync_type type, int value, const char *text)
{
  return send_msg (fd, type, value, text, -1);
}

int
mrc_sync_send_fd (int fd, enum mrc_sync_type type, int passfd,
                  const char *text)
{
  return send_msg (fd, type, 0, text, passfd);
}

int
mrc_sync_recv (int fd, struct mrc_sync_msg *msg, int *passed)
{
  char ctl[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = msg, .iov_len = sizeof *msg };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = ctl, .msg_controllen = sizeof ctl };
  if (passed)
    *passed = -1;
  for (;;)
    {
      ssize_t r = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        return 1;
      for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
          {
            int got;
            memcpy (&got, CMSG_DATA (c), sizeof got);
            if (passed)
              *passed = got;
            else
              close (got);
          }
      if ((size_t) r < offsetof (struct mrc_sync_msg, text) + 1)
        {
          errno = EPROTO;
          return -1;
        }
      msg->text[(size_t) r - offsetof (struct mrc_sync_msg, text) - 1] = '\0';
      return 0;
    }
}

void
mrc_sync_send_error (int fd, mrc_error_t *err)
{
  const char *text = (err && *err && (*err)->msg) ? (*err)->msg : "unknown error";
  int errnum = (err && *err) ? (*err)->errnum : 0;
  if (mrc_sync_send (fd, MRC_SYNC_ERROR, errnum, text) < 0)
    { /* the parent is gone: nobody left to tell */ }
}

static int
handle (int fd, const struct mrc_sync_msg *msg, int passed,
        const struct mrc_sync_handlers *h, mrc_error_t *err)
{
  switch (msg->type)
    {
    case MRC_SYNC_LOG:
      mrc_log ((enum mrc_log_level) msg->value, "%s", msg->text);
      return 0;
    case MRC_SYNC_HOOKS:
      if (h && h->on_hooks && h->on_hooks (h->arg, err) < 0)
        return -1;
      if (mrc_sync_send (fd, MRC_SYNC_HOOKS_DONE, 0, NULL) < 0)
        return mrc_fail_errno (err, "answer the container process");
      return 0;
    case MRC_SYNC_SECCOMP_FD:
    case MRC_SYNC_PTY_MASTER:
      if (passed < 0)
        return mrc_fail (err, "message %u from the container process "
                              "carried no fd",
                         msg->type);
      if (h && h->on_fd)
        return h->on_fd (h->arg, (enum mrc_sync_type) msg->type, passed,
                         msg->text, err);
      close (passed);
      return 0;
    default:
      return mrc_fail (err, "unexpected message %u from the container "
                            "process",
                       msg->type);
    }
}

int
mrc_sync_collect (int fd, const struct mrc_sync_handlers *h, mrc_error_t *err)
{
  struct mrc_sync_msg msg;
  for (;;)
    {
      int passed;
      int r = mrc_sync_recv (fd, &msg, &passed);
      if (r < 0)
        return mrc_fail_errno (err, "read from the container process");
      if (r == 1)
        return 1;
      if (msg.type == MRC_SYNC_ERROR)
        {
          if (passed >= 0)
            close (passed);
          return mrc_error_code (err, msg.value, "%s", msg.text);
        }
      if (msg.type == MRC_SYNC_READY)
        {
          if (passed >= 0)
            close (passed);
          return 0;
        }
      if (handle (fd, &msg, passed, h, err) < 0)
        return -1;
    }
}
