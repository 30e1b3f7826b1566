#!/usr/bin/env bats
# Docker (dockerd 20.10, through the containerd it starts and containerd's
# runc shim, io.containerd.runc.v2) running containers on mini-runc,
# registered with `dockerd --add-runtime mini-runc=PATH` and chosen with
# `docker run --runtime mini-runc`.  The test starts its own dockerd: a
# private --data-root, --exec-root, --pidfile, socket, daemon.json and key
# file; no bridge, iptables rules or masquerading (nothing on the shared
# host's network); the cgroupfs driver under a cgroup parent of its own.
# The image is a busybox rootfs imported with `docker import`.  The build
# test starts a second daemon the same way whose daemon.json registers
# mini-runc under "runtimes" and makes it the "default-runtime" (the
# README's two forms).  teardown_file removes the containers, stops the
# daemons (their containerd with them), ends any shim they left, unmounts
# what they left and removes the directories.
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

# DH DIR ARGS...: the client of the daemon whose directory is DIR; D ARGS...:
# of the main one.
DH() {
	local dir=$1
	shift
	DOCKER_CONFIG=$dir/cli timeout -k 5 120 "$DOCKER" -H "unix://$dir/docker.sock" "$@"
}
D() { DH "$CW_DIR" "$@"; }

IMG=mrc-busybox

# The shim's state root for the runtime (the shim passes it as --root).
runtime_root() { echo "$CW_DIR/exec/runtime-runc/moby"; }

setup_file() {
	[ "$(id -u)" = 0 ] || { cw_file_skip "needs root"; return 0; }
	cw_install docker.io
	[ -x "$DOCKER" ] && command -v dockerd >/dev/null || { cw_file_skip "docker.io not installed"; return 0; }
	[ -x "$MINI_RUNC" ] || { cw_file_skip "no $MINI_RUNC (run make)"; return 0; }
	# Short paths: containerd's socket lives under the exec root.
	CW_DIR=$(mktemp -d /tmp/mrc-docker.XXXXXX)
	CW_CGPARENT=/mrc-docker-$$
	export CW_DIR CW_CGPARENT
	mkdir -p "$CW_DIR"/{data,exec,cli}
	cw_make_wrapper "$CW_DIR"
	start_dockerd "$CW_DIR" '{}' --add-runtime "mini-runc=$CW_WRAP"
}

# start_dockerd DIR DAEMON-JSON FLAG...: a private dockerd with everything
# under DIR, configured by the JSON object DAEMON-JSON (its daemon.json)
# and FLAGs, with the busybox image imported.
start_dockerd() {
	local dir=$1 json=$2 pid
	shift 2
	mkdir -p "$dir"/{data,exec,cli}
	# Its own daemon.json (not the host's /etc/docker/daemon.json), which
	# also moves the identity key away from /etc/docker/key.json (20.10
	# has no command-line flag for it).
	jq -n --arg k "$dir/key.json" --argjson j "$json" '{"deprecated-key-path": $k} + $j' \
		>"$dir/daemon.json"
	dockerd --config-file "$dir/daemon.json" --data-root "$dir/data" \
		--exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		-H "unix://$dir/docker.sock" \
		--iptables=false --ip-masq=false --bridge=none \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "$CW_CGPARENT" \
		"$@" >"$dir/dockerd.log" 2>&1 3>&- &
	pid=$!
	echo "$pid" >"$dir/dockerd.child"
	cw_wait eval 'DH "$dir" version || ! kill -0 "$pid"'
	DH "$dir" version >/dev/null || {
		tail -n 30 "$dir/dockerd.log" >&2
		return 1
	}
	[ -d "$CW_DIR/rootfs" ] || cw_rootfs "$CW_DIR/rootfs"
	tar -C "$CW_DIR/rootfs" -c . | DH "$dir" import - "$IMG" >/dev/null
}

# stop_dockerd DIR: its containers removed, the daemon stopped (its
# containerd with it), any shim it left ended, what they left unmounted.
stop_dockerd() {
	local dir=$1 p
	if [ -S "$dir/docker.sock" ]; then
		for p in $(DH "$dir" ps -aq 2>/dev/null); do
			DH "$dir" rm -f "$p" >/dev/null 2>&1 || true
		done
	fi
	if [ -s "$dir/dockerd.child" ]; then
		p=$(cat "$dir/dockerd.child")
		kill "$p" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.3; done
		kill -9 "$p" 2>/dev/null || true
	fi
	# A shim (or containerd) outlives a killed daemon: end this daemon's,
	# whose command lines name its exec root's containerd/, by pid.
	cw_kill_cmdline "$dir/exec/containerd"
	cw_umount_under "$dir"
}

