# update changes the limits of a running container, and the kernel
# enforces the new ones.  The memory limit is memory.max on cgroup2 and
# memory.limit_in_bytes (with memory.memsw.limit_in_bytes for the swap
# total, where the kernel accounts swap) on v1; the cpu quota cpu.max, or
# cpu.cfs_quota_us and cpu.cfs_period_us.
. /tests/lib.sh

if [ "$LAYOUT" = v1 ]; then
	MEMFILE=memory.limit_in_bytes
else
	MEMFILE=memory.max
fi

# check_quota DESC QUOTA PERIOD
check_quota() {
	if [ "$LAYOUT" = v1 ]; then
		expect_eq "$1 (cpu.cfs_quota_us)" "$2" "$(cg_read cpu.cfs_quota_us)"
		expect_eq "$1 (cpu.cfs_period_us)" "$3" "$(cg_read cpu.cfs_period_us)"
	else
		expect_eq "$1" "$2 $3" "$(cg_read cpu.max)"
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

new_bundle update
RESOURCES='"memory": {"limit": 268435456}, "pids": {"limit": 100}, "cpu": {"quota": 50000, "period": 100000}'
sh_args 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; echo "hog-status=$?"; sleep 1000'
start_ctr || diag_file "$B/out"
expect_eq "$MEMFILE starts at 256M" 268435456 "$(cg_read $MEMFILE)"
check_quota "the cpu quota starts at 50%" 50000 100000

if mrc update --memory 16777216 --memory-swap 16777216 "$ID"; then
	ok "update --memory succeeds"
else
	not_ok "update --memory succeeds"
fi
expect_eq "update --memory changes $MEMFILE" 16777216 "$(cg_read $MEMFILE)"
if [ "$LAYOUT" = v1 ] && [ -e "$CG/memory/memory.memsw.limit_in_bytes" ]; then
	expect_eq "update --memory-swap changes memory.memsw.limit_in_bytes" 16777216 "$(cg_read memory.memsw.limit_in_bytes)"
fi
expect_eq "and leaves pids.max alone" 100 "$(cg_read pids.max)"

if echo '{"pids": {"limit": 42}, "cpu": {"quota": 20000, "period": 100000}}' |
	mrc update --resources - "$ID"; then
	ok "update --resources - succeeds"
else
	not_ok "update --resources - succeeds"
fi
expect_eq "update --resources - changes pids.max" 42 "$(cg_read pids.max)"
check_quota "update --resources - changes the cpu quota" 20000 100000
expect_eq "and leaves $MEMFILE alone" 16777216 "$(cg_read $MEMFILE)"

mrc update --pids-limit 64 "$ID"
expect_eq "update --pids-limit changes pids.max" 64 "$(cg_read pids.max)"

# The lowered memory limit is the one the kernel enforces now.
touch "$B/rootfs/tmp/go"
if wait_for 300 in_out "^hog-status="; then
	expect_eq "a hog is OOM-killed at the updated limit" "hog-status=137" "$(grep '^hog-status=' "$B/out")"
else
	not_ok "a hog is OOM-killed at the updated limit"
	diag_file "$B/out"
fi
if [ "$LAYOUT" = v1 ]; then
	expect_eq "memory.oom_control counts the kill" 1 "$(oom_kills)"
else
	expect_eq "memory.events counts the kill" 1 "$(oom_kills)"
fi

# A bad update fails and leaves the limits as they were.
if echo '{"memory": {"limit": "lots"}}' | mrc update --resources - "$ID" 2>"$B/err"; then
	not_ok "an update with a malformed limit fails"
else
	ok "an update with a malformed limit fails"
fi
expect_eq "and $MEMFILE keeps its value" 16777216 "$(cg_read $MEMFILE)"
remove_ctr
