/* The OCI state object (what `state` prints and hooks read on stdin) and
 * mini-runc's own state.json, which is the same object plus fields prefixed
 * `mrc` that only mini-runc reads.  Field order is runc's. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/types.h>

#include "mrc/state.h"

#include "spec-internal.h"

_Static_assert (sizeof (pid_t) == sizeof (int32_t), "pid_t is 32 bits");

/* Indexed by enum mrc_status. */
static const char *const status_names[] = {
  [MRC_STATUS_CREATING] = "creating", [MRC_STATUS_CREATED] = "created",
  [MRC_STATUS_RUNNING] = "running",   [MRC_STATUS_PAUSED] = "paused",
  [MRC_STATUS_STOPPED] = "stopped",   NULL,
};

const char *
mrc_status_name (enum mrc_status s)
{
  if ((size_t) s >= MRC_N_ELEMS (status_names) - 1)
    return "unknown";
  return status_names[s];
}

static const char *
or_empty (const char *s)
{
  return s ? s : "";
}

/* KEY: {k: v, ...}, left out when empty. */
static void
gen_kv_map (struct mrc_gen *g, const char *key, const struct mrc_kv *kv,
            size_t n)
{
  if (n == 0)
    return;
  mrc_gen_str (g, key);
  mrc_gen_open_map (g);
  for (size_t i = 0; i < n; i++)
    mrc_gen_kstr (g, kv[i].key, kv[i].value);
  mrc_gen_close_map (g);
}

/* The init's start time and the cgroup record: what state.json and the
 * init record share, under the same keys. */
static void
gen_init_cgroup (struct mrc_gen *g, const struct mrc_state *st)
{
  mrc_gen_str (g, "mrcPidStartTime");
  mrc_gen_uint (g, st->pid_start_time);
  if (st->cgroup_path)
    mrc_gen_kstr (g, "mrcCgroupPath", st->cgroup_path);
  if (st->cgroup_created_from)
    mrc_gen_kstr (g, "mrcCgroupCreatedFrom", st->cgroup_created_from);
  gen_kv_map (g, "mrcCgroupV1", st->cgroup_v1, st->n_cgroup_v1);
  gen_kv_map (g, "mrcCgroupV1CreatedFrom", st->cgroup_v1_created,
              st->n_cgroup_v1_created);
}

static void
gen_state (struct mrc_gen *g, const struct mrc_state *st, bool internal)
{
  mrc_gen_open_map (g);
  mrc_gen_kstr (g, "ociVersion", or_empty (st->oci_version));
  mrc_gen_kstr (g, "id", or_empty (st->id));
  mrc_gen_kint (g, "pid", st->pid);
  mrc_gen_kstr (g, "status", mrc_status_name (st->status));
  mrc_gen_kstr (g, "bundle", or_empty (st->bundle));
  mrc_gen_kstr (g, "rootfs", or_empty (st->rootfs));
  mrc_gen_kstr (g, "created", or_empty (st->created));
  mrc_gen_kstr (g, "owner", or_empty (st->owner));
  gen_kv_map (g, "annotations", st->annotations, st->n_annotations);
  if (internal)
    {
      /* "status" is the OCI view; this one can also say "creating". */
      mrc_gen_kstr (g, "mrcStatus", mrc_status_name (st->status));
      gen_init_cgroup (g, st);
      mrc_gen_kbool (g, "mrcSystemdCgroup", st->systemd_cgroup);
      if (st->no_new_keyring)
        mrc_gen_kbool (g, "mrcNoNewKeyring", true);
      mrc_gen_kint (g, "mrcCreatedNs", st->created_unix_ns);
    }
  mrc_gen_close_map (g);
}

int
mrc_state_to_json (const struct mrc_state *st, bool internal, bool pretty,
                   char **out, size_t *len, mrc_error_t *err)
{
  struct mrc_gen g;
  if (mrc_gen_init (&g, pretty ? "  " : NULL, err) < 0)
    return -1;
  gen_state (&g, st, internal);
  return mrc_gen_finish (&g, "state", out, len, err);
}

int
mrc_state_list_to_json (struct mrc_state *const *sts, size_t n, char **out,
                        size_t *len, mrc_error_t *err)
{
  struct mrc_gen g;
  if (mrc_gen_init (&g, NULL, err) < 0)
    return -1;
  mrc_gen_open_array (&g);
  for (size_t i = 0; i < n; i++)
    gen_state (&g, sts[i], false);
  mrc_gen_close_array (&g);
  return mrc_gen_finish (&g, "state list", out, len, err);
}

/* What the decoder fills: the state plus both status fields, reconciled
 * after decoding. */
struct state_doc
{
  struct mrc_state st;
  int status;
  bool has_status;
  int internal_status;
  bool has_internal_status;
};

#define STATE_STR(k, m) MRC_STR (k, struct state_doc, st.m)

