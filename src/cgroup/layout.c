/* Which cgroup layout this host has, and its v1 hierarchies, from
 * /proc/self/mountinfo: never assumed from what /sys/fs/cgroup is. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/mountinfo.h"
#include "cgroup-internal.h"

#define PROC_FILE_MAX (1 << 20)

/* The v1 controllers Linux has; any other mount option (rw, xattr,
 * noprefix, release_agent=..., clone_children, cpuset_v2_mode) is not part
 * of a hierarchy's name.  Named hierarchies ("name=systemd") are. */
static const char *const v1_controllers[]
    = { "cpuset",  "cpu",        "cpuacct", "io",       "blkio",
        "memory",  "devices",    "freezer", "net_cls",  "perf_event",
        "net_prio", "hugetlb",   "pids",    "rdma",     "misc",
        "debug",   NULL };

static const char *const layout_names[] = {
  [MRC_CGROUP_UNIFIED] = "unified",
  [MRC_CGROUP_HYBRID] = "hybrid",
  [MRC_CGROUP_LEGACY] = "legacy",
};

const char *
mrc_cgroup_layout_name (enum mrc_cgroup_layout l)
{
  return (size_t) l < sizeof layout_names / sizeof layout_names[0]
             ? layout_names[l]
             : "unknown";
}

static bool has_seg (const char *l, size_t len, const char *seg, size_t slen);

static bool
is_controller (const char *opt)
{
  for (size_t i = 0; v1_controllers[i]; i++)
    if (strcmp (opt, v1_controllers[i]) == 0)
      return true;
  return false;
}

bool
mrc_cgroup_hier_has (const char *hierarchy, const char *controller)
{
  return hierarchy && *controller
         && has_seg (hierarchy, strlen (hierarchy), controller,
                     strlen (controller));
}

/* Whether the comma list L (LEN bytes) has the name SEG (SLEN bytes). */
static bool
has_seg (const char *l, size_t len, const char *seg, size_t slen)
{
  for (const char *p = l, *end = l + len; p < end;)
    {
      const char *c = memchr (p, ',', (size_t) (end - p));
      size_t n = c ? (size_t) (c - p) : (size_t) (end - p);
      if (n == slen && memcmp (p, seg, n) == 0)
        return true;
      p += n + 1;
    }
  return false;
}

/* Every name of A (ALEN bytes) is in B. */
static bool
subset (const char *a, size_t alen, const char *b, size_t blen)
{
  for (const char *p = a, *end = a + alen; p < end;)
    {
      const char *c = memchr (p, ',', (size_t) (end - p));
      size_t n = c ? (size_t) (c - p) : (size_t) (end - p);
      if (!has_seg (b, blen, p, n))
        return false;
      p += n + 1;
    }
  return true;
}

/* Whether two comma lists hold the same names, in any order. */
static bool
same_set (const char *a, const char *b, size_t blen)
{
  size_t alen = strlen (a);
  return subset (a, alen, b, blen) && subset (b, blen, a, alen);
}

/* The hierarchy's name from the super options "rw,cpu,cpuacct". */
static char *
name_from_options (const char *opts)
{
  cleanup_free char *copy = strdup (opts);
  char *name = calloc (1, strlen (opts) + 1), *save = NULL;
  if (copy == NULL || name == NULL)
    {
      free (name);
      return NULL;
    }
  for (char *o = strtok_r (copy, ",", &save); o; o = strtok_r (NULL, ",", &save))
    if (is_controller (o) || strncmp (o, "name=", 5) == 0)
      {
        if (*name)
          strcat (name, ",");
        strcat (name, o);
      }
  if (*name == '\0')
    {
      free (name);
      return NULL;
    }
  return name;
}

void
mrc_cgroup_hiers_free (struct mrc_cgroup_hier *h, size_t n)
{
  for (size_t i = 0; h && i < n; i++)
    {
      free (h[i].name);
      free (h[i].mnt);
      free (h[i].root);
    }
  free (h);
}

