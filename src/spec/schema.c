/* The runtime-spec config (config.md, config-linux.md) as decoder tables.
 * Keys are the spec's camelCase names; each row says where the value goes
 * in the structs of include/mrc/spec.h.  Fields the spec marks REQUIRED
 * inside lists and sub-objects are required here, so later code never meets
 * a mount without a destination or an rlimit without a type; the top-level
 * requirements (root.path, process.args...) are mrc_spec_validate's. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdlib.h>

#include "mrc/cleanup.h"

#include "mrc/spec.h"

#include "spec-internal.h"

/* ---- shared pieces ---- */

static const struct mrc_field id_mapping_fields[] = {
  MRC_NUM_REQ ("containerID", MRC_K_U32, struct mrc_id_mapping, container_id),
  MRC_NUM_REQ ("hostID", MRC_K_U32, struct mrc_id_mapping, host_id),
  MRC_NUM_REQ ("size", MRC_K_U32, struct mrc_id_mapping, size),
};
static MRC_SCHEMA (id_mapping_schema, struct mrc_id_mapping, 0,
                   id_mapping_fields);

/* ---- process ---- */

static const struct mrc_field console_size_fields[] = {
  MRC_NUM_REQ ("height", MRC_K_U32, struct mrc_process, console_height),
  MRC_NUM_REQ ("width", MRC_K_U32, struct mrc_process, console_width),
};
static MRC_SCHEMA (console_size_schema, struct mrc_process, 0,
                   console_size_fields);

static const struct mrc_field user_fields[] = {
  MRC_NUM ("uid", MRC_K_U32, struct mrc_user, uid),
  MRC_NUM ("gid", MRC_K_U32, struct mrc_user, gid),
  MRC_NUM_OPT ("umask", MRC_K_U32, struct mrc_user, umask),
  MRC_FIELD ("additionalGids", MRC_K_U32V, 0, struct mrc_user,
             additional_gids, MRC_HAS (struct mrc_user, n_additional_gids),
             NULL),
  MRC_STR ("username", struct mrc_user, username),
};
static MRC_SCHEMA (user_schema, struct mrc_user, 0, user_fields);

static const struct mrc_field capabilities_fields[] = {
  MRC_STRV ("bounding", struct mrc_capabilities, bounding),
  MRC_STRV ("effective", struct mrc_capabilities, effective),
  MRC_STRV ("inheritable", struct mrc_capabilities, inheritable),
  MRC_STRV ("permitted", struct mrc_capabilities, permitted),
  MRC_STRV ("ambient", struct mrc_capabilities, ambient),
};
static MRC_SCHEMA (capabilities_schema, struct mrc_capabilities, 0,
                   capabilities_fields);

static const struct mrc_field rlimit_fields[] = {
  MRC_STR_REQ ("type", struct mrc_rlimit, type),
  MRC_NUM_REQ ("hard", MRC_K_U64, struct mrc_rlimit, hard),
  MRC_NUM_REQ ("soft", MRC_K_U64, struct mrc_rlimit, soft),
};
static MRC_SCHEMA (rlimit_schema, struct mrc_rlimit, 0, rlimit_fields);

static const struct mrc_field scheduler_fields[] = {
  MRC_STR_REQ ("policy", struct mrc_scheduler, policy),
  MRC_NUM_OPT ("nice", MRC_K_I32, struct mrc_scheduler, nice),
  MRC_NUM_OPT ("priority", MRC_K_I32, struct mrc_scheduler, priority),
  MRC_STRV ("flags", struct mrc_scheduler, flags),
  MRC_NUM_OPT ("runtime", MRC_K_U64, struct mrc_scheduler, runtime),
  MRC_NUM_OPT ("deadline", MRC_K_U64, struct mrc_scheduler, deadline),
  MRC_NUM_OPT ("period", MRC_K_U64, struct mrc_scheduler, period),
};
static MRC_SCHEMA (scheduler_schema, struct mrc_scheduler, 0,
                   scheduler_fields);

static const struct mrc_field io_priority_fields[] = {
  MRC_STR_REQ ("class", struct mrc_io_priority, klass),
  MRC_NUM ("priority", MRC_K_I32, struct mrc_io_priority, priority),
};
static MRC_SCHEMA (io_priority_schema, struct mrc_io_priority, 0,
                   io_priority_fields);

