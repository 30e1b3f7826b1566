/* linux.memoryPolicy (runtime-spec 1.3): checked against set_mempolicy(2)'s
 * rules, as the rows of include/mrc/names.h state them, and resolved into
 * the call's arguments.  Validation runs it to refuse a bad policy before
 * anything exists; the launch plan runs it again to keep the result, so
 * the child only makes the call. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mrc/idlist.h"
#include "mrc/names.h"
#include "mrc/spec.h"

#define AT "config.json: linux.memoryPolicy."
#define LONG_BITS (CHAR_BIT * sizeof (long))

static void
add_nodes (void *arg, long lo, long hi)
{
  unsigned long *mask = arg;
  for (long n = lo; n <= hi; n++)
    mask[n / LONG_BITS] |= 1UL << (n % LONG_BITS);
}

static int
resolve_nodes (const struct mrc_memory_policy *p,
               const struct mrc_mpol_mode *mode, struct mrc_mempolicy *out,
               mrc_error_t *err)
{
  bool given = p->nodes && *p->nodes;
  if (given && mode->nodes == MRC_MPOL_NODES_NONE)
    return mrc_fail (err, AT "nodes: %s takes no nodes, got `%s`",
                     mode->name, p->nodes);
  if (!given && mode->nodes == MRC_MPOL_NODES_REQUIRED)
    return mrc_fail (err, AT "nodes: required with %s", mode->name);
  if (!given)
    return 0;
  long highest = mrc_idlist_parse (p->nodes, MRC_MPOL_MAX_NODE, add_nodes,
                                   out->nodemask);
  if (highest < 0)
    return mrc_fail (err, AT "nodes: `%s` is not a node list (such as "
                             "`0-3,7`, nodes 0 to %d)",
                     p->nodes, MRC_MPOL_MAX_NODE);
  out->maxnode = (unsigned long) highest + 2;
  return 0;
}

/* The modes FLAG goes with, for its error: "MPOL_BIND or MPOL_...". */
static void
modes_of (const struct mrc_mpol_flag *flag, char *buf, size_t size)
{
  *buf = '\0';
  for (const struct mrc_mpol_mode *m = mrc_names_mpol_modes; m->name; m++)
    if (mrc_names_mpol_flag_allows (flag, m))
      snprintf (buf + strlen (buf), size - strlen (buf), "%s%s",
                *buf ? " or " : "", m->name);
}

static const char *
flag_name (int flag)
{
  for (const struct mrc_mpol_flag *f = mrc_names_mpol_flags; f->name; f++)
    if (f->flag == flag)
      return f->name;
  return "?";
}

static int
resolve_flags (const struct mrc_memory_policy *p,
               const struct mrc_mpol_mode *mode, struct mrc_mempolicy *out,
               mrc_error_t *err)
{
  for (size_t i = 0; p->flags && p->flags[i]; i++)
    {
      const struct mrc_mpol_flag *f = mrc_names_mpol_flag (p->flags[i]);
      char modes[256];
      if (f == NULL)
        return mrc_fail (err, AT "flags: unknown flag `%s`", p->flags[i]);
      if (!mrc_names_mpol_flag_allows (f, mode))
        {
          modes_of (f, modes, sizeof modes);
          return mrc_fail (err, AT "flags: `%s` goes only with %s, not %s",
                           f->name, modes, mode->name);
        }
      if (f->needs_nodes && out->maxnode == 0)
        return mrc_fail (err, AT "flags: `%s` needs nodes to apply to",
                         f->name);
      out->mode |= f->flag;
    }
  for (const struct mrc_mpol_flag *f = mrc_names_mpol_flags; f->name; f++)
    if ((out->mode & f->flag) && (out->mode & f->excludes))
      return mrc_fail (err, AT "flags: `%s` and `%s` exclude each other",
                       f->name, flag_name (f->excludes));
  return 0;
}

int
mrc_spec_memory_policy (const struct mrc_linux *l, struct mrc_mempolicy *out,
                        mrc_error_t *err)
{
  memset (out, 0, sizeof *out);
  const struct mrc_memory_policy *p = l ? l->memory_policy : NULL;
  if (p == NULL)
    return 0;
  const struct mrc_mpol_mode *mode = mrc_names_mpol_mode (p->mode);
  if (mode == NULL)
    return mrc_fail (err, AT "mode: unknown mode `%s`", p->mode);
  out->mode = mode->mode;
  if (resolve_nodes (p, mode, out, err) < 0
      || resolve_flags (p, mode, out, err) < 0)
    {
      memset (out, 0, sizeof *out);
      return -1;
    }
  out->set = true;
  return 0;
}
