/* The BIND_SOURCE exchange of the sync protocol (include/mrc/sync.h) over
 * a real SEQPACKET pair, the child side in a forked process: the runtime's
 * handler answers with an fd or with none, and a collector without the
 * handler refuses the request. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/sync.h"
#include "tap.h"

/* The init's side: ask for mounts[2] (an fd of `/` comes back) and
 * mounts[5] (none comes back), then READY.  Exit status: 0 when both
 * answers were as expected. */
static void
child (int fd)
{
  mrc_error_t err = NULL;
  struct stat want, got;
  int src = -1;
  if (stat ("/", &want) < 0 || mrc_sync_bind_source (fd, 2, &src, &err) < 0
      || src < 0 || fstat (src, &got) < 0 || got.st_ino != want.st_ino)
    _exit (1);
  close (src);
  if (mrc_sync_bind_source (fd, 5, &src, &err) < 0 || src != -1)
    _exit (2);
  _exit (mrc_sync_ready (fd) < 0 ? 3 : 0);
}

struct asked
{
  size_t index[4];
  size_t n;
};

static int
on_bind_source (void *arg, size_t index, int *fd, mrc_error_t *err)
{
  struct asked *a = arg;
  (void) err;
  if (a->n < 4)
    a->index[a->n++] = index;
  *fd = index == 2 ? open ("/", O_PATH | O_CLOEXEC) : -1;
  return 0;
}

static pid_t
start (int *parent_end)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    abort ();
  pid_t pid = fork ();
  if (pid == 0)
    {
      close (sv[0]);
      child (sv[1]);
    }
  close (sv[1]);
  *parent_end = sv[0];
  return pid;
}

static int
reap (pid_t pid)
{
  int status = -1;
  while (waitpid (pid, &status, 0) < 0)
    ;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128;
}

int
main (void)
{
  is_str (mrc_sync_name (MRC_SYNC_BIND_SOURCE), "BIND_SOURCE",
          "BIND_SOURCE has its name");
  is_str (mrc_sync_name (MRC_SYNC_SOURCE_FD), "SOURCE_FD",
          "SOURCE_FD has its name");
  ok (mrc_sync_pass_fd (-1, MRC_SYNC_BIND_SOURCE, 0, NULL) < 0,
      "BIND_SOURCE carries no fd");

  int fd;
  pid_t pid = start (&fd);
  struct asked a = { .n = 0 };
  struct mrc_sync_handlers h = { &a, NULL, NULL, on_bind_source };
  mrc_error_t err = NULL;
  is_int (mrc_sync_collect (fd, &h, &err), 0, "collected up to READY");
  is_int ((long) a.n, 2, "the runtime was asked twice");
  ok (a.n == 2 && a.index[0] == 2 && a.index[1] == 5,
      "with the mounts[] indexes, in order");
  is_int (reap (pid), 0, "the child got an fd, then none");
  close (fd);

  /* exec's collector has no handler: the request is an error */
  pid = start (&fd);
  struct mrc_sync_handlers none = { NULL, NULL, NULL, NULL };
  is_int (mrc_sync_collect (fd, &none, &err), -1,
          "refused without a handler");
  ok (err && strstr (err->msg, "unexpected message BIND_SOURCE"),
      "named in the error: %s", err ? err->msg : "(none)");
  mrc_error_free (&err);
  close (fd);
  ok (reap (pid) != 0, "the child sees the runtime go away");
  return done_testing ();
}
