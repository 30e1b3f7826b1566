#!/usr/bin/env bats
# The container's root filesystem: linux.maskedPaths, linux.readonlyPaths,
# linux.sysctl and the overlayfs root built from image layers.

load helpers
load rootfs-helpers

# ------------------------------------------------------------ maskedPaths

@test "maskedPaths: a file reads empty and is the null device, a dir is an empty read-only tmpfs" {
	mkdir -p "$BUNDLE/rootfs/secret"
	echo hidden >"$BUNDLE/rootfs/secret/key"
	echo hidden >"$BUNDLE/rootfs/etc/token"
	masked '["/proc/timer_list", "/secret", "/etc/token"]'
	set_args sh -c 'echo "[$(cat /proc/timer_list)]"; stat -c "%t:%T" /proc/timer_list
		echo "[$(ls -A /secret)]"; echo "[$(cat /etc/token)]"
		touch /secret/x 2>&1 || true; echo x >/etc/token && echo "token [$(cat /etc/token)]"'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = "1:3" ]
	[ "${lines[2]}" = "[]" ]
	[ "${lines[3]}" = "[]" ]
	grep -qi "read-only file system" <<<"${lines[4]}"
	# Writing to the null device is swallowed, never reaching the file.
	[ "${lines[5]}" = "token []" ]
	[ "$(cat "$BUNDLE/rootfs/etc/token")" = hidden ]
	[ "$(cat "$BUNDLE/rootfs/secret/key")" = hidden ]
}

@test "maskedPaths: missing paths are skipped and not created; duplicates work" {
	masked '["/nonexistent/deep/file", "/proc/timer_list", "/proc/timer_list", "/proc/acpi", "/proc/acpi", "/etc/passwd/below"]'
	set_args sh -c 'echo "[$(cat /proc/timer_list)]"; echo "[$(ls -A /proc/acpi)]"; ls /nonexistent 2>&1 || true'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = "[]" ]
	[ ! -e "$BUNDLE/rootfs/nonexistent" ]
}

@test "maskedPaths: a symlink is resolved inside the root, never on the host" {
	# The canary lives outside the rootfs; links aim at it with an absolute
	# path and with enough .. to leave the rootfs if they were followed on
	# the host.  Inside the root they land on the container's own files.
	mkdir -p "$BATS_TEST_TMPDIR/canary"
	echo canary >"$BATS_TEST_TMPDIR/canary/file"
	local up=../../../../../../../../../../..
	mkdir -p "$BUNDLE/rootfs/$BATS_TEST_TMPDIR/canary"
	echo inside >"$BUNDLE/rootfs/$BATS_TEST_TMPDIR/canary/file"
	ln -s "$BATS_TEST_TMPDIR/canary/file" "$BUNDLE/rootfs/etc/abs-link"
	ln -s "$up$BATS_TEST_TMPDIR/canary" "$BUNDLE/rootfs/etc/rel-link"
	ln -s /nowhere/at/all "$BUNDLE/rootfs/etc/dangling"
	masked '["/etc/abs-link", "/etc/rel-link", "/etc/dangling"]'
	set_args sh -c "echo \"[\$(cat $BATS_TEST_TMPDIR/canary/file 2>/dev/null)]\"; ls -A $BATS_TEST_TMPDIR/canary | wc -l"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	# The in-root dir is hidden by a tmpfs (rel-link), so the file is gone.
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/canary/file")" = canary ]
	[ ! -e "$BUNDLE/rootfs/nowhere" ]
	assert_nothing_left
}

@test "maskedPaths: the image's /dev/null as a symlink to a procfs file is not used" {
	# No /dev mount: the image's /dev is used as it is, with a hostile
	# /dev/null.  Masking binds the runtime's own verified null device.
	cfg_edit '.mounts |= map(select(.destination | startswith("/dev") | not))'
	ln -s /proc/self/environ "$BUNDLE/rootfs/dev/null"
	masked '["/proc/timer_list"]'
	set_args sh -c 'echo "[$(cat /proc/timer_list)]"; stat -c "%F %t:%T" /proc/timer_list'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = "character special file 1:3" ]
}

@test "maskedPaths: the root itself is refused" {
	requires_mini_runc
	ln -s / "$BUNDLE/rootfs/etc/rootlink"
	masked '["/etc/rootlink"]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i maskedPaths /etc/rootlink root
}

