#!/usr/bin/env bats
# Docker (dockerd 20.10, through the containerd it starts and containerd's
# runc shim, io.containerd.runc.v2) running containers on mini-runc,
# registered with `dockerd --add-runtime mini-runc=PATH` and chosen with
# `docker run --runtime mini-runc`.  The test starts its own dockerd: a
# private --data-root, --exec-root, --pidfile, socket, daemon.json and key
# file; no bridge, iptables rules or masquerading (nothing on the shared
# host's network); the cgroupfs driver under a cgroup parent of its own.
# The image is a busybox rootfs imported with `docker import`.
# teardown_file removes the containers and the image, stops dockerd (its
# containerd with it), ends any shim it left, unmounts what they left and
# removes the directories.
#
# Limits are read back on the host from the container's own cgroup, found
# through its init's /proc/PID/cgroup (cw_cgroup_expect): the v1 files on
# this hybrid host, the cgroup2 ones on a unified host.  teardown checks
# that every container the test created left no cgroup, shim, mount or
# runtime state behind (cw_assert_clean).

load callers-helpers

# The client is docker.io's, called by path: on these machines
# /usr/local/bin/docker, first in PATH, is a foreign docker CLI (28.x, not
# from Debian) that shadows /usr/bin/docker.  The tests are about the
# docker.io 20.10 client and daemon that CI installs, so they must not
# depend on which other docker happens to come first.
DOCKER=/usr/bin/docker

D() {
	DOCKER_CONFIG=$CW_DIR/cli timeout -k 5 120 "$DOCKER" -H "unix://$CW_DIR/docker.sock" "$@"
}

IMG=mrc-busybox

# The shim's state root for the runtime (the shim passes it as --root).
runtime_root() { echo "$CW_DIR/exec/runtime-runc/moby"; }

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	cw_install docker.io
	[ -x "$DOCKER" ] && command -v dockerd >/dev/null || skip "docker.io not installed"
	[ -x "$MINI_RUNC" ] || skip "no $MINI_RUNC (run make)"
	# Short paths: containerd's socket lives under the exec root.
	CW_DIR=$(mktemp -d /tmp/mrc-docker.XXXXXX)
	CW_CGPARENT=/mrc-docker-$$
	export CW_DIR CW_CGPARENT
	mkdir -p "$CW_DIR"/{data,exec,cli}
	# A snapshot of the binary: a rebuild during the run must not break it.
	cp "$MINI_RUNC" "$CW_DIR/mini-runc"
	MINI_RUNC=$CW_DIR/mini-runc
	export MINI_RUNC
	cw_make_wrapper "$CW_DIR"
	# Its own daemon.json (not the host's /etc/docker/daemon.json), which
	# also moves the identity key away from /etc/docker/key.json (20.10
	# has no command-line flag for it).
	jq -n --arg k "$CW_DIR/key.json" '{"deprecated-key-path": $k}' >"$CW_DIR/daemon.json"
	dockerd --config-file "$CW_DIR/daemon.json" --data-root "$CW_DIR/data" \
		--exec-root "$CW_DIR/exec" --pidfile "$CW_DIR/dockerd.pid" \
		-H "unix://$CW_DIR/docker.sock" \
		--iptables=false --ip-masq=false --bridge=none \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$CW_CGPARENT" \
		--add-runtime "mini-runc=$CW_WRAP" \
		>"$CW_DIR/dockerd.log" 2>&1 3>&- &
	local pid=$!
	echo "$pid" >"$CW_DIR/dockerd.child"
	cw_wait eval 'D version || ! kill -0 "$pid"'
	D version >/dev/null || {
		tail -n 30 "$CW_DIR/dockerd.log" >&2
		false
	}
	cw_rootfs "$CW_DIR/rootfs"
	tar -C "$CW_DIR/rootfs" -c . | D import - "$IMG" >/dev/null
}

