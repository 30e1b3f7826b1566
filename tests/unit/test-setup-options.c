/* The mount option table, rootfsPropagation names and statvfs flags. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "../../src/setup/setup-internal.h"
#include "mrc/setup.h"
#include "tap.h"

#define OPTS(...) ((char *[]){ __VA_ARGS__, NULL })

/* Parse OPTS and compare with the expected flags, propagation and data. */
static void
check (char **opts, unsigned long flags, unsigned long prop,
       const char *data, const char *what)
{
  struct mrc_mount_flags f;
  mrc_error_t err = NULL;
  if (!ok (mrc_mount_options_parse (opts, &f, &err) == 0, "%s: parses",
           what))
    {
      diag ("%s", err ? err->msg : "?");
      mrc_error_free (&err);
      return;
    }
  is_int (f.flags, flags, "%s: flags", what);
  is_int (f.propagation, prop, "%s: propagation", what);
  is_str (f.data, data, "%s: data", what);
  mrc_mount_flags_clear (&f);
}

static void
test_options (void)
{
  check (NULL, 0, 0, NULL, "no options");
  /* runc's default spec, entry by entry */
  check (OPTS ("nosuid", "strictatime", "mode=755", "size=65536k"),
         MS_NOSUID | MS_STRICTATIME, 0, "mode=755,size=65536k", "/dev tmpfs");
  check (OPTS ("nosuid", "noexec", "newinstance", "ptmxmode=0666",
               "mode=0620", "gid=5"),
         MS_NOSUID | MS_NOEXEC, 0, "newinstance,ptmxmode=0666,mode=0620,gid=5",
         "devpts");
  check (OPTS ("nosuid", "noexec", "nodev", "relatime", "ro"),
         MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY, 0, NULL,
         "cgroup");
  /* later options win over earlier ones */
  check (OPTS ("ro", "rw"), 0, 0, NULL, "ro then rw");
  check (OPTS ("rw", "ro"), MS_RDONLY, 0, NULL, "rw then ro");
  check (OPTS ("nosuid", "suid", "nodev", "dev", "noexec", "exec"), 0, 0,
         NULL, "set then cleared");
  check (OPTS ("noatime", "atime", "nodiratime", "diratime", "relatime",
               "norelatime", "strictatime", "nostrictatime"),
         0, 0, NULL, "atime pairs");
  check (OPTS ("sync", "dirsync", "mand", "remount"),
         MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK | MS_REMOUNT, 0, NULL,
         "sync dirsync mand remount");
  check (OPTS ("bind"), MS_BIND, 0, NULL, "bind");
  check (OPTS ("rbind", "ro"), MS_BIND | MS_REC | MS_RDONLY, 0, NULL,
         "rbind ro");
  check (OPTS ("defaults", ""), 0, 0, NULL, "defaults and empty");
  /* propagation is kept apart: it needs a mount call of its own */
  check (OPTS ("rbind", "rprivate"), MS_BIND | MS_REC, MS_PRIVATE | MS_REC,
         NULL, "rbind rprivate");
  check (OPTS ("shared", "rslave"), 0, MS_SLAVE | MS_REC, NULL,
         "last propagation wins");
  check (OPTS ("unbindable"), 0, MS_UNBINDABLE, NULL, "unbindable");
  check (OPTS ("runbindable"), 0, MS_UNBINDABLE | MS_REC, NULL,
         "runbindable");
  check (OPTS ("private"), 0, MS_PRIVATE, NULL, "private");
  check (OPTS ("rshared"), 0, MS_SHARED | MS_REC, NULL, "rshared");
  /* unknown names go to the filesystem, in order */
  check (OPTS ("size=1m", "ro", "uid=1000", "nr_inodes=5"), MS_RDONLY, 0,
         "size=1m,uid=1000,nr_inodes=5", "data in order");
  /* tmpcopyup is now implemented: no mount flag, an extension bit */
  {
    struct mrc_mount_flags f;
    mrc_error_t e = NULL;
    int r = mrc_mount_options_parse (OPTS ("tmpcopyup", "mode=755"), &f, &e);
    ok (r == 0 && f.flags == 0 && f.extensions == MRC_MOUNT_TMPCOPYUP,
        "tmpcopyup: an extension, not a mount flag");
    is_str (r == 0 ? f.data : NULL, "mode=755", "tmpcopyup: not passed as data");
    if (r == 0)
      mrc_mount_flags_clear (&f);
    mrc_error_free (&e);
  }
}

/* Parse OPTS and compare the mount_setattr(2) attributes. */
static void
check_attr (char **opts, unsigned long flags, unsigned long long set,
            unsigned long long clr, const char *what)
{
  struct mrc_mount_flags f;
  mrc_error_t err = NULL;
  if (!ok (mrc_mount_options_parse (opts, &f, &err) == 0, "%s: parses",
           what))
    {
      diag ("%s", err ? err->msg : "?");
      mrc_error_free (&err);
      return;
    }
  is_int (f.flags, flags, "%s: flags", what);
  is_int (f.attr_set, set, "%s: attr_set", what);
  is_int (f.attr_clr, clr, "%s: attr_clr", what);
  ok (f.data == NULL, "%s: no data", what);
  mrc_mount_flags_clear (&f);
}

