# pause / resume through the freezer (cgroup2 cgroup.freeze, v1
# freezer.state): a counter stops and goes on, a busy loop gets no cpu
# time, and /proc/PID/stat shows every process frozen (cgroup2 parks them
# in the freezer's trap, S; the v1 freezer holds them in D).
. /tests/lib.sh

new_bundle freeze
sh_args 'yes >/dev/null & i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done'
start_ctr || diag_file "$B/out"
COUNT=$B/rootfs/tmp/count
if [ "$LAYOUT" = v1 ]; then
	FROZEN_STATE=D
else
	FROZEN_STATE=S
fi

count() {
	cat "$COUNT" 2>/dev/null
}

count_above() {
	local c
	c=$(count)
	[ -n "$c" ] && [ "$c" -gt "$1" ]
}

# busy_pid: the host pid of the container's `yes`.
busy_pid() {
	local p
	for p in $(cg_procs); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = yes ] && { echo "$p"; return 0; }
	done
	return 1
}

# cpu_ticks PID: its utime + stime.
cpu_ticks() {
	awk '{print $14 + $15}' /proc/$1/stat 2>/dev/null
}

# states: "PID:STATE" of every process of the container.
states() {
	local p
	for p in $(cg_procs); do
		echo "$p:$(awk '{print $3}' /proc/$p/stat 2>/dev/null)"
	done
}

all_frozen() {
	local s n=0
	for s in $(states); do
		[ "${s#*:}" = "$FROZEN_STATE" ] || return 1
		n=$((n + 1))
	done
	[ "$n" -ge 2 ]
}

wait_for 100 count_above 2 || diag "the counter did not start: '$(count)'"
busy=$(busy_pid) || diag "no busy loop in cgroup.procs: $(cg_procs)"
if mrc pause "$ID"; then
	ok "pause succeeds"
else
	not_ok "pause succeeds"
fi
check "state says paused" status_is paused
if [ "$LAYOUT" = v1 ]; then
	expect_eq "freezer.state is FROZEN" FROZEN "$(cg_read freezer.state)"
	expect_eq "freezer.self_freezing is 1" 1 "$(cg_read freezer.self_freezing)"
else
	expect_eq "cgroup.freeze is 1" 1 "$(cg_read cgroup.freeze)"
	expect_eq "cgroup.events says frozen" 1 "$(cg_value cgroup.events frozen)"
fi
if wait_for 20 all_frozen; then
	ok "/proc/PID/stat shows every process frozen ($FROZEN_STATE)"
else
	not_ok "/proc/PID/stat shows every process frozen ($FROZEN_STATE)"
	diag "states: $(states | tr '\n' ' ')"
fi
c1=$(count)
t1=$(cpu_ticks "$busy")
sleep 1
c2=$(count)
t2=$(cpu_ticks "$busy")
expect_eq "the counter stands still while paused" "$c1" "$c2"
if [ -n "$t1" ] && [ "$t1" = "$t2" ]; then
	ok "the busy loop gets no cpu time while paused ($t1 ticks)"
else
	not_ok "the busy loop gets no cpu time while paused"
	diag "utime+stime went from '$t1' to '$t2'"
fi
if mrc resume "$ID"; then
	ok "resume succeeds"
else
	not_ok "resume succeeds"
fi
check "state says running" status_is running
if [ "$LAYOUT" = v1 ]; then
	expect_eq "freezer.state says THAWED" THAWED "$(cg_read freezer.state)"
else
	expect_eq "cgroup.events says thawed" 0 "$(cg_value cgroup.events frozen)"
fi
if wait_for 50 count_above "${c2:-0}"; then
	ok "the counter goes on after resume"
else
	not_ok "the counter goes on after resume"
	diag "count was $c2, is $(count)"
fi
busy_ran() {
	local t
	t=$(cpu_ticks "$busy")
	[ -n "$t" ] && [ -n "$t2" ] && [ "$t" -gt "$t2" ]
}
if wait_for 50 busy_ran; then
	ok "the busy loop runs again after resume"
else
	not_ok "the busy loop runs again after resume"
	diag "utime+stime was '$t2', is '$(cpu_ticks "$busy")', state $(awk '{print $3}' /proc/$busy/stat 2>/dev/null)"
fi
mrc pause "$ID"
if mrc delete --force "$ID" && cg_gone "$CGPATH"; then
	ok "a paused container is deleted with --force, cgroup and all"
else
	not_ok "a paused container is deleted with --force, cgroup and all"
fi
remove_ctr
