/* process.capabilities with libcap: names resolved in the runtime, sets
 * applied in the child in two steps around the user switch. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "security-internal.h"

int
mrc_security_cap_from_name (const char *name)
{
  cap_value_t v;
  /* libcap also accepts numbers and lower case; the spec's names are
     "CAP_" and upper case only, as runc requires. */
  if (strncmp (name, "CAP_", 4) != 0 || name[4] == '\0')
    return -1;
  for (const char *c = name + 4; *c; c++)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_'))
      return -1;
  if (cap_from_name (name, &v) < 0 || v < 0 || v >= 64)
    return -1;
  return (int) v;
}

/* The name as the config spells it ("CAP_CHOWN"); cap_free it. */
static char *
config_name (int c)
{
  char *n = cap_to_name ((cap_value_t) c);
  for (char *q = n; q && *q; q++)
    if (*q >= 'a' && *q <= 'z')
      *q = (char) (*q - 'a' + 'A');
  return n;
}

int
mrc_security_cap_name (int c, char *buf, size_t size)
{
  if (c < 0 || c > CAP_LAST_CAP)
    return -1;
  char *n = config_name (c);
  /* a capability newer than libcap has a number for a name, which the
     config cannot use: only names that resolve back to C count */
  int r = n && mrc_security_cap_from_name (n) == c && strlen (n) < size
              ? 0
              : -1;
  if (r == 0)
    memcpy (buf, n, strlen (n) + 1);
  cap_free (n);
  return r;
}

/* "WHAT `CAP_NAME`: strerror". */
static int
fail_cap (mrc_error_t *err, const char *what, int c)
{
  int e = errno;
  char *n = config_name (c);
  int r = mrc_error_set (err, e, "%s `%s`", what, n ? n : "?");
  cap_free (n);
  return r;
}

struct set_field
{
  const char *name;
  size_t strv_offset; /* in struct mrc_capabilities */
  size_t mask_offset; /* in struct mrc_sec_caps */
};

static const struct set_field set_fields[] = {
  { "bounding", offsetof (struct mrc_capabilities, bounding),
    offsetof (struct mrc_sec_caps, bounding) },
  { "effective", offsetof (struct mrc_capabilities, effective),
    offsetof (struct mrc_sec_caps, effective) },
  { "permitted", offsetof (struct mrc_capabilities, permitted),
    offsetof (struct mrc_sec_caps, permitted) },
  { "inheritable", offsetof (struct mrc_capabilities, inheritable),
    offsetof (struct mrc_sec_caps, inheritable) },
  { "ambient", offsetof (struct mrc_capabilities, ambient),
    offsetof (struct mrc_sec_caps, ambient) },
};

static int
resolve_set (struct mrc_security *s, const struct set_field *f,
             char *const *names, uint64_t *mask, mrc_error_t *err)
{
  for (size_t i = 0; names && names[i]; i++)
    {
      int v = mrc_security_cap_from_name (names[i]);
      /* A name this build does not know (newer than its libcap, or a
         typo): skipped with a warning, as runc does ("ignoring unknown or
         unavailable capabilities"), so one config serves every runtime. */
      if (v < 0)
        {
          if (mrc_sec_warn (s, "process.capabilities.%s: unknown capability "
                               "`%s` ignored", f->name, names[i]) < 0)
            return mrc_fail_errno (err, "process.capabilities");
          continue;
        }
      /* Known to libcap but not to this kernel: skipped with a warning, as
         runc does, so one config serves kernels of different ages. */
      if (v > s->last_cap)
        {
          if (mrc_sec_warn (s, "process.capabilities.%s: capability `%s` "
                               "not supported by the kernel, skipped",
                            f->name, names[i]) < 0)
            return mrc_fail_errno (err, "process.capabilities");
          continue;
        }
      *mask |= UINT64_C (1) << v;
    }
  return 0;
}

/* The kernel raises an ambient capability only if it is both permitted
   and inheritable (PR_CAP_AMBIENT_RAISE fails with EPERM otherwise), so
   such an entry is dropped here, as runc drops it rather than failing the
   container.  runc 1.1 drops it silently (its capability library ignored
   the error); runc 1.2 warns "can't raise ambient capability CAP_X", and
   so does mini-runc where the loss is real: for a non-root process.  At
   execve a process of uid 0 gets every inheritable and bounding
   capability anyway (unless it sets SECBIT_NOROOT itself), so an entry it
   cannot raise changes nothing it runs: runc 1.1's `runc spec` default
   (ambient without inheritable, since CVE-2022-29162; runc 1.2 dropped
   those entries), ours, and every bundle made from them, run without a
   warning. */
