#!/usr/bin/env bats
# User namespaces: mappings written by the runtime, the rest of the setup
# (mounts, /dev, hostname) still working inside one, and bad mappings
# refused with nothing left behind.

load helpers

@test "userns: the maps are written and root inside is the mapped host uid" {
	userns_config
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/made; stat -c %u /tmp/made; sleep 300'
	mrc run -d --bundle "$BUNDLE" "$ID" >"$BATS_TEST_TMPDIR/out" 2>&1
	local pid
	pid=$(state_field "$ID" pid)
	[ "$(awk '{print $1, $2, $3}' /proc/"$pid"/uid_map)" = "0 200000 65536" ]
	[ "$(awk '{print $1, $2, $3}' /proc/"$pid"/gid_map)" = "0 200000 65536" ]
	# the host sees the container's root as uid 200000
	[ "$(stat -c %u /proc/"$pid")" = 200000 ]
	run -0 mrc delete --force "$ID"
}

@test "userns: mounts, /dev and hostname work inside a user namespace" {
	userns_config
	set_args sh -c 'id -u; hostname; grep -c " /proc .* - proc " /proc/self/mountinfo; ls /dev/null /dev/pts/ptmx >/dev/null && echo devs-ok; echo x > /tmp/f && cat /tmp/f'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 0 ]
	[ -n "${lines[1]}" ]
	[ "${lines[2]}" = 1 ]
	[ "${lines[3]}" = devs-ok ]
	[ "${lines[4]}" = x ]
}

@test "userns: an exec joins the container's user namespace" {
	userns_config
	set_args sleep 30
	# -d: the container keeps our stdio, so not through `run`'s pipe
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
	run -0 mrc exec "$ID" sh -c 'cat /proc/self/uid_map; id -u'
	[ "$(awk 'NR==1 {print $2}' <<<"$output")" = 200000 ]
	[ "${lines[1]}" = 0 ]
	run -0 mrc delete --force "$ID"
}

@test "userns: bad mappings are refused before anything exists" {
	requires_mini_runc
	userns_config
	cfg_edit '.linux.uidMappings += [{"containerID": 100, "hostID": 300000, "size": 10}]'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "overlaps"
	cfg_edit '.linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 0}]'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "size"
	cfg_edit '.linux.uidMappings = [{"containerID": 4294967000, "hostID": 1, "size": 1000}]'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "4294967295"
}

@test "userns: mappings without a user namespace are refused" {
	requires_mini_runc
	cfg_edit '.linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "user namespace"
}

# A pod: the second container joins the first one's user and network
# namespaces by path.  The runtime must not join the user namespace itself
# (it could never leave it): its hooks run in the host's user namespace,
# and the second container's cgroup is removed by its delete.
@test "userns: a second container joins the first one's user namespace by path" {
	userns_config
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
	local pid1 user1 net1
	pid1=$(state_field "$ID" pid)
	user1=$(readlink "/proc/$pid1/ns/user")
	net1=$(readlink "/proc/$pid1/ns/net")

	local id2
	new_id id2
	cfg_edit --arg user "/proc/$pid1/ns/user" --arg net "/proc/$pid1/ns/net" \
		--arg out "$BATS_TEST_TMPDIR/hook-userns" \
		'.linux.namespaces |= map(if .type == "user" then .path = $user
			elif .type == "network" then .path = $net else . end)
		 | del(.linux.uidMappings, .linux.gidMappings)
		 | .hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "readlink /proc/self/ns/user >" + $out]}]'
	set_args sh -c 'readlink /proc/self/ns/user; readlink /proc/self/ns/net; id -u; touch /tmp/made; stat -c %u /tmp/made; hostname'
	run -0 mrc run --bundle "$BUNDLE" "$id2"
	[ "${lines[0]}" = "$user1" ]
	[ "${lines[1]}" = "$net1" ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 0 ]
	# its own uts namespace, made in (and owned by) the joined one
	[ "${lines[4]}" = mrc-test ]
	[ "$(cat "$BATS_TEST_TMPDIR/hook-userns")" = "$(readlink /proc/self/ns/user)" ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "userns: joining a user namespace whose root is unmapped fails cleanly" {
	requires_mini_runc
	# a user namespace with no maps at all
	unshare --user sleep 30 </dev/null >/dev/null 2>&1 3>&- &
	local holder=$! i
	for i in $(seq 50); do
		[ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.1
	done
	cfg_edit --arg user "/proc/$holder/ns/user" '.linux.namespaces += [{type: "user", path: $user}]'
	run ! mrc run --bundle "$BUNDLE" "$ID"
	kill "$holder"
	wait "$holder" || true
	grep -q "become root in the user namespace: invalid argument" <<<"$output"
	assert_nothing_left
}

# podman sends a joined user namespace's mappings along with its path.
@test "userns: mappings given with a joined user namespace must be its own" {
	userns_config
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
	local pid1 id2
	pid1=$(state_field "$ID" pid)
	new_id id2
	cfg_edit --arg user "/proc/$pid1/ns/user" \
		'.linux.namespaces |= map(if .type == "user" then .path = $user else . end)'
	set_args id -u
	run -0 mrc run --bundle "$BUNDLE" "$id2"
	[ "$output" = 0 ]
	# others are refused (as runc 1.2 does; runc 1.1 ignores them)
	if is_mini_runc; then
		cfg_edit '.linux.gidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]'
		run ! mrc run --bundle "$BUNDLE" "$id2"
		grep -q "linux.gidMappings: not the mappings of the user namespace \`/proc/$pid1/ns/user\`" <<<"$output"
		[ ! -e "$ROOT/$id2" ]
	fi
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

# devpts refuses a gid= its user namespace does not map: a spec written for
# a rootful container (gid=5) still runs, its ptys owned by the creator's
# group.
@test "userns: devpts gid=5 in a user namespace that does not map gid 5" {
	userns_config
	cfg_edit '.linux.uidMappings[0].size = 1 | .linux.gidMappings[0].size = 1'
	set_args sh -c 'grep " /dev/pts " /proc/self/mountinfo; ls /dev/pts/ptmx'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[[ "${lines[0]}" == *" - devpts "*"mode=620"* ]]
	[[ "${lines[0]}" != *gid=5* ]]
	[ "${lines[1]}" = /dev/pts/ptmx ]
}
