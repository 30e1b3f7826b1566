#!/usr/bin/env bats
# The container process: args, env, cwd, user, umask, stdio, passed fds.

load helpers

# The runtime with extra fds: like mrc, but fd 3 is the caller's to set.
mrc_fds() {
	MRC_TEST_TAG=$TAG "$MINI_RUNC" --root "$ROOT" "$@"
}

@test "process: args are passed exactly (spaces, empty, quotes)" {
	set_args sh -c 'for a in "$@"; do printf "[%s]" "$a"; done; echo' argv0 'a b' '' "it's" '"q"' '$HOME' '*'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "[a b][][it's][\"q\"][\$HOME][*]" ]
}

@test "process: args[0] is looked up in the container's PATH" {
	mkdir -p "$BUNDLE/rootfs/opt/tools"
	printf '#!/bin/sh\necho found-in-opt\n' >"$BUNDLE/rootfs/opt/tools/mytool"
	chmod +x "$BUNDLE/rootfs/opt/tools/mytool"
	cfg_edit '.process.env |= map(if startswith("PATH=") then "PATH=/opt/tools:/bin" else . end)'
	set_args mytool
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = found-in-opt ]
}

@test "process: a command not in PATH fails with 'executable file not found'" {
	set_args no-such-command
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i "executable file not found in \$PATH"
}

@test "process: a missing absolute path fails with 'no such file or directory'" {
	set_args /bin/no-such-file
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i "no such file or directory"
}

@test "process: env is exactly the config's" {
	cfg_edit '.process.env += ["FOO=bar baz", "EMPTY=", "MULTI=a=b=c"]'
	set_args env
	MRC_HOST_ONLY=leak run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -qx "FOO=bar baz" <<<"$output"
	grep -qx "EMPTY=" <<<"$output"
	grep -qx "MULTI=a=b=c" <<<"$output"
	grep -qx "TERM=xterm" <<<"$output"
	grep -qx "$PATH_ENV" <<<"$output"
	! grep -q MRC_HOST_ONLY <<<"$output" || false
	! grep -q '^BATS_' <<<"$output" || false
}

@test "process: a name given twice keeps its place and its last value, an empty HOME is the user's" {
	cfg_edit '.process.env = ["PATH=/bin", "A=1", "B=x", "A=2", "HOME="]'
	echo 'root:x:0:0:root:/root:/bin/sh' >"$BUNDLE/rootfs/etc/passwd"
	# the raw environment the shell got from execve (its own exports
	# would be deduplicated by the shell)
	set_args sh -c 'tr "\000" " " </proc/$$/environ; echo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "PATH=/bin A=2 B=x HOME=/root " ]
	assert_nothing_left
}

@test "exec: -e overrides the config's value of a name, in its place" {
	cfg_edit '.process.env = ["PATH=/bin", "A=1", "B=x"]'
	set_args sleep 100
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	run -0 mrc exec -e A=9 "$ID" sh -c 'tr "\000" " " </proc/$$/environ; echo'
	[[ "$output" == "PATH=/bin A=9 B=x HOME="* ]]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "process: cwd" {
	mkdir -p "$BUNDLE/rootfs/work/dir"
	cfg_edit '.process.cwd = "/work/dir"'
	set_args sh -c 'pwd; echo x > here'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = /work/dir ]
	[ -e "$BUNDLE/rootfs/work/dir/here" ]
}

@test "process: a missing cwd is made (0755, as root), as runc makes it" {
	cfg_edit '.process.cwd = "/does/not/exist"'
	set_args pwd
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = /does/not/exist ]
	[ "$(stat -c '%a %u' "$BUNDLE/rootfs/does/not/exist")" = "755 0" ]
	assert_nothing_left
}

@test "process: uid, gid and additionalGids" {
	cfg_edit '.process.user = {uid: 1000, gid: 1001, additionalGids: [2000, 2001]}'
	chmod 1777 "$BUNDLE/rootfs/tmp"
	set_args sh -c 'id -u; id -g; id -G; touch /tmp/owned; stat -c "%u:%g" /tmp/owned'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = "1001 2000 2001" ]
	[ "${lines[3]}" = 1000:1001 ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/owned")" = 1000:1001 ]
}

@test "process: no additionalGids means no supplementary groups" {
	cfg_edit '.process.user = {uid: 0, gid: 0}'
	set_args sh -c 'id -G; grep ^Groups: /proc/self/status'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 0 ]
	[ "$(echo ${lines[1]})" = "Groups:" ]
}

