#!/usr/bin/env bats
# Mount options beyond mount(2)'s flags: the recursive ones set with
# mount_setattr(2) (rro, rnosuid, rnoexec, rnoatime...) and id-mapped bind
# mounts (idmap, ridmap, uidMappings/gidMappings).

load helpers

# The harness's teardown, run after our own clean-up of the host mounts
# made by tree_with_submount (it reports any mount left under the test dir).
eval "helpers_$(declare -f teardown)"
teardown() {
	if [ -n "${SUBMOUNT:-}" ]; then
		umount "$SUBMOUNT" 2>/dev/null || umount -l "$SUBMOUNT" || true
	fi
	helpers_teardown
}

# tree_with_submount: $TREE, a host directory holding top-file, with a
# tmpfs mounted on its sub/ (holding sub-file); unmounted by teardown.
tree_with_submount() {
	TREE=$BATS_TEST_TMPDIR/tree
	mkdir -p "$TREE/sub"
	echo top >"$TREE/top-file"
	mount -t tmpfs -o size=1m mrc-sub "$TREE/sub"
	SUBMOUNT=$TREE/sub
	echo sub >"$TREE/sub/sub-file"
}

# From a mountinfo text in $output, the per-mount options of the topmost
# mount at MOUNTPOINT.
mopts() {
	awk -v mp="$1" '$5 == mp { o = $6 } END { print o }' <<<"$output"
}

# has_opt "rw,nosuid,..." OPT: the comma list holds OPT.
has_opt() {
	case ",$1," in *",$2,"*) return 0 ;; esac
	echo "'$2' not in '$1'" >&2
	return 1
}

@test "mount options: rbind,rro makes the bind and its submount read-only" {
	tree_with_submount
	cfg_edit --arg src "$TREE" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "rro"]}]'
	set_args sh -c 'cat /data/top-file /data/sub/sub-file
		touch /data/new 2>/dev/null && echo top-writable
		touch /data/sub/new 2>/dev/null && echo sub-writable
		cat /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = top ]
	[ "${lines[1]}" = sub ]
	! grep -q writable <<<"$output"
	has_opt "$(mopts /data)" ro
	has_opt "$(mopts /data/sub)" ro
	[ ! -e "$TREE/new" ] && [ ! -e "$TREE/sub/new" ]
	# only the container's view: the host's submount stays writable
	touch "$TREE/sub/host-can-write"
}

@test "mount options: a plain ro rbind leaves the submount writable (why rro exists)" {
	tree_with_submount
	cfg_edit --arg src "$TREE" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "ro"]}]'
	set_args sh -c 'touch /data/sub/new && cat /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	has_opt "$(mopts /data)" ro
	has_opt "$(mopts /data/sub)" rw
	[ -e "$TREE/sub/new" ]
}

@test "mount options: rnosuid, rnoexec, rnodev, rnoatime reach the submount" {
	tree_with_submount
	cfg_edit --arg src "$TREE" \
		'.mounts += [{destination: "/data", type: "bind", source: $src,
		  options: ["rbind", "rnosuid", "rnoexec", "rnodev", "rnoatime"]}]'
	set_args cat /proc/self/mountinfo
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	local mp o
	for mp in /data /data/sub; do
		for o in nosuid noexec nodev noatime rw; do
			has_opt "$(mopts "$mp")" "$o"
		done
	done
}

@test "mount options: rexec clears a noexec the options set before it" {
	tree_with_submount
	cfg_edit --arg src "$TREE" \
		'.mounts += [{destination: "/data", type: "bind", source: $src,
		  options: ["rbind", "rnoexec", "rexec", "rnosymfollow"]}]'
	set_args cat /proc/self/mountinfo
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	! has_opt "$(mopts /data/sub)" noexec
	has_opt "$(mopts /data/sub)" nosymfollow
}

@test "mount options: nosymfollow on a bind refuses to follow its symlinks" {
	mkdir "$BATS_TEST_TMPDIR/data"
	echo payload >"$BATS_TEST_TMPDIR/data/file"
	ln -s file "$BATS_TEST_TMPDIR/data/link"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "nosymfollow"]}]'
	set_args sh -c 'cat /data/file; cat /data/link 2>/dev/null || echo refused'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = payload ]
	[ "${lines[1]}" = refused ]
}

