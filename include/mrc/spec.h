/* The OCI runtime-spec config as typed C structs.
 *
 * Conventions: strings are NUL-terminated and NULL when absent; string
 * arrays are NULL-terminated (`char **`, NULL when absent); arrays of structs
 * come with a count `n_<name>`; optional numbers have a `has_<name>` flag.
 * String maps (annotations, sysctl, unified...) are `struct mrc_kv` arrays in
 * document order.  Unknown JSON fields are ignored, as the spec requires.
 */
#ifndef MRC_SPEC_H
#define MRC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mrc/error.h"

/* Hard caps checked before/while parsing. */
#define MRC_SPEC_MAX_BYTES (4u * 1024 * 1024)
#define MRC_SPEC_MAX_DEPTH 64

struct mrc_kv
{
  char *key;
  char *value;
};

struct mrc_id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct mrc_mount
{
  char *destination;
  char *type;
  char *source;
  char **options;
  struct mrc_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct mrc_id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

struct mrc_rlimit
{
  char *type;  /* "RLIMIT_NOFILE" ... */
  uint64_t hard;
  uint64_t soft;
};

struct mrc_capabilities
{
  char **bounding;
  char **effective;
  char **inheritable;
  char **permitted;
  char **ambient;
};

struct mrc_user
{
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username;  /* windows only; parsed and ignored */
};

struct mrc_scheduler
{
  char *policy;  /* "SCHED_OTHER" ... */
  bool has_nice;
  int32_t nice;
  bool has_priority;
  int32_t priority;
  char **flags;
  bool has_runtime;
  uint64_t runtime;
  bool has_deadline;
  uint64_t deadline;
  bool has_period;
  uint64_t period;
};

struct mrc_io_priority
{
  char *klass;  /* "IOPRIO_CLASS_RT" | "IOPRIO_CLASS_BE" | "IOPRIO_CLASS_IDLE" */
  int32_t priority;
};

struct mrc_process
{
  bool terminal;
  bool has_console_size;
  uint32_t console_height;
  uint32_t console_width;
  struct mrc_user user;
  char **args;
  char *command_line;  /* windows only */
  char **env;
  char *cwd;
  struct mrc_capabilities *capabilities;  /* NULL when absent: no caps */
  struct mrc_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int32_t oom_score_adj;
  struct mrc_scheduler *scheduler;
  char *selinux_label;
  struct mrc_io_priority *io_priority;
  char *exec_cpu_affinity_initial;
  char *exec_cpu_affinity_final;
};

struct mrc_hook
{
  char *path;
  char **args;
  char **env;
  bool has_timeout;
  int32_t timeout;  /* seconds, > 0 */
};

struct mrc_hooks
{
  struct mrc_hook *prestart;
  size_t n_prestart;
  struct mrc_hook *create_runtime;
  size_t n_create_runtime;
  struct mrc_hook *create_container;
  size_t n_create_container;
  struct mrc_hook *start_container;
  size_t n_start_container;
  struct mrc_hook *poststart;
  size_t n_poststart;
  struct mrc_hook *poststop;
  size_t n_poststop;
};

struct mrc_namespace
{
  char *type;  /* "pid" "network" "mount" "ipc" "uts" "user" "cgroup" "time" */
  char *path;  /* NULL: create a new one */
};

struct mrc_device
{
  char *type;  /* "c" "b" "u" "p" */
  char *path;
  int64_t major;
  int64_t minor;
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid;
  uint32_t uid;
  bool has_gid;
  uint32_t gid;
};

struct mrc_device_cgroup
{
  bool allow;
  char *type;  /* "a" "c" "b", NULL = all */
  bool has_major;
  int64_t major;
  bool has_minor;
  int64_t minor;
  char *access;  /* "rwm" subset, NULL = all */
};

struct mrc_memory
{
  bool has_limit;
  int64_t limit;
  bool has_reservation;
  int64_t reservation;
  bool has_swap;
  int64_t swap;
  bool has_kernel;
  int64_t kernel;
  bool has_kernel_tcp;
  int64_t kernel_tcp;
  bool has_swappiness;
  uint64_t swappiness;
  bool has_disable_oom_killer;
  bool disable_oom_killer;
  bool has_use_hierarchy;
  bool use_hierarchy;
  bool has_check_before_update;
  bool check_before_update;
};

struct mrc_cpu
{
  bool has_shares;
  uint64_t shares;
  bool has_quota;
  int64_t quota;
  bool has_burst;
  uint64_t burst;
  bool has_period;
  uint64_t period;
  bool has_realtime_runtime;
  int64_t realtime_runtime;
  bool has_realtime_period;
  uint64_t realtime_period;
  char *cpus;
  char *mems;
  bool has_idle;
  int64_t idle;
};

struct mrc_weight_device
{
  int64_t major;
  int64_t minor;
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
};

struct mrc_throttle_device
{
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct mrc_block_io
{
  bool has_weight;
  uint16_t weight;
  bool has_leaf_weight;
  uint16_t leaf_weight;
  struct mrc_weight_device *weight_device;
  size_t n_weight_device;
  struct mrc_throttle_device *throttle_read_bps_device;
  size_t n_throttle_read_bps_device;
  struct mrc_throttle_device *throttle_write_bps_device;
  size_t n_throttle_write_bps_device;
  struct mrc_throttle_device *throttle_read_iops_device;
  size_t n_throttle_read_iops_device;
  struct mrc_throttle_device *throttle_write_iops_device;
  size_t n_throttle_write_iops_device;
};

struct mrc_hugepage_limit
{
  char *page_size;
  uint64_t limit;
};

struct mrc_net_priority
{
  char *name;
  uint32_t priority;
};

struct mrc_rdma
{
  char *name;  /* map key: the device */
  bool has_hca_handles;
  uint32_t hca_handles;
  bool has_hca_objects;
  uint32_t hca_objects;
};

struct mrc_resources
{
  struct mrc_device_cgroup *devices;
  size_t n_devices;
  struct mrc_memory *memory;
  struct mrc_cpu *cpu;
  bool has_pids_limit;  /* pids object present with a limit */
  int64_t pids_limit;
  struct mrc_block_io *block_io;
  struct mrc_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  bool has_network_class_id;
  uint32_t network_class_id;
  struct mrc_net_priority *network_priorities;
  size_t n_network_priorities;
  struct mrc_rdma *rdma;
  size_t n_rdma;
  struct mrc_kv *unified;
  size_t n_unified;
};

struct mrc_seccomp_arg
{
  uint32_t index;
  uint64_t value;
  bool has_value_two;
  uint64_t value_two;
  char *op;  /* "SCMP_CMP_EQ" ... */
};

struct mrc_seccomp_syscall
{
  char **names;
  char *action;
  bool has_errno_ret;
  uint32_t errno_ret;
  struct mrc_seccomp_arg *args;
  size_t n_args;
};

struct mrc_seccomp
{
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;
  char **flags;
  char *listener_path;
  char *listener_metadata;
  struct mrc_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct mrc_time_offset
{
  char *clock;  /* map key: "monotonic" | "boottime" */
  int64_t secs;
  uint32_t nanosecs;
};

struct mrc_net_device
{
  char *host_name;  /* map key */
  char *name;       /* name inside the container, NULL = same */
};

struct mrc_intel_rdt
{
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  bool enable_cmt;
  bool enable_mbm;
};

struct mrc_personality
{
  char *domain;  /* "LINUX" | "LINUX32" */
  char **flags;
};

struct mrc_memory_policy
{
  char *mode;   /* "MPOL_BIND" ... (include/mrc/names.h) */
  char *nodes;  /* "0-3,7"; NULL or "" when none */
  char **flags; /* "MPOL_F_STATIC_NODES" ... */
};

struct mrc_linux
{
  struct mrc_namespace *namespaces;
  size_t n_namespaces;
  struct mrc_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct mrc_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  struct mrc_time_offset *time_offsets;
  size_t n_time_offsets;
  struct mrc_device *devices;
  size_t n_devices;
  struct mrc_net_device *net_devices;
  size_t n_net_devices;
  char *cgroups_path;
  struct mrc_resources *resources;
  char *rootfs_propagation;
  struct mrc_seccomp *seccomp;
  struct mrc_kv *sysctl;
  size_t n_sysctl;
  char **masked_paths;
  char **readonly_paths;
  char *mount_label;
  struct mrc_intel_rdt *intel_rdt;
  struct mrc_personality *personality;
  struct mrc_memory_policy *memory_policy;
};

struct mrc_spec
{
  char *oci_version;
  char *root_path;  /* as written in config.json */
  bool root_readonly;
  bool has_root;
  struct mrc_process *process;
  char *hostname;
  char *domainname;
  struct mrc_mount *mounts;
  size_t n_mounts;
  struct mrc_hooks hooks;
  struct mrc_kv *annotations;
  size_t n_annotations;
  struct mrc_linux *linux_;  /* NULL when absent */
};

/* Parse a whole config.json held in BUF (LEN bytes, may contain NULs, which
 * are an error).  NAME prefixes every error ("config.json").  Errors name the
 * JSON path: "config.json: process.user.uid: expected an unsigned 32-bit
 * integer".  Does not validate semantics; see mrc_spec_validate.
 * Message forms (byte positions count from 1):
 *   NAME: empty file
 *   NAME: file too large (over 4194304 bytes)
 *   NAME: invalid JSON at byte N: <reason>       (a NUL byte is one)
 *   NAME: [PATH: ]duplicate key `KEY`            (PATH of the object)
 *   NAME: PATH: expected a string | a boolean | an object | an array |
 *               an [unsigned ]NN-bit integer
 *   NAME: PATH: required                         (inside lists/sub-objects)
 *   NAME: PATH: nesting too deep (over 64 levels)
 *   NAME: PATH: string contains a NUL character */
int mrc_spec_parse (const char *buf, size_t len, const char *name,
                    struct mrc_spec **out, mrc_error_t *err) MRC_WUR;

/* Read DIRFD/PATH (size-capped before reading) and parse it. */
int mrc_spec_load (int dirfd, const char *path, struct mrc_spec **out,
                   mrc_error_t *err) MRC_WUR;

/* Semantic checks: ociVersion present, root.path present, process.args
 * non-empty, process.cwd absolute, hostname/domainname need a uts namespace,
 * namespace types known and not duplicated, and so on. */
int mrc_spec_validate (const struct mrc_spec *spec, mrc_error_t *err) MRC_WUR;

/* linux.memoryPolicy as set_mempolicy(2) takes it. */
#define MRC_MPOL_MAX_NODE 4095 /* the highest node a list may name, as
                                  runc (the kernel has at most 1024) */
struct mrc_mempolicy
{
  bool set;              /* linux.memoryPolicy is given: make the call */
  int mode;              /* MPOL_* | MPOL_F_* */
  unsigned long maxnode; /* what the kernel reads of NODEMASK: one more than
                            the bits it holds (set_mempolicy(2) drops the
                            last); 0 for no nodes */
  unsigned long nodemask[(MRC_MPOL_MAX_NODE + 1) / (8 * sizeof (long))];
};

/* Check L's linux.memoryPolicy and resolve it into *OUT (zeroed, and not
 * set, when L or its policy is absent).  Errors name the field:
 *   config.json: linux.memoryPolicy.mode: unknown mode `X`
 *   config.json: linux.memoryPolicy.nodes: `L` is not a node list ...
 *   config.json: linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes
 *   config.json: linux.memoryPolicy.nodes: required with MPOL_BIND
 *   config.json: linux.memoryPolicy.flags: unknown flag `X`
 *   config.json: linux.memoryPolicy.flags: `F` ... (a rule of the flag) */
int mrc_spec_memory_policy (const struct mrc_linux *l,
                            struct mrc_mempolicy *out,
                            mrc_error_t *err) MRC_WUR;

/* A standalone OCI process object (exec --process FILE). */
int mrc_spec_parse_process (const char *buf, size_t len, const char *name,
                            struct mrc_process **out, mrc_error_t *err) MRC_WUR;
int mrc_spec_validate_process (const struct mrc_process *p, const char *name,
                               mrc_error_t *err) MRC_WUR;

/* A standalone LinuxResources object (update --resources FILE). */
int mrc_spec_parse_resources (const char *buf, size_t len, const char *name,
                              struct mrc_resources **out,
                              mrc_error_t *err) MRC_WUR;
/* Device rule types and access strings; errors are prefixed with NAME. */
int mrc_spec_validate_resources (const struct mrc_resources *r,
                                 const char *name, mrc_error_t *err) MRC_WUR;

void mrc_spec_free (struct mrc_spec *spec);
void mrc_process_free (struct mrc_process *p);
void mrc_resources_free (struct mrc_resources *r);

static inline void
mrc_spec_freep (struct mrc_spec **s)
{
  mrc_spec_free (*s);
}
static inline void
mrc_process_freep (struct mrc_process **p)
{
  mrc_process_free (*p);
}
static inline void
mrc_resources_freep (struct mrc_resources **r)
{
  mrc_resources_free (*r);
}
#define cleanup_spec __attribute__ ((cleanup (mrc_spec_freep)))
#define cleanup_process __attribute__ ((cleanup (mrc_process_freep)))
#define cleanup_resources __attribute__ ((cleanup (mrc_resources_freep)))

/* Find a namespace entry by type ("pid"...), NULL if absent. */
const struct mrc_namespace *mrc_spec_namespace (const struct mrc_spec *spec,
                                                const char *type);

/* The value of annotation KEY ("" for a null value), NULL if absent. */
const char *mrc_spec_annotation (const struct mrc_spec *spec,
                                 const char *key);

/* The default config.json written by `spec` (like runc's), as JSON text
 * indented with tabs and ending with a newline.  ROOTLESS adds a user
 * namespace with mappings for the calling user. */
int mrc_spec_default_json (bool rootless, char **out, size_t *len,
                           mrc_error_t *err) MRC_WUR;

/* The newest runtime-spec version all of whose additions this build
 * implements: `features` reports it as ociVersionMax, `spec` and the state
 * write it.  1.2.1 added process.execCPUAffinity.  Not 1.3.0 yet, though
 * linux.netDevices and linux.memoryPolicy are in: 1.3.0 makes a failing
 * poststart hook an error that stops the container (we warn), and
 * linux.intelRdt (with 1.3.0's schemata and enableMonitoring) is not
 * implemented. */
#define MRC_OCI_VERSION "1.2.1"

#endif
