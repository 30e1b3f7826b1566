# The cpu quota (cgroup2 cpu.max, v1 cpu.cfs_quota_us and cpu.cfs_period_us)
# throttles a busy loop; cpuset pins the container to one cpu.
. /tests/lib.sh

new_bundle cpumax
RESOURCES='"cpu": {"quota": 10000, "period": 100000}'
sh_args 'timeout 2 yes >/dev/null; echo busy-done'
run_ctr --keep
if [ "$LAYOUT" = v1 ]; then
	expect_eq "cpu.cfs_quota_us is the quota" 10000 "$(cg_read cpu.cfs_quota_us)"
	expect_eq "cpu.cfs_period_us is the period" 100000 "$(cg_read cpu.cfs_period_us)"
else
	expect_eq "cpu.max is quota and period" "10000 100000" "$(cg_read cpu.max)"
fi
thr=$(cg_value cpu.stat nr_throttled)
if in_out "^busy-done" && [ -n "$thr" ] && [ "$thr" -gt 0 ]; then
	ok "a busy loop at a 10% cpu quota is throttled (nr_throttled $thr)"
else
	not_ok "a busy loop at a 10% cpu quota is throttled"
	diag "cpu.stat: $(tr '\n' ' ' <"$(cg_path cpu.stat)" 2>&1)"
	diag_file "$B/out"
fi
remove_ctr

new_bundle cpuweight
if [ "$LAYOUT" = v1 ]; then
	# 1024 is v1's default: another value shows it was written.
	RESOURCES='"cpu": {"shares": 512}'
	run_ctr --keep
	expect_eq "cpu.shares 512 is written to cpu.shares" 512 "$(cg_read cpu.shares)"
else
	RESOURCES='"cpu": {"shares": 1024}'
	run_ctr --keep
	# runc and crun: weight = 1 + ((shares - 2) * 9999) / 262142.
	expect_eq "cpu.shares 1024 becomes cpu.weight 39" 39 "$(cg_read cpu.weight)"
fi
remove_ctr

new_bundle cpuset
last=$(($(nproc) - 1))
RESOURCES="\"cpu\": {\"cpus\": \"$last\", \"mems\": \"0\"}"
sh_args 'grep Cpus_allowed_list /proc/self/status'
run_ctr --keep
expect_eq "cpuset.cpus is the configured cpu" "$last" "$(cg_read cpuset.cpus)"
if [ "$LAYOUT" = v1 ]; then
	expect_eq "cpuset.mems is the configured node" 0 "$(cg_read cpuset.mems)"
fi
got=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$B/out")
expect_eq "the container's Cpus_allowed_list is cpu $last" "$last" "$got" || diag_file "$B/out"
remove_ctr
