# Placement: the init runs in linux.cgroupsPath from the start (on v1 in
# every hierarchy), and delete removes the cgroups mini-runc created (and
# only those).
. /tests/lib.sh

# in_cgroup_everywhere PATH CGROUP-FILE: every line of a /proc/PID/cgroup
# puts the process at PATH, one line per mounted hierarchy.
in_cgroup_everywhere() {
	local want=$1 file=$2 lines bad
	lines=$(grep -c . "$file" 2>/dev/null)
	bad=$(awk -F: -v p="$want" '{path = $0; sub(/^[^:]*:[^:]*:/, "", path); if (path != p) print}' "$file" 2>/dev/null)
	[ -n "$lines" ] && [ "$lines" -eq "$(cg_mounts | grep -c .)" ] && [ -z "$bad" ]
}

cg_mkdir_all /mrc-keep
new_bundle placement
CGPATH=/mrc-keep/placement
RESOURCES='"pids": {"limit": 50}'
sh_args 'echo "self=$(cat /proc/self/cgroup | tr "\n" " ")"; sleep 1000'
if start_ctr; then
	ok "create and start with cgroupsPath $CGPATH"
else
	not_ok "create and start with cgroupsPath $CGPATH"
	diag_file "$B/out"
fi
pid=$(ctr_pid)
if [ "$LAYOUT" = v1 ]; then
	cat /proc/$pid/cgroup >/tmp/placement.cgroup 2>/dev/null
	if in_cgroup_everywhere "$CGPATH" /tmp/placement.cgroup; then
		ok "the init is in $CGPATH in each of the $(cg_mounts | grep -c .) v1 hierarchies"
	else
		not_ok "the init is in $CGPATH in every v1 hierarchy"
		sed 's/^/# cgroup: /' /tmp/placement.cgroup
	fi
	check "the container has a group of its own in every hierarchy" cg_exists_all "$CGPATH"
	expect_eq "cg_file (by /proc/PID/cgroup) and cg_path (by cgroupsPath) agree" \
		"$(cg_path memory.limit_in_bytes)" "$(cg_file "$pid" memory memory.limit_in_bytes)"
	# A new v1 cpuset group starts with empty cpus and mems, which take no
	# process: mini-runc copies its parent's.
	expect_eq "its cpuset group has the parent's cpus" "$(cat $CG/cpuset/mrc-keep/cpuset.cpus)" "$(cg_read cpuset.cpus)"
	expect_eq "and the parent's mems" "$(cat $CG/cpuset/mrc-keep/cpuset.mems)" "$(cg_read cpuset.mems)"
else
	expect_eq "the init is in $CGPATH" "0::$CGPATH" "$(cat /proc/$pid/cgroup 2>/dev/null)"
	expect_eq "cg_file (by /proc/PID/cgroup) and cg_path (by cgroupsPath) agree" \
		"$(cg_path pids.max)" "$(cg_file "$pid" pids pids.max)"
fi
expect_eq "the limit is written before the init runs" 50 "$(cat "$(cg_file "$pid" pids pids.max)" 2>/dev/null)"
wait_for 50 in_out "^self="
# With a cgroup namespace the container sees its own cgroup as the root
# (on v1, of every hierarchy).
if [ "$LAYOUT" = v1 ]; then
	sed -n 's/^self=//p' "$B/out" | tr ' ' '\n' | grep . >/tmp/placement.self
	if in_cgroup_everywhere / /tmp/placement.self; then
		ok "inside its cgroup namespace the init sees / in every hierarchy"
	else
		not_ok "inside its cgroup namespace the init sees / in every hierarchy"
		diag_file "$B/out"
	fi
else
	if in_out "^self=0::/ \$"; then
		ok "inside its cgroup namespace the init sees 0::/"
	else
		not_ok "inside its cgroup namespace the init sees 0::/"
		diag_file "$B/out"
	fi
	case " $(cat $CG/mrc-keep/cgroup.subtree_control) " in
	*" pids "*) ok "pids is enabled in the parent's subtree_control" ;;
	*) not_ok "pids is enabled in the parent's subtree_control" ;;
	esac
fi
mrc delete --force "$ID" >/dev/null 2>&1
check "delete removes the container's cgroup" cg_gone "$CGPATH"
check "delete keeps a parent cgroup it did not create" cg_exists_all /mrc-keep
cg_rmdir_all /mrc-keep

# A parent path mini-runc made for the container goes with it (runc 1.1
# leaves such parents behind; issue 4 asks mini-runc not to).
new_bundle placement2
CGPATH=/mrc-made/deeper/placement2
sh_args 'sleep 1000'
start_ctr || diag_file "$B/out"
check "the nested cgroup exists while the container runs" cg_exists_all "$CGPATH"
mrc delete --force "$ID" >/dev/null 2>&1
check "delete removes the parents it created" cg_gone /mrc-made

# The default path (no cgroupsPath) is derived from the id and removed too.
new_bundle placement3
sh_args 'cat /proc/self/cgroup; sleep 1000'
write_config
sed -i '/"cgroupsPath"/d' "$B/config.json"
if mrc create --bundle "$B" --pid-file "$B/pid" "$ID" >"$B/out" 2>&1 && mrc start "$ID"; then
	cg=$(cg_pid_cgroup "$(ctr_pid)" pids)
	case $cg in
	*placement3*) ok "the default cgroup path names the id ($cg)" ;;
	*) not_ok "the default cgroup path names the id"; diag "got '$cg'" ;;
	esac
	if [ "$LAYOUT" = v1 ]; then
		cat /proc/$(ctr_pid)/cgroup >/tmp/placement3.cgroup
		check "it is the same path in every v1 hierarchy" in_cgroup_everywhere "$cg" /tmp/placement3.cgroup ||
			sed 's/^/# cgroup: /' /tmp/placement3.cgroup
	fi
	mrc delete --force "$ID" >/dev/null 2>&1
	check "delete removes the default cgroup" cg_gone "$cg"
else
	not_ok "a container without cgroupsPath starts"
	diag_file "$B/out"
fi
remove_ctr

# Without a cgroup namespace a `cgroup` mount on cgroup2 shows the whole
# hierarchy from its root (a bind of the root, src/setup/mounts.c), with
# the container's own group in it, read-only as asked.
if [ "$LAYOUT" = v2 ]; then
	new_bundle cgmount
	NAMESPACES="pid ipc uts mount"
	MOUNTS=', {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
	 "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}'
	script='awk '\''$5 == "/sys/fs/cgroup" {print "fs=" $9 " root=" $4 " opts=" $6}'\'' /proc/self/mountinfo;'
	script="$script"' [ -f /sys/fs/cgroup/cgroup.controllers ] && echo hierarchy-root;'
	script="$script"' grep -qx "$$" /sys/fs/cgroup'"$CGPATH"'/cgroup.procs && echo own-group;'
	script="$script"' if mkdir /sys/fs/cgroup/mrc-x 2>/dev/null; then echo writable; else echo read-only; fi'
	sh_args "$script"
	run_ctr
	check "a cgroup mount without a cgroup namespace is cgroup2 from its root" \
		in_out "^fs=cgroup2 root=/ " || diag_file "$B/out"
	check "that mount is ro,nosuid,nodev,noexec,relatime as asked" \
		in_out " opts=ro,nosuid,nodev,noexec,relatime$"
	check "it shows the hierarchy's root" in_out "^hierarchy-root"
	check "it shows the container's own group holding the init" in_out "^own-group"
	check "it is read-only" in_out "^read-only"
	remove_ctr
fi
