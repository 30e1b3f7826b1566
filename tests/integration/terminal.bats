#!/usr/bin/env bats
# Terminals: process.terminal with --console-socket (what containerd and
# conmon use) and in the foreground (run from a terminal), seen from
# outside: the caller's end of the socket is tests/helpers/recvtty.c, the
# caller's terminal a tmux pane.  The term-driver tests check src/term by
# itself (no container), so they hold before the wiring in src/process.

load helpers
load term-helpers

setup_file() {
	build_term_helpers
}

# What the container prints about its terminal.
TTY_SCRIPT='tty; stty size; stat -c "console %t:%T" /dev/console; stat -c "pts %t:%T" "$(tty)"; echo hi'

# The console and the pty are the same device: "console X" and "pts X".
same_console_device() {
	local c p
	c=$(sed -n 's/^console //p' <<<"$output")
	p=$(sed -n 's/^pts //p' <<<"$output")
	[ -n "$c" ] && [ "$c" = "$p" ]
}

# ------------------------------------------------- src/term, no container

@test "term-driver: the master reaches the console socket, with the size" {
	local sock=$BATS_TEST_TMPDIR/console.sock
	recvtty_bg "$sock"
	run -0 env MRC_TEST_TAG="$TAG" "$TERM_BIN/term-driver" --size 30x100 \
		--socket "$sock" -- sh -c "$TTY_SCRIPT" 3>&-
	recvtty_wait
	[ "$RECVTTY_STATUS" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/recvtty.name")" = /dev/pts/0 ]
	grep -qx /dev/pts/0 <<<"$output"
	grep -qx '30 100' <<<"$output"
	grep -qx hi <<<"$output"
	same_console_device
}

@test "term-driver: the pty belongs to process.user.uid" {
	local sock=$BATS_TEST_TMPDIR/console.sock
	recvtty_bg "$sock"
	run -0 env MRC_TEST_TAG="$TAG" "$TERM_BIN/term-driver" --uid 1000 \
		--socket "$sock" -- sh -c 'id -u; stat -c "owner %u" "$(tty)"; echo reopen >"$(tty)"' 3>&-
	recvtty_wait
	[ "$RECVTTY_STATUS" -eq 0 ]
	grep -qx 1000 <<<"$output"
	grep -qx 'owner 1000' <<<"$output"
	grep -qx reopen <<<"$output"
}

@test "term-driver: an exec's pty leaves /dev/console alone" {
	local sock=$BATS_TEST_TMPDIR/console.sock before
	before=$(stat -c %t:%T /dev/console)
	recvtty_bg "$sock"
	run -0 env MRC_TEST_TAG="$TAG" "$TERM_BIN/term-driver" --exec \
		--socket "$sock" -- sh -c "$TTY_SCRIPT" 3>&-
	recvtty_wait
	[ "$RECVTTY_STATUS" -eq 0 ]
	grep -qx hi <<<"$output"
	grep -qx "console $before" <<<"$output"
	run ! same_console_device
}

@test "term-driver: relay from pipes: input in, EOF passed on, no \\r out" {
	local out=$BATS_TEST_TMPDIR/relay.out
	printf 'hello\n' | MRC_TEST_TAG=$TAG timeout 20 "$TERM_BIN/term-driver" \
		--relay -- sh -c 'read x; echo "got $x"; cat; echo done' >"$out" 3>&-
	cat -A "$out" >&2
	grep -qx 'got hello' "$out"
	# cat ended: the pipe's EOF reached the container as the pty's ^D
	grep -qx done "$out"
	# stdout is a file: the pty stops adding \r, as with runc
	run ! grep -q $'\r' "$out"
}

# The foreground checks shared by the driver and `run`: size, resize,
# Ctrl-C, raw mode while running and the terminal restored after.
FG_SCRIPT='stty size; read x; stty size; trap "echo got-int; exit 0" INT; echo ready; while :; do sleep 0.1; done'

