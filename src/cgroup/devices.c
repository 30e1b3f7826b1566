/* Device access control on cgroup v2: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE, built from the rules by hand (no libbpf),
 * loaded with bpf(2) and attached to the container's cgroup.
 * RLIMIT_MEMLOCK is never touched (BPF memory is charged to the memory
 * cgroup since Linux 5.11).
 *
 * The kernel runs the program on every open or mknod of a device node
 * with a struct bpf_cgroup_dev_ctx: access_type (access << 16 | type),
 * major, minor.  It returns 1 to allow, 0 to deny.  The rules are checked
 * last to first, so the last matching rule decides, as writing the rules
 * one by one into cgroup v1's devices.allow/deny would; nothing matching
 * means deny. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "cgroup-internal.h"

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)
#define MAX_ATTACHED 64
#define LOG_SIZE (64 * 1024)

/* runc's default rules, appended after the configured ones so a container
 * always has these (mknod of anything; null, random, full, tty, zero,
 * urandom, the pts and ptmx of its devpts, and tun).  Callers such as
 * Docker rely on them being there. */
static const struct mrc_cgroup_dev_rule default_rules[] = {
  { 'c', -1, -1, BPF_DEVCG_ACC_MKNOD, true },
  { 'b', -1, -1, BPF_DEVCG_ACC_MKNOD, true },
  { 'c', 1, 3, ACC_ALL, true },    /* /dev/null */
  { 'c', 1, 8, ACC_ALL, true },    /* /dev/random */
  { 'c', 1, 7, ACC_ALL, true },    /* /dev/full */
  { 'c', 5, 0, ACC_ALL, true },    /* /dev/tty */
  { 'c', 1, 5, ACC_ALL, true },    /* /dev/zero */
  { 'c', 1, 9, ACC_ALL, true },    /* /dev/urandom */
  { 'c', 136, -1, ACC_ALL, true }, /* /dev/pts/N */
  { 'c', 5, 2, ACC_ALL, true },    /* /dev/ptmx */
  { 'c', 10, 200, ACC_ALL, true }, /* /dev/net/tun */
};

static const struct
{
  char c;
  unsigned bit;
} access_bits[] = {
  { 'r', BPF_DEVCG_ACC_READ },
  { 'w', BPF_DEVCG_ACC_WRITE },
  { 'm', BPF_DEVCG_ACC_MKNOD },
};

static int
parse_rule (const struct mrc_device_cgroup *d, size_t i,
            struct mrc_cgroup_dev_rule *out, mrc_error_t *err)
{
  const char *t = d->type ? d->type : "a";
  if (strcmp (t, "a") != 0 && strcmp (t, "c") != 0 && strcmp (t, "b") != 0)
    return mrc_fail (err, "cgroup: linux.resources.devices[%zu]: invalid "
                          "type `%s`",
                     i, t);
  out->type = t[0];
  out->major = d->has_major && d->major >= 0 ? d->major : -1;
  out->minor = d->has_minor && d->minor >= 0 ? d->minor : -1;
  if (out->major > INT32_MAX || out->minor > INT32_MAX)
    return mrc_fail (err, "cgroup: linux.resources.devices[%zu]: device "
                          "number out of range",
                     i);
  out->allow = d->allow;
  out->access = d->access ? 0 : ACC_ALL;
  for (const char *a = d->access; a && *a; a++)
    {
      size_t k = 0, nk = sizeof access_bits / sizeof access_bits[0];
      while (k < nk && access_bits[k].c != *a)
        k++;
      if (k == nk)
        return mrc_fail (err, "cgroup: linux.resources.devices[%zu]: "
                              "invalid access `%s`",
                         i, d->access);
      out->access |= access_bits[k].bit;
    }
  return 0;
}

