/* Unit tests of the config.json parser and validator (no root needed).
 *
 * The fixture corpus (MRC_FIXTURES, default tests/unit/fixtures) holds
 * good/ configs that must parse and validate, and bad/NAME.json files whose
 * exact error is in bad/NAME.err.  Cases that are easier to generate than to
 * store (oversize, deep nesting, many keys) are built here. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mrc/cleanup.h"
#include "mrc/file.h"
#include "mrc/spec.h"

#include "tap.h"

static const char *
fixtures (void)
{
  const char *dir = getenv ("MRC_FIXTURES");
  return dir && *dir ? dir : "tests/unit/fixtures";
}

static char *
read_fixture (const char *sub, const char *file, size_t *len)
{
  cleanup_free char *path = NULL;
  char *buf = NULL;
  mrc_error_t err = NULL;
  if (asprintf (&path, "%s/%s/%s", fixtures (), sub, file) < 0)
    return NULL;
  if (mrc_read_file_at (AT_FDCWD, path, MRC_SPEC_MAX_BYTES + 1, &buf, len,
                        &err)
      < 0)
    {
      diag ("%s", err->msg);
      mrc_error_free (&err);
      return NULL;
    }
  return buf;
}

/* Parse and validate BUF as config.json; NULL on success, else the error
 * message (malloc'd). */
static char *
check_config (const char *buf, size_t len)
{
  struct mrc_spec *spec = NULL;
  mrc_error_t err = NULL;
  char *msg = NULL;
  if (mrc_spec_parse (buf, len, "config.json", &spec, &err) < 0
      || mrc_spec_validate (spec, &err) < 0)
    {
      msg = strdup (err->msg);
      mrc_error_free (&err);
    }
  mrc_spec_free (spec);
  return msg;
}

static struct mrc_spec *
parse_fixture (const char *sub, const char *file)
{
  size_t len = 0;
  cleanup_free char *buf = read_fixture (sub, file, &len);
  struct mrc_spec *spec = NULL;
  mrc_error_t err = NULL;
  if (buf && mrc_spec_parse (buf, len, "config.json", &spec, &err) < 0)
    {
      diag ("%s", err->msg);
      mrc_error_free (&err);
    }
  return spec;
}

static bool
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n >= m && strcmp (s + n - m, suffix) == 0;
}

static int
json_only (const struct dirent *e)
{
  return has_suffix (e->d_name, ".json");
}

static void
test_good_fixtures (void)
{
  cleanup_free char *dir = NULL;
  struct dirent **list = NULL;
  if (asprintf (&dir, "%s/good", fixtures ()) < 0)
    return;
  int n = scandir (dir, &list, json_only, alphasort);
  ok (n >= 5, "good fixtures found in %s", dir);
  for (int i = 0; i < n; i++)
    {
      size_t len = 0;
      cleanup_free char *buf = read_fixture ("good", list[i]->d_name, &len);
      cleanup_free char *msg = buf ? check_config (buf, len) : strdup ("?");
      is_str (msg, NULL, "good/%s parses and validates", list[i]->d_name);
      free (list[i]);
    }
  free (list);
}

static void
test_bad_fixtures (void)
{
  cleanup_free char *dir = NULL;
  struct dirent **list = NULL;
  if (asprintf (&dir, "%s/bad", fixtures ()) < 0)
    return;
  int n = scandir (dir, &list, json_only, alphasort);
  ok (n >= 60, "bad fixtures found in %s", dir);
  for (int i = 0; i < n; i++)
    {
      const char *name = list[i]->d_name;
      cleanup_free char *errfile = strndup (name, strlen (name) - 5);
      size_t len = 0, elen = 0;
      cleanup_free char *buf = read_fixture ("bad", name, &len);
      cleanup_free char *expected = NULL;
      if (errfile && (errfile = realloc (errfile, strlen (errfile) + 5)))
        {
          strcat (errfile, ".err");
          expected = read_fixture ("bad", errfile, &elen);
        }
      if (expected && elen > 0 && expected[elen - 1] == '\n')
        expected[elen - 1] = '\0';
      cleanup_free char *msg = buf ? check_config (buf, len) : NULL;
      ok (expected != NULL, "bad/%s has an .err file", name);
      is_str (msg, expected, "bad/%s is refused with the expected error",
              name);
      free (list[i]);
    }
  free (list);
}

