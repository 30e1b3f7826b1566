/* enosys SYSCALL[,SYSCALL...] -- CMD [ARGS...]
 *
 * Runs CMD under a seccomp filter that answers ENOSYS for the named
 * syscalls and allows everything else: what an outer container's seccomp
 * policy, gVisor or valgrind show a runtime that expects the newest
 * syscalls (pidfds, clone3, the new mount API; issue 15).  The filter is
 * inherited across fork and exec, so the runtime's children and the
 * container's processes see it too.
 *
 * As root no no_new_privs is needed to load a filter; without
 * CAP_SYS_ADMIN it is set, or the kernel refuses the filter. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

static int
add_names (scmp_filter_ctx ctx, char *list)
{
  char *save = NULL;
  for (char *name = strtok_r (list, ",", &save); name != NULL;
       name = strtok_r (NULL, ",", &save))
    {
      int nr = seccomp_syscall_resolve_name (name);
      if (nr == __NR_SCMP_ERROR)
        {
          fprintf (stderr, "enosys: unknown syscall `%s`\n", name);
          return -1;
        }
      int r = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOSYS), nr, 0);
      if (r < 0)
        {
          fprintf (stderr, "enosys: rule for `%s`: %s\n", name, strerror (-r));
          return -1;
        }
    }
  return 0;
}

static int
have_sys_admin (void)
{
  cap_t caps = cap_get_proc ();
  cap_flag_value_t v = CAP_CLEAR;
  if (caps != NULL)
    cap_get_flag (caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
  cap_free (caps);
  return v == CAP_SET;
}

int
main (int argc, char **argv)
{
  if (argc < 4 || strcmp (argv[2], "--") != 0)
    {
      fprintf (stderr, "usage: enosys SYSCALL[,SYSCALL...] -- CMD [ARGS...]\n");
      return 125;
    }
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL)
    {
      fprintf (stderr, "enosys: seccomp_init failed\n");
      return 125;
    }
  int r = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, !have_sys_admin ());
  if (r < 0 || add_names (ctx, argv[1]) < 0)
    {
      if (r < 0)
        fprintf (stderr, "enosys: no_new_privs attribute: %s\n", strerror (-r));
      seccomp_release (ctx);
      return 125;
    }
  r = seccomp_load (ctx);
  seccomp_release (ctx);
  if (r < 0)
    {
      fprintf (stderr, "enosys: seccomp_load: %s\n", strerror (-r));
      return 125;
    }
  execvp (argv[3], argv + 3);
  fprintf (stderr, "enosys: exec `%s`: %s\n", argv[3], strerror (errno));
  return 127;
}