int
mrc_cgroup_dev_rules (const struct mrc_resources *r,
                      const struct mrc_device *devs, size_t n_devs,
                      struct mrc_cgroup_dev_rule **out, size_t *n,
                      mrc_error_t *err)
{
  size_t nr = r ? r->n_devices : 0;
  size_t nd = sizeof default_rules / sizeof default_rules[0];
  cleanup_free struct mrc_cgroup_dev_rule *v
      = calloc (nr + nd + n_devs + 1, sizeof *v);
  size_t k = 0;
  if (v == NULL)
    return mrc_fail_errno (err, "cgroup: device rules");
  for (size_t i = 0; i < nr; i++)
    if (parse_rule (&r->devices[i], i, &v[k++], err) < 0)
      return -1;
  memcpy (&v[k], default_rules, sizeof default_rules);
  k += nd;
  for (size_t i = 0; i < n_devs; i++)
    {
      const char *t = devs[i].type ? devs[i].type : "";
      /* A fifo is no device to the kernel; "u" is an unbuffered char. */
      if (strcmp (t, "c") != 0 && strcmp (t, "u") != 0 && strcmp (t, "b"))
        continue;
      if (devs[i].major < 0 || devs[i].major > INT32_MAX
          || devs[i].minor < 0 || devs[i].minor > INT32_MAX)
        return mrc_fail (err, "cgroup: linux.devices `%s`: device number "
                              "out of range",
                         devs[i].path ? devs[i].path : "");
      v[k++] = (struct mrc_cgroup_dev_rule){
        t[0] == 'b' ? 'b' : 'c', devs[i].major, devs[i].minor, ACC_ALL, true
      };
    }
  *out = steal_ptr (&v);
  *n = k;
  return 0;
}

/* ------------------------------------------------------- the program -- */

struct prog
{
  struct bpf_insn *v;
  size_t n;
  size_t cap;
};

static int
emit (struct prog *p, uint8_t code, uint8_t dst, uint8_t src, int16_t off,
      int32_t imm)
{
  if (p->n == p->cap)
    {
      size_t cap = p->cap ? p->cap * 2 : 64;
      struct bpf_insn *n = realloc (p->v, cap * sizeof *n);
      if (n == NULL)
        return -1;
      p->v = n;
      p->cap = cap;
    }
  p->v[p->n++] = (struct bpf_insn){ .code = code, .dst_reg = dst,
                                    .src_reg = src, .off = off, .imm = imm };
  return 0;
}

enum
{
  R_TYPE = 2,
  R_ACCESS = 3,
  R_MAJOR = 4,
  R_MINOR = 5,
  R_TMP = 1
};

#define JMP32(op) (BPF_JMP32 | (op) | BPF_K)

/* One rule: jumps to the end of its block when it does not match, else
 * returns its verdict.  Jump offsets are patched once the block's length
 * is known.  *UNCONDITIONAL: the rule matches everything. */
