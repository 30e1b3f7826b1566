#!/usr/bin/env bats
# Process security seen from inside the container: capability sets,
# no_new_privs, seccomp, rlimits, oom_score_adj; each bad value refused with
# nothing left behind; and the attacks of CVE-2019-5736 and CVE-2024-21626.

load helpers
load security-helpers

@test "security: capabilities: exactly the configured sets (root)" {
	requires_security_wired
	set_caps '["CAP_NET_BIND_SERVICE", "CAP_CHOWN"]'
	set_args cat /proc/self/status
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$(status_field CapBnd)" = $CAP_CHOWN_BIND ]
	[ "$(status_field CapEff)" = $CAP_CHOWN_BIND ]
	[ "$(status_field CapPrm)" = $CAP_CHOWN_BIND ]
	[ "$(status_field CapInh)" = 0000000000000000 ]
	[ "$(status_field CapAmb)" = 0000000000000000 ]
	assert_nothing_left
}

@test "security: capabilities: absent object means none at all" {
	requires_security_wired
	cfg_edit 'del(.process.capabilities)'
	set_args cat /proc/self/status
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$(status_field CapBnd)" = 0000000000000000 ]
	[ "$(status_field CapEff)" = 0000000000000000 ]
	[ "$(status_field CapPrm)" = 0000000000000000 ]
}

@test "security: capabilities: ambient and inheritable survive the switch to uid 1000" {
	requires_security_wired
	cfg_edit '.process.user = {uid: 1000, gid: 1000}
	  | .process.capabilities = {
	      bounding: ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
	      effective: ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
	      permitted: ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
	      inheritable: ["CAP_NET_BIND_SERVICE"],
	      ambient: ["CAP_NET_BIND_SERVICE"]}'
	set_args cat /proc/self/status
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	# execve as a non-root user keeps only the ambient set
	[ "$(status_field Uid)" = 1000 ]
	[ "$(status_field CapBnd)" = $CAP_CHOWN_BIND ]
	[ "$(status_field CapAmb)" = $CAP_BIND ]
	[ "$(status_field CapInh)" = $CAP_BIND ]
	[ "$(status_field CapEff)" = $CAP_BIND ]
	[ "$(status_field CapPrm)" = $CAP_BIND ]
}

@test "security: capabilities: a capability missing from the set is refused (chown)" {
	requires_security_wired
	set_caps '["CAP_NET_BIND_SERVICE"]'
	set_args sh -c 'touch /tmp/f; chown 1:1 /tmp/f && echo changed || echo refused'
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = refused ]
}

@test "security: a binary with file capabilities gains none outside the bounding set" {
	requires_security_wired
	command -v setcap >/dev/null || skip "setcap (libcap2-bin) not installed"
	# busybox picks the applet from argv[0]: the copy is called cat
	mkdir -p "$BUNDLE/rootfs/opt"
	cp "$BUNDLE/rootfs/bin/busybox" "$BUNDLE/rootfs/opt/cat"
	# +p, not +ep: the kernel refuses to execute a capability-dumb (+e)
	# binary at all when it cannot give it every capability it names.
	setcap cap_sys_admin,cap_net_raw+p "$BUNDLE/rootfs/opt/cat" ||
		skip "file capabilities not supported here"
	set_caps '["CAP_CHOWN"]'
	cfg_edit '.process.user = {uid: 1000, gid: 1000}'
	set_args /opt/cat /proc/self/status
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$(status_field CapEff)" = 0000000000000000 ]
	[ "$(status_field CapPrm)" = 0000000000000000 ]
}

@test "security: noNewPrivileges sets NoNewPrivs" {
	requires_security_wired
	cfg_edit '.process.noNewPrivileges = true'
	set_args cat /proc/self/status
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$(status_field NoNewPrivs)" = 1 ]
	cfg_edit '.process.noNewPrivileges = false'
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$(status_field NoNewPrivs)" = 0 ]
}

@test "security: seccomp: filter installed, chmod denied with the configured errno" {
	requires_security_wired
	cfg_edit '.process.noNewPrivileges = true'
	deny_syscalls 1 chmod fchmodat fchmod
	set_args sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; touch /tmp/f; chmod 600 /tmp/f'
	run -1 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	grep -qx 'Seccomp:[[:space:]]*2' <<<"$output"
	grep -qi 'operation not permitted' <<<"$stderr"
	assert_nothing_left
}

