# pids.max: fork fails once the container holds pids.limit tasks.  The
# pids controller's files have the same names on cgroup2 and v1.
. /tests/lib.sh

new_bundle pids
RESOURCES='"pids": {"limit": 10}'
sh_args 'i=0; while [ $i -lt 30 ]; do sleep 1000 & i=$((i+1)); echo "started=$i"; done; echo all-started'
run_ctr --keep
rc=$?
expect_eq "pids.max is the configured limit" 10 "$(cg_read pids.max)"
if [ "$rc" -ne 0 ] && in_out "fork" && ! in_out "^all-started"; then
	ok "fork fails at pids.max (the shell reports it and stops)"
else
	not_ok "fork fails at pids.max"
	diag "run exited $rc"
	diag_file "$B/out"
fi
last=$(sed -n 's/^started=//p' "$B/out" | tail -n1)
if [ -n "$last" ] && [ "$last" -lt 10 ]; then
	ok "fewer than 10 tasks were started ($last background + the shell)"
else
	not_ok "fewer than 10 tasks were started"
	diag "last started=$last"
fi
max=$(cg_value pids.events max)
if [ -n "$max" ] && [ "$max" -ge 1 ]; then
	ok "pids.events counts the refused fork ($max)"
else
	not_ok "pids.events counts the refused fork"
	diag "pids.events: $(cat "$(cg_path pids.events)" 2>&1)"
fi
remove_ctr

# pids.limit 1: the init itself holds the only pid.
new_bundle pids1
RESOURCES='"pids": {"limit": 1}'
sh_args 'sleep 1000 & echo "bg=$?"'
run_ctr --keep
rc=$?
if [ "$rc" -ne 0 ] && ! in_out "^bg=0"; then
	ok "with pids.limit 1 the init cannot fork at all"
else
	not_ok "with pids.limit 1 the init cannot fork at all"
	diag "run exited $rc"
	diag_file "$B/out"
fi
remove_ctr
