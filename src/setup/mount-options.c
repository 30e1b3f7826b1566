#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "mrc/setup.h"

/* Linux 5.10; glibc 2.36 does not name it yet. */
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

/* How an option acts on struct mrc_mount_flags. */
enum option_kind
{
  OPT_SET,          /* flags |= flag */
  OPT_CLEAR,        /* flags &= ~flag */
  OPT_PROPAGATION,  /* propagation = flag */
  OPT_EXTENSION,    /* extensions |= flag (mini-runc does it, not mount) */
  OPT_ATTR_SET,     /* attr_set |= flag, attr_clr &= ~flag */
  OPT_ATTR_CLEAR,   /* attr_clr |= flag, attr_set &= ~flag */
  OPT_ATTR_ATIME,   /* the atime mode becomes flag (whole mask cleared) */
};

struct mount_option
{
  const char *name;
  enum option_kind kind;
  unsigned long flag;
};

/* The OCI / runc mount options.  Anything not in this table goes to the
 * filesystem as data (`mode=755`, `size=65536k`, `newinstance`...). */
static const struct mount_option mount_options[] = {
  { "defaults", OPT_SET, 0 },
  { "ro", OPT_SET, MS_RDONLY },
  { "rw", OPT_CLEAR, MS_RDONLY },
  { "suid", OPT_CLEAR, MS_NOSUID },
  { "nosuid", OPT_SET, MS_NOSUID },
  { "dev", OPT_CLEAR, MS_NODEV },
  { "nodev", OPT_SET, MS_NODEV },
  { "exec", OPT_CLEAR, MS_NOEXEC },
  { "noexec", OPT_SET, MS_NOEXEC },
  { "sync", OPT_SET, MS_SYNCHRONOUS },
  { "async", OPT_CLEAR, MS_SYNCHRONOUS },
  { "dirsync", OPT_SET, MS_DIRSYNC },
  { "remount", OPT_SET, MS_REMOUNT },
  { "mand", OPT_SET, MS_MANDLOCK },
  { "nomand", OPT_CLEAR, MS_MANDLOCK },
  { "atime", OPT_CLEAR, MS_NOATIME },
  { "noatime", OPT_SET, MS_NOATIME },
  { "diratime", OPT_CLEAR, MS_NODIRATIME },
  { "nodiratime", OPT_SET, MS_NODIRATIME },
  { "relatime", OPT_SET, MS_RELATIME },
  { "norelatime", OPT_CLEAR, MS_RELATIME },
  { "strictatime", OPT_SET, MS_STRICTATIME },
  { "nostrictatime", OPT_CLEAR, MS_STRICTATIME },
  { "iversion", OPT_SET, MS_I_VERSION },
  { "noiversion", OPT_CLEAR, MS_I_VERSION },
  { "lazytime", OPT_SET, MS_LAZYTIME },
  { "nolazytime", OPT_CLEAR, MS_LAZYTIME },
  { "silent", OPT_SET, MS_SILENT },
  { "loud", OPT_CLEAR, MS_SILENT },
  { "symfollow", OPT_CLEAR, MS_NOSYMFOLLOW },
  { "nosymfollow", OPT_SET, MS_NOSYMFOLLOW },
  { "bind", OPT_SET, MS_BIND },
  { "rbind", OPT_SET, MS_BIND | MS_REC },
  { "private", OPT_PROPAGATION, MS_PRIVATE },
  { "rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC },
  { "shared", OPT_PROPAGATION, MS_SHARED },
  { "rshared", OPT_PROPAGATION, MS_SHARED | MS_REC },
  { "slave", OPT_PROPAGATION, MS_SLAVE },
  { "rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC },
  { "unbindable", OPT_PROPAGATION, MS_UNBINDABLE },
  { "runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
  /* Recursive: mount_setattr(2) with AT_RECURSIVE after the mount. */
  { "rro", OPT_ATTR_SET, MOUNT_ATTR_RDONLY },
  { "rrw", OPT_ATTR_CLEAR, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPT_ATTR_SET, MOUNT_ATTR_NOSUID },
  { "rsuid", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSUID },
  { "rnodev", OPT_ATTR_SET, MOUNT_ATTR_NODEV },
  { "rdev", OPT_ATTR_CLEAR, MOUNT_ATTR_NODEV },
  { "rnoexec", OPT_ATTR_SET, MOUNT_ATTR_NOEXEC },
  { "rexec", OPT_ATTR_CLEAR, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", OPT_ATTR_SET, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", OPT_ATTR_CLEAR, MOUNT_ATTR_NODIRATIME },
  { "rnosymfollow", OPT_ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSYMFOLLOW },
  /* The atime modes are one field of three values (relatime, noatime,
   * strictatime): the kernel refuses a partial clear of the mask, so each
   * option names the mode it leaves.  Turning noatime or strictatime off
   * leaves the kernel's default, relatime; turning relatime off leaves
   * strictatime, the one mode that updates atime on every access. */
  { "rrelatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  { "rnorelatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
  { "rnoatime", OPT_ATTR_ATIME, MOUNT_ATTR_NOATIME },
  { "ratime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  { "rstrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", OPT_ATTR_ATIME, MOUNT_ATTR_RELATIME },
  /* Id-mapped binds (mount-attr.c). */
  { "idmap", OPT_EXTENSION, MRC_MOUNT_IDMAP },
  { "ridmap", OPT_EXTENSION, MRC_MOUNT_IDMAP | MRC_MOUNT_RIDMAP },
  { "tmpcopyup", OPT_EXTENSION, MRC_MOUNT_TMPCOPYUP },
};

#define N_MOUNT_OPTIONS (sizeof mount_options / sizeof mount_options[0])

/* statvfs's view of a mount's flags, for remounts that must keep them. */
static const struct
{
  unsigned long st;
  unsigned long ms;
} statvfs_flags[] = {
  { ST_RDONLY, MS_RDONLY },
  { ST_NOSUID, MS_NOSUID },
  { ST_NODEV, MS_NODEV },
  { ST_NOEXEC, MS_NOEXEC },
  { ST_SYNCHRONOUS, MS_SYNCHRONOUS },
  { ST_MANDLOCK, MS_MANDLOCK },
  { ST_NOATIME, MS_NOATIME },
  { ST_NODIRATIME, MS_NODIRATIME },
  { ST_RELATIME, MS_RELATIME },
  { ST_NOSYMFOLLOW, MS_NOSYMFOLLOW },
};

static const struct mount_option *
find_option (const char *name)
{
  for (size_t i = 0; i < N_MOUNT_OPTIONS; i++)
    if (strcmp (mount_options[i].name, name) == 0)
      return &mount_options[i];
  return NULL;
}

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
      const struct mount_option *o = find_option (opts[i]);
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
      switch (o->kind)
        {
        case OPT_SET:
          f.flags |= o->flag;
          break;
        case OPT_CLEAR:
          f.flags &= ~o->flag;
          break;
        case OPT_PROPAGATION:
          f.propagation = o->flag;
          break;
        case OPT_EXTENSION:
          f.extensions |= o->flag;
          break;
        case OPT_ATTR_SET:
          f.attr_set |= o->flag;
          f.attr_clr &= ~(unsigned long long) o->flag;
          break;
        case OPT_ATTR_CLEAR:
          f.attr_clr |= o->flag;
          f.attr_set &= ~(unsigned long long) o->flag;
          break;
        case OPT_ATTR_ATIME:
          f.attr_set = (f.attr_set & ~(unsigned long long) MOUNT_ATTR__ATIME)
                       | o->flag;
          f.attr_clr |= MOUNT_ATTR__ATIME;
          break;
        }
    }
  *out = f;
  return 0;
}

int
mrc_mount_propagation_parse (const char *name, unsigned long *out,
                             mrc_error_t *err)
{
  const struct mount_option *o = find_option (name);
  if (o == NULL || o->kind != OPT_PROPAGATION)
    return mrc_fail (err, "unknown mount propagation `%s`", name);
  *out = o->flag;
  return 0;
}

unsigned long
mrc_mount_flags_from_statvfs (unsigned long f_flag)
{
  unsigned long ms = 0;
  for (size_t i = 0; i < sizeof statvfs_flags / sizeof statvfs_flags[0]; i++)
    if (f_flag & statvfs_flags[i].st)
      ms |= statvfs_flags[i].ms;
  return ms;
}

const char *
mrc_mount_option_name (size_t i)
{
  return i < N_MOUNT_OPTIONS ? mount_options[i].name : NULL;
}
