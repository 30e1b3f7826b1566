#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "process-internal.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *
env_get (char *const *env, const char *name)
{
  size_t n = strlen (name);
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], name, n) == 0 && env[i][n] == '=')
      return env[i] + n + 1;
  return NULL;
}

/* 0 when PATH names an executable regular file; else -1 with errno.
 * The kernel decides (faccessat with AT_EACCESS: faccessat2 since 5.8)
 * where it can.  A seccomp profile older than faccessat2 refuses it (EPERM,
 * or ENOSYS, which is also an old kernel's answer): then the mode bits
 * decide, as Go's exec.LookPath (runc's) decides, since an X_OK check
 * never fails with EPERM of itself. */
static int
check_exec (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return -1;
  if (S_ISDIR (st.st_mode))
    return errno = EACCES, -1;
  if (faccessat (AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
    return 0;
  if (errno != EPERM && errno != ENOSYS)
    return -1;
  return (st.st_mode & 0111) ? 0 : (errno = EACCES, -1);
}

/* Runs after pivot_root, the user switch and the capability sets, so the
 * lookup sees the container's files as execve will: with the process's
 * own ids and capabilities (AT_EACCESS: the effective ones). */
int
mrc_init_find_exec (const char *argv0, char *const *env, char **out,
                    mrc_error_t *err)
{
  if (strchr (argv0, '/'))
    {
      if (check_exec (argv0) < 0)
        return mrc_fail_errno (err, "exec: `%s`", argv0);
      *out = strdup (argv0);
      return *out ? 0 : mrc_fail_errno (err, "exec: `%s`", argv0);
    }
  const char *path = env_get (env, "PATH");
  if (path == NULL)
    path = DEFAULT_PATH;
  int first_errno = 0;
  for (const char *p = path;; p++)
    {
      const char *end = strchrnul (p, ':');
      cleanup_free char *cand = NULL;
      if (asprintf (&cand, "%.*s%s%s", (int) (end - p), p, end == p ? "" : "/",
                    argv0)
          < 0)
        return mrc_fail_errno (err, "exec: `%s`", argv0);
      if (check_exec (cand) == 0)
        {
          *out = steal_ptr (&cand);
          return 0;
        }
      /* refused is not missing: say which (EPERM: a seccomp profile) */
      if ((errno == EACCES || errno == EPERM) && first_errno == 0)
        first_errno = errno;
      if (*end == '\0')
        break;
      p = end;
    }
  if (first_errno)
    return mrc_error_set (err, first_errno, "exec: `%s`", argv0);
  /* runc's wording, which podman maps to exit status 127 */
  mrc_fail (err, "exec: `%s`: executable file not found in $PATH", argv0);
  (*err)->errnum = ENOENT;
  return -1;
}
