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
	! grep -q writable <<<"$output" || false
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
	! has_opt "$(mopts /data/sub)" noexec || false
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

# In a container with its own user namespace (0 -> 200000 here) the
# runtime makes the id-mapped tree; a bare idmap maps through the
# container's own mappings, so the host's root files are root's inside.
@test "mount options: a bare idmap in a user namespace container maps through its mappings" {
	userns_config
	mkdir "$BATS_TEST_TMPDIR/data"
	echo hello >"$BATS_TEST_TMPDIR/data/root-owned"
	touch "$BATS_TEST_TMPDIR/data/other"
	chown 3000:3000 "$BATS_TEST_TMPDIR/data/other"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"]},
		             {destination: "/plain", type: "bind", source: $src, options: ["bind"]}]'
	set_args sh -c 'cat /proc/self/uid_map; stat -c "%u %g" /data/root-owned /data/other /plain/root-owned
		cat /data/root-owned; echo inside >/data/written; grep " /data " /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[[ "${lines[0]}" =~ ^\ *0\ +200000\ +65536$ ]]
	[ "${lines[1]}" = "0 0" ]
	[ "${lines[2]}" = "3000 3000" ]
	# without the idmap the host's root is nobody inside
	[ "${lines[3]}" = "65534 65534" ]
	[ "${lines[4]}" = hello ]
	[[ "${lines[5]}" == *idmapped* ]]
	# the container's root wrote as the host's root, through the mapping
	[ "$(stat -c '%u %g' "$BATS_TEST_TMPDIR/data/written")" = "0 0" ]
	[ "$(cat "$BATS_TEST_TMPDIR/data/written")" = inside ]
}

@test "mount options: per-mount mappings in a user namespace container, ridmap on an rbind" {
	tree_with_submount
	userns_config
	chown 1000:1000 "$TREE/top-file" "$TREE/sub/sub-file"
	# on-disk 1000 -> host 200000 through the mount -> 0 in the container
	cfg_edit --arg src "$TREE" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "ridmap"],
		  uidMappings: [{containerID: 1000, hostID: 200000, size: 1}],
		  gidMappings: [{containerID: 1000, hostID: 200000, size: 1}]}]'
	set_args stat -c "%u %g" /data/top-file /data/sub/sub-file
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "0 0" ]
	[ "${lines[1]}" = "0 0" ]
}

