/* Unit tests of the state JSON: the OCI object `state` prints, the list
 * for `list --format json`, and state.json read back strictly. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mrc/cleanup.h"
#include "mrc/state.h"

#include "tap.h"

static struct mrc_kv annotations[] = {
  { (char *) "org.example.a", (char *) "1" },
  { (char *) "b", (char *) "two \"quoted\"" },
};

static struct mrc_state
sample (void)
{
  return (struct mrc_state){
    .oci_version = (char *) "1.2.0",
    .id = (char *) "box-1",
    .pid = 4242,
    .status = MRC_STATUS_RUNNING,
    .bundle = (char *) "/srv/bundles/box",
    .rootfs = (char *) "/srv/bundles/box/rootfs",
    .created = (char *) "2024-05-01T10:20:30.123456789Z",
    .owner = (char *) "",
    .pid_start_time = UINT64_MAX,
    .cgroup_path = (char *) "/sys/fs/cgroup/unified/mini-runc/box-1",
    .systemd_cgroup = true,
    .created_unix_ns = INT64_C (1714558830123456789),
  };
}

static void
test_status_names (void)
{
  is_str (mrc_status_name (MRC_STATUS_CREATING), "creating", "creating");
  is_str (mrc_status_name (MRC_STATUS_CREATED), "created", "created");
  is_str (mrc_status_name (MRC_STATUS_RUNNING), "running", "running");
  is_str (mrc_status_name (MRC_STATUS_PAUSED), "paused", "paused");
  is_str (mrc_status_name (MRC_STATUS_STOPPED), "stopped", "stopped");
  is_str (mrc_status_name ((enum mrc_status) 99), "unknown", "out of range");
}

static void
test_public_json (void)
{
  struct mrc_state st = sample ();
  cleanup_free char *pretty = NULL;
  cleanup_free char *compact = NULL;
  size_t len = 0;
  mrc_error_t err = NULL;
  ok (mrc_state_to_json (&st, false, true, &pretty, &len, &err) == 0,
      "pretty state generated");
  is_str (pretty,
          "{\n"
          "  \"ociVersion\": \"1.2.0\",\n"
          "  \"id\": \"box-1\",\n"
          "  \"pid\": 4242,\n"
          "  \"status\": \"running\",\n"
          "  \"bundle\": \"/srv/bundles/box\",\n"
          "  \"rootfs\": \"/srv/bundles/box/rootfs\",\n"
          "  \"created\": \"2024-05-01T10:20:30.123456789Z\",\n"
          "  \"owner\": \"\"\n"
          "}\n",
          "pretty state is runc's shape, no internal fields");
  is_int (len, strlen (pretty), "length reported");
  st.annotations = annotations;
  st.n_annotations = 2;
  st.status = MRC_STATUS_STOPPED;
  st.pid = 0;
  st.owner = NULL;
  ok (mrc_state_to_json (&st, false, false, &compact, NULL, &err) == 0,
      "compact state generated");
  is_str (compact,
          "{\"ociVersion\":\"1.2.0\",\"id\":\"box-1\",\"pid\":0,"
          "\"status\":\"stopped\",\"bundle\":\"/srv/bundles/box\","
          "\"rootfs\":\"/srv/bundles/box/rootfs\","
          "\"created\":\"2024-05-01T10:20:30.123456789Z\",\"owner\":\"\","
          "\"annotations\":{\"org.example.a\":\"1\","
          "\"b\":\"two \\\"quoted\\\"\"}}",
          "compact state with annotations, NULL owner as \"\"");
}

static void
test_list_json (void)
{
  struct mrc_state a = sample (), b = sample ();
  b.id = (char *) "box-2";
  b.status = MRC_STATUS_CREATED;
  struct mrc_state *both[] = { &a, &b };
  cleanup_free char *list = NULL;
  cleanup_free char *empty = NULL;
  mrc_error_t err = NULL;
  ok (mrc_state_list_to_json (both, 2, &list, NULL, &err) == 0,
      "list generated");
  ok (list && list[0] == '[' && strstr (list, "\"id\":\"box-2\"")
          && strstr (list, "},{") && !strstr (list, "mrc"),
      "list is an array of public objects");
  ok (mrc_state_list_to_json (NULL, 0, &empty, NULL, &err) == 0, "empty");
  is_str (empty, "[]", "an empty list is []");
}

static void
test_round_trip (enum mrc_status status)
{
  struct mrc_state st = sample (), back = { 0 };
  st.status = status;
  st.annotations = annotations;
  st.n_annotations = 2;
  cleanup_free char *json = NULL;
  size_t len = 0;
  mrc_error_t err = NULL;
  const char *what = mrc_status_name (status);
  ok (mrc_state_to_json (&st, true, false, &json, &len, &err) == 0,
      "%s: internal state generated", what);
  if (!ok (mrc_state_from_json (json, len, "state.json", &back, &err) == 0,
           "%s: read back", what))
    {
      diag ("%s", err->msg);
      mrc_error_free (&err);
      return;
    }
  is_str (back.oci_version, st.oci_version, "%s: ociVersion", what);
  is_str (back.id, st.id, "%s: id", what);
  is_int (back.pid, st.pid, "%s: pid", what);
  is_int (back.status, status, "%s: status", what);
  is_str (back.bundle, st.bundle, "%s: bundle", what);
  is_str (back.rootfs, st.rootfs, "%s: rootfs", what);
  is_str (back.created, st.created, "%s: created", what);
  is_str (back.owner, "", "%s: owner", what);
  ok (back.n_annotations == 2 && !strcmp (back.annotations[1].key, "b")
          && !strcmp (back.annotations[1].value, "two \"quoted\""),
      "%s: annotations", what);
  ok (back.pid_start_time == UINT64_MAX, "%s: pid start time", what);
  is_str (back.cgroup_path, st.cgroup_path, "%s: cgroup path", what);
  is_int (back.systemd_cgroup, true, "%s: systemd cgroup", what);
  ok (back.created_unix_ns == st.created_unix_ns, "%s: created ns", what);
  mrc_state_clear (&back);
  ok (back.id == NULL && back.n_annotations == 0, "%s: cleared", what);
}

static void
expect_error (const char *json, const char *want)
{
  struct mrc_state st;
  mrc_error_t err = NULL;
  int r = mrc_state_from_json (json, strlen (json), "state.json", &st, &err);
  ok (r < 0 && st.id == NULL, "refused: %s", json);
  is_str (err ? err->msg : NULL, want, "error for %s", json);
  mrc_error_free (&err);
  if (r == 0)
    mrc_state_clear (&st);
}

static void
test_bad_state (void)
{
  expect_error ("{\"status\":\"running\"}", "state.json: id: required");
  expect_error ("{\"id\":\"a\"}", "state.json: status: required");
  expect_error ("{\"id\":\"a\",\"status\":\"zombie\"}",
                "state.json: status: unknown value `zombie`");
  expect_error ("{\"id\":\"a\",\"id\":\"b\",\"status\":\"running\"}",
                "state.json: duplicate key `id`");
  expect_error ("{\"id\":\"a\",\"status\":\"running\",\"pid\":1.0}",
                "state.json: pid: expected a 32-bit integer");
  expect_error ("{\"id\":\"a\",\"status\":\"running\",\"pid\":-3}",
                "state.json: pid: must not be negative");
  expect_error ("{\"id\":\"a\",\"status\":\"running\",\"mrcPidStartTime\":-1}",
                "state.json: mrcPidStartTime: expected an unsigned 64-bit "
                "integer");
  expect_error ("{\"id\":\"a\",\"status\":\"running\",\"pid\":4194305}",
                "state.json: pid: 4194305 is out of range (at most "
                "4194304)");
  expect_error ("", "state.json: empty file");
  expect_error ("{\"id\":\"a\",", "state.json: invalid JSON at byte 10: "
                                  "premature EOF");
}

/* The init record: what delete --force goes by when state.json is gone. */
static void
test_record (void)
{
  static struct mrc_kv v1[] = { { (char *) "memory", (char *) "/m/box-1" } };
  struct mrc_state st = sample (), back = { 0 };
  st.cgroup_created_from = (char *) "/mini-runc";
  st.cgroup_v1 = v1;
  st.n_cgroup_v1 = 1;
  cleanup_free char *json = NULL;
  size_t len = 0;
  mrc_error_t err = NULL;
  ok (mrc_state_record_to_json (&st, &json, &len, &err) == 0,
      "record generated");
  ok (json && strstr (json, "bundle") == NULL && strstr (json, "status") == NULL,
      "the record holds no more than it needs");
  if (!ok (mrc_state_record_from_json (json, len, "init.json", &back, &err)
               == 0,
           "record read back"))
    {
      diag ("%s", err->msg);
      mrc_error_free (&err);
      return;
    }
  is_str (back.id, "box-1", "record: id");
  is_int (back.pid, 4242, "record: pid");
  ok (back.pid_start_time == UINT64_MAX, "record: start time");
  is_str (back.cgroup_path, st.cgroup_path, "record: cgroup path");
  is_str (back.cgroup_created_from, "/mini-runc", "record: created from");
  ok (back.n_cgroup_v1 == 1 && !strcmp (back.cgroup_v1[0].value, "/m/box-1"),
      "record: v1 paths");
  mrc_state_clear (&back);
  const char *bad = "{\"id\":\"a\",\"pid\":99999999}";
  ok (mrc_state_record_from_json (bad, strlen (bad), "init.json", &back, &err)
          < 0,
      "a record with a pid out of range is refused");
  is_str (err ? err->msg : NULL,
          "init.json: pid: 99999999 is out of range (at most 4194304)",
          "  naming the file");
  mrc_error_free (&err);
}

static void
test_invalid_utf8 (void)
{
  struct mrc_state st = sample ();
  st.bundle = (char *) "/srv/\xff";
  cleanup_free char *json = NULL;
  mrc_error_t err = NULL;
  ok (mrc_state_to_json (&st, true, false, &json, NULL, &err) < 0,
      "a bundle path that is not UTF-8 is refused");
  is_str (err ? err->msg : NULL,
          "generate state: a string is not valid UTF-8",
          "with a clear error");
  mrc_error_free (&err);
}

int
main (void)
{
  test_status_names ();
  test_public_json ();
  test_list_json ();
  test_round_trip (MRC_STATUS_CREATING);
  test_round_trip (MRC_STATUS_CREATED);
  test_round_trip (MRC_STATUS_PAUSED);
  test_bad_state ();
  test_invalid_utf8 ();
  test_record ();
  struct mrc_state zero = { 0 };
  mrc_state_clear (&zero);
  mrc_state_clear (NULL);
  ok (true, "clearing an empty state or NULL is harmless");
  return done_testing ();
}