teardown_file() {
	[ -n "${CW_DIR:-}" ] && [ -d "$CW_DIR" ] || return 0
	local p mnt
	if [ -S "$CW_DIR/docker.sock" ]; then
		for p in $(D ps -aq 2>/dev/null); do
			D rm -f "$p" >/dev/null 2>&1 || true
		done
		D rmi -f "$IMG" >/dev/null 2>&1 || true
	fi
	if [ -s "$CW_DIR/dockerd.child" ]; then
		p=$(cat "$CW_DIR/dockerd.child")
		kill "$p" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.3; done
		kill -9 "$p" 2>/dev/null || true
	fi
	# A shim (or containerd) outlives a killed daemon: end this daemon's,
	# whose command lines name its exec root's containerd/, by pid.
	cw_kill_cmdline "$CW_DIR/exec/containerd"
	cw_umount_under "$CW_DIR"
	rm -rf "$CW_DIR"
	# The cgroup parent, in every hierarchy, if a runtime left it.
	for mnt in $(cw_cgroup_mounts); do
		[ ! -d "$mnt$CW_CGPARENT" ] || rmdir "$mnt$CW_CGPARENT" 2>/dev/null || true
	done
}

setup() {
	echo "==== $BATS_TEST_DESCRIPTION" >>"$CW_LOG"
	NAMES=()
}

teardown() {
	local n clean=0
	for n in "${NAMES[@]}"; do
		D rm -f "$n" >/dev/null 2>&1 || true
	done
	# Every container the test created is gone: its cgroups in every
	# hierarchy, its shim, its mounts, its entry in the runtime's state.
	cw_assert_clean "$(runtime_root)" || clean=1
	[ -n "${BATS_TEST_COMPLETED:-}" ] && [ "$clean" = 0 ] || {
		echo "---- last command's output ----" >&2
		echo "${output:-}" >&2
		cw_show_log
		echo "---- dockerd.log (tail) ----" >&2
		tail -n 15 "$CW_DIR/dockerd.log" >&2
	}
	return "$clean"
}

# new_name VAR: a fresh container name in VAR, removed by teardown.
new_name() {
	local -n _v=$1
	_v="mrcd${BATS_TEST_NUMBER}x$RANDOM"
	NAMES+=("$_v")
}

# cpid NAME: the host pid of a container's init.
cpid() { D inspect -f '{{.State.Pid}}' "$1"; }

# run_limited NAME: a detached container with the limits the tests read
# back: 64 MiB of memory, 50 pids, half a cpu.  Its sh and two sleeps are
# the only processes.
run_limited() {
	local name=$1
	run -0 D run -d --runtime mini-runc --name "$name" --memory 64m --pids-limit 50 --cpus 0.5 \
		"$IMG" sh -c 'sleep 300 & sleep 300 & wait'
	cw_wait eval '[ "$(D top "$name" -o pid,args | grep -cE "^ *[0-9]+ +sleep 300 *$")" -eq 2 ]'
}

@test "docker run --runtime mini-runc --rm: output and exit status, through the shim" {
	run -0 D run --runtime mini-runc --rm "$IMG" echo hi
	[ "$output" = hi ]
	run -3 D run --runtime mini-runc --rm "$IMG" sh -c 'echo to-stderr >&2; exit 3'
	[ "$output" = to-stderr ]
	# The shim called the runtime, with the state root and JSON log it
	# passes every call.
	grep -q -- "argv: --root $(runtime_root) --log .*/log.json --log-format json create --bundle " "$CW_LOG"
	run -0 D ps -aq
	[ -z "$output" ]
}

# The Docker CLI maps the runtime's error text to its exit status, case by
# case on runc's lower-case wording: 127 for "no such file or directory"
# and "executable file not found", 126 for "permission denied" and "is a
# directory", 125 for anything else (glibc's capitalised text included).
@test "docker run of a missing, a non-executable and a directory command: 127, 126, 126, as on runc" {
	run -127 D run --runtime mini-runc --rm "$IMG" /nonexistent
	[[ "$output" == *"no such file or directory"* ]]
	run -127 D run --runtime mini-runc --rm "$IMG" no-such-command
	[[ "$output" == *"executable file not found"* ]]
	run -126 D run --runtime mini-runc --rm "$IMG" /etc/passwd
	[[ "$output" == *"permission denied"* ]]
	run -126 D run --runtime mini-runc --rm "$IMG" /etc
	run -0 D ps -aq
	[ -z "$output" ]
}