static void
test_full_process (const struct mrc_process *p)
{
  is_int (p->terminal, true, "process.terminal");
  ok (p->has_console_size && p->console_height == 25
          && p->console_width == 80,
      "process.consoleSize");
  is_int (p->user.uid, 1000, "process.user.uid");
  is_int (p->user.gid, 1001, "process.user.gid");
  ok (p->user.has_umask && p->user.umask == 18, "process.user.umask");
  ok (p->user.n_additional_gids == 3
          && p->user.additional_gids[2] == UINT32_MAX,
      "process.user.additionalGids up to 4294967295");
  is_str (p->user.username, "someone", "process.user.username");
  is_str (p->args[2], "echo \"hi\\u00e9\" \xc3\xa9",
          "escapes decoded in process.args[2]");
  ok (p->args[3] == NULL, "process.args is NULL-terminated");
  is_str (p->command_line, "sh -c echo", "process.commandLine");
  is_str (p->env[2], "EMPTY=", "process.env[2]");
  is_str (p->cwd, "/home/someone", "process.cwd");
  ok (p->capabilities && p->capabilities->inheritable
          && p->capabilities->inheritable[0] == NULL,
      "empty capability list is present and empty");
  is_str (p->capabilities->ambient[0], "CAP_KILL", "capabilities.ambient");
  ok (p->n_rlimits == 2 && p->rlimits[1].hard == UINT64_MAX
          && p->rlimits[0].soft == 512,
      "process.rlimits");
  is_int (p->no_new_privileges, true, "process.noNewPrivileges");
  is_str (p->apparmor_profile, "acme_secure_profile", "apparmorProfile");
  ok (p->has_oom_score_adj && p->oom_score_adj == -1000, "oomScoreAdj");
  ok (p->scheduler && p->scheduler->has_nice && p->scheduler->nice == -20
          && p->scheduler->period == 300000
          && !strcmp (p->scheduler->flags[0], "SCHED_FLAG_RESET_ON_FORK"),
      "process.scheduler");
  ok (p->io_priority && !strcmp (p->io_priority->klass, "IOPRIO_CLASS_BE")
          && p->io_priority->priority == 4,
      "process.ioPriority");
  is_str (p->exec_cpu_affinity_final, "0-3,7", "execCPUAffinity.final");
  is_str (p->selinux_label,
          "system_u:system_r:svirt_lxc_net_t:s0:c124,c675", "selinuxLabel");
}

static void
test_full_resources (const struct mrc_resources *r)
{
  ok (r->n_devices == 3 && !r->devices[0].allow && r->devices[1].allow
          && r->devices[2].has_major && r->devices[2].major == -1
          && !r->devices[2].has_minor,
      "resources.devices");
  ok (r->memory && r->memory->limit == 536870912 && r->memory->swap == -1
          && r->memory->has_swappiness && r->memory->swappiness == 0
          && r->memory->has_disable_oom_killer
          && !r->memory->disable_oom_killer,
      "resources.memory");
  ok (r->cpu && r->cpu->shares == 1024 && r->cpu->quota == 1000000
          && !strcmp (r->cpu->mems, "0-7") && r->cpu->idle == 1,
      "resources.cpu");
  ok (r->has_pids_limit && r->pids_limit == 32771, "resources.pids.limit");
  ok (r->block_io && r->block_io->weight == 10
          && r->block_io->n_weight_device == 2
          && !r->block_io->weight_device[1].has_leaf_weight
          && r->block_io->throttle_write_iops_device[0].rate == UINT64_MAX,
      "resources.blockIO");
  ok (r->n_hugepage_limits == 2
          && !strcmp (r->hugepage_limits[1].page_size, "64KB"),
      "resources.hugepageLimits");
  ok (r->has_network_class_id && r->network_class_id == 1048577
          && r->n_network_priorities == 2
          && r->network_priorities[1].priority == 1000,
      "resources.network");
  ok (r->n_rdma == 2 && !strcmp (r->rdma[1].name, "mlx4_0")
          && !r->rdma[1].has_hca_handles && r->rdma[1].hca_objects == 1000,
      "resources.rdma keyed by device, in document order");
  ok (r->n_unified == 2 && !strcmp (r->unified[0].key, "io.max")
          && !strcmp (r->unified[1].value, "max"),
      "resources.unified");
}

