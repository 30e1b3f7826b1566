/* Unit tests of linux.seccomp: every error names the bad value, unknown
 * syscall names become warnings, and the exported filter really filters:
 * a forked child sets no_new_privs (no root needed), loads it and checks
 * the errno of fchmod(-1, MODE) for modes the rules match and miss.  Also
 * the notify listener round trip and the message sent to listenerPath. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include "mrc/cleanup.h"
#include "mrc/security.h"

#include "tap.h"

static struct mrc_process proc;

static struct mrc_seccomp_syscall
rule (const char *name, const char *action)
{
  static char *names[16][2];
  static int n;
  char **v = names[n++ % 16];
  v[0] = (char *) name;
  v[1] = NULL;
  return (struct mrc_seccomp_syscall){ .names = v, .action = (char *) action };
}

static int
prepare (struct mrc_seccomp *sc, struct mrc_security **s, mrc_error_t *err)
{
  struct mrc_linux l = { .seccomp = sc };
  return mrc_security_prepare (&proc, &l, NULL, s, err);
}

static void
expect_error (struct mrc_seccomp *sc, const char *want, const char *what)
{
  struct mrc_security *s = NULL;
  mrc_error_t err = NULL;
  ok (prepare (sc, &s, &err) < 0 && s == NULL, "%s: refused", what);
  is_str (err ? err->msg : NULL, want, "%s: message", what);
  mrc_error_free (&err);
  mrc_security_free (s);
}

static void
test_errors (void)
{
  struct mrc_seccomp_syscall r[1] = { rule ("chmod", "SCMP_ACT_ERRNO") };
  struct mrc_seccomp sc = { .default_action = (char *) "SCMP_ACT_NOPE" };
  expect_error (&sc, "linux.seccomp.defaultAction: unknown action "
                     "`SCMP_ACT_NOPE`", "unknown default action");
  sc = (struct mrc_seccomp){ .default_action = (char *) "SCMP_ACT_ALLOW",
                             .syscalls = r, .n_syscalls = 1 };
  r[0].action = (char *) "SCMP_ACT_DENY";
  expect_error (&sc, "linux.seccomp.syscalls[0]: unknown action "
                     "`SCMP_ACT_DENY`", "unknown rule action");
  r[0] = rule ("chmod", "SCMP_ACT_KILL");
  r[0].has_errno_ret = true;
  r[0].errno_ret = 1;
  expect_error (&sc, "linux.seccomp.syscalls[0]: errnoRet is not valid with "
                     "`SCMP_ACT_KILL`", "errnoRet with a kill action");
  sc.has_default_errno_ret = true;
  r[0] = rule ("chmod", "SCMP_ACT_ERRNO");
  expect_error (&sc, "linux.seccomp.defaultAction: errnoRet is not valid "
                     "with `SCMP_ACT_ALLOW`", "defaultErrnoRet with allow");
  sc.has_default_errno_ret = false;

  char *arch[] = { (char *) "SCMP_ARCH_X86", (char *) "SCMP_ARCH_Z80", NULL };
  sc.architectures = arch;
  expect_error (&sc, "linux.seccomp.architectures: unknown architecture "
                     "`SCMP_ARCH_Z80`", "unknown architecture");
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  char *mixed[] = { (char *) "SCMP_ARCH_X86_64", (char *) "SCMP_ARCH_S390X",
                    NULL };
  sc.architectures = mixed;
  expect_error (&sc, "linux.seccomp.architectures: `SCMP_ARCH_S390X` has "
                     "another byte order than the native architecture",
                "architecture of the other byte order");
#endif
  sc.architectures = NULL;
  char *flags[] = { (char *) "SECCOMP_FILTER_FLAG_LOG",
                    (char *) "SECCOMP_FILTER_FLAG_FAST", NULL };
  sc.flags = flags;
  expect_error (&sc, "linux.seccomp.flags: unknown flag "
                     "`SECCOMP_FILTER_FLAG_FAST`", "unknown flag");
  sc.flags = NULL;

  struct mrc_seccomp_arg a = { .index = 1, .value = 1,
                               .op = (char *) "SCMP_CMP_LIKE" };
  r[0].args = &a;
  r[0].n_args = 1;
  expect_error (&sc, "linux.seccomp.syscalls[0].args[0]: unknown operator "
                     "`SCMP_CMP_LIKE`", "unknown operator");
  a = (struct mrc_seccomp_arg){ .index = 6, .op = (char *) "SCMP_CMP_EQ" };
  expect_error (&sc, "linux.seccomp.syscalls[0].args[0]: index `6` is not "
                     "in 0..5", "argument index");
  r[0].args = NULL;
  r[0].n_args = 0;

  sc.default_action = (char *) "SCMP_ACT_NOTIFY";
  expect_error (&sc, "linux.seccomp.defaultAction: `SCMP_ACT_NOTIFY` cannot "
                     "be the default action", "notify as default");
  sc.default_action = (char *) "SCMP_ACT_ALLOW";
  r[0].action = (char *) "SCMP_ACT_NOTIFY";
  expect_error (&sc, "linux.seccomp: `SCMP_ACT_NOTIFY` needs listenerPath",
                "notify without listenerPath");
  r[0].action = (char *) "SCMP_ACT_ERRNO";
  sc.listener_metadata = (char *) "x";
  expect_error (&sc, "linux.seccomp.listenerMetadata: set without "
                     "listenerPath", "metadata without listenerPath");
}

static void
test_every_name_accepted (void)
{
  const char *const *acts = mrc_security_seccomp_actions ();
  /* One filter holds one byte order: the x86 family together. */
  char *archs[] = { (char *) "SCMP_ARCH_X86_64", (char *) "SCMP_ARCH_X86",
                    (char *) "SCMP_ARCH_X32", NULL };
  int n_archs = 0;
  for (const char *const *a = mrc_security_seccomp_archs (); *a; a++)
    n_archs++;
  ok (n_archs >= 19, "every architecture of the runtime-spec is known");
  const char *const *ops = mrc_security_seccomp_operators ();
  const char *const *fl = mrc_security_seccomp_flags ();
  int n = 0;
  for (const char *const *a = acts; *a; a++)
    {
      if (strcmp (*a, "SCMP_ACT_NOTIFY") == 0)
        continue;
      struct mrc_seccomp sc = { .default_action = (char *) *a };
      struct mrc_security *s = NULL;
      mrc_error_t err = NULL;
      if (prepare (&sc, &s, &err) == 0)
        n++;
      else
        diag ("%s: %s", *a, err->msg);
      mrc_error_free (&err);
      mrc_security_free (s);
    }
  is_int (n, 8, "every default action but SCMP_ACT_NOTIFY builds a filter");
  struct mrc_seccomp_arg args[7];
  size_t k = 0;
  for (const char *const *o = ops; *o; o++, k++)
    args[k] = (struct mrc_seccomp_arg){ .index = (uint32_t) k % 6,
                                        .value = 0700, .has_value_two = true,
                                        .value_two = 0700, .op = (char *) *o };
  is_int ((int) k, 7, "seven operators");
  struct mrc_seccomp_syscall r = rule ("fchmod", "SCMP_ACT_ERRNO");
  r.args = args;
  r.n_args = k;
  struct mrc_seccomp sc = { .default_action = (char *) "SCMP_ACT_ALLOW",
                            .architectures = archs,
                            .flags = (char **) fl,
                            .syscalls = &r, .n_syscalls = 1 };
  struct mrc_security *s = NULL;
  mrc_error_t err = NULL;
  ok (prepare (&sc, &s, &err) == 0,
      "x86 architectures, every flag and operator build a filter");
  if (err)
    diag ("%s", err->msg);
  mrc_error_free (&err);
  mrc_security_free (s);
}

