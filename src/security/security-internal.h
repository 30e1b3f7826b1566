/* The prepared security settings, private to src/security. */
#ifndef MRC_SECURITY_INTERNAL_H
#define MRC_SECURITY_INTERNAL_H

#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <linux/filter.h>

#include "mrc/security.h"

/* struct sched_attr of sched_setattr(2): <linux/sched/types.h> clashes
   with glibc's <sched.h>, and glibc 2.36 has no wrapper. */
struct mrc_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

struct mrc_sec_rlimit
{
  int resource;
  const char *name; /* static: the table's spelling */
  struct rlimit lim;
};

/* A capability set as a bit mask: the kernel has fewer than 64 today. */
struct mrc_sec_caps
{
  uint64_t bounding, effective, permitted, inheritable, ambient;
};

struct mrc_sec_cpus
{
  cpu_set_t *set; /* NULL: not asked for */
  size_t size;    /* bytes, for sched_setaffinity */
};

struct mrc_sec_seccomp
{
  struct sock_filter *prog; /* NULL: no seccomp */
  unsigned short len;       /* instructions */
  unsigned int flags;       /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
  bool notify;
  char *listener_path;
  char *listener_metadata;
};

struct mrc_security
{
  struct mrc_sec_caps caps;
  int last_cap; /* highest capability the kernel knows */
  struct mrc_sec_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privs;
  bool has_oom_score_adj;
  int oom_score_adj;
  bool has_personality;
  unsigned long personality;
  bool has_ioprio;
  int ioprio;
  bool has_sched;
  struct mrc_sched_attr sched;
  struct mrc_sec_cpus cpus_initial;
  struct mrc_sec_cpus cpus_final; /* all CPUs when only initial is set */
  struct mrc_sec_seccomp seccomp;
  char **warnings;
  size_t n_warnings;
};

/* Append a formatted warning; -1 with errno (ENOMEM) on failure. */
int mrc_sec_warn (struct mrc_security *s, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* One file per part, each with a prepare (parent) and an apply (child). */
int mrc_sec_caps_prepare (struct mrc_security *s, const struct mrc_process *p,
                          mrc_error_t *err) MRC_WUR;
int mrc_sec_caps_apply_bounding (const struct mrc_security *s,
                                 mrc_error_t *err) MRC_WUR;
int mrc_sec_caps_apply_sets (const struct mrc_security *s,
                             mrc_error_t *err) MRC_WUR;

int mrc_sec_rlimits_prepare (struct mrc_security *s,
                             const struct mrc_process *p,
                             mrc_error_t *err) MRC_WUR;

int mrc_sec_sched_prepare (struct mrc_security *s, const struct mrc_process *p,
                           const struct mrc_linux *l, mrc_error_t *err) MRC_WUR;
int mrc_sec_sched_apply_root (const struct mrc_security *s,
                              mrc_error_t *err) MRC_WUR;
int mrc_sec_cpus_apply (const struct mrc_sec_cpus *c, const char *what,
                        mrc_error_t *err) MRC_WUR;

/* ROOT: the state root holding the filter cache, or NULL for none. */
int mrc_sec_seccomp_prepare (struct mrc_security *s,
                             const struct mrc_seccomp *sc, const char *root,
                             mrc_error_t *err) MRC_WUR;

/* Drop the warnings from index FIRST on. */
void mrc_sec_unwarn (struct mrc_security *s, size_t first);

/* The filter cache (seccomp-cache.c).  The key is the whole input of a
 * compile (malloc'd; NULL on ENOMEM).  get: 1 with the program, notify and
 * warnings restored into S and the flags the profile asked for in *FLAGS,
 * 0 on a miss (S unchanged).  put: best effort. */
char *mrc_sec_seccomp_key (const struct mrc_seccomp *sc, size_t *len);
int mrc_sec_seccomp_cache_get (const char *root, const char *key, size_t klen,
                               struct mrc_security *s, uint32_t *flags);
void mrc_sec_seccomp_cache_put (const char *root, const char *key,
                                size_t klen, const struct mrc_security *s,
                                uint32_t flags, size_t first_warning);
void mrc_sec_seccomp_free (struct mrc_sec_seccomp *sc);

#endif
