/* Semantic checks on a decoded config, before anything is created.  The
 * decoder already guarantees types, ranges and the fields the spec marks
 * REQUIRED inside lists; here go the rules between fields (hostname needs a
 * uts namespace), the top-level requirements and the names of the
 * vocabularies (include/mrc/names.h).  Messages
 * name the JSON path like the decoder's: `config.json: process.cwd: ...`. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mrc/names.h"
#include "mrc/spec.h"

#include "spec-internal.h"

#define CONFIG "config.json"

static const char *const device_types[] = { "c", "b", "u", "p", NULL };

static const char *const device_cgroup_types[] = { "a", "c", "b", NULL };

static const char *const time_clocks[] = { "monotonic", "boottime", NULL };

static bool
in_table (const char *const *table, const char *s)
{
  for (size_t i = 0; table[i]; i++)
    if (strcmp (table[i], s) == 0)
      return true;
  return false;
}

static bool
is_absolute (const char *path)
{
  return path && path[0] == '/';
}

static int
validate_rlimits (const struct mrc_process *p, const char *name,
                  const char *at, mrc_error_t *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      const struct mrc_rlimit *r = &p->rlimits[i];
      if (mrc_names_find (mrc_names_rlimits, r->type) == NULL)
        return mrc_fail (err, "%s: %srlimits[%zu].type: unknown rlimit `%s`",
                         name, at, i, r->type);
      for (size_t j = 0; j < i; j++)
        if (strcmp (p->rlimits[j].type, r->type) == 0)
          return mrc_fail (err,
                           "%s: %srlimits[%zu].type: duplicate rlimit `%s`",
                           name, at, i, r->type);
      if (r->soft > r->hard)
        return mrc_fail (err,
                         "%s: %srlimits[%zu]: soft limit %" PRIu64
                         " is above hard limit %" PRIu64,
                         name, at, i, r->soft, r->hard);
    }
  return 0;
}

static int
validate_env (const struct mrc_process *p, const char *name, const char *at,
              mrc_error_t *err)
{
  for (size_t i = 0; p->env && p->env[i]; i++)
    {
      const char *eq = strchr (p->env[i], '=');
      if (eq == NULL || eq == p->env[i])
        return mrc_fail (err, "%s: %senv[%zu]: expected KEY=VALUE, got `%s`",
                         name, at, i, p->env[i]);
    }
  return 0;
}

/* AT is the path prefix of the process object: "process." inside
   config.json, "" for a standalone process file. */
static int
validate_process_at (const struct mrc_process *p, const char *name,
                     const char *at, mrc_error_t *err)
{
  if (p->args == NULL)
    return mrc_fail (err, "%s: %sargs: required", name, at);
  if (p->args[0] == NULL)
    return mrc_fail (err, "%s: %sargs: must not be empty", name, at);
  if (p->cwd == NULL)
    return mrc_fail (err, "%s: %scwd: required", name, at);
  if (!is_absolute (p->cwd))
    return mrc_fail (err, "%s: %scwd: `%s` is not an absolute path", name,
                     at, p->cwd);
  if (validate_env (p, name, at, err) < 0
      || validate_rlimits (p, name, at, err) < 0)
    return -1;
  if (p->io_priority
      && !mrc_names_find (mrc_names_ioprio_classes, p->io_priority->klass))
    return mrc_fail (err, "%s: %sioPriority.class: unknown class `%s`", name,
                     at, p->io_priority->klass);
  if (p->scheduler
      && !mrc_names_find (mrc_names_sched_policies, p->scheduler->policy))
    return mrc_fail (err, "%s: %sscheduler.policy: unknown policy `%s`", name,
                     at, p->scheduler->policy);
  return 0;
}

int
mrc_spec_validate_process (const struct mrc_process *p, const char *name,
                           mrc_error_t *err)
{
  return validate_process_at (p, name, "", err);
}

static int
validate_namespaces (const struct mrc_linux *l, mrc_error_t *err)
{
  for (size_t i = 0; i < l->n_namespaces; i++)
    {
      const struct mrc_namespace *ns = &l->namespaces[i];
      if (mrc_names_namespace (ns->type) == NULL)
        return mrc_fail (err,
                         CONFIG ": linux.namespaces[%zu].type: unknown "
                                "namespace type `%s`",
                         i, ns->type);
      for (size_t j = 0; j < i; j++)
        if (strcmp (l->namespaces[j].type, ns->type) == 0)
          return mrc_fail (err,
                           CONFIG ": linux.namespaces[%zu].type: duplicate "
                                  "namespace type `%s`",
                           i, ns->type);
      if (ns->path && !is_absolute (ns->path))
        return mrc_fail (err,
                         CONFIG ": linux.namespaces[%zu].path: `%s` is not "
                                "an absolute path",
                         i, ns->path);
    }
  return 0;
}

