/* linux.seccomp: compiled by libseccomp in the runtime into a classic BPF
 * program, so the child only issues one seccomp(2) call to load it, and a
 * bad profile fails before anything was cloned. */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include "mrc/cleanup.h"
#include "security-internal.h"

struct action_name
{
  const char *name;
  uint32_t action;
  bool takes_errno; /* errnoRet allowed (SCMP_ACT_ERRNO, SCMP_ACT_TRACE) */
};

static const struct action_name actions[] = {
  { "SCMP_ACT_KILL", SCMP_ACT_KILL, false },
  { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false },
  { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false },
  { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, false },
  { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO (0), true },
  { "SCMP_ACT_TRACE", SCMP_ACT_TRACE (0), true },
  { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false },
  { "SCMP_ACT_LOG", SCMP_ACT_LOG, false },
  { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false },
};

struct u32_name
{
  const char *name;
  uint32_t value;
};

static const struct u32_name archs[] = {
  { "SCMP_ARCH_X86", SCMP_ARCH_X86 },
  { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
  { "SCMP_ARCH_X32", SCMP_ARCH_X32 },
  { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
  { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
  { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
  { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
  { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
  { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
  { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
  { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
  { "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
  { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
  { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
  { "SCMP_ARCH_S390", SCMP_ARCH_S390 },
  { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
  { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
  { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
  { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
#ifdef SCMP_ARCH_LOONGARCH64
  { "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64 },
#endif
#ifdef SCMP_ARCH_M68K
  { "SCMP_ARCH_M68K", SCMP_ARCH_M68K },
#endif
#ifdef SCMP_ARCH_SH
  { "SCMP_ARCH_SH", SCMP_ARCH_SH },
  { "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB },
#endif
};

static const struct u32_name operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

static const struct u32_name flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

#define N(t) (sizeof (t) / sizeof (t)[0])

static const struct u32_name *
find_u32 (const struct u32_name *t, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (t[i].name, name) == 0)
      return &t[i];
  return NULL;
}

/* Name lists for `features`, built once from the tables. */
#define NAMES_FN(fn, table)                                                   \
  const char *const *fn (void)                                                \
  {                                                                           \
    static const char *names[N (table) + 1];                                  \
    for (size_t i = 0; i < N (table); i++)                                    \
      names[i] = table[i].name;                                               \
    return names;                                                             \
  }
NAMES_FN (mrc_security_seccomp_actions, actions)
NAMES_FN (mrc_security_seccomp_archs, archs)
NAMES_FN (mrc_security_seccomp_operators, operators)
NAMES_FN (mrc_security_seccomp_flags, flags)

/* WHAT names the field in errors ("linux.seccomp.syscalls[2]"). */
static int
resolve_action (const char *name, bool has_errno, uint32_t errno_ret,
                const char *what, uint32_t *out, mrc_error_t *err)
{
  for (size_t i = 0; i < N (actions); i++)
    if (strcmp (actions[i].name, name) == 0)
      {
        if (has_errno && !actions[i].takes_errno)
          return mrc_fail (err, "%s: errnoRet is not valid with `%s`", what,
                           name);
        if (errno_ret > 0xffff)
          return mrc_fail (err, "%s: errnoRet `%u` is out of range", what,
                           errno_ret);
        /* The spec's default errno is EPERM. */
        *out = actions[i].action
               | (actions[i].takes_errno ? (has_errno ? errno_ret : EPERM)
                                         : 0);
        return 0;
      }
  return mrc_fail (err, "%s: unknown action `%s`", what, name);
}

static void
ctx_releasep (scmp_filter_ctx *ctx)
{
  int saved = errno;
  if (*ctx)
    seccomp_release (*ctx);
  errno = saved;
}

static int
resolve_args (const struct mrc_seccomp_syscall *sc, size_t k,
              struct scmp_arg_cmp *conds, bool *same_index, mrc_error_t *err)
{
  unsigned seen = 0;
  *same_index = false;
  for (size_t i = 0; i < sc->n_args; i++)
    {
      const struct mrc_seccomp_arg *a = &sc->args[i];
      const struct u32_name *op = find_u32 (operators, N (operators), a->op);
      if (op == NULL)
        return mrc_fail (err, "linux.seccomp.syscalls[%zu].args[%zu]: "
                              "unknown operator `%s`", k, i, a->op);
      if (a->index > 5)
        return mrc_fail (err, "linux.seccomp.syscalls[%zu].args[%zu]: index "
                              "`%u` is not in 0..5", k, i, a->index);
      if (seen & (1u << a->index))
        *same_index = true;
      seen |= 1u << a->index;
      conds[i].arg = a->index;
      conds[i].op = (enum scmp_compare) op->value;
      conds[i].datum_a = a->value;
      conds[i].datum_b = a->has_value_two ? a->value_two : 0;
    }
  return 0;
}

/* All conditions of an entry must hold together (one rule), except that
   libseccomp cannot AND two conditions on the same argument: then each
   condition becomes a rule of its own, which ORs them, as runc does. */
static int
add_rules (scmp_filter_ctx ctx, uint32_t action, int nr,
           const struct scmp_arg_cmp *conds, size_t n, bool same_index)
{
  if (!same_index)
    return seccomp_rule_add_array (ctx, action, nr, (unsigned) n, conds);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++)
    rc = seccomp_rule_add_array (ctx, action, nr, 1, &conds[i]);
  return rc;
}

static int
add_syscalls (struct mrc_security *s, scmp_filter_ctx ctx,
              const struct mrc_seccomp *sc, uint32_t def, int *max_nr,
              mrc_error_t *err)
{
  for (size_t k = 0; k < sc->n_syscalls; k++)
    {
      const struct mrc_seccomp_syscall *e = &sc->syscalls[k];
      char what[64];
      uint32_t action;
      snprintf (what, sizeof what, "linux.seccomp.syscalls[%zu]", k);
      if (resolve_action (e->action, e->has_errno_ret, e->errno_ret, what,
                          &action, err) < 0)
        return -1;
      /* libseccomp refuses a rule that repeats the default action; such a
         rule changes nothing, so it is dropped (its syscalls still count
         as known to the profile). */
      if (action == def)
        {
          for (size_t j = 0; e->names && e->names[j]; j++)
            {
              int nr = seccomp_syscall_resolve_name (e->names[j]);
              if (nr != __NR_SCMP_ERROR && nr > *max_nr)
                *max_nr = nr;
            }
          continue;
        }
      struct scmp_arg_cmp conds[e->n_args ? e->n_args : 1];
      bool same_index;
      if (resolve_args (e, k, conds, &same_index, err) < 0)
        return -1;
      if (action == SCMP_ACT_NOTIFY)
        s->seccomp.notify = true;
      for (size_t j = 0; e->names && e->names[j]; j++)
        {
          int nr = seccomp_syscall_resolve_name (e->names[j]);
          if (nr == __NR_SCMP_ERROR)
            {
              if (mrc_sec_warn (s, "linux.seccomp: unknown syscall `%s` "
                                   "skipped", e->names[j]) < 0)
                return mrc_fail_errno (err, "linux.seccomp");
              continue;
            }
          if (nr > *max_nr)
            *max_nr = nr;
          int rc = add_rules (ctx, action, nr, conds, e->n_args, same_index);
          if (rc < 0)
            return mrc_error_set (err, -rc, "linux.seccomp.syscalls[%zu]: "
                                            "add a rule for `%s`",
                                  k, e->names[j]);
        }
    }
  return 0;
}

static int
add_archs_and_flags (struct mrc_security *s, scmp_filter_ctx ctx,
                     const struct mrc_seccomp *sc, mrc_error_t *err)
{
  for (size_t i = 0; sc->architectures && sc->architectures[i]; i++)
    {
      const struct u32_name *a
          = find_u32 (archs, N (archs), sc->architectures[i]);
      if (a == NULL)
        return mrc_fail (err, "linux.seccomp.architectures: unknown "
                              "architecture `%s`", sc->architectures[i]);
      int rc = seccomp_arch_add (ctx, a->value);
      /* One filter holds one byte order: the native one. */
      if (rc == -EDOM)
        return mrc_fail (err, "linux.seccomp.architectures: `%s` has another "
                              "byte order than the native architecture",
                         sc->architectures[i]);
      if (rc < 0 && rc != -EEXIST)
        return mrc_error_set (err, -rc, "linux.seccomp.architectures: add "
                                        "`%s`", sc->architectures[i]);
    }
  for (size_t i = 0; sc->flags && sc->flags[i]; i++)
    {
      const struct u32_name *f = find_u32 (flags, N (flags), sc->flags[i]);
      if (f == NULL)
        return mrc_fail (err, "linux.seccomp.flags: unknown flag `%s`",
                         sc->flags[i]);
      s->seccomp.flags |= f->value;
    }
  return 0;
}

/* seccomp_export_bpf_mem is libseccomp 2.6; 2.5 writes to an fd only. */
static int
export_bpf (struct mrc_sec_seccomp *out, scmp_filter_ctx ctx,
            mrc_error_t *err)
{
  cleanup_close int fd = memfd_create ("mrc-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return mrc_fail_errno (err, "linux.seccomp: memfd_create");
  int rc = seccomp_export_bpf (ctx, fd);
  if (rc < 0)
    return mrc_error_set (err, -rc, "linux.seccomp: export the filter");
  struct stat st;
  if (fstat (fd, &st) < 0)
    return mrc_fail_errno (err, "linux.seccomp: export the filter");
  size_t n = (size_t) st.st_size / sizeof (struct sock_filter);
  if (n == 0 || n > BPF_MAXINSNS)
    return mrc_fail (err, "linux.seccomp: the filter has %zu instructions, "
                          "the kernel takes 1..%d", n, BPF_MAXINSNS);
  out->prog = calloc (n, sizeof *out->prog);
  if (out->prog == NULL)
    return mrc_fail_errno (err, "linux.seccomp");
  size_t len = n * sizeof *out->prog;
  ssize_t r;
  do
    r = pread (fd, out->prog, len, 0);
  while (r < 0 && errno == EINTR);
  if (r != (ssize_t) len)
    return mrc_fail_errno (err, "linux.seccomp: read the exported filter");
  out->len = (unsigned short) n;
  return 0;
}

static int
finish_flags (struct mrc_sec_seccomp *o, const struct mrc_seccomp *sc,
              uint32_t def, mrc_error_t *err)
{
  /* The runtime would be the first process stopped on such a filter,
     with nobody yet holding the listener to answer. */
  if (def == SCMP_ACT_NOTIFY)
    return mrc_fail (err, "linux.seccomp.defaultAction: `SCMP_ACT_NOTIFY` "
                          "cannot be the default action");
  if (sc->listener_metadata && !sc->listener_path)
    return mrc_fail (err, "linux.seccomp.listenerMetadata: set without "
                          "listenerPath");
  if (o->notify && !sc->listener_path)
    return mrc_fail (err, "linux.seccomp: `SCMP_ACT_NOTIFY` needs "
                          "listenerPath");
  if (o->notify)
    {
      o->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
      /* TSYNC with a listener is refused unless failures are reported as
         ESRCH; the init is single-threaded, so either way is the same. */
      if (o->flags & SECCOMP_FILTER_FLAG_TSYNC)
        o->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
    }
  else /* meaningless without a listener, and EINVAL for the kernel */
    o->flags &= ~(unsigned) SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  if (o->notify
      && ((o->listener_path = strdup (sc->listener_path)) == NULL
          || (sc->listener_metadata
              && (o->listener_metadata = strdup (sc->listener_metadata))
                     == NULL)))
    return mrc_fail_errno (err, "linux.seccomp");
  return 0;
}

/* A syscall newer than every one the profile names did not exist when the
 * profile was written: it gets ENOSYS, not the default errno, as runc's
 * filter gives it, so that programs (and glibc) fall back to the older
 * call they would use on an older kernel.  "Newer" is by the native
 * number, past MAX_NR; only a refusing default is replaced. */
#define NEWEST_NR_SCAN 1024

static int
add_enosys (scmp_filter_ctx ctx, uint32_t def, int max_nr, mrc_error_t *err)
{
  /* only a default that refuses: errno, kill, trap (not allow, log,
     trace or notify, whose programs see the call) */
  bool refuses = (def & 0xffff0000U) == SCMP_ACT_ERRNO (0)
                 || def == SCMP_ACT_KILL || def == SCMP_ACT_KILL_PROCESS
                 || def == SCMP_ACT_TRAP;
  /* a default that is ENOSYS already (podman's profile) needs nothing, and
     libseccomp refuses a rule that repeats the default */
  if (!refuses || def == SCMP_ACT_ERRNO (ENOSYS) || max_nr < 0)
    return 0;
  for (int nr = max_nr + 1; nr < NEWEST_NR_SCAN; nr++)
    {
      char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_NATIVE, nr);
      if (name == NULL)
        continue;
      int rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOSYS),
                                 seccomp_syscall_resolve_name (name), 0);
      free (name);
      /* -EEXIST: libseccomp has it by another name already */
      if (rc < 0 && rc != -EEXIST)
        return mrc_error_set (err, -rc, "linux.seccomp: add ENOSYS for "
                                        "syscall %d",
                              nr);
    }
  return 0;
}

/* libseccomp's part: the profile checked and compiled into a program. */
static int
compile (struct mrc_security *s, const struct mrc_seccomp *sc, uint32_t def,
         mrc_error_t *err)
{
  __attribute__ ((cleanup (ctx_releasep))) scmp_filter_ctx ctx
      = seccomp_init (def);
  if (ctx == NULL)
    return mrc_fail (err, "linux.seccomp: cannot create a filter with the "
                          "default action `%s`", sc->default_action);
  /* The filter is exported, not loaded by libseccomp: no_new_privs is the
     runtime's decision (process.noNewPrivileges), not the library's. */
  int rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0)
    return mrc_error_set (err, -rc, "linux.seccomp: set filter attribute");
  int max_nr = -1;
  if (add_archs_and_flags (s, ctx, sc, err) < 0
      || add_syscalls (s, ctx, sc, def, &max_nr, err) < 0
      || add_enosys (ctx, def, max_nr, err) < 0)
    return -1;
  return export_bpf (&s->seccomp, ctx, err);
}

int
mrc_sec_seccomp_prepare (struct mrc_security *s, const struct mrc_seccomp *sc,
                         const char *root, mrc_error_t *err)
{
  uint32_t def, flags;
  if (resolve_action (sc->default_action, sc->has_default_errno_ret,
                      sc->default_errno_ret, "linux.seccomp.defaultAction",
                      &def, err) < 0)
    return -1;
  size_t klen = 0, first = s->n_warnings;
  cleanup_free char *key = root ? mrc_sec_seccomp_key (sc, &klen) : NULL;
  bool hit = key && mrc_sec_seccomp_cache_get (root, key, klen, s, &flags);
  if (hit)
    s->seccomp.flags = flags;
  else if (compile (s, sc, def, err) < 0)
    return -1;
  flags = s->seccomp.flags; /* as the profile asked, before finish_flags */
  if (finish_flags (&s->seccomp, sc, def, err) < 0)
    return -1;
  /* only a profile that passed every check is kept */
  if (key && !hit)
    mrc_sec_seccomp_cache_put (root, key, klen, s, flags, first);
  return 0;
}

void
mrc_sec_seccomp_free (struct mrc_sec_seccomp *sc)
{
  free (sc->prog);
  free (sc->listener_path);
  free (sc->listener_metadata);
  memset (sc, 0, sizeof *sc);
}

int
mrc_security_load_seccomp (const struct mrc_security *s, int *notify_fd,
                           mrc_error_t *err)
{
  const struct mrc_sec_seccomp *sc = &s->seccomp;
  *notify_fd = -1;
  if (sc->prog == NULL)
    return 0;
  struct sock_fprog prog = { .len = sc->len, .filter = sc->prog };
  /* With NEW_LISTENER the result is the listener fd, opened O_CLOEXEC by
     the kernel; otherwise 0. */
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, sc->flags, &prog);
  if (r < 0)
    return mrc_fail_errno (err, "load the seccomp filter");
  if (sc->notify)
    *notify_fd = (int) r;
  return 0;
}
