# Helpers for terminal.bats: the two test programs, recvtty in the
# background, and a private tmux server per test.
#
#   build_term_helpers    (setup_file) gcc tests/helpers/{recvtty,term-driver}.c
#                         into $TERM_BIN
#   requires_term_wiring  skip while src/process does not call
#                         mrc_term_setup_child (mini-runc only)
#   recvtty_bg SOCK [OPTS...]  recvtty listening on SOCK, output in
#                         $BATS_TEST_TMPDIR/recvtty.{out,err,name}
#   recvtty_wait          wait for it; its status in $RECVTTY_STATUS
#   console_create_start SOCK [OPTS...]  create + start with --console-socket,
#                         $output what recvtty received
#   console_finish        the container stopped, deleted, nothing left
#   tmux_run CMD...       CMD in a detached 100x30 tmux pane (no status
#                         line); when CMD ends, its status goes to
#                         $TMUX_DIR/rc and the pane's `stty -a` to
#                         $TMUX_DIR/stty-after
#   wait_pane REGEX       poll the pane's text until REGEX matches
#   term_teardown         stop what these started (teardown calls it)

TERM_BIN=${TERM_BIN:-}

build_term_helpers() {
	export TERM_BIN=$BATS_FILE_TMPDIR/term-bin
	mkdir -p "$TERM_BIN"
	gcc -O2 -Wall -Wextra -Werror -o "$TERM_BIN/recvtty" \
		"$REPO_ROOT/tests/helpers/recvtty.c"
	# term-driver links the module under test from source, so it needs no
	# build of the rest of mini-runc.
	gcc -O2 -Wall -Wextra -Werror -I"$REPO_ROOT/include" \
		-o "$TERM_BIN/term-driver" "$REPO_ROOT/tests/helpers/term-driver.c" \
		"$REPO_ROOT"/src/term/*.c "$REPO_ROOT"/src/util/error.c \
		"$REPO_ROOT"/src/util/fs.c "$REPO_ROOT"/src/util/fdpass.c \
		"$REPO_ROOT"/src/util/file.c "$REPO_ROOT"/src/util/clock.c \
		"$REPO_ROOT"/src/util/resolve.c "$REPO_ROOT"/src/util/log.c -lyajl
}

requires_term_wiring() {
	is_mini_runc || return 0
	grep -qs mrc_term_setup_child "$REPO_ROOT"/src/process/*.c ||
		skip "terminals are not wired into src/process yet"
}

requires_tmux() {
	command -v tmux >/dev/null || skip "tmux is not installed"
}

# A terminal config: process.terminal and the given args.
term_config() {
	cfg_edit '.process.terminal = true'
	set_args "$@"
}

recvtty_bg() {
	local sock=$1
	shift
	rm -f "$sock"
	# untagged: it is the caller, not the runtime (term_teardown stops it)
	"$TERM_BIN/recvtty" --timeout 30 \
		--name-file "$BATS_TEST_TMPDIR/recvtty.name" "$@" "$sock" \
		</dev/null >"$BATS_TEST_TMPDIR/recvtty.out" \
		2>"$BATS_TEST_TMPDIR/recvtty.err" 3>&- &
	RECVTTY_PID=$!
	local n=50
	while [ ! -S "$sock" ] && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ -S "$sock" ] || { echo "recvtty did not listen on $sock" >&2; return 1; }
}

# Its output with the pty's \r removed, in $output.
recvtty_wait() {
	RECVTTY_STATUS=0
	wait "$RECVTTY_PID" || RECVTTY_STATUS=$?
	RECVTTY_PID=
	output=$(tr -d '\r' <"$BATS_TEST_TMPDIR/recvtty.out")
	echo "recvtty: status $RECVTTY_STATUS, output: $output" >&2
	cat "$BATS_TEST_TMPDIR/recvtty.err" >&2
}

# console_create_start SOCK [RECVTTY_OPTS...]: create $ID with
# --console-socket SOCK (recvtty at the other end) and start it; $output
# is then what the caller's end received.
console_create_start() {
	local sock=$1
	shift
	recvtty_bg "$sock" "$@"
	rund -0 mrc create --console-socket "$sock" --bundle "$BUNDLE" "$ID"
	run -0 mrc start "$ID"
	recvtty_wait
	[ "$RECVTTY_STATUS" -eq 0 ]
}

# console_finish: $ID stopped and deleted, nothing left behind.
console_finish() {
	wait_status "$ID" stopped
	mrc delete "$ID"
	assert_nothing_left
}

tmux_cmd() {
	tmux -S "$TMUX_DIR/sock" "$@"
}

tmux_run() {
	TMUX_DIR=$BATS_TEST_TMPDIR/tmux
	mkdir -p "$TMUX_DIR"
	# remain-on-exit: the pane's last words stay readable after CMD ends
	printf 'set -g status off\nset -g remain-on-exit on\n' >"$TMUX_DIR/conf"
	{
		printf 'export MRC_TEST_TAG=%q\n' "$TAG"
		printf '%q ' "$@"
		printf '\necho "rc=$?" >%q.tmp\n' "$TMUX_DIR/rc"
		printf 'stty -a >%q\n' "$TMUX_DIR/stty-after"
		printf 'mv %q.tmp %q\n' "$TMUX_DIR/rc" "$TMUX_DIR/rc"
	} >"$TMUX_DIR/pane.sh"
	MRC_TEST_TAG=$TAG tmux -S "$TMUX_DIR/sock" -f "$TMUX_DIR/conf" \
		new-session -d -s t -x 100 -y 30 "sh $TMUX_DIR/pane.sh" 3>&-
}

pane_text() {
	tmux_cmd capture-pane -p -J -t t 2>/dev/null
}

# wait_pane REGEX [TENTHS]: the pane shows a line matching REGEX.
wait_pane() {
	local n=${2:-100}
	while [ "$n" -gt 0 ]; do
		pane_text | grep -qE -- "$1" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "pane never showed /$1/; it shows:" >&2
	pane_text >&2
	return 1
}

# The tty of the pane, as seen from outside.
pane_stty() {
	stty -a -F "$(tmux_cmd display -p -t t '#{pane_tty}')"
}

term_teardown() {
	if [ -n "${TMUX_DIR:-}" ] && [ -S "$TMUX_DIR/sock" ]; then
		tmux_cmd kill-server 2>/dev/null || true
	fi
	if [ -n "${RECVTTY_PID:-}" ]; then
		kill "$RECVTTY_PID" 2>/dev/null || true
		wait "$RECVTTY_PID" 2>/dev/null || true
	fi
}

# Run term_teardown before the shared teardown of helpers.bash.
eval "_shared_teardown() $(declare -f teardown | tail -n +2)"
teardown() {
	term_teardown
	_shared_teardown
}
