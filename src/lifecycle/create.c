/* create: load and check the bundle, reserve the id, spawn the init up to
 * its barrier, record the state, write the pid file.  Any failure undoes
 * everything: the init is killed and reaped, the state dir and the pid file
 * are removed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/container.h"
#include "mrc/cgroup.h"
#include "mrc/fault.h"
#include "mrc/fdpass.h"
#include "mrc/hooks.h"
#include "mrc/file.h"
#include "mrc/log.h"
#include "mrc/proc.h"
#include "mrc/process.h"
#include "mrc/net.h"
#include "mrc/setup.h"
#include "mrc/statedir.h"
#include "lifecycle-internal.h"

static int
load_bundle (const struct mrc_create_opts *o, struct mrc_created *c,
             mrc_error_t *err)
{
  const char *b = o->bundle ? o->bundle : ".";
  c->bundle = realpath (b, NULL);
  if (c->bundle == NULL)
    return mrc_fail_errno (err, "bundle `%s`", b);
  cleanup_close int bfd = open (c->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (bfd < 0)
    return mrc_fail_errno (err, "bundle `%s`", c->bundle);
  if (mrc_read_file_at (bfd, "config.json", MRC_SPEC_MAX_BYTES, &c->config,
                        &c->config_len, err)
          < 0
      || mrc_spec_parse (c->config, c->config_len, "config.json", &c->spec,
                         err)
             < 0
      || mrc_spec_validate (c->spec, err) < 0)
    return -1;
  /* Without a console socket only a foreground run can own the pty: it
     relays it to its own terminal (runc's rule). */
  if (c->spec->process->terminal && o->console_socket == NULL
      && !o->foreground)
    return mrc_fail (err, "process.terminal is true but no --console-socket "
                          "was given (set process.terminal to false to use "
                          "the caller's stdio)");
  if (o->console_socket && !c->spec->process->terminal)
    return mrc_fail (err, "--console-socket was given but process.terminal "
                          "is false");
  cleanup_free char *joined = NULL;
  const char *root = c->spec->root_path;
  if (root[0] != '/')
    {
      if (asprintf (&joined, "%s/%s", c->bundle, root) < 0)
        return mrc_fail_errno (err, "root.path");
      root = joined;
    }
  c->rootfs = realpath (root, NULL);
  if (c->rootfs == NULL)
    return mrc_fail_errno (err, "root.path `%s`", root);
  struct stat st;
  if (stat (c->rootfs, &st) < 0)
    return mrc_fail_errno (err, "root.path `%s`", c->rootfs);
  if (!S_ISDIR (st.st_mode))
    return mrc_error_set (err, ENOTDIR, "root.path `%s`", c->rootfs);
  /* image layers (org.mini-runc.rootfs.layers) and linux.netDevices:
     checked before anything exists, so bad ones leave nothing behind */
  if (mrc_net_check (c->spec, err) < 0)
    return -1;
  return mrc_setup_layers_check (c->spec, c->bundle, err);
}

/* STATUS CREATING (before the clone: what `delete` needs to clean up after
 * a create killed half-way, i.e. the cgroup) or CREATED (with the init). */
static int
record_state (struct mrc_created *c, enum mrc_status status,
              mrc_error_t *err)
{
  char now[64];
  long long ns;
  mrc_rfc3339_now (now, sizeof now, &ns);
  struct mrc_state st = c->plan.state;
  st.pid = c->init.pid;
  st.status = status;
  st.created = now;
  st.created_unix_ns = ns;
  st.cgroup_path = c->cg.path;
  st.cgroup_created_from = c->cg.created_from;
  st.cgroup_v1 = c->cg.v1;
  st.n_cgroup_v1 = c->cg.n_v1;
  st.cgroup_v1_created = c->cg.v1_created;
  st.n_cgroup_v1_created = c->cg.n_v1_created;
  st.systemd_cgroup = c->systemd_cgroup;
  st.no_new_keyring = c->plan.flags.no_new_keyring;
  if (status == MRC_STATUS_CREATING)
    return mrc_statedir_save (c->dir_fd, &st, err);
  if (mrc_proc_stat (c->init.pid, &st.pid_start_time, NULL) < 0)
    return mrc_fail_errno (err, "read start time of init %d",
                           (int) c->init.pid);
  /* exec and the poststart/poststop hooks use this copy: later edits of
     the bundle must not change a container that exists. */
  if (mrc_write_file_atomic (c->dir_fd, MRC_SAVED_CONFIG, c->config,
                             c->config_len, 0600, err)
      < 0)
    return -1;
  return mrc_statedir_save (c->dir_fd, &st, err);
}

