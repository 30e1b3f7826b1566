#!/usr/bin/env bats
# User namespaces: mappings written by the runtime, the rest of the setup
# (mounts, /dev, hostname) still working inside one, and bad mappings
# refused with nothing left behind.

load helpers

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

@test "userns: the maps are written and root inside is the mapped host uid" {
	userns_config
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/made; stat -c %u /tmp/made; sleep 5'
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
