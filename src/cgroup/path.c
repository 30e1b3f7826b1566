/* Where the cgroup2 hierarchy is mounted, and which cgroup a container
 * gets: linux.cgroupsPath resolved as runc resolves it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/mountinfo.h"
#include "cgroup-internal.h"

#define PROC_FILE_MAX (1 << 20)
#define DEFAULT_SLICE "system.slice"
#define DEFAULT_SCOPE_PREFIX "mini-runc"

/* Field 5 is the mount point; the file system type follows " - ".  The
 * last usable one wins: a later mount stacks on (hides) an earlier one, as
 * when `mount -t cgroup2 none /sys/fs/cgroup` covers a hybrid host's
 * /sys/fs/cgroup/unified. */
char *
mrc_cgroup_mountinfo_find (const char *mountinfo, bool (*usable) (const char *))
{
  const char *line = mountinfo;
  char *found = NULL;
  while (line && *line)
    {
      const char *eol = strchrnul (line, '\n');
      cleanup_free char *l = strndup (line, (size_t) (eol - line));
      line = *eol ? eol + 1 : NULL;
      if (l == NULL)
        return NULL;
      char *sep = strstr (l, " - ");
      if (sep == NULL || strncmp (sep + 3, "cgroup2 ", 8) != 0)
        continue;
      char *save = NULL, *field = strtok_r (l, " ", &save);
      for (int i = 1; field && i < 5; i++)
        field = strtok_r (NULL, " ", &save);
      if (field == NULL)
        continue;
      char *mnt = strdup (field);
      if (mnt == NULL)
        break;
      mrc_mountinfo_unescape (mnt);
      if (usable && !usable (mnt))
        {
          free (mnt);
          continue;
        }
      free (found);
      found = mnt;
    }
  return found;
}

/* Still a cgroup2 file system at that path (not hidden by a later mount). */
static bool
is_cgroup2 (const char *mnt)
{
  struct statfs sf;
  return statfs (mnt, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

int
mrc_cgroup_root (const char **path, mrc_error_t *err)
{
  static char *root;
  if (root == NULL)
    {
      const char *text = mrc_cgroup_mountinfo (err);
      if (text == NULL)
        return mrc_error_wrap (err, "cgroup: find the cgroup2 mount");
      root = mrc_cgroup_mountinfo_find (text, is_cgroup2);
      if (root == NULL)
        return mrc_error_code (err, ENOENT,
                               "cgroup: no cgroup2 file system is mounted");
    }
  *path = root;
  return 0;
}

char *
mrc_cgroup_own_from (const char *proc_cgroup)
{
  const char *p = proc_cgroup;
  while (p && *p)
    {
      const char *eol = strchrnul (p, '\n');
      if (strncmp (p, "0::", 3) == 0)
        return strndup (p + 3, (size_t) (eol - p - 3));
      p = *eol ? eol + 1 : NULL;
    }
  return NULL;
}

/* Append the components of IN to BUF ("/a/b"), dropping empty and "."
 * ones.  A cgroupsPath never climbs: ".." is refused.  With CLIMB (exec
 * --cgroup, whose sub path runc cleans as a file name) ".." removes a
 * component IN added, and climbing above what BUF held is refused (WHAT
 * is then the whole prefix of the message). */
int
mrc_cgroup_path_append (char **buf, const char *in, const char *what,
                        bool climb, mrc_error_t *err)
{
  cleanup_free char *copy = strdup (in);
  if (copy == NULL)
    return mrc_fail_errno (err, "cgroup: resolve `%s`", in);
  size_t floor = strlen (*buf);
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c;
       c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0 && climb && strlen (*buf) > floor)
        {
          *strrchr (*buf, '/') = '\0';
          continue;
        }
      if (strcmp (c, "..") == 0)
        return climb ? mrc_error_code (err, EINVAL, "%s: `..` leads out of "
                                       "the container's cgroup", what)
                     : mrc_error_code (err, EINVAL, "cgroup: %s `%s`: `..` "
                                       "is not allowed", what, in);
      char *n = NULL;
      if (asprintf (&n, "%s/%s", *buf, c) < 0)
        return mrc_fail_errno (err, "cgroup: resolve `%s`", in);
      free (*buf);
      *buf = n;
    }
  return 0;
}

int
mrc_cgroup_expand_slice (const char *slice, char **out, mrc_error_t *err)
{
  static const char suffix[] = ".slice";
  size_t len = strlen (slice), sl = sizeof suffix - 1;
  if (len == 0 || strcmp (slice, "-.slice") == 0)
    return (*out = strdup ("")) ? 0 : mrc_fail_errno (err, "cgroup: slice");
  if (len <= sl || strcmp (slice + len - sl, suffix) != 0
      || strchr (slice, '/') || slice[0] == '-' || slice[len - sl - 1] == '-'
      || strstr (slice, "--"))
    return mrc_error_code (err, EINVAL, "cgroup: invalid slice name `%s`",
                           slice);
  cleanup_free char *buf = strdup ("");
  if (buf == NULL)
    return mrc_fail_errno (err, "cgroup: slice `%s`", slice);
  /* Each dash ends a parent: a-b-c.slice lives in a.slice/a-b.slice. */
  for (size_t i = 0; i <= len - sl; i++)
    {
      if (i < len - sl && slice[i] != '-')
        continue;
      char *n = NULL;
      if (asprintf (&n, "%s/%.*s%s", buf, (int) i, slice, suffix) < 0)
        return mrc_fail_errno (err, "cgroup: slice `%s`", slice);
      free (buf);
      buf = n;
    }
  *out = steal_ptr (&buf);
  return 0;
}

