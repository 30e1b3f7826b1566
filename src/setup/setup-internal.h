/* Shared between the files of src/setup only; callers use mrc/setup.h. */
#ifndef MRC_SETUP_INTERNAL_H
#define MRC_SETUP_INTERNAL_H

#include <stdbool.h>
#include <sys/mount.h>

#include "mrc/error.h"
#include "mrc/setup.h"

/* A new filesystem of kernel TYPE for mounts[] entry M (flags MF) onto
 * its destination inside ROOTFD; in a user namespace refused (EPERM), the
 * fallback bind of the host's instance where there is one. */
int mrc_setup_mount_fs (const struct mrc_launch *plan, int rootfd,
                        const struct mrc_mount *m,
                        const struct mrc_mount_flags *mf, const char *type,
                        mrc_error_t *err) MRC_WUR;

/* M's destination becomes a recursive bind of HOST (a host directory)
 * with MF's options and the target rules of M's type; 1 when HOST is
 * NULL or cannot be opened. */
int mrc_setup_bind_host (int rootfd, const struct mrc_mount *m,
                         const struct mrc_mount_flags *mf, const char *host,
                         mrc_error_t *err) MRC_WUR;

/* A `cgroup` mount on a v1 host (plan->cgroup_v1): runc's tree, a tmpfs
 * with one cgroup mount per hierarchy (cgroupfs.c). */
int mrc_setup_cgroup_v1_tree (const struct mrc_launch *plan, int rootfd,
                              const struct mrc_mount *m,
                              const struct mrc_mount_flags *mf,
                              mrc_error_t *err) MRC_WUR;

/* A read-only that waits for the end of the rootfs setup (rootfs.c): MNT
 * (-1: none), a mount made read-write, to get the per-mount FLAGS. */
struct mrc_ro_later
{
  int mnt;
  unsigned long flags;
  const char *dest;
};

/* The rootfs mounts[] go into: the plan, ROOTFD (the bound rootfs) and
 * the caller's POINTS (a bind's source from the runtime). */
struct mrc_setup_into
{
  const struct mrc_launch *plan;
  int rootfd;
  const struct mrc_setup_points *points;
};

/* Perform one mounts[] entry onto its destination inside TO; a read-only
 * the entry asks for that must wait is left in *LATER (its fd then the
 * caller's). */
int mrc_setup_mount_one (const struct mrc_setup_into *to,
                         const struct mrc_mount *m, struct mrc_ro_later *later,
                         mrc_error_t *err) MRC_WUR;

/* The filesystem of the mount MNT read-only, and MNT itself with the
 * per-mount FLAGS (MS_RDONLY among them): what mount(2)'s ro makes. */
int mrc_setup_make_readonly (int mnt, unsigned long flags, const char *dest,
                             mrc_error_t *err) MRC_WUR;

/* --no-pivot: the host's whole proc and sysfs mounts, outside ROOTFS,
 * detached or covered before the move (oldroot.c). */
int mrc_setup_hide_host_pseudofs (const char *rootfs, mrc_error_t *err) MRC_WUR;

/* Bind the host file or directory SRCFD (described as WHAT in errors) onto
 * DEST inside ROOTFD, creating DEST as a file or directory to match, with
 * the per-mount FLAGS (MS_RDONLY, MS_NOSUID...).  MS_REC in FLAGS makes
 * the bind recursive. */
int mrc_setup_bind_fd (int srcfd, const char *what, int rootfd,
                       const char *dest, unsigned long flags,
                       mrc_error_t *err) MRC_WUR;

/* Parse M's options into *MF (mrc_mount_flags_clear it) and tell whether
 * M is a bind mount (type "bind" or a bind/rbind option; MS_BIND is then
 * set in MF->flags).  Errors name M's destination. */
int mrc_setup_mount_kind (const struct mrc_mount *m,
                          struct mrc_mount_flags *mf, bool *bind,
                          mrc_error_t *err) MRC_WUR;

