/* The foreground relay: mini-runc's own terminal <-> the container's pty.
 * A pollable object, so the caller's one poll loop also watches its
 * signalfd and the init's pidfd (see term.h for the picture). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "mrc/clock.h"
#include "mrc/term.h"

/* How long mrc_relay_finish keeps reading a pty whose slave some other
 * process still holds open: idle time per read, and the total. */
#define DRAIN_IDLE_MS 100
#define DRAIN_TOTAL_MS 1000

struct mrc_relay
{
  int master;         /* O_NONBLOCK: we never wait on it outside poll */
  int in, out;        /* never made non-blocking: the caller shares them */
  int tty;            /* our terminal in raw mode (restore it), or -1 */
  int size_src;       /* where our window size comes from, or -1 */
  struct termios saved;
  bool in_is_tty;
  bool in_open;       /* still reading our input */
  bool eof_pending;   /* our input ended: send the pty's EOF when flushed */
  bool out_ok;        /* our output still takes bytes */
  bool master_open;   /* the pty still has a slave side */
  int last_in;        /* last byte given to the pty, -1 before any */
  size_t len, off;    /* buf[off..len): input the pty has not taken yet */
  char buf[4096];
};

static bool
is_line_end (const struct termios *t, int c)
{
  if (c == '\n' || c == t->c_cc[VEOF])
    return true;
  if ((t->c_cc[VEOL] && c == t->c_cc[VEOL])
      || (t->c_cc[VEOL2] && c == t->c_cc[VEOL2]))
    return true;
  return c == '\r' && (t->c_iflag & ICRNL) && !(t->c_iflag & IGNCR);
}

size_t
mrc_term_eof_bytes (const struct termios *slave, int last, char out[2])
{
  cc_t eof = slave->c_cc[VEOF];
  if (!(slave->c_lflag & ICANON) || eof == _POSIX_VDISABLE)
    return 0;
  size_t n = 0;
  out[n++] = (char) eof;
  if (last >= 0 && !is_line_end (slave, last))
    out[n++] = (char) eof;
  return n;
}

/* Write all of BUF to FD, which may be non-blocking behind our back (the
 * caller's file description): wait for room instead of failing. */
static int
write_out (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t w = write (fd, buf, len);
      if (w < 0 && errno == EAGAIN)
        {
          struct pollfd p = { .fd = fd, .events = POLLOUT };
          if (poll (&p, 1, -1) < 0 && errno != EINTR)
            return -1;
          continue;
        }
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      buf += w;
      len -= (size_t) w;
    }
  return 0;
}

/* The slave side is gone: nothing more to read or to type. */
static void
master_closed (struct mrc_relay *r)
{
  r->master_open = false;
  r->in_open = false;
  r->eof_pending = false;
  r->len = r->off = 0;
}

/* Give the pty what input we hold, as far as it takes it now; the rest
 * waits for POLLOUT.  Once our input ended and all of it is in, queue the
 * pty's EOF the same way. */
static void
flush_input (struct mrc_relay *r)
{
  for (;;)
    {
      while (r->off < r->len)
        {
          ssize_t w = write (r->master, r->buf + r->off, r->len - r->off);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0 && errno == EAGAIN)
            return;
          if (w < 0)
            {
              master_closed (r); /* EIO: the container side closed */
              return;
            }
          r->off += (size_t) w;
          r->last_in = (unsigned char) r->buf[r->off - 1];
        }
      r->len = r->off = 0;
      struct termios t;
      if (!r->eof_pending || !r->master_open)
        return;
      r->eof_pending = false;
      if (tcgetattr (r->master, &t) < 0) /* the slave's settings */
        return;
      r->len = mrc_term_eof_bytes (&t, r->last_in, r->buf);
    }
}

