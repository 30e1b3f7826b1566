/* The vocabularies of config.json: one table per vocabulary, each row
 * every representation of one name (the spec's word, the kernel's flag,
 * the /proc name...).  Validation (src/spec/validate.c), application
 * (src/setup/, src/security/, src/process/ns.c) and `features` all read
 * these rows, so a name cannot be accepted on one path and ignored, or
 * claimed and refused, on another.  Every table ends with a row whose
 * name is NULL. */
#ifndef MRC_NAMES_H
#define MRC_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------- namespaces -- */

#define MRC_N_NAMESPACES 8

struct mrc_ns_name
{
  const char *name;   /* linux.namespaces[].type: "network" */
  const char *proc;   /* /proc/PID/ns/PROC: "net" */
  int flag;           /* CLONE_NEWNET */
  bool for_children;  /* setns applies to later children only: pid, time */
  const char *self;   /* the runtime's own, to tell a pod's from the
                         host's: "/proc/self/ns/net",
                         "/proc/self/ns/pid_for_children" */
};

/* In join order: user last (src/process/ns.c says why). */
extern const struct mrc_ns_name mrc_names_namespaces[MRC_N_NAMESPACES + 1];

/* The row of linux.namespaces[].type NAME, NULL when unknown. */
const struct mrc_ns_name *mrc_names_namespace (const char *name);
/* The row of CLONE_NEW* FLAG, NULL when unknown. */
const struct mrc_ns_name *mrc_names_namespace_of (int flag);

/* ------------------------------------------------- one-value vocabularies -- */

struct mrc_name_value
{
  const char *name;
  unsigned long value;
};

/* process.rlimits[].type: "RLIMIT_NOFILE" -> RLIMIT_NOFILE */
extern const struct mrc_name_value mrc_names_rlimits[];
/* process.scheduler.policy: "SCHED_FIFO" -> SCHED_FIFO */
extern const struct mrc_name_value mrc_names_sched_policies[];
/* process.scheduler.flags[]: "SCHED_FLAG_RECLAIM" -> SCHED_FLAG_RECLAIM */
extern const struct mrc_name_value mrc_names_sched_flags[];
/* process.ioPriority.class: "IOPRIO_CLASS_BE" -> IOPRIO_CLASS_BE */
extern const struct mrc_name_value mrc_names_ioprio_classes[];
/* linux.personality.domain: "LINUX32" -> PER_LINUX32 */
extern const struct mrc_name_value mrc_names_personality_domains[];

/* The row of NAME in TABLE (one of the above), NULL when unknown or NAME
 * is NULL. */
const struct mrc_name_value *mrc_names_find (const struct mrc_name_value *t,
                                             const char *name);

/* ------------------------------------------------------ memory policy -- */

/* What a mode of linux.memoryPolicy does with `nodes`. */
enum mrc_mpol_nodes
{
  MRC_MPOL_NODES_NONE,     /* takes none: MPOL_DEFAULT, MPOL_LOCAL */
  MRC_MPOL_NODES_OPTIONAL, /* none means local allocation: MPOL_PREFERRED */
  MRC_MPOL_NODES_REQUIRED, /* at least one */
};

/* linux.memoryPolicy.mode, in the spec's order. */
struct mrc_mpol_mode
{
  const char *name; /* "MPOL_BIND" */
  int mode;         /* MPOL_BIND, for set_mempolicy(2) */
  enum mrc_mpol_nodes nodes;
};
extern const struct mrc_mpol_mode mrc_names_mpol_modes[];

/* linux.memoryPolicy.flags[], with the rules set_mempolicy(2) has for
 * each. */
struct mrc_mpol_flag
{
  const char *name;   /* "MPOL_F_STATIC_NODES" */
  int flag;           /* MPOL_F_STATIC_NODES */
  unsigned modes;     /* bit 1 << MODE for each mode it goes with; 0: any
                         (but see NEEDS_NODES) */
  bool needs_nodes;   /* it says how to read `nodes`: an error without */
  int excludes;       /* the flag it cannot be given with, 0 if none */
};
extern const struct mrc_mpol_flag mrc_names_mpol_flags[];

