/* The process attributes that are one syscall each: oomScoreAdj,
 * personality, ioPriority, scheduler and execCPUAffinity. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include <linux/ioprio.h>
#include <linux/sched.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/idlist.h"
#include "mrc/names.h"
#include "security-internal.h"

/* The highest CPU number a list may name. */
#define MAX_CPU 65535

/* The value of NAME in the vocabulary T (include/mrc/names.h). */
static int
lookup (const struct mrc_name_value *t, const char *name, unsigned long *out)
{
  const struct mrc_name_value *row = mrc_names_find (t, name);
  if (row == NULL)
    return -1;
  *out = row->value;
  return 0;
}

static int
prepare_scheduler (struct mrc_security *s, const struct mrc_scheduler *sc,
                   mrc_error_t *err)
{
  unsigned long v;
  struct mrc_sched_attr *a = &s->sched;
  memset (a, 0, sizeof *a);
  a->size = sizeof *a;
  if (lookup (mrc_names_sched_policies, sc->policy, &v) < 0)
    return mrc_fail (err, "process.scheduler.policy: unknown policy `%s`",
                     sc->policy);
  a->sched_policy = (uint32_t) v;
  for (size_t i = 0; sc->flags && sc->flags[i]; i++)
    {
      if (lookup (mrc_names_sched_flags, sc->flags[i], &v) < 0)
        return mrc_fail (err, "process.scheduler.flags: unknown flag `%s`",
                         sc->flags[i]);
      a->sched_flags |= v;
    }
  if (sc->has_nice && (sc->nice < -20 || sc->nice > 19))
    return mrc_fail (err, "process.scheduler.nice: `%d` is not in -20..19",
                     (int) sc->nice);
  if (sc->has_priority && sc->priority < 0)
    return mrc_fail (err, "process.scheduler.priority: `%d` is negative",
                     (int) sc->priority);
  a->sched_nice = sc->has_nice ? sc->nice : 0;
  a->sched_priority = sc->has_priority ? (uint32_t) sc->priority : 0;
  a->sched_runtime = sc->has_runtime ? sc->runtime : 0;
  a->sched_deadline = sc->has_deadline ? sc->deadline : 0;
  a->sched_period = sc->has_period ? sc->period : 0;
  s->has_sched = true;
  return 0;
}

/* The highest CPU sizes the set, then the bits go in. */
struct cpus
{
  cpu_set_t *set;
  size_t size;
};

static void
add_cpus (void *arg, long lo, long hi)
{
  struct cpus *c = arg;
  for (long i = lo; i <= hi; i++)
    CPU_SET_S ((size_t) i, c->size, c->set);
}

int
mrc_security_parse_cpus (const char *list, cpu_set_t **out, size_t *size)
{
  long max = mrc_idlist_parse (list, MAX_CPU, NULL, NULL);
  if (max < 0)
    return -1;
  struct cpus c = { CPU_ALLOC (max + 1), CPU_ALLOC_SIZE (max + 1) };
  if (c.set == NULL)
    return -1;
  CPU_ZERO_S (c.size, c.set);
  (void) mrc_idlist_parse (list, MAX_CPU, add_cpus, &c);
  *out = c.set;
  *size = c.size;
  return 0;
}

static int
prepare_cpus (struct mrc_sec_cpus *c, const char *list, const char *what,
              mrc_error_t *err)
{
  if (mrc_security_parse_cpus (list, &c->set, &c->size) < 0)
    return mrc_fail (err, "process.execCPUAffinity.%s: invalid CPU list "
                          "`%s`", what, list);
  return 0;
}

/* Only initial given: the process must not keep the initial CPUs after
   setup, so final becomes every CPU, which the kernel then narrows to the
   container's cpuset, i.e. the cgroup's affinity the spec asks for. */
static int
all_cpus (struct mrc_sec_cpus *c, mrc_error_t *err)
{
  int n = get_nprocs_conf ();
  if (n < 1)
    n = 1;
  c->size = CPU_ALLOC_SIZE (n);
  c->set = CPU_ALLOC (n);
  if (c->set == NULL)
    return mrc_fail_errno (err, "process.execCPUAffinity");
  CPU_ZERO_S (c->size, c->set);
  for (int i = 0; i < n; i++)
    CPU_SET_S ((size_t) i, c->size, c->set);
  return 0;
}

