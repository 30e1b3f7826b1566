/* New filesystems (proc, sysfs, tmpfs, devpts, mqueue, cgroup2...) made as
 * detached mounts with the mount API: fsopen(2), one fsconfig(2) call per
 * superblock flag and per data option, FSCONFIG_CMD_CREATE, fsmount(2)
 * with the per-mount flags.  Nothing is reachable until the caller attaches
 * the mount onto its checked target fd (bind.c), so a tmpcopyup tmpfs is
 * filled and a read-only one made read-only before anyone can see it.
 * A refused option is named, with the filesystem's own words for why
 * ("tmpfs: Bad value for 'size'"), read from the context's message log. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/names.h"
#include "setup-internal.h"

/* Superblock flags are the mount option rows with an fsconfig key (the
 * superblock of a new mount is read-only with MS_RDONLY, as with
 * mount(2)).  A remount replaces the ones it can change, as mount(2)'s
 * MS_REMOUNT: those with a row clearing them by key too. */
static const char *
clear_key (unsigned long ms)
{
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    if (o->kind == MRC_MOPT_FLAG && (o->props & MRC_MOPT_CLEAR)
        && o->fsconfig && o->ms == ms)
      return o->fsconfig;
  return NULL;
}

/* The last error the filesystem context FS logged ("e tmpfs: Unknown
 * parameter 'x'"), without its "e " prefix, into BUF; "" when none. */
static void
fs_log (int fs, char *buf, size_t size)
{
  char line[512];
  buf[0] = '\0';
  /* one message per read; the log holds a few, ENODATA past the last */
  for (int i = 0; i < 16; i++)
    {
      ssize_t n = read (fs, line, sizeof line - 1);
      if (n < 0 && errno == EMSGSIZE)
        continue; /* too long for LINE: consumed, the next may fit */
      if (n <= 0)
        break;
      line[n] = '\0';
      line[strcspn (line, "\n")] = '\0';
      if (n > 2 && line[0] == 'e' && line[1] == ' ')
        snprintf (buf, size, "%s", line + 2);
    }
}

/* Fail with errno from the call that just failed on FS, what the
 * filesystem logged, and the context WHAT. */
static int
fs_fail (int fs, mrc_error_t *err, const char *dest, const char *what)
{
  int saved = errno;
  char why[512];
  fs_log (fs, why, sizeof why);
  if (why[0])
    return mrc_error_set (err, saved, "mount to `%s`: %s: %s", dest, what,
                          why);
  return mrc_error_set (err, saved, "mount to `%s`: %s", dest, what);
}

/* KEY set on FS: a flag, or with VALUE a string.  An error names the key
 * only: a value may be a credential (cifs' password=). */
static int
set_key (int fs, const char *key, const char *value, const char *dest,
         mrc_error_t *err)
{
  if (fsconfig (fs, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key,
                value, 0)
      == 0)
    return 0;
  char what[96];
  snprintf (what, sizeof what, "option `%.64s`", key);
  return fs_fail (fs, err, dest, what);
}

/* MS_* superblock FLAGS on FS; with REPLACE the ones a remount changes are
 * also cleared when not asked for. */
static int
set_sb_flags (int fs, unsigned long flags, bool replace, const char *dest,
              mrc_error_t *err)
{
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    {
      if (o->kind != MRC_MOPT_FLAG || o->fsconfig == NULL
          || (o->props & MRC_MOPT_CLEAR))
        continue;
      /* a remount leaves the ones it cannot change (dirsync) alone, as
         mount(2) ignores them; the kernel would refuse the whole call */
      const char *clear = clear_key (o->ms);
      if (replace && clear == NULL)
        continue;
      const char *key = (flags & o->ms) ? o->fsconfig
                        : replace       ? clear
                                        : NULL;
      if (key && set_key (fs, key, NULL, dest, err) < 0)
        return -1;
    }
  return 0;
}

/* One data option, "key" or "key=value". */
static int
set_option (int fs, char *opt, const char *dest, mrc_error_t *err)
{
  char *value = strchr (opt, '=');
  if (value)
    *value++ = '\0';
  return set_key (fs, opt, value, dest, err);
}

/* DATA's comma-separated options, one fsconfig(2) call each (DATA holds
 * no quoted or escaped comma: mrc_setup_fs_needs_mount2). */
static int
set_data (int fs, const char *data, const char *dest, mrc_error_t *err)
{
  if (data == NULL)
    return 0;
  cleanup_free char *copy = strdup (data);
  if (copy == NULL)
    return mrc_fail_errno (err, "mount to `%s`", dest);
  char *p = copy;
  for (char *o; (o = strsep (&p, ","));)
    if (*o && set_option (fs, o, dest, err) < 0)
      return -1;
  return 0;
}

