/* The launch plan (mrc/launch.h): what the parent resolves, for create and
 * exec alike, before the clone.  Every check that bad input can fail is
 * here, so that a failure leaves nothing behind but what the lifecycle
 * itself undoes. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/log.h"
#include "mrc/security.h"
#include "mrc/setup.h"
#include "process-internal.h"

/* LISTEN_FDS is honoured only when LISTEN_PID names us, as sd_listen_fds. */
static int
listen_fds_from_env (void)
{
  const char *fds = getenv ("LISTEN_FDS"), *pid = getenv ("LISTEN_PID");
  if (fds == NULL || pid == NULL || atoi (pid) != (int) getpid ())
    return 0;
  int n = atoi (fds);
  return n > 0 ? n : 0;
}

/* The OCI state object of the hooks and the seccomp listener. */
static void
state_object (struct mrc_launch *plan)
{
  if (plan->mode == MRC_LAUNCH_EXEC)
    {
      plan->state = *plan->container;
      return;
    }
  plan->state = (struct mrc_state){
    .oci_version = plan->spec->oci_version, .id = (char *) plan->id,
    .bundle = (char *) plan->bundle, .rootfs = (char *) plan->rootfs,
    .owner = (char *) "", .annotations = plan->spec->annotations,
    .n_annotations = plan->spec->n_annotations,
  };
}

/* A container without a mount namespace of its own shares the host's
 * mount table: it gets the rootfs as its root by chroot and nothing else
 * (src/process/init.c).  runc runs such a config too, but performs its
 * mounts in the host's table and leaves them there; every field that would
 * need a mount is refused here instead, naming it. */
static int
check_without_mount_ns (const struct mrc_spec *spec, mrc_error_t *err)
{
  static const char why[] = "the container has no mount namespace of its "
                            "own (linux.namespaces), and it would change the "
                            "host's mount table";
  const struct mrc_linux *l = spec->linux_;
  const char *field = NULL;
  if (spec->n_mounts > 0)
    return mrc_fail (err, "mounts[0] (`%s`): %s", spec->mounts[0].destination,
                     why);
  if (spec->root_readonly)
    field = "root.readonly";
  else if (spec->process && spec->process->terminal)
    field = "process.terminal";
  else if (mrc_spec_annotation (spec, MRC_LAYERS_ANNOTATION))
    field = "annotations." MRC_LAYERS_ANNOTATION;
  else if (l && l->masked_paths && l->masked_paths[0])
    field = "linux.maskedPaths";
  else if (l && l->readonly_paths && l->readonly_paths[0])
    field = "linux.readonlyPaths";
  else if (l && l->n_devices > 0)
    field = "linux.devices";
  else if (l && l->n_sysctl > 0)
    field = "linux.sysctl";
  else if (l && l->rootfs_propagation && *l->rootfs_propagation)
    field = "linux.rootfsPropagation";
  if (field)
    return mrc_fail (err, "%s: %s", field, why);
  return 0;
}

/* The init's own: namespaces to make or join (paths opened and checked),
 * sysctls against them, id-mapped trees. */
static int
prepare_create (struct mrc_launch *plan, mrc_error_t *err)
{
  plan->listen_fds = listen_fds_from_env ();
  if (mrc_process_check_fds (plan->flags.preserve_fds + plan->listen_fds,
                             plan->inherited_fds, err)
          < 0
      || mrc_ns_prepare (plan->spec, &plan->ns, err) < 0)
    return -1;
  const struct mrc_linux *l = plan->spec->linux_;
  /* an unprivileged caller makes no namespace outside a user namespace
     (uid 0 of one, as under rootless podman, needs none of its own) */
  if (plan->rootless && geteuid () != 0 && !plan->ns.has_user)
    return mrc_fail (err, "linux.namespaces: a rootless container needs a "
                          "user namespace (`mini-runc spec --rootless` "
                          "writes one)");
  if (plan->rootless && l && l->n_net_devices > 0)
    return mrc_fail (err, "linux.netDevices: moving a host network device "
                          "into the container needs the host's root "
                          "(CAP_NET_ADMIN in its network namespace), and "
                          "mini-runc runs rootless");
  if (mrc_setup_sysctl_check (plan, err) < 0)
    return -1;
  /* made here: the init, inside its user namespace, may not id-map the
     host's filesystems (its own check of a joined mount namespace comes
     first: its error is the more precise one) */
  if (mrc_setup_idmap_prepare (plan->spec, plan->bundle, &plan->idmap_trees,
                               err) < 0)
    return -1;
  if (!(plan->ns.own_flags & CLONE_NEWNS))
    return check_without_mount_ns (plan->spec, err);
  return 0;
}

int
mrc_launch_prepare (struct mrc_launch *plan, mrc_error_t *err)
{
  plan->security = NULL;
  plan->idmap_trees = NULL;
  plan->listen_fds = 0;
  memset (&plan->ns, 0, sizeof plan->ns);
  for (size_t t = 0; t < MRC_N_NAMESPACES; t++)
    plan->ns.join[t] = -1;
  state_object (plan);
  /* exec too: its process is the runtime's child, not the init's, so it
     would not inherit the init's policy (runc sets it for exec as well) */
  if (mrc_spec_memory_policy (plan->spec->linux_, &plan->mempolicy, err) < 0)
    return -1;
  int r = plan->mode == MRC_LAUNCH_CREATE
              ? prepare_create (plan, err)
              : (mrc_process_check_fds (plan->flags.preserve_fds,
                                        plan->inherited_fds, err) < 0
                 || mrc_ns_prepare_exec (plan->container->pid, &plan->ns,
                                         err) < 0) ? -1 : 0;
  /* capability names, seccomp rules: resolved (and the filter compiled)
     before the clone, their warnings printed once, here */
  if (r == 0
      && mrc_security_prepare (plan->process, plan->spec->linux_, plan->root,
                               &plan->security, err) == 0)
    {
      const char *const *w = mrc_security_warnings (plan->security);
      for (size_t i = 0; w && w[i]; i++)
        mrc_warn ("%s", w[i]);
      return 0;
    }
  mrc_launch_release (plan);
  return -1;
}

void
mrc_launch_release (struct mrc_launch *plan)
{
  mrc_security_free (plan->security);
  plan->security = NULL;
  mrc_ns_release (&plan->ns);
  if (plan->idmap_trees)
    mrc_setup_idmap_close (plan->idmap_trees, plan->spec->n_mounts);
  plan->idmap_trees = NULL;
}

int
mrc_launch_state_json (const struct mrc_launch *plan, pid_t pid,
                       enum mrc_status status, char **json, size_t *len,
                       mrc_error_t *err)
{
  struct mrc_state st = plan->state;
  st.pid = pid;
  st.status = status;
  return mrc_state_to_json (&st, false, false, json, len, err);
}
