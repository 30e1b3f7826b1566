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
check_error (char **opts, const char *want, const char *what)
{
  struct mrc_mount_flags f = { 0 };
  mrc_error_t err = NULL;
  ok (mrc_mount_options_parse (opts, &f, &err) == -1, "%s: refused", what);
  is_str (err ? err->msg : NULL, want, "%s: message", what);
  ok (f.data == NULL, "%s: nothing left to free", what);
  mrc_error_free (&err);
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
  check_error (OPTS ("size=1m", "rro"), "mount option `rro` is not supported",
               "rro");
  check_error (OPTS ("idmap"), "mount option `idmap` is not supported",
               "idmap");
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

static void
test_option_names (void)
{
  size_t n = 0;
  bool all_parse = true, has_rbind = false, has_rro = false;
  for (const char *name; (name = mrc_mount_option_name (n)); n++)
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
    }
  ok (n >= 33, "option names listed (%zu)", n);
  ok (all_parse, "every listed option parses as a flag");
  ok (has_rbind, "rbind is listed");
  ok (!has_rro, "unsupported rro is not listed");
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

int
main (void)
{
  test_options ();
  test_option_names ();
  test_propagation ();
  test_statvfs ();
  test_path_is ();
  return done_testing ();
}
