/* mountinfo lines split as the kernel writes them: optional fields of any
 * number, escaped spaces in paths, malformed lines refused. */
#define _GNU_SOURCE
#include <string.h>

#include "mrc/mountinfo.h"
#include "tap.h"

static void
test_split (void)
{
  struct mrc_mountinfo_line l;
  char a[] = "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 "
             "master:1 - proc proc rw";
  ok (mrc_mountinfo_split (a, &l) == 0, "a line with two optional fields");
  is_int (l.id, 22, "  its id");
  is_str (l.root, "/", "  its root");
  is_str (l.mnt, "/proc", "  its mount point");
  is_str (l.fstype, "proc", "  its type");
  is_str (l.super, "rw", "  its superblock options");

  char b[] = "80 79 0:41 /sub\\040dir /a\\134b\\040c rw - sysfs sysfs ro";
  ok (mrc_mountinfo_split (b, &l) == 0, "a line without optional fields");
  is_str (l.root, "/sub dir", "  root decoded");
  is_str (l.mnt, "/a\\b c", "  mount point decoded");
  is_str (l.fstype, "sysfs", "  type after the separator");

  char c[] = "80 79 0:41 / /x rw proc proc rw";
  ok (mrc_mountinfo_split (c, &l) < 0, "no ` - ` separator is refused");
  char d[] = "x 79 0:41 / /x rw - proc proc rw";
  ok (mrc_mountinfo_split (d, &l) < 0, "a non-numeric id is refused");
  char e[] = "80 79 0:41 / /x rw - proc";
  ok (mrc_mountinfo_split (e, &l) < 0, "a truncated line is refused");
}

int
main (void)
{
  test_split ();
  return done_testing ();
}
