# The harness itself: a machine with the cgroup layout of this boot (pure
# cgroup v2, or only v1 hierarchies) on which mini-runc runs a busybox
# container.  Passes before mini-runc creates any cgroup.
. /tests/lib.sh

# The layout /init was asked for is the one mountinfo shows.
expect_eq "mountinfo shows the $LAYOUT layout /init mounted" "$LAYOUT" "$(cg_layout_seen)" ||
	cg_mounts | sed 's/^/# /'

if [ "$LAYOUT" = v1 ]; then
	# Legacy: each controller the cases need has a v1 hierarchy of its
	# own (cpu with cpuacct), and there is no cgroup2 at all.
	for c in memory pids cpu cpuacct cpuset devices freezer blkio name=systemd; do
		m=$(cg_mount "$c")
		case $m in
		"/ $CG/"*) ok "a v1 hierarchy holds $c (${m#* })" ;;
		*) not_ok "a v1 hierarchy holds $c"; diag "cg_mount $c: '$m'" ;;
		esac
	done
	expect_eq "cpu and cpuacct share one hierarchy" "$(cg_mount cpu)" "$(cg_mount cpuacct)"
	if awk '{for (i = 7; i <= NF && $i != "-"; i++) ; if ($(i + 1) == "cgroup2") f = 1} END {exit !f}' /proc/self/mountinfo; then
		not_ok "no cgroup2 hierarchy is mounted"
		grep cgroup2 /proc/self/mountinfo | sed 's/^/# /'
	else
		ok "no cgroup2 hierarchy is mounted"
	fi
	if grep -q '^0::' /proc/self/cgroup; then
		not_ok "/proc/self/cgroup has no cgroup2 line"
	else
		ok "/proc/self/cgroup has no cgroup2 line"
	fi
	if [ -e "$CG/memory/memory.memsw.limit_in_bytes" ]; then
		diag "the memory controller accounts swap (memory.memsw.* present)"
	else
		diag "the memory controller does not account swap (no memory.memsw.*)"
	fi
else
	# Every controller the enforcement cases need is on cgroup2 (no v1
	# left) and enabled for the root's children.
	ctrls=$(cat $CG/cgroup.controllers)
	subtree=$(cat $CG/cgroup.subtree_control)
	for c in memory pids cpu cpuset io; do
		case " $ctrls " in
		*" $c "*) ok "cgroup2 root offers the $c controller" ;;
		*) not_ok "cgroup2 root offers the $c controller"; diag "cgroup.controllers: $ctrls" ;;
		esac
		case " $subtree " in
		*" $c "*) ok "$c is enabled in the root's cgroup.subtree_control" ;;
		*) not_ok "$c is enabled in the root's cgroup.subtree_control"; diag "cgroup.subtree_control: $subtree" ;;
		esac
	done
	if awk '$3 == "cgroup" {found = 1} END {exit !found}' /proc/mounts; then
		not_ok "no cgroup v1 hierarchy is mounted"
		grep cgroup /proc/mounts | sed 's/^/# /'
	else
		ok "no cgroup v1 hierarchy is mounted"
	fi
fi

# A container runs and prints its own hostname.
new_bundle vm-hello
sh_args 'echo "hostname=$(hostname)"; exit 7'
run_ctr
rc=$?
expect_eq "run exits with the container's status" 7 "$rc"
if in_out "^hostname=vm-hello\$"; then
	ok "the container prints the hostname of its config"
else
	not_ok "the container prints the hostname of its config"
	diag_file "$B/out"
fi
if mrc state vm-hello >/dev/null 2>&1; then
	not_ok "run deletes the container when it exits"
else
	ok "run deletes the container when it exits"
fi