# ---------------------------------------------------------- readonlyPaths

@test "readonlyPaths: /proc/sys refuses writes, recursively; the rest stays writable" {
	mkdir -p "$BUNDLE/rootfs/data/sub"
	cfg_edit '.mounts += [{destination: "/data/sub", type: "tmpfs", source: "tmpfs"}]'
	readonly_paths '["/proc/sys", "/data", "/proc/sys", "/missing/path"]'
	set_args sh -c 'echo other >/proc/sys/kernel/hostname 2>&1 || true
		touch /data/x 2>&1 || true; touch /data/sub/x 2>&1 || true
		touch /tmp/x && echo tmp-ok; cat /proc/sys/kernel/hostname
		awk '"'"'$5 == "/proc/sys" {print $6}'"'"' /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -qi "read-only file system" <<<"${lines[0]}"
	grep -qi "read-only file system" <<<"${lines[1]}"
	grep -qi "read-only file system" <<<"${lines[2]}"
	[ "${lines[3]}" = tmp-ok ]
	[ "${lines[4]}" = mrc-test ]
	case "${lines[5]}" in ro,* | ro) ;; *) false ;; esac
	[ ! -e "$BUNDLE/rootfs/missing" ]
}

@test "readonlyPaths and maskedPaths together: a masked file under a read-only dir" {
	readonly_paths '["/proc/sys"]'
	masked '["/proc/sys/kernel/hostname", "/proc/timer_list"]'
	set_args sh -c 'echo "[$(cat /proc/sys/kernel/hostname)]"; cat /proc/sys/kernel/ostype'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = Linux ]
}

@test "maskedPaths and readonlyPaths in a user namespace" {
	# Identity-mapped, so the bundle under bats' 0700 dirs stays reachable;
	# the mounts below the user namespace's root are still locked.
	cfg_edit '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 0, size: 65536}]'
	readonly_paths '["/proc/sys"]'
	masked '["/proc/timer_list", "/proc/acpi"]'
	set_args sh -c 'echo "[$(cat /proc/timer_list)]"; echo "[$(ls -A /proc/acpi)]"
		echo 1 >/proc/sys/kernel/hostname 2>&1 || true'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = "[]" ]
	grep -qi "read-only file system" <<<"${lines[2]}"
}

# ------------------------------------------------------------ linux.sysctl

@test "sysctl: net, ipc and uts keys written in the container's namespaces, even with /proc/sys read-only" {
	local host_fwd host_shm
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shm=$(cat /proc/sys/kernel/shmmni)
	sysctl_cfg '{"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234", "kernel.domainname": "mrc.example"}'
	readonly_paths '["/proc/sys"]'
	set_args sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/kernel/domainname'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1234 ]
	[ "${lines[2]}" = mrc.example ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/kernel/shmmni)" = "$host_shm" ]
}

@test "sysctl: net.* without a network namespace is refused, naming the key" {
	local host_fwd
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	drop_ns network
	sysctl_cfg "{\"net.ipv4.ip_forward\": \"$((1 - host_fwd))\"}"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	is_mini_runc || return 0
	grep_i "net.ipv4.ip_forward" "network namespace"
}

@test "sysctl: ipc and uts keys without their namespace, host-wide keys, bad keys are refused" {
	requires_mini_runc
	local key
	drop_ns ipc
	sysctl_cfg '{"kernel.shmmax": "1000000"}'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i kernel.shmmax "ipc namespace"
	base_config >"$BUNDLE/config.json"
	drop_ns uts
	cfg_edit 'del(.hostname)'
	sysctl_cfg '{"kernel.domainname": "x"}'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i kernel.domainname "uts namespace"
	for key in kernel.pid_max vm.swappiness net.ipv4..ip_forward \
		net.ipv4.conf.all/../../../../kernel/pid_max; do
		base_config >"$BUNDLE/config.json"
		sysctl_cfg "{\"$key\": \"1\"}"
		assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
		grep_i "linux.sysctl" "$key"
	done
}

# ------------------------------------------------------- overlayfs layers