/* Whether M may be mounted on TFD, its target inside ROOTFD, just made or
 * opened (mount-dest.c): proc and sysfs on a real directory, only procfs
 * on /proc (a bind's source SRCFD must be one), nothing below /proc but
 * the files lxcfs covers. */
int mrc_setup_check_target (int rootfd, int tfd, const struct mrc_mount *m,
                            bool bind, int srcfd, mrc_error_t *err) MRC_WUR;

/* Before M's target is made: the same rules on the destination as
 * written, and no symlink on the way to a proc or sysfs one, so a refused
 * mount creates nothing.  mrc_setup_check_target still decides. */
int mrc_setup_precheck_dest (int rootfd, const struct mrc_mount *m, bool bind,
                             int srcfd, mrc_error_t *err) MRC_WUR;

/* A detached TREE (a bind's open_tree(2) clone, an id-mapped tree, or a
 * new filesystem's fsmount(2)) to be given MF's flags, recursive
 * attributes and propagation, then attached onto DEST inside ROOTFD (made
 * a file or a directory to match).  M, when not NULL, is the mounts[]
 * entry whose target rules apply: a new filesystem's (FS) by its type, a
 * bind's by its source.  WHAT names the source in errors. */
struct mrc_bind
{
  int tree;
  const char *what;
  int rootfd;
  const char *dest;
  const struct mrc_mount_flags *mf;
  const struct mrc_mount *m;
  bool fs;
};
/* ---- mount(2) where the new mount API answers ENOSYS (legacy.c) ---- */

/* The debug line saying CALL is missing and DEST is mounted with mount(2). */
void mrc_setup_say_enosys (const char *call, const char *dest);
/* B (its tree unused) bound from SRCFD with mount(2) onto its checked
 * target, then given its flags and propagation; recursive attributes fail
 * naming the option and mount_setattr(2). */
int mrc_setup_bind_legacy (const struct mrc_bind *b, int srcfd,
                           mrc_error_t *err) MRC_WUR;
/* The new filesystem MNT (its superblock and the mount) read-only, with
 * FLAGS' other per-mount flags, by mount(2)'s MS_REMOUNT. */
int mrc_setup_legacy_readonly (int mnt, unsigned long flags,
                               const char *dest, mrc_error_t *err) MRC_WUR;
/* PROPAGATION on the mount MNT with mount(2). */
int mrc_setup_legacy_propagation (int mnt, unsigned long propagation,
                                  const char *dest, mrc_error_t *err) MRC_WUR;

/* B bound from SRCFD: its tree cloned (FLAGS' MS_REC: recursively) and
 * attached, or on ENOSYS mrc_setup_bind_legacy. */
int mrc_setup_bind_from (struct mrc_bind *b, int srcfd, unsigned long flags,
                         mrc_error_t *err) MRC_WUR;
/* All of it: flags, target, attach, propagation. */
int mrc_setup_attach_tree (const struct mrc_bind *b, mrc_error_t *err) MRC_WUR;
/* The steps apart: the target made, checked and opened (an fd; a
 * directory when there is no TREE yet)... */
int mrc_setup_open_target (const struct mrc_bind *b, mrc_error_t *err) MRC_WUR;
/* ...MF's per-mount flags (a MS_REMOUNT|MS_BIND's meaning: those asked for
 * replace the others; none asked keeps them) and recursive attributes on
 * MNT, a tree or a mount... */
int mrc_setup_set_attrs (int mnt, const struct mrc_mount_flags *mf,
                         const char *dest, mrc_error_t *err) MRC_WUR;
/* ...the tree moved onto TFD, then given B->mf's propagation. */
int mrc_setup_attach_at (const struct mrc_bind *b, int tfd,
                         mrc_error_t *err) MRC_WUR;
/* PROPAGATION (MS_SHARED..., maybe |MS_REC; 0: none) on the mount MNT. */
int mrc_setup_set_propagation (int mnt, unsigned long propagation,
                               const char *dest, mrc_error_t *err) MRC_WUR;
