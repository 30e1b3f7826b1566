/* The container's side of a terminal: a pty from the container's own devpts
 * instance, made the init's controlling terminal, stdio and /dev/console. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/log.h"
#include "mrc/fs.h"
#include "mrc/term.h"

/* Where the multiplexer may be, in order.  The devpts instance's own ptmx
 * comes first: it exists whenever /dev/pts is a devpts mount, even when
 * /dev/ptmx was not made a symlink to it.  /dev/ptmx then covers a /dev
 * bound from the host (a real 5:2 node finds the pts next to it). */
static const char *const ptmx_paths[] = { "/dev/pts/ptmx", "/dev/ptmx" };

int
mrc_term_winsize (uint32_t height, uint32_t width, struct winsize *ws,
                  mrc_error_t *err)
{
  if (height > UINT16_MAX || width > UINT16_MAX)
    return mrc_error_set (err, EINVAL,
                          "process.consoleSize `%ux%u`: over %u rows or "
                          "columns",
                          (unsigned) height, (unsigned) width,
                          (unsigned) UINT16_MAX);
  *ws = (struct winsize) { .ws_row = (unsigned short) height,
                           .ws_col = (unsigned short) width };
  return 0;
}

/* Open the multiplexer through the root we pivoted into.  openat2 keeps
 * the lookup inside it and refuses magic links, so a /dev/ptmx planted as
 * /proc/<pid>/fd/N cannot hand us a pty of someone else's devpts. */
static int
open_ptmx (mrc_error_t *err)
{
  cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return mrc_fail_errno (err, "open `/`");
  for (size_t i = 0; i < sizeof ptmx_paths / sizeof ptmx_paths[0]; i++)
    {
      mrc_error_t e = NULL;
      int fd = mrc_fs_open_in_root (root, ptmx_paths[i],
                                    O_RDWR | O_NOCTTY, &e);
      if (fd >= 0)
        return fd;
      int saved = e->errnum;
      mrc_error_free (&e);
      if (saved != ENOENT)
        return mrc_error_set (err, saved, "open `%s`", ptmx_paths[i]);
    }
  return mrc_error_set (err, ENOENT, "open `%s`: is devpts mounted on "
                        "`/dev/pts`?", ptmx_paths[0]);
}

/* Unlock the slave and open it through the master (TIOCGPTPEER), never by
 * its path: the path could be replaced between the two opens. */
static int
open_slave (int master, char **name, mrc_error_t *err)
{
  int unlock = 0;
  unsigned int n;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return mrc_fail_errno (err, "unlock pty");
  if (ioctl (master, TIOCGPTN, &n) < 0)
    return mrc_fail_errno (err, "get pty number");
  int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return mrc_fail_errno (err, "open pty slave `/dev/pts/%u`", n);
  if (asprintf (name, "/dev/pts/%u", n) < 0)
    {
      close (slave);
      return mrc_error_set (err, ENOMEM, "pty name");
    }
  return slave;
}

/* Where open_tree answers ENOSYS (issue 15): mount(2) from fd to fd
 * through the container's /proc, which then must be mounted. */
static int
bind_console_legacy (int slave, int target, const char *name,
                     mrc_error_t *err)
{
  mrc_debug ("open_tree: ENOSYS, binding `/dev/console` with mount(2)");
  char src[MRC_FD_PATH_MAX], tgt[MRC_FD_PATH_MAX];
  mrc_fs_fd_path (slave, src);
  mrc_fs_fd_path (target, tgt);
  if (mount (src, tgt, NULL, MS_BIND, NULL) < 0)
    return mrc_fail_errno (err, "bind `%s` on `/dev/console` with mount(2) "
                                "(open_tree is missing)",
                           name);
  return 0;
}

/* Bind SLAVE on /dev/console with fds only (open_tree + move_mount): after
 * pivot_root the container may have no /proc for /proc/self/fd paths, and
 * the target is created and opened inside the root, so a /dev/console
 * symlink cannot aim the mount at a host file. */
static int
bind_console (int slave, const char *name, mrc_error_t *err)
{
  cleanup_close int root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return mrc_fail_errno (err, "open `/`");
  cleanup_close int target = mrc_fs_mkfile_in_root (root, "/dev/console",
                                                    0666, err);
  if (target < 0)
    return -1;
  cleanup_close int tree = open_tree (slave, "", OPEN_TREE_CLONE
                                      | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0 && errno == ENOSYS)
    return bind_console_legacy (slave, target, name, err);
  if (tree < 0)
    return mrc_fail_errno (err, "bind `%s` on `/dev/console`: open_tree",
                           name);
  if (move_mount (tree, "", target, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mrc_fail_errno (err, "bind `%s` on `/dev/console`", name);
  return 0;
}

/* The slave becomes our controlling terminal (we lead a session without
 * one) and our stdio. */
static int
attach_slave (int slave, const char *name, mrc_error_t *err)
{
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return mrc_fail_errno (err, "make `%s` the controlling terminal", name);
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return mrc_fail_errno (err, "dup `%s` onto fd %d", name, fd);
  return 0;
}

static int
setup_slave (const struct mrc_process *p, int slave, const char *name,
             bool console, mrc_error_t *err)
{
  if (p->has_console_size)
    {
      struct winsize ws;
      if (mrc_term_winsize (p->console_height, p->console_width, &ws,
                            err) < 0)
        return -1;
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return mrc_fail_errno (err, "set size of `%s`", name);
    }
  /* The kernel made the slave ours (root); the user the process runs as
     must own it to reopen it (`tty`, ssh-style `/dev/pts/N` checks).  The
     group stays devpts' gid= (tty), as with any login. */
  if (fchown (slave, p->user.uid, (gid_t) -1) < 0)
    return mrc_fail_errno (err, "give `%s` to uid %u", name,
                           (unsigned) p->user.uid);
  if (console && bind_console (slave, name, err) < 0)
    return -1;
  return attach_slave (slave, name, err);
}

static int
setup (const struct mrc_process *p, bool console, int *master, char **name,
       mrc_error_t *err)
{
  cleanup_close int m = open_ptmx (err);
  if (m < 0)
    return mrc_error_wrap (err, "terminal");
  cleanup_free char *n = NULL;
  cleanup_close int slave = open_slave (m, &n, err);
  if (slave < 0)
    return mrc_error_wrap (err, "terminal");
  if (setup_slave (p, slave, n, console, err) < 0)
    return mrc_error_wrap (err, "terminal");
  /* with stdio closed the slave may itself be fd 0, 1 or 2: keep it */
  if (slave < 3)
    slave = -1;
  *master = steal_fd (&m);
  *name = steal_ptr (&n);
  return 0;
}

int
mrc_term_setup_child (const struct mrc_process *p, int *master, char **name,
                      mrc_error_t *err)
{
  return setup (p, true, master, name, err);
}

/* exec -t: the container's /dev/console stays the init's terminal. */
int
mrc_term_setup_exec (const struct mrc_process *p, int *master, char **name,
                     mrc_error_t *err)
{
  return setup (p, false, master, name, err);
}
