# The harness itself: a pure cgroup v2 machine on which mini-runc runs a
# busybox container.  Passes before mini-runc creates any cgroup.
. /tests/lib.sh

# Every controller the enforcement cases need is on cgroup2 (no v1 left)
# and enabled for the root's children.
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