static void
read_input (struct mrc_relay *r)
{
  ssize_t k = read (r->in, r->buf, sizeof r->buf);
  if (k < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (k <= 0)
    {
      /* EOF, or EIO from a terminal we lost: stop reading.  Only a pipe or
         a file has an end worth passing on; a terminal's ^D already went
         through as a byte. */
      r->in_open = false;
      r->eof_pending = !r->in_is_tty;
    }
  else
    {
      r->len = (size_t) k;
      r->off = 0;
    }
  flush_input (r);
}

static int
read_output (struct mrc_relay *r, mrc_error_t *err)
{
  char b[8192];
  ssize_t k = read (r->master, b, sizeof b);
  if (k < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (k == 0 || (k < 0 && errno == EIO))
    {
      master_closed (r);
      return 0;
    }
  if (k < 0)
    return mrc_fail_errno (err, "read from the terminal");
  /* A caller that stopped reading our stdout must not stall the
     container: keep draining the pty and drop what we cannot write. */
  if (r->out_ok && write_out (r->out, b, (size_t) k) < 0)
    r->out_ok = false;
  return 0;
}

size_t
mrc_relay_pollfds (struct mrc_relay *r, struct pollfd *fds, size_t max)
{
  size_t n = 0;
  if (r->in_open && r->len == 0 && !r->eof_pending && n < max)
    fds[n++] = (struct pollfd) { .fd = r->in, .events = POLLIN };
  if (r->master_open && n < max)
    {
      short ev = POLLIN;
      if (r->len > 0 || r->eof_pending)
        ev |= POLLOUT;
      fds[n++] = (struct pollfd) { .fd = r->master, .events = ev };
    }
  return n;
}

int
mrc_relay_step (struct mrc_relay *r, const struct pollfd *fds, size_t n,
                mrc_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      short ev = fds[i].revents;
      if (ev == 0)
        continue;
      if (fds[i].fd == r->in && r->in_open && r->len == 0)
        read_input (r);
      else if (fds[i].fd == r->master && r->master_open)
        {
          if (ev & POLLOUT)
            flush_input (r);
          if ((ev & (POLLIN | POLLHUP | POLLERR))
              && read_output (r, err) < 0)
            return -1;
        }
    }
  return 0;
}

void
mrc_relay_winch (struct mrc_relay *r)
{
  struct winsize ws;
  if (r->size_src < 0 || ioctl (r->size_src, TIOCGWINSZ, &ws) < 0)
    return;
  /* best effort: a size the pty refuses leaves the old one */
  if (ioctl (r->master, TIOCSWINSZ, &ws) < 0)
    return;
}

bool
mrc_relay_output_done (const struct mrc_relay *r)
{
  return !r->master_open;
}

/* Prepare the pty and our terminal; on failure nothing is changed. */
static int
relay_init (struct mrc_relay *r, mrc_error_t *err)
{
  int fl = fcntl (r->master, F_GETFL);
  if (fl < 0 || fcntl (r->master, F_SETFL, fl | O_NONBLOCK) < 0)
    return mrc_fail_errno (err, "terminal: set the pty non-blocking");
  r->in_is_tty = r->in >= 0 && isatty (r->in);
  if (r->in_is_tty)
    r->size_src = r->in;
  else if (isatty (r->out))
    r->size_src = r->out;
  mrc_relay_winch (r);
  if (!isatty (r->out))
    {
      /* As runc: a file or a pipe gets "\n", not the "\r\n" a terminal
         needs (bytes the program itself writes stay as they are). */
      struct termios t;
      if (tcgetattr (r->master, &t) < 0)
        return mrc_fail_errno (err, "terminal: get pty settings");
      t.c_oflag &= ~(tcflag_t) ONLCR;
      if (tcsetattr (r->master, TCSANOW, &t) < 0)
        return mrc_fail_errno (err, "terminal: clear onlcr on the pty");
    }
  if (r->in_is_tty)
    {
      /* Raw: keys reach the container as bytes (Ctrl-C becomes SIGINT in
         its session, not ours), and its output is shown as it is. */
      struct termios raw;
      if (tcgetattr (r->in, &r->saved) < 0)
        return mrc_fail_errno (err, "terminal: get settings of stdin");
      raw = r->saved;
      cfmakeraw (&raw);
      if (tcsetattr (r->in, TCSANOW, &raw) < 0)
        return mrc_fail_errno (err, "terminal: set stdin to raw mode");
      r->tty = r->in;
    }
  return 0;
}

int
mrc_relay_new_io (int master, int in, int out_fd, struct mrc_relay **out,
                  mrc_error_t *err)
{
  struct mrc_relay *r = calloc (1, sizeof *r);
  if (r == NULL)
    {
      close (master);
      return mrc_error_set (err, ENOMEM, "terminal: relay");
    }
  r->master = master;
  r->in = in;
  r->out = out_fd;
  r->tty = r->size_src = -1;
  r->in_open = in >= 0;
  r->out_ok = r->master_open = true;
  r->last_in = -1;
  if (relay_init (r, err) < 0)
    {
      close (master);
      free (r);
      return -1;
    }
  *out = r;
  return 0;
}

int
mrc_relay_new (int master, struct mrc_relay **out, mrc_error_t *err)
{
  return mrc_relay_new_io (master, STDIN_FILENO, STDOUT_FILENO, out, err);
}

/* Copy what the pty still holds: up to EIO when the slave is closed, or
 * until it stays quiet when some leftover process keeps it open. */
static void
drain (struct mrc_relay *r)
{
  long long end = mrc_monotonic_ms () + DRAIN_TOTAL_MS;
  while (r->master_open)
    {
      long long left = end - mrc_monotonic_ms ();
      if (left <= 0)
        return;
      struct pollfd p = { .fd = r->master, .events = POLLIN };
      int k = poll (&p, 1, left < DRAIN_IDLE_MS ? (int) left : DRAIN_IDLE_MS);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        return;
      mrc_error_t ignored = NULL;
      if (read_output (r, &ignored) < 0)
        {
          mrc_error_free (&ignored);
          return;
        }
    }
}

void
mrc_relay_finish (struct mrc_relay *r)
{
  if (r == NULL)
    return;
  int saved = errno;
  drain (r);
  /* TCSANOW: a terminal stopped by XOFF must not keep us from exiting */
  if (r->tty >= 0 && tcsetattr (r->tty, TCSANOW, &r->saved) < 0)
    { /* nothing better to do: the caller's terminal is gone */ }
  close (r->master);
  free (r);
  errno = saved;
}