@test "layers: the container sees the merged layers; writes, changes, deletes leave every layer unchanged" {
	make_layers
	local before
	before=$(layers_sum)
	set_args sh -c 'cat /etc/shared /etc/l1 /l2file; echo new >/etc/new; echo changed >/etc/shared
		echo more >>/etc/l1; rm /l2file; rm /bin/ls; mkdir /newdir; rm -r /etc/l1 2>/dev/null
		cat /etc/shared; ls /l2file /bin/ls 2>&1 | wc -l; ls -d /etc/l1 2>/dev/null | wc -l'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "from l2" ]
	[ "${lines[1]}" = l1 ]
	[ "${lines[2]}" = l2 ]
	[ "${lines[3]}" = changed ]
	# Deleted lower files are hidden inside (whiteouts)...
	[ "${lines[4]}" = 2 ]
	[ "${lines[5]}" = 0 ]
	# ...and every layer is exactly as before, root.path's dir still empty.
	[ "$(layers_sum)" = "$before" ]
	[ -e "$BUNDLE/layers/l2/l2file" ] && [ -e "$BUNDLE/layers/l0/bin/ls" ]
	[ -z "$(ls -A "$BUNDLE/rootfs")" ]
	assert_nothing_left
}

@test "layers: in a user namespace a lower directory removed and made again is empty (userxattr)" {
	make_layers
	cfg_edit '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 0, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 0, size: 65536}]'
	local before
	before=$(layers_sum)
	set_args sh -c 'rm -r /etc && mkdir /etc && echo "etc holds $(ls -A /etc | wc -l)"'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "etc holds 0" ]
	[ "$(layers_sum)" = "$before" ]
	assert_nothing_left
}

@test "layers: two containers on the same layers do not see each other's writes; the upper goes with delete" {
	make_layers
	local before id2
	before=$(layers_sum)
	new_id id2
	set_args sh -c 'echo one >/etc/mine; rm /etc/l1; echo ok >/ready; sleep 30'
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	set_args sh -c 'echo two >/etc/mine; echo ok >/ready; sleep 30'
	rund -0 mrc run -d --bundle "$BUNDLE" "$id2"
	# each has written (into its own upper, in its state dir)
	wait_file "$ROOT/$ID/overlay/upper/ready"
	wait_file "$ROOT/$id2/overlay/upper/ready"
	run -0 mrc exec "$ID" cat /etc/mine
	[ "$output" = one ]
	run -0 mrc exec "$id2" sh -c 'cat /etc/mine /etc/l1'
	[ "${lines[0]}" = two ]
	[ "${lines[1]}" = l1 ]
	# The upper lives in the container's state dir.
	[ -d "$ROOT/$ID/overlay/upper/etc" ]
	mrc delete --force "$ID"
	mrc delete --force "$id2"
	[ ! -e "$ROOT/$ID" ] && [ ! -e "$ROOT/$id2" ]
	[ "$(layers_sum)" = "$before" ]
	# A fresh container starts from the layers again.
	set_args sh -c 'cat /etc/mine 2>&1; cat /etc/l1'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -q "No such file" <<<"${lines[0]}"
	[ "${lines[1]}" = l1 ]
	assert_nothing_left
}

@test "layers: a persistent upper dir keeps the writes for the next container" {
	make_layers
	upper_annotation "state/upper"
	mkdir "$BUNDLE/state"
	local before
	before=$(layers_sum)
	set_args sh -c 'echo kept >/etc/kept; rm /l2file'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$(cat "$BUNDLE/state/upper/etc/kept")" = kept ]
	[ -d "$BUNDLE/state/upper.work" ]
	set_args sh -c 'cat /etc/kept; ls /l2file 2>&1 | wc -l; cat /etc/shared'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = kept ]
	[ "${lines[1]}" = 1 ]
	[ "${lines[2]}" = "from l2" ]
	[ "$(layers_sum)" = "$before" ]
	assert_nothing_left
}

@test "layers: a plain root.path keeps working; a single layer works" {
	set_args cat /etc/passwd
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "root:x:0:0:root:/root:/bin/sh" ]
	mv "$BUNDLE/rootfs" "$BUNDLE/image"
	mkdir "$BUNDLE/rootfs"
	layers_annotation image
	set_args sh -c 'touch /etc/x && cat /etc/passwd'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "root:x:0:0:root:/root:/bin/sh" ]
	[ ! -e "$BUNDLE/image/etc/x" ]
}

