/* The list format of ids (include/mrc/idlist.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "mrc/idlist.h"

/* One id at *C (digits only: strtol would take a sign or spaces). */
static int
one_id (const char **c, long max, long *out)
{
  char *end;
  if (!isdigit ((unsigned char) **c))
    return -1;
  errno = 0;
  *out = strtol (*c, &end, 10);
  if (errno || *out > max)
    return -1;
  *c = end;
  return 0;
}

long
mrc_idlist_parse (const char *list, long max,
                  void (*add) (void *arg, long lo, long hi), void *arg)
{
  long highest = -1;
  const char *c = list;
  while (*c)
    {
      long lo, hi;
      if (one_id (&c, max, &lo) < 0)
        return -1;
      hi = lo;
      if (*c == '-' && (c++, one_id (&c, max, &hi) < 0 || hi < lo))
        return -1;
      if (*c == ',' && c[1] != '\0')
        c++;
      else if (*c != '\0')
        return -1;
      if (add)
        add (arg, lo, hi);
      highest = hi > highest ? hi : highest;
    }
  return highest;
}