static void
test_unknown_syscall_warns (void)
{
  struct mrc_seccomp_syscall r = rule ("no_such_syscall", "SCMP_ACT_ERRNO");
  struct mrc_seccomp sc = { .default_action = (char *) "SCMP_ACT_ALLOW",
                            .syscalls = &r, .n_syscalls = 1 };
  struct mrc_security *s = NULL;
  mrc_error_t err = NULL;
  ok (prepare (&sc, &s, &err) == 0, "unknown syscall name is not an error");
  const char *const *w = s ? mrc_security_warnings (s) : NULL;
  is_str (w ? w[0] : NULL, "linux.seccomp: unknown syscall `no_such_syscall` "
                           "skipped", "and is reported as a warning");
  ok (w && w[1] == NULL, "one warning");
  mrc_error_free (&err);
  mrc_security_free (s);
}

/* In a child: no_new_privs, the filter, then fchmod(-1, mode) for each
   mode; the exit status packs the errnos (1 bit: matched errno). */
static int
run_filtered (const struct mrc_security *s, const int *modes, int want_errno)
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    {
      mrc_error_t err = NULL;
      int fd;
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
          || mrc_security_load_seccomp (s, &fd, &err) < 0)
        _exit (200);
      int bits = 0;
      for (int i = 0; modes[i] >= 0; i++)
        if (fchmod (-1, (mode_t) modes[i]) < 0 && errno == want_errno)
          bits |= 1 << i;
      _exit (bits);
    }
  int status = 0;
  waitpid (pid, &status, 0);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 300;
}

