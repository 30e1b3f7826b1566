#!/usr/bin/env bats
# Escapes through the rootfs: a hostile image plants symlinks and `..` so
# that a mount meant for the container lands on the host.  Every test keeps
# a canary tree outside the rootfs and checks it is unchanged afterwards;
# the harness checks no host mount is left.  Where the mount is allowed it
# must land inside the root, where the lookup inside the root leads.

load helpers

# canary: $CANARY_DIR, a host tree outside the rootfs, and its checksum.
canary() {
	CANARY_DIR=$BATS_TEST_TMPDIR/canary
	mkdir -p "$CANARY_DIR/sub"
	echo canary >"$CANARY_DIR/file"
	echo deep >"$CANARY_DIR/sub/file"
	CANARY_SUM=$(canary_sum)
}

canary_sum() {
	(cd "$CANARY_DIR" && find . -printf '%p %m %U %s\n' | sort && cat file sub/file) | sha256sum
}

canary_unchanged() {
	[ "$(canary_sum)" = "$CANARY_SUM" ] || {
		echo "canary tree changed:" >&2
		ls -laR "$CANARY_DIR" >&2
		return 1
	}
	! grep -qF "$CANARY_DIR" /proc/self/mountinfo || false
}

# tmpfs_at DEST: a tmpfs mount on DEST in the config.
tmpfs_at() {
	cfg_edit --arg d "$1" '.mounts += [{destination: $d, type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
}

@test "escapes: a destination through an absolute symlink stays in the root" {
	canary
	ln -s "$CANARY_DIR" "$BUNDLE/rootfs/abs"
	tmpfs_at /abs/sub
	set_args sh -c "grep -c ' $CANARY_DIR/sub ' /proc/self/mountinfo; touch /abs/sub/new"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	# the link was followed inside the root: the tmpfs is at that path there
	[ "$output" = 1 ]
	canary_unchanged
	[ -d "$BUNDLE/rootfs/$CANARY_DIR/sub" ]
}

@test "escapes: a destination through a relative symlink of many .. stays in the root" {
	canary
	ln -s "../../../../../../../../../../$CANARY_DIR" "$BUNDLE/rootfs/rel"
	tmpfs_at /rel/sub
	set_args sh -c "grep -c ' $CANARY_DIR/sub ' /proc/self/mountinfo"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = 1 ]
	canary_unchanged
}

@test "escapes: a dangling symlink destination is created inside the root" {
	canary
	ln -s "$CANARY_DIR/made-by-runtime" "$BUNDLE/rootfs/dangling"
	tmpfs_at /dangling
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ ! -e "$CANARY_DIR/made-by-runtime" ]
	[ -d "$BUNDLE/rootfs/$CANARY_DIR/made-by-runtime" ]
	canary_unchanged
}

@test "escapes: .. in a destination is clamped at the root" {
	canary
	tmpfs_at "/../../../../../../..$CANARY_DIR/sub"
	cfg_edit --arg src "$BATS_TEST_TMPDIR" \
		'.mounts += [{destination: "/mnt/../../../../x", type: "bind", source: $src, options: ["bind", "ro"]}]'
	set_args sh -c "grep -c ' $CANARY_DIR/sub ' /proc/self/mountinfo; grep -c ' /x ' /proc/self/mountinfo"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1 ]
	canary_unchanged
}

