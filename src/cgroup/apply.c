/* Writing a resource plan into a cgroup (cgroup2's one directory, or the
 * v1 hierarchies' directories, each write into its controller's), all or
 * nothing: a failed write puts back what the earlier writes replaced, so
 * `update` either changes every limit it was given or none. */
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
  int dirfd;
  char *file;
  char *old;
};

static void
rollback (struct undo *u, size_t n)
{
  for (size_t i = n; i-- > 0;)
    {
      char *save = NULL;
      for (char *l = strtok_r (u[i].old, "\n", &save); l;
           l = strtok_r (NULL, "\n", &save))
        (void) write_value (u[i].dirfd, u[i].file, l);
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
  /* a file the kernel dropped (ENOENT) or keeps only to refuse writes
     (memory.kmem.limit_in_bytes since 5.16: EOPNOTSUPP) */
  if ((r == -ENOENT || r == -EOPNOTSUPP) && (w->flags & MRC_CGW_OPTIONAL))
    r = 1;
  u->dirfd = dirfd;
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
check_usage (int dirfd, const char *file, int64_t limit, mrc_error_t *err)
{
  cleanup_free char *text = NULL;
  mrc_error_t ignored = NULL;
  /* Best effort, as runc: no usage file, no check. */
  if (dirfd < 0 || mrc_cgroup_read (dirfd, file, &text, &ignored) < 0)
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

/* W's directory; an error naming the field when no hierarchy has its
 * controller. */
static int
dir_for (const struct mrc_cgroup_dirs *d, const struct mrc_cgroup_write *w,
         mrc_error_t *err)
{
  int fd = mrc_cgroup_dirs_fd (d, w->controller);
  if (fd < 0)
    return mrc_error_code (err, ENOTSUP,
                           "cgroup: controller `%s` is not available (needed "
                           "for %s)",
                           w->controller ? w->controller : "cgroup",
                           w->what);
  return fd;
}

/* Every write's directory exists before anything is written. */
static int
check_dirs (const struct mrc_cgroup_plan *plan,
            const struct mrc_cgroup_dirs *d, mrc_error_t *err)
{
  for (size_t i = 0; i < plan->n; i++)
    if (dir_for (d, &plan->w[i], err) < 0)
      return -1;
  return 0;
}

static int
write_planned (const struct mrc_cgroup_dirs *d,
               const struct mrc_cgroup_write *w, struct undo *u,
               size_t *nu, bool retrying, mrc_error_t *err)
{
  int fd = dir_for (d, w, err);
  if (fd < 0)
    return -1;
  int wr = write_one (fd, w, &u[*nu]);
  if (wr == 0)
    *nu += u[*nu].file != NULL;
  else if (wr == -EINVAL && !retrying && (w->flags & MRC_CGW_RETRY_LAST))
    return 1;
  else if (wr < 0)
    return write_failed (fd, w, -wr, err);
  return 0;
}

int
mrc_cgroup_plan_apply (const struct mrc_cgroup_plan *plan,
                       const struct mrc_cgroup_dirs *d, mrc_error_t *err)
{
  int rc = check_dirs (plan, d, err);
  if (rc == 0 && plan->check_limit > 0)
    rc = check_usage (mrc_cgroup_dirs_fd (d, "memory"),
                      plan->usage_file ? plan->usage_file : "memory.current",
                      plan->check_limit, err);
  struct undo *u = calloc (plan->n + 1, sizeof *u);
  size_t nu = 0, n_retry = 0;
  const struct mrc_cgroup_write **retry = calloc (plan->n + 1, sizeof *retry);
  if (rc == 0 && (u == NULL || retry == NULL))
    rc = mrc_fail_errno (err, "cgroup: apply linux.resources");
  for (size_t i = 0; rc == 0 && i < plan->n; i++)
    {
      int wr = write_planned (d, &plan->w[i], u, &nu, false, err);
      if (wr == 1)
        retry[n_retry++] = &plan->w[i];
      else
        rc = wr;
    }
  for (size_t i = 0; rc == 0 && i < n_retry; i++)
    rc = write_planned (d, retry[i], u, &nu, true, err);
  if (rc < 0 && u)
    rollback (u, nu);
  else
    for (size_t i = 0; u && i < nu; i++)
      free (u[i].file), free (u[i].old);
  free (u);
  free (retry);
  return rc;
}

int
mrc_cgroup_apply (int dirfd, const struct mrc_resources *r, mrc_error_t *err)
{
  struct mrc_cgroup_plan plan;
  if (mrc_cgroup_plan_build (r, &plan, err) < 0)
    return -1;
  struct mrc_cgroup_dirs d = MRC_CGROUP_DIRS_INIT;
  d.all = dirfd;
  int rc = mrc_cgroup_plan_apply (&plan, &d, err);
  mrc_cgroup_plan_free (&plan);
  return rc;
}
