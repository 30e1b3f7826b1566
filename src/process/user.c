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
#include "init.h"

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

static bool
env_has (char *const *env, const char *name)
{
  size_t n = strlen (name);
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], name, n) == 0 && env[i][n] == '=')
      return true;
  return false;
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
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    env[k++] = p->env[i];
  if (!env_has (p->env, "HOME"))
    {
      cleanup_free char *home = home_for (p->user.uid);
      if (home && asprintf (&env[k], "HOME=%s", home) > 0)
        k++;
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
