/* linux.sysctl keys against the container's namespaces (pure, no root). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/setup.h"
#include "tap.h"

static const char *
check (const char *key, bool net, bool ipc, bool uts)
{
  static char msg[512];
  struct mrc_kv kv = { (char *) key, (char *) "1" };
  struct mrc_linux l = { .sysctl = &kv, .n_sysctl = 1 };
  struct mrc_spec spec = { .linux_ = &l };
  struct mrc_launch ctx = {
    .spec = &spec,
    .ns.own_flags = (net ? CLONE_NEWNET : 0) | (ipc ? CLONE_NEWIPC : 0)
                    | (uts ? CLONE_NEWUTS : 0),
  };
  mrc_error_t err = NULL;
  if (mrc_setup_sysctl_check (&ctx, &err) == 0)
    return NULL;
  snprintf (msg, sizeof msg, "%s", err->msg);
  mrc_error_free (&err);
  return msg;
}

static const struct
{
  const char *key;
  bool net, ipc, uts;
  const char *want; /* a word of the error, NULL: accepted */
} cases[] = {
  { "net.ipv4.ip_forward", true, false, false, NULL },
  { "net.ipv4.ip_forward", false, true, true, "no network namespace" },
  { "net.core.somaxconn", true, false, false, NULL },
  { "kernel.shmmax", false, true, false, NULL },
  { "kernel.shmmax", true, false, true, "no ipc namespace" },
  { "kernel.msgmnb", false, true, false, NULL },
  { "kernel.sem", false, true, false, NULL },
  { "kernel.sem", true, false, true, "`kernel.sem`" },
  { "kernel.semfoo", true, true, true, "not in a namespace" },
  { "fs.mqueue.msg_max", false, true, false, NULL },
  { "fs.mqueue.msg_max", true, false, true, "no ipc namespace" },
  { "fs.mqueue.", true, true, true, "empty component" },
  { "kernel.hostname", false, false, true, NULL },
  { "kernel.domainname", true, true, false, "no uts namespace" },
  { "kernel.pid_max", true, true, true, "would change the host" },
  { "vm.swappiness", true, true, true, "`vm.swappiness`" },
  { "net/ipv4/ip_forward", true, true, true, "`/` in a key" },
  { "net.ipv4.conf.all/../../../kernel/core_pattern", true, true, true,
    "`/` in a key" },
  { "net..ipv4", true, true, true, "empty component" },
  { ".net.ipv4", true, true, true, "empty component" },
  { "net", true, true, true, "not in a namespace" },
  { "", true, true, true, "empty key" },
};

int
main (void)
{
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      const char *got = check (cases[i].key, cases[i].net, cases[i].ipc,
                               cases[i].uts);
      if (cases[i].want == NULL)
        is_str (got, NULL, "`%s` accepted", cases[i].key);
      else
        ok (got && strstr (got, cases[i].want), "`%s` refused: %s",
            cases[i].key, got ? got : "(accepted)");
    }
  struct mrc_spec none = { 0 };
  struct mrc_launch ctx = { .spec = &none };
  mrc_error_t err = NULL;
  ok (mrc_setup_sysctl_check (&ctx, &err) == 0, "no linux section: nothing to check");
  return done_testing ();
}