@test "process: umask from the config, 0022 by default" {
	cfg_edit '.process.user.umask = 23' # 0027
	set_args sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 0027 ]
	[ "${lines[1]}" = 640 ]

	local id2
	new_id id2
	cfg_edit 'del(.process.user.umask)'
	set_args sh -c umask
	(umask 077 && mrc run --bundle "$BUNDLE" "$id2" >"$BATS_TEST_TMPDIR/out")
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = 0022 ]
}

@test "stdio: stdin, stdout and stderr are passed through, separately" {
	set_args sh -c 'cat; echo to-stderr >&2; echo to-stdout'
	printf 'line one\nline two\n' |
		mrc run --bundle "$BUNDLE" "$ID" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'line one\nline two\nto-stdout')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = to-stderr ]
}

# Prints "stdout-dev:inode stdin-link" from inside the container.
FD_SCRIPT='echo "$(stat -L -c "%d:%i" /proc/$$/fd/1) $(readlink /proc/$$/fd/0)"'

@test "stdio: create hands the container the runtime's own fds, not copies" {
	set_args sh -c "$FD_SCRIPT"
	local out=$BATS_TEST_TMPDIR/out
	echo input | {
		readlink /proc/self/fd/0 >"$BATS_TEST_TMPDIR/host-stdin"
		mrc create --bundle "$BUNDLE" "$ID" >"$out" 2>&1
	}
	mrc start "$ID"
	wait_status "$ID" stopped
	# stdout is the very file the test opened (same device and inode), stdin
	# the very pipe the test made.
	[ "$(cat "$out")" = "$(stat -c %d:%i "$out") $(cat "$BATS_TEST_TMPDIR/host-stdin")" ]
	mrc delete "$ID"
}

@test "stdio: run (no terminal) hands the container the runtime's own fds" {
	requires_mini_runc # runc's foreground run copies through pipes of its own
	set_args sh -c "$FD_SCRIPT"
	local out=$BATS_TEST_TMPDIR/out
	echo input | {
		readlink /proc/self/fd/0 >"$BATS_TEST_TMPDIR/host-stdin"
		mrc run --bundle "$BUNDLE" "$ID" >"$out" 2>&1
	}
	[ "$(cat "$out")" = "$(stat -c %d:%i "$out") $(cat "$BATS_TEST_TMPDIR/host-stdin")" ]
}

@test "stdio: large output is not truncated and ordering is kept" {
	set_args sh -c 'seq 1 20000'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${#lines[@]}" = 20000 ]
	[ "${lines[19999]}" = 20000 ]
}

@test "stdio: a detached container writes to the file given to run -d" {
	set_args sh -c 'echo detached-output; echo detached-err >&2'
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	wait_status "$ID" stopped
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = detached-output ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = detached-err ]
	mrc delete "$ID"
}

@test "--preserve-fds: fd 3 is readable inside; others are closed" {
	echo through-fd-3 >"$BATS_TEST_TMPDIR/f3"
	set_args sh -c 'cat <&3; for f in 4 5 6 7 8 9; do [ -e /proc/$$/fd/$f ] && echo "fd $f open"; done; true'
	run -0 mrc_fds run --preserve-fds 1 --bundle "$BUNDLE" "$ID" \
		3<"$BATS_TEST_TMPDIR/f3" 4</dev/null 5</dev/null 6</dev/null 7</dev/null 8</dev/null 9</dev/null
	[ "$output" = through-fd-3 ]
}

@test "--preserve-fds: on create, the fd reaches the process after start" {
	echo via-create >"$BATS_TEST_TMPDIR/f3"
	set_args sh -c 'cat <&3 > /tmp/got'
	mrc_fds create --preserve-fds 1 --bundle "$BUNDLE" "$ID" \
		3<"$BATS_TEST_TMPDIR/f3" </dev/null >/dev/null 2>&1
	mrc start "$ID"
	wait_file "$BUNDLE/rootfs/tmp/got"
	[ "$(cat "$BUNDLE/rootfs/tmp/got")" = via-create ]
	wait_status "$ID" stopped
	mrc delete "$ID"
}

@test "without --preserve-fds no extra fd reaches the container" {
	set_args sh -c 'for f in 3 4 5 6 7 8 9; do [ -e /proc/$$/fd/$f ] && echo "fd $f open"; done; true'
	run -0 mrc_fds run --bundle "$BUNDLE" "$ID" 3</dev/null 4</dev/null 5</dev/null 9</dev/null
	[ -z "$output" ]
}