@test "docker run -d --memory 64m --pids-limit 50 --cpus 0.5: applied in the container's own cgroup" {
	local n id pid
	new_name n
	run_limited "$n"
	id=$(D inspect -f '{{.Id}}' "$n")
	grep -q -- "create --bundle .* $id\$" "$CW_LOG"
	pid=$(cpid "$n")
	# its own group (cgroupsPath PARENT/ID) in every hierarchy
	[ "$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup")" = "$CW_CGPARENT/$id" ]
	[ -z "$(awk -F: -v p="$CW_CGPARENT/$id" '$3 != p' "/proc/$pid/cgroup")" ]
	cw_cgroup_expect "$pid" memory memory.limit_in_bytes=67108864 memory.max=67108864
	# Docker's swap default: as much again (memory + swap = twice it)
	cw_cgroup_expect "$pid" memory memory.memsw.limit_in_bytes=134217728 memory.swap.max=67108864
	cw_cgroup_expect "$pid" pids pids.max=50 pids.max=50
	cw_cgroup_expect "$pid" cpu cpu.cfs_quota_us=50000 "cpu.max=50000 100000"
	cw_cgroup_expect "$pid" cpu cpu.cfs_period_us=100000 "cpu.max=50000 100000"
}

# docker stats reads the container's cgroup files through the shim, from
# the groups its init's /proc/PID/cgroup lists (the v1 hierarchies on a
# hybrid host): the numbers must be the container's own, not the host's.
@test "docker stats --no-stream: the container's own memory limit, usage and pids" {
	local n used
	new_name n
	run_limited "$n"
	run -0 D stats --no-stream --format '{{json .}}' "$n"
	jq -e --arg n "$n" '.Name == $n' <<<"$output"
	# the container's limit (the host's would be the machine's memory)...
	[ "$(jq -r '.MemUsage | split(" / ")[1]' <<<"$output")" = 64MiB ]
	# ...its usage: a few sleeping busyboxes, far below it...
	used=$(cw_bytes "$(jq -r '.MemUsage | split(" / ")[0]' <<<"$output")")
	[ "$used" -gt 0 ]
	[ "$used" -lt $((64 << 20)) ]
	# ...and its pids: sh and the two sleeps
	[ "$(jq -r .PIDs <<<"$output")" = 3 ]
}

@test "docker update --memory 128m --memory-swap 256m: the new limits in the container's cgroup" {
	local n pid
	new_name n
	run_limited "$n"
	pid=$(cpid "$n")
	run -0 D update --memory 128m --memory-swap 256m "$n"
	grep -q -- "update --resources .* $(D inspect -f '{{.Id}}' "$n")" "$CW_LOG"
	cw_cgroup_expect "$pid" memory memory.limit_in_bytes=134217728 memory.max=134217728
	cw_cgroup_expect "$pid" memory memory.memsw.limit_in_bytes=268435456 memory.swap.max=134217728
	# the other limits stay as they were
	cw_cgroup_expect "$pid" pids pids.max=50 pids.max=50
	cw_cgroup_expect "$pid" cpu cpu.cfs_quota_us=50000 "cpu.max=50000 100000"
	run -0 D stats --no-stream --format '{{.MemUsage}}' "$n"
	[[ "$output" == *" / 128MiB" ]]
	run -0 D inspect -f '{{.State.Status}}' "$n"
	[ "$output" = running ]
}

@test "docker rm -f of a running container: nothing of it is left" {
	local n pid
	new_name n
	run_limited "$n"
	pid=$(cpid "$n")
	run -0 D rm -f "$n"
	cw_wait eval '! kill -0 "$pid" 2>/dev/null'
	run -0 D ps -aq
	[ -z "$output" ]
	# cgroups, shim, mounts, runtime state: checked here as in teardown
	cw_assert_clean "$(runtime_root)"
}
