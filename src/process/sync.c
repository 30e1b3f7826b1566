/* The runtime's channels to its children: messages (see mrc/sync.h for
 * who sends which on which channel), typed senders, the receiver and the
 * runtime's collector. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/log.h"
#include "mrc/sync.h"

/* Every message type, with whether it carries an fd (SCM_RIGHTS). */
static const struct
{
  const char *name;
  bool fd;
} kinds[] = {
  [MRC_SYNC_MAPS_DONE] = { "MAPS_DONE", false },
  [MRC_SYNC_LOG] = { "LOG", false },
  [MRC_SYNC_ERROR] = { "ERROR", false },
  [MRC_SYNC_READY] = { "READY", false }, /* from the helper: with a pidfd */
  [MRC_SYNC_GO] = { "GO", false },
  [MRC_SYNC_HOOKS] = { "HOOKS", false },
  [MRC_SYNC_HOOKS_DONE] = { "HOOKS_DONE", false },
  [MRC_SYNC_SECCOMP_FD] = { "SECCOMP_FD", true },
  [MRC_SYNC_PTY_MASTER] = { "PTY_MASTER", true },
  [MRC_SYNC_BIND_SOURCE] = { "BIND_SOURCE", false },
  [MRC_SYNC_SOURCE_FD] = { "SOURCE_FD", true }, /* or none: open it yourself */
};

const char *
mrc_sync_name (uint32_t type)
{
  if (type < sizeof kinds / sizeof kinds[0] && kinds[type].name)
    return kinds[type].name;
  return "unknown";
}

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
mrc_sync_maps_done (int fd)
{
  return send_msg (fd, MRC_SYNC_MAPS_DONE, 0, NULL, -1);
}

int
mrc_sync_go (int fd)
{
  return send_msg (fd, MRC_SYNC_GO, 0, NULL, -1);
}

int
mrc_sync_ready (int fd)
{
  return send_msg (fd, MRC_SYNC_READY, 0, NULL, -1);
}

int
mrc_sync_log (int fd, int level, const char *text)
{
  return send_msg (fd, MRC_SYNC_LOG, level, text, -1);
}

int
mrc_sync_pass_fd (int fd, enum mrc_sync_type type, int passfd,
                  const char *text)
{
  if (!kinds[type].fd || passfd < 0)
    {
      errno = EINVAL;
      return -1;
    }
  return send_msg (fd, type, 0, text, passfd);
}

int
mrc_sync_cloned (int fd, int pidfd, pid_t pid)
{
  char text[32];
  snprintf (text, sizeof text, "%d", (int) pid);
  return send_msg (fd, MRC_SYNC_READY, 0, text, pidfd);
}

/* Child side: the next message must be WANT; its fd, if any, into *PASSED
 * (PASSED may be NULL: see mrc_sync_recv). */
static int
wait_for (int fd, enum mrc_sync_type want, int *passed, mrc_error_t *err)
{
  struct mrc_sync_msg msg;
  int r = mrc_sync_recv (fd, &msg, passed);
  if (r < 0)
    return mrc_fail_errno (err, "read from the runtime");
  if (r == 1)
    return mrc_fail (err, "the runtime went away during setup");
  if (msg.type == (uint32_t) want)
    return 0;
  if (passed)
    mrc_closep (passed);
  return mrc_fail (err, "unexpected message %s (%u) from the runtime",
                   mrc_sync_name (msg.type), msg.type);
}

int
mrc_sync_wait (int fd, enum mrc_sync_type want, mrc_error_t *err)
{
  return wait_for (fd, want, NULL, err);
}

int
mrc_sync_hooks (int fd, mrc_error_t *err)
{
  if (send_msg (fd, MRC_SYNC_HOOKS, 0, NULL, -1) < 0)
    return mrc_fail_errno (err, "ask the runtime for hooks");
  return mrc_sync_wait (fd, MRC_SYNC_HOOKS_DONE, err);
}

int
mrc_sync_bind_source (int fd, size_t index, int *srcfd, mrc_error_t *err)
{
  *srcfd = -1;
  if (send_msg (fd, MRC_SYNC_BIND_SOURCE, (int) index, NULL, -1) < 0)
    return mrc_fail_errno (err, "ask the runtime for a bind source");
  return wait_for (fd, MRC_SYNC_SOURCE_FD, srcfd, err);
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
  if (send_msg (fd, MRC_SYNC_ERROR, errnum, text, -1) < 0)
    { /* the parent is gone: nobody left to tell */ }
}

/* A bind source for the child (its request carries the mounts[] index). */
static int
answer_bind_source (int fd, const struct mrc_sync_msg *msg,
                    const struct mrc_sync_handlers *h, mrc_error_t *err)
{
  if (h == NULL || h->on_bind_source == NULL || msg->value < 0)
    return mrc_fail (err, "unexpected message %s from the container process",
                     mrc_sync_name (msg->type));
  cleanup_close int src = -1;
  if (h->on_bind_source (h->arg, (size_t) msg->value, &src, err) < 0)
    return -1;
  if (send_msg (fd, MRC_SYNC_SOURCE_FD, 0, NULL, src) < 0)
    return mrc_fail_errno (err, "answer the container process");
  return 0;
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
      if (send_msg (fd, MRC_SYNC_HOOKS_DONE, 0, NULL, -1) < 0)
        return mrc_fail_errno (err, "answer the container process");
      return 0;
    case MRC_SYNC_BIND_SOURCE:
      return answer_bind_source (fd, msg, h, err);
    case MRC_SYNC_SECCOMP_FD:
    case MRC_SYNC_PTY_MASTER:
      if (passed < 0)
        return mrc_fail (err, "message %s from the container process "
                              "carried no fd",
                         mrc_sync_name (msg->type));
      if (h && h->on_fd)
        return h->on_fd (h->arg, (enum mrc_sync_type) msg->type, passed,
                         msg->text, err);
      close (passed);
      return 0;
    default:
      return mrc_fail (err, "unexpected message %s (%u) from the container "
                            "process",
                       mrc_sync_name (msg->type), msg->type);
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
