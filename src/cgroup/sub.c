/* exec --cgroup: which sub-cgroup of the container's cgroup, in which
 * hierarchy, an exec'd process joins, as runc 1.1.5 reads the flag.
 *
 * Pure: the record is rewritten, nothing is opened.  Whether the
 * sub-cgroups exist is found when the launch opens them (exec never makes
 * one, as runc), before anything is cloned. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/cleanup.h"
#include "cgroup-internal.h"

/* Whether hierarchy KEY ("cpu,cpuacct", "name=systemd") holds CTRL. */
static bool
holds (const char *key, const char *ctrl, size_t len)
{
  for (const char *p = key; *p;)
    {
      size_t n = strcspn (p, ",");
      if (n == len && strncmp (p, ctrl, len) == 0)
        return true;
      p += n + (p[n] == ',');
    }
  return false;
}

/* BASE (a cgroup path) joined with SUB, cleaned; SUB may not climb out. */
static int
join (const char *base, const char *sub, const char *arg, char **out,
      mrc_error_t *err)
{
  cleanup_free char *buf = strdup (strcmp (base, "/") ? base : "");
  cleanup_free char *what = NULL;
  if (buf == NULL || asprintf (&what, "--cgroup `%s`", arg) < 0)
    return mrc_fail_errno (err, "--cgroup `%s`", arg);
  if (mrc_cgroup_path_append (&buf, sub, what, true, err) < 0)
    return -1;
  /* the container's own cgroup: "", ".", "/" (runc accepts them too) */
  *out = *buf ? steal_ptr (&buf) : strdup ("/");
  return *out ? 0 : mrc_fail_errno (err, "--cgroup `%s`", arg);
}

/* Move hierarchy I of OUT (the copy of CG) into SUB, once: two values
 * naming one hierarchy must agree (runc would pick one at random when
 * co-mounted controllers, cpu and cpuacct, get different paths). */
static int
move_v1 (const struct mrc_cgroup *cg, struct mrc_cgroup *out, size_t i,
         const char *sub, const char *arg, mrc_error_t *err)
{
  cleanup_free char *p = NULL;
  if (join (cg->v1[i].value, sub, arg, &p, err) < 0)
    return -1;
  if (strcmp (out->v1[i].value, cg->v1[i].value) != 0)
    {
      if (strcmp (out->v1[i].value, p) == 0)
        return 0;
      return mrc_error_code (err, EINVAL, "--cgroup `%s`: the %s hierarchy "
                             "is already given `%s`", arg, cg->v1[i].key,
                             out->v1[i].value);
    }
  free (out->v1[i].value);
  out->v1[i].value = steal_ptr (&p);
  return 0;
}

/* CONTROLLER[,CONTROLLER...]:PATH (COLON points at the colon). */
static int
move_named (const struct mrc_cgroup *cg, struct mrc_cgroup *out,
            const char *arg, const char *colon, mrc_error_t *err)
{
  if (cg->n_v1 == 0)
    return mrc_error_code (err, EINVAL, "--cgroup `%s`: controllers can be "
                           "named on cgroup v1 only; on cgroup v2 give the "
                           "path alone", arg);
  for (const char *c = arg;; c++)
    {
      size_t len = strcspn (c, ",:");
      bool found = false;
      for (size_t i = 0; len && i < cg->n_v1; i++)
        if (holds (cg->v1[i].key, c, len))
          {
            if (move_v1 (cg, out, i, colon + 1, arg, err) < 0)
              return -1;
            found = true;
          }
      if (!found)
        return mrc_error_code (err, EINVAL, "--cgroup `%s`: no cgroup v1 "
                               "hierarchy of the container has controller "
                               "`%.*s`", arg, (int) len, c);
      if ((c += len) == colon)
        return 0;
    }
}

/* A bare PATH (or ":PATH", runc's spelling of the same): every hierarchy,
 * cgroup2 included. */
static int
move_all (const struct mrc_cgroup *cg, struct mrc_cgroup *out,
          const char *arg, const char *sub, mrc_error_t *err)
{
  if (cg->path)
    {
      free (out->path);
      out->path = NULL;
      if (join (cg->path, sub, arg, &out->path, err) < 0)
        return -1;
    }
  for (size_t i = 0; i < cg->n_v1; i++)
    if (move_v1 (cg, out, i, sub, arg, err) < 0)
      return -1;
  return 0;
}

/* OUT: CG's paths and hierarchies, nothing else (exec removes nothing). */
static int
copy_record (const struct mrc_cgroup *cg, struct mrc_cgroup *out,
             mrc_error_t *err)
{
  *out = (struct mrc_cgroup) MRC_CGROUP_INIT;
  if (cg->path && (out->path = strdup (cg->path)) == NULL)
    goto nomem;
  if (cg->n_v1 && (out->v1 = calloc (cg->n_v1, sizeof *out->v1)) == NULL)
    goto nomem;
  for (; out->n_v1 < cg->n_v1; out->n_v1++)
    {
      struct mrc_kv *kv = &out->v1[out->n_v1];
      kv->key = strdup (cg->v1[out->n_v1].key);
      kv->value = strdup (cg->v1[out->n_v1].value);
      if (kv->key == NULL || kv->value == NULL)
        {
          out->n_v1++; /* released with the rest */
          goto nomem;
        }
    }
  return 0;
nomem:
  mrc_fail_errno (err, "--cgroup: copy the container's cgroup");
  mrc_cgroup_release (out);
  return -1;
}

int
mrc_cgroup_sub (const struct mrc_cgroup *cg, char *const *args,
                struct mrc_cgroup *out, mrc_error_t *err)
{
  size_t n = 0;
  while (args && args[n])
    n++;
  if (copy_record (cg, out, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const char *a = args[i], *colon = strchr (a, ':');
      int r;
      if (colon && strchr (colon + 1, ':'))
        r = mrc_error_code (err, EINVAL, "--cgroup `%s`: expected "
                            "[CONTROLLER[,CONTROLLER...]:]PATH", a);
      else if ((colon == NULL || colon == a) && n > 1)
        r = mrc_error_code (err, EINVAL, "--cgroup `%s`: a path for every "
                            "hierarchy must be the only --cgroup (missing "
                            "CONTROLLER: prefix)", a);
      else if (colon == NULL || colon == a)
        r = move_all (cg, out, a, colon ? colon + 1 : a, err);
      else
        r = move_named (cg, out, a, colon, err);
      if (r < 0)
        {
          mrc_cgroup_release (out);
          return -1;
        }
    }
  return 0;
}
