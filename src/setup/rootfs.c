#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "setup-internal.h"

/* Propagation of the whole tree when linux.rootfsPropagation is absent:
 * rprivate, so nothing mounted for the container reaches the host and no
 * later host mount leaks into the container.  (runc uses rslave, which
 * still lets host mounts in; crun uses rprivate.) */
#define DEFAULT_PROPAGATION (MS_REC | MS_PRIVATE)

/* What mounts[] does to /dev decides what the runtime puts there. */
enum dev_setup
{
  DEV_NONE,   /* no /dev mount: only linux.devices, into the image's /dev */
  DEV_FRESH,  /* a filesystem of its own (tmpfs): default nodes too */
  DEV_BIND,   /* the host's /dev bound in: nothing, as runc */
};

static enum dev_setup
spec_dev_setup (const struct mrc_spec *spec)
{
  enum dev_setup r = DEV_NONE;
  /* The last mount on /dev is the one the container sees. */
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct mrc_mount *m = &spec->mounts[i];
      if (m->destination == NULL || !mrc_setup_path_is (m->destination, "/dev"))
        continue;
      bool bind = m->type && strcmp (m->type, "bind") == 0;
      for (char **o = m->options; o && *o && !bind; o++)
        bind = strcmp (*o, "bind") == 0 || strcmp (*o, "rbind") == 0;
      r = bind ? DEV_BIND : DEV_FRESH;
    }
  return r;
}

/* pivot_root(2) refuses a new root whose parent mount is shared.  When the
 * requested propagation may have left it shared, make the mount holding
 * ROOTFS private.  That mount is found by walking up: MS_PRIVATE fails with
 * EINVAL on a directory that is not the root of a mount. */
static int
make_parent_private (const char *rootfs, mrc_error_t *err)
{
  cleanup_free char *path = realpath (rootfs, NULL);
  if (path == NULL)
    return mrc_fail_errno (err, "resolve rootfs `%s`", rootfs);
  for (;;)
    {
      if (mount (NULL, path, NULL, MS_PRIVATE, NULL) == 0)
        return 0;
      if (errno != EINVAL || strcmp (path, "/") == 0)
        return mrc_fail_errno (err, "make the mount holding `%s` private",
                               rootfs);
      char *slash = strrchr (path, '/');
      slash[slash == path ? 1 : 0] = '\0';
    }
}

