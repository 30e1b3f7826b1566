/* Fault injection, a test facility (issue 15): in a build with MRC_FAULTS
 * (the sanitizer build of the test run, see the Makefile), the runtime
 * kills itself with SIGKILL at the point named by $MRC_FAULT, so a test
 * can walk every point and check that what is left can always be cleaned
 * up.  Points are "VERB:STEP" (create:cgroup, start:released, update:applied, ...) and
 * "init:STEP" / "exec:STEP" for each step of the child's table
 * (src/process/steps.c).  MRC_FAULT=list prints every point and exits.
 * Other builds compile it all out. */
#ifndef MRC_FAULT_H
#define MRC_FAULT_H

#ifdef MRC_FAULTS
/* SIGKILL ourselves when $MRC_FAULT is POINT (PREFIX ":" POINT when PREFIX
   is not NULL), after saying so on stderr. */
void mrc_fault (const char *prefix, const char *point);
/* MRC_FAULT=list: print every point, one a line, and exit 0. */
void mrc_fault_list_if_asked (void);
#else
static inline void
mrc_fault (const char *prefix, const char *point)
{
  (void) prefix;
  (void) point;
}
static inline void
mrc_fault_list_if_asked (void)
{
}
#endif

#endif
