/* Whether a process is in a container's cgroup: the second proof, beside
 * its start time, that a recorded pid is still the container's init
 * before it is signalled (a recycled pid whose start time was copied, or
 * a record someone edited, names a stranger: a stranger is not in the
 * container's cgroup). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "mrc/cgroup.h"
#include "mrc/cleanup.h"
#include "mrc/file.h"

/* PATH is WANT or below it (the init may have moved itself into a
 * sub-cgroup, as systemd moves itself into init.scope). */
static bool
at_or_below (const char *path, size_t len, const char *want)
{
  size_t n = strlen (want);
  if (n == 1 && want[0] == '/')
    return true;
  return len >= n && strncmp (path, want, n) == 0
         && (len == n || path[n] == '/');
}

static const char *
v1_path_of (const struct mrc_cgroup *cg, const char *ctrl, size_t len)
{
  for (size_t i = 0; i < cg->n_v1; i++)
    if (strlen (cg->v1[i].key) == len
        && strncmp (cg->v1[i].key, ctrl, len) == 0)
      return cg->v1[i].value;
  return NULL;
}

bool
mrc_cgroup_member_of (const struct mrc_cgroup *cg, const char *text)
{
  /* lines "ID:CONTROLLERS:PATH"; cgroup2's is "0::PATH" */
  for (const char *line = text; line && *line;)
    {
      const char *nl = strchr (line, '\n');
      const char *end = nl ? nl : line + strlen (line);
      const char *c1 = memchr (line, ':', (size_t) (end - line));
      const char *c2 = c1 ? memchr (c1 + 1, ':', (size_t) (end - c1 - 1))
                          : NULL;
      if (c2)
        {
          const char *path = c2 + 1;
          size_t plen = (size_t) (end - path);
          size_t clen = (size_t) (c2 - c1 - 1);
          const char *want = clen == 0 && strncmp (line, "0:", 2) == 0
                                 ? cg->path
                                 : v1_path_of (cg, c1 + 1, clen);
          if (want && at_or_below (path, plen, want))
            return true;
        }
      line = nl ? nl + 1 : NULL;
    }
  return false;
}

int
mrc_cgroup_holds (const struct mrc_cgroup *cg, pid_t pid, bool *member,
                  mrc_error_t *err)
{
  char path[64];
  cleanup_free char *buf = NULL;
  size_t len;
  snprintf (path, sizeof path, "/proc/%d/cgroup", (int) pid);
  if (mrc_read_file_at (AT_FDCWD, path, 64 * 1024, &buf, &len, err) < 0)
    return -1;
  *member = mrc_cgroup_member_of (cg, buf);
  return 0;
}
