# Placement: the init runs in linux.cgroupsPath from the start, and delete
# removes the cgroups mini-runc created (and only those).
. /tests/lib.sh

mkdir -p $CG/mrc-keep
new_bundle placement
CGPATH=/mrc-keep/placement
CGDIR=$CG$CGPATH
RESOURCES='"pids": {"limit": 50}'
sh_args 'echo "self=$(cat /proc/self/cgroup)"; sleep 1000'
if start_ctr; then
	ok "create and start with cgroupsPath $CGPATH"
else
	not_ok "create and start with cgroupsPath $CGPATH"
	diag_file "$B/out"
fi
pid=$(ctr_pid)
expect_eq "the init is in $CGPATH" "0::$CGPATH" "$(cat /proc/$pid/cgroup 2>/dev/null)"
expect_eq "the limit is written before the init runs" 50 "$(cat $CGDIR/pids.max 2>/dev/null)"
wait_for 50 in_out "^self="
# With a cgroup namespace the container sees its own cgroup as the root.
if in_out "^self=0::/\$"; then
	ok "inside its cgroup namespace the init sees 0::/"
else
	not_ok "inside its cgroup namespace the init sees 0::/"
	diag_file "$B/out"
fi
case " $(cat $CG/mrc-keep/cgroup.subtree_control) " in
*" pids "*) ok "pids is enabled in the parent's subtree_control" ;;
*) not_ok "pids is enabled in the parent's subtree_control" ;;
esac
mrc delete --force "$ID" >/dev/null 2>&1
check "delete removes the container's cgroup" test ! -e "$CGDIR"
check "delete keeps a parent cgroup it did not create" test -d $CG/mrc-keep
rmdir $CG/mrc-keep

# A parent path mini-runc made for the container goes with it (runc 1.1
# leaves such parents behind; issue 4 asks mini-runc not to).
new_bundle placement2
CGPATH=/mrc-made/deeper/placement2
CGDIR=$CG$CGPATH
sh_args 'sleep 1000'
start_ctr || diag_file "$B/out"
check "the nested cgroup exists while the container runs" test -d "$CGDIR"
mrc delete --force "$ID" >/dev/null 2>&1
check "delete removes the parents it created" test ! -e $CG/mrc-made

# The default path (no cgroupsPath) is derived from the id and removed too.
new_bundle placement3
sh_args 'cat /proc/self/cgroup; sleep 1000'
write_config
sed -i '/"cgroupsPath"/d' "$B/config.json"
if mrc create --bundle "$B" --pid-file "$B/pid" "$ID" >"$B/out" 2>&1 && mrc start "$ID"; then
	cg=$(sed -n 's/^0:://p' /proc/$(ctr_pid)/cgroup)
	case $cg in
	*placement3*) ok "the default cgroup path names the id ($cg)" ;;
	*) not_ok "the default cgroup path names the id"; diag "got '$cg'" ;;
	esac
	mrc delete --force "$ID" >/dev/null 2>&1
	check "delete removes the default cgroup" test ! -e "$CG$cg"
else
	not_ok "a container without cgroupsPath starts"
	diag_file "$B/out"
fi
remove_ctr
