# cpu.max throttles a busy loop; cpuset pins the container to one cpu.
. /tests/lib.sh

new_bundle cpumax
RESOURCES='"cpu": {"quota": 10000, "period": 100000}'
sh_args 'timeout 2 yes >/dev/null; echo busy-done'
run_ctr --keep
expect_eq "cpu.max is quota and period" "10000 100000" "$(cat $CGDIR/cpu.max 2>/dev/null)"
thr=$(cg_value cpu.stat nr_throttled)
if in_out "^busy-done" && [ -n "$thr" ] && [ "$thr" -gt 0 ]; then
	ok "a busy loop at cpu.max 10% is throttled (nr_throttled $thr)"
else
	not_ok "a busy loop at cpu.max 10% is throttled"
	diag "cpu.stat: $(tr '\n' ' ' <$CGDIR/cpu.stat 2>&1)"
	diag_file "$B/out"
fi
remove_ctr

new_bundle cpuweight
RESOURCES='"cpu": {"shares": 1024}'
run_ctr --keep
# runc and crun: weight = 1 + ((shares - 2) * 9999) / 262142.
expect_eq "cpu.shares 1024 becomes cpu.weight 39" 39 "$(cat $CGDIR/cpu.weight 2>/dev/null)"
remove_ctr

new_bundle cpuset
last=$(($(nproc) - 1))
RESOURCES="\"cpu\": {\"cpus\": \"$last\", \"mems\": \"0\"}"
sh_args 'grep Cpus_allowed_list /proc/self/status'
run_ctr --keep
expect_eq "cpuset.cpus is the configured cpu" "$last" "$(cat $CGDIR/cpuset.cpus 2>/dev/null)"
got=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$B/out")
expect_eq "the container's Cpus_allowed_list is cpu $last" "$last" "$got" || diag_file "$B/out"
remove_ctr
