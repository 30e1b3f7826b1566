/* uid_map/gid_map of a new user namespace, written by the parent (a process
 * outside the namespace with privileges over it) while the child waits. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "idmap.h"

static int
write_map (pid_t pid, const char *file, const struct mrc_id_mapping *m,
           size_t n, mrc_error_t *err)
{
  if (n == 0)
    return 0;
  size_t cap = n * 40 + 1, used = 0;
  cleanup_free char *buf = malloc (cap);
  if (buf == NULL)
    return mrc_fail_errno (err, "write %s", file);
  for (size_t i = 0; i < n; i++)
    used += (size_t) snprintf (buf + used, cap - used, "%u %u %u\n",
                               m[i].container_id, m[i].host_id, m[i].size);
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  if (mrc_write_file_at (AT_FDCWD, path, buf, used, err) < 0)
    return mrc_error_wrap (err, "write %s", file);
  return 0;
}

int
mrc_idmap_write (pid_t pid, const struct mrc_spec *spec, mrc_error_t *err)
{
  const struct mrc_linux *l = spec->linux_;
  if (l == NULL)
    return 0;
  if (write_map (pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err) < 0)
    return -1;
  return write_map (pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err);
}
