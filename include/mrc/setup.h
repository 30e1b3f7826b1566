/* Container setup steps run by the child (the future container init), after
 * its namespaces exist and before the user's program is executed.
 * Each reads the launch plan (mrc/launch.h); the order of the calls is the
 * child step table of src/process/steps.c. */
#ifndef MRC_SETUP_H
#define MRC_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/launch.h"
#include "mrc/names.h"
#include "mrc/spec.h"

/* The points of the rootfs setup where the caller's step runs: right
 * before the root switch, with the host's tree still visible (the
 * createRuntime/createContainer hook point), and right after it, before
 * the root goes read-only (the console pty).  And, in a user namespace,
 * the source of each bind of mounts[] that is not id-mapped: an O_PATH fd
 * of mounts[INDEX]'s source into *FD (-1: open it here, as without one),
 * opened by the runtime (mrc_setup_runtime_bind_source).  Any may be
 * NULL. */
struct mrc_setup_points
{
  int (*before_pivot) (void *arg, mrc_error_t *err);
  int (*after_pivot) (void *arg, mrc_error_t *err);
  int (*bind_source) (void *arg, size_t index, int *fd, mrc_error_t *err);
  void *arg;
};

/* Make the mount tree private (or linux.rootfsPropagation), bind the rootfs,
 * perform mounts[] in order (targets resolved inside the rootfs without
 * following symlinks out of it), create /dev's default devices and
 * symlinks, pivot_root into the rootfs (detaching the old root), apply
 * root.readonly.  On return the process's / is the container's root and
 * its cwd is /. */
int mrc_setup_rootfs (const struct mrc_launch *plan,
                      const struct mrc_setup_points *points,
                      mrc_error_t *err) MRC_WUR;

/* Id-mapped bind mounts, made by the runtime in its own namespaces before
 * the clone (the container's init, inside its user namespace, may not
 * id-map a host filesystem): *TREES gets one detached, id-mapped tree fd
 * per mounts[] entry that asks for it (-1 for the others), or NULL when
 * none does; sources relative to BUNDLE.  The init attaches them in
 * mrc_setup_rootfs (plan->idmap_trees).  Errors: a mapping on a mount that
 * is not a bind, mappings missing, an unreadable source. */
int mrc_setup_idmap_prepare (const struct mrc_spec *spec, const char *bundle,
                             int **trees, mrc_error_t *err) MRC_WUR;

/* Runtime side, in its own namespaces and with its own credentials: the
 * source of the bind mount M (relative to BUNDLE) opened through the root
 * of the container's init PROC_PID (the pid our /proc knows), so in the
 * init's mount namespace (bind-source.c says why).  *FD gets an O_PATH fd,
 * or -1 when the path crosses a magic link, which the init must resolve
 * itself, or when we may not look into the init (we are not privileged).  Errors are those of the init's own open ("mount `SRC` to
 * `DEST`: open source: <reason>"). */
int mrc_setup_runtime_bind_source (pid_t proc_pid, const char *bundle,
                                   const struct mrc_mount *m, int *fd,
                                   mrc_error_t *err) MRC_WUR;

/* The id-mapped tree of the bind mount M for the init PROC_PID in its own
 * user namespace (idmap.c): a helper joins the init's mount namespace and
 * clones the source there, from the init's copy of it, whose flags the
 * kernel locked (a read-only host mount stays read-only for container
 * root); a tree cloned in the runtime's namespace would carry no lock.
 * *FD gets the detached tree. */
/* Whether the bind mount M is id-mapped (idmap/ridmap or mappings). */
bool mrc_setup_mount_idmapped (const struct mrc_mount *m);

int mrc_setup_runtime_idmap_tree (pid_t proc_pid, const struct mrc_spec *spec,
                                  const char *bundle,
                                  const struct mrc_mount *m, int *fd,
                                  mrc_error_t *err) MRC_WUR;

/* Write gid_map then uid_map of PID's new user namespace (one write each;
 * "write uid_map: <reason>" on failure), as this caller may: directly, or
 * through newuidmap/newgidmap for an unprivileged caller's wider maps
 * (src/setup/idmap-write.c).  setgroups stays allowed except when an
 * unprivileged caller maps only its own gid (the kernel requires "deny"). */
int mrc_setup_write_id_maps (pid_t pid, const struct mrc_id_mapping *uid,
                             size_t n_uid, const struct mrc_id_mapping *gid,
                             size_t n_gid, mrc_error_t *err) MRC_WUR;

/* Close and free what mrc_setup_idmap_prepare made (N: spec->n_mounts). */
void mrc_setup_idmap_close (int *trees, size_t n);