static void
test_full_linux (const struct mrc_linux *l)
{
  ok (l->n_namespaces == 8 && l->namespaces[0].path == NULL
          && !strcmp (l->namespaces[1].path, "/var/run/netns/neta"),
      "linux.namespaces");
  ok (l->n_uid_mappings == 1 && l->uid_mappings[0].size == 32000,
      "linux.uidMappings");
  ok (l->n_time_offsets == 2 && !strcmp (l->time_offsets[0].clock, "monotonic")
          && l->time_offsets[0].secs == -86400
          && l->time_offsets[0].nanosecs == 5,
      "linux.timeOffsets");
  ok (l->n_devices == 2 && l->devices[0].has_file_mode
          && l->devices[0].file_mode == 438 && !l->devices[1].has_uid,
      "linux.devices");
  ok (l->n_net_devices == 2 && !strcmp (l->net_devices[0].name, "eth0")
          && !strcmp (l->net_devices[1].host_name, "ens4")
          && l->net_devices[1].name == NULL,
      "linux.netDevices");
  is_str (l->cgroups_path, "/myRuntime/myContainer", "linux.cgroupsPath");
  is_str (l->rootfs_propagation, "slave", "linux.rootfsPropagation");
  ok (l->seccomp && l->seccomp->n_syscalls == 2
          && l->seccomp->syscalls[0].errno_ret == 38
          && l->seccomp->syscalls[1].n_args == 2
          && l->seccomp->syscalls[1].args[1].value_two == 4294967295u
          && !l->seccomp->syscalls[1].args[0].has_value_two
          && !strcmp (l->seccomp->listener_metadata, "metadata"),
      "linux.seccomp");
  ok (l->n_sysctl == 2 && !strcmp (l->sysctl[1].key, "net.core.somaxconn"),
      "linux.sysctl");
  is_str (l->masked_paths[0], "/proc/kcore", "linux.maskedPaths");
  is_str (l->readonly_paths[0], "/proc/sys", "linux.readonlyPaths");
  ok (l->intel_rdt && l->intel_rdt->enable_mbm
          && !strcmp (l->intel_rdt->clos_id, "guaranteed_group"),
      "linux.intelRdt");
  ok (l->personality && !strcmp (l->personality->domain, "LINUX32")
          && l->personality->flags && !l->personality->flags[0],
      "linux.personality");
  is_str (l->mount_label,
          "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811",
          "linux.mountLabel");
  test_full_resources (l->resources);
}

