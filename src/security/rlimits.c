/* process.rlimits: names resolved and checked in the runtime, applied with
 * prlimit so the runtime can also set them on a child that already lives in
 * a new user namespace. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mrc/names.h"
#include "security-internal.h"

int
mrc_sec_rlimits_prepare (struct mrc_security *s, const struct mrc_process *p,
                         mrc_error_t *err)
{
  if (p->n_rlimits == 0)
    return 0;
  s->rlimits = calloc (p->n_rlimits, sizeof *s->rlimits);
  if (s->rlimits == NULL)
    return mrc_fail_errno (err, "process.rlimits");
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct mrc_rlimit *r = &p->rlimits[i];
      const struct mrc_name_value *n
          = mrc_names_find (mrc_names_rlimits, r->type);
      if (n == NULL)
        return mrc_fail (err, "process.rlimits: unknown rlimit `%s`",
                         r->type);
      for (size_t j = 0; j < s->n_rlimits; j++)
        if (s->rlimits[j].resource == (int) n->value)
          return mrc_fail (err, "process.rlimits: duplicate `%s`", n->name);
      if (r->soft > r->hard)
        return mrc_fail (err, "process.rlimits: %s: soft limit %llu is above "
                              "the hard limit %llu", n->name,
                         (unsigned long long) r->soft,
                         (unsigned long long) r->hard);
      struct mrc_sec_rlimit *out = &s->rlimits[s->n_rlimits++];
      out->resource = (int) n->value;
      out->name = n->name;
      /* uint64 maps onto rlim_t one to one: UINT64_MAX is RLIM_INFINITY. */
      out->lim.rlim_cur = (rlim_t) r->soft;
      out->lim.rlim_max = (rlim_t) r->hard;
    }
  return 0;
}

static int
fail_set (const struct mrc_sec_rlimit *r, pid_t pid, mrc_error_t *err)
{
  int e = errno;
  struct rlimit cur;
  /* Raising a hard limit needs CAP_SYS_RESOURCE in the initial user
     namespace: say which limit and how far it may go, not a bare EPERM. */
  if (e == EPERM && prlimit (pid, (__rlimit_resource_t) r->resource, NULL,
                             &cur) == 0
      && r->lim.rlim_max > cur.rlim_max)
    {
      if (cur.rlim_max == RLIM_INFINITY)
        return mrc_error_code (err, EPERM, "process.rlimits: %s: cannot "
                                           "raise the hard limit", r->name);
      return mrc_error_code (err, EPERM, "process.rlimits: %s: cannot raise "
                                         "the hard limit above %llu",
                             r->name, (unsigned long long) cur.rlim_max);
    }
  return mrc_error_set (err, e, "process.rlimits: set `%s`", r->name);
}

int
mrc_security_set_rlimits (const struct mrc_security *s, pid_t pid,
                          mrc_error_t *err)
{
  for (size_t i = 0; i < s->n_rlimits; i++)
    {
      const struct mrc_sec_rlimit *r = &s->rlimits[i];
      if (prlimit (pid, (__rlimit_resource_t) r->resource, &r->lim, NULL) < 0)
        return fail_set (r, pid, err);
    }
  return 0;
}
