#!/usr/bin/env bats
# Concurrent verbs on one id, and a runtime or init killed half-way.

load helpers

@test "20 creates of one id in parallel: exactly one wins, the winner is untouched" {
	set_args sh -c 'echo ran > /tmp/ran'
	local i pids=()
	for i in $(seq 20); do
		(MRC_TEST_TAG=$TAG exec "$MINI_RUNC" --root "$ROOT" create --bundle "$BUNDLE" \
			--pid-file "$BATS_TEST_TMPDIR/pid.$i" "$ID" \
			</dev/null >"$BATS_TEST_TMPDIR/out.$i" 2>&1 3>&-) &
		pids+=($!)
	done
	local ok=0 winner= rc
	for i in $(seq 20); do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		if [ "$rc" -eq 0 ]; then
			ok=$((ok + 1))
			winner=$i
		else
			# Each loser says why.
			[ -s "$BATS_TEST_TMPDIR/out.$i" ]
		fi
	done
	echo "winners: $ok"
	[ "$ok" -eq 1 ]
	# The winner's state is intact and matches its pid file; no loser left
	# a pid file or a process.
	[ "$(state_field "$ID" status)" = created ]
	local pid
	pid=$(state_field "$ID" pid)
	[ "$(cat "$BATS_TEST_TMPDIR/pid.$winner")" = "$pid" ]
	for i in $(seq 20); do
		[ "$i" = "$winner" ] || [ ! -e "$BATS_TEST_TMPDIR/pid.$i" ]
	done
	# (runc's init only carries the config's env once it execs: allow none.)
	local p
	for p in $(tagged_pids); do [ "$p" = "$pid" ]; done
	[ "$(state_entries)" = "$ID" ]
	# And it still runs to completion.
	mrc start "$ID"
	wait_status "$ID" stopped
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = ran ]
	mrc delete "$ID"
	assert_nothing_left
}

@test "distinct ids in parallel all succeed" {
	set_args sh -c 'echo $$'
	local i pids=() ids=()
	for i in $(seq 8); do
		local id
		new_id id
		ids+=("$id")
		(MRC_TEST_TAG=$TAG exec "$MINI_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$id" \
			</dev/null >"$BATS_TEST_TMPDIR/out.$i" 2>&1 3>&-) &
		pids+=($!)
	done
	for i in $(seq 8); do
		wait "${pids[$((i - 1))]}"
		[ "$(cat "$BATS_TEST_TMPDIR/out.$i")" = 1 ]
	done
	assert_nothing_left
}

@test "parallel delete --force of one running container" {
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	local pid i pids=() ok=0
	pid=$(state_field "$ID" pid)
	for i in $(seq 5); do
		(MRC_TEST_TAG=$TAG exec "$MINI_RUNC" --root "$ROOT" delete --force "$ID" \
			</dev/null >/dev/null 2>&1 3>&-) &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" && ok=$((ok + 1))
	done
	[ "$ok" -ge 1 ]
	if is_mini_runc; then [ "$ok" -eq 5 ]; fi # delete --force is idempotent
	wait_gone "$pid"
	assert_nothing_left
}

@test "start and kill racing on a created container leave a consistent state" {
	set_args sleep 30
	local i id pid p1 p2 s
	for i in $(seq 6); do
		new_id id
		mrc create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
		pid=$(state_field "$id" pid)
		(MRC_TEST_TAG=$TAG exec "$MINI_RUNC" --root "$ROOT" start "$id" \
			</dev/null >"$BATS_TEST_TMPDIR/start.$i" 2>&1 3>&-) &
		p1=$!
		(MRC_TEST_TAG=$TAG exec "$MINI_RUNC" --root "$ROOT" kill "$id" KILL \
			</dev/null >/dev/null 2>&1 3>&-) &
		p2=$!
		wait "$p1" || true
		wait "$p2" || true
		echo "round $i: start said: $(cat "$BATS_TEST_TMPDIR/start.$i")"
		# Either the kill won (stopped) or the start did and the kill
		# followed; the container is still there for delete either way.
		s=$(state_field "$id" status)
		[ "$s" = stopped ] || [ "$s" = running ]
		mrc delete --force "$id"
		wait_gone "$pid"
		assert_nothing_left
	done
}