/* "slice:prefix:name" -> "<slice path>/prefix-name.scope". */
static int
resolve_systemd (const char *cgroups_path, const char *id, char **out,
                 mrc_error_t *err)
{
  cleanup_free char *copy = NULL;
  const char *slice = DEFAULT_SLICE, *prefix = DEFAULT_SCOPE_PREFIX,
             *name = id;
  if (cgroups_path && *cgroups_path)
    {
      copy = strdup (cgroups_path);
      if (copy == NULL)
        return mrc_fail_errno (err, "cgroup: resolve `%s`", cgroups_path);
      char *c1 = strchr (copy, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL || strchr (c2 + 1, ':'))
        return mrc_error_code (err, EINVAL,
                               "cgroup: expected linux.cgroupsPath "
                               "`slice:prefix:name` with --systemd-cgroup, "
                               "got `%s`",
                               cgroups_path);
      *c1 = *c2 = '\0';
      slice = *copy ? copy : DEFAULT_SLICE;
      prefix = c1 + 1;
      name = c2 + 1;
    }
  if (*name == '\0' || strchr (name, '/') || strcmp (name, "..") == 0
      || strchr (prefix, '/'))
    return mrc_error_code (err, EINVAL,
                           "cgroup: invalid unit name in `%s`",
                           cgroups_path ? cgroups_path : id);
  cleanup_free char *base = NULL;
  if (mrc_cgroup_expand_slice (slice, &base, err) < 0)
    return -1;
  size_t nl = strlen (name);
  int r;
  if (nl > 6 && strcmp (name + nl - 6, ".slice") == 0)
    r = asprintf (out, "%s/%s", base, name);
  else if (*prefix == '\0')
    r = asprintf (out, "%s/%s.scope", base, name);
  else
    r = asprintf (out, "%s/%s-%s.scope", base, prefix, name);
  return r < 0 ? mrc_fail_errno (err, "cgroup: resolve `%s`", name) : 0;
}

/* CGROUPS_PATH (or the id) resolved; a relative one goes below BASE. */
static int
resolve_below (const char *cgroups_path, const char *id, bool systemd,
               const char *base, char **out, mrc_error_t *err)
{
  if (systemd)
    return resolve_systemd (cgroups_path, id, out, err);
  const char *p = cgroups_path && *cgroups_path ? cgroups_path : id;
  const char *what = p == id ? "container id" : "linux.cgroupsPath";
  cleanup_free char *buf = strdup ("");
  if (buf == NULL)
    return mrc_fail_errno (err, "cgroup: resolve `%s`", p);
  if (p[0] != '/'
      && mrc_cgroup_path_append (&buf, base, "own cgroup", false, err) < 0)
    return -1;
  size_t len = strlen (buf);
  if (mrc_cgroup_path_append (&buf, p, what, false, err) < 0)
    return -1;
  if (strlen (buf) == len)
    return mrc_error_code (err, EINVAL,
                           "cgroup: %s `%s` names no cgroup of its own", what,
                           p);
  *out = steal_ptr (&buf);
  return 0;
}

static bool
needs_own (const char *cgroups_path, bool systemd)
{
  return !systemd && !(cgroups_path && cgroups_path[0] == '/');
}

int
mrc_cgroup_resolve_in (const char *cgroups_path, const char *id,
                       bool systemd, const char *own, char **out,
                       mrc_error_t *err)
{
  if (!needs_own (cgroups_path, systemd))
    return resolve_below (cgroups_path, id, systemd, "", out, err);
  /* Next to our own cgroup, as runc: the parent of a cgroup that holds
     processes (ours) is where controllers can still be enabled. */
  if (own == NULL || own[0] != '/')
    return mrc_fail (err, "cgroup: no cgroup2 entry (`0::`) in "
                          "/proc/self/cgroup");
  cleanup_free char *parent = strdup (own);
  if (parent == NULL)
    return mrc_fail_errno (err, "cgroup: resolve `%s`", own);
  *strrchr (parent, '/') = '\0';
  return resolve_below (cgroups_path, id, systemd, parent, out, err);
}

int
mrc_cgroup_resolve_v1_in (const char *cgroups_path, const char *id,
                          bool systemd, const char *own, char **out,
                          mrc_error_t *err)
{
  /* v1 has no "no internal processes" rule: runc puts a relative path
     inside its own cgroup of each hierarchy. */
  return resolve_below (cgroups_path, id, systemd, own ? own : "/", out,
                        err);
}

int
mrc_cgroup_read_own (char **text, mrc_error_t *err)
{
  size_t len;
  if (mrc_read_file_at (AT_FDCWD, "/proc/self/cgroup", PROC_FILE_MAX, text,
                        &len, err)
      < 0)
    return mrc_error_wrap (err, "cgroup: find our own cgroup");
  return 0;
}

int
mrc_cgroup_resolve (const char *cgroups_path, const char *id, bool systemd,
                    char **out, mrc_error_t *err)
{
  cleanup_free char *own = NULL;
  if (needs_own (cgroups_path, systemd))
    {
      cleanup_free char *text = NULL;
      if (mrc_cgroup_read_own (&text, err) < 0)
        return -1;
      own = mrc_cgroup_own_from (text);
    }
  return mrc_cgroup_resolve_in (cgroups_path, id, systemd, own, out, err);
}
