/* The monotonic clock, for deadlines. */
#ifndef MRC_CLOCK_H
#define MRC_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds. */
int64_t mrc_monotonic_ms (void);

#endif