static const struct mrc_field exec_cpu_affinity_fields[] = {
  MRC_STR ("initial", struct mrc_process, exec_cpu_affinity_initial),
  MRC_STR ("final", struct mrc_process, exec_cpu_affinity_final),
};
static MRC_SCHEMA (exec_cpu_affinity_schema, struct mrc_process, 0,
                   exec_cpu_affinity_fields);

static const struct mrc_field process_fields[] = {
  MRC_BOOL ("terminal", struct mrc_process, terminal),
  MRC_INLINE ("consoleSize", struct mrc_process, has_console_size,
              console_size_schema),
  MRC_FIELD ("user", MRC_K_INLINE, 0, struct mrc_process, user, 0,
             &user_schema),
  MRC_STRV ("args", struct mrc_process, args),
  MRC_STR ("commandLine", struct mrc_process, command_line),
  MRC_STRV ("env", struct mrc_process, env),
  MRC_STR ("cwd", struct mrc_process, cwd),
  MRC_PTR ("capabilities", struct mrc_process, capabilities,
           capabilities_schema),
  MRC_ARRAY ("rlimits", struct mrc_process, rlimits, rlimit_schema),
  MRC_BOOL ("noNewPrivileges", struct mrc_process, no_new_privileges),
  MRC_STR ("apparmorProfile", struct mrc_process, apparmor_profile),
  MRC_NUM_OPT ("oomScoreAdj", MRC_K_I32, struct mrc_process, oom_score_adj),
  MRC_PTR ("scheduler", struct mrc_process, scheduler, scheduler_schema),
  MRC_STR ("selinuxLabel", struct mrc_process, selinux_label),
  MRC_PTR ("ioPriority", struct mrc_process, io_priority,
           io_priority_schema),
  { "execCPUAffinity", MRC_K_INLINE, 0, 0, 0, &exec_cpu_affinity_schema,
    NULL },
};
MRC_SCHEMA (mrc_schema_process, struct mrc_process, 0, process_fields);

/* ---- mounts, hooks ---- */

static const struct mrc_field mount_fields[] = {
  MRC_STR_REQ ("destination", struct mrc_mount, destination),
  MRC_STR ("type", struct mrc_mount, type),
  MRC_STR ("source", struct mrc_mount, source),
  MRC_STRV ("options", struct mrc_mount, options),
  MRC_ARRAY ("uidMappings", struct mrc_mount, uid_mappings,
             id_mapping_schema),
  MRC_ARRAY ("gidMappings", struct mrc_mount, gid_mappings,
             id_mapping_schema),
};
static MRC_SCHEMA (mount_schema, struct mrc_mount, 0, mount_fields);

static const struct mrc_field hook_fields[] = {
  MRC_STR_REQ ("path", struct mrc_hook, path),
  MRC_STRV ("args", struct mrc_hook, args),
  MRC_STRV ("env", struct mrc_hook, env),
  MRC_NUM_OPT ("timeout", MRC_K_I32, struct mrc_hook, timeout),
};
static MRC_SCHEMA (hook_schema, struct mrc_hook, 0, hook_fields);

static const struct mrc_field hooks_fields[] = {
  MRC_ARRAY ("prestart", struct mrc_hooks, prestart, hook_schema),
  MRC_ARRAY ("createRuntime", struct mrc_hooks, create_runtime, hook_schema),
  MRC_ARRAY ("createContainer", struct mrc_hooks, create_container,
             hook_schema),
  MRC_ARRAY ("startContainer", struct mrc_hooks, start_container,
             hook_schema),
  MRC_ARRAY ("poststart", struct mrc_hooks, poststart, hook_schema),
  MRC_ARRAY ("poststop", struct mrc_hooks, poststop, hook_schema),
};
static MRC_SCHEMA (hooks_schema, struct mrc_hooks, 0, hooks_fields);

/* ---- linux.resources ---- */

static const struct mrc_field device_cgroup_fields[] = {
  MRC_BOOL_REQ ("allow", struct mrc_device_cgroup, allow),
  MRC_STR ("type", struct mrc_device_cgroup, type),
  MRC_NUM_OPT ("major", MRC_K_I64, struct mrc_device_cgroup, major),
  MRC_NUM_OPT ("minor", MRC_K_I64, struct mrc_device_cgroup, minor),
  MRC_STR ("access", struct mrc_device_cgroup, access),
};
static MRC_SCHEMA (device_cgroup_schema, struct mrc_device_cgroup, 0,
                   device_cgroup_fields);

