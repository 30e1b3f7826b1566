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

/* A pidfd for PID; where pidfd_open answers ENOSYS, a /proc/PID
 * directory fd, which every mrc_pidfd_* function here also takes (see
 * proc.c).  -1 with ESRCH when there is no such process. */
int mrc_pidfd_open (pid_t pid);

/* A /proc/PID handle for a child of ours that clone gave no pidfd (clone's
 * CLONE_PIDFD is 5.2+): safe, an unreaped child keeps its pid. */
int mrc_pidfd_from_pid (pid_t pid);

/* Join FLAGS' namespaces of the handle's process (setns(2) on a pidfd;
 * one /proc/PID/ns file at a time, user first, on a /proc/PID handle). */
int mrc_pidfd_setns (int pidfd, int flags);

/* The pid of PIDFD's process as our /proc names it (its fdinfo's "Pid:"),
 * for /proc/PID paths: mini-runc itself may run in another pid namespace
 * than the /proc it sees.  -1 when unknown. */
pid_t mrc_pidfd_proc_pid (int pidfd);
/* pidfd_send_signal(2); on ENOSYS, kill(2) once the handle's process is
 * checked to be still there (ESRCH when it has exited). */
int mrc_pidfd_send_signal (int pidfd, int sig);

/* How often a /proc/PID handle, which poll(2) cannot watch, is looked at. */
#define MRC_PIDFD_POLL_MS 10

/* The fd to poll(2) for HANDLE's exit (POLLIN), or -1 for a /proc/PID
 * handle, with *TIMEOUT_MS lowered to MRC_PIDFD_POLL_MS so the caller
 * asks mrc_pidfd_exited after each poll. */
int mrc_pidfd_poll_fd (int handle, int *timeout_ms);

/* 1 when HANDLE's process has exited (a zombie, or reaped), 0 while it
 * runs, -1 on error. */
int mrc_pidfd_exited (int handle);

/* Wait until the process behind PIDFD has exited, at most TIMEOUT_MS
 * (-1: forever).  Returns 0 when it exited, 1 on timeout, -1 on error. */
int mrc_pidfd_wait_exit (int pidfd, int timeout_ms);

#endif
