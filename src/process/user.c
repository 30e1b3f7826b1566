#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "process-internal.h"

/* Groups first, then gid, then uid: once the uid is not 0 the process may
 * no longer change its groups. */
int
mrc_init_user (const struct mrc_process *p, bool has_user_ns, mrc_error_t *err)
{
  const struct mrc_user *u = &p->user;
  gid_t *groups = (gid_t *) u->additional_gids;
  bool setgroups_denied = false;
  if (has_user_ns)
    {
      char buf[16] = "";
      FILE *f = fopen ("/proc/self/setgroups", "re");
      if (f)
        {
          if (fgets (buf, sizeof buf, f) == NULL)
            buf[0] = '\0';
          fclose (f);
        }
      setgroups_denied = strncmp (buf, "deny", 4) == 0;
    }
  if (!setgroups_denied
      && setgroups (u->n_additional_gids, u->n_additional_gids ? groups : NULL) < 0)
    return mrc_fail_errno (err, "set additional groups of process.user");
  if (setgroups_denied && u->n_additional_gids)
    return mrc_fail (err, "process.user.additionalGids: setgroups is denied in "
                          "this user namespace");
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return mrc_fail_errno (err, "set gid %u of process.user", u->gid);
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return mrc_fail_errno (err, "set uid %u of process.user", u->uid);
  /* runc's default when the config has none */
  umask (u->has_umask ? (mode_t) u->umask : 0022);
  return 0;
}

/* The slot of ENV[0..N-1] whose name is VAR's (up to its '='), or N. */
static size_t
env_slot (char *const *env, size_t n, const char *var)
{
  size_t len = strcspn (var, "=");
  for (size_t i = 0; i < n; i++)
    if (strncmp (env[i], var, len) == 0 && env[i][len] == '=')
      return i;
  return n;
}

/* HOME from the container's /etc/passwd (read after pivot_root), else "/". */
static char *
home_for (uid_t uid)
{
  cleanup_fclose FILE *f = fopen ("/etc/passwd", "re");
  struct passwd *pw;
  while (f && (pw = fgetpwent (f)) != NULL)
    if (pw->pw_uid == uid && pw->pw_dir && *pw->pw_dir)
      return strdup (pw->pw_dir);
  return strdup ("/");
}

char **
mrc_init_environ (const struct mrc_process *p, int listen_fds)
{
  size_t n = 0;
  while (p->env && p->env[n])
    n++;
  char **env = calloc (n + 4, sizeof *env);
  if (env == NULL)
    return NULL;
  /* as runc: a name given twice keeps its first place and its last value
     (so exec -e overrides the config's) */
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    {
      size_t at = env_slot (env, k, p->env[i]);
      env[at] = p->env[i];
      k += at == k;
    }
  /* no HOME, or an empty one: the user's from the container's passwd */
  size_t h = env_slot (env, k, "HOME=");
  if (h == k || env[h][5] == '\0')
    {
      cleanup_free char *home = home_for (p->user.uid);
      char *var = NULL;
      if (home && asprintf (&var, "HOME=%s", home) > 0)
        {
          env[h] = var;
          k += h == k;
        }
    }
  if (listen_fds > 0)
    {
      if (asprintf (&env[k], "LISTEN_FDS=%d", listen_fds) > 0)
        k++;
      env[k++] = (char *) "LISTEN_PID=1";
    }
  env[k] = NULL;
  return env; /* lives until execve: never freed in the child */
}
