# update changes the limits of a running container, and the kernel
# enforces the new ones.
. /tests/lib.sh

new_bundle update
RESOURCES='"memory": {"limit": 268435456}, "pids": {"limit": 100}, "cpu": {"quota": 50000, "period": 100000}'
sh_args 'while [ ! -e /tmp/go ]; do sleep 0.1; done; tail /dev/zero; echo "hog-status=$?"; sleep 1000'
start_ctr || diag_file "$B/out"
expect_eq "memory.max starts at 256M" 268435456 "$(cat $CGDIR/memory.max 2>/dev/null)"

if mrc update --memory 16777216 --memory-swap 16777216 "$ID"; then
	ok "update --memory succeeds"
else
	not_ok "update --memory succeeds"
fi
expect_eq "update --memory changes memory.max" 16777216 "$(cat $CGDIR/memory.max 2>/dev/null)"
expect_eq "and leaves pids.max alone" 100 "$(cat $CGDIR/pids.max 2>/dev/null)"

if echo '{"pids": {"limit": 42}, "cpu": {"quota": 20000, "period": 100000}}' |
	mrc update --resources - "$ID"; then
	ok "update --resources - succeeds"
else
	not_ok "update --resources - succeeds"
fi
expect_eq "update --resources - changes pids.max" 42 "$(cat $CGDIR/pids.max 2>/dev/null)"
expect_eq "update --resources - changes cpu.max" "20000 100000" "$(cat $CGDIR/cpu.max 2>/dev/null)"
expect_eq "and leaves memory.max alone" 16777216 "$(cat $CGDIR/memory.max 2>/dev/null)"

mrc update --pids-limit 64 "$ID"
expect_eq "update --pids-limit changes pids.max" 64 "$(cat $CGDIR/pids.max 2>/dev/null)"

# The lowered memory limit is the one the kernel enforces now.
touch "$B/rootfs/tmp/go"
if wait_for 300 in_out "^hog-status="; then
	expect_eq "a hog is OOM-killed at the updated limit" "hog-status=137" "$(grep '^hog-status=' "$B/out")"
else
	not_ok "a hog is OOM-killed at the updated limit"
	diag_file "$B/out"
fi
expect_eq "memory.events counts the kill" 1 "$(cg_value memory.events oom_kill)"

# A bad update fails and leaves the limits as they were.
if echo '{"memory": {"limit": "lots"}}' | mrc update --resources - "$ID" 2>"$B/err"; then
	not_ok "an update with a malformed limit fails"
else
	ok "an update with a malformed limit fails"
fi
expect_eq "and memory.max keeps its value" 16777216 "$(cat $CGDIR/memory.max 2>/dev/null)"
remove_ctr