static const struct mrc_field memory_fields[] = {
  MRC_NUM_OPT ("limit", MRC_K_I64, struct mrc_memory, limit),
  MRC_NUM_OPT ("reservation", MRC_K_I64, struct mrc_memory, reservation),
  MRC_NUM_OPT ("swap", MRC_K_I64, struct mrc_memory, swap),
  MRC_NUM_OPT ("kernel", MRC_K_I64, struct mrc_memory, kernel),
  MRC_NUM_OPT ("kernelTCP", MRC_K_I64, struct mrc_memory, kernel_tcp),
  MRC_NUM_OPT ("swappiness", MRC_K_U64, struct mrc_memory, swappiness),
  MRC_BOOL_OPT ("disableOOMKiller", struct mrc_memory, disable_oom_killer),
  MRC_BOOL_OPT ("useHierarchy", struct mrc_memory, use_hierarchy),
  MRC_BOOL_OPT ("checkBeforeUpdate", struct mrc_memory, check_before_update),
};
static MRC_SCHEMA (memory_schema, struct mrc_memory, 0, memory_fields);

static const struct mrc_field cpu_fields[] = {
  MRC_NUM_OPT ("shares", MRC_K_U64, struct mrc_cpu, shares),
  MRC_NUM_OPT ("quota", MRC_K_I64, struct mrc_cpu, quota),
  MRC_NUM_OPT ("burst", MRC_K_U64, struct mrc_cpu, burst),
  MRC_NUM_OPT ("period", MRC_K_U64, struct mrc_cpu, period),
  MRC_NUM_OPT ("realtimeRuntime", MRC_K_I64, struct mrc_cpu,
               realtime_runtime),
  MRC_NUM_OPT ("realtimePeriod", MRC_K_U64, struct mrc_cpu, realtime_period),
  MRC_STR ("cpus", struct mrc_cpu, cpus),
  MRC_STR ("mems", struct mrc_cpu, mems),
  MRC_NUM_OPT ("idle", MRC_K_I64, struct mrc_cpu, idle),
};
static MRC_SCHEMA (cpu_schema, struct mrc_cpu, 0, cpu_fields);

/* The spec says REQUIRED, but newer Go bindings make it a pointer that
   may be left out: accept `{}` as "no limit" rather than break callers. */
static const struct mrc_field pids_fields[] = {
  MRC_FIELD ("limit", MRC_K_I64, 0, struct mrc_resources,
             pids_limit, MRC_HAS (struct mrc_resources, has_pids_limit),
             NULL),
};
static MRC_SCHEMA (pids_schema, struct mrc_resources, 0, pids_fields);

static const struct mrc_field weight_device_fields[] = {
  MRC_NUM_REQ ("major", MRC_K_I64, struct mrc_weight_device, major),
  MRC_NUM_REQ ("minor", MRC_K_I64, struct mrc_weight_device, minor),
  MRC_NUM_OPT ("weight", MRC_K_U16, struct mrc_weight_device, weight),
  MRC_NUM_OPT ("leafWeight", MRC_K_U16, struct mrc_weight_device,
               leaf_weight),
};
static MRC_SCHEMA (weight_device_schema, struct mrc_weight_device, 0,
                   weight_device_fields);

static const struct mrc_field throttle_device_fields[] = {
  MRC_NUM_REQ ("major", MRC_K_I64, struct mrc_throttle_device, major),
  MRC_NUM_REQ ("minor", MRC_K_I64, struct mrc_throttle_device, minor),
  MRC_NUM_REQ ("rate", MRC_K_U64, struct mrc_throttle_device, rate),
};
static MRC_SCHEMA (throttle_device_schema, struct mrc_throttle_device, 0,
                   throttle_device_fields);

static const struct mrc_field block_io_fields[] = {
  MRC_NUM_OPT ("weight", MRC_K_U16, struct mrc_block_io, weight),
  MRC_NUM_OPT ("leafWeight", MRC_K_U16, struct mrc_block_io, leaf_weight),
  MRC_ARRAY ("weightDevice", struct mrc_block_io, weight_device,
             weight_device_schema),
  MRC_ARRAY ("throttleReadBpsDevice", struct mrc_block_io,
             throttle_read_bps_device, throttle_device_schema),
  MRC_ARRAY ("throttleWriteBpsDevice", struct mrc_block_io,
             throttle_write_bps_device, throttle_device_schema),
  MRC_ARRAY ("throttleReadIOPSDevice", struct mrc_block_io,
             throttle_read_iops_device, throttle_device_schema),
  MRC_ARRAY ("throttleWriteIOPSDevice", struct mrc_block_io,
             throttle_write_iops_device, throttle_device_schema),
};
static MRC_SCHEMA (block_io_schema, struct mrc_block_io, 0, block_io_fields);