/* --pidfd-socket: the caller gets a pidfd of the init, so it can signal and
 * wait for it without pid-reuse races. */
static int
send_pidfd (const char *path, int pidfd, mrc_error_t *err)
{
  cleanup_close int s = -1;
  if (mrc_fdpass_connect (path, &s, err) < 0
      || mrc_fdpass_send (s, pidfd, "", err) < 0)
    return mrc_error_wrap (err, "--pidfd-socket");
  return 0;
}

void
mrc_created_undo (const struct mrc_globals *g, const char *id,
                  struct mrc_created *c)
{
  mrc_error_t ignored = NULL;
  bool spawned = c->init.cloned;
  mrc_process_abort (&c->init);
  if (c->cgroup_made && mrc_cgroup_destroy (&c->cg, &ignored) < 0)
    {
      mrc_warn ("%s", ignored->msg);
      mrc_error_free (&ignored);
    }
  /* A container whose init existed is deleted like any other: its
     poststop hooks run (the runtime-spec's step 12 after a failing
     prestart/createRuntime/createContainer hook). */
  size_t n;
  cleanup_free char *json = NULL;
  size_t len;
  if (spawned && mrc_hooks_of (&c->spec->hooks, MRC_HOOK_POSTSTOP, &n) && n
      && mrc_launch_state_json (&c->plan, 0, MRC_STATUS_STOPPED, &json, &len,
                                &ignored) == 0)
    mrc_hooks_run_warn (&c->spec->hooks, MRC_HOOK_POSTSTOP, json, len);
  mrc_error_free (&ignored);
  if (c->pid_file_written && unlink (c->pid_file) < 0)
    mrc_warn ("remove pid file `%s`: %m", c->pid_file);
  if (c->dir_fd >= 0 && mrc_statedir_remove (c->root_fd, id, c->dir_fd,
                                             &ignored) < 0)
    {
      mrc_warn ("%s (state root `%s`)", ignored->msg, g->root);
      mrc_error_free (&ignored);
    }
  if (c->plan_prepared)
    mrc_launch_release (&c->plan);
  c->plan_prepared = false;
}

void
mrc_created_release (struct mrc_created *c)
{
  if (c->plan_prepared)
    mrc_launch_release (&c->plan);
  free (c->cgroup_dir);
  mrc_spec_free (c->spec);
  mrc_cgroup_release (&c->cg);
  mrc_cgroup_release (&c->own_cgroup);
  mrc_cgroup_procs_close (&c->cgroup_procs);
  for (size_t i = 0; i < c->n_cgroup_v1; i++)
    free ((char *) c->cgroup_v1[i].host);
  free (c->cgroup_v1);
  free (c->config);
  free (c->bundle);
  free (c->rootfs);
  free (c->state_dir);
  if (c->init.pidfd >= 0)
    close (c->init.pidfd);
  if (c->init.sync_fd >= 0)
    close (c->init.sync_fd);
  if (c->dir_fd >= 0)
    close (c->dir_fd);
  if (c->root_fd >= 0)
    close (c->root_fd);
  if (c->console_fd >= 0)
    close (c->console_fd);
  if (c->init.pty_master >= 0)
    close (c->init.pty_master);
  memset (c, 0, sizeof *c);
  c->dir_fd = c->root_fd = c->init.pidfd = c->init.sync_fd = -1;
  c->console_fd = c->init.pty_master = -1;
  c->cg = c->own_cgroup = (struct mrc_cgroup) MRC_CGROUP_INIT;
  c->cgroup_procs = (struct mrc_cgroup_procs) MRC_CGROUP_PROCS_INIT;
}