/* Whether a mount at MNT is hidden by a mount made after it, found in the
 * mountinfo text REST that follows its line: a later mount point equal to
 * MNT or above it covers it (a private namespace mounting cgroup2 over
 * /sys/fs/cgroup hides the v1 mounts below). */
static bool
covered_later (const char *rest, const char *mnt)
{
  for (const char *line = rest; line && *line;)
    {
      const char *eol = strchrnul (line, '\n');
      /* field 5 is the mount point */
      const char *f = line;
      for (int i = 0; i < 4 && f < eol; i++)
        {
          f = memchr (f, ' ', (size_t) (eol - f));
          f = f ? f + 1 : eol;
        }
      const char *fe = memchr (f, ' ', (size_t) (eol - f));
      size_t len = fe ? (size_t) (fe - f) : 0;
      if (len > 0 && strncmp (mnt, f, len) == 0
          && (mnt[len] == '\0' || mnt[len] == '/' || (len == 1 && *f == '/')))
        return true;
      line = *eol ? eol + 1 : NULL;
    }
  return false;
}

/* One mountinfo line: "ID PARENT MAJ:MIN ROOT MNT OPTS ... - cgroup SRC
 * SUPER".  0 when it is no v1 cgroup mount. */
static int
parse_line (char *l, struct mrc_cgroup_hier *out)
{
  char *sep = strstr (l, " - ");
  if (sep == NULL || strncmp (sep + 3, "cgroup ", 7) != 0)
    return 0;
  char *super = strrchr (sep + 3, ' ');
  *sep = '\0';
  char *save = NULL, *f[5] = { NULL };
  f[0] = strtok_r (l, " ", &save);
  for (int i = 1; f[i - 1] && i < 5; i++)
    f[i] = strtok_r (NULL, " ", &save);
  if (f[4] == NULL || super == NULL)
    return 0;
  out->name = name_from_options (super + 1);
  if (out->name == NULL)
    return 0;
  out->root = strdup (f[3]);
  out->mnt = strdup (f[4]);
  if (out->root == NULL || out->mnt == NULL)
    return -1;
  mrc_mountinfo_unescape (out->root);
  mrc_mountinfo_unescape (out->mnt);
  return 1;
}

int
mrc_cgroup_hiers_parse (const char *mountinfo, bool (*usable) (const char *),
                        struct mrc_cgroup_hier **out, size_t *n,
                        mrc_error_t *err)
{
  struct mrc_cgroup_hier *h = calloc (MRC_CGROUP_V1_MAX, sizeof *h);
  size_t count = 0;
  if (h == NULL)
    return mrc_fail_errno (err, "cgroup: read the v1 hierarchies");
  for (const char *line = mountinfo; line && *line;)
    {
      const char *eol = strchrnul (line, '\n');
      cleanup_free char *l = strndup (line, (size_t) (eol - line));
      line = *eol ? eol + 1 : NULL;
      struct mrc_cgroup_hier one = { NULL, NULL, NULL };
      int r = l ? parse_line (l, &one) : -1;
      /* hidden by a later mount: known from the text, no syscall */
      if (r == 1 && (covered_later (line, one.mnt)
                     || (usable && !usable (one.mnt))))
        r = 0;
      if (r <= 0)
        {
          free (one.name), free (one.mnt), free (one.root);
          if (r < 0)
            {
              mrc_cgroup_hiers_free (h, count);
              return mrc_fail_errno (err, "cgroup: read the v1 hierarchies");
            }
          continue;
        }
      /* A hierarchy mounted in several places (a container's tree left
         mounted by another runtime, a bind elsewhere): the first mount of
         its whole tree is the host's own, made at boot; a later one
         replaces it only when the first shows part of the tree. */
      size_t i = 0;
      while (i < count && strcmp (h[i].name, one.name) != 0)
        i++;
      bool whole = strcmp (one.root, "/") == 0;
      if (i == MRC_CGROUP_V1_MAX
          || (i < count && (strcmp (h[i].root, "/") == 0 || !whole)))
        {
          free (one.name), free (one.mnt), free (one.root);
          continue;
        }
      if (i < count)
        free (h[i].name), free (h[i].mnt), free (h[i].root);
      else
        count++;
      h[i] = one;
    }
  *out = h;
  *n = count;
  return 0;
}

