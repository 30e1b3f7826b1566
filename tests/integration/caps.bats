#!/usr/bin/env bats
# Capabilities where the kernel judges them (issue 13): the executable check
# of create/exec uses the process's final capabilities, as execve does; an
# ambient capability that cannot be raised is skipped with a warning where
# a non-root process loses it, and without one for runc's default spec.
# Every case behaves as on runc 1.1.5 (MINI_RUNC=$(command -v runc)), but
# the warning: runc 1.1.5 prints none, runc 1.2 words it as we do.

load helpers
load security-helpers

# caps_for_1000 JSON-ARRAY: uid 1000, the caps in every set (ambient and
# inheritable too, so the program keeps them across execve).
caps_for_1000() {
	cfg_edit --argjson c "$1" '.process.user = {uid: 1000, gid: 1000}
	  | .process.capabilities = {bounding: $c, effective: $c, permitted: $c,
	                             inheritable: $c, ambient: $c}'
}

# secret_copy PATH MODE OWNER: busybox at rootfs PATH (its name is the applet).
secret_copy() {
	mkdir -p "$(dirname "$BUNDLE/rootfs$1")"
	cp /bin/busybox "$BUNDLE/rootfs$1"
	chown "$3" "$BUNDLE/rootfs$1"
	chmod "$2" "$BUNDLE/rootfs$1"
}

@test "caps: uid 1000 with CAP_DAC_OVERRIDE runs a root-only (0700) program" {
	requires_security_wired
	secret_copy /opt/cat 0700 0:0
	caps_for_1000 '["CAP_DAC_OVERRIDE"]'
	set_args /opt/cat /proc/self/status
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$(status_field Uid)" = 1000 ]
	# CAP_DAC_OVERRIDE is bit 1, kept across execve through ambient
	[ "$(status_field CapEff)" = 0000000000000002 ]
	[ "$(status_field CapAmb)" = 0000000000000002 ]
	assert_nothing_left
}

@test "caps: without CAP_DAC_OVERRIDE the 0700 program fails create: permission denied" {
	requires_security_wired
	secret_copy /opt/cat 0700 0:0
	caps_for_1000 '["CAP_KILL"]'
	set_args /opt/cat /proc/self/status
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "permission denied"
}

@test "caps: CAP_DAC_READ_SEARCH finds a program in a directory only root may search" {
	requires_security_wired
	secret_copy /opt/secret/true 0755 0:0
	chmod 0700 "$BUNDLE/rootfs/opt/secret"
	# in the effective set only: the lookup and execve need it, true does not
	cfg_edit '.process.user = {uid: 1000, gid: 1000}
	  | .process.capabilities = {bounding: ["CAP_DAC_READ_SEARCH"],
	      effective: ["CAP_DAC_READ_SEARCH"], permitted: ["CAP_DAC_READ_SEARCH"]}'
	set_args /opt/secret/true
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	cfg_edit '.process.capabilities = {bounding: [], effective: [], permitted: []}'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "permission denied"
}

@test "caps: root without CAP_DAC_OVERRIDE is refused another user's 0700 program at create" {
	requires_security_wired
	secret_copy /opt/true 0700 1000:1000
	set_caps '["CAP_KILL"]'
	set_args /opt/true
	# execve would refuse it: create says so (not start), as runc does
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "permission denied"
	set_caps '["CAP_DAC_OVERRIDE"]'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
}

@test "caps: exec checks the program with the exec process's capabilities" {
	requires_security_wired
	secret_copy /opt/true 0700 0:0
	caps_for_1000 '["CAP_DAC_OVERRIDE"]'
	set_args sleep 100
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	run -0 mrc exec "$ID" /opt/true
	local p=$BATS_TEST_TMPDIR/process.json
	jq '.process | .args = ["/opt/true"]
	  | .capabilities = {bounding: ["CAP_KILL"]}' "$BUNDLE/config.json" >"$p"
	run ! mrc exec --process "$p" "$ID"
	grep_i "permission denied"
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "caps: an ambient capability a non-root process cannot raise is skipped with a warning" {
	requires_security_wired
	cfg_edit '.process.user = {uid: 1000, gid: 1000}
	  | .process.capabilities = {bounding: ["CAP_NET_RAW", "CAP_KILL"],
	      effective: ["CAP_NET_RAW", "CAP_KILL"],
	      permitted: ["CAP_NET_RAW", "CAP_KILL"],
	      inheritable: ["CAP_KILL"], ambient: ["CAP_NET_RAW", "CAP_KILL"]}'
	set_args cat /proc/self/status
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	# CAP_KILL (bit 5) raised, CAP_NET_RAW (bit 13) not: the container runs
	[ "$(status_field CapAmb)" = 0000000000000020 ]
	if is_mini_runc; then
		[ "$(grep -c warning <<<"$stderr")" = 1 ]
		grep -qF "can't raise ambient capability \`CAP_NET_RAW\`" <<<"$stderr"
	fi
	assert_nothing_left
}

@test "caps: runc's and mini-runc's default spec run without an ambient warning" {
	requires_security_wired
	local b=$BATS_TEST_TMPDIR/spec-bundle
	mkdir -p "$b"
	mv "$BUNDLE/rootfs" "$b/rootfs"
	run -0 mrc spec --bundle "$b"
	# ambient entries without inheritable ones, as `runc spec` writes them
	[ "$(jq -c '.process.capabilities.ambient | length' "$b/config.json")" = 3 ]
	[ "$(jq -c '.process.capabilities.inheritable' "$b/config.json")" = null ]
	jq '.process.terminal = false | .process.args = ["cat", "/proc/self/status"]' \
		"$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	run -0 --separate-stderr mrc run --bundle "$b" "$ID"
	[ -z "$stderr" ]
	[ "$(status_field CapAmb)" = 0000000000000000 ]
	mv "$b/rootfs" "$BUNDLE/rootfs"
	assert_nothing_left
}

@test "caps: podman's config for -u 1000 --cap-add NET_RAW runs without a warning" {
	requires_security_wired
	# what podman 4.3 writes: the added caps in every set but bounding
	cfg_edit '.process.user = {uid: 1000, gid: 1000}
	  | .process.capabilities = {bounding: ["CAP_CHOWN", "CAP_NET_RAW"],
	      effective: ["CAP_NET_RAW"], permitted: ["CAP_NET_RAW"],
	      inheritable: ["CAP_NET_RAW"], ambient: ["CAP_NET_RAW"]}'
	set_args cat /proc/self/status
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ -z "$stderr" ]
	[ "$(status_field CapAmb)" = 0000000000002000 ]
	assert_nothing_left
}