/* Make ROOTFD (the bound rootfs) the process's `/` and drop the old root. */
static int
pivot (int rootfd, mrc_error_t *err)
{
  cleanup_close int oldroot = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (oldroot < 0)
    return mrc_fail_errno (err, "open `/`");
  if (fchdir (rootfd) < 0)
    return mrc_fail_errno (err, "chdir to the rootfs");
  /* pivot_root(".", ".") stacks the old root on top of the new one, which
   * needs no put_old directory inside the (maybe read-only) rootfs. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return mrc_fail_errno (err, "pivot_root");
  if (fchdir (oldroot) < 0)
    return mrc_fail_errno (err, "chdir to the old root");
  /* The old root must be a slave before it is detached: with a shared
   * propagation the unmount would reach the host's mounts. */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return mrc_fail_errno (err, "make the old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return mrc_fail_errno (err, "detach the old root");
  if (chdir ("/") < 0)
    return mrc_fail_errno (err, "chdir to `/`");
  return 0;
}

/* --no-pivot (the rootfs lives on a ramfs, where pivot_root fails): move
 * the rootfs over `/` and chroot into it.  The host's tree stays in the
 * mount namespace underneath: its proc and sysfs go first (oldroot.c). */
static int
move_root (const struct mrc_launch *plan, int rootfd, mrc_error_t *err)
{
  if (mrc_setup_hide_host_pseudofs (plan->rootfs, err) < 0)
    return -1;
  if (fchdir (rootfd) < 0)
    return mrc_fail_errno (err, "chdir to the rootfs");
  if (mount (".", "/", NULL, MS_MOVE, NULL) < 0)
    return mrc_fail_errno (err, "move the rootfs to `/`");
  if (chroot (".") < 0)
    return mrc_fail_errno (err, "chroot to the rootfs");
  if (chdir ("/") < 0)
    return mrc_fail_errno (err, "chdir to `/`");
  return 0;
}

static int
remount_root_readonly (mrc_error_t *err)
{
  struct statvfs sv;
  if (statvfs ("/", &sv) < 0)
    return mrc_fail_errno (err, "statfs `/`");
  /* A bind remount replaces all per-mount flags: carry nosuid, nodev...
   * or the kernel refuses (EPERM) to drop the ones a user ns locked. */
  unsigned long flags = mrc_mount_flags_from_statvfs (sv.f_flag) | MS_RDONLY;
  if (mount (NULL, "/", NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
    return mrc_fail_errno (err, "remount `/` read-only");
  return 0;
}

static int
set_root_propagation (unsigned long prop, const char *name, mrc_error_t *err)
{
  if (mount (NULL, "/", NULL, prop, NULL) < 0)
    return mrc_fail_errno (err, "make `/` %s", name);
  return 0;
}

static void
ro_later_close (struct mrc_ro_later *l)
{
  mrc_closep (&l->mnt);
}

/* Steps 3-5: inside the bound rootfs, before it becomes `/`.  A /dev to
 * be read-only is left read-write in *DEV_RO (mounts.c says why). */
static int
populate (const struct mrc_setup_into *to, struct mrc_ro_later *dev_ro,
          mrc_error_t *err)
{
  const struct mrc_launch *plan = to->plan;
  int rootfd = to->rootfd;
  const struct mrc_spec *spec = plan->spec;
  /* mounts[] strictly in order: a later entry may mount onto a directory
   * an earlier one made (/dev/pts lives in the /dev tmpfs). */
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      struct mrc_ro_later l;
      if (mrc_setup_mount_one (to, &spec->mounts[i], &l, err) < 0)
        return -1;
      /* a later /dev stacks on (hides) an earlier one: the last counts */
      if (l.mnt >= 0)
        {
          ro_later_close (dev_ro);
          *dev_ro = l;
        }
    }
  /* Devices after the mounts: they go into the /dev tmpfs, not underneath
   * it. */
  enum dev_setup dev = spec_dev_setup (spec);
  if (dev != DEV_BIND
      && mrc_setup_devices (plan, rootfd, dev == DEV_FRESH, err) < 0)
    return -1;
  /* sysctls through the container's /proc/sys: after /proc is mounted,
   * before readonlyPaths makes /proc/sys read-only. */
  if (mrc_setup_sysctl (plan, rootfd, err) < 0)
    return -1;
  /* Read-only and masked paths last: they cover files the mounts above
   * made (/proc/kcore, /proc/sys), and masking binds the host's
   * /dev/null, reachable only before the root switch. */
  return mrc_setup_paths (spec, rootfd, err);
}

int
mrc_setup_rootfs (const struct mrc_launch *plan,
                  const struct mrc_setup_points *points, mrc_error_t *err)
{
  const struct mrc_spec *spec = plan->spec;
  const char *want = spec->linux_ ? spec->linux_->rootfs_propagation : NULL;
  unsigned long prop = DEFAULT_PROPAGATION;
  if (want && mrc_mount_propagation_parse (want, &prop, err) < 0)
    return mrc_error_wrap (err, "linux.rootfsPropagation");

  /* 1. Propagation first: every mount made below would otherwise be
   * copied to the host's peer mounts (systemd makes `/` shared). */
  if (set_root_propagation (prop, want ? want : "rprivate", err) < 0)
    return -1;
  /* 2. Only now can the rootfs's parent be made private: a recursive
   * `shared` above would have made it shared again. */
  if (prop != (MS_REC | MS_PRIVATE) && prop != (MS_REC | MS_SLAVE)
      && make_parent_private (plan->rootfs, err) < 0)
    return -1;
  /* 2b. The overlay of image layers on root.path, once the propagation
   * above keeps it inside the container's mount namespace; the steps
   * below bind and fill it like any rootfs directory. */
  if (mrc_setup_layers_mount (plan, err) < 0)
    return -1;
  /* 3. pivot_root needs the new root to be a mount point; the bind is
   * recursive so mounts already under the rootfs come along. */
  if (mount (plan->rootfs, plan->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return mrc_fail_errno (err, "bind the rootfs `%s`", plan->rootfs);
  /* Opened after the bind: lookups from it must see the mounts stacked on
   * the bound tree, not the directory underneath. */
  cleanup_close int rootfd = open (plan->rootfs,
                                   O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return mrc_fail_errno (err, "open the rootfs `%s`", plan->rootfs);
  __attribute__ ((cleanup (ro_later_close))) struct mrc_ro_later dev_ro
      = { .mnt = -1 };
  struct mrc_setup_into to = { plan, rootfd, points };
  if (populate (&to, &dev_ro, err) < 0)
    return -1;
  /* 5. The runtime's createRuntime and createContainer hooks see the
   * container's mounts but still the host's root, as the spec orders. */
  if (points->before_pivot && points->before_pivot (points->arg, err) < 0)
    return -1;
  /* 6. Switch roots last: bind sources are host paths, found only while
   * the host's tree is still our root. */
  if ((plan->flags.no_pivot ? move_root (plan, rootfd, err)
                            : pivot (rootfd, err)) < 0)
    return -1;
  /* 7. A requested propagation is applied again to the new `/`: step 1
   * set it on the host's tree, which is gone. */
  if (want && set_root_propagation (prop, want, err) < 0)
    return -1;
  if (points->after_pivot && points->after_pivot (points->arg, err) < 0)
    return -1;
  /* 8. A read-only /dev only now, as runc's finalizeRootfs makes it: the
   * devices, the mounts below it and, in after_pivot, the console were
   * all created in it above. */
  if (dev_ro.mnt >= 0
      && mrc_setup_make_readonly (dev_ro.mnt, dev_ro.flags, dev_ro.dest,
                                  err) < 0)
    return -1;
  /* 9. Read-only root last: every mount and node above was made inside it. */
  if (spec->root_readonly && remount_root_readonly (err) < 0)
    return -1;
  return 0;
}
