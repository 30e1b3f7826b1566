#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/spec.h"

#include "spec-internal.h"

/* Decode into a fresh struct of SCHEMA's size; on success hand it over. */
static int
decode_new (const struct mrc_schema *schema, const char *buf, size_t len,
            const char *name, void **out, mrc_error_t *err)
{
  void *obj = calloc (1, schema->size);
  if (obj == NULL)
    return mrc_error_set (err, ENOMEM, "%s: decode", name);
  if (mrc_schema_decode (schema, buf, len, name, obj, err) < 0)
    {
      mrc_schema_free (schema, obj);
      free (obj);
      return -1;
    }
  *out = obj;
  return 0;
}

/* What runc reads differently from what is written: a namespace entry
 * with "path": "" asks for a new namespace, as one without a path. */
static void
normalize (struct mrc_spec *spec)
{
  for (size_t i = 0; spec->linux_ && i < spec->linux_->n_namespaces; i++)
    {
      struct mrc_namespace *ns = &spec->linux_->namespaces[i];
      if (ns->path && ns->path[0] == '\0')
        {
          free (ns->path);
          ns->path = NULL;
        }
    }
}

int
mrc_spec_parse (const char *buf, size_t len, const char *name,
                struct mrc_spec **out, mrc_error_t *err)
{
  if (decode_new (&mrc_schema_spec, buf, len, name, (void **) out, err) < 0)
    return -1;
  normalize (*out);
  return 0;
}

int
mrc_spec_parse_process (const char *buf, size_t len, const char *name,
                        struct mrc_process **out, mrc_error_t *err)
{
  return decode_new (&mrc_schema_process, buf, len, name, (void **) out,
                     err);
}

int
mrc_spec_parse_resources (const char *buf, size_t len, const char *name,
                          struct mrc_resources **out, mrc_error_t *err)
{
  return decode_new (&mrc_schema_resources, buf, len, name, (void **) out,
                     err);
}

int
mrc_spec_load (int dirfd, const char *path, struct mrc_spec **out,
               mrc_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  const char *slash = strrchr (path, '/');
  const char *name = slash && slash[1] ? slash + 1 : path;
  if (mrc_read_file_at (dirfd, path, MRC_SPEC_MAX_BYTES, &buf, &len, err) < 0)
    return -1;
  return mrc_spec_parse (buf, len, name, out, err);
}

void
mrc_spec_free (struct mrc_spec *spec)
{
  mrc_schema_free (&mrc_schema_spec, spec);
  free (spec);
}

void
mrc_process_free (struct mrc_process *p)
{
  mrc_schema_free (&mrc_schema_process, p);
  free (p);
}

void
mrc_resources_free (struct mrc_resources *r)
{
  mrc_schema_free (&mrc_schema_resources, r);
  free (r);
}

const char *
mrc_spec_annotation (const struct mrc_spec *spec, const char *key)
{
  for (size_t i = 0; i < spec->n_annotations; i++)
    if (strcmp (spec->annotations[i].key, key) == 0)
      return spec->annotations[i].value ? spec->annotations[i].value : "";
  return NULL;
}

const struct mrc_namespace *
mrc_spec_namespace (const struct mrc_spec *spec, const char *type)
{
  if (spec == NULL || spec->linux_ == NULL)
    return NULL;
  for (size_t i = 0; i < spec->linux_->n_namespaces; i++)
    if (strcmp (spec->linux_->namespaces[i].type, type) == 0)
      return &spec->linux_->namespaces[i];
  return NULL;
}
