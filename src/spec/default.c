/* The config.json written by `mini-runc spec`: runc's default, so that
 * scripts and tutorials written for `runc spec` keep working, with our own
 * hostname.  `--rootless` follows `runc spec --rootless`: a user namespace
 * mapping the caller to root, no network namespace (an unprivileged user
 * cannot configure one), /sys bound instead of a new sysfs, and no device
 * cgroup rules. */
#define _GNU_SOURCE
#include <unistd.h>

#include "mrc/spec.h"

#include "spec-internal.h"

#define N_ELEMS(a) (sizeof (a) / sizeof ((a)[0]))

static const char *const default_caps[]
    = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

static const char *const default_env[]
    = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "TERM=xterm", NULL };

static const char *const masked_paths[] = {
  "/proc/acpi",          "/proc/asound",      "/proc/kcore",
  "/proc/keys",          "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats",   "/proc/sched_debug", "/sys/firmware",
  "/proc/scsi",          "/sys/devices/virtual/powercap", NULL,
};

static const char *const readonly_paths[]
    = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
        "/proc/sysrq-trigger", NULL };

struct default_mount
{
  const char *destination;
  const char *type;
  const char *source;
  const char *const *options;
  int mode; /* MODE_ALL, or only with / without rootless */
};

enum
{
  MODE_ALL,
  MODE_ROOT,
  MODE_ROOTLESS,
};

static const char *const dev_opts[]
    = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
static const char *const devpts_opts[]
    = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
        "gid=5", NULL };
/* Rootless: the tty group is not mapped, so no gid=5. */
static const char *const devpts_rootless_opts[]
    = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
        NULL };
static const char *const shm_opts[]
    = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
static const char *const mqueue_opts[] = { "nosuid", "noexec", "nodev", NULL };
static const char *const sysfs_opts[]
    = { "nosuid", "noexec", "nodev", "ro", NULL };
static const char *const sys_bind_opts[]
    = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
static const char *const cgroup_opts[]
    = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };

static const struct default_mount default_mounts[] = {
  { "/proc", "proc", "proc", NULL, MODE_ALL },
  { "/dev", "tmpfs", "tmpfs", dev_opts, MODE_ALL },
  { "/dev/pts", "devpts", "devpts", devpts_opts, MODE_ROOT },
  { "/dev/pts", "devpts", "devpts", devpts_rootless_opts, MODE_ROOTLESS },
  { "/dev/shm", "tmpfs", "shm", shm_opts, MODE_ALL },
  { "/dev/mqueue", "mqueue", "mqueue", mqueue_opts, MODE_ALL },
  { "/sys", "sysfs", "sysfs", sysfs_opts, MODE_ROOT },
  { "/sys", "none", "/sys", sys_bind_opts, MODE_ROOTLESS },
  { "/sys/fs/cgroup", "cgroup", "cgroup", cgroup_opts, MODE_ALL },
};

static const char *const root_namespaces[]
    = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
static const char *const rootless_namespaces[]
    = { "pid", "ipc", "uts", "mount", "cgroup", "user", NULL };

static void
gen_process (struct mrc_gen *g)
{
  static const char *const cap_sets[]
      = { "bounding", "effective", "permitted", "ambient" };
  mrc_gen_str (g, "process");
  mrc_gen_open_map (g);
  mrc_gen_kbool (g, "terminal", true);
  mrc_gen_str (g, "user");
  mrc_gen_open_map (g);
  mrc_gen_kint (g, "uid", 0);
  mrc_gen_kint (g, "gid", 0);
  mrc_gen_close_map (g);
  mrc_gen_str (g, "args");
  mrc_gen_strv (g, (const char *const[]){ "sh", NULL });
  mrc_gen_str (g, "env");
  mrc_gen_strv (g, default_env);
  mrc_gen_kstr (g, "cwd", "/");
  mrc_gen_str (g, "capabilities");
  mrc_gen_open_map (g);
  for (size_t i = 0; i < N_ELEMS (cap_sets); i++)
    {
      mrc_gen_str (g, cap_sets[i]);
      mrc_gen_strv (g, default_caps);
    }
  mrc_gen_close_map (g);
  mrc_gen_str (g, "rlimits");
  mrc_gen_open_array (g);
  mrc_gen_open_map (g);
  mrc_gen_kstr (g, "type", "RLIMIT_NOFILE");
  mrc_gen_kint (g, "hard", 1024);
  mrc_gen_kint (g, "soft", 1024);
  mrc_gen_close_map (g);
  mrc_gen_close_array (g);
  mrc_gen_kbool (g, "noNewPrivileges", true);
  mrc_gen_close_map (g);
}

