/* mounts[].options and linux.rootfsPropagation: one row per option with
 * every form the mount code needs (include/mrc/names.h).  The option
 * parser (src/setup/mount-options.c), the flags a bind gets from
 * mount_setattr(2) and keeps when locked (src/setup/bind.c), the recursive
 * options of a new filesystem (src/setup/mounts.c), its superblock keys
 * (src/setup/fsmount.c), the statvfs(3) view of a mount's flags, the
 * validation of rootfsPropagation and `features` all read these rows. */
#define _GNU_SOURCE
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "mrc/names.h"

/* Linux 5.10; glibc 2.36 does not name it yet. */
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

#define FLAG MRC_MOPT_FLAG
#define CLEAR MRC_MOPT_CLEAR
#define LOCKED MRC_MOPT_LOCKED
#define MODE MRC_MOPT_ATIME_MODE

/* The OCI / runc mount options.  The atime modes are one field of three
 * values (relatime, noatime, strictatime): the kernel refuses a partial
 * clear of the mask, so each atime option names the mode it leaves.
 * Turning noatime or strictatime off leaves the kernel's default,
 * relatime; turning relatime off leaves strictatime, the one mode that
 * updates atime on every access.  MS_SILENT only quietens mount(2)'s
 * kernel log and MS_I_VERSION has no generic fsconfig key (filesystems
 * that count i_version do it on their own): both are accepted and have no
 * key to set. */