static void
test_filter_behaviour (void)
{
  /* fd != 5 AND (mode & 070) == 070 -> errno 42 */
  struct mrc_seccomp_arg and_args[2] = {
    { .index = 0, .value = 5, .op = (char *) "SCMP_CMP_NE" },
    { .index = 1, .value = 070, .has_value_two = true, .value_two = 070,
      .op = (char *) "SCMP_CMP_MASKED_EQ" },
  };
  struct mrc_seccomp_syscall r = rule ("fchmod", "SCMP_ACT_ERRNO");
  r.has_errno_ret = true;
  r.errno_ret = 42;
  r.args = and_args;
  r.n_args = 2;
  struct mrc_seccomp sc = { .default_action = (char *) "SCMP_ACT_ALLOW",
                            .syscalls = &r, .n_syscalls = 1 };
  struct mrc_security *s = NULL;
  mrc_error_t err = NULL;
  ok (prepare (&sc, &s, &err) == 0, "masked filter builds");
  static const int modes[] = { 0070, 0770, 0700, 0050, -1 };
  if (s)
    is_int (run_filtered (s, modes, 42), 0x3,
            "MASKED_EQ on mode: 0070 and 0770 denied with errno 42, 0700 and "
            "0050 reach the kernel");
  mrc_security_free (s);
  s = NULL;

  /* Two conditions on the same argument are ORed: 0100 or 0200 */
  struct mrc_seccomp_arg or_args[2] = {
    { .index = 1, .value = 0100, .op = (char *) "SCMP_CMP_EQ" },
    { .index = 1, .value = 0200, .op = (char *) "SCMP_CMP_EQ" },
  };
  r.args = or_args;
  r.has_errno_ret = false; /* default: EPERM */
  ok (prepare (&sc, &s, &err) == 0, "same-index filter builds");
  static const int modes2[] = { 0100, 0200, 0300, -1 };
  if (s)
    is_int (run_filtered (s, modes2, EPERM), 0x3,
            "same index ORed: 0100 and 0200 get EPERM, 0300 does not");
  mrc_security_free (s);
  mrc_error_free (&err);
}

/* Child: load a notify filter on fchmod, fork a grandchild that calls
   fchmod(-1, 0), answer its notification with errno 44. */