static void
gen_mounts (struct mrc_gen *g, bool rootless)
{
  mrc_gen_str (g, "mounts");
  mrc_gen_open_array (g);
  for (size_t i = 0; i < N_ELEMS (default_mounts); i++)
    {
      const struct default_mount *m = &default_mounts[i];
      if (m->mode == (rootless ? MODE_ROOT : MODE_ROOTLESS))
        continue;
      mrc_gen_open_map (g);
      mrc_gen_kstr (g, "destination", m->destination);
      mrc_gen_kstr (g, "type", m->type);
      mrc_gen_kstr (g, "source", m->source);
      if (m->options)
        {
          mrc_gen_str (g, "options");
          mrc_gen_strv (g, m->options);
        }
      mrc_gen_close_map (g);
    }
  mrc_gen_close_array (g);
}

static void
gen_id_mapping (struct mrc_gen *g, const char *key, unsigned host_id)
{
  mrc_gen_str (g, key);
  mrc_gen_open_array (g);
  mrc_gen_open_map (g);
  mrc_gen_kint (g, "containerID", 0);
  mrc_gen_kint (g, "hostID", host_id);
  mrc_gen_kint (g, "size", 1);
  mrc_gen_close_map (g);
  mrc_gen_close_array (g);
}

static void
gen_linux (struct mrc_gen *g, bool rootless)
{
  const char *const *namespaces
      = rootless ? rootless_namespaces : root_namespaces;
  mrc_gen_str (g, "linux");
  mrc_gen_open_map (g);
  if (rootless)
    {
      gen_id_mapping (g, "uidMappings", getuid ());
      gen_id_mapping (g, "gidMappings", getgid ());
    }
  else
    {
      /* Deny every device; the default devices are allowed implicitly. */
      mrc_gen_str (g, "resources");
      mrc_gen_open_map (g);
      mrc_gen_str (g, "devices");
      mrc_gen_open_array (g);
      mrc_gen_open_map (g);
      mrc_gen_kbool (g, "allow", false);
      mrc_gen_kstr (g, "access", "rwm");
      mrc_gen_close_map (g);
      mrc_gen_close_array (g);
      mrc_gen_close_map (g);
    }
  mrc_gen_str (g, "namespaces");
  mrc_gen_open_array (g);
  for (size_t i = 0; namespaces[i]; i++)
    {
      mrc_gen_open_map (g);
      mrc_gen_kstr (g, "type", namespaces[i]);
      mrc_gen_close_map (g);
    }
  mrc_gen_close_array (g);
  mrc_gen_str (g, "maskedPaths");
  mrc_gen_strv (g, masked_paths);
  mrc_gen_str (g, "readonlyPaths");
  mrc_gen_strv (g, readonly_paths);
  mrc_gen_close_map (g);
}

int
mrc_spec_default_json (bool rootless, char **out, size_t *len,
                       mrc_error_t *err)
{
  struct mrc_gen g;
  if (mrc_gen_init (&g, "\t", err) < 0)
    return -1;
  mrc_gen_open_map (&g);
  mrc_gen_kstr (&g, "ociVersion", MRC_OCI_VERSION);
  gen_process (&g);
  mrc_gen_str (&g, "root");
  mrc_gen_open_map (&g);
  mrc_gen_kstr (&g, "path", "rootfs");
  mrc_gen_kbool (&g, "readonly", true);
  mrc_gen_close_map (&g);
  mrc_gen_kstr (&g, "hostname", "mini-runc");
  gen_mounts (&g, rootless);
  gen_linux (&g, rootless);
  mrc_gen_close_map (&g);
  return mrc_gen_finish (&g, "default config.json", out, len, err);
}
