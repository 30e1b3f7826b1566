/* The id maps of a new user namespace: /proc/PID/{uid,gid}_map.
 *
 * Who may write what is the kernel's rule (user_namespaces(7)):
 *   - a caller privileged in the parent namespace (the host's root, or
 *     root of a user namespace that maps the ids, as under rootless
 *     podman) writes any mapping of ids it has: directly;
 *   - an unprivileged caller may map only its own effective uid and gid,
 *     one id each, and the gid map only once /proc/PID/setgroups says
 *     "deny" (else a process could drop a group that denies it access):
 *     directly, with setgroups denied first;
 *   - anything wider (subordinate ids of /etc/subuid, /etc/subgid) goes
 *     through the setuid helpers newuidmap(1) and newgidmap(1), which check
 *     the ranges against those files, as runc and podman use them.  A
 *     privileged write refused with EPERM is tried through them too.
 * The helper's own message is the error when it refuses. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "setup-internal.h"

extern char **environ;

/* "C H S\n" lines of M into /proc/PID/FILE, in one write(2) as the kernel
 * requires. */
static int
write_map (pid_t pid, const char *file, const struct mrc_id_mapping *m,
           size_t n, mrc_error_t *err)
{
  size_t cap = n * 33 + 1, used = 0; /* 3 x 10 digits, 2 blanks, newline */
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

/* HELPER PID C H S [C H S...], its stdout and stderr kept for the error. */
static int
run_helper (const char *helper, pid_t pid, const struct mrc_id_mapping *m,
            size_t n, const char *field, mrc_error_t *err)
{
  size_t argc = 2 + 3 * n;
  cleanup_free char **argv = calloc (argc + 1, sizeof *argv);
  cleanup_free char *nums = malloc ((3 * n + 1) * 11);
  int p[2] = { -1, -1 };
  if (argv == NULL || nums == NULL || pipe2 (p, O_CLOEXEC) < 0)
    return mrc_fail_errno (err, "%s: run %s", field, helper);
  char *w = nums;
  argv[0] = (char *) helper;
  argv[1] = w;
  w += sprintf (w, "%d", (int) pid) + 1;
  for (size_t i = 0; i < n; i++)
    {
      const unsigned v[3] = { m[i].container_id, m[i].host_id, m[i].size };
      for (size_t k = 0; k < 3; k++)
        {
          argv[2 + 3 * i + k] = w;
          w += sprintf (w, "%u", v[k]) + 1;
        }
    }
  posix_spawn_file_actions_t fa;
  pid_t child;
  int r = posix_spawn_file_actions_init (&fa);
  if (r == 0)
    {
      r = posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
      if (r == 0)
        r = posix_spawn_file_actions_adddup2 (&fa, p[1], 1);
      if (r == 0)
        r = posix_spawn_file_actions_adddup2 (&fa, p[1], 2);
      if (r == 0)
        r = posix_spawnp (&child, helper, &fa, NULL, argv, environ);
      posix_spawn_file_actions_destroy (&fa);
    }
  close (p[1]);
  if (r != 0)
    {
      close (p[0]);
      return mrc_error_set (err, r, "%s other than the caller's own id "
                                    "need %s: run it",
                            field, helper);
    }
  char out[1024];
  size_t len = 0;
  ssize_t got;
  while ((got = read (p[0], out + len, sizeof out - 1 - len)) > 0
         || (got < 0 && errno == EINTR))
    if (got > 0)
      len += (size_t) got;
  close (p[0]);
  out[len] = '\0';
  while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
    out[--len] = '\0';
  int status;
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return mrc_fail_errno (err, "%s: wait for %s", field, helper);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  return mrc_error_code (err, EPERM, "%s: %s refused the mapping (%s %d): %s",
                         field, helper,
                         WIFEXITED (status) ? "exit status" : "signal",
                         WIFEXITED (status) ? WEXITSTATUS (status)
                                            : WTERMSIG (status),
                         len ? out : "no message");
}

static bool
only_own_id (const struct mrc_id_mapping *m, size_t n, unsigned own)
{
  return n == 1 && m[0].host_id == own && m[0].size == 1;
}

/* One map file (GID: gid_map) as the kernel lets this caller write it. */
static int
write_one (pid_t pid, bool gid, const struct mrc_id_mapping *m, size_t n,
           mrc_error_t *err)
{
  const char *file = gid ? "gid_map" : "uid_map";
  const char *helper = gid ? "newgidmap" : "newuidmap";
  const char *field = gid ? "linux.gidMappings" : "linux.uidMappings";
  if (n == 0)
    return 0;
  if (geteuid () != 0)
    {
      if (!only_own_id (m, n, gid ? (unsigned) getegid ()
                                  : (unsigned) geteuid ()))
        return run_helper (helper, pid, m, n, field, err);
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/setgroups", (int) pid);
      if (gid && mrc_write_file_at (AT_FDCWD, path, "deny", 4, err) < 0)
        return mrc_error_wrap (err, "deny setgroups (needed to map the "
                                    "caller's own gid)");
      return write_map (pid, file, m, n, err);
    }
  mrc_error_t denied = NULL;
  if (write_map (pid, file, m, n, &denied) == 0)
    return 0;
  if (denied->errnum != EPERM)
    return *err = denied, -1;
  /* root of a user namespace that lacks these ids: the helper's check
     against /etc/subuid may still allow them */
  if (run_helper (helper, pid, m, n, field, err) == 0)
    return mrc_error_free (&denied), 0;
  mrc_error_free (err);
  *err = denied;
  return -1;
}

int
mrc_setup_write_id_maps (pid_t pid, const struct mrc_id_mapping *uid,
                         size_t n_uid, const struct mrc_id_mapping *gid,
                         size_t n_gid, mrc_error_t *err)
{
  if (write_one (pid, true, gid, n_gid, err) < 0)
    return -1;
  return write_one (pid, false, uid, n_uid, err);
}