/* linux.sysctl against the container's namespaces (PLAN's spec and the
 * namespaces it owns, plan->ns.own_flags): each key must use dots only, with no empty
 * component and no `/`, and belong to a namespace the container creates
 * (net.* -> network; kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.* ->
 * ipc; kernel.hostname, kernel.domainname -> uts).  Pure: no syscalls. */
int mrc_setup_sysctl_check (const struct mrc_launch *plan,
                            mrc_error_t *err) MRC_WUR;

/* An overlayfs root from image layers (src/setup/layers.c):
 *   org.mini-runc.rootfs.layers  "L0:L1:...": directories relative to the
 *       bundle, lowest first, at most MRC_LAYERS_MAX; never modified.
 *   org.mini-runc.rootfs.upper   "U" (optional): a directory relative to
 *       the bundle keeping the container's writes across containers (work
 *       dir: the sibling "U.work"; both created when missing).  Without
 *       it, the writable layer is STATE_DIR/overlay/{upper,work}, removed
 *       by delete.
 * The overlay is mounted on root.path inside the container's mount
 * namespace and becomes its root. */
#define MRC_LAYERS_ANNOTATION "org.mini-runc.rootfs.layers"
#define MRC_UPPER_ANNOTATION "org.mini-runc.rootfs.upper"
/* Without that annotation the writable layer lives in the state dir:
 * MRC_OVERLAY_DIR/{MRC_OVERLAY_UPPER,MRC_OVERLAY_WORK} (delete removes
 * them by these names). */
#define MRC_OVERLAY_DIR "overlay"
#define MRC_OVERLAY_UPPER "upper"
#define MRC_OVERLAY_WORK "work"
#define MRC_LAYERS_MAX 128

/* Check the layer annotations of SPEC against BUNDLE (absolute) without
 * changing anything: every layer an existing directory beneath the bundle
 * (no absolute path, `..` or symlink leaving it), at most MRC_LAYERS_MAX,
 * the upper dir's parent inside the bundle.  Errors name the annotation
 * and the path.  0 when there is no layers annotation. */
int mrc_setup_layers_check (const struct mrc_spec *spec, const char *bundle,
                            mrc_error_t *err) MRC_WUR;

/* hostname and domainname (needs a uts namespace; validated earlier). */
int mrc_setup_hostname (const struct mrc_spec *spec, mrc_error_t *err) MRC_WUR;

/* Mount options (mounts[].options) turned into mount(2) arguments.  Pure:
 * no syscalls, unit-tested. */
struct mrc_mount_flags
{
  unsigned long flags;        /* MS_* for mount(2), propagation excluded */
  unsigned long propagation;  /* MS_PRIVATE|MS_SHARED|MS_SLAVE|MS_UNBINDABLE,
                                 maybe |MS_REC; 0: leave it as it is */
  char *data;                 /* unknown options, comma-joined, for the
                                 filesystem; NULL when there are none */
  unsigned long extensions;   /* MRC_MOUNT_* done by mini-runc itself */
  /* Recursive options (`rro`, `rnosuid`, `rnoatime`...): MOUNT_ATTR_* for
     mount_setattr(2) with AT_RECURSIVE, applied after the mount.  An
     atime option puts the whole MOUNT_ATTR__ATIME mask in attr_clr, as
     the kernel requires; 0/0: no mount_setattr call. */
  unsigned long long attr_set;
  unsigned long long attr_clr;
};

/* extensions: MRC_MOUNT_TMPCOPYUP, MRC_MOUNT_IDMAP, MRC_MOUNT_RIDMAP
 * (include/mrc/names.h). */

/* Parse OPTS (NULL-terminated, may be NULL) in order: a later option wins
 * over an earlier one (`ro` then `rw` is rw).  Every option runc knows is
 * implemented: none is refused, and unknown ones go to the filesystem as
 * data.  Free OUT with
 * mrc_mount_flags_clear. */
int mrc_mount_options_parse (char *const *opts, struct mrc_mount_flags *out,
                             mrc_error_t *err) MRC_WUR;
void mrc_mount_flags_clear (struct mrc_mount_flags *f);

/* linux.rootfsPropagation (`private`, `rslave`...) -> MS_* flags. */
int mrc_mount_propagation_parse (const char *name, unsigned long *out,
                                 mrc_error_t *err) MRC_WUR;

/* statvfs f_flag (ST_*) -> the MS_* flags a MS_REMOUNT|MS_BIND must carry
 * to keep them (the kernel refuses to drop locked ones in a user ns). */
unsigned long mrc_mount_flags_from_statvfs (unsigned long f_flag);

#endif