static const struct mrc_field hugepage_limit_fields[] = {
  MRC_STR_REQ ("pageSize", struct mrc_hugepage_limit, page_size),
  MRC_NUM_REQ ("limit", MRC_K_U64, struct mrc_hugepage_limit, limit),
};
static MRC_SCHEMA (hugepage_limit_schema, struct mrc_hugepage_limit, 0,
                   hugepage_limit_fields);

static const struct mrc_field net_priority_fields[] = {
  MRC_STR_REQ ("name", struct mrc_net_priority, name),
  MRC_NUM_REQ ("priority", MRC_K_U32, struct mrc_net_priority, priority),
};
static MRC_SCHEMA (net_priority_schema, struct mrc_net_priority, 0,
                   net_priority_fields);

static const struct mrc_field network_fields[] = {
  MRC_FIELD ("classID", MRC_K_U32, 0, struct mrc_resources, network_class_id,
             MRC_HAS (struct mrc_resources, has_network_class_id), NULL),
  MRC_ARRAY ("priorities", struct mrc_resources, network_priorities,
             net_priority_schema),
};
static MRC_SCHEMA (network_schema, struct mrc_resources, 0, network_fields);

static const struct mrc_field rdma_fields[] = {
  MRC_NUM_OPT ("hcaHandles", MRC_K_U32, struct mrc_rdma, hca_handles),
  MRC_NUM_OPT ("hcaObjects", MRC_K_U32, struct mrc_rdma, hca_objects),
};
static MRC_SCHEMA (rdma_schema, struct mrc_rdma, offsetof (struct mrc_rdma,
                                                           name),
                   rdma_fields);

static const struct mrc_field resources_fields[] = {
  MRC_ARRAY ("devices", struct mrc_resources, devices, device_cgroup_schema),
  MRC_PTR ("memory", struct mrc_resources, memory, memory_schema),
  MRC_PTR ("cpu", struct mrc_resources, cpu, cpu_schema),
  { "pids", MRC_K_INLINE, 0, 0, 0, &pids_schema, NULL },
  MRC_PTR ("blockIO", struct mrc_resources, block_io, block_io_schema),
  MRC_ARRAY ("hugepageLimits", struct mrc_resources, hugepage_limits,
             hugepage_limit_schema),
  { "network", MRC_K_INLINE, 0, 0, 0, &network_schema, NULL },
  MRC_MAP_OBJ ("rdma", struct mrc_resources, rdma, rdma_schema),
  MRC_MAP_STR ("unified", struct mrc_resources, unified),
};
MRC_SCHEMA (mrc_schema_resources, struct mrc_resources, 0, resources_fields);

/* ---- linux ---- */

static const struct mrc_field namespace_fields[] = {
  MRC_STR_REQ ("type", struct mrc_namespace, type),
  MRC_STR ("path", struct mrc_namespace, path),
};
static MRC_SCHEMA (namespace_schema, struct mrc_namespace, 0,
                   namespace_fields);

static const struct mrc_field time_offset_fields[] = {
  MRC_NUM ("secs", MRC_K_I64, struct mrc_time_offset, secs),
  MRC_NUM ("nanosecs", MRC_K_U32, struct mrc_time_offset, nanosecs),
};
static MRC_SCHEMA (time_offset_schema, struct mrc_time_offset,
                   offsetof (struct mrc_time_offset, clock),
                   time_offset_fields);

static const struct mrc_field device_fields[] = {
  MRC_STR_REQ ("type", struct mrc_device, type),
  MRC_STR_REQ ("path", struct mrc_device, path),
  MRC_NUM ("major", MRC_K_I64, struct mrc_device, major),
  MRC_NUM ("minor", MRC_K_I64, struct mrc_device, minor),
  MRC_NUM_OPT ("fileMode", MRC_K_U32, struct mrc_device, file_mode),
  MRC_NUM_OPT ("uid", MRC_K_U32, struct mrc_device, uid),
  MRC_NUM_OPT ("gid", MRC_K_U32, struct mrc_device, gid),
};
static MRC_SCHEMA (device_schema, struct mrc_device, 0, device_fields);

