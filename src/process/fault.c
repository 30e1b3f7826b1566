/* Fault injection points (mrc/fault.h): compiled only with MRC_FAULTS. */
#ifdef MRC_FAULTS
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/fault.h"
#include "process-internal.h"

/* Every lifecycle point, in the order of its verb; the child's points are
 * its step table's names. */
static const char *const points[] = {
  "create:loaded",   "create:state-dir", "create:recorded",
  "create:cgroup",   "create:devices",   "create:spawned",
  "create:created",  "create:pid-file",  "create:go",
  "start:released",
  "exec:prepared",  "exec:launched",    "update:locked",
  "update:applied", "delete:stopped",   "delete:cgroup",
};

static bool
known (const char *prefix, const char *point)
{
  if (prefix)
    {
      size_t n;
      const struct mrc_child_step *s = mrc_child_steps (&n);
      for (size_t i = 0; i < n; i++)
        if (strcmp (s[i].name, point) == 0)
          return true;
      return false;
    }
  for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
    if (strcmp (points[i], point) == 0)
      return true;
  return false;
}

void
mrc_fault (const char *prefix, const char *point)
{
  if (!known (prefix, point))
    {
      /* a point the list does not know could never be walked by a test */
      fprintf (stderr, "mini-runc: fault point %s%s%s is not registered\n",
               prefix ? prefix : "", prefix ? ":" : "", point);
      abort ();
    }
  const char *want = getenv ("MRC_FAULT");
  if (want == NULL)
    return;
  size_t pl = prefix ? strlen (prefix) : 0;
  if (prefix && (strncmp (want, prefix, pl) != 0 || want[pl] != ':'))
    return;
  if (strcmp (prefix ? want + pl + 1 : want, point) != 0)
    return;
  static const char msg[] = "mini-runc: fault injected\n";
  if (write (STDERR_FILENO, msg, sizeof msg - 1) < 0)
    { /* nobody to tell */ }
  raise (SIGKILL);
  /* still here: a pid namespace's init ignores even its own SIGKILL */
  _exit (128 + SIGKILL);
}

void
mrc_fault_list_if_asked (void)
{
  const char *want = getenv ("MRC_FAULT");
  if (want == NULL || strcmp (want, "list") != 0)
    return;
  for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
    printf ("%s\n", points[i]);
  size_t n;
  const struct mrc_child_step *s = mrc_child_steps (&n);
  for (size_t i = 0; i < n; i++)
    {
      if (s[i].modes & MRC_LAUNCH_CREATE)
        printf ("init:%s\n", s[i].name);
      if (s[i].modes & MRC_LAUNCH_EXEC)
        printf ("exec:%s\n", s[i].name);
    }
  exit (0);
}
#else
/* ISO C wants a translation unit to hold something. */
typedef int mrc_fault_unused;
#endif