/* Still a v1 cgroup file system there, not hidden by a later mount. */
static bool
is_cgroup1 (const char *mnt)
{
  struct statfs sf;
  return statfs (mnt, &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC;
}

const char *
mrc_cgroup_mountinfo (mrc_error_t *err)
{
  static char *text;
  size_t len;
  if (text == NULL
      && mrc_read_file_at (AT_FDCWD, "/proc/self/mountinfo", PROC_FILE_MAX,
                           &text, &len, err)
             < 0)
    {
      text = NULL;
      return NULL;
    }
  return text;
}

int
mrc_cgroup_hiers (const struct mrc_cgroup_hier **out, size_t *n,
                  mrc_error_t *err)
{
  static struct mrc_cgroup_hier *cache;
  static size_t n_cache;
  if (cache == NULL)
    {
      const char *text = mrc_cgroup_mountinfo (err);
      if (text == NULL
          || mrc_cgroup_hiers_parse (text, is_cgroup1, &cache, &n_cache, err)
                 < 0)
        return mrc_error_wrap (err, "cgroup: find the cgroup mounts");
    }
  *out = cache;
  *n = n_cache;
  return 0;
}

const struct mrc_cgroup_hier *
mrc_cgroup_hier_find (const char *name)
{
  const struct mrc_cgroup_hier *h;
  size_t n;
  mrc_error_t ignored = NULL;
  if (mrc_cgroup_hiers (&h, &n, &ignored) < 0)
    {
      mrc_error_free (&ignored);
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    if (strcmp (h[i].name, name) == 0)
      return &h[i];
  return NULL;
}

int
mrc_cgroup_layout_of (const struct mrc_cgroup_hier *h, size_t n_v1,
                      bool has_v2, enum mrc_cgroup_layout *out,
                      mrc_error_t *err)
{
  bool v1 = false;
  /* a named hierarchy alone (systemd's name=systemd beside a full
     cgroup2) limits nothing: the host is unified */
  for (size_t i = 0; i < n_v1 && !v1; i++)
    v1 = strncmp (h[i].name, "name=", 5) != 0;
  if (v1)
    *out = has_v2 ? MRC_CGROUP_HYBRID : MRC_CGROUP_LEGACY;
  else if (has_v2)
    *out = MRC_CGROUP_UNIFIED;
  else
    return mrc_error_code (err, ENOENT,
                           "cgroup: no cgroup file system is mounted");
  return 0;
}

int
mrc_cgroup_layout (enum mrc_cgroup_layout *out, mrc_error_t *err)
{
  const struct mrc_cgroup_hier *h;
  size_t n;
  const char *root;
  mrc_error_t no_v2 = NULL;
  if (mrc_cgroup_hiers (&h, &n, err) < 0)
    return -1;
  bool has_v2 = mrc_cgroup_root (&root, &no_v2) == 0;
  if (!has_v2 && no_v2->errnum != ENOENT)
    {
      *err = no_v2;
      return -1;
    }
  mrc_error_free (&no_v2);
  return mrc_cgroup_layout_of (h, n, has_v2, out, err);
}

char *
mrc_cgroup_own_v1_from (const char *proc_cgroup, const char *name)
{
  for (const char *p = proc_cgroup; p && *p;)
    {
      const char *eol = strchrnul (p, '\n');
      const char *c1 = memchr (p, ':', (size_t) (eol - p));
      const char *c2 = c1 ? memchr (c1 + 1, ':', (size_t) (eol - c1 - 1)) : NULL;
      if (c2 && c2 > c1 + 1 && same_set (name, c1 + 1, (size_t) (c2 - c1 - 1)))
        return strndup (c2 + 1, (size_t) (eol - c2 - 1));
      p = *eol ? eol + 1 : NULL;
    }
  return NULL;
}

const char *
mrc_cgroup_v1_mountpoint (const char *name)
{
  const struct mrc_cgroup_hier *h = mrc_cgroup_hier_find (name);
  return h ? h->mnt : NULL;
}
