#!/usr/bin/env bats
# The container's root and mounts: pivot_root, mounts[] with their options,
# /dev, root.readonly.

load helpers

# From a mountinfo text in $output, the topmost mount at MOUNTPOINT:
# "FSTYPE PER-MOUNT-OPTIONS SUPER-OPTIONS".
mi() {
	awk -v mp="$1" '$5 == mp {
		for (i = 7; $i != "-"; i++) ;
		line = $(i + 1) " " $6 " " $(i + 3)
	} END { print line }' <<<"$output"
}

# has_opt "rw,nosuid,..." OPT: the comma list holds OPT.
has_opt() {
	case ",$1," in *",$2,"*) return 0 ;; esac
	echo "'$2' not in '$1'" >&2
	return 1
}

@test "mounts: proc, /dev tmpfs, devpts, shm, mqueue, sysfs with their options" {
	set_args cat /proc/self/mountinfo
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	local m
	m=$(mi /proc); [ "${m%% *}" = proc ]
	m=$(mi /dev); [ "${m%% *}" = tmpfs ]
	has_opt "$(cut -d' ' -f2 <<<"$m")" nosuid
	has_opt "$(cut -d' ' -f3 <<<"$m")" mode=755
	m=$(mi /dev/pts); [ "${m%% *}" = devpts ]
	has_opt "$(cut -d' ' -f2 <<<"$m")" noexec
	has_opt "$(cut -d' ' -f3 <<<"$m")" gid=5
	has_opt "$(cut -d' ' -f3 <<<"$m")" ptmxmode=666
	m=$(mi /dev/shm); [ "${m%% *}" = tmpfs ]
	has_opt "$(cut -d' ' -f2 <<<"$m")" nodev
	m=$(mi /dev/mqueue); [ "${m%% *}" = mqueue ]
	m=$(mi /sys); [ "${m%% *}" = sysfs ]
	has_opt "$(cut -d' ' -f2 <<<"$m")" ro
	# The root is the bundle's rootfs (its mountinfo root ends in /rootfs).
	[ -n "$(mi /)" ]
}

@test "mounts: a bind mount with ro,nosuid is read-only and nosuid inside" {
	mkdir "$BATS_TEST_TMPDIR/data"
	echo payload >"$BATS_TEST_TMPDIR/data/file"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind", "ro", "nosuid"]}]'
	set_args sh -c 'cat /data/file; if touch /data/new 2>/tmp/err; then echo wrote; else cat /tmp/err; fi; cat /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = payload ]
	grep -qi "read-only file system" <<<"${lines[1]}"
	local m
	m=$(mi /data)
	has_opt "$(cut -d' ' -f2 <<<"$m")" ro
	has_opt "$(cut -d' ' -f2 <<<"$m")" nosuid
	[ ! -e "$BATS_TEST_TMPDIR/data/new" ]
	# The source on the host is still writable: only the container's view is ro.
	touch "$BATS_TEST_TMPDIR/data/host-can-write"
}

@test "mounts: a read-write bind mount writes through to the host" {
	mkdir "$BATS_TEST_TMPDIR/data"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["bind"]}]'
	set_args sh -c 'echo from-inside > /data/out'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$(cat "$BATS_TEST_TMPDIR/data/out")" = from-inside ]
}

@test "mounts: in order, destinations created, a bind of a file" {
	mkdir "$BATS_TEST_TMPDIR/data"
	echo inner >"$BATS_TEST_TMPDIR/data/f"
	echo single >"$BATS_TEST_TMPDIR/one-file"
	cfg_edit --arg src "$BATS_TEST_TMPDIR/data" --arg file "$BATS_TEST_TMPDIR/one-file" \
		'.mounts += [
		  {destination: "/mnt/t", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
		  {destination: "/mnt/t/deep/data", type: "bind", source: $src, options: ["rbind"]},
		  {destination: "/etc/one-file", type: "bind", source: $file, options: ["bind", "ro"]}
		]'
	set_args sh -c 'cat /mnt/t/deep/data/f /etc/one-file; cat /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = inner ]
	[ "${lines[1]}" = single ]
	[ "$(mi /mnt/t | cut -d' ' -f1)" = tmpfs ]
	[ -n "$(mi /mnt/t/deep/data)" ]
	# The tmpfs hid nothing of the host: the directories were made inside it.
	[ ! -e "$BUNDLE/rootfs/mnt/t/deep" ]
}

