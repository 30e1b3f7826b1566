#!/usr/bin/env bats
# Issue 15 section 3: mini-runc where the newest syscalls answer ENOSYS (an
# outer container's seccomp policy, gVisor, valgrind, kernels before
# 5.2/5.8).  tests/helpers/enosys.c loads a seccomp filter answering ENOSYS
# for the named syscalls and execs the runtime under it; the filter is
# inherited by every process the runtime starts.

load helpers

PIDFD_CALLS=pidfd_open,pidfd_send_signal,clone3
MOUNT_CALLS=fsopen,fsconfig,fsmount,open_tree,move_mount,mount_setattr
# the mount API's lookups inside the rootfs use openat2 (5.6), missing too
# where the mount API is
ALL_CALLS=$PIDFD_CALLS,$MOUNT_CALLS,openat2

setup_file() {
	export ENOSYS_BIN=$BATS_FILE_TMPDIR/enosys
	gcc -static -O2 -Wall -Wextra -Werror -o "$ENOSYS_BIN" \
		"$REPO_ROOT/tests/helpers/enosys.c" -lseccomp -lcap
	export REAL_MINI_RUNC=$MINI_RUNC
}

# under LIST: MINI_RUNC becomes a wrapper running the runtime under enosys.
under() {
	local w=$BATS_TEST_TMPDIR/mini-runc-enosys
	printf '#!/bin/sh\nexec %q %q -- %q "$@"\n' "$ENOSYS_BIN" "$1" \
		"$REAL_MINI_RUNC" >"$w"
	chmod +x "$w"
	MINI_RUNC=$w
	_MRC_FLAVOUR=mini-runc
}

lifecycle() {
	set_args sh -c 'echo ready > /tmp/ready; while :; do sleep 0.1; done'
	rund -0 mrc create --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = created ]
	run -0 mrc start "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	[ "$(state_field "$ID" status)" = running ]
	run -0 mrc exec "$ID" cat /tmp/ready
	[ "$output" = ready ]
	run -3 mrc exec "$ID" sh -c 'exit 3'
	# exec's process lands in the init's cgroup (clone3 or not)
	run -0 mrc exec "$ID" sh -c 'cat /proc/self/cgroup >/tmp/a
		cat /proc/1/cgroup >/tmp/b; cmp /tmp/a /tmp/b && echo same'
	[ "$output" = same ]
	run -0 mrc kill "$ID" KILL
	wait_status "$ID" stopped
	run ! mrc kill "$ID" KILL
	[[ "$output" == *"not running"* ]]
	run -0 mrc delete "$ID"
	run ! mrc state "$ID"
	assert_nothing_left
}

mount_cases() {
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src"
	echo hostfile >"$src/f"
	cfg_edit --arg src "$src" '.mounts += [
	  {destination: "/bind", type: "bind", source: $src, options: ["bind"]},
	  {destination: "/robind", type: "bind", source: $src, options: ["bind", "ro"]},
	  {destination: "/scratch", type: "tmpfs", source: "tmpfs",
	   options: ["nosuid", "nodev", "noexec", "mode=1750", "size=1m"]}]'
	set_args sh -c 'cat /bind/f /robind/f
		touch /bind/new && echo bind-rw
		touch /robind/x 2>/dev/null || echo robind-ro
		stat -c %a /scratch; grep " /scratch " /proc/mounts
		test -c /dev/null && echo dev-null
		test -r /proc/self/status && echo proc
		grep " /sys " /proc/mounts | cut -d" " -f3,4 | cut -d, -f1'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = hostfile ]
	[ "${lines[1]}" = hostfile ]
	[ "${lines[2]}" = bind-rw ]
	[ "${lines[3]}" = robind-ro ]
	[ "${lines[4]}" = 1750 ]
	[[ "${lines[5]}" == *"nosuid,nodev,noexec"* ]]
	[[ "${lines[5]}" == *"size=1024k"* ]]
	[ "${lines[6]}" = dev-null ]
	[ "${lines[7]}" = proc ]
	[ "${lines[8]}" = "sysfs ro" ]
	[ -e "$src/new" ]
	assert_nothing_left
}

rro_fails() {
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src"
	cfg_edit --arg src "$src" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "rro"]}]'
	run ! mrc run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *rro* ]]
	[[ "$output" == *mount_setattr* ]]
	assert_nothing_left
}

@test "enosys: the helper answers ENOSYS for the named syscalls only" {
	run -0 "$ENOSYS_BIN" pidfd_open -- sh -c 'echo ok'
	[ "$output" = ok ]
	run -125 "$ENOSYS_BIN" no_such_call -- true
	[[ "$output" == *no_such_call* ]]
}

@test "enosys: lifecycle without pidfds and clone3" {
	under "$PIDFD_CALLS"
	lifecycle
}