static void
test_full (void)
{
  cleanup_spec struct mrc_spec *s = parse_fixture ("good", "full.json");
  if (!ok (s != NULL, "full.json parses"))
    return;
  is_str (s->oci_version, "1.2.0", "ociVersion");
  ok (s->has_root && s->root_readonly
          && !strcmp (s->root_path, "/var/lib/containers/rootfs"),
      "root");
  is_str (s->hostname, "box", "hostname");
  is_str (s->domainname, "example.org", "domainname");
  ok (s->n_mounts == 3 && s->mounts[1].n_uid_mappings == 1
          && s->mounts[1].gid_mappings[0].host_id == 200000
          && !strcmp (s->mounts[1].options[2], "idmap")
          && s->mounts[0].options == NULL && s->mounts[2].options[0] == NULL,
      "mounts");
  ok (s->hooks.n_prestart == 1 && s->hooks.n_create_container == 2
          && s->hooks.create_runtime[0].has_timeout
          && s->hooks.create_runtime[0].timeout == 5
          && !strcmp (s->hooks.poststop[0].args[1], "-f")
          && !strcmp (s->hooks.prestart[0].env[0], "key1=value1"),
      "hooks");
  ok (s->n_annotations == 3 && !strcmp (s->annotations[2].key, "")
          && !strcmp (s->annotations[0].value, "value1"),
      "annotations");
  test_full_process (s->process);
  test_full_linux (s->linux_);
  ok (mrc_spec_namespace (s, "time") == &s->linux_->namespaces[7],
      "mrc_spec_namespace finds an entry");
  ok (mrc_spec_namespace (s, "bogus") == NULL,
      "mrc_spec_namespace returns NULL when absent");
}

static void
test_unknown_and_nulls (void)
{
  cleanup_spec struct mrc_spec *u
      = parse_fixture ("good", "unknown-fields.json");
  ok (u && u->process->n_rlimits == 1 && u->process->rlimits[0].hard == 10
          && u->n_mounts == 1 && u->linux_->resources->memory->limit == 1
          && u->linux_->n_namespaces == 1,
      "known fields next to unknown ones are kept");
  cleanup_spec struct mrc_spec *n = parse_fixture ("good", "nulls.json");
  ok (n && n->hostname == NULL && n->mounts == NULL
          && n->process->env == NULL && !n->process->user.has_umask
          && !n->process->has_console_size && n->linux_->resources == NULL
          && n->annotations == NULL,
      "null values are treated as absent");
  cleanup_spec struct mrc_spec *r = parse_fixture ("good", "runc-spec.json");
  ok (r && r->process->terminal && r->linux_->n_namespaces == 5
          && r->linux_->resources->n_devices == 1,
      "runc spec output parses");
}

/* A buffer LEN bytes long holding `{"x": <pad spaces> }`. */
static char *
padded_config (size_t len)
{
  char *buf = malloc (len);
  if (buf == NULL)
    return NULL;
  memset (buf, ' ', len);
  memcpy (buf, "{\"x\":1", 6);
  buf[len - 1] = '}';
  return buf;
}

static void
test_size_cap (void)
{
  struct mrc_spec *s = NULL;
  mrc_error_t err = NULL;
  cleanup_free char *big = padded_config (MRC_SPEC_MAX_BYTES + 1);
  ok (mrc_spec_parse (big, MRC_SPEC_MAX_BYTES + 1, "config.json", &s, &err)
          < 0,
      "a config over the cap is refused");
  is_str (err ? err->msg : NULL,
          "config.json: file too large (over 4194304 bytes)",
          "oversize error names the cap");
  mrc_error_free (&err);
  cleanup_free char *at_cap = padded_config (MRC_SPEC_MAX_BYTES);
  ok (mrc_spec_parse (at_cap, MRC_SPEC_MAX_BYTES, "config.json", &s, &err)
          == 0,
      "a config exactly at the cap parses");
  mrc_error_free (&err);
  mrc_spec_free (s);
  s = NULL;
  /* Only LEN bytes are read: what follows in memory is not looked at. */
  const char text[] = "{\"hostname\":\"a\"}garbage";
  ok (mrc_spec_parse (text, 16, "config.json", &s, &err) == 0
          && !strcmp (s->hostname, "a"),
      "parsing stops at the given length");
  mrc_spec_free (s);
}