@test "pivot_root: host files are invisible, / is the rootfs" {
	CANARY=/mrc-canary-$TAG
	echo secret >"$CANARY"
	set_args sh -c "ls -a /; echo ---; ls $CANARY 2>&1; echo ---; cat /proc/self/mountinfo"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	local listing=${output%%---*}
	# Listing of / inside equals the rootfs listing on the host.
	[ "$(tr -s ' \n' '\n' <<<"$listing" | grep -v '^$' | sort)" = "$(ls -a "$BUNDLE/rootfs" | sort)" ]
	grep -q "No such file" <<<"$output"
	! grep -q secret <<<"$output" || false
	# No mount of the host's tree is reachable inside (the old root is gone).
	! awk '{print $5}' <<<"${output##*---}" | grep -q "$BATS_RUN_TMPDIR" || false
	local n
	n=$(sed -n '/---/,$p' <<<"${output#*---}" | wc -l)
	[ "$n" -lt 20 ]
}

@test "pivot_root: the host's root is not reachable through .. or /proc/1/root" {
	CANARY=/mrc-canary-$TAG
	echo secret >"$CANARY"
	set_args sh -c "cd /; cd ../../..; ls -a . | grep -c mrc-canary; ls /proc/1/root/ | grep -c mrc-canary; true"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
}

@test "--no-pivot: / is still the rootfs" {
	set_args ls -a /
	run -0 mrc run --no-pivot --bundle "$BUNDLE" "$ID"
	[ "$(tr -s ' \n' '\n' <<<"$output" | grep -v '^$' | sort)" = "$(ls -a "$BUNDLE/rootfs" | sort)" ]
}

# --no-pivot (issue 13) leaves the host's tree in the container's mount
# namespace, under the moved rootfs.  The kernel lets a user namespace
# mount a new proc or sysfs only when one fully visible (no locked mount
# over a directory of it) is already there: the container's have
# readonlyPaths and maskedPaths over them, the host's do not, so runc
# detaches the host's before the move.  A process of the
# container making its own user namespace must get no fresh (unmasked)
# proc or sysfs, with --no-pivot as after pivot_root.
@test "--no-pivot: a nested user namespace cannot mount a fresh proc or sysfs, as after pivot_root" {
	cfg_edit '.process.user = {uid: 1000, gid: 1000}'
	set_args sh -c 'unshare -Urm true && echo userns-ok
		unshare -Urmpf mount -t proc proc /mnt && echo proc-mounted
		unshare -Urmnf mount -t sysfs sysfs /mnt && echo sysfs-mounted; true'
	# the probe works: with nothing masked the container's own /proc is
	# fully visible, and a fresh one may be mounted
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -qx userns-ok <<<"$output"
	grep -qx proc-mounted <<<"$output"
	# directories covered (a file's mask does not hide a whole proc)
	cfg_edit '.linux.readonlyPaths = ["/proc/sys"] | .linux.maskedPaths = ["/sys/firmware"]'
	local p
	for p in "" --no-pivot; do
		new_id ID
		run -0 mrc run $p --bundle "$BUNDLE" "$ID"
		grep -qx userns-ok <<<"$output"
		! grep -q mounted <<<"$output" || false
	done
}