/* The kernel takes at most 340 extents, each inside 32 bits, and no two
 * may overlap on either side: refuse what it would, naming the entry. */
#define MAX_ID_EXTENTS 340

static bool
ranges_overlap (uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
  return a < b + bn && b < a + an;
}

static int
validate_id_extents (const char *key, const struct mrc_id_mapping *maps,
                     size_t n, mrc_error_t *err)
{
  if (n > MAX_ID_EXTENTS)
    return mrc_fail (err, CONFIG ": linux.%s: %zu entries, the kernel takes "
                              "at most %d", key, n, MAX_ID_EXTENTS);
  for (size_t i = 0; i < n; i++)
    {
      const struct mrc_id_mapping *m = &maps[i];
      if (m->size == 0)
        return mrc_fail (err, CONFIG ": linux.%s[%zu].size: must be greater "
                                  "than 0", key, i);
      if ((uint64_t) m->container_id + m->size > UINT64_C (1) << 32
          || (uint64_t) m->host_id + m->size > UINT64_C (1) << 32)
        return mrc_fail (err, CONFIG ": linux.%s[%zu]: the range goes past "
                                  "4294967295", key, i);
      for (size_t j = 0; j < i; j++)
        {
          if (ranges_overlap (m->container_id, m->size, maps[j].container_id,
                              maps[j].size))
            return mrc_fail (err, CONFIG ": linux.%s[%zu]: containerID range "
                                      "overlaps entry %zu", key, i, j);
          if (ranges_overlap (m->host_id, m->size, maps[j].host_id,
                              maps[j].size))
            return mrc_fail (err, CONFIG ": linux.%s[%zu]: hostID range "
                                      "overlaps entry %zu", key, i, j);
        }
    }
  return 0;
}

static int
validate_id_mappings (const struct mrc_spec *spec, const char *key,
                      const struct mrc_id_mapping *maps, size_t n,
                      mrc_error_t *err)
{
  const struct mrc_namespace *userns = mrc_spec_namespace (spec, "user");
  if (n > 0 && userns == NULL)
    return mrc_fail (err, CONFIG ": linux.%s: requires a user namespace",
                     key);
  /* With a joined user namespace, mappings (podman sends them) must be
     its own: checked when it is joined (src/process/ns.c). */
  /* As runc: a new user namespace without mappings could do nothing. */
  if (n == 0 && userns && userns->path == NULL)
    return mrc_fail (err,
                     CONFIG ": linux.%s: required with a new user namespace",
                     key);
  return validate_id_extents (key, maps, n, err);
}

static int
validate_time_offsets (const struct mrc_spec *spec, mrc_error_t *err)
{
  const struct mrc_linux *l = spec->linux_;
  if (l->n_time_offsets > 0 && mrc_spec_namespace (spec, "time") == NULL)
    return mrc_fail (err,
                     CONFIG ": linux.timeOffsets: requires a time namespace");
  for (size_t i = 0; i < l->n_time_offsets; i++)
    {
      const struct mrc_time_offset *t = &l->time_offsets[i];
      if (!in_table (time_clocks, t->clock))
        return mrc_fail (err, CONFIG ": linux.timeOffsets: unknown clock `%s`",
                         t->clock);
      if (t->nanosecs >= 1000000000u)
        return mrc_fail (err,
                         CONFIG ": linux.timeOffsets.%s.nanosecs: must be "
                                "less than 1000000000",
                         t->clock);
    }
  return 0;
}

static int
validate_devices (const struct mrc_linux *l, mrc_error_t *err)
{
  for (size_t i = 0; i < l->n_devices; i++)
    {
      const struct mrc_device *d = &l->devices[i];
      if (!in_table (device_types, d->type))
        return mrc_fail (err,
                         CONFIG ": linux.devices[%zu].type: unknown device "
                                "type `%s`",
                         i, d->type);
      if (!is_absolute (d->path))
        return mrc_fail (err,
                         CONFIG ": linux.devices[%zu].path: `%s` is not an "
                                "absolute path",
                         i, d->path);
    }
  return 0;
}

/* Also used for `update --resources`, hence NAME and AT. */
static int
validate_resources (const struct mrc_resources *r, const char *name,
                    const char *at, mrc_error_t *err)
{
  for (size_t i = 0; r && i < r->n_devices; i++)
    {
      const struct mrc_device_cgroup *d = &r->devices[i];
      if (d->type && !in_table (device_cgroup_types, d->type))
        return mrc_fail (err,
                         "%s: %sdevices[%zu].type: unknown device type `%s`",
                         name, at, i, d->type);
      if (d->access && d->access[strspn (d->access, "rwm")] != '\0')
        return mrc_fail (err,
                         "%s: %sdevices[%zu].access: `%s` is not a subset "
                         "of `rwm`",
                         name, at, i, d->access);
    }
  return 0;
}

