/* The device eBPF program: rules -> instructions, checked by running the
 * program in a small interpreter of the instructions the builder uses
 * (no root needed), and, as root, by having the kernel's verifier load
 * it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../src/cgroup/cgroup-internal.h"
#include "mrc/spec.h"
#include "tap.h"

#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD
#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK

/* Run PROG on one request; -1 when it uses an instruction we do not know,
 * jumps out of bounds or runs too long. */
static int
run (const struct bpf_insn *prog, size_t n, unsigned type, unsigned access,
     uint32_t major, uint32_t minor)
{
  uint32_t ctx[3] = { access << 16 | type, major, minor };
  uint64_t reg[11] = { 0 };
  for (size_t pc = 0, steps = 0; pc < n && steps < 100000; pc++, steps++)
    {
      const struct bpf_insn *i = &prog[pc];
      uint32_t d32 = (uint32_t) reg[i->dst_reg];
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W:
          if (i->src_reg != 1 || i->imm != 0 || i->off % 4 || i->off < 0
              || i->off > 8)
            return -1;
          reg[i->dst_reg] = ctx[i->off / 4];
          break;
        case BPF_ALU | BPF_MOV | BPF_X:
          reg[i->dst_reg] = (uint32_t) reg[i->src_reg];
          break;
        case BPF_ALU | BPF_AND | BPF_K:
          reg[i->dst_reg] = d32 & (uint32_t) i->imm;
          break;
        case BPF_ALU | BPF_RSH | BPF_K:
          reg[i->dst_reg] = d32 >> i->imm;
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          reg[i->dst_reg] = (uint64_t) (int64_t) i->imm;
          break;
        case BPF_JMP32 | BPF_JNE | BPF_K:
          if (d32 != (uint32_t) i->imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP32 | BPF_JEQ | BPF_K:
          if (d32 == (uint32_t) i->imm)
            pc += (size_t) i->off;
          break;
        case BPF_JMP | BPF_EXIT:
          return (int) reg[0];
        default:
          return -1;
        }
    }
  return -1;
}

struct prog
{
  struct bpf_insn *v;
  size_t n;
};

static struct prog
build (const struct mrc_resources *r, const struct mrc_device *devs,
       size_t n_devs)
{
  struct prog p = { NULL, 0 };
  struct mrc_cgroup_dev_rule *rules = NULL;
  size_t n = 0;
  mrc_error_t err = NULL;
  if (mrc_cgroup_dev_rules (r, devs, n_devs, &rules, &n, &err) < 0
      || mrc_cgroup_dev_program (rules, n, &p.v, &p.n, &err) < 0)
    diag ("build: %s", err ? err->msg : "?");
  mrc_error_free (&err);
  free (rules);
  return p;
}

static void
expect (struct prog p, unsigned type, unsigned acc, uint32_t maj,
        uint32_t min, int want, const char *what)
{
  is_int (run (p.v, p.n, type, acc, maj, min), want, "%s", what);
}

/* The usual config: deny everything, then the runtime's defaults. */
static void
test_deny_all_then_defaults (void)
{
  struct mrc_device_cgroup rules[] = { { .allow = false, .access = "rwm" } };
  struct mrc_resources r = { .devices = rules, .n_devices = 1 };
  struct mrc_device dev[] = { { .type = "c", .path = "/dev/fuse",
                                .major = 10, .minor = 229 } };
  struct prog p = build (&r, dev, 1);
  ok (p.n > 0, "program built (%zu instructions)", p.n);
  expect (p, CHR, R | W, 1, 3, 1, "/dev/null rw allowed (default)");
  expect (p, CHR, R, 1, 9, 1, "/dev/urandom allowed");
  expect (p, CHR, R | W, 136, 4, 1, "/dev/pts/4 allowed (any minor)");
  expect (p, CHR, R | W, 5, 2, 1, "/dev/ptmx allowed");
  expect (p, CHR, R | W, 10, 200, 1, "/dev/net/tun allowed");
  expect (p, CHR, R | W, 10, 229, 1, "linux.devices /dev/fuse allowed");
  expect (p, BLK, R, 8, 0, 0, "block 8:0 read denied");
  expect (p, BLK, M, 8, 0, 1, "block mknod allowed (runc's default)");
  expect (p, CHR, M, 4, 1, 1, "char mknod allowed");
  expect (p, CHR, R, 4, 1, 0, "char 4:1 read denied");
  expect (p, CHR, R | M, 4, 1, 0, "read+mknod of 4:1 denied (read is not)");
  expect (p, CHR, W, 1, 1, 0, "/dev/mem write denied");
  free (p.v);
}

