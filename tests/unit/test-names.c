/* The vocabulary tables (include/mrc/names.h): every row is found again by
 * its names, unknown names are refused, and the rows agree with each other
 * and with the kernel's /proc. */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mrc/names.h"
#include "tap.h"

static void
test_namespaces (void)
{
  size_t n = 0;
  bool round = true, unique = true, procs = true, children = true;
  for (const struct mrc_ns_name *r = mrc_names_namespaces; r->name; r++, n++)
    {
      round &= mrc_names_namespace (r->name) == r;
      round &= mrc_names_namespace_of (r->flag) == r;
      for (const struct mrc_ns_name *q = mrc_names_namespaces; q < r; q++)
        unique &= strcmp (q->name, r->name) != 0 && q->flag != r->flag;
      /* the runtime's own namespace file of this kind is where the row
         says, with the suffix exactly when setns acts on children */
      char self[64];
      snprintf (self, sizeof self, "/proc/self/ns/%s%s", r->proc,
                r->for_children ? "_for_children" : "");
      if (strcmp (self, r->self) != 0 || access (r->self, F_OK) < 0)
        {
          diag ("%s: `%s`", r->name, r->self);
          procs = false;
        }
      bool want = strcmp (r->name, "pid") == 0 || strcmp (r->name, "time") == 0;
      children &= r->for_children == want;
    }
  is_int (n, MRC_N_NAMESPACES, "namespaces: every row");
  ok (round, "namespaces: each row found by its name and its flag");
  ok (unique, "namespaces: names and flags unique");
  ok (procs, "namespaces: /proc/self/ns paths exist");
  ok (children, "namespaces: only pid and time apply to children");
  is_str (mrc_names_namespaces[MRC_N_NAMESPACES - 1].name, "user",
          "namespaces: user is joined last");
  is_str (mrc_names_namespace ("network")->proc, "net", "network is `net`");
  is_str (mrc_names_namespace ("mount")->proc, "mnt", "mount is `mnt`");
  static const char *const bad[] = { "net", "mnt", "PID", "", "users" };
  bool refused = mrc_names_namespace (NULL) == NULL
                 && mrc_names_namespace_of (0) == NULL;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    refused &= mrc_names_namespace (bad[i]) == NULL;
  ok (refused, "namespaces: unknown names refused");
}

/* Every row of T found by its name, names unique, and the unknown BAD
 * refused. */
static void
check_values (const struct mrc_name_value *t, const char *what,
              const char *bad)
{
  size_t n = 0;
  bool round = true, unique = true;
  for (const struct mrc_name_value *r = t; r->name; r++, n++)
    {
      round &= mrc_names_find (t, r->name) == r;
      for (const struct mrc_name_value *q = t; q < r; q++)
        unique &= strcmp (q->name, r->name) != 0 && q->value != r->value;
    }
  ok (n > 0 && round, "%s: each of %zu rows found by its name", what, n);
  ok (unique, "%s: names and values unique", what);
  ok (mrc_names_find (t, bad) == NULL && mrc_names_find (t, "") == NULL
          && mrc_names_find (t, NULL) == NULL,
      "%s: `%s` refused", what, bad);
}

static void
test_values (void)
{
  check_values (mrc_names_rlimits, "rlimits", "RLIMIT_FOO");
  check_values (mrc_names_sched_policies, "scheduler policies", "SCHED_");
  check_values (mrc_names_sched_flags, "scheduler flags", "SCHED_FLAG_FOO");
  check_values (mrc_names_ioprio_classes, "ioprio classes", "IOPRIO_CLASS");
  check_values (mrc_names_personality_domains, "personality", "LINUX64");
  is_int (mrc_names_find (mrc_names_rlimits, "RLIMIT_NOFILE")->value,
          RLIMIT_NOFILE, "RLIMIT_NOFILE");
  is_int (mrc_names_find (mrc_names_sched_policies, "SCHED_FIFO")->value,
          SCHED_FIFO, "SCHED_FIFO");
  ok (mrc_names_find (mrc_names_rlimits, "NOFILE") == NULL,
      "rlimits: the prefix is part of the name");
}

/* Whether NAME is one of the first N names mrc_names_mount_option_name
 * lists. */
