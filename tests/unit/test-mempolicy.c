/* linux.memoryPolicy (src/spec/mempolicy.c): the node list parser
 * (src/util/idlist.c) and the resolved set_mempolicy(2) arguments, and
 * every refusal of a config, whose message must name the field. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mempolicy.h>

#include "mrc/idlist.h"
#include "mrc/names.h"
#include "mrc/spec.h"
#include "tap.h"

#define LONG_BITS (CHAR_BIT * sizeof (long))

static void
count (void *arg, long lo, long hi)
{
  *(long *) arg += hi - lo + 1;
}

static void
test_idlist (void)
{
  long n = 0;
  is_int ((int) mrc_idlist_parse ("0-3,7", 4095, count, &n), 7,
          "0-3,7: highest 7");
  is_int ((int) n, 5, "0-3,7: five ids");
  is_int ((int) mrc_idlist_parse ("4095", 4095, NULL, NULL), 4095,
          "the highest id allowed");
  is_int ((int) mrc_idlist_parse ("2,0", 4095, NULL, NULL), 2,
          "any order: the highest wins");
  static const char *const bad[] = { "",   "3-1",  "1,",   ",1",  "a",
                                     "-1", "1--2", "1-",   "0 1", " 1",
                                     "+1", "1,,2", "4096", "0-4096",
                                     "99999999999999999999" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ok (mrc_idlist_parse (bad[i], 4095, NULL, NULL) < 0,
        "id list `%s` refused", bad[i]);
}

/* A config with linux.memoryPolicy POLICY (JSON text). */
static char *
config (const char *policy)
{
  char *s = NULL;
  if (asprintf (&s,
                "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
                "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
                "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],"
                "\"memoryPolicy\":%s}}",
                policy)
      < 0)
    abort ();
  return s;
}

/* Parse, validate and resolve POLICY; NULL and *OUT filled, or the error. */
static char *
resolve (const char *policy, struct mrc_mempolicy *out)
{
  char *json = config (policy), *msg = NULL;
  struct mrc_spec *spec = NULL;
  mrc_error_t err = NULL;
  if (mrc_spec_parse (json, strlen (json), "config.json", &spec, &err) < 0
      || mrc_spec_validate (spec, &err) < 0
      || mrc_spec_memory_policy (spec->linux_, out, &err) < 0)
    {
      msg = strdup (err->msg);
      mrc_error_free (&err);
    }
  mrc_spec_free (spec);
  free (json);
  return msg;
}

static bool
node_set (const struct mrc_mempolicy *m, unsigned n)
{
  return (m->nodemask[n / LONG_BITS] >> (n % LONG_BITS)) & 1;
}

static void
test_resolved (void)
{
  struct mrc_mempolicy m;
  char *msg = resolve ("{\"mode\":\"MPOL_BIND\",\"nodes\":\"0-2,7,4095\"}",
                       &m);
  ok (msg == NULL && m.set, "bind 0-2,7,4095 resolves");
  ok (node_set (&m, 0) && node_set (&m, 2) && node_set (&m, 7)
          && node_set (&m, 4095) && !node_set (&m, 3) && !node_set (&m, 8),
      "exactly those nodes in the mask");
  is_int (m.mode, MPOL_BIND, "mode MPOL_BIND");
  /* set_mempolicy(2) reads maxnode - 1 bits */
  is_int ((int) m.maxnode, 4097, "maxnode: the highest node + 2");
  free (msg);

  msg = resolve ("{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0\","
                 "\"flags\":[\"MPOL_F_STATIC_NODES\"]}",
                 &m);
  ok (msg == NULL, "interleave with static nodes resolves");
  is_int (m.mode, MPOL_INTERLEAVE | MPOL_F_STATIC_NODES,
          "the flag is or'ed into the mode");
  is_int ((int) m.maxnode, 2, "node 0: maxnode 2");
  free (msg);

  msg = resolve ("{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\","
                 "\"flags\":[\"MPOL_F_NUMA_BALANCING\"]}",
                 &m);
  ok (msg == NULL && m.mode == (MPOL_BIND | MPOL_F_NUMA_BALANCING),
      "bind with NUMA balancing");
  free (msg);

  static const char *const no_nodes[] = {
    "{\"mode\":\"MPOL_DEFAULT\"}", "{\"mode\":\"MPOL_LOCAL\",\"nodes\":\"\"}",
    "{\"mode\":\"MPOL_PREFERRED\"}",
  };
  for (size_t i = 0; i < sizeof no_nodes / sizeof no_nodes[0]; i++)
    {
      msg = resolve (no_nodes[i], &m);
      ok (msg == NULL && m.set && m.maxnode == 0, "%s: no nodes, maxnode 0",
          no_nodes[i]);
      free (msg);
    }
  struct mrc_linux none = { 0 };
  ok (mrc_spec_memory_policy (&none, &m, NULL) == 0 && !m.set,
      "no linux.memoryPolicy: nothing to set");
  ok (mrc_spec_memory_policy (NULL, &m, NULL) == 0 && !m.set,
      "no linux: nothing to set");
}