/* {"x":[[...]]} with DEPTH containers in all. */
static char *
nested (int depth)
{
  char *buf = malloc ((size_t) depth * 2 + 16);
  if (buf == NULL)
    return NULL;
  char *p = stpcpy (buf, "{\"x\":");
  for (int i = 1; i < depth; i++)
    *p++ = '[';
  for (int i = 1; i < depth; i++)
    *p++ = ']';
  strcpy (p, "}");
  return buf;
}

static void
test_depth (void)
{
  cleanup_free char *at_cap = nested (MRC_SPEC_MAX_DEPTH);
  cleanup_free char *over = nested (MRC_SPEC_MAX_DEPTH + 1);
  cleanup_free char *huge = nested (100000);
  struct mrc_spec *s = NULL;
  mrc_error_t err = NULL;
  ok (mrc_spec_parse (at_cap, strlen (at_cap), "config.json", &s, &err) == 0,
      "nesting at the depth cap is accepted");
  mrc_spec_free (s);
  s = NULL;
  ok (mrc_spec_parse (over, strlen (over), "config.json", &s, &err) < 0
          && strstr (err->msg, "nesting too deep (over 64 levels)"),
      "nesting over the cap is refused");
  mrc_error_free (&err);
  ok (mrc_spec_parse (huge, strlen (huge), "config.json", &s, &err) < 0,
      "100000 levels are refused without recursion");
  mrc_error_free (&err);
}

static void
test_many_keys (void)
{
  size_t n = 200000;
  char *buf = NULL;
  size_t size = 0;
  FILE *m = open_memstream (&buf, &size);
  if (m == NULL)
    return;
  fputs ("{\"annotations\":{", m);
  for (size_t i = 0; i < n; i++)
    fprintf (m, "%s\"k%zu\":\"v\"", i ? "," : "", i);
  fputs (",\"k7\":\"again\"}}", m);
  fclose (m);
  struct mrc_spec *s = NULL;
  mrc_error_t err = NULL;
  ok (mrc_spec_parse (buf, size, "config.json", &s, &err) < 0,
      "a duplicate after 200000 keys is found");
  is_str (err ? err->msg : NULL,
          "config.json: annotations: duplicate key `k7`",
          "and named");
  mrc_error_free (&err);
  free (buf);
}

static void
test_default_spec (bool rootless)
{
  cleanup_free char *json = NULL;
  size_t len = 0;
  mrc_error_t err = NULL;
  const char *what = rootless ? "rootless" : "default";
  if (!ok (mrc_spec_default_json (rootless, &json, &len, &err) == 0,
           "%s spec generated", what))
    return;
  cleanup_free char *msg = check_config (json, len);
  is_str (msg, NULL, "%s spec parses and validates", what);
  cleanup_spec struct mrc_spec *s = NULL;
  if (mrc_spec_parse (json, len, "config.json", &s, &err) < 0)
    return;
  is_str (s->oci_version, MRC_OCI_VERSION, "%s: ociVersion", what);
  is_str (s->hostname, "mini-runc", "%s: hostname", what);
  ok (s->process->terminal && !strcmp (s->process->args[0], "sh")
          && s->process->n_rlimits == 1 && s->process->no_new_privileges,
      "%s: process as runc's", what);
  ok ((mrc_spec_namespace (s, "network") == NULL) == rootless,
      "%s: network namespace only when not rootless", what);
  ok ((mrc_spec_namespace (s, "user") != NULL) == rootless,
      "%s: user namespace only when rootless", what);
  ok (mrc_spec_namespace (s, "cgroup") && mrc_spec_namespace (s, "mount"),
      "%s: cgroup and mount namespaces", what);
  if (rootless)
    ok (s->linux_->n_uid_mappings == 1
            && s->linux_->uid_mappings[0].host_id == getuid ()
            && s->linux_->gid_mappings[0].host_id == getgid (),
        "rootless: maps the caller");
}

