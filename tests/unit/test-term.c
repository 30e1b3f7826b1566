/* The terminal module without a container: consoleSize checks, the EOF a
 * pty gets when our input ends, and the relay driven over real ptys (the
 * host's /dev/ptmx; no root needed) with pipes as mini-runc's stdio. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "mrc/term.h"
#include "tap.h"

static void
test_winsize (void)
{
  struct winsize ws;
  mrc_error_t err = NULL;
  ok (mrc_term_winsize (30, 100, &ws, &err) == 0 && ws.ws_row == 30
          && ws.ws_col == 100,
      "consoleSize 30x100 becomes a winsize");
  ok (mrc_term_winsize (65535, 0, &ws, &err) == 0, "65535 rows fit");
  ok (mrc_term_winsize (65536, 80, &ws, &err) < 0 && err
          && strstr (err->msg, "process.consoleSize `65536x80`"),
      "65536 rows are refused, naming the size");
  mrc_error_free (&err);
  ok (mrc_term_winsize (24, 70000, &ws, &err) < 0, "70000 columns refused");
  mrc_error_free (&err);
}

static void
test_eof_bytes (void)
{
  struct termios t;
  memset (&t, 0, sizeof t);
  t.c_lflag = ICANON;
  t.c_iflag = ICRNL;
  t.c_cc[VEOF] = 4;
  char b[2];
  is_int (mrc_term_eof_bytes (&t, -1, b), 1, "nothing typed: one ^D");
  ok (b[0] == 4, "the pty's own VEOF character");
  is_int (mrc_term_eof_bytes (&t, '\n', b), 1, "after a newline: one ^D");
  is_int (mrc_term_eof_bytes (&t, 'x', b), 2,
          "after a partial line: two (the first only pushes the line)");
  is_int (mrc_term_eof_bytes (&t, '\r', b), 1, "\\r ends a line with icrnl");
  t.c_iflag = 0;
  is_int (mrc_term_eof_bytes (&t, '\r', b), 2, "\\r alone without icrnl");
  t.c_cc[VEOL] = ';';
  is_int (mrc_term_eof_bytes (&t, ';', b), 1, "VEOL ends a line");
  t.c_cc[VEOF] = 'z';
  is_int (mrc_term_eof_bytes (&t, 'x', b), 2, "a changed VEOF is used");
  ok (b[0] == 'z' && b[1] == 'z', "...both times");
  t.c_cc[VEOF] = _POSIX_VDISABLE;
  is_int (mrc_term_eof_bytes (&t, 'x', b), 0, "no EOF character: nothing");
  t.c_cc[VEOF] = 4;
  t.c_lflag = 0;
  is_int (mrc_term_eof_bytes (&t, 'x', b), 0, "raw mode: nothing");
}

/* A pty pair from the host: the master for the relay, the slave plays the
 * container's side. */
static int
open_pty (int *master, int *slave)
{
  *master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*master < 0 || unlockpt (*master) < 0)
    return -1;
  *slave = ioctl (*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  return *slave < 0 ? -1 : 0;
}

/* Run the relay's poll loop for about MS milliseconds, or until it has
   nothing left to wait for. */
static void
pump (struct mrc_relay *r, int ms)
{
  for (int spent = 0; spent < ms; spent += 10)
    {
      struct pollfd p[MRC_RELAY_MAX_POLLFDS];
      size_t n = mrc_relay_pollfds (r, p, MRC_RELAY_MAX_POLLFDS);
      if (n == 0)
        return;
      int k = poll (p, n, 10);
      mrc_error_t err = NULL;
      if (k > 0 && mrc_relay_step (r, p, n, &err) < 0)
        {
          diag ("step: %s", err->msg);
          mrc_error_free (&err);
          return;
        }
    }
}

/* Read what is there within a short wait (NUL-terminated). */
static ssize_t
read_some (int fd, char *buf, size_t size)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };
  if (poll (&p, 1, 1000) <= 0)
    return -1;
  ssize_t k = read (fd, buf, size - 1);
  buf[k > 0 ? k : 0] = '\0';
  return k;
}

static void
no_echo (int slave)
{
  struct termios t;
  if (tcgetattr (slave, &t) == 0)
    {
      t.c_lflag &= ~(tcflag_t) ECHO;
      if (tcsetattr (slave, TCSANOW, &t) < 0)
        diag ("tcsetattr: %s", strerror (errno));
    }
}