static int
notify_child (const struct mrc_security *s)
{
  mrc_error_t err = NULL;
  int fd;
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0
      || mrc_security_load_seccomp (s, &fd, &err) < 0 || fd < 0)
    return 10;
  pid_t g = fork ();
  if (g == 0)
    _exit (fchmod (-1, 0) < 0 && errno == 44 ? 0 : 1);
  struct seccomp_notif req;
  memset (&req, 0, sizeof req);
  if (ioctl (fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return 11;
  struct seccomp_notif_resp resp = { .id = req.id, .error = -44 };
  if (ioctl (fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
    return 12;
  int status = 0;
  waitpid (g, &status, 0);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : 13;
}

static void
test_notify (void)
{
  struct mrc_seccomp_syscall r = rule ("fchmod", "SCMP_ACT_NOTIFY");
  char *fl[] = { (char *) "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL };
  struct mrc_seccomp sc = { .default_action = (char *) "SCMP_ACT_ALLOW",
                            .listener_path = (char *) "/run/agent.sock",
                            .listener_metadata = (char *) "m",
                            .flags = fl, .syscalls = &r, .n_syscalls = 1 };
  struct mrc_security *s = NULL;
  mrc_error_t err = NULL;
  ok (prepare (&sc, &s, &err) == 0, "notify filter builds");
  if (err)
    diag ("%s", err->msg);
  mrc_error_free (&err);
  if (s == NULL)
    return;
  ok (mrc_security_has_notify (s), "has notify");
  is_str (mrc_security_listener_path (s), "/run/agent.sock", "listener path");
  is_str (mrc_security_listener_metadata (s), "m", "listener metadata");
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    _exit (notify_child (s));
  int status = 0;
  waitpid (pid, &status, 0);
  is_int (WIFEXITED (status) ? WEXITSTATUS (status) : 100, 0,
          "the listener fd receives the notification and answers errno 44");
  mrc_security_free (s);
}

static void
test_send_notify_fd (void)
{
  char dir[] = "/tmp/mrc-sec-test.XXXXXX";
  if (mkdtemp (dir) == NULL)
    {
      ok (0, "mkdtemp");
      return;
    }
  char path[128];
  snprintf (path, sizeof path, "%s/agent.sock", dir);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  strcpy (sa.sun_path, path);
  cleanup_close int l = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ok (l >= 0 && bind (l, (struct sockaddr *) &sa, sizeof sa) == 0
          && listen (l, 1) == 0, "agent socket listens");
  struct mrc_notify_msg m = { .listener_path = path, .fd = 0, .pid = 4422,
                              .state_json = "{\"id\":\"c1\"}",
                              .metadata = "a\"b" };
  mrc_error_t err = NULL;
  ok (mrc_security_send_notify_fd (&m, &err) == 0, "state sent");
  if (err)
    diag ("%s", err->msg);
  mrc_error_free (&err);
  cleanup_close int c = accept4 (l, NULL, NULL, SOCK_CLOEXEC);
  char buf[512] = "";
  char ctl[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { buf, sizeof buf - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl, .msg_controllen = sizeof ctl };
  ssize_t n = c >= 0 ? recvmsg (c, &msg, MSG_CMSG_CLOEXEC) : -1;
  struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR (&msg) : NULL;
  ok (cm && cm->cmsg_type == SCM_RIGHTS, "one fd came with the state");
  if (cm)
    {
      int got;
      memcpy (&got, CMSG_DATA (cm), sizeof got);
      close (got);
    }
  is_str (buf, "{\"ociVersion\":\"" MRC_OCI_VERSION "\",\"fds\":"
               "[\"seccompFd\"],\"pid\":4422,\"metadata\":\"a\\\"b\","
               "\"state\":{\"id\":\"c1\"}}",
          "container process state JSON");
  unlink (path);
  rmdir (dir);
}

/* The one entry of ROOT/.seccomp-cache: its path in PATH, its inode (0
   when there is not exactly one). */
static ino_t
cache_entry (const char *root, char *path, size_t size)
{
  char dir[128];
  snprintf (dir, sizeof dir, "%s/.seccomp-cache", root);
  DIR *d = opendir (dir);
  struct dirent *de;
  int n = 0;
  while (d && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && ++n == 1)
      snprintf (path, size, "%s/%s", dir, de->d_name);
  if (d)
    closedir (d);
  struct stat st;
  return n == 1 && stat (path, &st) == 0 ? st.st_ino : 0;
}

/* The compiled-filter cache: a hit gives the same program and warnings
   without a compile (nothing written), and anything doubtful (another
   input under the same name, a damaged entry, a directory others may
   write) is a miss that compiles the profile afresh. */
static void
test_cache (void)
{
  char root[] = "/tmp/mrc-test-seccomp-XXXXXX", entry[1024];
  if (mkdtemp (root) == NULL)
    return (void) diag ("mkdtemp: %s", strerror (errno));
  struct mrc_seccomp_syscall r[2] = { rule ("fchmod", "SCMP_ACT_ERRNO"),
                                      rule ("no_such_syscall",
                                            "SCMP_ACT_ERRNO") };
  r[0].has_errno_ret = true;
  r[0].errno_ret = 42;
  struct mrc_seccomp sc = { .default_action = (char *) "SCMP_ACT_ALLOW",
                            .syscalls = r, .n_syscalls = 2 };
  struct mrc_linux l = { .seccomp = &sc };
  static const int modes[] = { 0700, -1 };
  struct mrc_security *s = NULL;
  mrc_error_t err = NULL;

  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0, "cache: miss");
  ino_t first = cache_entry (root, entry, sizeof entry);
  ok (first != 0, "cache: one entry written");
  mrc_security_free (s);
  s = NULL;

  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0, "cache: hit");
  is_int ((long) cache_entry (root, entry, sizeof entry), (long) first,
          "cache: a hit writes nothing");
  const char *const *w = s ? mrc_security_warnings (s) : NULL;
  is_str (w ? w[0] : NULL, "linux.seccomp: unknown syscall `no_such_syscall` "
                           "skipped", "cache: the hit gives the warning too");
  if (s)
    is_int (run_filtered (s, modes, 42), 0x1, "cache: the cached filter works");
  mrc_security_free (s);
  s = NULL;

  /* another profile: an entry of its own */
  r[0].errno_ret = 43;
  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0,
      "cache: another profile");
  if (s)
    is_int (run_filtered (s, modes, 43), 0x1, "cache: it filters as its own");
  mrc_security_free (s);
  s = NULL;
  r[0].errno_ret = 42;

  /* an entry holding another input under this profile's name */
  char other[128];
  snprintf (other, sizeof other, "%s/.seccomp-cache", root);
  DIR *d = opendir (other);
  struct dirent *de;
  while (d && (de = readdir (d)) != NULL)
    if (de->d_name[0] != '.' && strcmp (entry + strlen (other) + 1,
                                        de->d_name) != 0)
      {
        char from[2048];
        snprintf (from, sizeof from, "%s/%s", other, de->d_name);
        ok (rename (from, entry) == 0, "cache: plant another input's entry");
      }
  if (d)
    closedir (d);
  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0,
      "cache: a foreign entry under the name");
  if (s)
    is_int (run_filtered (s, modes, 42), 0x1,
            "cache: is a miss, the profile compiled afresh");
  mrc_security_free (s);
  s = NULL;

  /* a damaged entry */
  ok (truncate (entry, 40) == 0, "cache: truncate the entry");
  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0,
      "cache: a damaged entry");
  if (s)
    is_int (run_filtered (s, modes, 42), 0x1, "cache: is a miss too");
  mrc_security_free (s);
  s = NULL;

  /* a flipped byte inside the stored program */
  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0
          && cache_entry (root, entry, sizeof entry) != 0,
      "cache: entry written again");
  mrc_security_free (s);
  s = NULL;
  struct stat est;
  int efd = open (entry, O_RDWR | O_CLOEXEC);
  if (efd >= 0 && fstat (efd, &est) == 0)
    {
      char c;
      off_t at = est.st_size - 8 - 4; /* inside the last instruction */
      if (pread (efd, &c, 1, at) == 1)
        {
          c ^= 0x5a;
          if (pwrite (efd, &c, 1, at) != 1)
            diag ("pwrite: %s", strerror (errno));
        }
    }
  if (efd >= 0)
    close (efd);
  ino_t flipped = cache_entry (root, entry, sizeof entry);
  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0,
      "cache: a flipped byte in the program");
  ok (flipped != 0 && cache_entry (root, entry, sizeof entry) != flipped,
      "cache: the damaged entry was replaced (a miss)");
  if (s)
    is_int (run_filtered (s, modes, 42), 0x1,
            "cache: is a miss (checksum), the profile compiled afresh");
  mrc_security_free (s);
  s = NULL;

  /* past 64 profiles the cache starts over */
  char dummy[2048];
  for (int i = 0; i < 64; i++)
    {
      snprintf (dummy, sizeof dummy, "%s/.seccomp-cache/dummy%02d", root, i);
      int fd = open (dummy, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (fd >= 0)
        close (fd);
    }
  r[0].errno_ret = 44;
  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0,
      "cache: a new profile with the cache full");
  ok (cache_entry (root, entry, sizeof entry) != 0,
      "cache: started over, holding just the new entry");
  mrc_security_free (s);
  s = NULL;
  r[0].errno_ret = 42;

  /* a directory others may write is not used */
  snprintf (other, sizeof other, "%s/.seccomp-cache", root);
  chmod (other, 0777);
  ino_t before = cache_entry (root, entry, sizeof entry);
  unlink (entry);
  ok (mrc_security_prepare (&proc, &l, root, &s, &err) == 0,
      "cache: a group/world-writable directory");
  ok (before != 0 && cache_entry (root, entry, sizeof entry) == 0,
      "cache: is not written to");
  mrc_security_free (s);
  mrc_error_free (&err);

  char cmd[600];
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system (cmd) != 0)
    diag ("cleanup of %s failed", root);
}

int
main (void)
{
  test_errors ();
  test_every_name_accepted ();
  test_unknown_syscall_warns ();
  test_filter_behaviour ();
  test_notify ();
  test_send_notify_fd ();
  test_cache ();
  return done_testing ();
}