static bool
listed_before (const char *name, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (mrc_names_mount_option_name (i), name) == 0)
      return true;
  return false;
}

static void
test_mount_option_lookup (void)
{
  size_t rows = 0, names = 0;
  bool round = true;
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++, rows++)
    {
      bool rec = true;
      round &= mrc_names_mount_option (o->name, &rec) == o && !rec;
      names++;
      if (o->rname)
        {
          round &= mrc_names_mount_option (o->rname, &rec) == o && rec;
          names++;
        }
    }
  ok (round, "mount options: each of %zu rows found by its name and its "
             "recursive form", rows);
  size_t listed = 0;
  bool unique = true;
  for (const char *name; (name = mrc_names_mount_option_name (listed));
       listed++)
    unique &= !listed_before (name, listed)
              && mrc_names_mount_option (name, NULL) != NULL;
  is_int (listed, names, "mount options: every name and recursive form "
                         "listed once");
  ok (unique, "mount options: no name listed twice");
  static const char *const bad[] = { "", "RO", "rdefaults", "mode=755",
                                     "nosuidx", "rtmpcopyup", "rremount" };
  bool refused = mrc_names_mount_option (NULL, NULL) == NULL;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    refused &= mrc_names_mount_option (bad[i], NULL) == NULL;
  ok (refused, "mount options: unknown names refused");
}

/* The set row for flag MS (not clearing it), NULL when none. */
static const struct mrc_mount_option *
setting_row (unsigned long ms)
{
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    if (o->kind == MRC_MOPT_FLAG && !(o->props & MRC_MOPT_CLEAR)
        && o->ms == ms)
      return o;
  return NULL;
}

/* The rows agree: what clears a flag has a row that sets it, the recursive
 * form of a flag has a mount_setattr bit, statvfs bits and locks sit on
 * the rows that set, a key clearing a superblock flag has one setting it. */
static void
test_mount_option_rows (void)
{
  bool clears = true, recursive = true, st = true, keys = true;
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    {
      bool clear = o->props & MRC_MOPT_CLEAR;
      const struct mrc_mount_option *set = setting_row (o->ms);
      /* (an atime mode's ATTR is the mode it leaves, 0 for relatime) */
      if (clear && (set == NULL
                    || (!(o->props & MRC_MOPT_ATIME_MODE)
                        && (set->attr == 0) != (o->attr == 0))))
        clears = false;
      if (o->kind == MRC_MOPT_FLAG && o->rname
          && !(o->props & MRC_MOPT_ATIME_MODE) && o->attr == 0)
        recursive = false;
      if ((o->st || (o->props & MRC_MOPT_LOCKED)) && (clear || o->ms == 0))
        st = false;
      if (o->fsconfig && clear && (set == NULL || set->fsconfig == NULL))
        keys = false;
      if (!(clears && recursive && st && keys))
        {
          diag ("row `%s`", o->name);
          break;
        }
    }
  ok (clears, "mount options: every clearing row has a setting row");
  ok (recursive, "mount options: every recursive flag has a MOUNT_ATTR bit");
  ok (st, "mount options: statvfs bits and locks on setting rows only");
  ok (keys, "mount options: a clearing fsconfig key has a setting one");
}

static void
test_propagation (void)
{
  size_t n = 0;
  bool all = true;
  for (const struct mrc_mount_option *o = mrc_names_mount_options; o->name;
       o++)
    {
      if (o->kind != MRC_MOPT_PROPAGATION)
        continue;
      n += 2;
      all &= mrc_names_propagation (o->name) == o->ms
             && mrc_names_propagation (o->rname) == (o->ms | MS_REC);
    }
  is_int (n, 8, "propagation: eight names");
  ok (all, "propagation: each name and its recursive form");
  is_int (mrc_names_propagation ("rslave"), MS_SLAVE | MS_REC, "rslave");
  ok (mrc_names_propagation ("ro") == 0 && mrc_names_propagation ("rbind") == 0
          && mrc_names_propagation ("") == 0
          && mrc_names_propagation (NULL) == 0,
      "propagation: other options and unknown names refused");
}

int
main (void)
{
  test_namespaces ();
  test_values ();
  test_mount_option_lookup ();
  test_mount_option_rows ();
  test_propagation ();
  return done_testing ();
}
