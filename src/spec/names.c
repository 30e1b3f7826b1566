/* The one-word vocabularies of config.json: namespaces, rlimits,
 * scheduler policies and flags, I/O priority classes, personality domains
 * (include/mrc/names.h).
 * src/spec/validate.c refuses a name that is not here, src/security/ and
 * src/process/ns.c apply the value of its row. */
#define _GNU_SOURCE
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <linux/ioprio.h>
#include <linux/sched.h>

#include "mrc/names.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

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
  for (const struct mrc_ns_name *n = mrc_names_namespaces; name && n->name;
       n++)
    if (strcmp (n->name, name) == 0)
      return n;
  return NULL;
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
  for (; name && t->name; t++)
    if (strcmp (t->name, name) == 0)
      return t;
  return NULL;
}