@test "escapes: /proc as a symlink is refused" {
	requires_mini_runc
	canary
	rmdir "$BUNDLE/rootfs/proc"
	ln -s "$CANARY_DIR" "$BUNDLE/rootfs/proc"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount \`proc\` to \`/proc\`: the destination must be a directory, not reached through a symlink" <<<"$output"
	canary_unchanged
}

@test "escapes: /proc as a symlink inside the root is refused too" {
	requires_mini_runc
	rmdir "$BUNDLE/rootfs/proc"
	ln -s /etc "$BUNDLE/rootfs/proc"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "not reached through a symlink" <<<"$output"
}

@test "escapes: /sys as a symlink is refused, and a /sys that is a file" {
	requires_mini_runc
	canary
	rmdir "$BUNDLE/rootfs/sys" 2>/dev/null || rm -rf "$BUNDLE/rootfs/sys"
	ln -s "$CANARY_DIR" "$BUNDLE/rootfs/sys"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount \`sysfs\` to \`/sys\`: the destination must be a directory, not reached through a symlink" <<<"$output"
	canary_unchanged
	rm "$BUNDLE/rootfs/sys"
	echo not-a-dir >"$BUNDLE/rootfs/sys"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount \`sysfs\` to \`/sys\`: .*not a directory" <<<"$output"
}

@test "escapes: a tmpfs or a bind over /proc is refused" {
	requires_mini_runc
	tmpfs_at /proc
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount to \`/proc\`: only procfs may be mounted on /proc" <<<"$output"
	cfg_edit --arg src "$BATS_TEST_TMPDIR" \
		'.mounts |= map(select(.type != "tmpfs" or .destination != "/proc"))
		 | .mounts += [{destination: "//proc/", type: "bind", source: $src, options: ["rbind"]}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount to \`//proc/\`: only procfs may be mounted on /proc" <<<"$output"
}

@test "escapes: a mount reaching /proc through a symlink is refused" {
	requires_mini_runc
	ln -s /proc "$BUNDLE/rootfs/fakeproc"
	# after the proc mount: the link leads onto procfs itself
	tmpfs_at /fakeproc
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount to \`/fakeproc\`: only procfs may be mounted on /proc" <<<"$output"
	cfg_edit '.mounts[-1].destination = "/fakeproc/sys"'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount to \`/fakeproc/sys\`: \`/proc/sys\` is inside /proc" <<<"$output"
}

@test "escapes: below /proc only lxcfs's files may be bound" {
	tmpfs_at /proc/sys
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	if is_mini_runc; then grep -q "mount to \`/proc/sys\`: \`/proc/sys\` is inside /proc" <<<"$output"; fi
	# what lxcfs does: a file of its own on /proc/uptime
	echo "12345.00 1.00" >"$BATS_TEST_TMPDIR/uptime"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/uptime" \
		'.mounts |= map(select(.destination != "/proc/sys"))
		 | .mounts += [{destination: "/proc/uptime", type: "bind", source: $src, options: ["bind", "ro"]}]'
	set_args cat /proc/uptime
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "12345.00 1.00" ]
}

@test "escapes: rootfs/dev as a symlink out of the rootfs: /dev is made inside" {
	canary
	rm -rf "$BUNDLE/rootfs/dev"
	ln -s "$CANARY_DIR" "$BUNDLE/rootfs/dev"
	set_args sh -c 'ls /dev/null /dev/zero /dev/pts/ptmx >/dev/null && echo devs-ok; echo x >/dev/null && echo null-ok'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = devs-ok ]
	[ "${lines[1]}" = null-ok ]
	canary_unchanged
	[ ! -e "$CANARY_DIR/null" ] && [ ! -e "$CANARY_DIR/pts" ]
}

# A host process swaps a directory of a shared volume with a symlink to
# /proc while the runtime mounts a tmpfs on it: the mount goes through the
# fd that was checked, so it never lands on /proc (it lands on the
# directory, or is refused).  CVE-2019-19921's race.
@test "escapes: a symlink swapped in during the mount cannot bring a tmpfs onto /proc" {
	local bin=$BATS_TEST_TMPDIR/swap-loop vol=$BATS_TEST_TMPDIR/vol
	gcc -O2 -Wall -Wextra -Werror -o "$bin" "$REPO_ROOT/tests/helpers/swap-loop.c"
	mkdir -p "$vol/d"
	ln -s /proc "$vol/link"
	cfg_edit --arg src "$vol" '.mounts += [
		{destination: "/vol", type: "bind", source: $src, options: ["rbind"]},
		{destination: "/vol/d", type: "tmpfs", source: "tmpfs", options: ["size=1m"]}]'
	set_args stat -f -c %T /proc
	"$bin" "$vol/d" "$vol/link" </dev/null >/dev/null 2>&1 3>&- &
	local swapper=$! i landed=0 ran=0
	for i in $(seq 150); do
		if out=$(mrc run --bundle "$BUNDLE" "$ID-$i" 2>&1); then
			ran=$((ran + 1))
			[ "$out" = proc ] || { landed=$((landed + 1)); echo "run $i: /proc is $out" >&2; }
		fi
		mrc delete --force "$ID-$i" >/dev/null 2>&1 || true
	done
	kill "$swapper"
	wait "$swapper" || true
	echo "$ran of 150 ran" >&2
	[ "$landed" -eq 0 ]
	[ "$ran" -gt 0 ]
}

@test "escapes: a refused /proc symlink creates nothing where it leads" {
	requires_mini_runc
	rmdir "$BUNDLE/rootfs/proc"
	ln -s /etc/newdir "$BUNDLE/rootfs/proc"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "not reached through a symlink" <<<"$output"
	[ ! -e "$BUNDLE/rootfs/etc/newdir" ]
}