@test "layers: bad layer lists fail with a clear error and leave nothing behind" {
	make_layers
	local before
	echo file >"$BUNDLE/afile"
	mkdir -p "$BATS_TEST_TMPDIR/outside"
	ln -s "$BATS_TEST_TMPDIR/outside" "$BUNDLE/abs-escape"
	ln -s ../../outside "$BUNDLE/layers/rel-escape"
	before=$(layers_sum)
	local bad want
	while IFS='|' read -r bad want; do
		layers_annotation "$bad"
		assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
		is_mini_runc || continue
		grep_i org.mini-runc.rootfs.layers "$want"
	done <<-EOF
		layers/l0:layers/missing|\`layers/missing\` does not exist
		layers/l0:afile|\`afile\` is not a directory
		layers/l0:../outside|leaves the bundle
		$BUNDLE/layers/l0|is absolute
		layers/l0:abs-escape|leaves the bundle
		layers/l0:layers/rel-escape|leaves the bundle
		layers/l0::layers/l1|empty path
		|empty path
	EOF
	layers_annotation "$(for i in $(seq 129); do printf 'layers/l0:'; done)layers/l0"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i "more than 128 layers"
	layers_annotation "layers/l0"
	upper_annotation "../escape"
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i org.mini-runc.rootfs.upper "leaves the bundle"
	[ ! -e "$BATS_TEST_TMPDIR/escape" ] && [ -z "$(ls -A "$BATS_TEST_TMPDIR/outside")" ]
	[ "$(layers_sum)" = "$before" ]
}

@test "mounts: tmpcopyup starts a tmpfs with a copy of the image's directory" {
	mkdir -p "$BUNDLE/rootfs/data/sub"
	echo image-file >"$BUNDLE/rootfs/data/f"
	echo deep >"$BUNDLE/rootfs/data/sub/g"
	ln -s f "$BUNDLE/rootfs/data/l"
	chmod 0750 "$BUNDLE/rootfs/data"
	cfg_edit '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "nosuid"]}]'
	set_args sh -c 'cat /data/f /data/sub/g; readlink /data/l; stat -c %a /data; echo new > /data/f; grep " /data " /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = image-file ]
	[ "${lines[1]}" = deep ]
	[ "${lines[2]}" = f ]
	[ "${lines[3]}" = 750 ]
	grep -q "tmpfs" <<<"${lines[4]}"
	# the write went to the tmpfs, not the image
	[ "$(cat "$BUNDLE/rootfs/data/f")" = image-file ]
}

# A read-only tmpcopyup tmpfs: filled first, read-only before the
# container (or anyone) can see it.
@test "mounts: a read-only tmpcopyup tmpfs has the copy and refuses writes" {
	mkdir -p "$BUNDLE/rootfs/data"
	echo image-file >"$BUNDLE/rootfs/data/f"
	cfg_edit '.mounts += [{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "ro", "nodev"]}]'
	set_args sh -c 'cat /data/f; (echo x >/data/new) 2>/dev/null && echo wrote; grep " /data " /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = image-file ]
	[ "${#lines[@]}" = 2 ]
	# read-only for the mount and for the filesystem, as mount(2)'s ro is
	[[ "${lines[1]}" =~ \ /data\ ro,nodev,.*\ -\ tmpfs\ tmpfs\ ro(,|$) ]]
}

@test "sysctl: net.* is allowed in a network namespace joined by path (a pod's)" {
	requires_mini_runc
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	local pid id2 b2=$BATS_TEST_TMPDIR/b2
	pid=$(state_field "$ID" pid)
	new_id id2
	mkdir -p "$b2"
	jq --arg ns "/proc/$pid/ns/net" --arg root "$BUNDLE/rootfs" \
		'.root.path = $root | .process.args = ["cat", "/proc/sys/net/ipv4/ip_forward"]
		 | .linux.sysctl = {"net.ipv4.ip_forward": "1"}
		 | .linux.namespaces |= map(if .type == "network" then .path = $ns else . end)' \
		"$BUNDLE/config.json" >"$b2/config.json"
	run -0 mrc run --bundle "$b2" "$id2"
	[ "$output" = 1 ]
	mrc delete --force "$ID"
}