static const struct mrc_field state_fields[] = {
  STATE_STR ("ociVersion", oci_version),
  MRC_FIELD ("id", MRC_K_STR, MRC_F_REQUIRED, struct state_doc, st.id, 0,
             NULL),
  MRC_NUM ("pid", MRC_K_I32, struct state_doc, st.pid),
  { "status", MRC_K_ENUM, MRC_F_REQUIRED, offsetof (struct state_doc, status),
    MRC_HAS (struct state_doc, has_status), NULL, status_names },
  STATE_STR ("bundle", bundle),
  STATE_STR ("rootfs", rootfs),
  STATE_STR ("created", created),
  STATE_STR ("owner", owner),
  MRC_FIELD ("annotations", MRC_K_MAP_STR, 0, struct state_doc,
             st.annotations, MRC_HAS (struct state_doc, st.n_annotations),
             NULL),
  { "mrcStatus", MRC_K_ENUM, 0, offsetof (struct state_doc, internal_status),
    MRC_HAS (struct state_doc, has_internal_status), NULL, status_names },
  MRC_NUM ("mrcPidStartTime", MRC_K_U64, struct state_doc,
           st.pid_start_time),
  STATE_STR ("mrcCgroupPath", cgroup_path),
  STATE_STR ("mrcCgroupCreatedFrom", cgroup_created_from),
  MRC_FIELD ("mrcCgroupV1", MRC_K_MAP_STR, 0, struct state_doc, st.cgroup_v1,
             MRC_HAS (struct state_doc, st.n_cgroup_v1), NULL),
  MRC_FIELD ("mrcCgroupV1CreatedFrom", MRC_K_MAP_STR, 0, struct state_doc,
             st.cgroup_v1_created,
             MRC_HAS (struct state_doc, st.n_cgroup_v1_created), NULL),
  MRC_BOOL ("mrcSystemdCgroup", struct state_doc, st.systemd_cgroup),
  MRC_BOOL ("mrcNoNewKeyring", struct state_doc, st.no_new_keyring),
  MRC_NUM ("mrcCreatedNs", MRC_K_I64, struct state_doc, st.created_unix_ns),
};
static MRC_SCHEMA (state_schema, struct state_doc, 0, state_fields);

/* A pid the kernel can hand out: 0 (none) up to PID_MAX_LIMIT. */
static int
check_pid (pid_t pid, const char *name, mrc_error_t *err)
{
  if (pid < 0)
    return mrc_fail (err, "%s: pid: must not be negative", name);
  if (pid > MRC_PID_MAX)
    return mrc_fail (err, "%s: pid: %d is out of range (at most %d)", name,
                     (int) pid, MRC_PID_MAX);
  return 0;
}

int
mrc_state_from_json (const char *buf, size_t len, const char *name,
                     struct mrc_state *out, mrc_error_t *err)
{
  struct state_doc doc = { 0 };
  memset (out, 0, sizeof *out);
  if (mrc_schema_decode (&state_schema, buf, len, name, &doc, err) < 0)
    {
      mrc_schema_free (&state_schema, &doc);
      return -1;
    }
  if (check_pid (doc.st.pid, name, err) < 0)
    {
      mrc_schema_free (&state_schema, &doc);
      return -1;
    }
  doc.st.status = (enum mrc_status) (doc.has_internal_status
                                         ? doc.internal_status
                                         : doc.status);
  *out = doc.st;
  return 0;
}

/* The init record: the internal keys of state.json that find the
 * container's processes, read straight into a bare state. */
#define RECORD_STR(k, m) MRC_STR (k, struct mrc_state, m)

static const struct mrc_field record_fields[] = {
  MRC_FIELD ("id", MRC_K_STR, MRC_F_REQUIRED, struct mrc_state, id, 0, NULL),
  MRC_NUM ("pid", MRC_K_I32, struct mrc_state, pid),
  MRC_NUM ("mrcPidStartTime", MRC_K_U64, struct mrc_state, pid_start_time),
  RECORD_STR ("mrcCgroupPath", cgroup_path),
  RECORD_STR ("mrcCgroupCreatedFrom", cgroup_created_from),
  MRC_FIELD ("mrcCgroupV1", MRC_K_MAP_STR, 0, struct mrc_state, cgroup_v1,
             MRC_HAS (struct mrc_state, n_cgroup_v1), NULL),
  MRC_FIELD ("mrcCgroupV1CreatedFrom", MRC_K_MAP_STR, 0, struct mrc_state,
             cgroup_v1_created,
             MRC_HAS (struct mrc_state, n_cgroup_v1_created), NULL),
};
static MRC_SCHEMA (record_schema, struct mrc_state, 0, record_fields);

int
mrc_state_record_to_json (const struct mrc_state *st, char **out,
                          size_t *len, mrc_error_t *err)
{
  struct mrc_gen g;
  if (mrc_gen_init (&g, NULL, err) < 0)
    return -1;
  mrc_gen_open_map (&g);
  mrc_gen_kstr (&g, "id", or_empty (st->id));
  mrc_gen_kint (&g, "pid", st->pid);
  gen_init_cgroup (&g, st);
  mrc_gen_close_map (&g);
  return mrc_gen_finish (&g, "init record", out, len, err);
}

int
mrc_state_record_from_json (const char *buf, size_t len, const char *name,
                            struct mrc_state *out, mrc_error_t *err)
{
  memset (out, 0, sizeof *out);
  if (mrc_schema_decode (&record_schema, buf, len, name, out, err) < 0
      || check_pid (out->pid, name, err) < 0)
    {
      mrc_state_clear (out);
      return -1;
    }
  return 0;
}

void
mrc_state_clear (struct mrc_state *st)
{
  if (st == NULL)
    return;
  /* The state is the first member of struct state_doc and the extra
     members own nothing, so the doc's table frees a bare state. */
  mrc_schema_free (&state_schema, st);
  memset (st, 0, sizeof *st);
}