static const struct mrc_field net_device_fields[] = {
  MRC_STR ("name", struct mrc_net_device, name),
};
static MRC_SCHEMA (net_device_schema, struct mrc_net_device,
                   offsetof (struct mrc_net_device, host_name),
                   net_device_fields);

static const struct mrc_field seccomp_arg_fields[] = {
  MRC_NUM_REQ ("index", MRC_K_U32, struct mrc_seccomp_arg, index),
  MRC_NUM_REQ ("value", MRC_K_U64, struct mrc_seccomp_arg, value),
  MRC_NUM_OPT ("valueTwo", MRC_K_U64, struct mrc_seccomp_arg, value_two),
  MRC_STR_REQ ("op", struct mrc_seccomp_arg, op),
};
static MRC_SCHEMA (seccomp_arg_schema, struct mrc_seccomp_arg, 0,
                   seccomp_arg_fields);

static const struct mrc_field seccomp_syscall_fields[] = {
  MRC_STRV_REQ ("names", struct mrc_seccomp_syscall, names),
  MRC_STR_REQ ("action", struct mrc_seccomp_syscall, action),
  MRC_NUM_OPT ("errnoRet", MRC_K_U32, struct mrc_seccomp_syscall, errno_ret),
  MRC_ARRAY ("args", struct mrc_seccomp_syscall, args, seccomp_arg_schema),
};
static MRC_SCHEMA (seccomp_syscall_schema, struct mrc_seccomp_syscall, 0,
                   seccomp_syscall_fields);

static const struct mrc_field seccomp_fields[] = {
  MRC_STR_REQ ("defaultAction", struct mrc_seccomp, default_action),
  MRC_NUM_OPT ("defaultErrnoRet", MRC_K_U32, struct mrc_seccomp,
               default_errno_ret),
  MRC_STRV ("architectures", struct mrc_seccomp, architectures),
  MRC_STRV ("flags", struct mrc_seccomp, flags),
  MRC_STR ("listenerPath", struct mrc_seccomp, listener_path),
  MRC_STR ("listenerMetadata", struct mrc_seccomp, listener_metadata),
  MRC_ARRAY ("syscalls", struct mrc_seccomp, syscalls,
             seccomp_syscall_schema),
};
static MRC_SCHEMA (seccomp_schema, struct mrc_seccomp, 0, seccomp_fields);

static const struct mrc_field intel_rdt_fields[] = {
  MRC_STR ("closID", struct mrc_intel_rdt, clos_id),
  MRC_STR ("l3CacheSchema", struct mrc_intel_rdt, l3_cache_schema),
  MRC_STR ("memBwSchema", struct mrc_intel_rdt, mem_bw_schema),
  MRC_BOOL ("enableCMT", struct mrc_intel_rdt, enable_cmt),
  MRC_BOOL ("enableMBM", struct mrc_intel_rdt, enable_mbm),
};
static MRC_SCHEMA (intel_rdt_schema, struct mrc_intel_rdt, 0,
                   intel_rdt_fields);

static const struct mrc_field personality_fields[] = {
  MRC_STR_REQ ("domain", struct mrc_personality, domain),
  MRC_STRV ("flags", struct mrc_personality, flags),
};
static MRC_SCHEMA (personality_schema, struct mrc_personality, 0,
                   personality_fields);

static const struct mrc_field memory_policy_fields[] = {
  MRC_STR_REQ ("mode", struct mrc_memory_policy, mode),
  MRC_STR ("nodes", struct mrc_memory_policy, nodes),
  MRC_STRV ("flags", struct mrc_memory_policy, flags),
};
static MRC_SCHEMA (memory_policy_schema, struct mrc_memory_policy, 0,
                   memory_policy_fields);

