# kill --all ends every process of the container's cgroup, including those
# that outlived or left the init (no pid namespace here, so they do).  On
# v1 there is no cgroup.kill: mini-runc signals round by round under the
# freezer.
. /tests/lib.sh

new_bundle killall
NAMESPACES="ipc uts mount cgroup"
sh_args 'sleep 1000 & echo "p=$!"; setsid sleep 1000 & echo "p=$!"; (sleep 1000 &) ; echo ready; exec sleep 1000'
start_ctr || diag_file "$B/out"
wait_for 100 in_out "^ready" || diag_file "$B/out"
sleep 0.3
procs=$(cg_procs)
n=$(echo $procs | wc -w)
if [ "$n" -ge 4 ]; then
	ok "the cgroup holds the init and its three sleeps ($n pids)"
else
	not_ok "the cgroup holds the init and its three sleeps"
	diag "cgroup.procs: $procs"
fi
if [ "$LAYOUT" = v1 ]; then
	sorted=$(echo $procs | tr ' ' '\n' | sort -n | tr '\n' ' ')
	same=1
	for d in $(cg_dirs "$CGPATH"); do
		got=$(sort -n "$d/cgroup.procs" 2>/dev/null | tr '\n' ' ')
		[ "$got" = "$sorted" ] || { same=0; diag "$d/cgroup.procs: $got"; }
	done
	if [ "$same" = 1 ]; then
		ok "every v1 hierarchy holds the same processes"
	else
		not_ok "every v1 hierarchy holds the same processes"
		diag "pids hierarchy: $sorted"
	fi
fi

gone() {
	local p st
	for p in $procs; do
		st=$(awk '{print $3}' /proc/$p/stat 2>/dev/null) || continue
		[ "$st" = Z ] || return 1
	done
	return 0
}

# cg_empty: no process left in the container's cgroup, in any hierarchy.
cg_empty() {
	local d
	for d in $(cg_dirs "$CGPATH"); do
		[ -z "$(cat "$d/cgroup.procs" 2>/dev/null)" ] || return 1
	done
}

if mrc kill --all "$ID" KILL; then
	ok "kill --all KILL succeeds"
else
	not_ok "kill --all KILL succeeds"
fi
check "cgroup.procs is empty afterwards" wait_for 50 cg_empty
if wait_for 50 gone; then
	ok "every process of the container is gone"
else
	not_ok "every process of the container is gone"
	for p in $procs; do diag "$p: $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null)"; done
fi
check "state says stopped" wait_for 50 status_is stopped
remove_ctr

# kill without --all signals only the init.
new_bundle killone
NAMESPACES="ipc uts mount cgroup"
sh_args 'trap "echo got-term; exit 0" TERM; setsid sleep 1000 & echo "child=$!"; echo ready; while :; do sleep 0.1; done'
start_ctr || diag_file "$B/out"
wait_for 100 in_out "^ready"
child=$(sed -n 's/^child=//p' "$B/out")
mrc kill "$ID" TERM
wait_for 50 in_out "^got-term"
check "kill without --all delivers the signal to the init" in_out "^got-term"
check "and leaves the other processes alone" test -d /proc/$child
mrc delete --force "$ID" >/dev/null 2>&1
procs=$child
check "delete --force ends what is left in the cgroup" wait_for 50 gone
check "and removes the cgroup" cg_gone "$CGPATH"
remove_ctr