static int
check_ambient (struct mrc_security *s, const struct mrc_process *p)
{
  uint64_t raisable = s->caps.permitted & s->caps.inheritable;
  uint64_t lost = s->caps.ambient & ~raisable;
  s->caps.ambient &= raisable;
  for (int c = 0; p->user.uid != 0 && c <= s->last_cap; c++)
    {
      char name[64];
      if (!(lost & (UINT64_C (1) << c))
          || mrc_security_cap_name (c, name, sizeof name) < 0)
        continue;
      if (mrc_sec_warn (s, "process.capabilities.ambient: can't raise "
                           "ambient capability `%s`: not both permitted "
                           "and inheritable, skipped", name) < 0)
        return -1;
    }
  return 0;
}

int
mrc_sec_caps_prepare (struct mrc_security *s, const struct mrc_process *p,
                      mrc_error_t *err)
{
  cap_value_t max = cap_max_bits ();
  s->last_cap = max > 0 && max <= 64 ? (int) max - 1 : CAP_LAST_CAP;
  memset (&s->caps, 0, sizeof s->caps);
  /* An absent capabilities object means no capabilities at all. */
  if (p->capabilities == NULL)
    return 0;
  for (size_t i = 0; i < sizeof set_fields / sizeof set_fields[0]; i++)
    {
      const struct set_field *f = &set_fields[i];
      char *const *names
          = *(char *const *const *) ((const char *) p->capabilities
                                     + f->strv_offset);
      uint64_t *mask = (uint64_t *) ((char *) &s->caps + f->mask_offset);
      if (resolve_set (s, f, names, mask, err) < 0)
        return -1;
    }
  if (check_ambient (s, p) < 0)
    return mrc_fail_errno (err, "process.capabilities");
  return 0;
}

/* Before the user switch: dropping from the bounding set needs
   CAP_SETPCAP, which only root in the container still has.  KEEPCAPS makes
   the permitted set survive setresuid to a non-zero uid (the kernel clears
   it otherwise); execve resets the flag. */
int
mrc_sec_caps_apply_bounding (const struct mrc_security *s, mrc_error_t *err)
{
  for (int c = 0; c <= s->last_cap; c++)
    {
      if (s->caps.bounding & (UINT64_C (1) << c))
        continue;
      /* Dropped straight away (one prctl, not a read and a drop, for
         each of ~40 capabilities); only a refused drop asks whether the
         capability was still there: already dropped, or unknown to the
         kernel, is no failure. */
      if (cap_drop_bound ((cap_value_t) c) == 0)
        continue;
      int saved = errno;
      if (cap_get_bound ((cap_value_t) c) <= 0)
        continue;
      errno = saved;
      return fail_cap (err, "drop from the bounding set", c);
    }
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return mrc_fail_errno (err, "prctl PR_SET_KEEPCAPS");
  return 0;
}

static int
fill_flag (cap_t caps, cap_flag_t flag, uint64_t mask, int last_cap)
{
  for (int c = 0; c <= last_cap; c++)
    if (mask & (UINT64_C (1) << c))
      {
        cap_value_t v = (cap_value_t) c;
        if (cap_set_flag (caps, flag, 1, &v, CAP_SET) < 0)
          return -1;
      }
  return 0;
}

static void
cap_freep (cap_t *c)
{
  int saved = errno;
  if (*c)
    cap_free (*c);
  errno = saved;
}

/* After the user switch: the kernel has cleared the effective set there
   (and the permitted set too without KEEPCAPS); set the three sets
   exactly, then raise ambient, which needs each capability in both the
   permitted and the inheritable set. */
int
mrc_sec_caps_apply_sets (const struct mrc_security *s, mrc_error_t *err)
{
  __attribute__ ((cleanup (cap_freep))) cap_t caps = cap_init ();
  if (caps == NULL)
    return mrc_fail_errno (err, "apply process.capabilities");
  if (fill_flag (caps, CAP_EFFECTIVE, s->caps.effective, s->last_cap) < 0
      || fill_flag (caps, CAP_PERMITTED, s->caps.permitted, s->last_cap) < 0
      || fill_flag (caps, CAP_INHERITABLE, s->caps.inheritable, s->last_cap)
             < 0)
    return mrc_fail_errno (err, "apply process.capabilities");
  if (cap_set_proc (caps) < 0)
    return mrc_fail_errno (err, "apply process.capabilities (effective, "
                                "permitted, inheritable)");
  /* Ambient capabilities the caller of mini-runc had must not leak in. */
  /* One prctl: libcap's cap_reset_ambient first reads every capability's
     ambient bit (~40 prctls) to learn whether the kernel has the set. */
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0
      && errno != EINVAL)
    return mrc_fail_errno (err, "clear the ambient capabilities");
  for (int c = 0; c <= s->last_cap; c++)
    if (s->caps.ambient & (UINT64_C (1) << c))
      if (cap_set_ambient ((cap_value_t) c, CAP_SET) < 0)
        return fail_cap (err, "process.capabilities.ambient: raise", c);
  return 0;
}