check_foreground() {
	wait_pane '^30 100'
	pane_stty | grep -qw -- -icanon # raw while relaying
	pane_stty | grep -qw -- -echo
	tmux_cmd resize-window -t t -x 120 -y 40
	tmux_cmd send-keys -t t go Enter
	wait_pane '^40 120'
	wait_pane '^ready'
	tmux_cmd send-keys -t t C-c
	wait_pane 'got-int$'
	wait_file "$TMUX_DIR/rc"
	cat "$TMUX_DIR/rc" "$TMUX_DIR/stty-after" >&2
	[ "$(cat "$TMUX_DIR/rc")" = rc=0 ]
	# the pane's terminal is the caller's again
	grep -qw icanon "$TMUX_DIR/stty-after"
	grep -qw echo "$TMUX_DIR/stty-after"
	grep -qw isig "$TMUX_DIR/stty-after"
}

@test "term-driver: foreground relay under tmux: size, resize, Ctrl-C, restore" {
	requires_tmux
	tmux_run timeout --foreground -k 5 30 "$TERM_BIN/term-driver" --relay \
		-- sh -c "$FG_SCRIPT"
	check_foreground
}

# ------------------------------------------------------- mini-runc itself

@test "create --console-socket + start: the caller gets the pty" {
	requires_term_wiring
	term_config sh -c "$TTY_SCRIPT"
	cfg_edit '.process.consoleSize = {height: 30, width: 100}'
	local sock=$BATS_TEST_TMPDIR/console.sock
	console_create_start "$sock"
	# the message's data names the slave (runc sends `/dev/ptmx`)
	! is_mini_runc || [ "$(cat "$BATS_TEST_TMPDIR/recvtty.name")" = /dev/pts/0 ]
	grep -qx /dev/pts/0 <<<"$output"
	grep -qx '30 100' <<<"$output"
	grep -qx hi <<<"$output"
	same_console_device
	console_finish
}

# A read-only /dev (issue 13): the console is bound on /dev/console
# (created in /dev) before /dev becomes read-only, as runc orders it.
@test "create --console-socket with a read-only /dev: the console works, /dev refuses writes" {
	requires_term_wiring
	term_config sh -c "$TTY_SCRIPT"'; touch /dev/x 2>&1; grep " /dev " /proc/self/mountinfo'
	cfg_edit '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	local sock=$BATS_TEST_TMPDIR/console.sock
	console_create_start "$sock"
	grep -qx /dev/pts/0 <<<"$output"
	grep -qx hi <<<"$output"
	same_console_device
	grep -qi "read-only file system" <<<"$output"
	[[ "$(grep ' /dev ' <<<"$output")" =~ \ /dev\ ro, ]]
	console_finish
}

@test "create --console-socket: what the caller types reaches the container" {
	requires_term_wiring
	term_config sh -c 'read x; echo "got $x"'
	local sock=$BATS_TEST_TMPDIR/console.sock
	console_create_start "$sock" --input 'hello\n'
	grep -qx 'got hello' <<<"$output"
	console_finish
}

@test "create --console-socket: a socket path over 108 bytes works" {
	requires_mini_runc # runc: `connect: invalid argument`
	requires_term_wiring
	term_config sh -c 'echo long-ok'
	local dir=$BATS_TEST_TMPDIR/$(printf 'd%.0s' {1..60})/$(printf 'e%.0s' {1..60})
	mkdir -p "$dir"
	local sock=$dir/console.sock
	[ "${#sock}" -gt 108 ]
	console_create_start "$sock"
	grep -qx long-ok <<<"$output"
	console_finish
}

@test "run in the foreground under tmux: size, resize, Ctrl-C, restore" {
	requires_term_wiring
	requires_tmux
	term_config sh -c "$FG_SCRIPT"
	tmux_run timeout --foreground -k 5 60 "$MINI_RUNC" --root "$ROOT" \
		run --bundle "$BUNDLE" "$ID"
	check_foreground
	term_teardown # the tmux server, kept alive by remain-on-exit
	assert_nothing_left
}