const struct mrc_mount_option mrc_names_mount_options[] = {
  /* name, rname, kind, props, ms, attr, st, fsconfig, ext */
  { "defaults", NULL, FLAG, 0, 0, 0, 0, NULL, 0 },
  { "ro", "rro", FLAG, LOCKED, MS_RDONLY, MOUNT_ATTR_RDONLY, ST_RDONLY, "ro",
    0 },
  { "rw", "rrw", FLAG, CLEAR, MS_RDONLY, MOUNT_ATTR_RDONLY, 0, "rw", 0 },
  { "suid", "rsuid", FLAG, CLEAR, MS_NOSUID, MOUNT_ATTR_NOSUID, 0, NULL, 0 },
  { "nosuid", "rnosuid", FLAG, LOCKED, MS_NOSUID, MOUNT_ATTR_NOSUID,
    ST_NOSUID, NULL, 0 },
  { "dev", "rdev", FLAG, CLEAR, MS_NODEV, MOUNT_ATTR_NODEV, 0, NULL, 0 },
  { "nodev", "rnodev", FLAG, LOCKED, MS_NODEV, MOUNT_ATTR_NODEV, ST_NODEV,
    NULL, 0 },
  { "exec", "rexec", FLAG, CLEAR, MS_NOEXEC, MOUNT_ATTR_NOEXEC, 0, NULL, 0 },
  { "noexec", "rnoexec", FLAG, LOCKED, MS_NOEXEC, MOUNT_ATTR_NOEXEC,
    ST_NOEXEC, NULL, 0 },
  { "sync", NULL, FLAG, 0, MS_SYNCHRONOUS, 0, ST_SYNCHRONOUS, "sync", 0 },
  { "async", NULL, FLAG, CLEAR, MS_SYNCHRONOUS, 0, 0, "async", 0 },
  /* a remount cannot change dirsync: no key clears it */
  { "dirsync", NULL, FLAG, 0, MS_DIRSYNC, 0, 0, "dirsync", 0 },
  { "remount", NULL, FLAG, 0, MS_REMOUNT, 0, 0, NULL, 0 },
  { "mand", NULL, FLAG, 0, MS_MANDLOCK, 0, ST_MANDLOCK, "mand", 0 },
  { "nomand", NULL, FLAG, CLEAR, MS_MANDLOCK, 0, 0, "nomand", 0 },
  { "atime", "ratime", FLAG, CLEAR | MODE, MS_NOATIME, MOUNT_ATTR_RELATIME, 0,
    NULL, 0 },
  { "noatime", "rnoatime", FLAG, MODE, MS_NOATIME, MOUNT_ATTR_NOATIME,
    ST_NOATIME, NULL, 0 },
  { "diratime", "rdiratime", FLAG, CLEAR, MS_NODIRATIME,
    MOUNT_ATTR_NODIRATIME, 0, NULL, 0 },
  { "nodiratime", "rnodiratime", FLAG, 0, MS_NODIRATIME,
    MOUNT_ATTR_NODIRATIME, ST_NODIRATIME, NULL, 0 },
  { "relatime", "rrelatime", FLAG, MODE, MS_RELATIME, MOUNT_ATTR_RELATIME,
    ST_RELATIME, NULL, 0 },
  { "norelatime", "rnorelatime", FLAG, CLEAR | MODE, MS_RELATIME,
    MOUNT_ATTR_STRICTATIME, 0, NULL, 0 },
  { "strictatime", "rstrictatime", FLAG, MODE, MS_STRICTATIME,
    MOUNT_ATTR_STRICTATIME, 0, NULL, 0 },
  { "nostrictatime", "rnostrictatime", FLAG, CLEAR | MODE, MS_STRICTATIME,
    MOUNT_ATTR_RELATIME, 0, NULL, 0 },
  { "iversion", NULL, FLAG, 0, MS_I_VERSION, 0, 0, NULL, 0 },
  { "noiversion", NULL, FLAG, CLEAR, MS_I_VERSION, 0, 0, NULL, 0 },
  { "lazytime", NULL, FLAG, 0, MS_LAZYTIME, 0, 0, "lazytime", 0 },
  { "nolazytime", NULL, FLAG, CLEAR, MS_LAZYTIME, 0, 0, "nolazytime", 0 },
  { "silent", NULL, FLAG, 0, MS_SILENT, 0, 0, NULL, 0 },
  { "loud", NULL, FLAG, CLEAR, MS_SILENT, 0, 0, NULL, 0 },
  { "symfollow", "rsymfollow", FLAG, CLEAR, MS_NOSYMFOLLOW,
    MOUNT_ATTR_NOSYMFOLLOW, 0, NULL, 0 },
  { "nosymfollow", "rnosymfollow", FLAG, 0, MS_NOSYMFOLLOW,
    MOUNT_ATTR_NOSYMFOLLOW, ST_NOSYMFOLLOW, NULL, 0 },
  { "bind", "rbind", MRC_MOPT_BIND, 0, MS_BIND, 0, 0, NULL, 0 },
  { "private", "rprivate", MRC_MOPT_PROPAGATION, 0, MS_PRIVATE, 0, 0, NULL,
    0 },
  { "shared", "rshared", MRC_MOPT_PROPAGATION, 0, MS_SHARED, 0, 0, NULL, 0 },
  { "slave", "rslave", MRC_MOPT_PROPAGATION, 0, MS_SLAVE, 0, 0, NULL, 0 },
  { "unbindable", "runbindable", MRC_MOPT_PROPAGATION, 0, MS_UNBINDABLE, 0,
    0, NULL, 0 },
  /* id-mapped binds (src/setup/idmap.c) */
  { "idmap", "ridmap", MRC_MOPT_EXTENSION, 0, 0, 0, 0, NULL,
    MRC_MOUNT_IDMAP },
  { "tmpcopyup", NULL, MRC_MOPT_EXTENSION, 0, 0, 0, 0, NULL,
    MRC_MOUNT_TMPCOPYUP },
  { NULL, NULL, FLAG, 0, 0, 0, 0, NULL, 0 },
};

const struct mrc_mount_option *
mrc_names_mount_option (const char *name, bool *recursive)
{
  for (const struct mrc_mount_option *o = mrc_names_mount_options;
       name && o->name; o++)
    {
      bool rec = o->rname && strcmp (o->rname, name) == 0;
      if (rec || strcmp (o->name, name) == 0)
        {
          if (recursive)
            *recursive = rec;
          return o;
        }
    }
  return NULL;
}

unsigned long
mrc_names_propagation (const char *name)
{
  bool rec;
  const struct mrc_mount_option *o = mrc_names_mount_option (name, &rec);
  if (o == NULL || o->kind != MRC_MOPT_PROPAGATION)
    return 0;
  return o->ms | (rec ? MS_REC : 0);
}

const char *
mrc_names_mount_option_name (size_t i)
{
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    {
      if (i == 0)
        return o->name;
      if (o->rname && --i == 0)
        return o->rname;
      i--;
    }
  return NULL;
}
