/* A cache of compiled seccomp filters, in <root>/.seccomp-cache.
 *
 * Compiling a profile like podman's default (~370 syscalls, three
 * architectures) with libseccomp costs more than the rest of `run`; every
 * container of a host uses one of a few profiles.  An entry holds the
 * filter's whole input (the seccomp object as parsed, this mini-runc
 * binary, the libseccomp version, its API level for this kernel, the
 * native architecture and the kernel release) and what the compile
 * produced: the BPF program, the seccomp(2) flags, whether
 * it notifies, the warnings it gave.  The file name is a hash of the input,
 * but a hit needs the stored input to equal this one byte for byte, so a
 * collision (even a crafted one) is only a miss, as is an entry whose
 * checksum does not match.  The directory is the
 * runtime's own (0700 in the state root); any doubt is a miss, and a
 * failure to write is ignored: the cache can only save time. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/filter.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "security-internal.h"

#define CACHE_DIR ".seccomp-cache"
#define MAGIC "MRCSECC1"
#define ENTRY_MAX (1u << 20)
/* A host uses a few profiles: past this many entries the cache is reset
 * rather than grown without bound. */
#define ENTRIES_MAX 64

struct buf
{
  char *p;
  size_t len, cap;
  bool failed;
};

static void
put (struct buf *b, const void *data, size_t n)
{
  if (b->failed)
    return;
  if (b->len + n > b->cap)
    {
      size_t cap = b->cap ? b->cap * 2 : 4096;
      while (cap < b->len + n)
        cap *= 2;
      char *p = realloc (b->p, cap);
      if (p == NULL)
        {
          b->failed = true;
          return;
        }
      b->p = p;
      b->cap = cap;
    }
  memcpy (b->p + b->len, data, n);
  b->len += n;
}

static void
put_u32 (struct buf *b, uint32_t v)
{
  put (b, &v, sizeof v);
}

/* Length-prefixed, so no two inputs serialize alike; NULL differs from "". */
static void
put_str (struct buf *b, const char *s)
{
  put_u32 (b, s ? (uint32_t) strlen (s) + 1 : 0);
  if (s)
    put (b, s, strlen (s));
}

static void
put_strv (struct buf *b, char *const *v)
{
  uint32_t n = 0;
  while (v && v[n])
    n++;
  put_u32 (b, v ? n + 1 : 0);
  for (uint32_t i = 0; i < n; i++)
    put_str (b, v[i]);
}

char *
mrc_sec_seccomp_key (const struct mrc_seccomp *sc, size_t *len)
{
  struct buf b = { 0 };
  const struct scmp_version *v = seccomp_version ();
  struct utsname u;
  if (uname (&u) < 0)
    return NULL;
  /* this very binary: the compile's own logic and tables are part of the
     input, so another build (an upgrade) never reuses our filters */
  struct stat self;
  if (stat ("/proc/self/exe", &self) < 0)
    return NULL;
  put (&b, MAGIC, sizeof MAGIC - 1);
  put_str (&b, MRC_VERSION);
  put (&b, &self.st_dev, sizeof self.st_dev);
  put (&b, &self.st_ino, sizeof self.st_ino);
  put (&b, &self.st_size, sizeof self.st_size);
  put (&b, &self.st_mtim, sizeof self.st_mtim);
  put_u32 (&b, v->major);
  put_u32 (&b, v->minor);
  put_u32 (&b, v->micro);
  put_u32 (&b, (uint32_t) seccomp_api_get ());
  put_u32 (&b, seccomp_arch_native ());
  put_str (&b, u.release);
  put_str (&b, sc->default_action);
  put_u32 (&b, sc->has_default_errno_ret);
  put_u32 (&b, sc->default_errno_ret);
  put_strv (&b, sc->architectures);
  put_strv (&b, sc->flags);
  /* (listenerPath and listenerMetadata are not compiled: checked anew on
     every use, they stay out of the key) */
  put_u32 (&b, (uint32_t) sc->n_syscalls);
  for (size_t i = 0; i < sc->n_syscalls; i++)
    {
      const struct mrc_seccomp_syscall *e = &sc->syscalls[i];
      put_strv (&b, e->names);
      put_str (&b, e->action);
      put_u32 (&b, e->has_errno_ret);
      put_u32 (&b, e->errno_ret);
      put_u32 (&b, (uint32_t) e->n_args);
      for (size_t j = 0; j < e->n_args; j++)
        {
          const struct mrc_seccomp_arg *a = &e->args[j];
          put_u32 (&b, a->index);
          put (&b, &a->value, sizeof a->value);
          put_u32 (&b, a->has_value_two);
          put (&b, &a->value_two, sizeof a->value_two);
          put_str (&b, a->op);
        }
    }
  if (b.failed)
    {
      free (b.p);
      return NULL;
    }
  *len = b.len;
  return b.p;
}

static uint64_t
fnv1a (const char *p, size_t len)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char) p[i]) * 0x100000001b3ULL;
  return h;
}

/* Only names the file: the stored key decides. */
static void
entry_name (const char *key, size_t len, char name[17])
{
  snprintf (name, 17, "%016llx", (unsigned long long) fnv1a (key, len));
}

/* The cache directory under ROOT, made 0700 if missing; -1 when it is not
 * a directory of ours that only we can write. */
