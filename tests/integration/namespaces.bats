#!/usr/bin/env bats
# Namespaces: new ones really new, joined ones really shared, hostname.

load helpers

# ns_links: "type inode-link" for each namespace type of the current process.
NS_SCRIPT='for n in pid net ipc uts mnt cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'

@test "namespaces: pid net ipc uts mnt cgroup are new" {
	set_args sh -c "$NS_SCRIPT"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	local inside=$output n host line
	for n in pid net ipc uts mnt cgroup; do
		host=$(readlink "/proc/self/ns/$n")
		line=$(grep "^$n " <<<"$inside")
		[ -n "$line" ]
		echo "$n: host $host, inside ${line#* }"
		[ "${line#* }" != "$host" ]
	done
}

@test "namespaces: init is pid 1 of its pid namespace" {
	set_args sh -c 'echo $$; ps -o pid,comm | tail -n +2 | wc -l'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 1 ]
	# Only sh and ps (and wc/tail of the pipeline) exist: no host process is visible.
	[ "${lines[1]}" -le 4 ]
}

@test "namespaces: a type not listed is shared with the host" {
	cfg_edit '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
	set_args sh -c "$NS_SCRIPT"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$(grep '^net ' <<<"$output" | cut -d' ' -f2)" = "$(readlink /proc/self/ns/net)" ]
	[ "$(grep '^ipc ' <<<"$output" | cut -d' ' -f2)" = "$(readlink /proc/self/ns/ipc)" ]
	[ "$(grep '^uts ' <<<"$output" | cut -d' ' -f2)" != "$(readlink /proc/self/ns/uts)" ]
}

@test "namespaces: a second container joins the first one's net and ipc by path" {
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID"
	local pid1
	pid1=$(state_field "$ID" pid)
	local net1 ipc1 uts1
	net1=$(readlink "/proc/$pid1/ns/net")
	ipc1=$(readlink "/proc/$pid1/ns/ipc")
	uts1=$(readlink "/proc/$pid1/ns/uts")
	[ "$net1" != "$(readlink /proc/self/ns/net)" ]

	local id2
	new_id id2
	cfg_edit --arg net "/proc/$pid1/ns/net" --arg ipc "/proc/$pid1/ns/ipc" \
		'.linux.namespaces |= map(if .type == "network" then .path = $net
			elif .type == "ipc" then .path = $ipc else . end)'
	set_args sh -c "$NS_SCRIPT"
	run -0 mrc run --bundle "$BUNDLE" "$id2"
	[ "$(grep '^net ' <<<"$output" | cut -d' ' -f2)" = "$net1" ]
	[ "$(grep '^ipc ' <<<"$output" | cut -d' ' -f2)" = "$ipc1" ]
	# The others are still its own.
	[ "$(grep '^uts ' <<<"$output" | cut -d' ' -f2)" != "$uts1" ]
	[ "$(grep '^pid ' <<<"$output" | cut -d' ' -f2)" != "$(readlink "/proc/$pid1/ns/pid")" ]

	mrc delete --force "$ID"
	assert_nothing_left
}

@test "namespaces: joining a path that is not a namespace fails cleanly" {
	cfg_edit '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/ns/net" else . end)'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	if is_mini_runc; then grep_i "/nonexistent/ns/net"; fi
}

@test "hostname: set inside, host unchanged" {
	local before
	before=$(hostname)
	cfg_edit '.hostname = "box-one"'
	set_args sh -c 'hostname; cat /proc/sys/kernel/hostname'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = box-one ]
	[ "${lines[1]}" = box-one ]
	[ "$(hostname)" = "$before" ]
}

@test "domainname: set inside" {
	requires_mini_runc # runc 1.1 ignores domainname
	cfg_edit '.domainname = "example.org"'
	set_args cat /proc/sys/kernel/domainname
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = example.org ]
}

@test "hostname without a uts namespace is refused" {
	cfg_edit '.linux.namespaces |= map(select(.type != "uts"))'
	local before
	before=$(hostname)
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	[ "$(hostname)" = "$before" ]
	if is_mini_runc; then grep_i hostname uts; fi
}

@test "namespaces: an unknown or duplicated type is refused" {
	requires_mini_runc # runc 1.1 accepts a duplicate (the last wins)
	cfg_edit '.linux.namespaces += [{"type": "pid"}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i pid
	grep -Eqi 'duplicate|more than once|twice' <<<"$output"

	cfg_edit '.linux.namespaces = [{"type": "mount"}, {"type": "uts"}, {"type": "bogus"}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i bogus
}

@test "namespaces: a time namespace shifts boottime and monotonic by linux.timeOffsets" {
	cfg_edit '.linux.namespaces += [{type: "time"}]
		| .linux.timeOffsets = {boottime: {secs: 8640000, nanosecs: 0},
		                        monotonic: {secs: 8640000, nanosecs: 0}}'
	set_args sh -c 'readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime'
	local h0 h1
	h0=$(cut -d. -f1 /proc/uptime)
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	h1=$(cut -d. -f1 /proc/uptime)
	[ "${lines[0]}" != "$(readlink /proc/self/ns/time)" ]
	# 100 days ahead of the host's uptime while the container ran
	[ "${lines[1]}" -ge $((h0 + 8640000)) ]
	[ "${lines[1]}" -le $((h1 + 8640000 + 1)) ]
	# the runtime made it in a helper: its own time namespace is untouched
	assert_nothing_left
}