static bool
has_gid (const char *data)
{
  return strncmp (data, "gid=", 4) == 0 || strstr (data, ",gid=");
}

bool
mrc_setup_fs_needs_mount2 (const char *source, const char *data)
{
  if (source && strlen (source) > MRC_FSCONFIG_VALUE_MAX)
    return true;
  if (data == NULL)
    return false;
  /* a quoted value (an SELinux context, which may hold commas) or an
     escaped comma (overlayfs' `\,`): only the kernel's own parsing of
     mount(2) data splits those right, and a filesystem not converted to
     the mount API refuses a comma in an fsconfig value */
  if (strchr (data, '"') || strstr (data, "\\,"))
    return true;
  for (const char *o = data; *o;)
    {
      size_t n = strcspn (o, ",");
      const char *eq = memchr (o, '=', n);
      size_t key = eq ? (size_t) (eq - o) : n;
      if (key > MRC_FSCONFIG_VALUE_MAX
          || (eq && (size_t) (o + n - eq - 1) > MRC_FSCONFIG_VALUE_MAX))
        return true;
      /* a piece that is a number continues the option before it, as
         tmpfs reads mpol=bind:0,2 from mount(2) data */
      if (!eq && n && *o >= '0' && *o <= '9')
        return true;
      o += n + (o[n] == ',');
    }
  return false;
}

char *
mrc_setup_data_without_gid (const char *data)
{
  if (data == NULL || !has_gid (data))
    return NULL;
  cleanup_free char *copy = strdup (data);
  char *out = calloc (1, strlen (data) + 1);
  if (copy == NULL || out == NULL)
    {
      free (out);
      return NULL;
    }
  char *p = copy;
  for (char *o; (o = strsep (&p, ","));)
    if (*o && strncmp (o, "gid=", 4) != 0)
      {
        if (*out)
          strcat (out, ",");
        strcat (out, o);
      }
  return out;
}

static int make_tree (const char *type, const char *source,
                      unsigned long flags, const char *data, unsigned opts,
                      const char *dest, mrc_error_t *err);

int
mrc_setup_fs_tree (const char *type, const char *source, unsigned long flags,
                   const char *data, unsigned opts, const char *dest,
                   mrc_error_t *err)
{
  int mnt = make_tree (type, source, flags, data, opts, dest, err);
  if (mnt >= 0 || !(opts & MRC_FS_SKIP_GID) || (*err)->errnum != EINVAL)
    return mnt;
  /* devpts refuses a gid= its user namespace does not map (when it is set
     since 6.15, at the create before): a spec written for a rootful
     container still runs, with ptys owned by the creator's group */
  cleanup_free char *without = mrc_setup_data_without_gid (data);
  if (without == NULL)
    return mnt;
  mrc_error_free (err);
  return make_tree (type, source, flags, without, opts, dest, err);
}

static int
make_tree (const char *type, const char *source, unsigned long flags,
           const char *data, unsigned opts, const char *dest,
           mrc_error_t *err)
{
  cleanup_close int fs = fsopen (type, FSOPEN_CLOEXEC);
  if (fs < 0)
    return mrc_error_set (err, errno, "mount `%s` to `%s`", type, dest);
  if (source
      && fsconfig (fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return fs_fail (fs, err, dest, "source");
  unsigned long sb = flags;
  if (opts & MRC_FS_KEEP_RW)
    sb &= ~(unsigned long) MS_RDONLY;
  if (set_sb_flags (fs, sb, false, dest, err) < 0
      || set_data (fs, data, dest, err) < 0)
    return -1;
  if (fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fs_fail (fs, err, dest, type);
  /* the per-mount flags now: a user namespace may mount proc or sysfs only
     with flags no weaker than the instance it already sees */
  unsigned long per = flags;
  if (opts & MRC_FS_KEEP_RW)
    per &= ~(unsigned long) MS_RDONLY;
  int mnt = fsmount (fs, FSMOUNT_CLOEXEC,
                     (unsigned) mrc_setup_mount_attr (per).attr_set);
  if (mnt < 0)
    return fs_fail (fs, err, dest, type);
  return mnt;
}

int
mrc_setup_fs_reconfigure (int mnt, unsigned long flags, const char *data,
                          bool replace, const char *dest, mrc_error_t *err)
{
  cleanup_close int fs = fspick (mnt, "", FSPICK_EMPTY_PATH | FSPICK_CLOEXEC);
  if (fs < 0)
    return mrc_error_set (err, errno, "remount `%s`", dest);
  if (set_sb_flags (fs, flags, replace, dest, err) < 0
      || set_data (fs, data, dest, err) < 0)
    return -1;
  if (fsconfig (fs, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0) < 0)
    return fs_fail (fs, err, dest, "remount");
  return 0;
}
