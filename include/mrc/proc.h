/* /proc and pidfd helpers. */
#ifndef MRC_PROC_H
#define MRC_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Start time (field 22 of /proc/PID/stat) and whether PID is a zombie.
 * Returns -1 with errno (ESRCH when there is no such process). */
int mrc_proc_stat (pid_t pid, uint64_t *start_time, bool *zombie);

/* true when PID exists, is not a zombie, and started at START_TIME. */
bool mrc_proc_alive (pid_t pid, uint64_t start_time);

int mrc_pidfd_open (pid_t pid);

/* The pid of PIDFD's process as our /proc names it (its fdinfo's "Pid:"),
 * for /proc/PID paths: mini-runc itself may run in another pid namespace
 * than the /proc it sees.  -1 when unknown. */
pid_t mrc_pidfd_proc_pid (int pidfd);
int mrc_pidfd_send_signal (int pidfd, int sig);

/* Wait until the process behind PIDFD has exited, at most TIMEOUT_MS
 * (-1: forever).  Returns 0 when it exited, 1 on timeout, -1 on error. */
int mrc_pidfd_wait_exit (int pidfd, int timeout_ms);

#endif