@test "LISTEN_FDS: the listed fds pass on, with LISTEN_FDS and LISTEN_PID set" {
	echo fd-three >"$BATS_TEST_TMPDIR/f3"
	echo fd-four >"$BATS_TEST_TMPDIR/f4"
	set_args sh -c 'cat <&3; cat <&4; echo "$LISTEN_FDS $LISTEN_PID"; [ -e /proc/$$/fd/5 ] && echo "fd 5 open"; true'
	# systemd's protocol: LISTEN_PID names the process the fds are for.
	run -0 env MRC_TEST_TAG="$TAG" MINI_RUNC="$MINI_RUNC" ROOT="$ROOT" BUNDLE="$BUNDLE" ID="$ID" \
		sh -c 'export LISTEN_PID=$$ LISTEN_FDS=2; exec "$MINI_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$ID"' \
		3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5</dev/null
	[ "${lines[0]}" = fd-three ]
	[ "${lines[1]}" = fd-four ]
	[ "${lines[2]}" = "2 1" ]
	[ "${#lines[@]}" = 3 ]
}

# A caller that ignores SIGCHLD (children inherit that) must not have the
# runtime's children reaped behind its back.
@test "process: run with SIGCHLD ignored by the caller still reports the exit status" {
	set_args sh -c 'exit 3'
	run -3 bash -c 'trap "" CHLD; exec "$0" --root "$1" run --bundle "$2" "$3"' \
		"$MINI_RUNC" "$ROOT" "$BUNDLE" "$ID"
}

# linux.memoryPolicy: /proc/PID/numa_maps shows the policy of each mapping
# ("bind:0"), which is the process's own for a mapping without one of its own.
requires_numa() {
	[ -e /proc/self/numa_maps ] || skip "the kernel has no NUMA support (no numa_maps)"
}

@test "linux.memoryPolicy: the container's process and an exec'd one run with it" {
	requires_numa
	cfg_edit '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0"}'
	set_args sleep 100
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	# read from the host: the program the container runs, after its execve
	grep -Eq ' bind:0( |$)' "/proc/$pid/numa_maps"
	! grep -Eqv ' bind:0( |$)' "/proc/$pid/numa_maps" || false
	# exec's process is the runtime's child, not the init's: set for it too
	run -0 mrc exec "$ID" sh -c 'cat /proc/self/numa_maps'
	grep -Eq ' bind:0( |$)' <<<"$output"
	! grep -Eqv ' bind:0( |$)' <<<"$output" || false
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "linux.memoryPolicy: flags are passed with the mode" {
	requires_numa
	cfg_edit '.linux.memoryPolicy = {mode: "MPOL_INTERLEAVE", nodes: "0", flags: ["MPOL_F_STATIC_NODES"]}'
	set_args head -n 1 /proc/self/numa_maps
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *" interleave=static:0 "* ]]
}

@test "linux.memoryPolicy: a bad policy fails create naming the field, and leaves nothing" {
	local c
	for c in \
		'{"nodes": "0"}|linux.memoryPolicy.mode: required' \
		'{"mode": "INTERLEAVE", "nodes": "0"}|linux.memoryPolicy.mode: unknown mode `INTERLEAVE`' \
		'{"mode": "MPOL_BIND"}|linux.memoryPolicy.nodes: required with MPOL_BIND' \
		'{"mode": "MPOL_LOCAL", "nodes": "0"}|linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes' \
		'{"mode": "MPOL_BIND", "nodes": "0-x"}|linux.memoryPolicy.nodes: `0-x` is not a node list' \
		'{"mode": "MPOL_BIND", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"]}|linux.memoryPolicy.flags: `MPOL_F_RELATIVE_NODES` and `MPOL_F_STATIC_NODES` exclude each other' \
		'{"mode": "MPOL_PREFERRED", "nodes": "0", "flags": ["MPOL_F_NUMA_BALANCING"]}|linux.memoryPolicy.flags: `MPOL_F_NUMA_BALANCING` goes only with'; do
		cfg_edit --argjson p "${c%%|*}" '.linux.memoryPolicy = $p'
		assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
		grep_i "${c#*|}"
	done
}

@test "linux.memoryPolicy: a node the kernel refuses fails create in the child, and leaves nothing" {
	requires_numa
	# well-formed, but no machine this test runs on has node 4095
	cfg_edit '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "4095"}'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i 'set linux.memoryPolicy `MPOL_BIND` nodes `4095`' "invalid argument"
}
