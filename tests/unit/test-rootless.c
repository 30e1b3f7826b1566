/* Unit tests of rootless detection (src/util/rootless.c): --rootless
 * values, the user namespace test (run in a child that unshares one when
 * the suite runs as root), and runc's XDG_RUNTIME_DIR rule. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mrc/rootless.h"
#include "tap.h"

static void
test_resolve (void)
{
  bool r = true;
  mrc_error_t err = NULL;
  ok (mrc_rootless_resolve ("false", &r, &err) == 0 && !r, "false is false");
  ok (mrc_rootless_resolve ("true", &r, &err) == 0 && r, "true is true");
  ok (mrc_rootless_resolve ("auto", &r, &err) == 0
          && r == !mrc_host_root (),
      "auto is rootless exactly when not the host's root");
  ok (mrc_rootless_resolve ("yes", &r, &err) == -1 && err != NULL,
      "another value is refused");
  is_str (err ? err->msg : NULL,
          "invalid --rootless value `yes`: expected `true`, `false` or "
          "`auto`",
          "  naming the value and the choices");
  mrc_error_free (&err);
}

/* In a child: 0 when, inside a new user namespace mapping only uid 0 to
 * our uid, the test says "in one", auto says rootless, and the XDG rule
 * applies unless USER is root. */
static int
in_new_userns (void)
{
  if (unshare (CLONE_NEWUSER) < 0)
    return 2;
  /* unmapped ids are fine for reading our own uid_map (empty) */
  bool r = false;
  mrc_error_t err = NULL;
  if (!mrc_in_user_namespace () || mrc_host_root ())
    return 3;
  if (mrc_rootless_resolve ("auto", &r, &err) < 0 || !r)
    return 4;
  setenv ("XDG_RUNTIME_DIR", "/run/user/7", 1);
  unsetenv ("USER");
  char *root = mrc_rootless_xdg_root ();
  /* euid is now the overflow uid, not 0: XDG is honoured either way */
  if (root == NULL || strcmp (root, "/run/user/7/mini-runc") != 0)
    return 5;
  free (root);
  /* uid 0 of the namespace (mapped to ours, the host's root, yet only
     one id: still not the identity map): runc's USER rule */
  int fd = open ("/proc/self/uid_map", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, "0 0 1\n", 6) != 6 || geteuid () != 0)
    return 6;
  close (fd);
  if (!mrc_in_user_namespace () || mrc_host_root ())
    return 7;
  setenv ("USER", "root", 1);
  if ((root = mrc_rootless_xdg_root ()) != NULL)
    return 8;
  setenv ("USER", "someone", 1);
  root = mrc_rootless_xdg_root ();
  if (root == NULL || strcmp (root, "/run/user/7/mini-runc") != 0)
    return 9;
  free (root);
  return 0;
}

static void
test_userns (void)
{
  if (geteuid () != 0 || mrc_in_user_namespace ())
    {
      ok (1, "# SKIP needs the host's root to make a user namespace here");
      return;
    }
  ok (!mrc_in_user_namespace (), "the initial user namespace is not one");
  ok (mrc_host_root (), "root there is the host's root");
  pid_t pid = fork ();
  if (pid == 0)
    _exit (in_new_userns ());
  int status = -1;
  waitpid (pid, &status, 0);
  is_int (WIFEXITED (status) ? WEXITSTATUS (status) : 100, 0,
          "in a new user namespace: detected, rootless, XDG honoured; as "
          "its uid 0 only when USER is not root");
}

static void
test_xdg (void)
{
  unsetenv ("XDG_RUNTIME_DIR");
  ok (mrc_rootless_xdg_root () == NULL, "no XDG_RUNTIME_DIR: no root");
  setenv ("XDG_RUNTIME_DIR", "", 1);
  ok (mrc_rootless_xdg_root () == NULL, "an empty one: no root");
  setenv ("XDG_RUNTIME_DIR", "/run/user/1000", 1);
  char *root = mrc_rootless_xdg_root ();
  if (mrc_host_root ())
    ok (root == NULL, "the host's root keeps /run/mini-runc");
  else
    is_str (root, "/run/user/1000/mini-runc", "a user gets XDG's");
  free (root);
}

int
main (void)
{
  test_resolve ();
  test_xdg ();
  test_userns ();
  return done_testing ();
}