@test "init killed with SIGKILL after create: state says stopped, delete works" {
	mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	local pid
	pid=$(state_field "$ID" pid)
	kill -9 "$pid"
	wait_gone "$pid"
	wait_status "$ID" stopped
	[ "$(state_field "$ID" pid)" = 0 ]
	run ! mrc start "$ID"
	run -0 mrc delete "$ID"
	assert_nothing_left
}

@test "init killed with SIGKILL while running: state says stopped, delete works" {
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	local pid
	pid=$(state_field "$ID" pid)
	kill -9 "$pid"
	wait_gone "$pid"
	wait_status "$ID" stopped
	run -0 mrc delete "$ID"
	assert_nothing_left
}

@test "run itself killed with SIGKILL: the container is still managed, delete --force cleans up" {
	set_args sleep 30
	mrc_bg run --bundle "$BUNDLE" "$ID"
	wait_status "$ID" running
	kill -9 "$BGPID"
	wait "$BGPID" || true
	local s
	s=$(state_field "$ID" status)
	[ "$s" = running ] || [ "$s" = stopped ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

# usleep_builtin US: sleep US microseconds without forking (read -t on a
# fifo nobody writes), so short delays are not swamped by fork+exec.
usleep_builtin() {
	if [ -z "${_MRC_SLEEP_FD:-}" ]; then
		mkfifo "$BATS_TEST_TMPDIR/sleep.fifo"
		exec {_MRC_SLEEP_FD}<>"$BATS_TEST_TMPDIR/sleep.fifo"
	fi
	[ "$1" -gt 0 ] || return 0
	read -r -t "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))" -u "$_MRC_SLEEP_FD" || true
}

# now_us: microseconds since the epoch.
now_us() {
	local t=$EPOCHREALTIME
	echo $((${t%.*} * 1000000 + 10#${t#*.}))
}

@test "the runtime killed with SIGKILL during create, then delete --force cleans up" {
	requires_mini_runc # runc can leave its init or state behind
	# How long one create takes here, so the kills spread over all of it.
	local t0 t1 span id
	new_id id
	t0=$(now_us)
	mrc create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	t1=$(now_us)
	mrc delete --force "$id"
	span=$((t1 - t0))
	echo "one create: ${span}us"
	local attempt delay n=16
	for attempt in $(seq 0 $((n - 1))); do
		new_id id
		delay=$((span * attempt / (n - 2) + RANDOM % 500))
		mrc_bg create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid.$attempt" "$id"
		usleep_builtin "$delay"
		kill -9 "$BGPID" 2>/dev/null || true
		wait "$BGPID" 2>/dev/null || true
		# Whatever stage it reached, state is truthful or the id is unknown.
		run mrc state "$id"
		local s=unknown
		if [ "$status" -eq 0 ]; then
			s=$(jq -r .status <<<"$output")
			case "$s" in created | stopped | running) ;; *) false ;; esac
		else
			grep_i "does not exist"
		fi
		run -0 mrc delete --force "$id"
		run ! mrc state "$id"
		echo "attempt $attempt (killed after ${delay}us, state $s): cleaned"
		assert_nothing_left
		# No stray temporary pid file either (the pid file itself may exist
		# if create got that far).
		[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep pid | grep -Ev '^pid\.[0-9]+$')" ]
	done
}

@test "the runtime killed with SIGKILL during create leaves no unusable id" {
	requires_mini_runc
	local attempt
	for attempt in $(seq 6); do
		mrc_bg create --bundle "$BUNDLE" "$ID"
		sleep "0.0$((attempt * 15 % 100))"
		kill -9 "$BGPID" 2>/dev/null || true
		wait "$BGPID" || true
		mrc delete --force "$ID"
		# The same id can be created again and works.
		mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
		[ "$(state_field "$ID" status)" = created ]
		mrc delete --force "$ID"
		assert_nothing_left
	done
}