/* The cgroup's device program: loaded (the verifier's run) while the init
 * sets up, attached when its device nodes exist (mrc/cgroup.h). */
static int
devices_load (void *arg, mrc_error_t *err)
{
  struct mrc_created *c = arg;
  return mrc_cgroup_devices_load (&c->cg, err);
}

static int
devices_attach (void *arg, mrc_error_t *err)
{
  struct mrc_created *c = arg;
  int r = mrc_cgroup_devices_attach (&c->cg, err);
  mrc_fault (NULL, "create:devices");
  return r;
}

static int create_steps (const struct mrc_globals *g,
                         const struct mrc_create_opts *o,
                         struct mrc_created *c, mrc_error_t *err);

int
mrc_create_common (const struct mrc_globals *g, const struct mrc_create_opts *o,
                   struct mrc_created *c, mrc_error_t *err)
{
  /* First of all: the grace period a v1 move waits for then passes while
     the config is read and the cgroups are made (src/cgroup/warm.c). */
  pid_t warm = mrc_cgroup_warm_start ();
  int r = create_steps (g, o, c, err);
  mrc_cgroup_warm_end (warm);
  return r;
}

/* The init's launch plan from the bundle and the command line: every check
 * bad input can fail runs here, before the state dir exists.  The
 * container's directories and cgroup are filled in as they are made. */
static int
plan_init (const struct mrc_globals *g, const struct mrc_create_opts *o,
           struct mrc_created *c, mrc_error_t *err)
{
  c->plan = (struct mrc_launch){
    .mode = MRC_LAUNCH_CREATE, .flags = o->launch, .id = o->id,
    .spec = c->spec, .process = c->spec->process, .bundle = c->bundle,
    .rootfs = c->rootfs, .root = g->root, .state_fd = -1, .lock_fd = -1,
    .console_fd = -1, .inherited_fds = g->inherited_fds, .cgroup_fd = -1,
    .init_pidfd = -1, .rootless = g->rootless,
  };
  if (mrc_launch_prepare (&c->plan, err) < 0)
    return -1;
  c->plan_prepared = true;
  return 0;
}

