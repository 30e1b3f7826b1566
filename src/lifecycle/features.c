/* `features`: what this build really supports (runtime-spec features.md),
 * generated from the same tables the code uses, so it cannot claim more. */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>
#include <yajl/yajl_gen.h>

#include "mrc/cgroup.h"
#include "mrc/container.h"
#include "mrc/hooks.h"
#include "mrc/names.h"
#include "mrc/security.h"
#include "mrc/spec.h"

static void
str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static void
strv (yajl_gen g, const char *key, const char *const *v)
{
  str (g, key);
  yajl_gen_array_open (g);
  for (size_t i = 0; v && v[i]; i++)
    str (g, v[i]);
  yajl_gen_array_close (g);
}

static void
enabled (yajl_gen g, const char *key, bool on)
{
  str (g, key);
  yajl_gen_map_open (g);
  str (g, "enabled");
  yajl_gen_bool (g, on);
  yajl_gen_map_close (g);
}

static void
gen_top (yajl_gen g)
{
  str (g, "ociVersionMin");
  str (g, "1.0.0");
  str (g, "ociVersionMax");
  str (g, MRC_OCI_VERSION);
  str (g, "hooks");
  yajl_gen_array_open (g);
  for (int k = MRC_HOOK_PRESTART; k <= MRC_HOOK_POSTSTOP; k++)
    str (g, mrc_hook_kind_name ((enum mrc_hook_kind) k));
  yajl_gen_array_close (g);
  str (g, "mountOptions");
  yajl_gen_array_open (g);
  /* every name and recursive form of the option table the parser reads */
  for (size_t i = 0; mrc_names_mount_option_name (i); i++)
    str (g, mrc_names_mount_option_name (i));
  yajl_gen_array_close (g);
}

/* The names process.capabilities accepts (src/security/caps.c). */
static void
gen_capabilities (yajl_gen g)
{
  str (g, "capabilities");
  yajl_gen_array_open (g);
  for (int c = 0; c < 64; c++)
    {
      char name[64];
      if (mrc_security_cap_name (c, name, sizeof name) == 0)
        str (g, name);
    }
  yajl_gen_array_close (g);
}

/* linux.namespaces[].type, from the table src/process/ns.c creates and
   joins them by. */
static void
gen_namespaces (yajl_gen g)
{
  str (g, "namespaces");
  yajl_gen_array_open (g);
  for (const struct mrc_ns_name *n = mrc_names_namespaces; n->name; n++)
    str (g, n->name);
  yajl_gen_array_close (g);
}

/* linux.memoryPolicy, from the rows src/spec/mempolicy.c checks and the
   child applies. */
static void
gen_memory_policy (yajl_gen g)
{
  str (g, "memoryPolicy");
  yajl_gen_map_open (g);
  str (g, "modes");
  yajl_gen_array_open (g);
  for (const struct mrc_mpol_mode *m = mrc_names_mpol_modes; m->name; m++)
    str (g, m->name);
  yajl_gen_array_close (g);
  str (g, "flags");
  yajl_gen_array_open (g);
  for (const struct mrc_mpol_flag *f = mrc_names_mpol_flags; f->name; f++)
    str (g, f->name);
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
}

static void
gen_linux (yajl_gen g)
{
  str (g, "linux");
  yajl_gen_map_open (g);
  gen_namespaces (g);
  gen_capabilities (g);
  str (g, "cgroup");
  yajl_gen_map_open (g);
  static const char *const cg_keys[] = { "v1", "v2", "systemd", "systemdUser",
                                         "rdma" };
  for (size_t i = 0; i < sizeof cg_keys / sizeof cg_keys[0]; i++)
    {
      str (g, cg_keys[i]);
      yajl_gen_bool (g, mrc_features_cgroup (cg_keys[i]));
    }
  yajl_gen_map_close (g);
  str (g, "seccomp");
  yajl_gen_map_open (g);
  str (g, "enabled");
  yajl_gen_bool (g, true);
  strv (g, "actions", mrc_security_seccomp_actions ());
  strv (g, "operators", mrc_security_seccomp_operators ());
  strv (g, "archs", mrc_security_seccomp_archs ());
  strv (g, "knownFlags", mrc_security_seccomp_flags ());
  strv (g, "supportedFlags", mrc_security_seccomp_flags ());
  yajl_gen_map_close (g);
  enabled (g, "apparmor", false);
  enabled (g, "selinux", false);
  enabled (g, "intelRdt", false);
  str (g, "mountExtensions");
  yajl_gen_map_open (g);
  /* id-mapped mounts (src/setup/idmap.c), asked for by the option */
  enabled (g, "idmap", mrc_names_mount_option ("idmap", NULL) != NULL);
  yajl_gen_map_close (g);
  enabled (g, "netDevices", true);
  gen_memory_policy (g);
  yajl_gen_map_close (g);
}

int
mrc_features_json (char **out, size_t *len, mrc_error_t *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    return mrc_fail (err, "features: out of memory");
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_config (g, yajl_gen_indent_string, "    ");
  yajl_gen_map_open (g);
  gen_top (g);
  gen_linux (g);
  str (g, "annotations");
  yajl_gen_map_open (g);
  const struct scmp_version *v = seccomp_version ();
  char ver[32] = "";
  if (v)
    snprintf (ver, sizeof ver, "%u.%u.%u", v->major, v->minor, v->micro);
  str (g, "io.github.seccomp.libseccomp.version");
  str (g, ver);
  /* the cgroup layouts the back ends serve, from their own names */
  char layouts[64] = "";
  for (int l = MRC_CGROUP_UNIFIED; l <= MRC_CGROUP_LEGACY; l++)
    snprintf (layouts + strlen (layouts), sizeof layouts - strlen (layouts),
              "%s%s", *layouts ? "," : "",
              mrc_cgroup_layout_name ((enum mrc_cgroup_layout) l));
  str (g, "org.mini-runc.cgroup.layouts");
  str (g, layouts);
  yajl_gen_map_close (g);
  strv (g, "potentiallyUnsafeConfigAnnotations", NULL);
  yajl_gen_map_close (g);
  const unsigned char *buf;
  size_t n;
  int r = 0;
  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok
      || (*out = strndup ((const char *) buf, n)) == NULL)
    r = mrc_fail (err, "features: generate JSON");
  else
    *len = n;
  yajl_gen_free (g);
  return r;
}

bool
mrc_features_cgroup (const char *key)
{
  /* cgroup v2 (unified), and v1 (hybrid and legacy hosts: src/cgroup/v1.c),
     with the cgroupfs mapping of --systemd-cgroup paths (no systemd D-Bus,
     so not systemdUser); rdma limits go to rdma.max */
  static const char *const supported[] = { "v1", "v2", "systemd", "rdma" };
  for (size_t i = 0; i < sizeof supported / sizeof supported[0]; i++)
    if (strcmp (key, supported[i]) == 0)
      return true;
  return false;
}