# The compiled filter is kept in the state root's .seccomp-cache (0700, one
# 0600 file per profile), found again by the next container of the same
# profile without a compile, and ignored by list; a new profile adds one.
@test "security: seccomp: a compiled filter is cached in the state root and reused" {
	requires_mini_runc
	requires_security_wired
	cfg_edit '.process.noNewPrivileges = true'
	deny_syscalls 13 chmod fchmodat fchmod
	set_args sh -c 'touch /tmp/f; chmod 600 /tmp/f'
	run -1 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	grep -qi 'permission denied' <<<"$stderr"
	local cache=$ROOT/.seccomp-cache entry ino
	[ "$(stat -c %a "$cache")" = 700 ]
	entry=$(ls "$cache")
	[ "$(wc -l <<<"$entry")" = 1 ]
	[ "$(stat -c %a "$cache/$entry")" = 600 ]
	ino=$(stat -c %i "$cache/$entry")
	local id2
	new_id id2
	run -1 --separate-stderr mrc run --bundle "$BUNDLE" "$id2"
	grep -qi 'permission denied' <<<"$stderr"
	# a hit: the entry was read, not written again
	[ "$(stat -c %i "$cache/$entry")" = "$ino" ]
	run -0 mrc list -q
	[ -z "$output" ]
	deny_syscalls 1 chmod fchmodat fchmod
	run -1 --separate-stderr mrc run --bundle "$BUNDLE" "$id2"
	grep -qi 'operation not permitted' <<<"$stderr"
	[ "$(ls "$cache" | wc -l)" = 2 ]
	assert_nothing_left
}

@test "security: seccomp: errnoRet 13 gives permission denied; without noNewPrivileges too" {
	requires_security_wired
	cfg_edit '.process.noNewPrivileges = false'
	deny_syscalls 13 mkdir mkdirat
	set_args sh -c 'mkdir /tmp/d'
	run -1 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	grep -qi 'permission denied' <<<"$stderr"
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
}

@test "security: seccomp: an unknown syscall name is skipped with a warning" {
	requires_security_wired
	cfg_edit '.process.noNewPrivileges = true'
	deny_syscalls 1 chmod fchmodat mrc_no_such_syscall
	set_args echo started
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = started ]
	if is_mini_runc; then
		grep -q 'unknown syscall `mrc_no_such_syscall`' <<<"$stderr"
	fi
}

@test "security: rlimits: ulimit -n shows RLIMIT_NOFILE" {
	requires_security_wired
	cfg_edit '.process.rlimits = [{type: "RLIMIT_NOFILE", hard: 1024, soft: 512}]'
	set_args sh -c 'ulimit -n; ulimit -Hn'
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "$(printf '512\n1024')" ]
}

@test "security: rlimits: a hard limit above ours is refused, naming the limit" {
	requires_security_wired
	local hard
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || skip "hard RLIMIT_NOFILE is unlimited"
	# With CAP_SYS_RESOURCE the raise would simply work.
	capsh --has-p=cap_sys_resource 2>/dev/null && skip "CAP_SYS_RESOURCE held"
	cfg_edit --argjson h $((hard + 1)) \
		'.process.rlimits = [{type: "RLIMIT_NOFILE", hard: $h, soft: 1024}]'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i RLIMIT_NOFILE
	if is_mini_runc; then
		grep_i "cannot raise the hard limit above $hard"
	fi
}

@test "security: oomScoreAdj is written to /proc/self/oom_score_adj" {
	requires_security_wired
	cfg_edit '.process.oomScoreAdj = 123'
	set_args cat /proc/self/oom_score_adj
	run -0 --separate-stderr mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = 123 ]
}

@test "security: an unknown capability name is ignored with a warning, as runc; the rest applied" {
	requires_security_wired
	set_caps '["CAP_CHOWN", "CAP_FOO"]'
	set_args sh -c 'grep CapEff /proc/self/status'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep_i CAP_FOO
	if is_mini_runc; then
		grep_i 'process.capabilities.bounding: unknown capability `CAP_FOO` ignored'
	fi
	# CAP_CHOWN (bit 0) alone
	grep -q "CapEff:	0000000000000001" <<<"$output"
	assert_nothing_left
}