static int
create_steps (const struct mrc_globals *g, const struct mrc_create_opts *o,
              struct mrc_created *c, mrc_error_t *err)
{
  memset (c, 0, sizeof *c);
  c->dir_fd = c->root_fd = c->init.pidfd = c->init.sync_fd = -1;
  c->console_fd = c->init.pty_master = -1;
  c->cg = c->own_cgroup = (struct mrc_cgroup) MRC_CGROUP_INIT;
  c->cgroup_procs = (struct mrc_cgroup_procs) MRC_CGROUP_PROCS_INIT;
  c->systemd_cgroup = g->systemd_cgroup;
  /* Everything that can be checked without touching the system first, so
     bad input leaves nothing behind. */
  if (mrc_id_validate (o->id, err) < 0 || load_bundle (o, c, err) < 0
      || plan_init (g, o, c, err) < 0)
    return -1;
  mrc_fault (NULL, "create:loaded");
  mrc_debug ("create: container `%s` from bundle `%s`, root `%s`", o->id,
             c->bundle, c->rootfs);
  if (o->console_socket
      && mrc_fdpass_connect (o->console_socket, &c->console_fd, err) < 0)
    return mrc_error_wrap (err, "--console-socket");
  if (mrc_statedir_open_root (g->root, true, &c->root_fd, err) < 0
      || mrc_statedir_new (c->root_fd, o->id, &c->dir_fd, err) < 0)
    return -1;
  mrc_fault (NULL, "create:state-dir");
  char proc[64];
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", c->dir_fd);
  c->state_dir = realpath (proc, NULL);
  if (c->state_dir == NULL)
    {
      mrc_fail_errno (err, "state directory of `%s`", o->id);
      goto fail;
    }
  if (mrc_notify_prepare (c->spec, c->dir_fd, c->state_dir, err) < 0)
    goto fail;
  /* The cgroup before the clone: the init is born in it.  A limit whose
     controller is missing fails here, and undo removes the state dir. */
  const struct mrc_linux *l = c->spec->linux_;
  /* Recorded before the cgroup is made, so a create killed at any point
     leaves state.json saying what `delete` has to remove. */
  bool changed;
  size_t procs;
  if (mrc_cgroup_prepare (l ? l->cgroups_path : NULL, o->id,
                          g->systemd_cgroup, &c->cg, err) < 0
      || mrc_cgroup_existing (&c->cg, &procs, err) < 0
      || record_state (c, MRC_STATUS_CREATING, err) < 0)
    goto fail;
  mrc_fault (NULL, "create:recorded");
  if (mrc_created_make_cgroup (g, c, l, &changed, err) < 0)
    goto fail;
  mrc_fault (NULL, "create:cgroup");
  /* joined, as runc joins it, with runc's warning */
  if (procs > 0)
    mrc_warn ("container's cgroup is not empty: %zu process(es) found",
              procs);
  c->cgroup_made = true;
  mrc_debug ("create: cgroup `%s` and %zu v1 group(s)",
             c->cg.path ? c->cg.path : "-", c->cg.n_v1);
  /* rewritten only when another creator raced us for a parent */
  if ((changed && record_state (c, MRC_STATUS_CREATING, err) < 0)
      || mrc_cgroup_procs_open (&c->cg, &c->cgroup_procs, err) < 0)
    goto fail;
  if (mrc_created_cgroup_view (c, err) < 0)
    goto fail;
  /* the container's facts, now that they exist */
  struct mrc_launch *plan = &c->plan;
  plan->state_fd = plan->lock_fd = c->dir_fd;
  plan->state_dir = c->state_dir;
  plan->console_fd = c->console_fd;
  plan->cgroup_fd = c->cg.fd;
  plan->cgroup_procs = c->cgroup_procs.n ? &c->cgroup_procs : NULL;
  plan->cgroup_dir = c->cgroup_dir;
  plan->cgroup_v1 = c->cgroup_v1;
  plan->n_cgroup_v1 = c->n_cgroup_v1;
  plan->around = (struct mrc_launch_around){ c, devices_load, devices_attach };
  if (mrc_process_spawn (plan, &c->init, err) < 0)
    goto fail;
  mrc_fault (NULL, "create:spawned");
  if (record_state (c, MRC_STATUS_CREATED, err) < 0)
    goto fail;
  mrc_fault (NULL, "create:created");
  mrc_debug ("create: init of `%s` is pid %d, waiting for start", o->id,
             (int) c->init.pid);
  if (o->pid_file)
    {
      if (mrc_write_pid_file (o->pid_file, c->init.pid, err) < 0)
        goto fail;
      c->pid_file = o->pid_file;
      c->pid_file_written = true;
      mrc_fault (NULL, "create:pid-file");
    }
  if (o->pidfd_socket && send_pidfd (o->pidfd_socket, c->init.pidfd, err) < 0)
    goto fail;
  if (mrc_process_go (&c->init, err) < 0)
    goto fail;
  mrc_fault (NULL, "create:go");
  /* the init has all it needs: what the plan holds (id-mapped trees,
     joined namespaces, the filter) must not live on in a foreground run */
  mrc_launch_release (&c->plan);
  c->plan_prepared = false;
  return 0;
fail:
  mrc_created_undo (g, o->id, c);
  return -1;
}

int
mrc_container_create (const struct mrc_globals *g,
                      const struct mrc_create_opts *o, mrc_error_t *err)
{
  struct mrc_created c;
  int r = mrc_create_common (g, o, &c, err);
  mrc_created_release (&c);
  return r;
}
