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