static void
test_relay_pipes (void)
{
  int m, s, in[2], out[2];
  if (open_pty (&m, &s) < 0 || pipe2 (in, O_CLOEXEC) < 0
      || pipe2 (out, O_CLOEXEC) < 0)
    {
      ok (0, "pty and pipes: %s", strerror (errno));
      return;
    }
  no_echo (s);
  struct mrc_relay *r = NULL;
  mrc_error_t err = NULL;
  ok (mrc_relay_new_io (m, in[0], out[1], &r, &err) == 0, "relay on pipes");
  struct termios t;
  ok (tcgetattr (s, &t) == 0 && !(t.c_oflag & ONLCR),
      "stdout is a pipe: the pty no longer adds \\r (as runc)");

  char buf[256];
  if (write (s, "one\ntwo\r\n", 9) != 9)
    diag ("write: %s", strerror (errno));
  pump (r, 100);
  ok (read_some (out[0], buf, sizeof buf) > 0, "output relayed");
  is_str (buf, "one\ntwo\r\n", "the program's own bytes, \\r kept");

  if (write (in[1], "typed\n", 6) != 6)
    diag ("write: %s", strerror (errno));
  pump (r, 100);
  read_some (s, buf, sizeof buf);
  is_str (buf, "typed\n", "input reaches the container");

  if (write (in[1], "partial", 7) != 7)
    diag ("write: %s", strerror (errno));
  close (in[1]);
  pump (r, 100);
  read_some (s, buf, sizeof buf);
  is_str (buf, "partial", "a partial line is pushed at EOF");
  is_int (read_some (s, buf, sizeof buf), 0,
          "then the container reads EOF (as from a terminal's ^D)");

  ok (!mrc_relay_output_done (r), "output open while the slave is");
  if (write (s, "last\n", 5) != 5)
    diag ("write: %s", strerror (errno));
  close (s);
  pump (r, 200);
  ok (mrc_relay_output_done (r), "slave closed: output done (EIO)");
  read_some (out[0], buf, sizeof buf);
  is_str (buf, "last\n", "what was written before the close arrives");
  struct pollfd p[MRC_RELAY_MAX_POLLFDS];
  is_int (mrc_relay_pollfds (r, p, MRC_RELAY_MAX_POLLFDS), 0,
          "nothing left to poll");
  mrc_relay_finish (r);
  close (in[0]);
  close (out[0]);
  close (out[1]);
}

/* finish() copies what the pty still holds when the process is gone. */
static void
test_relay_drain (void)
{
  int m, s, out[2];
  if (open_pty (&m, &s) < 0 || pipe2 (out, O_CLOEXEC) < 0)
    {
      ok (0, "pty: %s", strerror (errno));
      return;
    }
  struct mrc_relay *r = NULL;
  mrc_error_t err = NULL;
  ok (mrc_relay_new_io (m, -1, out[1], &r, &err) == 0, "relay, no input");
  if (write (s, "bye\n", 4) != 4)
    diag ("write: %s", strerror (errno));
  close (s);
  mrc_relay_finish (r);
  char buf[64];
  read_some (out[0], buf, sizeof buf);
  is_str (buf, "bye\n", "finish drains the pty");
  close (out[0]);
  close (out[1]);
}

/* Our stdin a terminal: raw while relaying, restored after; window size
 * copied at the start and on winch. */
static void
test_relay_tty (void)
{
  int m, s, um, us, out[2];
  if (open_pty (&m, &s) < 0 || open_pty (&um, &us) < 0
      || pipe2 (out, O_CLOEXEC) < 0)
    {
      ok (0, "ptys: %s", strerror (errno));
      return;
    }
  struct winsize ws = { .ws_row = 30, .ws_col = 100 }, got;
  if (ioctl (us, TIOCSWINSZ, &ws) < 0)
    diag ("TIOCSWINSZ: %s", strerror (errno));
  struct termios before, t;
  if (tcgetattr (us, &before) < 0)
    diag ("tcgetattr: %s", strerror (errno));
  struct mrc_relay *r = NULL;
  mrc_error_t err = NULL;
  ok (mrc_relay_new_io (m, us, out[1], &r, &err) == 0, "relay on a tty");
  ok (tcgetattr (us, &t) == 0 && !(t.c_lflag & (ICANON | ECHO | ISIG)),
      "our terminal is raw while relaying");
  ok (ioctl (s, TIOCGWINSZ, &got) == 0 && got.ws_row == 30
          && got.ws_col == 100,
      "the pty starts with our window size");
  ws.ws_row = 40;
  ws.ws_col = 120;
  if (ioctl (us, TIOCSWINSZ, &ws) < 0)
    diag ("TIOCSWINSZ: %s", strerror (errno));
  mrc_relay_winch (r);
  ok (ioctl (s, TIOCGWINSZ, &got) == 0 && got.ws_row == 40
          && got.ws_col == 120,
      "a resize reaches the pty on winch");

  /* Ctrl-C is a byte for the container's line discipline (read raw here:
     with ISIG it would become a SIGINT for a session this test lacks) */
  struct termios st;
  if (tcgetattr (s, &st) == 0)
    {
      st.c_lflag &= ~(tcflag_t) (ISIG | ICANON | ECHO);
      st.c_cc[VMIN] = 1;
      st.c_cc[VTIME] = 0;
      if (tcsetattr (s, TCSANOW, &st) < 0)
        diag ("tcsetattr: %s", strerror (errno));
    }
  if (write (um, "\003", 1) != 1)
    diag ("write: %s", strerror (errno));
  pump (r, 100);
  char buf[16];
  ok (read_some (s, buf, sizeof buf) == 1 && buf[0] == 3,
      "Ctrl-C on our terminal arrives as \\003");
  mrc_relay_finish (r);
  ok (tcgetattr (us, &t) == 0 && t.c_lflag == before.c_lflag
          && t.c_iflag == before.c_iflag && t.c_oflag == before.c_oflag,
      "finish restores our terminal");
  close (s);
  close (um);
  close (us);
  close (out[0]);
  close (out[1]);
}

int
main (void)
{
  test_winsize ();
  test_eof_bytes ();
  test_relay_pipes ();
  test_relay_drain ();
  test_relay_tty ();
  return done_testing ();
}