/* Later rules win; an allow needs every requested access, a deny any. */
static void
test_order_and_access (void)
{
  struct mrc_device_cgroup rules[] = {
    { .allow = true, .type = "a", .access = "rwm" },
    { .allow = false, .type = "b", .has_major = true, .major = 8,
      .access = "w" },
    { .allow = true, .type = "b", .has_major = true, .major = 8,
      .has_minor = true, .minor = 1, .access = "r" },
  };
  struct mrc_resources r = { .devices = rules, .n_devices = 3 };
  struct prog p = build (&r, NULL, 0);
  expect (p, BLK, R, 8, 0, 1, "allow-all then deny w: 8:0 read allowed");
  expect (p, BLK, W, 8, 0, 0, "8:0 write denied");
  expect (p, BLK, R | W, 8, 0, 0, "8:0 rw denied (w is)");
  expect (p, BLK, R, 8, 1, 1, "8:1 read allowed by the last rule");
  expect (p, BLK, R | W, 8, 1, 0, "8:1 rw: the r rule does not grant w, "
          "the deny does not allow it");
  expect (p, CHR, R | W, 4, 4, 1, "char 4:4 allowed by allow-all");
  free (p.v);

  /* An allow-all as the last rule: everything after it would be dead code
     the verifier refuses, so the program is just "allow". */
  struct mrc_device_cgroup all[] = { { .allow = true, .access = "rwm" } };
  struct mrc_cgroup_dev_rule one;
  struct mrc_cgroup_dev_rule *v = NULL;
  size_t n;
  mrc_error_t err = NULL;
  struct mrc_resources ra = { .devices = all, .n_devices = 1 };
  ok (mrc_cgroup_dev_rules (&ra, NULL, 0, &v, &n, &err) == 0,
      "rules for allow-all");
  one = v[0];
  free (v);
  struct bpf_insn *insns = NULL;
  size_t ni = 0;
  ok (mrc_cgroup_dev_program (&one, 1, &insns, &ni, &err) == 0,
      "program for one allow-all rule");
  is_int (run (insns, ni, BLK, R | W, 8, 0), 1, "  allows block rw");
  is_int (insns[ni - 1].code, BPF_JMP | BPF_EXIT, "  ends with exit");
  is_int (insns[ni - 2].imm, 1, "  returning 1, no deny tail");
  free (insns);

  struct mrc_device_cgroup bad[] = { { .allow = true, .type = "x",
                                       .access = "r" } };
  struct mrc_resources rb = { .devices = bad, .n_devices = 1 };
  ok (mrc_cgroup_dev_rules (&rb, NULL, 0, &v, &n, &err) < 0
          && strstr (err->msg, "invalid type `x`"),
      "unknown type refused: %s", err ? err->msg : "");
  mrc_error_free (&err);
  struct mrc_device_cgroup badacc[] = { { .allow = true, .access = "rx" } };
  rb.devices = badacc;
  ok (mrc_cgroup_dev_rules (&rb, NULL, 0, &v, &n, &err) < 0
          && strstr (err->msg, "invalid access `rx`"),
      "unknown access refused");
  mrc_error_free (&err);
}

/* As root: the kernel's verifier accepts what we build. */
static void
test_kernel_load (void)
{
  if (geteuid () != 0)
    {
      ok (1, "# SKIP not root: the kernel does not load the program");
      return;
    }
  struct mrc_device_cgroup rules[] = { { .allow = false, .access = "rwm" },
                                       { .allow = true, .type = "b",
                                         .has_major = true, .major = 8,
                                         .access = "r" } };
  struct mrc_resources r = { .devices = rules, .n_devices = 2 };
  struct prog p = build (&r, NULL, 0);
  union bpf_attr a;
  char log[8192] = "";
  memset (&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t) (uintptr_t) p.v;
  a.insn_cnt = (uint32_t) p.n;
  a.license = (uint64_t) (uintptr_t) "Apache-2.0";
  a.log_buf = (uint64_t) (uintptr_t) log;
  a.log_size = sizeof log;
  a.log_level = 1;
  int fd = (int) syscall (SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
  if (!ok (fd >= 0, "the verifier accepts the program"))
    diag ("bpf: %s\n%s", strerror (errno), log);
  if (fd >= 0)
    close (fd);
  free (p.v);
}

int
main (void)
{
  test_deny_all_then_defaults ();
  test_order_and_access ();
  test_kernel_load ();
  return done_testing ();
}
