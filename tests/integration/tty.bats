#!/usr/bin/env bats
# process.terminal with --console-socket: the pty master goes to the caller
# in exactly one SCM_RIGHTS message carrying exactly one fd (go-runc's rule).

load helpers

# Skip against mini-runc until src/term is wired into create (the foundation
# issue only requires --console-socket to be accepted).  MRC_NO_SKIP=1 runs
# the tests anyway.
requires_terminal_wired() {
	is_mini_runc || return 0
	[ -z "${MRC_NO_SKIP:-}" ] || return 0
	grep -qs mrc_term_setup_child "$REPO_ROOT"/src/process/*.c "$REPO_ROOT"/src/lifecycle/*.c ||
		skip "terminal not wired yet (no mrc_term_setup_child call in src/process or src/lifecycle)"
}

# start_recvtty: the probe listening on $SOCK, output in $BATS_TEST_TMPDIR/tty.*
start_recvtty() {
	local probe
	probe=$(probe_bin recvtty)
	SOCK=$BATS_TEST_TMPDIR/console.sock
	"$probe" "$SOCK" >"$BATS_TEST_TMPDIR/tty.out" 2>"$BATS_TEST_TMPDIR/tty.err" 3>&- &
	RECV_PID=$!
	local n=50
	until grep -q listening "$BATS_TEST_TMPDIR/tty.err" 2>/dev/null; do
		n=$((n - 1))
		[ $n -gt 0 ]
		sleep 0.1
	done
}

# wait_recvtty: the probe's exit status (0: protocol respected, pty drained).
wait_recvtty() {
	local n=100
	while kill -0 "$RECV_PID" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -9 "$RECV_PID" 2>/dev/null || true
	local rc=0
	wait "$RECV_PID" || rc=$?
	echo "recvtty exit $rc: $(cat "$BATS_TEST_TMPDIR/tty.err")"
	return $rc
}

@test "terminal: create --console-socket hands over the pty master; stdio is the pty" {
	requires_terminal_wired
	cfg_edit '.process.terminal = true'
	set_args sh -c 'tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-tty; echo hello'
	start_recvtty
	rund -0 mrc create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	mrc start "$ID"
	wait_status "$ID" stopped
	wait_recvtty
	grep -q '^name: ' "$BATS_TEST_TMPDIR/tty.err"
	local out
	out=$(tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out")
	grep -qx '/dev/pts/[0-9]*' <<<"$out"
	grep -qx all-tty <<<"$out"
	grep -qx hello <<<"$out"
	mrc delete "$ID"
	assert_nothing_left
}

@test "terminal: run -d --console-socket works too" {
	requires_terminal_wired
	cfg_edit '.process.terminal = true'
	set_args sh -c 'echo detached-tty'
	start_recvtty
	rund -0 mrc run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	wait_status "$ID" stopped
	wait_recvtty
	grep -q detached-tty "$BATS_TEST_TMPDIR/tty.out"
	mrc delete "$ID"
}

@test "terminal: create without --console-socket fails cleanly" {
	cfg_edit '.process.terminal = true'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i console
}

@test "terminal: --console-socket without a terminal fails cleanly" {
	start_recvtty
	assert_fails_cleanly mrc create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID"
	grep_i console
	kill -9 "$RECV_PID" 2>/dev/null || true
	wait "$RECV_PID" 2>/dev/null || true
}

@test "terminal: a console socket nobody listens on fails cleanly" {
	requires_terminal_wired
	cfg_edit '.process.terminal = true'
	assert_fails_cleanly mrc create --console-socket "$BATS_TEST_TMPDIR/nobody.sock" --bundle "$BUNDLE" "$ID"
	grep_i nobody.sock
}
