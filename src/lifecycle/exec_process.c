#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "lifecycle-internal.h"

static int
parse_id (const char *s, const char *what, uint32_t *out, mrc_error_t *err)
{
  char *end;
  errno = 0;
  unsigned long v = strtoul (s, &end, 10);
  if (*s == '\0' || *s == '-' || *end || errno || v > UINT32_MAX - 1)
    return mrc_fail (err, "exec: invalid %s `%s`: expected a number", what, s);
  *out = (uint32_t) v;
  return 0;
}

static size_t
strv_len (char **v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

/* Append copies of ADD to the malloc'd vector *V. */
static int
strv_extend (char ***v, char **add, mrc_error_t *err)
{
  size_t n = strv_len (*v), m = strv_len (add);
  if (m == 0)
    return 0;
  char **nv = realloc (*v, (n + m + 1) * sizeof *nv);
  if (nv == NULL)
    return mrc_fail_errno (err, "exec");
  *v = nv;
  for (size_t i = 0; i < m; i++)
    {
      nv[n + i] = strdup (add[i]);
      nv[n + i + 1] = NULL;
      if (nv[n + i] == NULL)
        return mrc_fail_errno (err, "exec");
    }
  return 0;
}

static int
from_file (const char *path, struct mrc_process **out, mrc_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len;
  const char *slash = strrchr (path, '/');
  const char *name = slash && slash[1] ? slash + 1 : path;
  if (mrc_read_file_at (AT_FDCWD, path, MRC_SPEC_MAX_BYTES, &buf, &len, err) < 0)
    return mrc_error_wrap (err, "exec: --process");
  if (mrc_spec_parse_process (buf, len, name, out, err) < 0)
    return -1;
  return mrc_spec_validate_process (*out, name, err);
}

static int
apply_user (const struct mrc_exec_opts *o, struct mrc_process *p,
            mrc_error_t *err)
{
  if (o->user)
    {
      cleanup_free char *u = strdup (o->user);
      if (u == NULL)
        return mrc_fail_errno (err, "exec");
      char *colon = strchr (u, ':');
      if (colon)
        *colon++ = '\0';
      if (parse_id (u, "uid", &p->user.uid, err) < 0
          || (colon && parse_id (colon, "gid", &p->user.gid, err) < 0))
        return -1;
    }
  size_t n = strv_len (o->additional_gids);
  if (n == 0)
    return 0;
  uint32_t *g = calloc (n, sizeof *g);
  if (g == NULL)
    return mrc_fail_errno (err, "exec");
  for (size_t i = 0; i < n; i++)
    if (parse_id (o->additional_gids[i], "additional gid", &g[i], err) < 0)
      {
        free (g);
        return -1;
      }
  free (p->user.additional_gids);
  p->user.additional_gids = g;
  p->user.n_additional_gids = n;
  return 0;
}

/* --cap adds to bounding, effective and permitted, never to inheritable or
 * ambient (CVE-2022-29162: an inheritable cap survives into programs the
 * user runs). */
static int
apply_caps (char **caps, struct mrc_process *p, mrc_error_t *err)
{
  if (strv_len (caps) == 0)
    return 0;
  if (p->capabilities == NULL)
    {
      p->capabilities = calloc (1, sizeof *p->capabilities);
      if (p->capabilities == NULL)
        return mrc_fail_errno (err, "exec");
    }
  struct mrc_capabilities *c = p->capabilities;
  if (strv_extend (&c->bounding, caps, err) < 0
      || strv_extend (&c->effective, caps, err) < 0
      || strv_extend (&c->permitted, caps, err) < 0)
    return -1;
  /* never into the inheritable set (CVE-2022-29162); but one the config
     made inheritable is raised in the ambient set too, as runc raises it,
     so a non-root process really has it */
  for (size_t i = 0; caps[i]; i++)
    for (size_t j = 0; c->inheritable && c->inheritable[j]; j++)
      if (strcmp (caps[i], c->inheritable[j]) == 0)
        {
          char *one[] = { caps[i], NULL };
          if (strv_extend (&c->ambient, one, err) < 0)
            return -1;
          break;
        }
  return 0;
}

static int
override (const struct mrc_exec_opts *o, struct mrc_process *p,
          mrc_error_t *err)
{
  mrc_strv_free (p->args);
  p->args = NULL;
  if (strv_extend (&p->args, o->args, err) < 0
      || strv_extend (&p->env, o->env, err) < 0 || apply_user (o, p, err) < 0
      || apply_caps (o->caps, p, err) < 0)
    return -1;
  if (o->cwd)
    {
      if (o->cwd[0] != '/')
        return mrc_fail (err, "exec: --cwd `%s` is not an absolute path",
                         o->cwd);
      free (p->cwd);
      p->cwd = strdup (o->cwd);
      if (p->cwd == NULL)
        return mrc_fail_errno (err, "exec");
    }
  p->terminal = o->tty;
  if (o->no_new_privs)
    p->no_new_privileges = true;
  return 0;
}

int
mrc_exec_build_process (const struct mrc_exec_opts *o, struct mrc_spec *spec,
                        struct mrc_process **out, mrc_error_t *err)
{
  if (o->process_file)
    return from_file (o->process_file, out, err);
  if (strv_len (o->args) == 0)
    return mrc_fail (err, "exec: no command given and no --process");
  if (spec->process == NULL)
    return mrc_fail (err, "exec: config.json: process: required");
  cleanup_process struct mrc_process *p = steal_ptr (&spec->process);
  if (override (o, p, err) < 0)
    return -1;
  *out = steal_ptr (&p);
  return 0;
}
