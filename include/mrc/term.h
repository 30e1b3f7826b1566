/* Terminals: the container's pty, and the foreground relay.
 *
 * With process.terminal the pty is allocated INSIDE the container, from
 * its own devpts instance, so the slave's name (/dev/pts/N) means the same
 * thing to the container as to its caller and no host pty leaks in:
 *
 *   container init (after pivot_root,        mini-runc (parent)
 *   before the user switch)
 *   ------------------------------------     -----------------------------
 *   mrc_term_setup_child:
 *     open /dev/pts/ptmx, unlock, open the
 *     slave with TIOCGPTPEER, consoleSize,
 *     bind the slave on /dev/console,
 *     TIOCSCTTY, dup it onto 0, 1, 2
 *   send the master:
 *     --console-socket: one SCM_RIGHTS ---->  (the caller: containerd, conmon)
 *       message, the pty name as data
 *     foreground run / exec -t: over the ->  mrc_relay_new (master)
 *       sync channel                          poll loop: mrc_relay_pollfds,
 *   close the master, exec                      mrc_relay_step, on SIGWINCH
 *                                               mrc_relay_winch
 *                                             init exited: mrc_relay_finish
 *
 * The relay puts mini-runc's own terminal in raw mode, so every key
 * (Ctrl-C, Ctrl-Z, Ctrl-D) reaches the pty as a byte and the container's
 * line discipline turns it into a signal for the container's foreground
 * process group; mrc_relay_finish gives the caller its terminal back.
 */
#ifndef MRC_TERM_H
#define MRC_TERM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "mrc/error.h"
#include "mrc/spec.h"

/* ---------------------------------------------------------- child side -- */

/* In the container's mount namespace, after pivot_root, in a new session
 * (setsid) and still root: open a pty from the container's devpts
 * (/dev/pts/ptmx, else /dev/ptmx), unlock it, give it P's consoleSize,
 * hand the slave to P's user (so `tty` and reopening /dev/pts/N work after
 * the user switch), bind-mount the slave on /dev/console (created as an
 * empty file when missing, never outside the root), make it the calling
 * process's controlling terminal and dup it onto fds 0, 1 and 2.
 * *MASTER gets the master (O_CLOEXEC), *NAME the slave's name in the
 * container ("/dev/pts/0", malloc'd). */
int mrc_term_setup_child (const struct mrc_process *p, int *master,
                          char **name, mrc_error_t *err) MRC_WUR;

/* The same for `exec -t`, after joining the container's namespaces and
 * root: everything but /dev/console, which stays the init's terminal. */
int mrc_term_setup_exec (const struct mrc_process *p, int *master,
                         char **name, mrc_error_t *err) MRC_WUR;

/* consoleSize as a winsize; fails when a side does not fit in 16 bits. */
int mrc_term_winsize (uint32_t height, uint32_t width, struct winsize *ws,
                      mrc_error_t *err) MRC_WUR;

/* ------------------------------------------------------ the relay (pure) -- */

/* What a pty should get when the relay's input ends (a pipe or file on
 * stdin reached EOF): with the slave in canonical mode, its EOF character
 * (VEOF, ^D), twice when LAST (the last byte written) left a partial line,
 * since the first ^D only pushes that line to the reader.  Writes the bytes
 * into OUT and returns how many (0 in raw mode: nothing can mean EOF).
 * LAST is -1 when nothing was written. */
size_t mrc_term_eof_bytes (const struct termios *slave, int last,
                           char out[2]);

/* ---------------------------------------------------- the foreground relay -- */

struct mrc_relay;

/* Relay between mini-runc's stdin/stdout and MASTER (taken over: the relay
 * closes it).  When stdin is a terminal it is put in raw mode; the window
 * size of our terminal (stdin, else stdout) is copied to the pty.  When
 * stdout is not a terminal the pty stops turning "\n" into "\r\n" (ONLCR
 * off), as runc does, so a log or a pipe gets the program's bytes.  Call it
 * before the container's process runs, so its first output is treated the
 * same.  On failure MASTER is closed and the terminal left as it was. */
int mrc_relay_new (int master, struct mrc_relay **out, mrc_error_t *err) MRC_WUR;

/* The same with other fds than 0 and 1 (tests, and callers that keep
 * stdio elsewhere).  IN may be -1 (no input). */
int mrc_relay_new_io (int master, int in, int out_fd, struct mrc_relay **out,
                      mrc_error_t *err) MRC_WUR;

/* Room the caller's pollfd array needs for the relay. */
#define MRC_RELAY_MAX_POLLFDS 2

/* Fill up to MAX entries of FDS with what the relay waits for right now
 * (it changes from call to call: ask before every poll).  Returns the
 * count; 0 when both directions are done. */
size_t mrc_relay_pollfds (struct mrc_relay *r, struct pollfd *fds, size_t max);

/* After poll: move the bytes FDS[0..N) (as filled by mrc_relay_pollfds,
 * revents set by poll) say are ready.  EOF on our input is passed on as
 * the pty's EOF character (see mrc_term_eof_bytes); EIO on the master (every
 * holder of the slave closed it) ends the output direction.  A failing
 * stdout (a closed pipe) stops our output but keeps the pty drained so the
 * container never blocks on it.  Fails only on unexpected master errors. */
int mrc_relay_step (struct mrc_relay *r, const struct pollfd *fds, size_t n,
                    mrc_error_t *err) MRC_WUR;

/* On SIGWINCH: copy our terminal's window size to the pty (the kernel then
 * signals the container's foreground process group). */
void mrc_relay_winch (struct mrc_relay *r);

/* Whether the pty's output side is finished (EIO: the slave is closed). */
bool mrc_relay_output_done (const struct mrc_relay *r);

/* When the container's process has exited: copy what the pty still holds
 * (until EIO, or briefly idle when some other process keeps the slave
 * open), restore our terminal, close the master, free.  NULL is fine.
 * Call it on every exit path once mrc_relay_new succeeded. */
void mrc_relay_finish (struct mrc_relay *r);

static inline void
mrc_relay_finishp (struct mrc_relay **r)
{
  mrc_relay_finish (*r);
  *r = NULL;
}
#define cleanup_relay __attribute__ ((cleanup (mrc_relay_finishp)))

#endif