static void
test_refused (void)
{
  static const struct
  {
    const char *policy, *msg;
  } cases[] = {
    { "{}", "config.json: linux.memoryPolicy.mode: required" },
    { "{\"mode\":\"INTERLEAVE\",\"nodes\":\"0\"}",
      "config.json: linux.memoryPolicy.mode: unknown mode `INTERLEAVE`" },
    { "{\"mode\":\"MPOL_BIND\"}",
      "config.json: linux.memoryPolicy.nodes: required with MPOL_BIND" },
    { "{\"mode\":\"MPOL_PREFERRED_MANY\",\"nodes\":\"\"}",
      "config.json: linux.memoryPolicy.nodes: required with "
      "MPOL_PREFERRED_MANY" },
    { "{\"mode\":\"MPOL_DEFAULT\",\"nodes\":\"0-7\"}",
      "config.json: linux.memoryPolicy.nodes: MPOL_DEFAULT takes no nodes, "
      "got `0-7`" },
    { "{\"mode\":\"MPOL_LOCAL\",\"nodes\":\"0\"}",
      "config.json: linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes, "
      "got `0`" },
    { "{\"mode\":\"MPOL_BIND\",\"nodes\":\"0-9876543210\"}",
      "config.json: linux.memoryPolicy.nodes: `0-9876543210` is not a node "
      "list (such as `0-3,7`, nodes 0 to 4095)" },
    { "{\"mode\":\"MPOL_PREFERRED\",\"nodes\":\"bad\"}",
      "config.json: linux.memoryPolicy.nodes: `bad` is not a node list "
      "(such as `0-3,7`, nodes 0 to 4095)" },
    { "{\"mode\":\"MPOL_PREFERRED\",\"nodes\":\"0\",\"flags\":[\"badflag\"]}",
      "config.json: linux.memoryPolicy.flags: unknown flag `badflag`" },
    { "{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":"
      "[\"MPOL_F_STATIC_NODES\",\"MPOL_F_RELATIVE_NODES\"]}",
      "config.json: linux.memoryPolicy.flags: `MPOL_F_RELATIVE_NODES` and "
      "`MPOL_F_STATIC_NODES` exclude each other" },
    { "{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0\",\"flags\":"
      "[\"MPOL_F_NUMA_BALANCING\"]}",
      "config.json: linux.memoryPolicy.flags: `MPOL_F_NUMA_BALANCING` goes "
      "only with MPOL_BIND or MPOL_PREFERRED_MANY, not MPOL_INTERLEAVE" },
    { "{\"mode\":\"MPOL_PREFERRED\",\"flags\":[\"MPOL_F_STATIC_NODES\"]}",
      "config.json: linux.memoryPolicy.flags: `MPOL_F_STATIC_NODES` needs "
      "nodes to apply to" },
    { "{\"mode\":\"MPOL_LOCAL\",\"flags\":[\"MPOL_F_RELATIVE_NODES\"]}",
      "config.json: linux.memoryPolicy.flags: `MPOL_F_RELATIVE_NODES` needs "
      "nodes to apply to" },
    { "{\"mode\":\"MPOL_BIND\",\"nodes\":0}",
      "config.json: linux.memoryPolicy.nodes: expected a string" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct mrc_mempolicy m;
      char *msg = resolve (cases[i].policy, &m);
      is_str (msg, cases[i].msg, "refused: %s", cases[i].policy);
      free (msg);
    }
}

/* Every mode and flag of the names rows resolves (with nodes where the
   mode takes them) to the row's value. */
static void
test_rows (void)
{
  for (const struct mrc_mpol_mode *r = mrc_names_mpol_modes; r->name; r++)
    {
      char policy[128];
      snprintf (policy, sizeof policy, "{\"mode\":\"%s\"%s}", r->name,
                r->nodes == MRC_MPOL_NODES_NONE ? "" : ",\"nodes\":\"0\"");
      struct mrc_mempolicy m;
      char *msg = resolve (policy, &m);
      ok (msg == NULL && m.mode == r->mode, "mode %s resolves to %d", r->name,
          r->mode);
      free (msg);
    }
  is_int (mrc_names_mpol_mode ("MPOL_WEIGHTED_INTERLEAVE")->mode, 6,
          "MPOL_WEIGHTED_INTERLEAVE is 6 (linux/mempolicy.h, 6.9)");
  is_int (mrc_names_mpol_mode ("MPOL_PREFERRED_MANY")->mode, 5,
          "MPOL_PREFERRED_MANY is 5 (linux/mempolicy.h, 5.15)");
}

int
main (void)
{
  test_idlist ();
  test_resolved ();
  test_refused ();
  test_rows ();
  return done_testing ();
}
