#!/usr/bin/env bats
# linux.devices: nodes made in the container's /dev with their type,
# numbers, mode and owner; in a user namespace (where mknod is refused)
# the host's node is bound instead; bad entries refused with nothing left.

load helpers

@test "devices: char, block and fifo nodes with their numbers, mode, uid and gid" {
	cfg_edit '.linux.devices = [
		{path: "/dev/myzero", type: "c", major: 1, minor: 5, fileMode: 420, uid: 1000, gid: 1001},
		{path: "/dev/sub/myblk", type: "b", major: 7, minor: 200, fileMode: 384},
		{path: "/dev/myfifo", type: "p", fileMode: 432, uid: 5, gid: 6}]'
	set_args sh -c 'umask 077; for d in /dev/myzero /dev/sub/myblk /dev/myfifo; do
			stat -c "%n %F %t:%T %a %u:%g" $d; done
		head -c 4 /dev/myzero | od -An -tx1'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "/dev/myzero character special file 1:5 644 1000:1001" ]
	[ "${lines[1]}" = "/dev/sub/myblk block special file 7:c8 600 0:0" ]
	[ "${lines[2]}" = "/dev/myfifo fifo 0:0 660 5:6" ]
	# readable: the device is allowed in the container's cgroup too
	[ "$(echo ${lines[3]})" = "00 00 00 00" ]
}

@test "devices: an entry replaces the default node of the same path" {
	cfg_edit '.linux.devices = [{path: "/dev/full", type: "c", major: 1, minor: 3, fileMode: 384}]'
	set_args stat -c "%t:%T %a" /dev/full
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "1:3 600" ]
}

@test "devices: in a user namespace the host's node is bound" {
	userns_config
	cfg_edit '.linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 11},
		{path: "/dev/myfifo", type: "p"}]'
	set_args sh -c 'stat -c "%F %t:%T" /dev/kmsg /dev/myfifo; grep -c " /dev/kmsg " /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "character special file 1:b" ]
	# a fifo needs no privilege: made, not bound
	[ "${lines[1]}" = "fifo 0:0" ]
	[ "${lines[2]}" = 1 ]
}

@test "devices: in a user namespace, a host node of other numbers is refused" {
	requires_mini_runc
	userns_config
	cfg_edit '.linux.devices = [{path: "/dev/kmsg", type: "c", major: 1, minor: 12}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "create device \`/dev/kmsg\`: the host's \`/dev/kmsg\` is another device" <<<"$output"
}

@test "devices: an unknown type or numbers out of range are refused, nothing left" {
	cfg_edit '.linux.devices = [{path: "/dev/odd", type: "x", major: 1, minor: 3}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	if is_mini_runc; then grep -q "linux.devices\[0\].type: unknown device type \`x\`" <<<"$output"; fi
	cfg_edit '.linux.devices = [{path: "/dev/odd", type: "c", major: 5000, minor: 3}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	if is_mini_runc; then grep -q "/dev/odd" <<<"$output"; fi
}

# devices_hook_probe: a createContainer hook (in the container's
# namespaces and cgroup, before the root switch) that records whether it
# could open /dev/kmsg (c 1:11), under rules denying every device.
devices_hook_probe() {
	cfg_edit --arg out "$BATS_TEST_TMPDIR/hook-out" '.linux.resources.devices = [{allow: false, access: "rwm"}]
		| .hooks.createContainer = [{path: "/bin/sh",
			args: ["sh", "-c", "if (exec 3</dev/kmsg) 2>/dev/null; then echo opened; else echo denied; fi >\($out)"]}]'
	set_args true
}

@test "devices: a createContainer hook already runs under the device rules (host layout)" {
	devices_hook_probe
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$(cat "$BATS_TEST_TMPDIR/hook-out")" = denied ]
	# the runtime's own view is not restricted: the probe can tell
	: </dev/kmsg
}

# The cgroup2 device program (an eBPF program on this host only in a pure
# cgroup2 view): loaded while the init sets up, attached before any hook,
# as runc sets a cgroup's device rules.
@test "devices: a createContainer hook already runs under the device program (cgroup2 view)" {
	devices_hook_probe
	cat >"$BATS_TEST_TMPDIR/v2.sh" <<-'SCRIPT'
		mount -t cgroup2 none /sys/fs/cgroup || exit 99
		timeout 60 "$MINI_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" </dev/null 3>&-
	SCRIPT
	run -0 env MINI_RUNC="$MINI_RUNC" ROOT="$ROOT" BUNDLE="$BUNDLE" ID="$ID" MRC_TEST_TAG="$TAG" \
		unshare -m --propagation private bash "$BATS_TEST_TMPDIR/v2.sh"
	[ "$(cat "$BATS_TEST_TMPDIR/hook-out")" = denied ]
	assert_nothing_left
}
