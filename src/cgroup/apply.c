/* Writing a resource plan into a cgroup, all or nothing: a failed write
 * puts back what the earlier writes replaced, so `update` either changes
 * every limit it was given or none. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/fs.h"
#include "cgroup-internal.h"

/* The directory behind DIRFD, for messages. */
static char *
dir_name (int dirfd)
{
  char link[MRC_FD_PATH_MAX], buf[4096];
  mrc_fs_fd_path (dirfd, link);
  ssize_t n = readlink (link, buf, sizeof buf - 1);
  if (n < 0)
    return strdup ("?");
  buf[n] = '\0';
  return strdup (buf);
}

/* 0, or -errno. */
static int
write_value (int dirfd, const char *file, const char *value)
{
  int fd = openat (dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -errno;
  int r = mrc_write_all (fd, value, strlen (value)) < 0 ? -errno : 0;
  close (fd);
  return r;
}

/* What a write replaces, to put it back.  Multi-line files (io.max) take
 * one line per write. */
struct undo
{
  char *file;
  char *old;
};

static void
rollback (int dirfd, struct undo *u, size_t n)
{
  for (size_t i = n; i-- > 0;)
    {
      char *save = NULL;
      for (char *l = strtok_r (u[i].old, "\n", &save); l;
           l = strtok_r (NULL, "\n", &save))
        (void) write_value (dirfd, u[i].file, l);
      free (u[i].file);
      free (u[i].old);
    }
}

/* Write W (or its fallback); 1 when it was skipped as optional. */
static int
write_one (int dirfd, const struct mrc_cgroup_write *w, struct undo *u)
{
  const char *file = w->file, *value = w->value;
  if (w->alt_file && faccessat (dirfd, file, F_OK, 0) < 0
      && errno == ENOENT)
    file = w->alt_file, value = w->alt_value;
  mrc_error_t ignored = NULL;
  u->old = NULL;
  if (mrc_cgroup_read (dirfd, file, &u->old, &ignored) < 0)
    mrc_error_free (&ignored);
  int r = write_value (dirfd, file, value);
  if (r == -ENOENT && (w->flags & MRC_CGW_OPTIONAL))
    r = 1;
  if (r != 0 || (u->file = strdup (file)) == NULL)
    {
      free (u->old);
      u->old = NULL;
    }
  return r;
}

static int
write_failed (int dirfd, const struct mrc_cgroup_write *w, int errnum,
              mrc_error_t *err)
{
  cleanup_free char *dir = dir_name (dirfd);
  const char *file = w->file, *value = w->value;
  if (w->alt_file && faccessat (dirfd, file, F_OK, 0) < 0)
    file = w->alt_file, value = w->alt_value;
  return mrc_error_set (err, errnum, "cgroup: %s: write `%s` to `%s` in `%s`",
                        w->what, value, file, dir ? dir : "?");
}

static int
check_usage (int dirfd, int64_t limit, mrc_error_t *err)
{
  cleanup_free char *text = NULL;
  mrc_error_t ignored = NULL;
  /* Best effort, as runc: no memory.current, no check. */
  if (mrc_cgroup_read (dirfd, "memory.current", &text, &ignored) < 0)
    {
      mrc_error_free (&ignored);
      return 0;
    }
  uint64_t usage = strtoull (text, NULL, 10);
  if (usage >= (uint64_t) limit)
    return mrc_error_code (err, EBUSY,
                           "cgroup: rejecting linux.resources.memory.limit "
                           "`%" PRId64 "`: not above the current usage "
                           "`%" PRIu64 "`",
                           limit, usage);
  return 0;
}

int
mrc_cgroup_apply (int dirfd, const struct mrc_resources *r, mrc_error_t *err)
{
  struct mrc_cgroup_plan plan;
  if (mrc_cgroup_plan_build (r, &plan, err) < 0)
    return -1;
  int rc = plan.check_limit > 0 ? check_usage (dirfd, plan.check_limit, err)
                                : 0;
  struct undo *u = calloc (plan.n + 1, sizeof *u);
  size_t nu = 0, n_retry = 0;
  const struct mrc_cgroup_write **retry = calloc (plan.n + 1, sizeof *retry);
  if (rc == 0 && (u == NULL || retry == NULL))
    rc = mrc_fail_errno (err, "cgroup: apply linux.resources");
  for (size_t i = 0; rc == 0 && i < plan.n; i++)
    {
      const struct mrc_cgroup_write *w = &plan.w[i];
      int wr = write_one (dirfd, w, &u[nu]);
      if (wr == 0)
        nu += u[nu].file != NULL;
      else if (wr == -EINVAL && (w->flags & MRC_CGW_RETRY_LAST))
        retry[n_retry++] = w;
      else if (wr < 0)
        rc = write_failed (dirfd, w, -wr, err);
    }
  for (size_t i = 0; rc == 0 && i < n_retry; i++)
    {
      int wr = write_one (dirfd, retry[i], &u[nu]);
      if (wr == 0)
        nu += u[nu].file != NULL;
      else if (wr < 0)
        rc = write_failed (dirfd, retry[i], -wr, err);
    }
  if (rc < 0 && u)
    rollback (dirfd, u, nu);
  else
    for (size_t i = 0; u && i < nu; i++)
      free (u[i].file), free (u[i].old);
  free (u);
  free (retry);
  mrc_cgroup_plan_free (&plan);
  return rc;
}