@test "mount options: a bare idmap with a user namespace joined by path maps through it" {
	requires_mini_runc
	userns_config
	# a holder process owning a user namespace mapped as userns_config's
	unshare --user sleep 100 </dev/null >/dev/null 2>&1 3>&- &
	local holder=$!
	local i
	for i in $(seq 50); do
		[ "$(readlink /proc/$holder/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.1
	done
	echo "0 200000 65536" >"/proc/$holder/uid_map"
	echo "0 200000 65536" >"/proc/$holder/gid_map"
	mkdir "$BATS_TEST_TMPDIR/data"
	touch "$BATS_TEST_TMPDIR/data/root-owned"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" --arg ns "/proc/$holder/ns/user" \
		'.linux.namespaces |= map(if .type == "user" then .path = $ns else . end)
		 | del(.linux.uidMappings, .linux.gidMappings)
		 | .mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"]}]'
	set_args stat -c "%u %g" /data/root-owned
	run mrc run --bundle "$BUNDLE" "$ID"
	kill "$holder"
	wait "$holder" || true
	[ "$status" -eq 0 ]
	[ "$output" = "0 0" ]
}

@test "mount options: a bad idmap source fails before the clone and leaves nothing" {
	requires_mini_runc
	userns_config
	cfg_edit --arg src "$BATS_TEST_TMPDIR/missing" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"]}]'
	run ! mrc create --bundle "$BUNDLE" "$ID"
	grep -q "mount \`$BATS_TEST_TMPDIR/missing\` to \`/data\`: open source: no such file or directory" <<<"$output"
	[ ! -e "$ROOT/$ID" ]
}

@test "mount options: idmap with a mount namespace joined by path is refused" {
	requires_mini_runc
	mkdir "$BATS_TEST_TMPDIR/data"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.linux.namespaces |= map(if .type == "mount" then .path = "/proc/self/ns/mnt" else . end)
		 | .mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind", "idmap"],
		  uidMappings: [{containerID: 0, hostID: 1000, size: 1}],
		  gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "id-map \`/data\`: not supported with a mount namespace joined by path" <<<"$output"
}

# On a new filesystem the recursive options act as on a bind: after the
# plain ones, clearing as well as setting.
@test "mount options: recursive options override plain ones on a tmpfs" {
	local spec
	for spec in "suid:nosuid,rsuid" "exec:noexec,rexec" "diratime:nodiratime,rdiratime" \
		"noatime:strictatime,rnoatime" "relatime:noatime,rrelatime" "ro:rw,rro"; do
		cfg_edit --arg d "/t-${spec%%:*}" --arg o "${spec#*:}" \
			'.mounts += [{destination: $d, type: "tmpfs", source: "tmpfs", options: ($o | split(",") + ["size=1m"])}]'
	done
	# and a bind reads atime flags as the kernel does: strictatime wins
	cfg_edit --arg src "$BATS_TEST_TMPDIR" \
		'.mounts += [{destination: "/b-strict", type: "bind", source: $src, options: ["bind", "strictatime", "noatime"]}]'
	set_args cat /proc/self/mountinfo
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	! has_opt "$(mopts /t-suid)" nosuid 2>/dev/null || false
	! has_opt "$(mopts /t-exec)" noexec 2>/dev/null || false
	! has_opt "$(mopts /t-diratime)" nodiratime 2>/dev/null || false
	has_opt "$(mopts /t-noatime)" noatime
	has_opt "$(mopts /t-relatime)" relatime
	has_opt "$(mopts /t-ro)" ro
	! has_opt "$(mopts /b-strict)" noatime 2>/dev/null || false
	! has_opt "$(mopts /b-strict)" relatime 2>/dev/null || false
}

# sysfs cannot be mounted in a user namespace that does not own the network
# namespace: the host's /sys is bound instead, with the options asked for.
@test "mount options: rro reaches the host /sys bound in a user namespace" {
	userns_config
	cfg_edit '.linux.namespaces |= map(select(.type != "network"))
		| .mounts |= map(if .destination == "/sys" then .options = ["nosuid", "rro"] else . end)'
	set_args cat /proc/self/mountinfo
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	has_opt "$(mopts /sys)" ro
	has_opt "$(mopts /sys/fs/cgroup)" ro
}

# The fallback keeps sysfs's rules: /sys a symlink is refused, even when the
# host's /sys is bound instead of a new sysfs (no network namespace here).
@test "mount options: the user namespace sysfs fallback refuses a symlinked /sys" {
	requires_mini_runc
	userns_config
	cfg_edit '.linux.namespaces |= map(select(.type != "network"))'
	mkdir -p "$BUNDLE/rootfs/elsewhere"
	rmdir "$BUNDLE/rootfs/sys"
	ln -s elsewhere "$BUNDLE/rootfs/sys"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount \`sysfs\` to \`/sys\`: the destination must be a directory, not reached through a symlink" <<<"$output"
	[ -z "$(ls -A "$BUNDLE/rootfs/elsewhere")" ]
}

# overlay in mounts[]: options split as the kernel splits them (`\,` is a
# comma in a path), and a lowerdir list longer than one fsconfig(2) value
# (255 bytes) still mounts.
@test "mount options: an overlay mount with an escaped comma and a long lowerdir" {
	local t=$BATS_TEST_TMPDIR/ov l lower="" i
	mkdir -p "$t/a,b" "$t/up" "$t/work"
	echo comma >"$t/a,b/f1"
	for i in 1 2 3 4 5 6; do
		l=$t/layer-with-a-rather-long-name-to-make-the-list-long-$i
		mkdir -p "$l"
		echo "$i" >"$l/n$i"
		lower+="$l:"
	done
	[ "${#lower}" -gt 300 ]
	cfg_edit --arg lo "$t/a\\,b:$t/layer-with-a-rather-long-name-to-make-the-list-long-1" \
		--arg up "$t/up" --arg w "$t/work" \
		'.mounts += [{destination: "/ov1", type: "overlay", source: "overlay",
			options: ["lowerdir=\($lo)", "upperdir=\($up)", "workdir=\($w)"]}]'
	cfg_edit --arg lo "${lower%:}" '.mounts += [{destination: "/ov2", type: "overlay", source: "overlay",
			options: ["lowerdir=\($lo)", "ro", "nodev"]}]'
	set_args sh -c 'cat /ov1/f1 /ov1/n1; echo new >/ov1/new; ls /ov2 | tr "\n" " "; echo; grep " /ov2 " /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = comma ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = "n1 n2 n3 n4 n5 n6 " ]
	[[ "${lines[3]}" == *" /ov2 ro,nodev,"* ]]
	[ "$(cat "$t/up/new")" = new ]
}

# Data only mount(2) can carry (a quoted value) keeps the user namespace
# fallback: sysfs refused (EPERM, no network namespace of its own) is the
# host's, bound.
@test "mount options: sysfs with a quoted option falls back to the host's in a user namespace" {
	userns_config
	cfg_edit '.linux.namespaces |= map(select(.type != "network"))
		| .mounts |= map(if .destination == "/sys" then .options += ["context=\"system_u:object_r:sysfs_t:s0\""] else . end)'
	set_args sh -c 'grep " /sys " /proc/self/mountinfo; ls /sys/class/net'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[[ "${lines[0]}" == *" - sysfs "* ]]
	# the host's network devices: it is the host's sysfs
	grep -qx lo <<<"$output"
}