/* The row of NAME, NULL when unknown or NAME is NULL. */
const struct mrc_mpol_mode *mrc_names_mpol_mode (const char *name);
const struct mrc_mpol_flag *mrc_names_mpol_flag (const char *name);
/* Whether FLAG (a row above) may be given with MODE. */
bool mrc_names_mpol_flag_allows (const struct mrc_mpol_flag *flag,
                                 const struct mrc_mpol_mode *mode);

/* ------------------------------------------------------- mount options -- */

/* What an option is to the mount code. */
enum mrc_mount_kind
{
  MRC_MOPT_FLAG,        /* a mount flag: MS flag for mount(2), ATTR for
                           mount_setattr(2); recursive form: ATTR with
                           AT_RECURSIVE */
  MRC_MOPT_BIND,        /* MS_BIND; recursive form: with MS_REC */
  MRC_MOPT_PROPAGATION, /* MS is the propagation; recursive form: MS_REC */
  MRC_MOPT_EXTENSION,   /* EXT, done by mini-runc itself; recursive form:
                           with MRC_MOUNT_RIDMAP */
};

/* Row properties. */
#define MRC_MOPT_CLEAR 0x1U      /* turns the flag off: rw, suid, dev... */
#define MRC_MOPT_LOCKED 0x2U     /* a flag the kernel locks on a mount that
                                    came from a more privileged user
                                    namespace: a bind keeps it (EPERM) */
#define MRC_MOPT_ATIME_MODE 0x4U /* one of the atime modes (relatime,
                                    noatime, strictatime): ATTR is the
                                    MOUNT_ATTR__ATIME mode it leaves */

/* mini-runc's own extensions (MRC_MOPT_EXTENSION).
 * tmpcopyup: a tmpfs starts with a copy of what the image had there. */
#define MRC_MOUNT_TMPCOPYUP 0x1UL
/* idmap: a bind mount id-mapped (its top mount only) through the mount's
 * uidMappings/gidMappings, or the container's when it has none. */
#define MRC_MOUNT_IDMAP 0x2UL
/* ridmap: the same for every mount of an rbind. */
#define MRC_MOUNT_RIDMAP 0x4UL

struct mrc_mount_option
{
  const char *name;      /* as in mounts[].options: "nosuid" */
  const char *rname;     /* its recursive form ("rnosuid"), or NULL */
  enum mrc_mount_kind kind;
  unsigned props;        /* MRC_MOPT_CLEAR | MRC_MOPT_LOCKED | ... */
  unsigned long ms;      /* MS_* for mount(2) (propagation: the type) */
  uint64_t attr;         /* the same as MOUNT_ATTR_* for mount_setattr(2),
                            0 when it has none */
  unsigned long st;      /* the ST_* bit statvfs(3) reports for MS (on the
                            row that sets it), 0 when none */
  const char *fsconfig;  /* the fsconfig(2) key doing the same to a new
                            superblock, NULL when not a superblock flag */
  unsigned long ext;     /* MRC_MOUNT_* (MRC_MOPT_EXTENSION) */
};

/* Every mount option mini-runc implements.  Anything else in
 * mounts[].options goes to the filesystem as data. */
extern const struct mrc_mount_option mrc_names_mount_options[];

/* The row of option NAME, matched by its name or its recursive form
 * (*RECURSIVE tells which; RECURSIVE may be NULL); NULL when unknown. */
const struct mrc_mount_option *mrc_names_mount_option (const char *name,
                                                       bool *recursive);

/* The I-th option name, a recursive form right after its row's name; NULL
 * past the end (the option list of `features`). */
const char *mrc_names_mount_option_name (size_t i);

/* The propagation NAME (`private`, `rslave`...: a row of kind
 * MRC_MOPT_PROPAGATION) as MS_* flags, with MS_REC for a recursive one.
 * 0 when NAME is no propagation. */
unsigned long mrc_names_propagation (const char *name);

#endif
