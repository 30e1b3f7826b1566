/* Rootless detection (mrc/rootless.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/rootless.h"

bool
mrc_in_user_namespace (void)
{
  char buf[256];
  FILE *f = fopen ("/proc/self/uid_map", "re");
  if (f == NULL)
    return false; /* no /proc: nothing says we are in one */
  size_t len = fread (buf, 1, sizeof buf - 1, f);
  fclose (f);
  buf[len] = '\0';
  unsigned long inside, outside, count;
  int used = 0;
  if (sscanf (buf, "%lu %lu %lu %n", &inside, &outside, &count, &used) != 3)
    return true;
  /* the identity map is exactly one line */
  return !(inside == 0 && outside == 0 && count == 4294967295UL
           && buf[used] == '\0');
}

bool
mrc_host_root (void)
{
  return geteuid () == 0 && !mrc_in_user_namespace ();
}

int
mrc_rootless_resolve (const char *arg, bool *rootless, mrc_error_t *err)
{
  if (strcmp (arg, "true") == 0)
    *rootless = true;
  else if (strcmp (arg, "false") == 0)
    *rootless = false;
  else if (strcmp (arg, "auto") == 0)
    *rootless = !mrc_host_root ();
  else
    return mrc_fail (err, "invalid --rootless value `%s`: expected `true`, "
                          "`false` or `auto`", arg);
  return 0;
}

char *
mrc_rootless_xdg_root (void)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  if (xdg == NULL || xdg[0] == '\0')
    return NULL;
  if (geteuid () == 0)
    {
      const char *user = getenv ("USER");
      if (!mrc_in_user_namespace () || (user && strcmp (user, "root") == 0))
        return NULL;
    }
  char *root;
  if (asprintf (&root, "%s/mini-runc", xdg) < 0)
    return NULL;
  return root;
}
