#!/usr/bin/env bats
# Mount propagation seen across mount namespaces: the container's and the
# host's.  linux.rootfsPropagation and the per-mount propagation options
# decide whether a mount made on one side appears on the other, as
# Kubernetes' HostToContainer (rslave) and Bidirectional (rshared) mount
# propagation need.

load helpers

# The harness's teardown, after our own unmounting of SRC (and whatever
# propagated onto it); the harness then reports any mount still left.
eval "helpers_$(declare -f teardown)"
teardown() {
	if [ -n "${SRC:-}" ]; then
		umount -R "$SRC" 2>/dev/null || umount -l "$SRC" 2>/dev/null || true
	fi
	helpers_teardown
}

# shared_source: $SRC, a host directory that is a shared mount of its own
# (this host's mounts are private), with an empty sub/ in it.
shared_source() {
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$SRC"
	mount --bind "$SRC" "$SRC"
	mount --make-shared "$SRC"
	mkdir "$SRC/sub"
}

# bind_src PROPAGATION ROOTFS_PROPAGATION: bind $SRC on /data with the
# mount option PROPAGATION, the root made ROOTFS_PROPAGATION (or left to
# the default with "-"); the container sleeps.
bind_src() {
	cfg_edit --arg src "$SRC" --arg p "$1" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", $p]}]'
	[ "$2" = - ] || cfg_edit --arg rp "$2" '.linux.rootfsPropagation = $rp'
	# mounting inside, as a privileged (Bidirectional) container would
	cfg_edit '.process.capabilities = {bounding: ["CAP_SYS_ADMIN"],
		effective: ["CAP_SYS_ADMIN"], permitted: ["CAP_SYS_ADMIN"]}'
	set_args sleep 60
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/out"; return 1; }
}

# host_mount: a tmpfs on $SRC/sub holding a file `marker`, made on the
# host after the container started.
host_mount() {
	mount -t tmpfs -o size=1m mrc-prop "$SRC/sub"
	echo from-host >"$SRC/sub/marker"
}

@test "propagation: rslave lets a later host mount into the container" {
	shared_source
	bind_src rslave rslave
	host_mount
	run -0 mrc exec "$ID" cat /data/sub/marker
	[ "$output" = from-host ]
	run -0 mrc exec "$ID" sh -c 'grep " /data/sub " /proc/self/mountinfo'
	[[ "$output" == *master:* ]]
}

# runc's default is rslave (later host mounts do reach its containers);
# mini-runc's is crun's, rprivate (see the man page).
@test "propagation: by default (rprivate) a later host mount stays out" {
	requires_mini_runc
	shared_source
	bind_src rbind -
	host_mount
	run -0 mrc exec "$ID" ls -A /data/sub
	[ -z "$output" ]
	# and the container's /data is in no peer group at all
	run -0 mrc exec "$ID" sh -c 'grep " /data " /proc/self/mountinfo'
	[[ "$output" != *shared:* && "$output" != *master:* ]]
}

@test "propagation: an rprivate mount under an rslave root keeps host mounts out" {
	shared_source
	bind_src rprivate rslave
	host_mount
	run -0 mrc exec "$ID" ls -A /data/sub
	[ -z "$output" ]
}

@test "propagation: rshared carries a container's mount back to the host" {
	shared_source
	bind_src rshared rshared
	run -0 mrc exec "$ID" sh -c 'mount -t tmpfs -o size=1m mrc-in /data/sub && echo from-container >/data/sub/f'
	[ "$(cat "$SRC/sub/f")" = from-container ]
	grep -q " $SRC/sub .* - tmpfs mrc-in " /proc/self/mountinfo
	# and the other way too
	umount "$SRC/sub"
	host_mount
	run -0 mrc exec "$ID" cat /data/sub/marker
	[ "$output" = from-host ]
}

@test "propagation: rslave does not carry a container's mount to the host" {
	shared_source
	bind_src rslave rslave
	run -0 mrc exec "$ID" sh -c 'mount -t tmpfs -o size=1m mrc-in /data/sub && echo x >/data/sub/f'
	[ ! -e "$SRC/sub/f" ]
	! grep -q " $SRC/sub " /proc/self/mountinfo || false
}

@test "propagation: an runbindable mount cannot be bound again inside" {
	shared_source
	bind_src runbindable -
	run -0 mrc exec "$ID" sh -c 'grep " /data " /proc/self/mountinfo; mkdir -p /again /other
		mount --bind /data /again 2>&1 && echo bound; mount --bind /tmp /other && echo other-bound'
	[[ "${lines[0]}" == *unbindable* ]]
	# refused for being unbindable (EINVAL), while another bind works
	grep -q "Invalid argument" <<<"$output"
	! grep -q '^bound$' <<<"$output" || false
	grep -q '^other-bound$' <<<"$output"
}

@test "propagation: a bad rootfsPropagation is refused and leaves nothing" {
	requires_mini_runc
	cfg_edit '.linux.rootfsPropagation = "sideways"'
	run ! mrc run --bundle "$BUNDLE" "$ID"
	grep -q "linux.rootfsPropagation" <<<"$output"
	grep -q "sideways" <<<"$output"
	assert_nothing_left
}

# A CSI node plugin's layout: a shared volume with other volumes nested
# under it.  The nested ones keep the propagation they ask for: the attach
# under a shared mount must not make them shared, nor refuse an unbindable
# one.  (A recursive rootfsPropagation is applied to the whole tree after
# the mounts, as runc does, so the root is left at its default here.)
@test "propagation: mounts nested under an rshared bind keep their own propagation" {
	shared_source
	mkdir -p "$BATS_TEST_TMPDIR/other"
	cfg_edit --arg src "$SRC" --arg o "$BATS_TEST_TMPDIR/other" '.mounts += [
		{destination: "/data", type: "bind", source: $src, options: ["rbind", "rshared"]},
		{destination: "/data/sub/priv", type: "bind", source: $o, options: ["rbind", "rprivate"]},
		{destination: "/data/sub/unb", type: "bind", source: $o, options: ["rbind", "runbindable"]},
		{destination: "/data/sub/tmp-unb", type: "tmpfs", source: "tmpfs", options: ["size=1m", "unbindable"]},
		{destination: "/data/sub/tmp-priv", type: "tmpfs", source: "tmpfs", options: ["size=1m", "private"]},
		{destination: "/tmp-shared", type: "tmpfs", source: "tmpfs", options: ["size=1m", "shared"]}]'
	set_args cat /proc/self/mountinfo
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	local data priv unb m
	data=$(awk '$5 == "/data"' <<<"$output")
	priv=$(awk '$5 == "/data/sub/priv"' <<<"$output")
	unb=$(awk '$5 == "/data/sub/unb"' <<<"$output")
	[[ "$data" == *shared:* ]]
	[ -n "$priv" ]
	[[ "$priv" != *shared:* && "$priv" != *master:* ]]
	[[ "$unb" == *unbindable* ]]
	# new filesystems get theirs too (set through the mount's own fd)
	m=$(awk '$5 == "/data/sub/tmp-unb"' <<<"$output")
	[[ "$m" == *unbindable* && "$m" != *shared:* ]]
	m=$(awk '$5 == "/data/sub/tmp-priv"' <<<"$output")
	[[ -n "$m" && "$m" != *shared:* && "$m" != *master:* && "$m" != *unbindable* ]]
	m=$(awk '$5 == "/tmp-shared"' <<<"$output")
	[[ "$m" == *shared:* ]]
}
