#!/usr/bin/env bats
# A bounded soak (issue 15): many lifecycles in a row leave nothing behind
# and cost the same at the end as at the start.  Bounds are ratios, wide
# enough for a shared machine: they catch growth (a leak, a scan of every
# container), not noise.

load helpers

SOAK_N=${MRC_SOAK_N:-1000}

# soak_ids: one glob for every container of this test, for the leftover
# checks of helpers.bash (find -name takes it as a pattern).
soak_prefix() {
	SOAK=mrcsoak${BATS_TEST_NUMBER}-$$
	MRC_IDS+=("$SOAK-*")
}

now_us() {
	local t=$EPOCHREALTIME
	echo $((${t%.*} * 1000000 + 10#${t#*.}))
}

# median of the numbers on stdin
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

@test "soak: $SOAK_N lifecycles (run, then delete): nothing left, the same fds each time, flat mounts, no growing cost" {
	soak_prefix
	# what the container's process holds: the same every time
	set_args sh -c 'ls /proc/self/fd | wc -l'
	local i t0 t1 mounts0 first last
	mounts0=$(wc -l </proc/self/mountinfo)
	: >"$BATS_TEST_TMPDIR/times"
	: >"$BATS_TEST_TMPDIR/fds"
	for i in $(seq 1 "$SOAK_N"); do
		t0=$(now_us)
		mrc run --bundle "$BUNDLE" "$SOAK-$i" </dev/null >>"$BATS_TEST_TMPDIR/fds" 2>&1 ||
			{ echo "run $i failed" >&2; return 1; }
		t1=$(now_us)
		echo "$i $((t1 - t0))" >>"$BATS_TEST_TMPDIR/times"
	done
	[ "$(wc -l <"$BATS_TEST_TMPDIR/fds")" -eq "$SOAK_N" ]
	[ "$(sort -u "$BATS_TEST_TMPDIR/fds" | wc -l)" -eq 1 ]
	# the cost of one lifecycle: the last tenth against the first tenth
	local tenth=$((SOAK_N / 10))
	first=$(head -n "$tenth" "$BATS_TEST_TMPDIR/times" | cut -d' ' -f2 | median)
	last=$(tail -n "$tenth" "$BATS_TEST_TMPDIR/times" | cut -d' ' -f2 | median)
	echo "median lifecycle: first tenth ${first}us, last tenth ${last}us" >&2
	[ "$last" -le $((first * 3)) ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts0" ]
	assert_nothing_left
}

@test "soak: $((SOAK_N / 5)) lifecycles with exec and hooks: every hook ran once each time, nothing left" {
	requires_mini_runc # the hook counting below is ours; runc passes it too but slowly
	soak_prefix
	local n=$((SOAK_N / 5)) i log=$BATS_TEST_TMPDIR/hooks.log
	cat >"$BATS_TEST_TMPDIR/hook" <<H
#!/bin/sh
read -r state
echo "\$1" >>"$log"
H
	chmod +x "$BATS_TEST_TMPDIR/hook"
	cfg_edit --arg h "$BATS_TEST_TMPDIR/hook" \
		'.hooks = {createRuntime: [{path: $h, args: ["hook", "createRuntime"]}],
		           poststart: [{path: $h, args: ["hook", "poststart"]}],
		           poststop: [{path: $h, args: ["hook", "poststop"]}]}'
	set_args sleep 100
	local mounts0 pid
	mounts0=$(wc -l </proc/self/mountinfo)
	: >"$BATS_TEST_TMPDIR/fds"
	for i in $(seq 1 "$n"); do
		mrc run -d --bundle "$BUNDLE" "$SOAK-$i" </dev/null >/dev/null 2>&1 ||
			{ echo "run -d $i failed" >&2; return 1; }
		# the init's fds and an exec'd process's: the same every time
		pid=$(state_field "$SOAK-$i" pid)
		{ ls "/proc/$pid/fd" | wc -l; mrc exec "$SOAK-$i" sh -c 'ls /proc/self/fd | wc -l'; } \
			| paste -sd' ' >>"$BATS_TEST_TMPDIR/fds" ||
			{ echo "exec $i failed" >&2; return 1; }
		mrc delete --force "$SOAK-$i" ||
			{ echo "delete $i failed" >&2; return 1; }
	done
	[ "$(grep -cx createRuntime "$log")" -eq "$n" ]
	[ "$(grep -cx poststart "$log")" -eq "$n" ]
	[ "$(grep -cx poststop "$log")" -eq "$n" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts0" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/fds")" -eq "$n" ]
	[ "$(sort -u "$BATS_TEST_TMPDIR/fds" | wc -l)" -eq 1 ]
	assert_nothing_left
}

@test "soak: a long foreground run keeps a flat RSS while it relays output and signals" {
	soak_prefix
	set_args sh -c 'trap "" USR1; i=0; while [ $i -lt 400 ]; do echo line $i; i=$((i + 1)); sleep 0.01; done'
	"$MINI_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$SOAK-1" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$! rss0 rss1 i
	sleep 1
	rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	# signals to forward, output to relay: the monitor's work
	for i in $(seq 50); do kill -USR1 "$pid" 2>/dev/null || true; sleep 0.04; done
	rss1=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	wait "$pid"
	echo "RSS of the run: ${rss0} KiB after 1 s, ${rss1} KiB after 3 s" >&2
	[ -n "$rss0" ] && [ -n "$rss1" ]
	[ "$rss1" -le $((rss0 + 256)) ]
	grep -qx "line 399" "$BATS_TEST_TMPDIR/out"
	assert_nothing_left
}

@test "soak: with $SOAK_N containers present, state costs as with one and list stays linear" {
	requires_mini_runc # runc's list is slow enough to make this long
	soak_prefix
	set_args sleep 300
	local i t0 state1 list1 stateN listN
	mrc run -d --bundle "$BUNDLE" "$SOAK-0" </dev/null >/dev/null 2>&1
	time_of() {
		local r k
		for k in 1 2 3 4 5; do
			t0=$(now_us)
			"$@" >/dev/null 2>&1
			echo $(($(now_us) - t0))
		done | median
	}
	state1=$(time_of mrc state "$SOAK-0")
	list1=$(time_of mrc list)
	for i in $(seq 1 "$SOAK_N"); do
		mrc create --bundle "$BUNDLE" "$SOAK-$i" </dev/null >/dev/null 2>&1 ||
			{ echo "create $i failed" >&2; return 1; }
	done
	stateN=$(time_of mrc state "$SOAK-0")
	listN=$(time_of mrc list)
	echo "state: ${state1}us with 1, ${stateN}us with $((SOAK_N + 1)); list: ${list1}us, ${listN}us" >&2
	[ "$(mrc list -q | grep -c "^$SOAK-")" -eq $((SOAK_N + 1)) ]
	# state reads one container: the others must not cost it anything
	[ "$stateN" -le $((state1 * 3)) ]
	# list reads each once: at most linear, with room for the machine
	[ "$listN" -le $((list1 + (SOAK_N + 1) * (list1 > 2000 ? 2000 : list1) )) ]
	for i in $(seq 0 "$SOAK_N"); do
		mrc delete --force "$SOAK-$i" || { echo "delete $i failed" >&2; return 1; }
	done
	assert_nothing_left
}
