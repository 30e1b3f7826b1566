#!/usr/bin/env bats
# NOTIFY_SOCKET: the container's READY=1 reaches the caller's socket, with
# the container's MAINPID, before start returns.

load helpers

setup_file() {
	export NOTIFY_BIN=$BATS_FILE_TMPDIR/notify-bin
	mkdir -p "$NOTIFY_BIN"
	gcc -O2 -Wall -Werror -o "$NOTIFY_BIN/notify-listen" "$BATS_TEST_DIRNAME/../helpers/notify-listen.c"
	gcc -O2 -static -Wall -Werror -o "$NOTIFY_BIN/sd-notify" "$BATS_TEST_DIRNAME/../helpers/sd-notify.c"
}

# listen SOCK: a host listener in the background, its output in $LOUT
listen() {
	LOUT=$BATS_TEST_TMPDIR/listen.out
	"$NOTIFY_BIN/notify-listen" "$1" >"$LOUT" 2>&1 &
	LPID=$!
	local i
	for i in $(seq 100); do
		grep -q listening "$LOUT" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

@test "notify: READY=1 from the container reaches NOTIFY_SOCKET, with MAINPID, before start returns" {
	cp "$NOTIFY_BIN/sd-notify" "$BUNDLE/rootfs/bin/sd-notify"
	set_args sh -c 'echo $NOTIFY_SOCKET > /tmp/env; sleep 0.5; sd-notify "READY=1"; sleep 30'
	local sock=$BATS_TEST_TMPDIR/host.sock
	listen "$sock"
	NOTIFY_SOCKET=$sock mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	NOTIFY_SOCKET=$sock run -0 mrc start "$ID"
	wait "$LPID"
	local pid
	pid=$(state_field "$ID" pid)
	cat "$LOUT"
	grep -qx "MAINPID=$pid" "$LOUT"
	grep -qx "READY=1" "$LOUT"
	run -0 mrc exec "$ID" cat /tmp/env
	[ "$output" = /run/notify/notify.sock ]
	run -0 mrc delete --force "$ID"
}

@test "notify: a container that exits before READY=1 fails start" {
	requires_mini_runc
	set_args sh -c 'exit 0'
	local sock=$BATS_TEST_TMPDIR/host.sock
	listen "$sock"
	NOTIFY_SOCKET=$sock mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	NOTIFY_SOCKET=$sock run mrc start "$ID"
	[ "$status" -ne 0 ]
	grep -q "not running" <<<"$output"
	kill "$LPID" 2>/dev/null || true
	wait "$LPID" 2>/dev/null || true
	run -0 mrc delete --force "$ID"
}

@test "notify: without NOTIFY_SOCKET nothing is mounted or set" {
	set_args sh -c 'echo "[$NOTIFY_SOCKET]"; grep -c " /run/notify " /proc/self/mountinfo || true'
	run -0 env -u NOTIFY_SOCKET "$MINI_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = 0 ]
}