@test "root.readonly: writing / fails with Read-only file system" {
	cfg_edit '.root.readonly = true'
	set_args sh -c 'touch /x 2>&1; echo rc=$?; touch /dev/shm/ok && echo shm-rw; grep " / " /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -qi "read-only file system" <<<"${lines[0]}"
	[ "${lines[1]}" != rc=0 ]
	[ "${lines[2]}" = shm-rw ]
	has_opt "$(cut -d' ' -f6 <<<"${lines[3]}")" ro
	[ ! -e "$BUNDLE/rootfs/x" ]
}

@test "root.readonly false: / is writable" {
	set_args sh -c 'echo hi > /written'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$(cat "$BUNDLE/rootfs/written")" = hi ]
}

@test "/dev: default devices and symlinks" {
	set_args sh -c '
		for d in null zero full random urandom tty; do
			[ -c /dev/$d ] && echo "$d ok" || echo "$d missing"
		done
		for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done
		echo data > /dev/null && echo null-writable
		head -c 4 /dev/zero | wc -c'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	local d
	for d in null zero full random urandom tty; do
		grep -qx "$d ok" <<<"$output"
	done
	grep -qx "fd /proc/self/fd" <<<"$output"
	grep -qx "stdin /proc/self/fd/0" <<<"$output"
	grep -qx "stdout /proc/self/fd/1" <<<"$output"
	grep -qx "stderr /proc/self/fd/2" <<<"$output"
	grep -qx "ptmx pts/ptmx" <<<"$output"
	grep -qx null-writable <<<"$output"
	[ "${lines[-1]}" = 4 ]
}

# A read-only /dev (issue 13): runc mounts it read-write, fills it (the
# devices, the symlinks, /dev/pts, /dev/shm and /dev/mqueue below it) and
# makes it read-only at the end; mini-runc does the same.
@test "/dev read-only: filled first, then read-only; null, pts and shm work" {
	cfg_edit '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	set_args sh -c 'touch /dev/x 2>&1; echo rc=$?; echo data >/dev/null && echo null-ok
		echo hi >/dev/shm/f && cat /dev/shm/f; [ -c /dev/pts/ptmx ] && echo pts-ok
		readlink /dev/ptmx; readlink /dev/fd; cat /proc/self/mountinfo'
	local p
	for p in "" --no-pivot; do
		[ -z "$p" ] || new_id ID
		run -0 mrc run $p --bundle "$BUNDLE" "$ID"
		grep -qi "read-only file system" <<<"${lines[0]}"
		[ "${lines[1]}" != rc=0 ]
		[ "${lines[2]}" = null-ok ]
		[ "${lines[3]}" = hi ]
		[ "${lines[4]}" = pts-ok ]
		[ "${lines[5]}" = pts/ptmx ]
		[ "${lines[6]}" = /proc/self/fd ]
		local m
		m=$(mi /dev)
		[ "${m%% *}" = tmpfs ]
		has_opt "$(cut -d' ' -f2 <<<"$m")" ro
		has_opt "$(cut -d' ' -f2 <<<"$m")" nosuid
		# the mounts below it keep their own options
		has_opt "$(cut -d' ' -f2 <<<"$(mi /dev/shm)")" rw
		[ "$(mi /dev/pts | cut -d' ' -f1)" = devpts ]
	done
}

@test "mounts: nothing leaks into the caller's mount namespace" {
	set_args sleep 30
	# The runtime is called from a mount namespace of the test's own (a
	# private copy of the host's), so what the host mounts meanwhile does
	# not count; every line of its mount table must be the same after.
	local d=$BATS_TEST_TMPDIR
	MRC_TEST_TAG=$TAG unshare -m sh -c 'sort /proc/self/mountinfo >"$4/before"
		"$0" --root "$1" run -d --bundle "$2" "$3" </dev/null >"$4/out" 2>&1 || exit 9
		sort /proc/self/mountinfo >"$4/after"' "$MINI_RUNC" "$ROOT" "$BUNDLE" "$ID" "$d"
	[ "$(state_field "$ID" status)" = running ]
	diff "$d/before" "$d/after"
	[ -z "$(leftover_mounts)" ]
	mrc delete --force "$ID"
	assert_nothing_left
}

