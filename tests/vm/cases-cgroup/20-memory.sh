# The memory limit: a hog is OOM-killed, the kernel counts it (cgroup2
# memory.events, v1 memory.oom_control), `events` reports it, `events
# --stats` shows the limit.
. /tests/lib.sh

# check_limit DESC: the memory limit files hold $LIMIT (memory.max; on v1
# memory.limit_in_bytes, and memory.memsw.limit_in_bytes where the kernel
# accounts swap: memory.swap is the total of both there).
check_limit() {
	if [ "$LAYOUT" = v1 ]; then
		expect_eq "memory.limit_in_bytes is the configured limit" $LIMIT "$(cg_read memory.limit_in_bytes)"
		if [ -e "$CG/memory/memory.memsw.limit_in_bytes" ]; then
			expect_eq "memory.memsw.limit_in_bytes is the configured swap" $LIMIT "$(cg_read memory.memsw.limit_in_bytes)"
		fi
	else
		expect_eq "memory.max is the configured limit" $LIMIT "$(cg_read memory.max)"
	fi
}

# oom_kills: the kernel's count of OOM kills in the container's cgroup.
oom_kills() {
	if [ "$LAYOUT" = v1 ]; then
		cg_value memory.oom_control oom_kill
	else
		cg_value memory.events oom_kill
	fi
}

LIMIT=16777216
MEM="\"memory\": {\"limit\": $LIMIT, \"swap\": $LIMIT}"

# 1. The hog is the init: run exits 137 (128 + SIGKILL).
new_bundle oom
RESOURCES=$MEM
ARGS='["tail", "/dev/zero"]'
run_ctr --keep
expect_eq "run of a memory hog at a 16M memory limit exits 137" 137 "$?" || diag_file "$B/out"
check_limit
if [ "$LAYOUT" = v1 ]; then
	expect_eq "memory.oom_control counts one oom_kill" 1 "$(oom_kills)"
	expect_eq "and says the group is not under OOM any more" 0 "$(cg_value memory.oom_control under_oom)"
else
	expect_eq "memory.events counts one oom_kill" 1 "$(oom_kills)"
fi
remove_ctr

# 2. A hog under a live init; `events` watches.
new_bundle oomev
RESOURCES=$MEM
sh_args 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; echo "hog-status=$?"; sleep 1000'
start_ctr || diag_file "$B/out"
timeout 60 mini-runc --root "$MRC_ROOT" events "$ID" >"$B/events" 2>&1 &
evpid=$!
# events counts the OOMs after it started watching: its first stats line
# comes after it took that count, so only then may the hog start
stats_seen() {
	grep -q '"type": *"stats"' "$B/events" 2>/dev/null
}
wait_for 300 stats_seen || diag "events printed no stats line"
touch "$B/rootfs/tmp/go"
if wait_for 300 in_out "^hog-status="; then
	expect_eq "the hog under a live init is killed with SIGKILL" "hog-status=137" "$(grep '^hog-status=' "$B/out")"
else
	not_ok "the hog under a live init is killed"
	diag_file "$B/out"
fi
expect_eq "the init survives the OOM kill of its child" 0 "$(status_is running; echo $?)"
if wait_for 100 grep -q '"type": *"oom"' "$B/events"; then
	ok "events reports the OOM"
else
	not_ok "events reports the OOM"
	diag_file "$B/events"
fi
kill $evpid 2>/dev/null
wait $evpid 2>/dev/null

mrc events --stats "$ID" >"$B/stats" 2>&1
if grep -q '"type": *"stats"' "$B/stats" && grep -q "\"limit\": *$LIMIT" "$B/stats"; then
	ok "events --stats shows the memory limit"
else
	not_ok "events --stats shows the memory limit"
	diag_file "$B/stats"
fi
if grep -q '"pids": *{ *"current": *[1-9]' "$B/stats"; then
	ok "events --stats counts the container's pids"
else
	not_ok "events --stats counts the container's pids"
	diag_file "$B/stats"
fi
remove_ctr