@test "run with a terminal, stdio pipes: output without \\r, EOF ends it" {
	requires_mini_runc # runc insists on a terminal: `open /dev/tty`
	requires_term_wiring
	term_config sh -c 'read x; echo "got $x"; cat; echo done'
	local out=$BATS_TEST_TMPDIR/run.out
	printf 'hello\n' | mrc run --bundle "$BUNDLE" "$ID" >"$out"
	cat -A "$out" >&2
	grep -qx 'got hello' "$out"
	grep -qx done "$out"
	run ! grep -q $'\r' "$out"
	assert_nothing_left
}

@test "run with a terminal, stdin a pipe kept open: the run ends when the process exits" {
	requires_mini_runc # runc insists on a terminal: `open /dev/tty`
	requires_term_wiring
	term_config sh -c 'echo hi; exit 3'
	# the writer never closes its end: the relay must not wait for it
	run timeout -k 2 10 "$MINI_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" \
		< <(sleep 30)
	[ "$status" -eq 3 ]
	grep -qx hi <<<"$output"
	assert_nothing_left
}

@test "run with a terminal, stdin not a terminal: a forwarded signal ends it" {
	requires_mini_runc # runc insists on a terminal: `open /dev/tty`
	requires_term_wiring
	term_config sh -c 'trap "echo term; exit 7" TERM; echo up; sleep 100 & wait'
	local out=$BATS_TEST_TMPDIR/run.out
	"$MINI_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$ID" >"$out" </dev/null &
	local pid=$!
	for _ in $(seq 100); do grep -q up "$out" && break; sleep 0.1; done
	kill -TERM "$pid"
	local t0=$SECONDS rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 7 ]
	[ $((SECONDS - t0)) -lt 5 ]
	grep -qx term "$out"
	assert_nothing_left
}

# ----------------------------------------------------------------- errors

@test "create: terminal true without --console-socket fails, nothing left" {
	term_config true
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	! is_mini_runc || grep_i console-socket
}

@test "create: --console-socket with terminal false fails, nothing left" {
	local sock=$BATS_TEST_TMPDIR/console.sock
	recvtty_bg "$sock"
	assert_fails_cleanly mrc create --console-socket "$sock" \
		--bundle "$BUNDLE" "$ID"
	! is_mini_runc || grep_i console-socket terminal
}

@test "create: a console socket that is a regular file fails, nothing left" {
	requires_term_wiring
	term_config true
	local f=$BATS_TEST_TMPDIR/not-a-socket
	: >"$f"
	assert_fails_cleanly mrc create --console-socket "$f" \
		--bundle "$BUNDLE" "$ID"
	! is_mini_runc || grep_i "$f" socket
}

@test "create: a missing console socket fails, nothing left" {
	requires_term_wiring
	term_config true
	local f=$BATS_TEST_TMPDIR/missing.sock
	assert_fails_cleanly mrc create --console-socket "$f" \
		--bundle "$BUNDLE" "$ID"
	grep_i "$f" "no such file"
}

@test "create: a console socket that is a directory fails, nothing left" {
	requires_term_wiring
	term_config true
	local d=$BATS_TEST_TMPDIR/dir.sock
	mkdir "$d"
	assert_fails_cleanly mrc create --console-socket "$d" \
		--bundle "$BUNDLE" "$ID"
	! is_mini_runc || grep_i "$d" socket
}

@test "create: nobody listening on the console socket fails, nothing left" {
	requires_term_wiring
	term_config true
	local s=$BATS_TEST_TMPDIR/dead.sock
	# a socket file whose listener is gone
	recvtty_bg "$s"
	kill -9 "$RECVTTY_PID"
	wait "$RECVTTY_PID" || true
	RECVTTY_PID=
	[ -S "$s" ]
	assert_fails_cleanly mrc create --console-socket "$s" \
		--bundle "$BUNDLE" "$ID"
	grep_i "$s" "connection refused"
}
