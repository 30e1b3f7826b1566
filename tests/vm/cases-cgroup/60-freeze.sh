# pause / resume through cgroup.freeze: a counter stops and goes on.
. /tests/lib.sh

new_bundle freeze
sh_args 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done'
start_ctr || diag_file "$B/out"
COUNT=$B/rootfs/tmp/count

count() {
	cat "$COUNT" 2>/dev/null
}

count_above() {
	local c
	c=$(count)
	[ -n "$c" ] && [ "$c" -gt "$1" ]
}

wait_for 100 count_above 2 || diag "the counter did not start: '$(count)'"
if mrc pause "$ID"; then
	ok "pause succeeds"
else
	not_ok "pause succeeds"
fi
check "state says paused" status_is paused
expect_eq "cgroup.freeze is 1" 1 "$(cat $CGDIR/cgroup.freeze 2>/dev/null)"
expect_eq "cgroup.events says frozen" 1 "$(cg_value cgroup.events frozen)"
c1=$(count)
sleep 1
c2=$(count)
expect_eq "the counter stands still while paused" "$c1" "$c2"
if mrc resume "$ID"; then
	ok "resume succeeds"
else
	not_ok "resume succeeds"
fi
check "state says running" status_is running
expect_eq "cgroup.events says thawed" 0 "$(cg_value cgroup.events frozen)"
if wait_for 50 count_above "${c2:-0}"; then
	ok "the counter goes on after resume"
else
	not_ok "the counter goes on after resume"
	diag "count was $c2, is $(count)"
fi
mrc pause "$ID"
if mrc delete --force "$ID" && [ ! -e "$CGDIR" ]; then
	ok "a paused container is deleted with --force, cgroup and all"
else
	not_ok "a paused container is deleted with --force, cgroup and all"
fi
remove_ctr
