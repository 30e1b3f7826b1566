#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "mrc/log.h"
#include "mrc/sync.h"

int
mrc_sync_send (int fd, enum mrc_sync_type type, int value, const char *text)
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
  size_t len = offsetof (struct mrc_sync_msg, text) + tlen + 1;
  for (;;)
    {
      ssize_t w = send (fd, &msg, len, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      /* SOCK_SEQPACKET: a message is sent whole or not at all */
      return (size_t) w == len ? 0 : (errno = EIO, -1);
    }
}

int
mrc_sync_recv (int fd, struct mrc_sync_msg *msg)
{
  for (;;)
    {
      ssize_t r = recv (fd, msg, sizeof *msg, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        return 1;
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

int
mrc_sync_collect (int fd, mrc_error_t *err)
{
  struct mrc_sync_msg msg;
  for (;;)
    {
      int r = mrc_sync_recv (fd, &msg);
      if (r < 0)
        return mrc_fail_errno (err, "read from the container process");
      if (r == 1)
        return 1;
      switch (msg.type)
        {
        case MRC_SYNC_LOG:
          mrc_log ((enum mrc_log_level) msg.value, "%s", msg.text);
          break;
        case MRC_SYNC_ERROR:
          return mrc_error_code (err, msg.value, "%s", msg.text);
        case MRC_SYNC_READY:
          return 0;
        default:
          return mrc_fail (err, "unexpected message %u from the container "
                                "process",
                           msg.type);
        }
    }
}
