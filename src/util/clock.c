/* The monotonic clock, for deadlines (freezes, hook timeouts, drains). */
#define _GNU_SOURCE
#include <time.h>

#include "mrc/clock.h"

int64_t
mrc_monotonic_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
