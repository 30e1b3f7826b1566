#!/usr/bin/env bats
# User namespaces: mappings written by the runtime, the rest of the setup
# (mounts, /dev, hostname) still working inside one, and bad mappings
# refused with nothing left behind.

load helpers

# The harness's teardown, after our own clean-up of the read-only host
# bind a test made ($RO_MOUNT; it reports any mount left under the test
# dir).
eval "helpers_$(declare -f teardown)"
teardown() {
	if [ -n "${RO_MOUNT:-}" ]; then
		umount "$RO_MOUNT" 2>/dev/null || umount -l "$RO_MOUNT" || true
	fi
	helpers_teardown
}

# locked_source NAME...: directories NAME holding `file` (text: hello)
# in $LOCKED ($BATS_TEST_TMPDIR/locked), which is mode 000 root:root: the
# container's root (host uid 200000) may not search it, the runtime may.
locked_source() {
	LOCKED=$BATS_TEST_TMPDIR/locked
	local n
	for n in "$@"; do
		mkdir -p "$LOCKED/$n"
		echo hello >"$LOCKED/$n/file"
	done
	chmod o+x "$BATS_TEST_TMPDIR"
	chmod 000 "$LOCKED"
}

# bind_mount_at DEST SOURCE [OPTION...]: a mounts[] bind entry.
bind_mount_at() {
	local dest=$1 src=$2 opts
	shift 2
	opts=$(printf '%s\n' bind "$@" | jq -R . | jq -sc .)
	cfg_edit --arg d "$dest" --arg s "$src" --argjson o "$opts" \
		'.mounts += [{destination: $d, type: "bind", source: $s, options: $o}]'
}

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

# join_first_userns: $ID runs (sleep 30, pid $pid1) in a new user
# namespace, and the config, for a new id $id2, joins it by path.
join_first_userns() {
	userns_config
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1
	pid1=$(state_field "$ID" pid)
	new_id id2
	cfg_edit --arg user "/proc/$pid1/ns/user" \
		'.linux.namespaces |= map(if .type == "user" then .path = $user else . end)'
}

# podman sends a joined user namespace's mappings along with its path.
@test "userns: mappings given with a joined user namespace must be its own" {
	local pid1 id2
	join_first_userns
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

# The runtime opens a bind's source through the init's root, with its own
# credentials but in the init's new mount namespace, when the init mounts
# it (src/setup/bind-source.c): a source below a directory the mapped root
# may not search still binds, as with runc.
@test "userns: a bind source below a mode-000 directory is opened by the runtime" {
	userns_config
	locked_source data
	bind_mount_at /data "$LOCKED/data"
	set_args sh -c 'cat /data/file; ls /data'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = file ]
}

# try_rw DIR...: for each DIR, its file, and what of writing it and making
# it read-write worked, then its per-mount options.
try_rw='for d in "$@"; do
	cat $d/file
	touch $d/new 2>/dev/null && echo "$d: written"
	mount -o remount,rw $d 2>/dev/null && echo "$d: remounted rw"
	mount -o remount,bind,rw $d 2>/dev/null && echo "$d: bind remounted rw"
	touch $d/new 2>/dev/null && echo "$d: written after remount"
	grep " $d " /proc/self/mountinfo | cut -d" " -f6
done'

@test "userns: a bind the runtime opened with the ro option is read-only" {
	userns_config
	locked_source data
	bind_mount_at /data "$LOCKED/data" ro
	# the base config's capabilities: no CAP_SYS_ADMIN
	set_args sh -c "$try_rw" - /data
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = hello ]
	[[ "${lines[1]}" == ro,* ]]
	[ "${#lines[@]}" -eq 2 ]
}

