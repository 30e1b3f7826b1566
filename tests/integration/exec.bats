#!/usr/bin/env bats
# exec: a second process inside a running container.

load helpers

# A running container whose init sleeps; its stdio is not `run`'s pipe.
start_target() {
	set_args sleep 300
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >"$BATS_TEST_TMPDIR/init.out" 2>&1
	[ "$(state_field "$ID" status)" = running ]
}

@test "exec: sees the container's pid namespace, root and hostname" {
	start_target
	echo host-only >"$BATS_TEST_TMPDIR/canary"
	run -0 mrc exec "$ID" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; hostname; ls /; echo $$'
	[ "${lines[0]}" = "sleep 300 " ]
	[ "${lines[1]}" = mrc-test ]
	! grep -q canary <<<"$output" || false
	# the exec'd shell is a small pid inside, not its host pid
	[ "${lines[-1]}" -lt 100 ]
}

@test "exec: exit status is the process's, 128+N for a signal" {
	start_target
	run mrc exec "$ID" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run mrc exec "$ID" sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
}

@test "exec: a missing program exits 255 and says so" {
	start_target
	run mrc exec "$ID" no-such-program
	[ "$status" -eq 255 ]
	grep -q 'executable file not found in $PATH' <<<"$output"
}

@test "exec: user, groups, env and cwd from the command line" {
	start_target
	run -0 mrc exec -u 1000:1001 -g 5 -g 7 -e FOO=bar --cwd /tmp "$ID" sh -c 'id -u; id -g; id -G; echo $FOO; pwd'
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1001 ]
	[ "${lines[2]}" = "1001 5 7" ]
	[ "${lines[3]}" = bar ]
	[ "${lines[4]}" = /tmp ]
}

@test "exec: --process FILE is parsed strictly and run" {
	start_target
	cat >"$BATS_TEST_TMPDIR/p.json" <<'J'
{"args": ["sh", "-c", "echo from-file $X"], "env": ["X=1", "PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
J
	run -0 mrc exec --process "$BATS_TEST_TMPDIR/p.json" "$ID"
	[ "$output" = "from-file 1" ]
	echo '{"args": ["sh"], "cwd": "rel", "user": {"uid": 0, "gid": 0}}' >"$BATS_TEST_TMPDIR/bad.json"
	run mrc exec --process "$BATS_TEST_TMPDIR/bad.json" "$ID"
	[ "$status" -ne 0 ]
	grep -q cwd <<<"$output"
}

@test "exec: --cap never reaches the inheritable or ambient sets" {
	start_target
	run -0 mrc exec --cap CAP_NET_ADMIN -u 1000 "$ID" sh -c 'grep -E "^Cap(Inh|Amb)" /proc/self/status'
	grep -q 'CapInh:	0000000000000000' <<<"$output"
	grep -q 'CapAmb:	0000000000000000' <<<"$output"
}

@test "exec: the process is in the container's cgroup" {
	start_target
	local pid
	pid=$(state_field "$ID" pid)
	run -0 mrc exec "$ID" cat /proc/self/cgroup
	# the same cgroup as the init (as the container sees it)
	[ "$(grep '^0::' <<<"$output")" = "$(mrc exec "$ID" cat /proc/1/cgroup | grep '^0::')" ]
	[ "$(grep '^0::' /proc/"$pid"/cgroup)" != "0::/" ]
}

@test "exec: -d --pid-file returns at once with the process's host pid" {
	start_target
	mrc exec -d --pid-file "$BATS_TEST_TMPDIR/e.pid" "$ID" sleep 200 </dev/null >/dev/null 2>&1
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/e.pid")
	[ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "sleep 200 " ]
	run -0 mrc ps --format json "$ID"
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
}

@test "exec: 20 concurrent execs all succeed and are reaped" {
	start_target
	local i pids=()
	for i in $(seq 20); do
		mrc exec "$ID" sh -c "echo ok-$i" >"$BATS_TEST_TMPDIR/e.$i" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
	done
	for i in $(seq 20); do
		[ "$(cat "$BATS_TEST_TMPDIR/e.$i")" = "ok-$i" ]
	done
	# no zombie left inside: only the init remains
	run -0 mrc ps --format json "$ID"
	[ "$(jq length <<<"$output")" -eq 1 ]
}

@test "exec: created, paused and stopped containers are refused, nothing runs" {
	set_args sleep 300
	mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	run mrc exec "$ID" touch /tmp/ran
	[ "$status" -ne 0 ]
	grep -qi created <<<"$output"
	mrc start "$ID"
	mrc pause "$ID"
	run mrc exec "$ID" touch /tmp/ran
	[ "$status" -ne 0 ]
	grep -qi paused <<<"$output"
	mrc resume "$ID"
	run -0 mrc exec "$ID" sh -c 'test ! -e /tmp/ran && echo none'
	[ "$output" = none ]
	mrc kill "$ID" KILL
	wait_status "$ID" stopped
	run mrc exec "$ID" true
	[ "$status" -ne 0 ]
	grep -q "not running" <<<"$output"
}

@test "exec: stdin, stdout and stderr are the caller's" {
	start_target
	run -0 bash -c "echo in | '$MINI_RUNC' --root '$ROOT' exec '$ID' sh -c 'cat; echo err >&2' 2>'$BATS_TEST_TMPDIR/err'"
	[ "$output" = in ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = err ]
}

# The session keyring of a process in the container (tests/helpers/keyring-id.c).
keyring_helper() {
	gcc -O2 -static -Wall -Werror -o "$BUNDLE/rootfs/bin/keyring-id" \
		"$BATS_TEST_DIRNAME/../helpers/keyring-id.c"
	cp "$BUNDLE/rootfs/bin/keyring-id" "$BATS_TEST_TMPDIR/keyring-id"
}

@test "exec: the process joins a new session keyring, not the caller's" {
	keyring_helper
	mine=$("$BATS_TEST_TMPDIR/keyring-id")
	start_target
	run -0 mrc exec "$ID" keyring-id
	first=$output
	[ -n "$first" ] && [ "$first" != "$mine" ]
	# as another user too: the switch comes after the keyring is made
	run -0 mrc exec -u 1000:1000 "$ID" keyring-id
	[ -n "$output" ] && [ "$output" != "$mine" ]
}

@test "exec: --no-new-keyring at create keeps the caller's keyring for exec too" {
	keyring_helper
	mine=$("$BATS_TEST_TMPDIR/keyring-id")
	set_args sleep 300
	mrc run -d --no-new-keyring --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	run -0 mrc exec "$ID" keyring-id
	[ "$output" = "$mine" ]
}
