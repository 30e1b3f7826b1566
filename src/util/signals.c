#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mrc/signals.h"

static const struct
{
  const char *name; /* without the SIG prefix */
  int sig;
} signal_table[] = {
  { "HUP", SIGHUP },       { "INT", SIGINT },       { "QUIT", SIGQUIT },
  { "ILL", SIGILL },       { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },
  { "IOT", SIGIOT },       { "BUS", SIGBUS },       { "FPE", SIGFPE },
  { "KILL", SIGKILL },     { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
  { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },
  { "TERM", SIGTERM },     { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
  { "CLD", SIGCHLD },      { "CONT", SIGCONT },     { "STOP", SIGSTOP },
  { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },
  { "URG", SIGURG },       { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },
  { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },     { "WINCH", SIGWINCH },
  { "IO", SIGIO },         { "POLL", SIGPOLL },     { "PWR", SIGPWR },
  { "SYS", SIGSYS },
};

static int
parse_number (const char *s, long *out)
{
  char *end;
  errno = 0;
  long v = strtol (s, &end, 10);
  if (*s == '\0' || *end || errno)
    return -1;
  *out = v;
  return 0;
}

/* RTMIN, RTMIN+N, RTMAX, RTMAX-N */
static int
parse_realtime (const char *name, int *sig)
{
  long off = 0;
  if (strncasecmp (name, "RTMIN", 5) == 0)
    {
      if (name[5] && (name[5] != '+' || parse_number (name + 6, &off) < 0))
        return -1;
      *sig = SIGRTMIN + (int) off;
    }
  else if (strncasecmp (name, "RTMAX", 5) == 0)
    {
      if (name[5] && (name[5] != '-' || parse_number (name + 6, &off) < 0))
        return -1;
      *sig = SIGRTMAX - (int) off;
    }
  else
    return -1;
  return (off < 0 || *sig < SIGRTMIN || *sig > SIGRTMAX) ? -1 : 0;
}

int
mrc_signal_parse (const char *s, int *sig, mrc_error_t *err)
{
  long n;
  if (s == NULL || *s == '\0')
    return mrc_fail (err, "invalid signal ``");
  if (parse_number (s, &n) == 0)
    {
      /* 0 checks that the container lives, as kill(2) and runc have it */
      if (n < 0 || n > SIGRTMAX)
        return mrc_fail (err, "invalid signal `%s`", s);
      *sig = (int) n;
      return 0;
    }
  const char *name = strncasecmp (s, "SIG", 3) == 0 ? s + 3 : s;
  for (size_t i = 0; i < sizeof signal_table / sizeof signal_table[0]; i++)
    if (strcasecmp (name, signal_table[i].name) == 0)
      {
        *sig = signal_table[i].sig;
        return 0;
      }
  if (parse_realtime (name, sig) == 0)
    return 0;
  return mrc_fail (err, "invalid signal `%s`", s);
}