@test "enosys: run forwards signals without pidfds and clone3" {
	under "$PIDFD_CALLS"
	set_args sh -c 'trap "exit 7" TERM; echo ready > /tmp/ready; while :; do sleep 0.1; done'
	mrc_bg run --bundle "$BUNDLE" "$ID"
	local runpid=$BGPID rc=0
	wait_file "$BUNDLE/rootfs/tmp/ready"
	kill -TERM "$runpid"
	# a signal not forwarded would leave run waiting: bound it
	(sleep 10; kill -KILL "$runpid" 2>/dev/null) &
	local guard=$!
	wait "$runpid" || rc=$?
	kill "$guard" 2>/dev/null || true
	[ "$rc" -eq 7 ]
	assert_nothing_left
}

@test "enosys: hooks run and are waited for without pidfds and clone3" {
	under "$PIDFD_CALLS"
	local out=$BATS_TEST_TMPDIR/hook.out
	cfg_edit --arg out "$out" '.hooks.createRuntime = [{path: "/bin/sh",
	  args: ["sh", "-c", ("sleep 0.3; echo ran > " + $out)]}]'
	set_args true
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$(cat "$out")" = ran ]
	assert_nothing_left
}

@test "enosys: lifecycle without the new mount API" {
	under "$MOUNT_CALLS"
	lifecycle
}

@test "enosys: lifecycle without pidfds, clone3, the new mount API and openat2" {
	under "$ALL_CALLS"
	lifecycle
}

@test "enosys: mounts without the new mount API" {
	under "$MOUNT_CALLS"
	mount_cases
}

@test "enosys: mounts without pidfds, clone3, the new mount API and openat2" {
	under "$ALL_CALLS"
	mount_cases
}

@test "enosys: rro fails naming rro and mount_setattr" {
	under "$MOUNT_CALLS"
	rro_fails
}

@test "enosys: the fallback says so at debug level" {
	under "$MOUNT_CALLS"
	set_args true
	run -0 mrc --debug run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *ENOSYS* ]]
}

@test "enosys: maskedPaths and readonlyPaths without the new mount API" {
	under "$MOUNT_CALLS"
	cfg_edit '.linux.maskedPaths = ["/proc/uptime", "/proc/irq"]
		| .linux.readonlyPaths = ["/proc/sys"]'
	set_args sh -c 'cat /proc/uptime | wc -c; ls /proc/irq | wc -l
		grep " /proc/sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = ro ]
	assert_nothing_left
}

# valgrind answers ENOSYS for the newest syscalls itself (pidfd_open,
# clone3, the mount API): it runs mini-runc only through the fallbacks.
under_valgrind() {
	command -v valgrind >/dev/null || skip "valgrind is not installed (tests/install-deps.sh)"
	# ASan's shadow memory and valgrind exclude each other: the plain
	# build's run of this test is the memcheck
	! grep -qa __asan_init "$REAL_MINI_RUNC" ||
		skip "valgrind cannot run a sanitizer build (the plain build's run covers it)"
	local w=$BATS_TEST_TMPDIR/mini-runc-valgrind
	VG_LOGS=$BATS_TEST_TMPDIR/vg
	mkdir -p "$VG_LOGS"
	# 99: an exit status no verb below is expected to give
	printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --log-file=%q/vg.%%p %q "$@"\n' \
		"$VG_LOGS" "$REAL_MINI_RUNC" >"$w"
	chmod +x "$w"
	MINI_RUNC=$w
	_MRC_FLAVOUR=mini-runc
}

@test "enosys: valgrind memcheck of create/start/exec/kill/delete: 0 errors, 0 definite leaks" {
	under_valgrind
	MRC_TIMEOUT=120
	set_args sh -c 'echo ready > /tmp/ready; while :; do sleep 0.1; done'
	rund -0 mrc create --bundle "$BUNDLE" "$ID"
	run -0 mrc start "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	run -0 mrc exec "$ID" cat /tmp/ready
	[ "$output" = ready ]
	run -0 mrc kill "$ID" KILL
	wait_status "$ID" stopped
	run -0 mrc delete "$ID"
	# valgrind's own complaints (errors, definite leaks) are in its logs
	# one log per runtime process: the wrapper did run them
	[ "$(ls "$VG_LOGS" | wc -l)" -ge 5 ]
	cat "$VG_LOGS"/vg.*
	! grep -E "ERROR SUMMARY: [1-9]|definitely lost: [1-9]|Invalid|uninitialised" "$VG_LOGS"/vg.*
	assert_nothing_left
}

@test "enosys: idmap fails naming idmap and the missing calls" {
	under "$MOUNT_CALLS"
	local src=$BATS_TEST_TMPDIR/src
	mkdir -p "$src"
	cfg_edit --arg src "$src" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"],
		  uidMappings: [{containerID: 1000, hostID: 0, size: 1}],
		  gidMappings: [{containerID: 1000, hostID: 0, size: 1}]}]'
	run ! mrc run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *'`idmap`'* ]]
	[[ "$output" == *mount_setattr* ]]
	assert_nothing_left
}