/* The per-mount MS_* FLAGS as mount_setattr(2) attributes, with a
 * MS_REMOUNT|MS_BIND's meaning (see mrc_setup_set_attrs). */
struct mount_attr mrc_setup_mount_attr (unsigned long flags);

/* A new filesystem TYPE (the kernel's name) from SOURCE (may be NULL) as a
 * detached mount (fsmount.c): FLAGS' superblock flags and DATA's options
 * (comma-separated; DATA must not need mount(2)) set one by one, then its
 * per-mount flags.  An option the filesystem refuses is named in the
 * error with its reason. */
#define MRC_FS_KEEP_RW 0x1  /* read-only left to the caller (tmpcopyup) */
#define MRC_FS_SKIP_GID 0x2 /* a gid= devpts refuses (EINVAL) is dropped */
int mrc_setup_fs_tree (const char *type, const char *source,
                       unsigned long flags, const char *data, unsigned opts,
                       const char *dest, mrc_error_t *err) MRC_WUR;
/* DATA without its gid= option (a new string), or NULL when it has none
 * (or memory ran out). */
char *mrc_setup_data_without_gid (const char *data);
/* Whether SOURCE and DATA need mount(2) rather than fsconfig(2): a value
 * longer than fsconfig takes (mount(2) takes a page: an overlay's long
 * lowerdir list), a quoted value, an escaped comma, or a number after a
 * comma (tmpfs' mpol=bind:0,2). */
#define MRC_FSCONFIG_VALUE_MAX 255
bool mrc_setup_fs_needs_mount2 (const char *source, const char *data);
/* The superblock of the mount MNT (its root) reconfigured (fspick(2)) with
 * FLAGS and DATA (which must not need mount(2)); with REPLACE, superblock flags a remount may change and
 * FLAGS does not ask for are cleared, as mount(2)'s MS_REMOUNT does. */
int mrc_setup_fs_reconfigure (int mnt, unsigned long flags, const char *data,
                              bool replace, const char *dest,
                              mrc_error_t *err) MRC_WUR;

/* A detached copy of SRCFD (recursive with MS_REC in FLAGS). */
int mrc_setup_clone_tree (int srcfd, unsigned long flags, const char *what,
                          const char *dest, mrc_error_t *err) MRC_WUR;

/* An O_PATH fd of the bind mount M's source, a host path (relative ones
 * are relative to BUNDLE), opened by the caller (bind-source.c). */
int mrc_setup_bind_source (const char *bundle, const struct mrc_mount *m,
                           mrc_error_t *err) MRC_WUR;

/* /dev: the default devices and symlinks when WITH_DEFAULTS (the spec
 * mounted a fresh /dev), then linux.devices. */
int mrc_setup_devices (const struct mrc_launch *plan, int rootfd,
                       bool with_defaults, mrc_error_t *err) MRC_WUR;

/* linux.readonlyPaths, then linux.maskedPaths, inside ROOTFD (after
 * mounts[] and /dev). */
int mrc_setup_paths (const struct mrc_spec *spec, int rootfd,
                     mrc_error_t *err) MRC_WUR;

/* linux.sysctl written through the container's /proc/sys inside ROOTFD
 * (after /proc is mounted), every key checked first. */
int mrc_setup_sysctl (const struct mrc_launch *plan, int rootfd,
                      mrc_error_t *err) MRC_WUR;

/* Mount the overlay of the layers annotation on plan->rootfs (nothing
 * without the annotation). */
int mrc_setup_layers_mount (const struct mrc_launch *plan,
                            mrc_error_t *err) MRC_WUR;

/* True when PATH names DIR ("/dev", "//dev/", "dev" all name "/dev"). */
bool mrc_setup_path_is (const char *path, const char *dir);

/* tmpcopyup: copy the directory SRC_DIR (the image's, under the new
 * tmpfs) into DST_DIR (the tmpfs), owners and modes kept. */
int mrc_setup_copyup (int src_dir, int dst_dir, const char *dest,
                      mrc_error_t *err) MRC_WUR;

#endif
