/* linux.sysctl: kernel parameters written through the container's own
 * /proc/sys.
 *
 * A sysctl is only the container's business when it belongs to a
 * namespace the container owns: the same write without that namespace
 * would change the host.  Each key is therefore matched against the
 * namespaced parameters below and refused, naming the key, when the
 * container does not have that namespace of its own, or when the key is
 * not namespaced at all (kernel.pid_max, vm.*...). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/fs.h"
#include "mrc/names.h"
#include "mrc/setup.h"
#include "setup-internal.h"

#define NS_IPC CLONE_NEWIPC
#define NS_NET CLONE_NEWNET
#define NS_UTS CLONE_NEWUTS

/* Namespaced parameters: an exact key, or every key starting with a
 * prefix ending in `.`, and the CLONE_NEW* of their namespace. */
static const struct
{
  const char *key;
  int ns;
} namespaced[] = {
  { "kernel.msgmax", NS_IPC },
  { "kernel.msgmnb", NS_IPC },
  { "kernel.msgmni", NS_IPC },
  { "kernel.msg_next_id", NS_IPC },
  { "kernel.sem", NS_IPC },
  { "kernel.sem_next_id", NS_IPC },
  { "kernel.shmall", NS_IPC },
  { "kernel.shmmax", NS_IPC },
  { "kernel.shmmni", NS_IPC },
  { "kernel.shm_next_id", NS_IPC },
  { "kernel.shm_rmid_forced", NS_IPC },
  { "fs.mqueue.", NS_IPC },
  { "net.", NS_NET },
  { "kernel.hostname", NS_UTS },
  { "kernel.domainname", NS_UTS },
};

static bool
key_matches (const char *key, const char *pattern)
{
  size_t n = strlen (pattern);
  if (pattern[n - 1] == '.')
    return strncmp (key, pattern, n) == 0 && key[n] != '\0';
  return strcmp (key, pattern) == 0;
}

/* Dots only, no empty component: the key becomes a path under /proc/sys,
 * so `/` and `..` could name any file there, or leave it. */
static int
check_syntax (const char *key, mrc_error_t *err)
{
  if (*key == '\0')
    return mrc_fail (err, "linux.sysctl: empty key");
  if (strchr (key, '/'))
    return mrc_fail (err, "linux.sysctl `%s`: `/` in a key is not allowed",
                     key);
  if (key[0] == '.' || key[strlen (key) - 1] == '.' || strstr (key, ".."))
    return mrc_fail (err, "linux.sysctl `%s`: empty component in the key",
                     key);
  return 0;
}

/* NS is the CLONE_NEW* flag of a namespace the container must own. */
static bool
has_ns (const struct mrc_launch *plan, int ns)
{
  return (plan->ns.own_flags & (unsigned long long) ns) != 0;
}

int
mrc_setup_sysctl_check (const struct mrc_launch *plan, mrc_error_t *err)
{
  const struct mrc_linux *l = plan->spec->linux_;
  for (size_t i = 0; l && i < l->n_sysctl; i++)
    {
      const char *key = l->sysctl[i].key;
      if (check_syntax (key, err) < 0)
        return -1;
      size_t j = 0;
      size_t n = sizeof namespaced / sizeof namespaced[0];
      while (j < n && !key_matches (key, namespaced[j].key))
        j++;
      if (j == n)
        return mrc_fail (err, "linux.sysctl `%s`: not in a namespace of "
                         "the container: it would change the host%s", key,
                         plan->rootless ? ", which needs the host's root, "
                                          "and mini-runc runs rootless"
                                        : "");
      if (!has_ns (plan, namespaced[j].ns))
        return mrc_fail (err, "linux.sysctl `%s`: the container has no %s "
                         "namespace of its own", key,
                         mrc_names_namespace_of (namespaced[j].ns)->name);
    }
  return 0;
}

static int
write_one (int rootfd, const struct mrc_kv *kv, mrc_error_t *err)
{
  cleanup_free char *path = NULL;
  if (asprintf (&path, "/proc/sys/%s", kv->key) < 0)
    return mrc_error_set (err, ENOMEM, "linux.sysctl `%s`", kv->key);
  for (char *p = path + strlen ("/proc/sys/"); *p; p++)
    if (*p == '.')
      *p = '/';
  cleanup_close int fd = mrc_fs_open_in_root (rootfd, path, O_WRONLY, err);
  if (fd < 0)
    return mrc_error_wrap (err, "linux.sysctl `%s`", kv->key);
  /* Only procfs decides what the write means: a file of the image put
   * where /proc should be would take the value silently. */
  struct statfs sf;
  if (fstatfs (fd, &sf) < 0)
    return mrc_fail_errno (err, "linux.sysctl `%s`: statfs `%s`", kv->key,
                           path);
  if (sf.f_type != PROC_SUPER_MAGIC)
    return mrc_fail (err, "linux.sysctl `%s`: `%s` is not on procfs (is "
                     "/proc mounted?)", kv->key, path);
  const char *v = kv->value ? kv->value : "";
  size_t len = strlen (v);
  ssize_t w;
  do
    w = write (fd, v, len);
  while (w < 0 && errno == EINTR);
  if (w < 0)
    return mrc_fail_errno (err, "linux.sysctl `%s`: write `%s`", kv->key, v);
  /* procfs takes a sysctl in one write: a short one was refused. */
  if ((size_t) w != len)
    return mrc_error_set (err, EINVAL, "linux.sysctl `%s`: write `%s`",
                          kv->key, v);
  return 0;
}

int
mrc_setup_sysctl (const struct mrc_launch *plan, int rootfd,
                  mrc_error_t *err)
{
  const struct mrc_linux *l = plan->spec->linux_;
  if (l == NULL || l->n_sysctl == 0)
    return 0;
  /* Every key was checked by mrc_setup_sysctl_check when the launch plan
     was made, before the clone. */
  for (size_t i = 0; i < l->n_sysctl; i++)
    if (write_one (rootfd, &l->sysctl[i], err) < 0)
      return -1;
  return 0;
}