static void
test_recursive (void)
{
  check_attr (OPTS ("rbind", "rro"), MS_BIND | MS_REC, MOUNT_ATTR_RDONLY, 0,
              "rro");
  check_attr (OPTS ("rrw"), 0, 0, MOUNT_ATTR_RDONLY, "rrw");
  check_attr (OPTS ("rro", "rrw"), 0, 0, MOUNT_ATTR_RDONLY, "rro then rrw");
  check_attr (OPTS ("rrw", "rro"), 0, MOUNT_ATTR_RDONLY, 0, "rrw then rro");
  /* the per-mount flag and the recursive attribute stay apart */
  check_attr (OPTS ("ro", "rrw"), MS_RDONLY, 0, MOUNT_ATTR_RDONLY,
              "ro with rrw");
  check_attr (OPTS ("rnosuid", "rnodev", "rnoexec", "rnodiratime",
                    "rnosymfollow"),
              0,
              MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
                  | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW,
              0, "recursive set");
  check_attr (OPTS ("rsuid", "rdev", "rexec", "rdiratime", "rsymfollow"), 0,
              0,
              MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
                  | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW,
              "recursive clear");
  check_attr (OPTS ("rnosuid", "rsuid"), 0, 0, MOUNT_ATTR_NOSUID,
              "rnosuid then rsuid");
  /* atime: one mode, the whole mask cleared, the last option wins */
  check_attr (OPTS ("rnoatime"), 0, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME,
              "rnoatime");
  check_attr (OPTS ("rstrictatime"), 0, MOUNT_ATTR_STRICTATIME,
              MOUNT_ATTR__ATIME, "rstrictatime");
  check_attr (OPTS ("rrelatime"), 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME,
              "rrelatime");
  check_attr (OPTS ("rnoatime", "ratime"), 0, MOUNT_ATTR_RELATIME,
              MOUNT_ATTR__ATIME, "rnoatime then ratime");
  check_attr (OPTS ("rstrictatime", "rnostrictatime"), 0,
              MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME,
              "rstrictatime then rnostrictatime");
  check_attr (OPTS ("rnorelatime"), 0, MOUNT_ATTR_STRICTATIME,
              MOUNT_ATTR__ATIME, "rnorelatime");
  check_attr (OPTS ("rnoatime", "rnodiratime", "rstrictatime"), 0,
              MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_NODIRATIME,
              MOUNT_ATTR__ATIME, "atime mode and nodiratime");
  /* the non-recursive symlink option is a mount flag */
  check (OPTS ("nosymfollow"), MS_NOSYMFOLLOW, 0, NULL, "nosymfollow");
  check (OPTS ("nosymfollow", "symfollow"), 0, 0, NULL,
         "nosymfollow then symfollow");
}

static void
test_idmap (void)
{
  struct mrc_mount_flags f;
  mrc_error_t e = NULL;
  int r = mrc_mount_options_parse (OPTS ("bind", "idmap"), &f, &e);
  ok (r == 0 && f.flags == MS_BIND && f.extensions == MRC_MOUNT_IDMAP
          && f.data == NULL,
      "idmap: an extension, not a mount flag");
  if (r == 0)
    mrc_mount_flags_clear (&f);
  mrc_error_free (&e);
  r = mrc_mount_options_parse (OPTS ("rbind", "ridmap"), &f, &e);
  ok (r == 0 && f.flags == (MS_BIND | MS_REC)
          && f.extensions == (MRC_MOUNT_IDMAP | MRC_MOUNT_RIDMAP)
          && f.data == NULL,
      "ridmap: idmap, recursive");
  if (r == 0)
    mrc_mount_flags_clear (&f);
  mrc_error_free (&e);
}

static void
test_option_names (void)
{
  size_t n = 0;
  bool all_parse = true, has_rbind = false, has_rro = false;
  bool has_idmap = false;
  for (const char *name; (name = mrc_names_mount_option_name (n)); n++)
    {
      struct mrc_mount_flags f;
      mrc_error_t err = NULL;
      char *one[] = { (char *) name, NULL };
      if (mrc_mount_options_parse (one, &f, &err) < 0)
        {
          diag ("`%s`: %s", name, err->msg);
          mrc_error_free (&err);
          all_parse = false;
          continue;
        }
      /* a listed option is a flag, never filesystem data */
      if (f.data)
        all_parse = false;
      mrc_mount_flags_clear (&f);
      has_rbind |= strcmp (name, "rbind") == 0;
      has_rro |= strcmp (name, "rro") == 0;
      has_idmap |= strcmp (name, "ridmap") == 0;
    }
  ok (n >= 33, "option names listed (%zu)", n);
  ok (all_parse, "every listed option parses as a flag");
  ok (has_rbind, "rbind is listed");
  ok (has_rro, "rro is listed");
  ok (has_idmap, "ridmap is listed");
}