# The mappings read as runc and crun read them (the user namespace maps
# written verbatim): an id containerID on the file system is seen as
# hostID through the mount, and hostID writes land as containerID.
@test "mount options: uidMappings/gidMappings id-map a bind mount" {
	mkdir "$BATS_TEST_TMPDIR/data"
	touch "$BATS_TEST_TMPDIR/data/owned" "$BATS_TEST_TMPDIR/data/other"
	chown 1000:1000 "$BATS_TEST_TMPDIR/data/owned"
	chown 2000:2000 "$BATS_TEST_TMPDIR/data/other"
	chown 1000:1000 "$BATS_TEST_TMPDIR/data" # root's own directory inside
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"],
		  uidMappings: [{containerID: 1000, hostID: 0, size: 1}],
		  gidMappings: [{containerID: 1000, hostID: 0, size: 1}]}]'
	set_args sh -c 'stat -c "%u %g" /data/owned /data/other; touch /data/new'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "0 0" ]
	# an id outside the mapping is nobody's (the overflow id)
	[ "${lines[1]}" = "65534 65534" ]
	# root writes through the mapping as uid 1000 on disk
	[ "$(stat -c '%u %g' "$BATS_TEST_TMPDIR/data/new")" = "1000 1000" ]
	# the host's view is unchanged
	[ "$(stat -c %u "$BATS_TEST_TMPDIR/data/owned")" = 1000 ]
}

@test "mount options: an idmap mapping containerID 0 to hostID 1000 shows root's files as 1000" {
	mkdir "$BATS_TEST_TMPDIR/data"
	touch "$BATS_TEST_TMPDIR/data/root-owned"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind"],
		  uidMappings: [{containerID: 0, hostID: 1000, size: 1}],
		  gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
	set_args stat -c "%u %g" /data/root-owned
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "1000 1000" ]
}

@test "mount options: ridmap id-maps the submounts of an rbind too" {
	tree_with_submount
	chown 1000:1000 "$TREE/top-file" "$TREE/sub/sub-file"
	cfg_edit --arg src "$TREE" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "ridmap"],
		  uidMappings: [{containerID: 1000, hostID: 0, size: 1}],
		  gidMappings: [{containerID: 1000, hostID: 0, size: 1}]}]'
	set_args stat -c %u /data/top-file /data/sub/sub-file
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
}

@test "mount options: idmap on an rbind maps the top mount only" {
	tree_with_submount
	chown 1000:1000 "$TREE/top-file" "$TREE/sub/sub-file"
	cfg_edit --arg src "$TREE" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "idmap"],
		  uidMappings: [{containerID: 1000, hostID: 0, size: 1}],
		  gidMappings: [{containerID: 1000, hostID: 0, size: 1}]}]'
	set_args stat -c %u /data/top-file /data/sub/sub-file
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 1000 ]
}

@test "mount options: idmap without mappings or a user namespace is refused" {
	requires_mini_runc
	mkdir "$BATS_TEST_TMPDIR/data"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"]}]'
	run ! mrc run --bundle "$BUNDLE" "$ID"
	grep -q "id-map \`/data\`: the mount has no uidMappings and gidMappings and the container no user namespace mappings" <<<"$output"
}

@test "mount options: uidMappings without gidMappings are refused" {
	requires_mini_runc
	mkdir "$BATS_TEST_TMPDIR/data"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"],
		  uidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
	run ! mrc run --bundle "$BUNDLE" "$ID"
	grep -q "id-map \`/data\`: uidMappings and gidMappings must be given together" <<<"$output"
}

@test "mount options: idmap on a mount that is not a bind is refused" {
	requires_mini_runc
	cfg_edit '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["idmap"]}]'
	run ! mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount to \`/scratch\`: id-mapping needs a bind mount" <<<"$output"
}

# A container with its own user namespace (root is host uid 200000).
userns_config() {
	cfg_edit '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	chown -R 200000:200000 "$BUNDLE/rootfs"
	local d=$BUNDLE
	while [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
}

@test "mount options: rro reaches the submount in a user namespace too" {
	tree_with_submount
	userns_config
	cfg_edit --arg src "$TREE" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "rro", "rnoexec"]}]'
	set_args cat /proc/self/mountinfo
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	has_opt "$(mopts /data/sub)" ro
	has_opt "$(mopts /data/sub)" noexec
}

@test "mount options: idmap in a container with a user namespace is refused clearly" {
	requires_mini_runc
	userns_config
	mkdir "$BATS_TEST_TMPDIR/data"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"]}]'
	run ! mrc run --bundle "$BUNDLE" "$ID"
	grep -q "id-map \`/data\`: not supported yet in a container with a user namespace" <<<"$output"
}