static const struct mrc_field linux_fields[] = {
  MRC_ARRAY ("namespaces", struct mrc_linux, namespaces, namespace_schema),
  MRC_ARRAY ("uidMappings", struct mrc_linux, uid_mappings,
             id_mapping_schema),
  MRC_ARRAY ("gidMappings", struct mrc_linux, gid_mappings,
             id_mapping_schema),
  MRC_MAP_OBJ ("timeOffsets", struct mrc_linux, time_offsets,
               time_offset_schema),
  MRC_ARRAY ("devices", struct mrc_linux, devices, device_schema),
  MRC_MAP_OBJ ("netDevices", struct mrc_linux, net_devices,
               net_device_schema),
  MRC_STR ("cgroupsPath", struct mrc_linux, cgroups_path),
  MRC_PTR ("resources", struct mrc_linux, resources, mrc_schema_resources),
  MRC_STR ("rootfsPropagation", struct mrc_linux, rootfs_propagation),
  MRC_PTR ("seccomp", struct mrc_linux, seccomp, seccomp_schema),
  MRC_MAP_STR ("sysctl", struct mrc_linux, sysctl),
  MRC_STRV ("maskedPaths", struct mrc_linux, masked_paths),
  MRC_STRV ("readonlyPaths", struct mrc_linux, readonly_paths),
  MRC_STR ("mountLabel", struct mrc_linux, mount_label),
  MRC_PTR ("intelRdt", struct mrc_linux, intel_rdt, intel_rdt_schema),
  MRC_PTR ("personality", struct mrc_linux, personality, personality_schema),
  MRC_PTR ("memoryPolicy", struct mrc_linux, memory_policy,
           memory_policy_schema),
};
static MRC_SCHEMA (linux_schema, struct mrc_linux, 0, linux_fields);

/* ---- the whole config ---- */

static const struct mrc_field root_fields[] = {
  MRC_STR ("path", struct mrc_spec, root_path),
  MRC_BOOL ("readonly", struct mrc_spec, root_readonly),
};
static MRC_SCHEMA (root_schema, struct mrc_spec, 0, root_fields);

static const struct mrc_field spec_fields[] = {
  MRC_STR ("ociVersion", struct mrc_spec, oci_version),
  MRC_INLINE ("root", struct mrc_spec, has_root, root_schema),
  MRC_PTR ("process", struct mrc_spec, process, mrc_schema_process),
  MRC_STR ("hostname", struct mrc_spec, hostname),
  MRC_STR ("domainname", struct mrc_spec, domainname),
  MRC_ARRAY ("mounts", struct mrc_spec, mounts, mount_schema),
  MRC_FIELD ("hooks", MRC_K_INLINE, 0, struct mrc_spec, hooks, 0,
             &hooks_schema),
  MRC_MAP_STR ("annotations", struct mrc_spec, annotations),
  MRC_PTR ("linux", struct mrc_spec, linux_, linux_schema),
};
MRC_SCHEMA (mrc_schema_spec, struct mrc_spec, 0, spec_fields);

/* ---- freeing by the same tables ---- */

void
mrc_schema_free (const struct mrc_schema *s, void *obj)
{
  char *base = obj;
  if (base == NULL)
    return;
  for (size_t i = 0; i < s->n_fields; i++)
    {
      const struct mrc_field *fd = &s->fields[i];
      void *p = base + fd->off;
      switch (fd->kind)
        {
        case MRC_K_STR:
        case MRC_K_U32V:
          free (*(void **) p);
          break;
        case MRC_K_STRV:
          mrc_strv_free (*(char ***) p);
          break;
        case MRC_K_INLINE:
          mrc_schema_free (fd->sub, p);
          break;
        case MRC_K_PTR:
          mrc_schema_free (fd->sub, *(void **) p);
          free (*(void **) p);
          break;
        case MRC_K_ARRAY:
        case MRC_K_MAP_OBJ:
          {
            char *arr = *(char **) p;
            size_t n = *(size_t *) (base + fd->aux - 1);
            for (size_t j = 0; arr && j < n; j++)
              {
                char *elem = arr + j * fd->sub->size;
                if (fd->kind == MRC_K_MAP_OBJ)
                  free (*(char **) (elem + fd->sub->key_off));
                mrc_schema_free (fd->sub, elem);
              }
            free (arr);
            break;
          }
        case MRC_K_MAP_STR:
          {
            struct mrc_kv *kv = *(struct mrc_kv **) p;
            size_t n = *(size_t *) (base + fd->aux - 1);
            for (size_t j = 0; kv && j < n; j++)
              {
                free (kv[j].key);
                free (kv[j].value);
              }
            free (kv);
            break;
          }
        default:
          break;
        }
    }
}