static void
test_load (void)
{
  char dir[] = "/tmp/mrc-test-spec.XXXXXX";
  mrc_error_t err = NULL;
  struct mrc_spec *s = NULL;
  if (!ok (mkdtemp (dir) != NULL, "temp dir"))
    return;
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const char good[] = "{\"ociVersion\":\"1.0.0\"}";
  const char bad[] = "{\"ociVersion\":1}";
  ok (mkdirat (dfd, "b", 0700) == 0
          && mrc_write_file_atomic (dfd, "b/config.json", good,
                                    sizeof good - 1, 0600, &err)
                 == 0
          && mrc_write_file_atomic (dfd, "bad.json", bad, sizeof bad - 1,
                                    0600, &err)
                 == 0,
      "fixtures written");
  ok (mrc_spec_load (dfd, "b/config.json", &s, &err) == 0
          && !strcmp (s->oci_version, "1.0.0"),
      "mrc_spec_load reads DIRFD/PATH");
  mrc_spec_free (s);
  s = NULL;
  ok (mrc_spec_load (dfd, "bad.json", &s, &err) < 0, "bad file refused");
  is_str (err ? err->msg : NULL, "bad.json: ociVersion: expected a string",
          "errors are named after the file's base name");
  mrc_error_free (&err);
  ok (mrc_spec_load (dfd, "missing.json", &s, &err) < 0 && s == NULL,
      "missing file is an error");
  mrc_error_free (&err);
  unlinkat (dfd, "b/config.json", 0);
  unlinkat (dfd, "b", AT_REMOVEDIR);
  unlinkat (dfd, "bad.json", 0);
  rmdir (dir);
}

static void
expect_process_error (const char *json, const char *want)
{
  struct mrc_process *p = NULL;
  mrc_error_t err = NULL;
  if (mrc_spec_parse_process (json, strlen (json), "process.json", &p, &err)
      == 0)
    (void) !mrc_spec_validate_process (p, "process.json", &err);
  is_str (err ? err->msg : NULL, want, "process %s", json);
  mrc_error_free (&err);
  mrc_process_free (p);
}

static void
test_process_and_resources (void)
{
  expect_process_error ("{\"args\":[\"ls\"],\"cwd\":\"/\"}", NULL);
  expect_process_error ("{\"cwd\":\"/\"}", "process.json: args: required");
  expect_process_error ("{\"args\":[\"ls\"],\"cwd\":\"tmp\"}",
                        "process.json: cwd: `tmp` is not an absolute path");
  expect_process_error ("{\"args\":[\"ls\"],\"user\":{\"uid\":-5}}",
                        "process.json: user.uid: expected an unsigned 32-bit "
                        "integer");
  struct mrc_resources *r = NULL;
  mrc_error_t err = NULL;
  const char good[] = "{\"memory\":{\"limit\":-1},\"pids\":{\"limit\":10}}";
  ok (mrc_spec_parse_resources (good, sizeof good - 1, "resources.json", &r,
                                &err)
              == 0
          && r->memory->limit == -1 && r->pids_limit == 10
          && mrc_spec_validate_resources (r, "resources.json", &err) == 0,
      "standalone resources parse");
  mrc_resources_free (r);
  r = NULL;
  const char bad[] = "{\"cpu\":{\"shares\":-1}}";
  ok (mrc_spec_parse_resources (bad, sizeof bad - 1, "-", &r, &err) < 0
          && r == NULL,
      "bad resources refused");
  is_str (err ? err->msg : NULL,
          "-: cpu.shares: expected an unsigned 64-bit integer",
          "resources error names the path");
  mrc_error_free (&err);
}

int
main (void)
{
  test_good_fixtures ();
  test_bad_fixtures ();
  test_full ();
  test_unknown_and_nulls ();
  test_size_cap ();
  test_depth ();
  test_many_keys ();
  test_default_spec (false);
  test_default_spec (true);
  test_load ();
  test_process_and_resources ();
  return done_testing ();
}