static int
open_dir (const char *root)
{
  if (root == NULL)
    return -1;
  cleanup_close int rfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return -1;
  if (mkdirat (rfd, CACHE_DIR, 0700) < 0 && errno != EEXIST)
    return -1;
  int fd = openat (rfd, CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                       | O_CLOEXEC);
  struct stat st;
  if (fd >= 0
      && (fstat (fd, &st) < 0 || st.st_uid != geteuid ()
          || (st.st_mode & 077) != 0))
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* A reader over an entry: every take checks the bounds. */
struct rd
{
  const char *p;
  size_t left;
};

static const void *
take (struct rd *r, size_t n)
{
  if (n > r->left)
    return NULL;
  const void *p = r->p;
  r->p += n;
  r->left -= n;
  return p;
}

static bool
take_u32 (struct rd *r, uint32_t *v)
{
  const void *p = take (r, sizeof *v);
  if (p)
    memcpy (v, p, sizeof *v);
  return p != NULL;
}

int
mrc_sec_seccomp_cache_get (const char *root, const char *key, size_t klen,
                           struct mrc_security *s, uint32_t *flags)
{
  cleanup_close int dir = open_dir (root);
  if (dir < 0)
    return 0;
  char name[17];
  entry_name (key, klen, name);
  cleanup_free char *data = NULL;
  size_t len;
  mrc_error_t e = NULL;
  if (mrc_read_file_at (dir, name, ENTRY_MAX, &data, &len, &e) < 0)
    {
      mrc_error_free (&e);
      return 0;
    }
  /* the entry ends with a checksum of the rest: damage is a miss */
  uint64_t sum;
  if (len < sizeof sum)
    return 0;
  len -= sizeof sum;
  memcpy (&sum, data + len, sizeof sum);
  if (sum != fnv1a (data, len))
    return 0;
  struct rd r = { data, len };
  uint32_t stored_klen, notify, n_warn, n_insns;
  const char *stored;
  if (!take_u32 (&r, &stored_klen) || stored_klen != klen
      || (stored = take (&r, klen)) == NULL || memcmp (stored, key, klen) != 0
      || !take_u32 (&r, flags) || !take_u32 (&r, &notify)
      || !take_u32 (&r, &n_warn))
    return 0;
  size_t first = s->n_warnings;
  for (uint32_t i = 0; i < n_warn; i++)
    {
      uint32_t wl;
      const char *w;
      if (!take_u32 (&r, &wl) || (w = take (&r, wl)) == NULL
          || mrc_sec_warn (s, "%.*s", (int) wl, w) < 0)
        goto miss;
    }
  const void *insns;
  if (!take_u32 (&r, &n_insns) || n_insns == 0 || n_insns > BPF_MAXINSNS
      || (insns = take (&r, n_insns * sizeof (struct sock_filter))) == NULL
      || r.left != 0
      || (s->seccomp.prog = calloc (n_insns, sizeof (struct sock_filter)))
             == NULL)
    goto miss;
  memcpy (s->seccomp.prog, insns, n_insns * sizeof (struct sock_filter));
  s->seccomp.len = (unsigned short) n_insns;
  s->seccomp.notify = notify != 0;
  return 1;
miss:
  mrc_sec_unwarn (s, first);
  return 0;
}

/* The number of entries in DIR; with REMOVE, every one is removed. */
static size_t
scan (int dir, bool remove)
{
  int fd = dup (dir);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  size_t n = 0;
  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return 0;
    }
  /* the dup shares DIR's offset: start from the beginning every time */
  rewinddir (d);
  struct dirent *de;
  while ((de = readdir (d)) != NULL)
    if (de->d_name[0] != '.')
      {
        n++;
        if (remove)
          unlinkat (dir, de->d_name, 0);
      }
  closedir (d);
  return n;
}

void
mrc_sec_seccomp_cache_put (const char *root, const char *key, size_t klen,
                           const struct mrc_security *s, uint32_t flags,
                           size_t first_warning)
{
  cleanup_close int dir = open_dir (root);
  if (dir < 0)
    return;
  struct buf b = { 0 };
  put_u32 (&b, (uint32_t) klen);
  put (&b, key, klen);
  put_u32 (&b, flags);
  put_u32 (&b, s->seccomp.notify);
  put_u32 (&b, (uint32_t) (s->n_warnings - first_warning));
  for (size_t i = first_warning; i < s->n_warnings; i++)
    {
      put_u32 (&b, (uint32_t) strlen (s->warnings[i]));
      put (&b, s->warnings[i], strlen (s->warnings[i]));
    }
  put_u32 (&b, s->seccomp.len);
  put (&b, s->seccomp.prog, s->seccomp.len * sizeof (struct sock_filter));
  if (!b.failed)
    {
      uint64_t sum = fnv1a (b.p, b.len);
      put (&b, &sum, sizeof sum);
    }
  char name[17];
  entry_name (key, klen, name);
  mrc_error_t e = NULL;
  if (!b.failed && b.len <= ENTRY_MAX)
    {
      /* grown past what a host needs: start over */
      if (scan (dir, false) >= ENTRIES_MAX)
        scan (dir, true);
      if (mrc_write_file_atomic (dir, name, b.p, b.len, 0600, &e) < 0)
        mrc_error_free (&e);
    }
  free (b.p);
}