static int
prepare_personality (struct mrc_security *s, const struct mrc_personality *pe,
                     mrc_error_t *err)
{
  if (lookup (mrc_names_personality_domains, pe->domain, &s->personality) < 0)
    return mrc_fail (err, "linux.personality.domain: unknown domain `%s`",
                     pe->domain);
  /* The runtime-spec defines no flag yet. */
  if (pe->flags && pe->flags[0])
    return mrc_fail (err, "linux.personality.flags: unsupported flag `%s`",
                     pe->flags[0]);
  s->has_personality = true;
  return 0;
}

int
mrc_sec_sched_prepare (struct mrc_security *s, const struct mrc_process *p,
                       const struct mrc_linux *l, mrc_error_t *err)
{
  if (p->has_oom_score_adj
      && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return mrc_fail (err, "process.oomScoreAdj: `%d` is not in -1000..1000",
                     (int) p->oom_score_adj);
  s->has_oom_score_adj = p->has_oom_score_adj;
  s->oom_score_adj = p->oom_score_adj;
  if (l && l->personality && prepare_personality (s, l->personality, err) < 0)
    return -1;
  if (p->io_priority)
    {
      unsigned long klass;
      if (lookup (mrc_names_ioprio_classes, p->io_priority->klass, &klass) < 0)
        return mrc_fail (err, "process.ioPriority.class: unknown class `%s`",
                         p->io_priority->klass);
      if (p->io_priority->priority < 0 || p->io_priority->priority > 7)
        return mrc_fail (err, "process.ioPriority.priority: `%d` is not in "
                              "0..7", (int) p->io_priority->priority);
      s->has_ioprio = true;
      s->ioprio = (int) IOPRIO_PRIO_VALUE (klass, p->io_priority->priority);
    }
  if (p->scheduler && prepare_scheduler (s, p->scheduler, err) < 0)
    return -1;
  if (p->exec_cpu_affinity_initial
      && prepare_cpus (&s->cpus_initial, p->exec_cpu_affinity_initial,
                       "initial", err) < 0)
    return -1;
  if (p->exec_cpu_affinity_final)
    return prepare_cpus (&s->cpus_final, p->exec_cpu_affinity_final, "final",
                         err);
  if (p->exec_cpu_affinity_initial)
    return all_cpus (&s->cpus_final, err);
  return 0;
}

int
mrc_sec_cpus_apply (const struct mrc_sec_cpus *c, const char *what,
                    mrc_error_t *err)
{
  if (c->set && sched_setaffinity (0, c->size, c->set) < 0)
    return mrc_fail_errno (err, "set process.execCPUAffinity.%s", what);
  return 0;
}

static int
write_oom_score_adj (int value, mrc_error_t *err)
{
  char buf[16];
  int n = snprintf (buf, sizeof buf, "%d", value);
  cleanup_close int fd = open ("/proc/self/oom_score_adj",
                               O_WRONLY | O_CLOEXEC);
  /* Lowering it below the current value needs CAP_SYS_RESOURCE. */
  if (fd < 0 || mrc_write_all (fd, buf, (size_t) n) < 0)
    return mrc_fail_errno (err, "set process.oomScoreAdj to `%d`", value);
  return 0;
}

int
mrc_sec_sched_apply_root (const struct mrc_security *s, mrc_error_t *err)
{
  if (s->has_oom_score_adj && write_oom_score_adj (s->oom_score_adj, err) < 0)
    return -1;
  if (s->has_personality && personality (s->personality) < 0)
    return mrc_fail_errno (err, "set linux.personality");
  if (s->has_ioprio
      && syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, s->ioprio) < 0)
    return mrc_fail_errno (err, "set process.ioPriority");
  if (s->has_sched && syscall (SYS_sched_setattr, 0, &s->sched, 0) < 0)
    return mrc_fail_errno (err, "set process.scheduler");
  return mrc_sec_cpus_apply (&s->cpus_initial, "initial", err);
}