# The fd's mount is the init's own copy of the host's, made by the clone
# into a less privileged mount namespace: a read-only host mount's ro is
# locked there, so not even root with CAP_SYS_ADMIN in the container may
# lift it (as with runc; a tree the runtime cloned in its own namespace
# would not be locked).  The flags the container's setup set itself, as
# the ro option, are not locked, with runc as here: the control shows
# that CAP_SYS_ADMIN does change those.
@test "userns: a bind the runtime opened of a read-only host mount stays read-only" {
	userns_config
	locked_source data rohost
	mount --bind "$LOCKED/rohost" "$LOCKED/rohost"
	RO_MOUNT=$LOCKED/rohost
	mount -o remount,bind,ro "$LOCKED/rohost"
	bind_mount_at /rohost "$LOCKED/rohost"
	bind_mount_at /rw "$LOCKED/data"
	cfg_edit '.process.capabilities = {bounding: ["CAP_SYS_ADMIN"],
		effective: ["CAP_SYS_ADMIN"], permitted: ["CAP_SYS_ADMIN"]}'
	set_args sh -c 'mount -o remount,bind,ro /rw && echo "/rw: made ro"
		'"$try_rw" - /rohost
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "/rw: made ro" ]
	[ "${lines[1]}" = hello ]
	[[ "${lines[2]}" == ro,* ]]
	[ "${#lines[@]}" -eq 3 ]
}

# An id-mapped bind in a user namespace: its tree is cloned by a helper of
# the runtime that joined the init's mount namespace, from the init's
# locked copy (src/setup/idmap.c), so a read-only host mount stays
# read-only for container root with CAP_SYS_ADMIN, as a plain bind does.
@test "userns: an id-mapped bind of a read-only host mount stays read-only" {
	requires_mini_runc # runc 1.1.5 has no id-mapped mounts
	userns_config
	locked_source data rohost
	mount --bind "$LOCKED/rohost" "$LOCKED/rohost"
	RO_MOUNT=$LOCKED/rohost
	mount -o remount,bind,ro "$LOCKED/rohost"
	bind_mount_at /rohost "$LOCKED/rohost" idmap
	bind_mount_at /rw "$LOCKED/data" idmap
	cfg_edit '.process.capabilities = {bounding: ["CAP_SYS_ADMIN"],
		effective: ["CAP_SYS_ADMIN"], permitted: ["CAP_SYS_ADMIN"]}'
	set_args sh -c 'stat -c %u /rw/file; mount -o remount,bind,ro /rw && echo "/rw: made ro"
		'"$try_rw" - /rohost
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	# id-mapped: the host's root-owned file is owned by root inside
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = "/rw: made ro" ]
	[ "${lines[2]}" = hello ]
	[[ "${lines[3]}" == ro,* ]]
	[[ "${lines[3]}" == *idmapped* ]]
	[ "${#lines[@]}" -eq 4 ]
}

# A source the runtime cannot open either fails as before, naming source
# and destination, with the real reason (not the permission denied the
# mapped root would have met on the way).
@test "userns: a missing bind source below a mode-000 directory fails cleanly" {
	userns_config
	locked_source data
	bind_mount_at /data "$LOCKED/missing"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	is_mini_runc || return 0
	grep -q "mount \`$LOCKED/missing\` to \`/data\`: open source: no such file or directory" <<<"$output"
}

# A magic link names another object from the runtime's side (/proc/self is
# the runtime): the runtime leaves such a source to the init, which opens
# it itself, as without a user namespace.
@test "userns: a bind source through a magic link is the init's own" {
	# runc 1.1.5 opens it as itself: the bind is the host's namespace
	requires_mini_runc
	userns_config
	bind_mount_at /netns /proc/self/ns/net
	set_args sh -c 'stat -L -c %i /netns; readlink /proc/self/ns/net'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[1]}" = "net:[${lines[0]}]" ]
	[ "${lines[1]}" != "$(readlink /proc/self/ns/net)" ]
}

# A joined user namespace (a pod's second container) makes its root as
# much nobody on the host: its new mount namespace gets the runtime's fds
# too.
@test "userns: a container joining a user namespace binds a source below a mode-000 directory" {
	local pid1 id2
	join_first_userns
	locked_source data
	bind_mount_at /data "$LOCKED/data"
	set_args cat /data/file
	run -0 mrc run --bundle "$BUNDLE" "$id2"
	[ "$output" = hello ]
	run -0 mrc delete --force "$ID"
}
