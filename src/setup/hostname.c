#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "mrc/setup.h"

int
mrc_setup_hostname (const struct mrc_spec *spec, mrc_error_t *err)
{
  /* Only what the spec sets: an empty uts namespace keeps the host's names,
   * as runc does. */
  if (spec->hostname
      && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    return mrc_fail_errno (err, "set hostname `%s`", spec->hostname);
  if (spec->domainname
      && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
    return mrc_fail_errno (err, "set domainname `%s`", spec->domainname);
  return 0;
}