static int
validate_linux (const struct mrc_spec *spec, mrc_error_t *err)
{
  const struct mrc_linux *l = spec->linux_;
  if (l == NULL)
    return 0;
  if (validate_namespaces (l, err) < 0
      || validate_id_mappings (spec, "uidMappings", l->uid_mappings,
                               l->n_uid_mappings, err)
             < 0
      || validate_id_mappings (spec, "gidMappings", l->gid_mappings,
                               l->n_gid_mappings, err)
             < 0
      || validate_time_offsets (spec, err) < 0
      || validate_devices (l, err) < 0
      || validate_resources (l->resources, CONFIG, "linux.resources.", err)
             < 0)
    return -1;
  struct mrc_mempolicy mempolicy; /* resolved again by the launch plan */
  if (mrc_spec_memory_policy (l, &mempolicy, err) < 0)
    return -1;
  if (l->rootfs_propagation && *l->rootfs_propagation
      && mrc_names_propagation (l->rootfs_propagation) == 0)
    return mrc_fail (err,
                     CONFIG ": linux.rootfsPropagation: unknown propagation "
                            "`%s`",
                     l->rootfs_propagation);
  return 0;
}

static int
validate_hook_list (const char *key, const struct mrc_hook *hooks, size_t n,
                    mrc_error_t *err)
{
  for (size_t i = 0; i < n; i++)
    {
      if (!is_absolute (hooks[i].path))
        return mrc_fail (err,
                         CONFIG ": hooks.%s[%zu].path: `%s` is not an "
                                "absolute path",
                         key, i, hooks[i].path);
      if (hooks[i].has_timeout && hooks[i].timeout <= 0)
        return mrc_fail (err,
                         CONFIG ": hooks.%s[%zu].timeout: must be greater "
                                "than 0",
                         key, i);
    }
  return 0;
}

static int
validate_hooks (const struct mrc_hooks *h, mrc_error_t *err)
{
  const struct
  {
    const char *key;
    const struct mrc_hook *list;
    size_t n;
  } lists[] = {
    { "prestart", h->prestart, h->n_prestart },
    { "createRuntime", h->create_runtime, h->n_create_runtime },
    { "createContainer", h->create_container, h->n_create_container },
    { "startContainer", h->start_container, h->n_start_container },
    { "poststart", h->poststart, h->n_poststart },
    { "poststop", h->poststop, h->n_poststop },
  };
  for (size_t i = 0; i < MRC_N_ELEMS (lists); i++)
    if (validate_hook_list (lists[i].key, lists[i].list, lists[i].n, err) < 0)
      return -1;
  return 0;
}

/* runc only asks for a uts entry, new or joined: follow it.  Checked after
 * linux.namespaces, so a bad namespace list is reported as such rather than
 * as its consequence. */
static int
validate_uts_names (const struct mrc_spec *spec, mrc_error_t *err)
{
  bool uts = mrc_spec_namespace (spec, "uts") != NULL;
  if (spec->hostname && *spec->hostname && !uts)
    return mrc_fail (err, CONFIG ": hostname: requires a uts namespace");
  if (spec->domainname && *spec->domainname && !uts)
    return mrc_fail (err, CONFIG ": domainname: requires a uts namespace");
  /* as runc: the sysctl that would set the same name is refused when the
     field is set, whichever value it has */
  static const struct
  {
    const char *key, *field;
  } names[] = { { "kernel.hostname", "hostname" },
                { "kernel.domainname", "domainname" } };
  const struct mrc_linux *l = spec->linux_;
  for (size_t i = 0; l && i < l->n_sysctl; i++)
    for (size_t k = 0; k < MRC_N_ELEMS (names); k++)
      {
        const char *field = k == 0 ? spec->hostname : spec->domainname;
        if (field && *field && strcmp (l->sysctl[i].key, names[k].key) == 0)
          return mrc_fail (err,
                           CONFIG ": linux.sysctl: `%s` conflicts with the "
                                  "`%s` field",
                           names[k].key, names[k].field);
      }
  return 0;
}

int
mrc_spec_validate (const struct mrc_spec *spec, mrc_error_t *err)
{
  if (spec->oci_version == NULL || *spec->oci_version == '\0')
    return mrc_fail (err, CONFIG ": ociVersion: required");
  if (!spec->has_root || spec->root_path == NULL || *spec->root_path == '\0')
    return mrc_fail (err, CONFIG ": root.path: required");
  if (spec->process == NULL)
    return mrc_fail (err, CONFIG ": process: required");
  if (validate_process_at (spec->process, CONFIG, "process.", err) < 0
      || validate_linux (spec, err) < 0 || validate_uts_names (spec, err) < 0
      || validate_hooks (&spec->hooks, err) < 0)
    return -1;
  return 0;
}

int
mrc_spec_validate_resources (const struct mrc_resources *r, const char *name,
                             mrc_error_t *err)
{
  return validate_resources (r, name, "", err);
}