@test "mounts: a missing bind source fails cleanly and names it" {
	cfg_edit --arg src "$BATS_TEST_TMPDIR/no-such-dir" \
		'.mounts += [{destination: "/data", type: "bind", source: $src, options: ["rbind"]}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i "no-such-dir"
}

# Every plain option of the runtime-spec, one tmpfs each, seen where the
# kernel shows it: per-mount flags in mountinfo's 6th field, superblock
# flags (sync, dirsync) and filesystem data after the source.
@test "mounts: every plain mount option is seen in mountinfo" {
	local o
	# (mand is accepted; kernels since 5.15 ignore it, so nothing shows)
	for o in ro nosuid nodev noexec sync dirsync lazytime mand noatime nodiratime relatime strictatime; do
		cfg_edit --arg d "/o-$o" --arg o "$o" \
			'.mounts += [{destination: $d, type: "tmpfs", source: "tmpfs", options: [$o, "size=1m"]}]'
	done
	# unknown options go to the filesystem as data
	cfg_edit '.mounts += [{destination: "/o-data", type: "tmpfs", source: "tmpfs",
		options: ["size=2m", "nr_inodes=321", "mode=0711", "noexec"]}]'
	# remount: a second entry changes the mount the first one made
	cfg_edit '.mounts += [{destination: "/o-remount", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
		{destination: "/o-remount", type: "tmpfs", source: "tmpfs", options: ["remount", "ro", "nosuid"]},
		{destination: "/o-remount2", type: "tmpfs", source: "tmpfs", options: ["size=1m", "ro", "nosuid"]},
		{destination: "/o-remount2", type: "tmpfs", source: "tmpfs", options: ["remount", "size=2m"]},
		{destination: "/o-remount3", type: "tmpfs", source: "tmpfs", options: ["size=1m"]},
		{destination: "/o-remount3", type: "tmpfs", source: "tmpfs", options: ["remount", "ro", "dirsync"]}]'
	# a value longer than fsconfig(2) takes (255 bytes) goes through
	# mount(2): 300 octal zeros, then 3m
	local long
	long=$(printf '0%.0s' $(seq 300))3m
	cfg_edit --arg s "size=$long" '.mounts += [
		{destination: "/o-long", type: "tmpfs", source: "tmpfs", options: [$s, "nodev"]},
		{destination: "/o-long", type: "tmpfs", source: "tmpfs", options: ["remount", $s, "ro"]}]'
	set_args cat /proc/self/mountinfo
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	local m per super
	[ -n "$(mi /o-mand)" ]
	for o in ro nosuid nodev noexec noatime nodiratime relatime; do
		m=$(mi "/o-$o")
		has_opt "$(cut -d' ' -f2 <<<"$m")" "$o"
	done
	for o in sync dirsync lazytime; do
		m=$(mi "/o-$o")
		has_opt "$(cut -d' ' -f3 <<<"$m")" "$o"
		# and not on a mount that did not ask for it
		! has_opt "$(cut -d' ' -f3 <<<"$(mi /o-ro)")" "$o" 2>/dev/null || false
	done
	# strictatime: neither noatime nor relatime
	per=$(cut -d' ' -f2 <<<"$(mi /o-strictatime)")
	! has_opt "$per" relatime 2>/dev/null || false
	! has_opt "$per" noatime 2>/dev/null || false
	# rw unless asked: the ro one is the only read-only one
	has_opt "$(cut -d' ' -f2 <<<"$(mi /o-nosuid)")" rw
	m=$(mi /o-data)
	super=$(cut -d' ' -f3 <<<"$m")
	has_opt "$super" size=2048k
	has_opt "$super" nr_inodes=321
	has_opt "$super" mode=711
	has_opt "$(cut -d' ' -f2 <<<"$m")" noexec
	per=$(cut -d' ' -f2 <<<"$(mi /o-remount)")
	has_opt "$per" ro
	has_opt "$per" nosuid
	# the same mount changed, not a second one stacked on it
	[ "$(awk '$5 == "/o-remount"' <<<"$output" | wc -l)" = 1 ]
	# a remount replaces the flags, as mount(2)'s: read-only and nosuid
	# are gone (superblock too), the new size is the filesystem's
	m=$(mi /o-remount2)
	has_opt "$(cut -d' ' -f2 <<<"$m")" rw
	! has_opt "$(cut -d' ' -f2 <<<"$m")" nosuid 2>/dev/null || false
	has_opt "$(cut -d' ' -f3 <<<"$m")" rw
	has_opt "$(cut -d' ' -f3 <<<"$m")" size=2048k
	# dirsync cannot change on a remount: ignored, as mount(2) ignores it
	has_opt "$(cut -d' ' -f2 <<<"$(mi /o-remount3)")" ro
	m=$(mi /o-long)
	has_opt "$(cut -d' ' -f2 <<<"$m")" ro
	! has_opt "$(cut -d' ' -f2 <<<"$m")" nodev 2>/dev/null || false
	has_opt "$(cut -d' ' -f3 <<<"$m")" size=3072k
}