static void
test_propagation (void)
{
  static const struct
  {
    const char *name;
    unsigned long flags;
  } cases[] = {
    { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
    { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
    { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      unsigned long got = 0;
      mrc_error_t err = NULL;
      ok (mrc_mount_propagation_parse (cases[i].name, &got, &err) == 0,
          "propagation `%s` parses", cases[i].name);
      is_int (got, cases[i].flags, "propagation `%s` flags", cases[i].name);
      mrc_error_free (&err);
    }
  static const char *const bad[] = { "ro", "bogus", "", "Private" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      unsigned long got = 0;
      mrc_error_t err = NULL;
      char want[64];
      snprintf (want, sizeof want, "unknown mount propagation `%s`", bad[i]);
      ok (mrc_mount_propagation_parse (bad[i], &got, &err) == -1,
          "propagation `%s` refused", bad[i]);
      is_str (err ? err->msg : NULL, want, "propagation `%s` message", bad[i]);
      mrc_error_free (&err);
    }
}

static void
test_statvfs (void)
{
  is_int (mrc_mount_flags_from_statvfs (0), 0, "statvfs: none");
  is_int (mrc_mount_flags_from_statvfs (ST_RDONLY | ST_NOSUID | ST_NODEV
                                        | ST_NOEXEC),
          MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
          "statvfs: ro nosuid nodev noexec");
  is_int (mrc_mount_flags_from_statvfs (ST_NOATIME | ST_NODIRATIME
                                        | ST_RELATIME),
          MS_NOATIME | MS_NODIRATIME | MS_RELATIME, "statvfs: atime flags");
}

static void
test_path_is (void)
{
  ok (mrc_setup_path_is ("/dev", "/dev"), "path_is: /dev");
  ok (mrc_setup_path_is ("//dev//", "/dev"), "path_is: //dev//");
  ok (mrc_setup_path_is ("dev", "/dev"), "path_is: relative dev");
  ok (!mrc_setup_path_is ("/devices", "/dev"), "path_is: not /devices");
  ok (!mrc_setup_path_is ("/dev/pts", "/dev"), "path_is: not /dev/pts");
  ok (!mrc_setup_path_is ("/de", "/dev"), "path_is: not /de");
}

static void
test_needs_mount2 (void)
{
  char v255[300], v256[300], big[320];
  memset (v255, 'a', 255);
  v255[255] = '\0';
  memset (v256, 'a', 256);
  v256[256] = '\0';
  ok (!mrc_setup_fs_needs_mount2 ("tmpfs", NULL), "mount2: no data");
  ok (!mrc_setup_fs_needs_mount2 ("tmpfs", "size=1m,mode=0755,nr_inodes=9"),
      "mount2: plain options");
  ok (!mrc_setup_fs_needs_mount2 (v255, "x"), "mount2: a 255-byte source");
  ok (mrc_setup_fs_needs_mount2 (v256, "x"), "mount2: a 256-byte source");
  snprintf (big, sizeof big, "size=1m,k=%s,mode=1", v255);
  ok (!mrc_setup_fs_needs_mount2 ("x", big), "mount2: a 255-byte value");
  snprintf (big, sizeof big, "size=1m,k=%s", v256);
  ok (mrc_setup_fs_needs_mount2 ("x", big), "mount2: a 256-byte value");
  snprintf (big, sizeof big, "%s,mode=1", v255);
  ok (!mrc_setup_fs_needs_mount2 ("x", big), "mount2: a 255-byte flag");
  snprintf (big, sizeof big, "%s,mode=1", v256);
  ok (mrc_setup_fs_needs_mount2 ("x", big), "mount2: a 256-byte flag");
  snprintf (big, sizeof big, "%s=1", v256);
  ok (mrc_setup_fs_needs_mount2 ("x", big), "mount2: a 256-byte key");
  ok (mrc_setup_fs_needs_mount2 ("x", "lowerdir=/a\\,b:/c"),
      "mount2: an escaped comma");
  ok (mrc_setup_fs_needs_mount2 ("x", "context=\"u:r:t:s0:c1,c2\""),
      "mount2: a quoted context");
  ok (mrc_setup_fs_needs_mount2 ("x", "size=1m,mpol=bind:0,2"),
      "mount2: a node list after a comma");
  ok (!mrc_setup_fs_needs_mount2 ("x", "size=1m,mpol=bind:0"),
      "mount2: a single node");
}

int
main (void)
{
  test_options ();
  test_recursive ();
  test_idmap ();
  test_option_names ();
  test_propagation ();
  test_statvfs ();
  test_path_is ();
  test_needs_mount2 ();
  return done_testing ();
}
