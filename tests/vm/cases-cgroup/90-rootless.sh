# Rootless with a delegated cgroup v2 subtree (issue 14), v2 boot only: a
# directory chowned to an unprivileged user, as systemd's user@.service
# with Delegate=yes makes one, and that user's shell inside it.  The user
# runs mini-runc with a relative linux.cgroupsPath, which goes next to its
# own cgroup (runc's rule), i.e. inside the delegated directory: memory and
# pids limits are applied and read back, pause/resume freezes and thaws,
# kill --all and delete work, and without a delegated directory a limit is
# refused saying so.  v1 cannot be delegated to an unprivileged user in a
# way runc supports: the v1 boot reports the case skipped.
. /tests/lib.sh

if [ "$LAYOUT" != v2 ]; then
	echo "ok - rootless: delegated cgroup v2 subtree # SKIP needs cgroup2 (v2 boot)"
	exit 0
fi

RUID=1000
DELEG=$CG/mrc-deleg
grep -q '^mrcrl:' /etc/passwd 2>/dev/null ||
	echo "mrcrl:x:$RUID:$RUID::/tmp:/bin/sh" >>/etc/passwd
grep -q '^mrcrl:' /etc/group 2>/dev/null || echo "mrcrl:x:$RUID:" >>/etc/group

# The delegation, as root: the directory and its delegation files owned
# by the user, memory and pids available to its children.
mkdir -p "$DELEG/shell"
echo "+memory +pids" >"$DELEG/cgroup.subtree_control"
chown "$RUID:$RUID" "$DELEG" "$DELEG/cgroup.procs" "$DELEG/cgroup.subtree_control" \
	"$DELEG/cgroup.threads" "$DELEG/shell" "$DELEG/shell/cgroup.procs"

UB=/tmp/rl
rm -rf "$UB"
mkdir -p "$UB/state"
cp -a /rootfs "$UB/rootfs"

# rl_config ARGS RESOURCES: a rootless config (the user's ids mapped to 0,
# no network namespace, /sys bound) with linux.cgroupsPath "ctr".
rl_config() {
	cat >"$UB/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "user": {"uid": 0, "gid": 0},
    "args": $1,
    "env": ["PATH=/bin"],
    "cwd": "/"
  },
  "root": {"path": "rootfs"},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/sys", "type": "none", "source": "/sys",
     "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]}
  ],
  "linux": {
    "uidMappings": [{"containerID": 0, "hostID": $RUID, "size": 1}],
    "gidMappings": [{"containerID": 0, "hostID": $RUID, "size": 1}],
    "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "mount"}, {"type": "user"}, {"type": "cgroup"}],
    "cgroupsPath": "ctr",
    "resources": {$2}
  }
}
EOF
	chown -R "$RUID:$RUID" "$UB"
}

# as_user SHELL-COMMAND: run it as the user, from inside $DELEG/shell
# (moved there as root first, as a login into the delegated unit would).
as_user() {
	sh -c 'echo $$ >"$1/shell/cgroup.procs" && exec su -s /bin/sh mrcrl -c "$2"' \
		as_user "$DELEG" "$1"
}

R="mini-runc --root $UB/state"

# status_is_u STATUS: the user's `state` of rl reports STATUS.
status_is_u() {
	as_user "$R state rl" 2>/dev/null | grep -q "\"status\": *\"$1\""
}
rl_config '["sleep", "1000"]' '"memory": {"limit": 33554432}, "pids": {"limit": 20}'
as_user "$R create --bundle $UB rl && $R start rl" >"$UB/out" 2>&1
check "rootless: create and start with limits in a delegated subtree" \
	status_is_u running || diag_file "$UB/out"
expect_eq "rootless: memory.max of the container's cgroup" 33554432 \
	"$(cat "$DELEG/ctr/memory.max" 2>&1)"
expect_eq "rootless: pids.max of the container's cgroup" 20 \
	"$(cat "$DELEG/ctr/pids.max" 2>&1)"
pid=$(as_user "$R state rl" 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
expect_eq "rootless: the init runs as the user on the host" "$RUID" \
	"$(awk '/^Uid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
expect_eq "rootless: the init is in the delegated cgroup" "0::/mrc-deleg/ctr" \
	"$(cat "/proc/$pid/cgroup" 2>/dev/null)"
as_user "$R pause rl" >>"$UB/out" 2>&1
expect_eq "rootless: pause freezes the cgroup" 1 \
	"$(cat "$DELEG/ctr/cgroup.freeze" 2>&1)"
check "rootless: state says paused" status_is_u paused
as_user "$R resume rl" >>"$UB/out" 2>&1
expect_eq "rootless: resume thaws it" 0 "$(cat "$DELEG/ctr/cgroup.freeze" 2>&1)"
stats=$(as_user "$R events --stats rl" 2>&1)
case $stats in
*'"memory"'*33554432*) ok "rootless: events --stats reads the delegated cgroup" ;;
*) not_ok "rootless: events --stats reads the delegated cgroup"; diag "$stats" ;;
esac
as_user "$R kill --all rl KILL" >>"$UB/out" 2>&1
wait_for 50 status_is_u stopped
check "rootless: kill --all stops it" status_is_u stopped
as_user "$R delete rl" >>"$UB/out" 2>&1
check "rootless: delete removes the container's cgroup" test ! -e "$DELEG/ctr"
check "rootless: and its state" test ! -e "$UB/state/rl"
diag_file "$UB/out"

# No delegation: the same limits outside the user's subtree are refused,
# and nothing is left.
rl_config '["true"]' '"memory": {"limit": 33554432}'
sed -i 's|"cgroupsPath": "ctr"|"cgroupsPath": "/mrc-not-delegated"|' "$UB/config.json"
out=$(as_user "$R run --bundle $UB rl2" 2>&1)
rc=$?
case "$rc:$out" in
0:*) not_ok "rootless: a limit without a delegated cgroup is refused"; diag "$out" ;;
*"delegated cgroup"*) ok "rootless: a limit without a delegated cgroup is refused" ;;
*) not_ok "rootless: a limit without a delegated cgroup is refused"; diag "$out" ;;
esac
check "rootless: nothing is left of the refused container" \
	test ! -e "$UB/state/rl2" -a ! -e "$CG/mrc-not-delegated"

rmdir "$DELEG/shell" "$DELEG" 2>/dev/null || diag "could not remove $DELEG"
