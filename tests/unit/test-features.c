/* `features` against the code's own tables: every hook kind, every row of
 * the namespace, mount option and memory policy tables
 * (include/mrc/names.h), every capability name the config accepts, every
 * seccomp name of the security tables, idmap mounts, and nothing claimed
 * that is not implemented. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "mrc/container.h"
#include "mrc/hooks.h"
#include "mrc/names.h"
#include "mrc/security.h"
#include "mrc/setup.h"
#include "tap.h"

static bool
array_has (yajl_val arr, const char *s)
{
  for (size_t i = 0; arr && YAJL_IS_ARRAY (arr) && i < arr->u.array.len; i++)
    if (YAJL_IS_STRING (arr->u.array.values[i])
        && strcmp (arr->u.array.values[i]->u.string, s) == 0)
      return true;
  return false;
}

static yajl_val
get4 (yajl_val root, const char *a, const char *b, const char *c,
      const char *d)
{
  const char *path[] = { a, b, c, d, NULL };
  return yajl_tree_get (root, path, yajl_t_any);
}

static yajl_val
get (yajl_val root, const char *a, const char *b, const char *c)
{
  return get4 (root, a, b, c, NULL);
}

static void
check_list (yajl_val arr, const char *const *names, const char *what)
{
  bool all = true;
  size_t n = 0;
  for (; names && names[n]; n++)
    if (!array_has (arr, names[n]))
      {
        diag ("%s: `%s` missing", what, names[n]);
        all = false;
      }
  ok (all && arr && YAJL_IS_ARRAY (arr) && arr->u.array.len == n,
      "%s: exactly the code's table (%zu)", what, n);
}

/* The names of a names.h table (rows of SIZE bytes that begin with their
   name, up to the NULL one) into OUT, NULL-terminated. */
static void
row_names (const void *table, size_t size, const char **out)
{
  size_t n = 0;
  for (const char *row = table; *(const char *const *) row; row += size)
    out[n++] = *(const char *const *) row;
  out[n] = NULL;
}

int
main (void)
{
  char *json = NULL;
  size_t len;
  mrc_error_t err = NULL;
  ok (mrc_features_json (&json, &len, &err) == 0, "features json builds");
  char ebuf[256];
  yajl_val root = yajl_tree_parse (json ? json : "", ebuf, sizeof ebuf);
  ok (root != NULL, "features json parses");

  /* the newest version whose additions are all implemented: raise it with
     the reason (include/mrc/spec.h), not by accident */
  yajl_val max = get (root, "ociVersionMax", NULL, NULL);
  is_str (YAJL_IS_STRING (max) ? YAJL_GET_STRING (max) : NULL, "1.2.1",
          "ociVersionMax: 1.2.1 (execCPUAffinity; 1.3.0 not all there)");

  bool hooks = true;
  for (int k = MRC_HOOK_PRESTART; k <= MRC_HOOK_POSTSTOP; k++)
    hooks &= array_has (get (root, "hooks", NULL, NULL),
                        mrc_hook_kind_name ((enum mrc_hook_kind) k));
  ok (hooks, "every hook kind is listed");

  yajl_val opts = get (root, "mountOptions", NULL, NULL);
  bool parse_all = true;
  for (size_t i = 0; opts && i < opts->u.array.len; i++)
    {
      char *one[] = { opts->u.array.values[i]->u.string, NULL };
      struct mrc_mount_flags f;
      mrc_error_t e = NULL;
      if (mrc_mount_options_parse (one, &f, &e) < 0)
        {
          diag ("listed mount option `%s` is refused: %s", one[0], e->msg);
          mrc_error_free (&e);
          parse_all = false;
        }
      else
        mrc_mount_flags_clear (&f);
    }
  ok (opts && opts->u.array.len > 0 && parse_all,
      "every listed mount option is accepted by the option parser");

  /* every row of the tables the code applies, and only those */
  const char *names[256];
  size_t n = 0;
  for (const struct mrc_ns_name *r = mrc_names_namespaces; r->name; r++)
    names[n++] = r->name;
  names[n] = NULL;
  check_list (get (root, "linux", "namespaces", NULL), names, "namespaces");
  for (n = 0; mrc_names_mount_option_name (n) && n + 1 < 256; n++)
    names[n] = mrc_names_mount_option_name (n);
  names[n] = NULL;
  check_list (opts, names, "mount options");
  char caps[64][64];
  n = 0;
  for (int c = 0; c < 64; c++)
    if (mrc_security_cap_name (c, caps[n], sizeof caps[n]) == 0)
      {
        names[n] = caps[n];
        n++;
      }
  names[n] = NULL;
  check_list (get (root, "linux", "capabilities", NULL), names,
              "capabilities");
  ok (array_has (get (root, "linux", "capabilities", NULL), "CAP_SYS_ADMIN"),
      "capabilities: CAP_SYS_ADMIN");
  ok (YAJL_IS_TRUE (get4 (root, "linux", "mountExtensions", "idmap",
                          "enabled")),
      "mountExtensions.idmap: enabled (src/setup/idmap.c)");
  ok (array_has (opts, "idmap") && array_has (opts, "ridmap"),
      "idmap and ridmap are listed");

  check_list (get (root, "linux", "seccomp", "actions"),
              mrc_security_seccomp_actions (), "seccomp actions");
  check_list (get (root, "linux", "seccomp", "operators"),
              mrc_security_seccomp_operators (), "seccomp operators");
  check_list (get (root, "linux", "seccomp", "archs"),
              mrc_security_seccomp_archs (), "seccomp archs");
  check_list (get (root, "linux", "seccomp", "knownFlags"),
              mrc_security_seccomp_flags (), "seccomp flags");
  ok (YAJL_IS_TRUE (get (root, "linux", "cgroup", "v1")),
      "cgroup v1: the hybrid and legacy back end");
  yajl_val layouts = get (root, "annotations", "org.mini-runc.cgroup.layouts",
                          NULL);
  const char *ls = YAJL_IS_STRING (layouts) ? YAJL_GET_STRING (layouts) : "";
  ok (strcmp (ls ? ls : "", "unified,hybrid,legacy") == 0,
      "the cgroup layouts served are listed");
  ok (YAJL_IS_TRUE (get (root, "linux", "cgroup", "v2")), "cgroup v2");
  ok (YAJL_IS_TRUE (get (root, "linux", "netDevices", "enabled")),
      "netDevices");
  row_names (mrc_names_mpol_modes, sizeof *mrc_names_mpol_modes, names);
  check_list (get (root, "linux", "memoryPolicy", "modes"), names,
              "memoryPolicy modes");
  row_names (mrc_names_mpol_flags, sizeof *mrc_names_mpol_flags, names);
  check_list (get (root, "linux", "memoryPolicy", "flags"), names,
              "memoryPolicy flags");
  ok (YAJL_IS_FALSE (get (root, "linux", "apparmor", "enabled"))
          && YAJL_IS_FALSE (get (root, "linux", "selinux", "enabled")),
      "apparmor and selinux: not claimed");
  yajl_tree_free (root);
  free (json);
  return done_testing ();
}