@test "security: exec --cap of a capability the config made inheritable is raised in the ambient set too" {
	requires_security_wired
	cfg_edit '.process.capabilities = {bounding: ["CAP_CHOWN", "CAP_KILL"],
		effective: ["CAP_CHOWN"], permitted: ["CAP_CHOWN"], inheritable: ["CAP_KILL"]}
		| .process.user = {uid: 1000, gid: 1000}'
	set_args sleep 100
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	# CAP_KILL is bit 5 (0x20): a uid-1000 process has it only through ambient
	run -0 mrc exec --cap CAP_KILL "$ID" sh -c 'grep -E "Cap(Amb|Eff)" /proc/self/status'
	grep -q "CapAmb:	0000000000000020" <<<"$output"
	grep -q "CapEff:	0000000000000020" <<<"$output"
	# one the config did not make inheritable stays out of ambient
	run -0 mrc exec --cap CAP_CHOWN "$ID" sh -c 'grep CapAmb /proc/self/status'
	grep -q "CapAmb:	0000000000000000" <<<"$output"
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "security: bad rlimit name: refused, nothing left" {
	requires_security_wired
	cfg_edit '.process.rlimits = [{type: "RLIMIT_FOO", hard: 10, soft: 10}]'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i RLIMIT_FOO
}

@test "security: bad seccomp action, architecture, operator, flag: refused, nothing left" {
	requires_security_wired
	deny_syscalls 1 chmod
	local f=$BUNDLE/config.json good
	good=$(cat "$f")
	cfg_edit '.linux.seccomp.syscalls[0].action = "SCMP_ACT_DENY"'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i SCMP_ACT_DENY
	echo "$good" >"$f"
	cfg_edit '.linux.seccomp.architectures = ["SCMP_ARCH_Z80"]'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i SCMP_ARCH_Z80
	echo "$good" >"$f"
	cfg_edit '.linux.seccomp.syscalls[0].args = [{index: 1, value: 1, op: "SCMP_CMP_LIKE"}]'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i SCMP_CMP_LIKE
	echo "$good" >"$f"
	cfg_edit '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_FAST"]'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i SECCOMP_FILTER_FLAG_FAST
}

@test "security: CVE-2024-21626: cwd through a leaked fd (/proc/self/fd/N) is refused" {
	requires_security_wired
	# Leak a host directory fd into mini-runc: fd 7 -> the bundle dir.
	local n
	for n in 3 4 5 6 7 8 9; do
		cfg_edit --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		set_args sh -c 'pwd; ls ..'
		run --separate-stderr mrc run --bundle "$BUNDLE" "$ID" 7<"$BUNDLE"
		echo "fd $n: status $status output: $output $stderr" >&2
		# Either the fd is not there (chdir fails) or the cwd check refuses
		# it; the container never runs in the host directory.
		[ "$status" -ne 0 ]
		! grep -q config.json <<<"$output" || false
		assert_nothing_left
	done
}

@test "security: CVE-2019-5736: a created container's init is not reachable through /proc/PID/exe" {
	requires_security_wired
	# A second container in the first one's pid namespace is visible to the
	# first while it waits for start: it is still mini-runc then.  The
	# first container (root, no capabilities: base config) looks at every
	# /proc/PID/exe once the second one is created.
	set_args sh -c 'echo up > /tmp/up
		while [ ! -e /tmp/go ]; do sleep 0.1; done
		for p in /proc/[0-9]*; do readlink $p/exe; echo x >> $p/exe; done > /tmp/result 2>&1
		echo done > /tmp/done; while :; do sleep 1; done'
	mrc run -d --bundle "$BUNDLE" "$ID" >/dev/null
	wait_file "$BUNDLE/rootfs/tmp/up"
	local pid id2 b2=$BATS_TEST_TMPDIR/bundle2
	pid=$(state_field "$ID" pid)
	new_id id2
	mkdir -p "$b2"
	cp -a "$BUNDLE/rootfs" "$b2/rootfs"
	jq --arg ns "/proc/$pid/ns/pid" \
		'.process.args = ["true"]
		 | .linux.namespaces |= map(if .type == "pid" then .path = $ns else . end)' \
		"$BUNDLE/config.json" >"$b2/config.json"
	mrc create --bundle "$b2" "$id2"
	touch "$BUNDLE/rootfs/tmp/go"
	wait_file "$BUNDLE/rootfs/tmp/done"
	cat "$BUNDLE/rootfs/tmp/result" >&2
	# the waiting init is in the list, but its exe is not readable
	grep -q 'Permission denied' "$BUNDLE/rootfs/tmp/result"
	! grep -q mini-runc "$BUNDLE/rootfs/tmp/result" || false
	cmp -s "$MINI_RUNC" "$REPO_ROOT/mini-runc" || true
	mrc delete --force "$id2"
	mrc delete --force "$ID"
	assert_nothing_left
}