# A remount is held to the rules of a mount there: nothing but the files
# lxcfs covers below /proc.
@test "mounts: a remount below /proc is refused" {
	requires_mini_runc
	cfg_edit '.mounts += [{destination: "/proc/sys", type: "proc", source: "proc", options: ["remount", "ro"]}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount to \`/proc/sys\`: \`/proc/sys\` is inside /proc" <<<"$output"
}

# tmpfs reads mpol=bind:0,2 as one option from mount(2) data; split on
# every comma it would not be.
@test "mounts: a tmpfs memory policy with a node list" {
	[ -d /sys/devices/system/node/node0 ] || skip "no NUMA node 0 here"
	cfg_edit '.mounts += [{destination: "/mp", type: "tmpfs", source: "tmpfs", options: ["mpol=bind:0,0", "size=1m"]}]'
	set_args sh -c 'grep " /mp " /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *" - tmpfs "*"mpol=bind:0"* ]]
}

# A filesystem's options are set one by one (fsconfig), so the one it
# refuses is named, with the filesystem's own reason, and nothing is left.
@test "mounts: an option the filesystem refuses is named with its reason" {
	requires_mini_runc
	cfg_edit '.mounts += [{destination: "/t", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=lots"]}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount to \`/t\`: option \`size\`: tmpfs: Bad value for 'size'" <<<"$output"
	# the value is not repeated: it may be a credential (cifs' password=)
	! grep -q lots <<<"$output" || false
	[ ! -e "$BUNDLE/rootfs/t" ]
	cfg_edit '.mounts[-1].options = ["mode=0700", "no-such-option"]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "option \`no-such-option\`: tmpfs: Unknown parameter 'no-such-option'" <<<"$output"
	cfg_edit '.mounts[-1] = {destination: "/t", type: "no-such-fs", source: "x"}'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep -q "mount \`no-such-fs\` to \`/t\`: no such device" <<<"$output"
}

@test "tmpfs: without mode= it takes the existing directory's mode, as runc; a new one is 1777" {
	mkdir -p "$BUNDLE/rootfs/mnt/old"
	chmod 0710 "$BUNDLE/rootfs/mnt/old"
	cfg_edit '.mounts += [{destination: "/mnt/old", type: "tmpfs", source: "tmpfs", options: ["nosuid"]},
		{destination: "/mnt/new", type: "tmpfs", source: "tmpfs", options: ["nosuid"]},
		{destination: "/mnt/given", type: "tmpfs", source: "tmpfs", options: ["mode=0750"]}]'
	set_args stat -c %a /mnt/old /mnt/new /mnt/given
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 710 ]
	[ "${lines[1]}" = 1777 ]
	[ "${lines[2]}" = 750 ]
	assert_nothing_left
}
