/* Paths resolved and created inside a root (mrc/fs.h): a temp dir stands in
 * for a hostile rootfs; no root privileges needed. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/fs.h"
#include "tap.h"

static char root[] = "/tmp/mrc-test-fs-XXXXXX";
static char outside[] = "/tmp/mrc-test-out-XXXXXX";
static int rootfd = -1;

/* Is REL (relative to the temp root) of type TYPE (S_IFDIR...)? */
static bool
exists_in_root (const char *rel, mode_t type)
{
  struct stat st;
  return fstatat (rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0
         && (st.st_mode & S_IFMT) == type;
}

/* The fd refers to ROOT/REL (same inode). */
static bool
fd_is (int fd, const char *rel)
{
  struct stat a, b;
  return fd >= 0 && fstat (fd, &a) == 0
         && fstatat (rootfd, rel, &b, AT_SYMLINK_NOFOLLOW) == 0
         && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static void
test_mkdir (void)
{
  mrc_error_t err = NULL;
  int fd = mrc_fs_mkdir_in_root (rootfd, "/a/b/c", 0755, &err);
  ok (fd_is (fd, "a/b/c"), "mkdir -p /a/b/c");
  close (fd);
  fd = mrc_fs_mkdir_in_root (rootfd, "a//b/./c/", 0755, &err);
  ok (fd_is (fd, "a/b/c"), "existing, with // and . and trailing /");
  close (fd);
  fd = mrc_fs_mkdir_in_root (rootfd, "/../../x/../y", 0755, &err);
  ok (fd_is (fd, "y"), ".. is clamped at the root");
  close (fd);
  fd = mrc_fs_mkdir_in_root (rootfd, "/", 0755, &err);
  ok (fd_is (fd, "."), "/ is the root");
  close (fd);
  mrc_error_free (&err);
}

static void
test_symlinks (void)
{
  mrc_error_t err = NULL;
  char target[64];
  /* an absolute link to a host directory that exists */
  if (symlinkat (outside, rootfd, "abs") < 0)
    diag ("symlink: %s", strerror (errno));
  int fd = mrc_fs_mkdir_in_root (rootfd, "/abs/sub", 0755, &err);
  snprintf (target, sizeof target, "%s/sub", outside + 1);
  ok (fd_is (fd, target), "absolute symlink followed inside the root");
  snprintf (target, sizeof target, "%s/sub", outside);
  ok (access (target, F_OK) < 0, "nothing created outside the root");
  close (fd);

  /* dangling links are followed inside the root and their target made */
  if (symlinkat ("/escape", rootfd, "dangling") < 0
      || symlinkat ("../../../../../escape2", rootfd, "reldangling") < 0)
    diag ("symlink: %s", strerror (errno));
  fd = mrc_fs_mkdir_in_root (rootfd, "/dangling/d", 0755, &err);
  ok (fd_is (fd, "escape/d"), "dangling absolute link: made in the root");
  close (fd);
  ok (access ("/escape", F_OK) < 0, "no /escape on the host");
  fd = mrc_fs_mkdir_in_root (rootfd, "reldangling", 0755, &err);
  ok (fd_is (fd, "escape2"), "dangling relative link: made in the root");
  close (fd);

  /* a file through a dangling link: the resolv.conf case */
  if (symlinkat ("../run/resolv.conf", rootfd, "a/resolv") < 0)
    diag ("symlink: %s", strerror (errno));
  fd = mrc_fs_mkfile_in_root (rootfd, "/a/resolv", 0644, &err);
  ok (fd_is (fd, "run/resolv.conf") && exists_in_root ("run/resolv.conf",
                                                       S_IFREG),
      "file through a dangling link: made in the root");
  close (fd);

  /* a loop is an error, not a hang */
  if (symlinkat ("loop", rootfd, "loop") < 0)
    diag ("symlink: %s", strerror (errno));
  fd = mrc_fs_mkdir_in_root (rootfd, "/loop/x", 0755, &err);
  ok (fd < 0, "symlink loop refused");
  is_int (err ? err->errnum : 0, ELOOP, "symlink loop: ELOOP");
  mrc_error_free (&err);

  /* magic links are refused */
  if (symlinkat ("/proc/self/root", rootfd, "magic") < 0)
    diag ("symlink: %s", strerror (errno));
  fd = mrc_fs_open_in_root (rootfd, "/magic/etc", O_PATH, &err);
  ok (fd < 0, "a /proc magic link does not reach the host");
  mrc_error_free (&err);
}

static void
test_files (void)
{
  mrc_error_t err = NULL;
  int fd = mrc_fs_mkfile_in_root (rootfd, "/f/g/file", 0600, &err);
  ok (fd_is (fd, "f/g/file") && exists_in_root ("f/g/file", S_IFREG),
      "mkfile makes parents and an empty file");
  close (fd);
  fd = mrc_fs_mkfile_in_root (rootfd, "/a", 0600, &err);
  ok (fd_is (fd, "a"), "mkfile keeps an existing directory");
  close (fd);
  fd = mrc_fs_mkdir_in_root (rootfd, "/f/g/file/x", 0755, &err);
  ok (fd < 0, "mkdir under a file refused");
  is_int (err ? err->errnum : 0, ENOTDIR, "mkdir under a file: ENOTDIR");
  is_str (err ? err->msg : NULL, "open `/f/g/file/x`: not a directory",
          "mkdir under a file: message names the path");
  mrc_error_free (&err);
  fd = mrc_fs_open_in_root (rootfd, "/nope", O_PATH, &err);
  is_str (err ? err->msg : NULL, "open `/nope`: no such file or directory",
          "open a missing path: message");
  mrc_error_free (&err);
  fd = mrc_fs_open_in_root (rootfd, "/x", O_CREAT | O_RDWR, &err);
  ok (fd < 0, "open_in_root refuses O_CREAT");
  mrc_error_free (&err);
  fd = mrc_fs_open_in_root (rootfd, "/a", O_PATH | O_DIRECTORY, &err);
  ok (fd_is (fd, "a"), "open_in_root with O_DIRECTORY");
  close (fd);
}

static void
test_parent (void)
{
  mrc_error_t err = NULL;
  char *name = NULL;
  int fd = mrc_fs_open_parent_in_root (rootfd, "/p/q/node", &name, &err);
  ok (fd_is (fd, "p/q"), "open_parent makes the parent");
  is_str (name, "node", "open_parent gives the name");
  free (name);
  name = NULL;
  close (fd);
  fd = mrc_fs_open_parent_in_root (rootfd, "top//", &name, &err);
  ok (fd_is (fd, "."), "open_parent of a top-level name is the root");
  is_str (name, "top", "open_parent strips trailing slashes");
  free (name);
  name = NULL;
  close (fd);
  static const char *const bad[] = { "/", "/..", "/a/." };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      fd = mrc_fs_open_parent_in_root (rootfd, bad[i], &name, &err);
      ok (fd < 0 && name == NULL, "open_parent `%s` refused", bad[i]);
      is_int (err ? err->errnum : 0, EINVAL, "open_parent `%s`: EINVAL",
              bad[i]);
      mrc_error_free (&err);
    }
}

static int
remove_one (const char *path, const struct stat *st, int flag,
            struct FTW *ftw)
{
  (void) st, (void) flag, (void) ftw;
  return remove (path);
}

/* Where a path really leads. */
static void
test_real_path (void)
{
  mrc_error_t err = NULL;
  char *real = NULL;
  if (mkdirat (rootfd, "real", 0755) < 0 || symlinkat ("/real", rootfd, "via") < 0)
    diag ("setup: %s", strerror (errno));
  int fd = mrc_fs_open_in_root (rootfd, "/via/../via", O_PATH, &err);
  ok (fd >= 0 && mrc_fs_path_in_root (rootfd, fd, &real, &err) == 0,
      "path_in_root of a file reached through a link");
  is_str (real, "/real", "it is where the link leads");
  free (real);
  real = NULL;
  if (fd >= 0)
    close (fd);
  ok (mrc_fs_path_in_root (rootfd, rootfd, &real, &err) == 0, "the root");
  is_str (real, "/", "the root is /");
  free (real);
  real = NULL;
  int out = open (outside, O_PATH | O_CLOEXEC);
  ok (mrc_fs_path_in_root (rootfd, out, &real, &err) < 0 && real == NULL,
      "a file outside the root is refused");
  mrc_error_free (&err);
  close (out);

}

int
main (void)
{
  if (mkdtemp (root) == NULL || mkdtemp (outside) == NULL)
    {
      perror ("mkdtemp");
      return 1;
    }
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  test_mkdir ();
  test_symlinks ();
  test_files ();
  test_parent ();
  test_real_path ();
  close (rootfd);
  nftw (root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
  nftw (outside, remove_one, 16, FTW_DEPTH | FTW_PHYS);
  return done_testing ();
}
