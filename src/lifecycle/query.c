/* state, list, kill: the verbs that read a container's state. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/container.h"
#include "mrc/statedir.h"
#include "lifecycle-internal.h"

int
mrc_container_state (const struct mrc_globals *g, const char *id,
                     struct mrc_state *st, mrc_error_t *err)
{
  cleanup_close int root_fd = -1, dir_fd = -1;
  return mrc_container_open (g->root, id, 0, &root_fd, &dir_fd, st, err);
}

int
mrc_container_kill (const struct mrc_globals *g, const char *id, int sig,
                    bool all, mrc_error_t *err)
{
  struct mrc_state st = { 0 };
  int r = mrc_container_state (g, id, &st, err);
  if (r == 0)
    r = mrc_status_allows (all ? MRC_VERB_KILL_ALL : MRC_VERB_KILL, &st, err);
  if (r == 0)
    r = mrc_container_signal (&st, sig, all, err);
  mrc_state_clear (&st);
  return r;
}

int
mrc_container_ps (const struct mrc_globals *g, const char *id, pid_t **pids,
                  size_t *n, mrc_error_t *err)
{
  struct mrc_state st = { 0 };
  cleanup_close int root_fd = -1, dir_fd = -1;
  int r = mrc_container_open (g->root, id, 0, &root_fd, &dir_fd, &st, err);
  /* a stopped container has no processes: an empty list, as runc */
  *pids = NULL;
  *n = 0;
  if (r == 0 && st.status != MRC_STATUS_STOPPED)
    r = mrc_container_pids (&st, pids, n, err);
  mrc_state_clear (&st);
  return r;
}

void
mrc_container_list_free (struct mrc_state **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      mrc_state_clear (list[i]);
      free (list[i]);
    }
  free (list);
}

static int
by_creation (const void *a, const void *b)
{
  const struct mrc_state *x = *(struct mrc_state *const *) a;
  const struct mrc_state *y = *(struct mrc_state *const *) b;
  if (x->created_unix_ns != y->created_unix_ns)
    return x->created_unix_ns < y->created_unix_ns ? -1 : 1;
  return strcmp (x->id, y->id);
}

/* Containers being created, deleted meanwhile or half-made are skipped:
 * list shows what `state` would show. */
/* The owner runc's list shows: the user owning the state directory (the
 * caller who created it: rootless containers show their user). */
static void
set_owner (int root_fd, const char *id, struct mrc_state *st)
{
  struct stat sb;
  if (fstatat (root_fd, id, &sb, AT_SYMLINK_NOFOLLOW) < 0)
    return;
  const struct passwd *pw = getpwuid (sb.st_uid);
  char *name = NULL;
  if (pw ? asprintf (&name, "%s", pw->pw_name) < 0
         : asprintf (&name, "#%u", (unsigned) sb.st_uid) < 0)
    return;
  free (st->owner);
  st->owner = name;
}

static int
append_one (const struct mrc_globals *g, int root_fd, const char *id,
            struct mrc_state ***list, size_t *n, mrc_error_t *err)
{
  struct mrc_state *st = calloc (1, sizeof *st);
  if (st == NULL)
    return mrc_fail_errno (err, "list");
  mrc_error_t ignored = NULL;
  if (mrc_container_state (g, id, st, &ignored) < 0)
    {
      mrc_error_free (&ignored);
      free (st);
      return 0;
    }
  set_owner (root_fd, id, st);
  struct mrc_state **nl = realloc (*list, (*n + 1) * sizeof *nl);
  if (nl == NULL)
    {
      mrc_state_clear (st);
      free (st);
      return mrc_fail_errno (err, "list");
    }
  *list = nl;
  nl[(*n)++] = st;
  return 0;
}

int
mrc_container_list (const struct mrc_globals *g, struct mrc_state ***out,
                    size_t *n, mrc_error_t *err)
{
  struct mrc_state **list = NULL;
  size_t count = 0;
  cleanup_dir DIR *d = opendir (g->root);
  if (d == NULL && errno == ENOENT)
    {
      *out = NULL;
      *n = 0;
      return 0;
    }
  if (d == NULL)
    return mrc_fail_errno (err, "open state directory `%s`", g->root);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    {
      if (de->d_name[0] == '.' || mrc_id_validate (de->d_name, NULL) < 0)
        continue;
      if (append_one (g, dirfd (d), de->d_name, &list, &count, err) < 0)
        {
          mrc_container_list_free (list, count);
          return -1;
        }
    }
  if (count > 1)
    qsort (list, count, sizeof *list, by_creation);
  *out = list;
  *n = count;
  return 0;
}