static int
emit_rule (struct prog *p, const struct mrc_cgroup_dev_rule *r,
           bool *unconditional)
{
  size_t start = p->n;
  int rc = 0;
  if (r->type != 'a')
    rc |= emit (p, JMP32 (BPF_JNE), R_TYPE, 0, 0,
                r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
  if (r->allow && r->access != ACC_ALL)
    {
      /* Allowed only when every requested access is granted. */
      rc |= emit (p, BPF_ALU | BPF_MOV | BPF_X, R_TMP, R_ACCESS, 0, 0);
      rc |= emit (p, BPF_ALU | BPF_AND | BPF_K, R_TMP, 0, 0,
                  (int32_t) (~r->access & ACC_ALL));
      rc |= emit (p, JMP32 (BPF_JNE), R_TMP, 0, 0, 0);
    }
  else if (!r->allow && r->access != ACC_ALL)
    {
      /* Denied as soon as any requested access is covered. */
      rc |= emit (p, BPF_ALU | BPF_MOV | BPF_X, R_TMP, R_ACCESS, 0, 0);
      rc |= emit (p, BPF_ALU | BPF_AND | BPF_K, R_TMP, 0, 0,
                  (int32_t) r->access);
      rc |= emit (p, JMP32 (BPF_JEQ), R_TMP, 0, 0, 0);
    }
  if (r->major >= 0)
    rc |= emit (p, JMP32 (BPF_JNE), R_MAJOR, 0, 0, (int32_t) r->major);
  if (r->minor >= 0)
    rc |= emit (p, JMP32 (BPF_JNE), R_MINOR, 0, 0, (int32_t) r->minor);
  *unconditional = p->n == start;
  rc |= emit (p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r->allow ? 1 : 0);
  rc |= emit (p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  if (rc)
    return -1;
  for (size_t i = start; i < p->n; i++)
    if (BPF_CLASS (p->v[i].code) == BPF_JMP32)
      p->v[i].off = (int16_t) (p->n - i - 1);
  return 0;
}

int
mrc_cgroup_dev_program (const struct mrc_cgroup_dev_rule *rules, size_t n,
                        struct bpf_insn **insns, size_t *n_insns,
                        mrc_error_t *err)
{
  struct prog p = { NULL, 0, 0 };
  int rc = 0;
  /* Split access_type into its type (low 16 bits) and access (high). */
  rc |= emit (&p, BPF_LDX | BPF_MEM | BPF_W, R_TYPE, 1, 0, 0);
  rc |= emit (&p, BPF_ALU | BPF_MOV | BPF_X, R_ACCESS, R_TYPE, 0, 0);
  rc |= emit (&p, BPF_ALU | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff);
  rc |= emit (&p, BPF_ALU | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16);
  rc |= emit (&p, BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, 1, 4, 0);
  rc |= emit (&p, BPF_LDX | BPF_MEM | BPF_W, R_MINOR, 1, 8, 0);
  bool all = false;
  for (size_t i = n; rc == 0 && !all && i-- > 0;)
    {
      /* A rule that can never match would only make dead code. */
      if (rules[i].access == 0)
        continue;
      rc = emit_rule (&p, &rules[i], &all);
    }
  /* After a rule that matches everything, more code would be unreachable,
     which the verifier refuses. */
  if (rc == 0 && !all)
    {
      rc |= emit (&p, BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
      rc |= emit (&p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
  if (rc)
    {
      free (p.v);
      return mrc_fail_errno (err, "cgroup: build the device program");
    }
  *insns = p.v;
  *n_insns = p.n;
  return 0;
}

/* ------------------------------------------------ loading, attaching -- */

static long
sys_bpf (int cmd, union bpf_attr *attr)
{
  return syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

static int
load (const struct bpf_insn *insns, size_t n, mrc_error_t *err)
{
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t) (uintptr_t) insns;
  a.insn_cnt = (uint32_t) n;
  a.license = (uint64_t) (uintptr_t) "Apache-2.0";
  int fd = (int) sys_bpf (BPF_PROG_LOAD, &a);
  if (fd >= 0)
    return fd;
  int saved = errno;
  if (saved != EINVAL && saved != EACCES)
    return mrc_error_set (err, saved, "cgroup: load the device program");
  /* Once more with the verifier's log, to say why. */
  cleanup_free char *log = calloc (1, LOG_SIZE);
  if (log)
    {
      a.log_buf = (uint64_t) (uintptr_t) log;
      a.log_size = LOG_SIZE;
      a.log_level = 1;
      fd = (int) sys_bpf (BPF_PROG_LOAD, &a);
      if (fd >= 0)
        return fd;
      size_t len = strlen (log);
      while (len > 0 && log[len - 1] == '\n')
        log[--len] = '\0';
      char *last = strrchr (log, '\n');
      return mrc_error_set (err, saved,
                            "cgroup: load the device program (%s)",
                            last ? last + 1 : log);
    }
  return mrc_error_set (err, saved, "cgroup: load the device program");
}

/* Programs attached to DIRFD now, by id. */
static int
query (int dirfd, uint32_t *ids, uint32_t *n, mrc_error_t *err)
{
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.query.target_fd = (uint32_t) dirfd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uint64_t) (uintptr_t) ids;
  a.query.prog_cnt = *n;
  if (sys_bpf (BPF_PROG_QUERY, &a) < 0)
    return mrc_fail_errno (err, "cgroup: query device programs");
  *n = a.query.prog_cnt < *n ? a.query.prog_cnt : *n;
  return 0;
}

static void
detach_id (int dirfd, uint32_t id)
{
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.prog_id = id;
  int fd = (int) sys_bpf (BPF_PROG_GET_FD_BY_ID, &a);
  if (fd < 0)
    return;
  memset (&a, 0, sizeof a);
  a.target_fd = (uint32_t) dirfd;
  a.attach_bpf_fd = (uint32_t) fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  (void) sys_bpf (BPF_PROG_DETACH, &a);
  close (fd);
}

/* ------------------------------------------ sharing a loaded program -- */

/* Loading runs the kernel's verifier, the dearest step of a container's
 * cgroup setup (~0.25 ms here), and most containers of a host get the very
 * same program (the default rules).  A program lives as long as a cgroup
 * holds it, so a container may attach the one a live sibling loaded.  The
 * ids of programs recently loaded are a hint in the state root
 * (HINT_FILE), nothing outside what mini-runc owns.  A hinted
 * program is used only when the kernel reports it to be a device program
 * whose instructions, as the kernel holds them, are exactly the ones just
 * built for this container: programs with equal instructions and type
 * decide alike, so a stale, wrong or crafted hint can only be a miss.  Any
 * doubt is a miss, and a hint that cannot be read or written only costs
 * the load. */
#define HINT_FILE ".device-programs"
#define HINT_MAX 8

/* Whether FD is a device program with exactly the N instructions INSNS;
 * its id in *ID either way (0 when unknown). */
static bool
same_program (int fd, const struct bpf_insn *insns, size_t n, uint32_t *id)
{
  cleanup_free struct bpf_insn *buf = calloc (n + 1, sizeof *buf);
  struct bpf_prog_info info;
  union bpf_attr a;
  *id = 0;
  if (buf == NULL)
    return false;
  memset (&info, 0, sizeof info);
  info.xlated_prog_insns = (uint64_t) (uintptr_t) buf;
  info.xlated_prog_len = (uint32_t) ((n + 1) * sizeof *buf);
  memset (&a, 0, sizeof a);
  a.info.bpf_fd = (uint32_t) fd;
  a.info.info_len = sizeof info;
  a.info.info = (uint64_t) (uintptr_t) &info;
  if (sys_bpf (BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
    return false;
  *id = info.id;
  /* without the right to read them the kernel leaves the buffer zeroed */
  return info.type == BPF_PROG_TYPE_CGROUP_DEVICE
         && info.xlated_prog_len == n * sizeof *buf
         && memcmp (buf, insns, n * sizeof *buf) == 0;
}

static size_t
hint_read (int dir, uint32_t ids[HINT_MAX])
{
  char buf[HINT_MAX * 11 + 1];
  cleanup_close int fd = dir < 0 ? -1
                                 : openat (dir, HINT_FILE, O_RDONLY
                                                               | O_NOFOLLOW
                                                               | O_CLOEXEC);
  ssize_t len = fd < 0 ? -1 : read (fd, buf, sizeof buf - 1);
  size_t n = 0;
  if (len <= 0)
    return 0;
  buf[len] = '\0';
  for (char *p = buf, *end; n < HINT_MAX && *p; p = end)
    {
      unsigned long v = strtoul (p, &end, 10);
      if (end == p || v == 0 || v > UINT32_MAX)
        break;
      ids[n++] = (uint32_t) v;
      while (*end == ' ')
        end++;
    }
  return n;
}

/* ID first, then the other programs of the old hint still alive. */
static void
hint_write (int dir, uint32_t id, const uint32_t *alive, size_t n)
{
  char buf[HINT_MAX * 11 + 1];
  int len = snprintf (buf, sizeof buf, "%" PRIu32, id);
  for (size_t i = 0; i < n && i + 1 < HINT_MAX; i++)
    len += snprintf (buf + len, sizeof buf - (size_t) len, " %" PRIu32,
                     alive[i]);
  mrc_error_t ignored = NULL;
  if (mrc_write_file_atomic (dir, HINT_FILE, buf, (size_t) len, 0600,
                             &ignored) < 0)
    mrc_error_free (&ignored); /* only a hint: the next one loads its own */
}

/* A program with these instructions: a live one the hint names, else a
 * new one, then named first in the hint.  Its id in *ID (0: unknown). */
static int
shared_or_load (int hint_dir, const struct bpf_insn *insns, size_t n,
                uint32_t *id, mrc_error_t *err)
{
  uint32_t ids[HINT_MAX], alive[HINT_MAX];
  size_t n_ids = hint_read (hint_dir, ids), n_alive = 0;
  for (size_t i = 0; i < n_ids; i++)
    {
      union bpf_attr a;
      memset (&a, 0, sizeof a);
      a.prog_id = ids[i];
      int fd = (int) sys_bpf (BPF_PROG_GET_FD_BY_ID, &a);
      if (fd < 0)
        continue; /* gone with the last cgroup that held it */
      if (same_program (fd, insns, n, id))
        return fd;
      close (fd);
      alive[n_alive++] = ids[i];
    }
  int fd = load (insns, n, err);
  /* named only when the kernel shows its instructions as built, or no
     later container could ever match it */
  if (fd >= 0 && same_program (fd, insns, n, id) && hint_dir >= 0)
    hint_write (hint_dir, *id, alive, n_alive);
  return fd;
}

int
mrc_cgroup_devices_load (struct mrc_cgroup *cg, mrc_error_t *err)
{
  const struct mrc_linux *l = cg->devices;
  cleanup_free struct mrc_cgroup_dev_rule *rules = NULL;
  cleanup_free struct bpf_insn *insns = NULL;
  size_t n_rules, n_insns;
  if (l == NULL || cg->device_prog >= 0)
    return 0;
  if (mrc_cgroup_dev_rules (l->resources, l->devices, l->n_devices, &rules,
                            &n_rules, err)
          < 0
      || mrc_cgroup_dev_program (rules, n_rules, &insns, &n_insns, err) < 0)
    return -1;
  cg->device_prog = shared_or_load (cg->hint_dir, insns, n_insns,
                                    &cg->device_prog_id, err);
  return cg->device_prog < 0 ? -1 : 0;
}

int
mrc_cgroup_devices_attach (struct mrc_cgroup *cg, mrc_error_t *err)
{
  uint32_t old[MAX_ATTACHED], n_old = MAX_ATTACHED;
  if (cg->devices == NULL)
    return 0;
  if (mrc_cgroup_devices_load (cg, err) < 0
      || query (cg->fd, old, &n_old, err) < 0)
    return -1;
  cleanup_close int prog = cg->device_prog;
  uint32_t id = cg->device_prog_id;
  cg->device_prog = -1;
  cg->devices = NULL;
  /* A shared program this cgroup already holds (it joined an existing
     cgroup with the same rules) stays as it is: attaching it twice would
     fail. */
  bool held = false;
  for (uint32_t i = 0; id && i < n_old; i++)
    held |= old[i] == id;
  for (uint32_t i = 0; held && i < n_old; i++)
    if (old[i] != id)
      detach_id (cg->fd, old[i]);
  if (held)
    return 0;
  union bpf_attr a;
  memset (&a, 0, sizeof a);
  a.target_fd = (uint32_t) cg->fd;
  a.attach_bpf_fd = (uint32_t) prog;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf (BPF_PROG_ATTACH, &a) < 0)
    return mrc_fail_errno (err, "cgroup: attach the device program");
  /* The new program is in place before the old ones go: there is no
     moment without a filter. */
  for (uint32_t i = 0; i < n_old; i++)
    detach_id (cg->fd, old[i]);
  return 0;
}