teardown_file() {
	if [ -z "${CW_DIR:-}" ] || [ ! -d "$CW_DIR" ]; then return 0; fi
	local mnt
	[ ! -d "$CW_DIR/build" ] || stop_dockerd "$CW_DIR/build"
	stop_dockerd "$CW_DIR"
	rm -rf "$CW_DIR"
	# The cgroup parent, in every hierarchy, if a runtime left it.
	for mnt in $(cw_cgroup_mounts); do
		[ ! -d "$mnt$CW_CGPARENT" ] || rmdir "$mnt$CW_CGPARENT" 2>/dev/null || true
	done
}

setup() {
	cw_file_skipped
	echo "==== $BATS_TEST_DESCRIPTION" >>"$CW_LOG"
	NAMES=()
}

teardown() {
	[ -z "${CW_FILE_SKIP:-}" ] || return 0
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

@test "docker run --runtime mini-runc --rm: output and exit status (0, 3, SIGKILL), through the shim" {
	run -0 D run --runtime mini-runc --rm "$IMG" echo hi
	[ "$output" = hi ]
	run -3 D run --runtime mini-runc --rm "$IMG" sh -c 'echo to-stderr >&2; exit 3'
	[ "$output" = to-stderr ]
	# killed by a signal: 128 + 9 (in the host's pid namespace, where the
	# process is not a pid 1 that ignores signals it does not handle)
	run -137 D run --runtime mini-runc --rm --pid host "$IMG" sh -c 'kill -KILL $$'
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

# run_sleeper NAME [DOCKER-RUN-FLAG...]: a detached container on mini-runc
# whose process sleeps, running once docker says so.
run_sleeper() {
	local name=$1
	shift
	run -0 D run -d --runtime mini-runc --name "$name" "$@" "$IMG" sleep 300
	cw_wait eval '[ "$(D inspect -f "{{.State.Status}}" "$name")" = running ]'
}

@test "docker run -i: the container reads docker's stdin" {
	run -0 D run -i --runtime mini-runc --rm "$IMG" sh -c 'tr a-z A-Z; echo read-all' <<<"piped in"
	[ "$output" = "PIPED IN
read-all" ]
	# without -i the container's stdin is empty
	run -0 D run --runtime mini-runc --rm "$IMG" sh -c 'cat; echo eof' <<<"not seen"
	[ "$output" = eof ]
}

@test "docker run -it through tmux: a terminal of the pane's size, exit status" {
	local n
	new_name n
	cw_tmux_shell "DOCKER_CONFIG=$CW_DIR/cli $DOCKER -H unix://$CW_DIR/docker.sock run -it --rm --runtime mini-runc --name $n $IMG sh" 5
	[[ "$CW_PANE" == *"/dev/pts/0"* ]]
	[[ "$CW_PANE" == *"20 90"* ]]
	[ "$CW_PANE_STATUS" = 5 ]
	grep -q -- "create --bundle .* --console-socket " "$CW_LOG"
}

@test "docker run -d, then exec: -u, -e, -w, exit status; exec -it through tmux" {
	local n
	new_name n
	run_sleeper "$n"
	run -0 D exec "$n" cat /proc/1/cmdline
	[ "$output" = "sleep300" ]
	run -0 D exec -u 65534:65534 -e GREETING=hi -w /tmp "$n" sh -c 'echo $(id -u):$(id -g) $GREETING $(pwd)'
	[ "$output" = "65534:65534 hi /tmp" ]
	run -7 D exec "$n" sh -c 'exit 7'
	grep -q -- "exec --process .* --detach --pid-file .* $(D inspect -f '{{.Id}}' "$n")\$" "$CW_LOG"
	cw_tmux_shell "DOCKER_CONFIG=$CW_DIR/cli $DOCKER -H unix://$CW_DIR/docker.sock exec -it $n sh" 3
	[[ "$CW_PANE" == *"/dev/pts/"* ]]
	[[ "$CW_PANE" == *"20 90"* ]]
	[ "$CW_PANE_STATUS" = 3 ]
}

@test "docker top and logs of a detached container" {
	local n
	new_name n
	run -0 D run -d --runtime mini-runc --name "$n" "$IMG" sh -c 'echo to-stdout; echo to-stderr >&2; exec sleep 300'
	cw_wait eval 'D logs "$n" 2>&1 | grep -q to-stderr'
	run -0 D top "$n" -o pid,args
	[[ "$output" == *"sleep 300"* ]]
	# the pid docker shows is the container's init, on the host
	[ "$(awk 'NR > 1 {print $1}' <<<"$output")" = "$(cpid "$n")" ]
	run -0 D logs "$n"
	[[ "$output" == *to-stdout* ]]
	[ "$(D logs "$n" 2>/dev/null)" = to-stdout ]
	[ "$(D logs "$n" 2>&1 >/dev/null)" = to-stderr ]
}

@test "docker stop: SIGTERM, trapped and ignored, then SIGKILL after the timeout; kill; restart" {
	local n pid start
	new_name n
	run -0 D run -d --runtime mini-runc --name "$n" "$IMG" sh -c 'trap "echo got TERM" TERM; echo ready; while :; do sleep 0.2; done'
	cw_wait eval 'D logs "$n" | grep -q ready'
	pid=$(cpid "$n")
	start=$SECONDS
	run -0 D stop -t 2 "$n"
	[ $((SECONDS - start)) -ge 2 ]
	! kill -0 "$pid" 2>/dev/null
	run -0 D logs "$n"
	[[ "$output" == *"got TERM"* ]]
	[ "$(D inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$n")" = "exited 137" ]
	# restart: a new init, running again
	run -0 D restart -t 1 "$n"
	cw_wait eval '[ "$(D inspect -f "{{.State.Status}}" "$n")" = running ]'
	[ "$(cpid "$n")" != "$pid" ]
	pid=$(cpid "$n")
	# kill: SIGKILL by default, 137; -s a signal the process handles
	run -0 D kill -s TERM "$n"
	cw_wait eval '[ "$(D logs "$n" | grep -c "got TERM")" = 2 ]'
	[ "$(D inspect -f '{{.State.Status}}' "$n")" = running ]
	run -0 D kill "$n"
	cw_wait eval '[ "$(D inspect -f "{{.State.Status}}" "$n")" = exited ]'
	[ "$(D inspect -f '{{.State.ExitCode}}' "$n")" = 137 ]
	! kill -0 "$pid" 2>/dev/null
}

@test "docker pause / unpause: frozen in the container's freezer cgroup, then running on" {
	local n pid a b
	new_name n
	run -0 D run -d --runtime mini-runc --name "$n" "$IMG" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/n.new; mv /tmp/n.new /tmp/n; sleep 0.05; done'
	pid=$(cpid "$n")
	cw_wait test -s "/proc/$pid/root/tmp/n"
	run -0 D pause "$n"
	[ "$(D inspect -f '{{.State.Status}}' "$n")" = paused ]
	cw_cgroup_expect "$pid" freezer freezer.state=FROZEN cgroup.freeze=1
	a=$(cat "/proc/$pid/root/tmp/n")
	sleep 0.5
	b=$(cat "/proc/$pid/root/tmp/n")
	[ "$a" = "$b" ]
	run -0 D unpause "$n"
	[ "$(D inspect -f '{{.State.Status}}' "$n")" = running ]
	cw_wait eval '[ "$(cat "/proc/$pid/root/tmp/n")" -gt "$b" ]'
	grep -q -- "pause $(D inspect -f '{{.Id}}' "$n")" "$CW_LOG"
}

@test "docker run -v HOSTDIR:/data, --read-only, --tmpfs, --user" {
	local dir=$BATS_TEST_TMPDIR/vol
	mkdir -p "$dir"
	echo from-host >"$dir/in"
	run -0 D run --runtime mini-runc --rm -v "$dir:/data" "$IMG" sh -c 'cat /data/in; echo from-container >/data/out'
	[ "$output" = from-host ]
	[ "$(cat "$dir/out")" = from-container ]
	# --read-only: the root refuses writes, a --tmpfs mount takes them
	run -1 D run --runtime mini-runc --rm --read-only "$IMG" touch /newfile
	[[ "$output" == *"Read-only file system"* ]]
	run -0 D run --runtime mini-runc --rm --read-only --tmpfs /scratch "$IMG" sh -c 'echo ok >/scratch/f && cat /scratch/f && grep " /scratch " /proc/mounts'
	[[ "$output" == "ok"*"tmpfs /scratch tmpfs rw,"* ]]
	run -0 D run --runtime mini-runc --rm --user 65534:65534 "$IMG" sh -c 'echo $(id -u):$(id -g)'
	[ "$output" = 65534:65534 ]
}

@test "docker run --cap-drop, --network none, --pid host, --device" {
	# --cap-drop CHOWN: chown refused; ALL: no capability left
	run -1 D run --runtime mini-runc --rm --cap-drop CHOWN "$IMG" chown 65534 /tmp
	[[ "$output" == *"Operation not permitted"* ]]
	run -0 D run --runtime mini-runc --rm "$IMG" chown 65534 /tmp
	run -0 D run --runtime mini-runc --rm --cap-drop ALL "$IMG" awk '/^Cap(Eff|Prm|Bnd):/ {print $2}' /proc/self/status
	[ "$output" = "0000000000000000
0000000000000000
0000000000000000" ]
	# --network none: only a loopback device
	run -0 D run --runtime mini-runc --rm --network none "$IMG" sh -c 'ls /sys/class/net'
	[ "$output" = lo ]
	# --pid host: the host's pid namespace
	run -0 D run --runtime mini-runc --rm --pid host "$IMG" readlink /proc/self/ns/pid
	[ "$output" = "$(readlink /proc/self/ns/pid)" ]
	# --device: the node, usable under its new name
	run -0 D run --runtime mini-runc --rm --device /dev/zero:/dev/myzero "$IMG" sh -c 'head -c 5 /dev/myzero | wc -c; ls -l /dev/myzero'
	[[ "$output" == "5"*"c"*"1,"*"5"*"/dev/myzero" ]]
}

# A second daemon whose daemon.json registers mini-runc under "runtimes"
# and makes it the "default-runtime": the classic builder's RUN steps run
# on it, and so does a plain `docker run` of what it built.
@test "DOCKER_BUILDKIT=0 docker build with mini-runc as the default runtime, then docker run" {
	local b=$CW_DIR/build ctx=$BATS_TEST_TMPDIR/ctx n
	start_dockerd "$b" "$(jq -n --arg w "$CW_WRAP" '{runtimes: {"mini-runc": {path: $w}}, "default-runtime": "mini-runc"}')"
	[ "$(DH "$b" info -f '{{.DefaultRuntime}}')" = mini-runc ]
	mkdir -p "$ctx"
	echo copied >"$ctx/file.txt"
	cat >"$ctx/Dockerfile" <<-EOF
	FROM $IMG
	ENV GREETING=built
	WORKDIR /work
	COPY file.txt .
	RUN echo "run step: \$GREETING in \$(pwd)" >/work/ran && cat /work/file.txt >>/work/ran
	CMD ["sh", "-c", "cat /work/ran; echo \$GREETING"]
	EOF
	local calls
	calls=$(grep -c ' create --bundle ' "$CW_LOG")
	run -0 env DOCKER_BUILDKIT=0 DOCKER_CONFIG="$b/cli" timeout 120 "$DOCKER" -H "unix://$b/docker.sock" build -t mrc-built "$ctx"
	[[ "$output" == *"Successfully tagged mrc-built:latest"* ]]
	# the RUN step's container was created by the runtime under test, with
	# the JSON log the shim reads its errors from
	[ "$(grep -c ' create --bundle ' "$CW_LOG")" -gt "$calls" ]
	grep -q -- "argv: --root $b/exec/runtime-runc/moby --log .*/log.json --log-format json create " "$CW_LOG"
	new_name n
	run -0 DH "$b" run --rm --name "$n" mrc-built
	[ "$output" = "run step: built in /work
copied
built" ]
	[ "$(grep -c ' create --bundle ' "$CW_LOG")" -gt "$((calls + 1))" ]
	cw_assert_clean "$b/exec/runtime-runc/moby"
	stop_dockerd "$b"
	rm -rf "$b"
}
