# Shared harness for mini-runc's integration tests (bats).
#
# Every test gets, under $BATS_TEST_TMPDIR:
#   bundle/rootfs   a busybox rootfs (applets as relative symlinks in /bin)
#   bundle/config.json  made from base_config(), edited with cfg_edit/set_args
#   state/          the --root state directory of this test only
# and a unique container id in $ID (more from new_id).  Every process the
# test starts in a container carries MRC_TEST_TAG=$TAG in its environment
# (the config's env), and so does every runtime process (mrc's env), so
# teardown can find anything left alive.  teardown force-deletes what the
# test created, then fails the test if anything was left: a state dir entry,
# a process, a mount referring to the test dir, or a cgroup named after an id.
#
# The binary under test is $MINI_RUNC (default: the repo's ./mini-runc).
# With MINI_RUNC=$(command -v runc) the shared behaviour is checked against
# runc; assertions about mini-runc's own wording or limits call
# requires_mini_runc (skips the test) or is_mini_runc (guards one assertion).

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MINI_RUNC=${MINI_RUNC:-$REPO_ROOT/mini-runc}

PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# ---------------------------------------------------------------- runtime

is_mini_runc() {
	if [ -z "${_MRC_FLAVOUR:-}" ]; then
		case "$("$MINI_RUNC" --version 2>/dev/null | head -n1)" in
		runc\ version*) _MRC_FLAVOUR=runc ;;
		crun\ version*) _MRC_FLAVOUR=crun ;;
		*) _MRC_FLAVOUR=mini-runc ;;
		esac
	fi
	[ "$_MRC_FLAVOUR" = mini-runc ]
}

# Skip the rest of a test whose assertions only hold for mini-runc (exact
# error texts, the id length limit, robustness runc does not offer).
# MRC_NO_SKIP=1 runs them anyway (to see how runc fares).
requires_mini_runc() {
	[ -n "${MRC_NO_SKIP:-}" ] && return 0
	is_mini_runc || skip "mini-runc-specific (MINI_RUNC is $(basename "$MINI_RUNC"))"
}

# The runtime, with this test's state root and the process tag, under a
# time limit (a hang must fail a test, not the suite).  fd 3 is bats' own
# channel: a container holding it open would hang bats.
mrc() {
	MRC_TEST_TAG=$TAG timeout -k 5 "${MRC_TIMEOUT:-60}" "$MINI_RUNC" --root "$ROOT" "$@" 3>&-
}

# mrc_bg ARGS...: the runtime in the background as a direct child (so a
# signal sent to $BGPID reaches it), stdio to $BATS_TEST_TMPDIR/bg.out.
mrc_bg() {
	(MRC_TEST_TAG=$TAG exec "$MINI_RUNC" --root "$ROOT" "$@" \
		</dev/null >>"$BATS_TEST_TMPDIR/bg.out" 2>&1 3>&-) &
	BGPID=$!
}

# rund [-N | !] CMD...: like bats' run, for commands that leave a container
# behind (create, run -d).  The container inherits the runtime's stdio, so
# under run it would hold run's capture pipe open forever; here stdio go to
# a file of their own.  Sets $status and $output; -N / ! check the status.
rund() {
	local expect=
	case "$1" in
	-[0-9]*) expect=${1#-}; shift ;;
	!) expect='!'; shift ;;
	esac
	_MRC_RUND=$((${_MRC_RUND:-0} + 1))
	local f=$BATS_TEST_TMPDIR/rund.$_MRC_RUND.out
	status=0
	"$@" </dev/null >"$f" 2>&1 3>&- || status=$?
	output=$(cat "$f")
	echo "rund $*: status $status, output: $output" >&2
	case "$expect" in
	'') ;;
	'!') [ "$status" -ne 0 ] ;;
	*) [ "$status" -eq "$expect" ] ;;
	esac
}

# ---------------------------------------------------------------- bundle

_build_template_rootfs() {
	local tpl=$BATS_RUN_TMPDIR/rootfs-template
	[ -x "$tpl/bin/busybox" ] && { echo "$tpl"; return; }
	local tmp
	tmp=$(mktemp -d "$BATS_RUN_TMPDIR/rootfs.XXXXXX")
	chmod 755 "$tmp" # mktemp's 0700 would lock non-root users out of /
	mkdir -p "$tmp"/{bin,proc,sys,dev,tmp,etc,root,mnt}
	chmod 1777 "$tmp/tmp"
	cp /bin/busybox "$tmp/bin/busybox"
	local a
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] && continue
		ln -s busybox "$tmp/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$tmp/etc/passwd"
	echo 'root:x:0:' >"$tmp/etc/group"
	# Another test file may have raced us: keep whichever landed first.
	mv -T "$tmp" "$tpl" 2>/dev/null || rm -rf "$tmp"
	echo "$tpl"
}

