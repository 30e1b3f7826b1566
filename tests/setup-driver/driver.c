/* Throwaway manual driver for src/setup before the process code exists.
 *
 *   driver [-U] [-n] [-r] [-e] BUNDLE CMD [ARG...]
 *
 * BUNDLE/rootfs is the root.  -U: new user ns (0 -> 100000, 65536 ids),
 * -n: --no-pivot, -r: root.readonly, -e: add the "evil" mounts (targets
 * that are symlinks pointing out of the rootfs, a file bind, a bundle-
 * relative bind).  The mounts are those of runc's default spec. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/setup.h"

#define S(x) ((char *) (x))
#define OPTS(...) ((char *[]){ __VA_ARGS__, NULL })

static struct mrc_mount default_mounts[] = {
  { .destination = S ("/proc"), .type = S ("proc"), .source = S ("proc") },
  { .destination = S ("/dev"), .type = S ("tmpfs"), .source = S ("tmpfs"),
    .options = OPTS (S ("nosuid"), S ("strictatime"), S ("mode=755"),
                     S ("size=65536k")) },
  { .destination = S ("/dev/pts"), .type = S ("devpts"),
    .source = S ("devpts"),
    .options = OPTS (S ("nosuid"), S ("noexec"), S ("newinstance"),
                     S ("ptmxmode=0666"), S ("mode=0620"), S ("gid=5")) },
  { .destination = S ("/dev/shm"), .type = S ("tmpfs"), .source = S ("shm"),
    .options = OPTS (S ("nosuid"), S ("noexec"), S ("nodev"),
                     S ("mode=1777"), S ("size=65536k")) },
  { .destination = S ("/dev/mqueue"), .type = S ("mqueue"),
    .source = S ("mqueue"),
    .options = OPTS (S ("nosuid"), S ("noexec"), S ("nodev")) },
  { .destination = S ("/sys"), .type = S ("sysfs"), .source = S ("sysfs"),
    .options = OPTS (S ("nosuid"), S ("noexec"), S ("nodev"), S ("ro")) },
  { .destination = S ("/sys/fs/cgroup"), .type = S ("cgroup"),
    .source = S ("cgroup"),
    .options = OPTS (S ("nosuid"), S ("noexec"), S ("nodev"),
                     S ("relatime"), S ("ro")) },
  /* the "evil" ones, used with -e */
  { .destination = S ("/mnt/evil"), .type = S ("tmpfs"),
    .source = S ("tmpfs") },
  { .destination = S ("/mnt/evil2/sub"), .type = S ("tmpfs"),
    .source = S ("tmpfs") },
  { .destination = S ("/etc/host-hostname"), .type = S ("bind"),
    .source = S ("/etc/hostname"), .options = OPTS (S ("rbind"), S ("ro")) },
  { .destination = S ("/data"), .type = S ("bind"), .source = S ("data"),
    .options = OPTS (S ("bind"), S ("nosuid"), S ("rprivate")) },
};

static struct mrc_device devices[] = {
  { .type = S ("c"), .path = S ("/dev/full"), .major = 1, .minor = 7,
    .has_file_mode = true, .file_mode = 0600, .has_uid = true, .uid = 1,
    .has_gid = true, .gid = 2 },
  { .type = S ("p"), .path = S ("/dev/myfifo"), .has_file_mode = true,
    .file_mode = 0644 },
};

static void
die (const char *what, mrc_error_t err)
{
  fprintf (stderr, "driver: %s: %s\n", what, err ? err->msg : strerror (errno));
  _exit (1);
}

static void
write_file (const char *path, const char *s)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, s, strlen (s)) < 0 || close (fd) < 0)
    die (path, NULL);
}

int
main (int argc, char **argv)
{
  bool userns = false, no_pivot = false, ro = false, evil = false;
  int c;
  while ((c = getopt (argc, argv, "+Unre")) != -1)
    switch (c)
      {
      case 'U': userns = true; break;
      case 'n': no_pivot = true; break;
      case 'r': ro = true; break;
      case 'e': evil = true; break;
      default: return 2;
      }
  if (argc - optind < 2)
    return 2;
  char bundle[PATH_MAX], rootfs[PATH_MAX + 8];
  if (realpath (argv[optind], bundle) == NULL)
    die ("realpath", NULL);
  snprintf (rootfs, sizeof rootfs, "%s/rootfs", bundle);

  struct mrc_linux lin = { .devices = devices,
                           .n_devices = evil ? 2 : 0 };
  struct mrc_spec spec = {
    .hostname = S ("mrc-test"),
    .domainname = S ("mrc-domain"),
    .mounts = default_mounts,
    .n_mounts = evil ? 11 : 7,
    .root_readonly = ro,
    .linux_ = &lin,
  };
  lin.rootfs_propagation = getenv ("DRIVER_PROPAGATION");

  /* sync[0]: child -> parent "unshared"; sync2: parent -> child "mapped" */
  int up[2], down[2];
  if (pipe2 (up, O_CLOEXEC) < 0 || pipe2 (down, O_CLOEXEC) < 0)
    die ("pipe", NULL);
  pid_t a = fork ();
  if (a < 0)
    die ("fork", NULL);
  if (a > 0)
    {
      char b;
      if (userns)
        {
          char p[64];
          if (read (up[0], &b, 1) != 1)
            die ("sync", NULL);
          snprintf (p, sizeof p, "/proc/%d/uid_map", a);
          /* DRIVER_MAP: e.g. "0 100000 1" for a one-id rootless map */
          const char *map = getenv ("DRIVER_MAP");
          map = map ? map : "0 100000 65536";
          write_file (p, map);
          snprintf (p, sizeof p, "/proc/%d/setgroups", a);
          write_file (p, "deny");
          snprintf (p, sizeof p, "/proc/%d/gid_map", a);
          write_file (p, map);
        }
      if (write (down[1], "x", 1) != 1)
        die ("sync", NULL);
      int st;
      if (waitpid (a, &st, 0) < 0)
        die ("waitpid", NULL);
      return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
    }
  char b;
  if (userns)
    {
      if (unshare (CLONE_NEWUSER) < 0)
        die ("unshare user", NULL);
      if (write (up[1], "x", 1) != 1)
        die ("sync", NULL);
    }
  if (read (down[0], &b, 1) != 1)
    die ("sync", NULL);
  if (userns && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
    die ("setresuid", NULL);
  if (unshare (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC
               | CLONE_NEWCGROUP) < 0)
    die ("unshare", NULL);
  pid_t child = fork ();
  if (child < 0)
    die ("fork", NULL);
  if (child > 0)
    {
      int st;
      if (waitpid (child, &st, 0) < 0)
        die ("waitpid", NULL);
      _exit (WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st));
    }
  mrc_error_t err = NULL;
  struct mrc_setup_ctx ctx = {
    .spec = &spec, .bundle = bundle, .rootfs = rootfs,
    .no_pivot = no_pivot, .new_user_ns = userns, .new_pid_ns = true,
    .new_cgroup_ns = true, .new_mount_ns = true,
  };
  if (mrc_setup_hostname (&spec, &err) < 0)
    die ("hostname", err);
  if (mrc_setup_rootfs (&ctx, &err) < 0)
    die ("rootfs", err);
  execv (argv[optind + 1], argv + optind + 1);
  die ("exec", NULL);
}
