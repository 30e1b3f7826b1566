/* The one-word vocabularies of config.json: namespaces, rlimits,
 * scheduler policies and flags, I/O priority classes, personality domains,
 * memory policy modes and flags (include/mrc/names.h).
 * src/spec/validate.c refuses a name that is not here, src/security/,
 * src/process/ns.c and the launch plan (src/spec/mempolicy.c) apply the
 * value of its row. */
#define _GNU_SOURCE
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <linux/sched.h>

#include "mrc/names.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* The row of NAME in TABLE, whose rows are SIZE bytes and begin with their
   name, the last one NULL; NULL when not there or NAME is NULL.  Every
   table here has that shape, so one lookup serves them all. */
static const void *
find_row (const void *table, size_t size, const char *name)
{
  for (const char *row = table; name && *(const char *const *) row;
       row += size)
    if (strcmp (*(const char *const *) row, name) == 0)
      return row;
  return NULL;
}

const struct mrc_ns_name mrc_names_namespaces[MRC_N_NAMESPACES + 1] = {
  { "pid", "pid", CLONE_NEWPID, true, "/proc/self/ns/pid_for_children" },
  { "network", "net", CLONE_NEWNET, false, "/proc/self/ns/net" },
  { "ipc", "ipc", CLONE_NEWIPC, false, "/proc/self/ns/ipc" },
  { "uts", "uts", CLONE_NEWUTS, false, "/proc/self/ns/uts" },
  { "cgroup", "cgroup", CLONE_NEWCGROUP, false, "/proc/self/ns/cgroup" },
  { "time", "time", CLONE_NEWTIME, true, "/proc/self/ns/time_for_children" },
  { "mount", "mnt", CLONE_NEWNS, false, "/proc/self/ns/mnt" },
  /* last: joined after the others (src/process/ns.c) */
  { "user", "user", CLONE_NEWUSER, false, "/proc/self/ns/user" },
  { NULL, NULL, 0, false, NULL },
};

const struct mrc_ns_name *
mrc_names_namespace (const char *name)
{
  return find_row (mrc_names_namespaces, sizeof *mrc_names_namespaces, name);
}

const struct mrc_ns_name *
mrc_names_namespace_of (int flag)
{
  for (const struct mrc_ns_name *n = mrc_names_namespaces; n->name; n++)
    if (n->flag == flag)
      return n;
  return NULL;
}

const struct mrc_name_value mrc_names_rlimits[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
  { NULL, 0 },
};

const struct mrc_name_value mrc_names_sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER },
  { "SCHED_FIFO", SCHED_FIFO },
  { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH },
  { "SCHED_ISO", 4 /* reserved */ },
  { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", 6 /* SCHED_DEADLINE */ },
  { NULL, 0 },
};

const struct mrc_name_value mrc_names_sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK },
  { "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
  { "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN },
  { "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
  { "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
  { "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX },
  { NULL, 0 },
};

const struct mrc_name_value mrc_names_ioprio_classes[] = {
  { "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT },
  { "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
  { "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
  { NULL, 0 },
};

const struct mrc_name_value mrc_names_personality_domains[] = {
  { "LINUX", PER_LINUX },
  { "LINUX32", PER_LINUX32 },
  { NULL, 0 },
};

const struct mrc_name_value *
mrc_names_find (const struct mrc_name_value *t, const char *name)
{
  return find_row (t, sizeof *t, name);
}

/* set_mempolicy(2)'s modes.  MPOL_PREFERRED_MANY (Linux 5.15) and
   MPOL_WEIGHTED_INTERLEAVE (6.9) by number: older headers lack them, and
   an older kernel refuses them itself (EINVAL). */
#define MPOL_PREFERRED_MANY_ 5
#define MPOL_WEIGHTED_INTERLEAVE_ 6
const struct mrc_mpol_mode mrc_names_mpol_modes[] = {
  { "MPOL_DEFAULT", MPOL_DEFAULT, MRC_MPOL_NODES_NONE },
  { "MPOL_BIND", MPOL_BIND, MRC_MPOL_NODES_REQUIRED },
  { "MPOL_INTERLEAVE", MPOL_INTERLEAVE, MRC_MPOL_NODES_REQUIRED },
  { "MPOL_WEIGHTED_INTERLEAVE", MPOL_WEIGHTED_INTERLEAVE_,
    MRC_MPOL_NODES_REQUIRED },
  { "MPOL_PREFERRED", MPOL_PREFERRED, MRC_MPOL_NODES_OPTIONAL },
  { "MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY_, MRC_MPOL_NODES_REQUIRED },
  { "MPOL_LOCAL", MPOL_LOCAL, MRC_MPOL_NODES_NONE },
  { NULL, 0, MRC_MPOL_NODES_NONE },
};

#ifndef MPOL_F_NUMA_BALANCING
#define MPOL_F_NUMA_BALANCING (1 << 13)
#endif
/* The kernel refuses static with relative, and an empty node set with
   either (they say how to read the nodes); NUMA balancing only with BIND,
   and since Linux 6.10 with PREFERRED_MANY. */
const struct mrc_mpol_flag mrc_names_mpol_flags[] = {
  { "MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING,
    1u << MPOL_BIND | 1u << MPOL_PREFERRED_MANY_, false, 0 },
  { "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES, 0, true,
    MPOL_F_STATIC_NODES },
  { "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES, 0, true,
    MPOL_F_RELATIVE_NODES },
  { NULL, 0, 0, false, 0 },
};

const struct mrc_mpol_mode *
mrc_names_mpol_mode (const char *name)
{
  return find_row (mrc_names_mpol_modes, sizeof *mrc_names_mpol_modes, name);
}

const struct mrc_mpol_flag *
mrc_names_mpol_flag (const char *name)
{
  return find_row (mrc_names_mpol_flags, sizeof *mrc_names_mpol_flags, name);
}

bool
mrc_names_mpol_flag_allows (const struct mrc_mpol_flag *flag,
                            const struct mrc_mpol_mode *mode)
{
  return flag->modes == 0 || (flag->modes & 1u << mode->mode) != 0;
}