@test "namespaces: a second container joins the first one's time namespace by path" {
	cfg_edit '.linux.namespaces += [{type: "time"}]
		| .linux.timeOffsets = {boottime: {secs: 8640000, nanosecs: 0}}'
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
	local pid1
	pid1=$(state_field "$ID" pid)
	local id2
	new_id id2
	cfg_edit --arg t "/proc/$pid1/ns/time" \
		'.linux.namespaces |= map(if .type == "time" then .path = $t else . end)
		 | del(.linux.timeOffsets)'
	set_args sh -c 'readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime'
	run -0 mrc run --bundle "$BUNDLE" "$id2"
	[ "${lines[0]}" = "$(readlink "/proc/$pid1/ns/time")" ]
	[ "${lines[1]}" -ge 8640000 ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "namespaces: a created init joined by path holds no fd of the joined namespaces" {
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
	local pid1 id2 pid2
	pid1=$(state_field "$ID" pid)
	new_id id2
	cfg_edit --arg net "/proc/$pid1/ns/net" --arg ipc "/proc/$pid1/ns/ipc" \
		'.linux.namespaces |= map(if .type == "network" then .path = $net
			elif .type == "ipc" then .path = $ipc else . end)'
	mrc create --bundle "$BUNDLE" "$id2" </dev/null >"$BATS_TEST_TMPDIR/out2" 2>&1
	pid2=$(state_field "$id2" pid)
	[ "$(readlink "/proc/$pid2/ns/net")" = "$(readlink "/proc/$pid1/ns/net")" ]
	# waiting for start, it must not pin the pod's namespaces through fds
	! ls -l "/proc/$pid2/fd" | grep -E 'net:\[|ipc:\[' || false
	run -0 mrc delete --force "$id2"
	run -0 mrc delete --force "$ID"
}

@test "namespaces: joining net, ipc, uts, cgroup, pid and time by path, the runtime's hooks still run in its own" {
	# The host's root joins such namespaces itself for the clone and goes
	# back; createRuntime and poststart run in the runtime's namespaces
	# (runtime-spec), so a runtime left in the pod's would show here.
	local pid1 id2 out=$BATS_TEST_TMPDIR/ns-hooks t want
	mkdir -p "$out"
	cfg_edit '.linux.namespaces += [{type: "time"}]'
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
	pid1=$(state_field "$ID" pid)
	new_id id2
	cfg_edit --arg p "/proc/$pid1/ns" '.linux.namespaces |= map(
			if .type == "network" then .path = "\($p)/net"
			elif .type == "ipc" or .type == "uts" or .type == "cgroup"
				or .type == "pid" or .type == "time" then .path = "\($p)/\(.type)"
			else . end)
		| .hooks = {createRuntime: [{path: "/bin/sh", args: ["sh", "-c", $s, "sh", "cr"]}],
			poststart: [{path: "/bin/sh", args: ["sh", "-c", $s, "sh", "ps"]}]}' \
		--arg s "for n in net ipc uts cgroup pid time; do echo \"\$n \$(readlink /proc/self/ns/\$n)\"; done >$out/\$1"
	set_args sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/pid'
	run -0 mrc run --bundle "$BUNDLE" "$id2"
	# the container is in the first one's namespaces
	[ "${lines[0]}" = "$(readlink "/proc/$pid1/ns/net")" ]
	[ "${lines[1]}" = "$(readlink "/proc/$pid1/ns/pid")" ]
	# and both hooks in the test's own, which are not the first one's
	want=$(for t in net ipc uts cgroup pid time; do echo "$t $(readlink "/proc/self/ns/$t")"; done)
	[ "$(readlink /proc/self/ns/net)" != "$(readlink "/proc/$pid1/ns/net")" ]
	[ "$(cat "$out/cr")" = "$want" ]
	[ "$(cat "$out/ps")" = "$want" ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "namespaces: a namespace entry with an empty path is a new namespace, as runc reads it" {
	cfg_edit '.linux.namespaces |= map(if .type == "uts" then .path = "" else . end)'
	set_args readlink /proc/self/ns/uts
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" != "$(readlink /proc/self/ns/uts)" ]
	[[ "$output" == uts:* ]]
	assert_nothing_left
}

# No mount namespace: runc runs such a config too (and leaves its mounts in
# the host's table); mini-runc chroots and refuses what would need a mount.
no_mount_ns_config() {
	cfg_edit '.linux.namespaces |= map(select(.type != "mount"))
		| .mounts = [] | .linux.maskedPaths = [] | .linux.readonlyPaths = []
		| .root.readonly = false'
}

@test "namespaces: without a mount namespace the rootfs is the root by chroot, the host's mounts untouched" {
	requires_mini_runc # runc mounts into the host's table, and needs /proc
	no_mount_ns_config
	echo inside-the-rootfs >"$BUNDLE/rootfs/marker"
	set_args sh -c 'cat /marker; hostname; ls /proc | wc -l; exit 4'
	local before
	before=$(wc -l </proc/self/mountinfo)
	run mrc run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = inside-the-rootfs ]
	[ "${lines[1]}" = mrc-test ]
	# nothing mounted: the rootfs's /proc is the empty directory it is
	[ "${lines[2]}" = 0 ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$before" ]
	assert_nothing_left
}

@test "namespaces: without a mount namespace, fields that need a mount are refused by name, nothing left" {
	requires_mini_runc # runc performs them in the host's mount table
	no_mount_ns_config
	cfg_edit '.mounts = [{"destination": "/proc", "type": "proc", "source": "proc"}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q 'mounts\[0\] (`/proc`): the container has no mount namespace' <<<"$output"
	no_mount_ns_config
	cfg_edit '.linux.maskedPaths = ["/proc/kcore"]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q '^mini-runc: linux.maskedPaths: the container has no mount namespace' <<<"$output"
	no_mount_ns_config
	cfg_edit '.root.readonly = true'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q '^mini-runc: root.readonly: ' <<<"$output"
}