# A config like `runc spec`'s, minus what later issues own (capabilities,
# rlimits, seccomp, cgroup mounts, masked paths), with terminal false.
base_config() {
	jq -n --arg tag "MRC_TEST_TAG=$TAG" --arg path "$PATH_ENV" '{
	  ociVersion: "1.0.2",
	  process: {
	    terminal: false,
	    user: {uid: 0, gid: 0},
	    args: ["true"],
	    env: [$path, "TERM=xterm", $tag],
	    cwd: "/"
	  },
	  root: {path: "rootfs", readonly: false},
	  hostname: "mrc-test",
	  mounts: [
	    {destination: "/proc", type: "proc", source: "proc"},
	    {destination: "/dev", type: "tmpfs", source: "tmpfs",
	     options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
	    {destination: "/dev/pts", type: "devpts", source: "devpts",
	     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
	    {destination: "/dev/shm", type: "tmpfs", source: "shm",
	     options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
	    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
	     options: ["nosuid", "noexec", "nodev"]},
	    {destination: "/sys", type: "sysfs", source: "sysfs",
	     options: ["nosuid", "noexec", "nodev", "ro"]}
	  ],
	  linux: {
	    namespaces: [
	      {type: "pid"}, {type: "network"}, {type: "ipc"},
	      {type: "uts"}, {type: "mount"}, {type: "cgroup"}
	    ]
	  }
	}'
}

# cfg_edit 'jq filter' [jq args...]: edit $BUNDLE/config.json in place.
cfg_edit() {
	local f=$BUNDLE/config.json
	jq "$@" "$f" >"$f.new" && mv "$f.new" "$f"
}

# set_args ARG...: the container's process.args.
set_args() {
	# One --arg per element: jq would take an element like "-c" as its own flag.
	local a arr='[]' f=$BUNDLE/config.json
	for a in "$@"; do
		arr=$(jq -c --arg a "$a" '. + [$a]' <<<"$arr")
	done
	jq --argjson args "$arr" '.process.args = $args' "$f" >"$f.new" && mv "$f.new" "$f"
}

# userns_config: a new user namespace (root inside is host uid 200000).
userns_config() {
	cfg_edit '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	# the rootfs must be reachable by the mapped root, as with runc: its
	# files owned by it and every directory above it searchable
	chown -R 200000:200000 "$BUNDLE/rootfs"
	local d=$BUNDLE
	while [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

# new_id VAR: store a fresh unique container id in VAR (teardown deletes it).
new_id() {
	_MRC_SEQ=$((${_MRC_SEQ:-0} + 1))
	local -n _new_id_var=$1
	_new_id_var="mrct${BATS_TEST_NUMBER}-${_MRC_SEQ}-$$-$RANDOM"
	MRC_IDS+=("$_new_id_var")
}

# ---------------------------------------------------------------- queries

# state_field ID FIELD: one field of `state ID` (exits non-zero if state fails).
# STATE_VIA names the command that runs the runtime (default mrc; rootless
# tests use rl, the runtime as their user).
state_field() {
	local out
	out=$("${STATE_VIA:-mrc}" state "$1") || return 1
	jq -r ".$2" <<<"$out"
}

# wait_status ID STATUS [TENTHS]: poll `state` until it reports STATUS.
wait_status() {
	local id=$1 want=$2 n=${3:-300} s=
	while [ "$n" -gt 0 ]; do
		s=$(state_field "$id" status 2>/dev/null) || s=
		[ "$s" = "$want" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "container $id: status '$s', waited for '$want'" >&2
	return 1
}

# wait_file PATH [TENTHS]: poll until PATH exists and is not empty.
# (The default waits are long: only a broken test waits them out, and an
# ASan build on a loaded 2-core machine is slow.)
wait_file() {
	local n=${2:-300}
	while [ "$n" -gt 0 ]; do
		[ -s "$1" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# wait_gone PID [TENTHS]: poll until PID no longer exists (zombies count as gone).
wait_gone() {
	local n=${2:-300} st
	while [ "$n" -gt 0 ]; do
		st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
		[ "$st" = Z ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "process $1 still alive" >&2
	return 1
}

pid_alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ]
}

# Pids (other than ours) whose environment carries this test's tag.
tagged_pids() {
	local f pid
	for f in $(grep -lzxF "MRC_TEST_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null); do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
		# Zombies are someone else's to reap; they hold nothing.
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && continue
		echo "$pid"
	done
}

# Cgroup directories named after one of this test's ids.  (find fails
# when some other cgroup vanishes under it while it walks: what it found
# is still the answer, so its status is not.)
leftover_cgroups() {
	local mnt id names=()
	[ "${#MRC_IDS[@]}" -gt 0 ] || return 0
	for id in "${MRC_IDS[@]}"; do
		names+=(${names[0]+-o} -name "$id")
	done
	for mnt in $(awk '$9 == "cgroup" || $9 == "cgroup2" {print $5}' /proc/self/mountinfo); do
		find "$mnt" -maxdepth 4 -type d \( "${names[@]}" \) 2>/dev/null || true
	done
}

# Mounts of the host's mount namespace that refer to this test's directory.
leftover_mounts() {
	grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo || true
}

# state_entries: what the state root holds besides the runtime's own cache
# of compiled seccomp filters (.seccomp-cache) and the ids of its loaded
# device programs (.device-programs), both kept on purpose.
state_entries() {
	ls -A "$ROOT" 2>/dev/null | grep -vxE '\.seccomp-cache|\.device-programs' || true
}

# assert_nothing_left: the state root is empty, no tagged process lives, no
# mount or cgroup of this test exists.  Prints what it found.
assert_nothing_left() {
	local bad=0 left
	left=$(state_entries)
	[ -z "$left" ] || { echo "state root not empty: $left" >&2; bad=1; }
	left=$(tagged_pids)
	local n=50
	while [ -n "$left" ] && [ "$n" -gt 0 ]; do
		# Processes of a deleted container may take a moment to be reaped.
		sleep 0.1
		n=$((n - 1))
		left=$(tagged_pids)
	done
	[ -z "$left" ] || {
		echo "processes left: $(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline"; echo "($p)"; done)" >&2
		bad=1
	}
	left=$(leftover_mounts)
	[ -z "$left" ] || { echo "mounts left: $left" >&2; bad=1; }
	left=$(leftover_cgroups)
	[ -z "$left" ] || { echo "cgroups left: $left" >&2; bad=1; }
	return $bad
}

# assert_fails_cleanly CMD...: CMD exits non-zero, and nothing is left.
# Leaves the combined output in $output for wording checks.
assert_fails_cleanly() {
	rund "$@"
	echo "exit status $status, output: $output" >&2
	[ "$status" -ne 0 ]
	[ -n "$output" ]
	assert_nothing_left
}

# grep_i WORD...: $output mentions every WORD (case-insensitive, fixed strings).
grep_i() {
	local w
	for w in "$@"; do
		grep -qiF -- "$w" <<<"$output" || {
			echo "output lacks '$w': $output" >&2
			return 1
		}
	done
}

# ---------------------------------------------------------------- setup

setup() {
	TAG="mrc-$$-${BATS_TEST_NUMBER}-$RANDOM$RANDOM"
	MRC_IDS=()
	_MRC_SEQ=0
	new_id ID
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	ROOT=$BATS_TEST_TMPDIR/state
	CANARY=
	mkdir -p "$BUNDLE" "$ROOT"
	cp -a "$(_build_template_rootfs)" "$BUNDLE/rootfs"
	base_config >"$BUNDLE/config.json"
	[ -x "$MINI_RUNC" ] || {
		echo "MINI_RUNC=$MINI_RUNC is not executable" >&2
		return 1
	}
}

teardown() {
	local id problems=0
	# Shown by bats only when the test failed: what the last `run` printed.
	echo "last output (status ${status:-none}): ${output:-}"
	# Check before cleaning, so a test that forgot to clean up its own
	# containers is not reported (we clean them), but a runtime that leaks
	# after a delete the test itself made is.
	for id in "${MRC_IDS[@]}" $(state_entries); do
		mrc delete --force "$id" >/dev/null 2>&1 || true
	done
	assert_nothing_left || problems=1
	# Clean up whatever was left, so the next test starts clean.
	local p
	for p in $(tagged_pids); do kill -9 "$p" 2>/dev/null || true; done
	leftover_mounts | awk '{print $5}' | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	for p in $(leftover_cgroups); do rmdir "$p" 2>/dev/null || true; done
	[ -z "$CANARY" ] || rm -f "$CANARY"
	return $problems
}
