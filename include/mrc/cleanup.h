/* Cleanup-attribute helpers.  Each cleanup function accepts NULL / -1 and
 * preserves errno.  Ownership moves only through steal_ptr / steal_fd so that
 * every handover is greppable. */
#ifndef MRC_CLEANUP_H
#define MRC_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void
mrc_freep (void *p)
{
  int saved = errno;
  free (*(void **) p);
  errno = saved;
}

static inline void
mrc_closep (int *fd)
{
  int saved = errno;
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
  errno = saved;
}

static inline void
mrc_fclosep (FILE **f)
{
  int saved = errno;
  if (*f)
    fclose (*f);
  errno = saved;
}

static inline void
mrc_closedirp (DIR **d)
{
  int saved = errno;
  if (*d)
    closedir (*d);
  errno = saved;
}

/* Free a NULL-terminated string vector. */
static inline void
mrc_strv_free (char **v)
{
  int saved = errno;
  if (v)
    {
      for (char **p = v; *p; p++)
        free (*p);
      free (v);
    }
  errno = saved;
}

static inline void
mrc_strv_freep (char ***v)
{
  mrc_strv_free (*v);
}

#define cleanup_free __attribute__ ((cleanup (mrc_freep)))
#define cleanup_close __attribute__ ((cleanup (mrc_closep)))
#define cleanup_fclose __attribute__ ((cleanup (mrc_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (mrc_closedirp)))
#define cleanup_strv __attribute__ ((cleanup (mrc_strv_freep)))

#define steal_ptr(pp)                                                         \
  ({                                                                          \
    __typeof__ (*(pp)) _stolen = *(pp);                                       \
    *(pp) = NULL;                                                             \
    _stolen;                                                                  \
  })

#define steal_fd(fdp)                                                         \
  ({                                                                          \
    int _stolen = *(fdp);                                                     \
    *(fdp) = -1;                                                              \
    _stolen;                                                                  \
  })

#endif
