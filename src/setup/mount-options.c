/* mounts[].options turned into mount(2) and mount_setattr(2) arguments.
 * The options themselves, with every form of each, are the rows of
 * mrc_names_mount_options (src/spec/mount-names.c); this file only says
 * what each kind of row does to struct mrc_mount_flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "mrc/names.h"
#include "mrc/setup.h"

/* Append OPT to the comma-joined *DATA. */
static int
append_data (char **data, const char *opt)
{
  size_t old = *data ? strlen (*data) : 0;
  size_t add = strlen (opt);
  char *n = realloc (*data, old + add + 2);
  if (n == NULL)
    return -1;
  if (old)
    n[old++] = ',';
  memcpy (n + old, opt, add + 1);
  *data = n;
  return 0;
}

/* O (its recursive form when REC) onto F. */
static void
apply_option (struct mrc_mount_flags *f, const struct mrc_mount_option *o,
              bool rec)
{
  bool clear = o->props & MRC_MOPT_CLEAR;
  switch (o->kind)
    {
    case MRC_MOPT_FLAG:
      if (!rec)
        f->flags = clear ? f->flags & ~o->ms : f->flags | o->ms;
      else if (o->props & MRC_MOPT_ATIME_MODE)
        {
          f->attr_set = (f->attr_set & ~(unsigned long long) MOUNT_ATTR__ATIME)
                        | o->attr;
          f->attr_clr |= MOUNT_ATTR__ATIME;
        }
      else if (clear)
        {
          f->attr_clr |= o->attr;
          f->attr_set &= ~(unsigned long long) o->attr;
        }
      else
        {
          f->attr_set |= o->attr;
          f->attr_clr &= ~(unsigned long long) o->attr;
        }
      break;
    case MRC_MOPT_BIND:
      f->flags |= o->ms | (rec ? MS_REC : 0);
      break;
    case MRC_MOPT_PROPAGATION:
      f->propagation = o->ms | (rec ? MS_REC : 0);
      break;
    case MRC_MOPT_EXTENSION:
      f->extensions |= o->ext | (rec ? MRC_MOUNT_RIDMAP : 0);
      break;
    }
}

void
mrc_mount_flags_clear (struct mrc_mount_flags *f)
{
  free (f->data);
  f->data = NULL;
  f->flags = 0;
  f->propagation = 0;
  f->extensions = 0;
  f->attr_set = 0;
  f->attr_clr = 0;
}

int
mrc_mount_options_parse (char *const *opts, struct mrc_mount_flags *out,
                         mrc_error_t *err)
{
  struct mrc_mount_flags f = { 0 };
  for (size_t i = 0; opts && opts[i]; i++)
    {
      bool rec;
      const struct mrc_mount_option *o
          = mrc_names_mount_option (opts[i], &rec);
      if (o == NULL)
        {
          if (opts[i][0] == '\0')
            continue;
          if (append_data (&f.data, opts[i]) < 0)
            {
              mrc_mount_flags_clear (&f);
              return mrc_error_set (err, ENOMEM, "parse mount options");
            }
          continue;
        }
      apply_option (&f, o, rec);
    }
  *out = f;
  return 0;
}

int
mrc_mount_propagation_parse (const char *name, unsigned long *out,
                             mrc_error_t *err)
{
  unsigned long p = mrc_names_propagation (name);
  if (p == 0)
    return mrc_fail (err, "unknown mount propagation `%s`", name);
  *out = p;
  return 0;
}

unsigned long
mrc_mount_flags_from_statvfs (unsigned long f_flag)
{
  unsigned long ms = 0;
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    if (f_flag & o->st)
      ms |= o->ms;
  return ms;
}
