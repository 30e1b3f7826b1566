/* A container's state: what `state` prints (the OCI state JSON) plus the
 * fields mini-runc keeps for itself in <root>/<id>/state.json. */
#ifndef MRC_STATE_H
#define MRC_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mrc/error.h"
#include "mrc/spec.h"

enum mrc_status
{
  MRC_STATUS_CREATING = 0, /* internal only: never printed */
  MRC_STATUS_CREATED,
  MRC_STATUS_RUNNING,
  MRC_STATUS_PAUSED,
  MRC_STATUS_STOPPED,
};

/* "created", "running", "paused", "stopped" ("creating" for the internal
 * state). */
const char *mrc_status_name (enum mrc_status s);

/* The largest pid Linux hands out (PID_MAX_LIMIT on 64-bit): a recorded
 * pid above it is damage, never a process. */
#define MRC_PID_MAX (4 * 1024 * 1024)

struct mrc_state
{
  char *oci_version;
  char *id;
  pid_t pid;          /* 0 when stopped */
  enum mrc_status status;
  char *bundle;       /* absolute */
  char *rootfs;       /* absolute */
  char *created;      /* RFC 3339 with fraction, UTC */
  char *owner;        /* "" usually */
  struct mrc_kv *annotations;
  size_t n_annotations;

  /* Internal fields (written to state.json, never printed by `state`). */
  uint64_t pid_start_time; /* field 22 of /proc/PID/stat */
  char *cgroup_path;       /* the cgroup, as in /proc/PID/cgroup, or NULL */
  char *cgroup_created_from; /* topmost cgroup dir create made, or NULL */
  struct mrc_kv *cgroup_v1;  /* v1 hierarchy -> the container's cgroup */
  size_t n_cgroup_v1;
  struct mrc_kv *cgroup_v1_created; /* hierarchy -> topmost dir made */
  size_t n_cgroup_v1_created;
  bool systemd_cgroup;
  bool no_new_keyring;     /* create --no-new-keyring: exec keeps it too */
  int64_t created_unix_ns; /* for sorting */
};

/* Serialise.  With INTERNAL, include the internal fields (for state.json);
 * without, exactly the OCI state object callers read.  PRETTY indents as
 * runc does for `state` (2 spaces) and ends with a newline; compact output
 * has none.  "status" is mrc_status_name (st->status), so a CREATING state
 * prints "creating": callers showing it to users should refresh it first.
 * Fails on strings that are not UTF-8. */
int mrc_state_to_json (const struct mrc_state *st, bool internal, bool pretty,
                       char **out, size_t *len, mrc_error_t *err) MRC_WUR;

/* A compact JSON array of OCI state objects (`list --format json`), no
 * trailing newline. */
int mrc_state_list_to_json (struct mrc_state *const *sts, size_t n,
                            char **out, size_t *len, mrc_error_t *err) MRC_WUR;

/* Parse a state.json written by mrc_state_to_json(internal=true). */
int mrc_state_from_json (const char *buf, size_t len, const char *name,
                         struct mrc_state *out, mrc_error_t *err) MRC_WUR;

/* The init record (<root>/<id>/init.json): the id, the init's pid and
 * start time and the cgroup record of ST, under state.json's keys: what
 * `delete --force` needs to find the container's processes when
 * state.json is damaged.  Compact, no newline. */
int mrc_state_record_to_json (const struct mrc_state *st, char **out,
                              size_t *len, mrc_error_t *err) MRC_WUR;
/* Parse one into OUT (only those fields set; free with mrc_state_clear). */
int mrc_state_record_from_json (const char *buf, size_t len, const char *name,
                                struct mrc_state *out, mrc_error_t *err) MRC_WUR;

void mrc_state_clear (struct mrc_state *st);

#endif
