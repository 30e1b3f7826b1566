#ifndef MRC_SIGNALS_H
#define MRC_SIGNALS_H

#include "mrc/error.h"

/* "KILL", "SIGKILL", "kill", "9", "RTMIN+3", "SIGRTMAX-1" -> signal number;
 * "0" is 0 (no signal: a liveness check, as kill(2) takes it).
 * Errors name the value: "invalid signal `FOO`". */
int mrc_signal_parse (const char *s, int *sig, mrc_error_t *err) MRC_WUR;

#endif
