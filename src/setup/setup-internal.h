/* Shared between the files of src/setup only; callers use mrc/setup.h. */
#ifndef MRC_SETUP_INTERNAL_H
#define MRC_SETUP_INTERNAL_H

#include <stdbool.h>

#include "mrc/error.h"
#include "mrc/setup.h"

/* Perform one mounts[] entry onto its destination inside ROOTFD (an fd of
 * the bound rootfs). */
int mrc_setup_mount_one (const struct mrc_setup_ctx *ctx, int rootfd,
                         const struct mrc_mount *m, mrc_error_t *err) MRC_WUR;

/* Bind the host file or directory SRCFD (described as WHAT in errors) onto
 * DEST inside ROOTFD, creating DEST as a file or directory to match, then
 * remount it with the per-mount FLAGS (MS_RDONLY, MS_NOSUID...).  MS_REC
 * in FLAGS makes the bind recursive. */
int mrc_setup_bind_fd (int srcfd, const char *what, int rootfd,
                       const char *dest, unsigned long flags,
                       mrc_error_t *err) MRC_WUR;

/* mount_setattr(2) with AT_RECURSIVE on DEST inside ROOTFD (a mount just
 * made there) with MF's attr_set/attr_clr; nothing when both are 0. */
int mrc_setup_mount_setattr (int rootfd, const char *dest,
                             const struct mrc_mount_flags *mf,
                             mrc_error_t *err) MRC_WUR;

/* An id-mapped detached copy of SRCFD for the bind mount M (recursive copy
 * when FLAGS has MS_REC; every mount id-mapped with MRC_MOUNT_RIDMAP in
 * EXTENSIONS, else the top one), mapped through M's uidMappings and
 * gidMappings or, without them, the container's.  Returns the tree's fd,
 * for mrc_setup_move_tree. */
int mrc_setup_idmap_tree (const struct mrc_setup_ctx *ctx, int srcfd,
                          const struct mrc_mount *m, unsigned long flags,
                          unsigned long extensions, mrc_error_t *err) MRC_WUR;

/* move_mount(2) the detached TREE onto the target TFD (WHAT and DEST name
 * them in errors). */
int mrc_setup_move_tree (int tree, int tfd, const char *what,
                         const char *dest, mrc_error_t *err) MRC_WUR;

/* /dev: the default devices and symlinks when WITH_DEFAULTS (the spec
 * mounted a fresh /dev), then linux.devices. */
int mrc_setup_devices (const struct mrc_setup_ctx *ctx, int rootfd,
                       bool with_defaults, mrc_error_t *err) MRC_WUR;

/* linux.readonlyPaths, then linux.maskedPaths, inside ROOTFD (after
 * mounts[] and /dev). */
int mrc_setup_paths (const struct mrc_spec *spec, int rootfd,
                     mrc_error_t *err) MRC_WUR;

/* linux.sysctl written through the container's /proc/sys inside ROOTFD
 * (after /proc is mounted), every key checked first. */
int mrc_setup_sysctl (const struct mrc_setup_ctx *ctx, int rootfd,
                      mrc_error_t *err) MRC_WUR;

/* Mount the overlay of the layers annotation on ctx->rootfs (nothing
 * without the annotation). */
int mrc_setup_layers_mount (const struct mrc_setup_ctx *ctx,
                            mrc_error_t *err) MRC_WUR;

/* True when PATH names DIR ("/dev", "//dev/", "dev" all name "/dev"). */
bool mrc_setup_path_is (const char *path, const char *dir);

/* tmpcopyup: copy the directory SRC_DIR (the image's, under the new
 * tmpfs) into DST_DIR (the tmpfs), owners and modes kept. */
int mrc_setup_copyup (int src_dir, int dst_dir, const char *dest,
                      mrc_error_t *err) MRC_WUR;

#endif
