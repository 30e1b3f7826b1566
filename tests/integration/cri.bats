#!/usr/bin/env bats
# Kubernetes' path to mini-runc: containerd's CRI plugin, driven by crictl
# (../shared/tools/crictl, kubernetes-sigs/cri-tools), with a runtime
# handler `mini-runc` chosen per pod (`crictl runp --runtime mini-runc`,
# what a RuntimeClass's `handler` names) beside the stock `runc` one.
#
# The test starts its own containerd: its root, state dir, socket and
# config.toml under the test's directory, in mount, network and IPC
# namespaces of its own (unshare), with tmpfs over /run and /var/lib there,
# so the shims' sockets, the runtime's state root
# (/run/containerd/runc/k8s.io), the pods' netns files (/run/netns) and
# CNI's cache (/var/lib/cni) are private and go with the namespace.  Pods
# get their own network namespace from the stock CNI plugins
# (containernetworking-plugins: bridge, host-local, loopback) inside
# containerd's network namespace, so nothing touches the host's network;
# crictl runs in that network namespace too, where the CRI streaming
# server (exec, exec -it) listens on 127.0.0.1.
#
# The CRI plugin's settings are stock but for one: restrict_oom_score_adj,
# because the sandbox's oomScoreAdj -998 needs CAP_SYS_RESOURCE, which
# these machines lack (runc fails the same way).  cgroups are on (no
# disable_cgroup): the sandbox's cpu shares (2) and the containers' limits
# go through the runtime's cgroup v1 back end on this hybrid host.  The
# images are made locally (busybox-static) and imported with ctr: a busybox
# image and the stock sandbox_image name (registry.k8s.io/pause:3.6) on a
# busybox whose entrypoint sleeps forever.
#
# The handler's BinaryName is $CW_WRAP, which logs every call and runs
# $MINI_RUNC: the log shows that the pods ran on it (MINI_RUNC=runc runs
# the same cases through runc).  teardown removes every pod and checks that
# nothing of the containers is left (cgroups, shims, mounts in containerd's
# namespace, the runtime's state); teardown_file stops containerd and the
# shims by pid and removes what they made.

load callers-helpers

IMG=localhost/mrc-busybox:latest
# containerd 1.6's default sandbox_image, made here: config.toml keeps it.
PAUSE_IMG=registry.k8s.io/pause:3.6
CRICTL=$REPO_ROOT/../shared/tools/crictl
# the state root the shim gives the runtime: /run/containerd/runc/NAMESPACE
RUNTIME_ROOT=/run/containerd/runc/k8s.io

# C ARGS...: ctr on this containerd, in the CRI plugin's namespace.
C() { timeout -k 5 60 ctr -a "$CW_DIR/containerd.sock" -n k8s.io "$@"; }

# CR ARGS...: crictl on this containerd, in its network namespace.
CR() {
	timeout -k 5 90 nsenter -t "$CW_MNTNS_PID" -n \
		"$CRICTL" --config "$CW_DIR/crictl.yaml" "$@"
}

# in_ns CMD...: CMD in containerd's mount namespace (the runtime's state).
in_ns() { nsenter -t "$CW_MNTNS_PID" -m "$@"; }

write_config() {
	mkdir -p "$CW_DIR/cni-conf" "$CW_DIR/logs"
	# stock CRI settings but the one this machine needs (README,
	# "Kubernetes: containerd's CRI plugin")
	cw_containerd_config "$CW_DIR/config.toml" "restrict_oom_score_adj = true"
	# A bridge in containerd's own network namespace, an address for each
	# pod from host-local, and lo up in the pod.
	jq -n --arg ipam "$CW_DIR/ipam" '{cniVersion: "1.0.0", name: "mrc-pods", plugins: [
		{type: "bridge", bridge: "mrc0", isGateway: true, ipMasq: false,
		 ipam: {type: "host-local", dataDir: $ipam,
			ranges: [[{subnet: "10.88.77.0/24"}]]}},
		{type: "loopback"}]}' >"$CW_DIR/cni-conf/10-mrc.conflist"
	printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 60\n' \
		"$CW_DIR/containerd.sock" "$CW_DIR/containerd.sock" >"$CW_DIR/crictl.yaml"
}

start_containerd() {
	# unshare's propagation is private: the tmpfs mounts and every mount
	# containerd and its shims make stay in this namespace.
	unshare -m -n -i --propagation private sh -c '
		mount -t tmpfs -o mode=755 tmpfs /run &&
		mount -t tmpfs -o mode=755 tmpfs /var/lib &&
		ip link set lo up &&
		exec containerd --config "$1"' sh "$CW_DIR/config.toml" \
		>"$CW_DIR/containerd.log" 2>&1 3>&- &
	# sh execs containerd: this is containerd's pid
	CW_MNTNS_PID=$!
	echo "$CW_MNTNS_PID" >"$CW_DIR/containerd.pid"
	export CW_MNTNS_PID
	cw_wait eval 'C version || ! kill -0 "$CW_MNTNS_PID"'
	C version >/dev/null || {
		tail -n 30 "$CW_DIR/containerd.log" >&2
		false
	}
}

setup_file() {
	[ "$(id -u)" = 0 ] || { cw_file_skip "needs root"; return 0; }
	[ -x "$CRICTL" ] || { cw_file_skip "no crictl at $CRICTL (see ../shared/tools/README.md)"; return 0; }
	cw_install containerd containernetworking-plugins tmux
	command -v containerd >/dev/null && command -v ctr >/dev/null || { cw_file_skip "containerd not installed"; return 0; }
	[ -x /usr/lib/cni/bridge ] || { cw_file_skip "CNI plugins not installed"; return 0; }
	[ -x "$MINI_RUNC" ] || { cw_file_skip "no $MINI_RUNC (run make)"; return 0; }
	CW_DIR=$(mktemp -d /tmp/mrc-cri.XXXXXX)
	# the pods' cgroup parent (kubelet's would be /kubepods/...)
	CW_CGPARENT=/mrc-cri-$$
	export CW_DIR CW_CGPARENT
	cw_make_wrapper "$CW_DIR"
	write_config
	start_containerd
	cw_rootfs "$CW_DIR/rootfs"
	mk_oci_image "$CW_DIR/rootfs" "$CW_DIR/busybox.tar" "$IMG"
	mk_oci_image "$CW_DIR/rootfs" "$CW_DIR/pause.tar" "$PAUSE_IMG" \
		'{"Entrypoint": ["/bin/sleep", "infinity"], "Cmd": null}'
	C image import "$CW_DIR/busybox.tar" >/dev/null
	C image import "$CW_DIR/pause.tar" >/dev/null
	# the CRI plugin sees both, and its network is ready (the CNI config)
	cw_wait eval 'CR images -q | wc -l | grep -qx 2'
	CR info | jq -e '.status.conditions | all(.status)' >/dev/null
}

teardown_file() {
	if [ -z "${CW_DIR:-}" ] || [ ! -d "$CW_DIR" ]; then return 0; fi
	local p mnt
	if [ -S "$CW_DIR/containerd.sock" ] && [ -n "${CW_MNTNS_PID:-}" ]; then
		CR rmp -a -f >/dev/null 2>&1 || true
	fi
	if [ -s "$CW_DIR/containerd.pid" ]; then
		p=$(cat "$CW_DIR/containerd.pid")
		kill "$p" 2>/dev/null || true
		for _ in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.3; done
		kill -9 "$p" 2>/dev/null || true
	fi
	# Shims outlive a killed containerd: end this one's (their command
	# lines name its socket), and what is left in the pods' cgroups.
	cw_kill_cmdline "$CW_DIR/containerd.sock"
	for mnt in $(cw_cgroup_mounts); do
		[ -d "$mnt$CW_CGPARENT" ] || continue
		for p in $(find "$mnt$CW_CGPARENT" -name cgroup.procs -exec cat {} + 2>/dev/null); do
			kill -9 "$p" 2>/dev/null || true
		done
	done
	sleep 0.5
	for mnt in $(cw_cgroup_mounts); do
		[ -d "$mnt$CW_CGPARENT" ] || continue
		find "$mnt$CW_CGPARENT" -depth -type d -exec rmdir {} \; 2>/dev/null || true
	done
	cw_umount_under "$CW_DIR"
	rm -rf "$CW_DIR"
}

setup() {
	cw_file_skipped
	echo "==== $BATS_TEST_DESCRIPTION" >>"$CW_LOG"
	WORK=$BATS_TEST_TMPDIR
}

teardown() {
	[ -z "${CW_FILE_SKIP:-}" ] || return 0
	local clean=0
	CR rmp -a -f >/dev/null 2>&1 || true
	# Every container the test created is gone: its cgroups in every
	# hierarchy, its shim, its mounts, its entry in the runtime's state.
	cw_assert_clean "$RUNTIME_ROOT" || clean=1
	[ -n "${BATS_TEST_COMPLETED:-}" ] && [ "$clean" = 0 ] || {
		echo "---- last command's output ----" >&2
		echo "${output:-}" >&2
		cw_show_log
		echo "---- containerd.log (errors) ----" >&2
		grep -E 'level=(error|warning)' "$CW_DIR/containerd.log" | tail -n 15 >&2
	}
	return "$clean"
}

# The namespaces kubelet asks for by default: the pod's network and IPC
# namespaces, a pid namespace for each container (CRI's NamespaceMode:
# POD 0, CONTAINER 1).
NS_OPTS='{network: 0, pid: 1, ipc: 0}'

# pod_config NAME [JQ-FILTER]: a PodSandboxConfig in $WORK/NAME.pod.json
# (its own uid and log directory, the test's cgroup parent, kubelet's
# namespaces), edited by JQ-FILTER.
pod_config() {
	local name=$1 filter=${2:-.}
	mkdir -p "$CW_DIR/logs/$name"
	jq -n --arg n "$name" --arg uid "$name-$RANDOM" --arg logs "$CW_DIR/logs/$name" \
		--arg cg "$CW_CGPARENT" '{
		metadata: {name: $n, namespace: "default", uid: $uid, attempt: 1},
		log_directory: $logs, linux: {cgroup_parent: $cg,
		security_context: {namespace_options: '"$NS_OPTS"'}}}' | jq "$filter" >"$WORK/$name.pod.json"
}

# ctr_config NAME JQ-FILTER: a ContainerConfig of the busybox image in
# $WORK/NAME.json (its log NAME.log in the pod's log directory, kubelet's
# namespaces), edited by JQ-FILTER (which sets at least the command).
ctr_config() {
	jq -n --arg n "$1" --arg img "$IMG" '{metadata: {name: $n},
		image: {image: $img}, log_path: ($n + ".log"),
		linux: {security_context: {namespace_options: '"$NS_OPTS"'}}}' |
		jq "$2" >"$WORK/$1.json"
}

# runp NAME [JQ-FILTER]: a pod sandbox on the mini-runc handler; its id in POD.
runp() {
	pod_config "$@"
	POD=$(CR runp --runtime mini-runc "$WORK/$1.pod.json")
	[ -n "$POD" ]
}

# run_ctr VAR POD-NAME CTR-NAME JQ-FILTER: create and start a container in
# the pod POD-NAME (id in $POD); its id in VAR, once it is running.
run_ctr() {
	local -n _id=$1
	ctr_config "$3" "$4"
	_id=$(CR create "$POD" "$WORK/$3.json" "$WORK/$2.pod.json")
	CR start "$_id" >/dev/null
	cw_wait eval "[ \"\$(ctr_field $_id .status.state)\" = CONTAINER_RUNNING ]"
}

# ctr_field ID JQ: a field of `crictl inspect ID`.
ctr_field() { CR inspect "$1" | jq -r "$2"; }

# ctr_pid ID: the host pid of the container's process.
ctr_pid() { ctr_field "$1" .info.pid; }

# pod_pid POD: the host pid of a pod sandbox's process (the pause image's).
pod_pid() { CR inspectp "$1" | jq -r .info.pid; }

# on_mini_runc ID PID: the runtime under test created ID (the shim called
# it, with its state root) and holds it as running, with pid PID (the one
# CRI reports).
on_mini_runc() {
	local id=$1 pid=$2 st
	grep -q -- "argv: --root $RUNTIME_ROOT --log .*/log.json --log-format json create --bundle .* $id\$" "$CW_LOG"
	st=$(in_ns "$MINI_RUNC" --root "$RUNTIME_ROOT" state "$id")
	jq -e --argjson pid "$pid" '.status == "running" and .pid == $pid' <<<"$st"
}

@test "crictl runp --runtime mini-runc: the pod sandbox runs on mini-runc, with CRI's cpu shares" {
	local pid
	runp pod1
	run -0 CR pods --id "$POD" -o json
	jq -e '.items[0].state == "SANDBOX_READY" and .items[0].runtimeHandler == "mini-runc"' <<<"$output"
	pid=$(pod_pid "$POD")
	on_mini_runc "$POD" "$pid"
	# the pause image's entrypoint, in the pod's own cgroup under the
	# parent it named, with the shares CRI gives every sandbox
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "/bin/sleep infinity " ]
	[ "$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup")" = "$CW_CGPARENT/$POD" ]
	cw_cgroup_expect "$pid" cpu cpu.shares=2 cpu.weight=1
	# its own network namespace, with the address CNI gave it
	[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink "/proc/$CW_MNTNS_PID/ns/net")" ]
	run -0 CR inspectp "$POD"
	[[ "$(jq -r .status.network.ip <<<"$output")" == 10.88.77.* ]]
	# the runc handler's pods do not go through the runtime under test
	local n
	n=$(grep -c ' create ' "$CW_LOG")
	pod_config runcpod
	run -0 CR runp --runtime runc "$WORK/runcpod.pod.json"
	[ "$(grep -c ' create ' "$CW_LOG")" = "$n" ]
	run -0 CR stopp "$output"
}

@test "crictl create, start, exec -s, logs, stats, inspect, stop, rm, stopp, rmp" {
	local c pid
	runp pod2
	run_ctr c pod2 c1 '.command = ["sh", "-c", "echo hello from cri; echo to-stderr >&2; exec sleep 300"]'
	pid=$(ctr_pid "$c")
	on_mini_runc "$c" "$pid"
	[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 300 " ]
	# in the pod's network namespace, a pid namespace of its own
	[ "$(readlink "/proc/$pid/ns/net")" = "$(readlink "/proc/$(pod_pid "$POD")/ns/net")" ]
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink "/proc/$(pod_pid "$POD")/ns/pid")" ]
	# exec -s: output and exit status
	run -0 CR exec -s "$c" sh -c 'echo in-exec $(id -u) $$; cat /proc/1/cmdline | tr "\0" " "'
	[[ "$output" == "in-exec 0 "* ]]
	[[ "$output" == *"sleep 300"* ]]
	run -1 CR exec -s "$c" sh -c 'exit 4'
	[[ "$output" == *"exited with 4"* ]]
	grep -q -- "exec --process .* --detach --pid-file .* $c\$" "$CW_LOG"
	# logs: both streams, from the CRI log file
	run -0 CR logs "$c"
	[[ "$output" == *"hello from cri"* ]]
	[[ "$output" == *"to-stderr"* ]]
	# stats: the container's own cgroup (a sleeping busybox), not the host's
	run -0 CR stats -o json "$c"
	local used
	used=$(jq -r '.stats[0].memory.workingSetBytes.value' <<<"$output")
	[ "$used" -gt 0 ]
	[ "$used" -lt $((64 << 20)) ]
	[ "$(jq -r '.stats[0].cpu.usageCoreNanoSeconds.value' <<<"$output")" -gt 0 ]
	# inspect: status, pid, the handler's binary
	run -0 CR inspect "$c"
	jq -e --argjson pid "$pid" '.status.state == "CONTAINER_RUNNING" and .info.pid == $pid' <<<"$output"
	jq -e --arg b "$CW_WRAP" '.info.runtimeOptions.binary_name == $b' <<<"$output"
	# stop: sleep, the pod's pid 1, has no handler for SIGTERM, so it is
	# killed once the timeout is over
	run -0 CR stop -t 2 "$c"
	cw_wait eval '! kill -0 "$pid" 2>/dev/null'
	run -0 CR inspect "$c"
	jq -e '.status.state == "CONTAINER_EXITED" and .status.exitCode == 137' <<<"$output"
	run -0 CR rm "$c"
	cw_wait eval '! in_ns "$MINI_RUNC" --root "$RUNTIME_ROOT" state "$c"'
	grep -q -- "delete $c\$" "$CW_LOG"
	run -0 CR ps -a -q --pod "$POD"
	[ -z "$output" ]
	run -0 CR stopp "$POD"
	run -0 CR pods --id "$POD" -o json
	[ "$(jq -r '.items[0].state' <<<"$output")" = SANDBOX_NOTREADY ]
	run -0 CR rmp "$POD"
	run -0 CR pods -q
	[ -z "$output" ]
	cw_assert_clean "$RUNTIME_ROOT"
}

@test "crictl exec -it through tmux: a terminal of the pane's size, exit status" {
	local c
	runp pod3
	run_ctr c pod3 c1 '.command = ["sleep", "300"]'
	cw_tmux_shell "nsenter -t $CW_MNTNS_PID -n $CRICTL --config $CW_DIR/crictl.yaml exec -it $c sh" 6
	[[ "$CW_PANE" == *"/dev/pts/"* ]]
	[[ "$CW_PANE" == *"20 90"* ]]
	# crictl exits 1 and names the process's status
	[[ "$CW_PANE" == *"exit code 6"* ]]
	[ "$CW_PANE_STATUS" = 1 ]
	grep -q -- "exec --process .* --console-socket .* --detach .* $c\$" "$CW_LOG"
}

@test "two containers of one pod share its network namespace (nc on loopback); a host-path volume" {
	local srv cli vol=$WORK/vol
	mkdir -p "$vol"
	export VOL=$vol
	runp pod4
	# the server writes what it receives to the volume
	run_ctr srv pod4 server '.command = ["sh", "-c", "nc -l -p 7777 >/data/got; echo done >>/data/got; exec sleep 300"]
		| .mounts = [{container_path: "/data", host_path: $ENV.VOL}]'
	on_mini_runc "$srv" "$(ctr_pid "$srv")"
	# (nc listens once port 7777's socket shows in the pod's /proc/net)
	cw_wait eval "cat /proc/$(ctr_pid "$srv")/net/tcp* | grep -q ':1E61 0*:0000 0A'"
	# The client reads what it sends from a file, not a pipe: the server's
	# stdin is /dev/null, so busybox nc half-closes at once, and a client
	# whose stdin was not yet readable would take that FIN as the end and
	# send nothing (runc and mini-runc alike, under load).
	run_ctr cli pod4 client '.command = ["sh", "-c", "echo hello over loopback >/tmp/msg && nc 127.0.0.1 7777 </tmp/msg; exec sleep 300"]'
	on_mini_runc "$cli" "$(ctr_pid "$cli")"
	[ "$(readlink "/proc/$(ctr_pid "$srv")/ns/net")" = "$(readlink "/proc/$(ctr_pid "$cli")/ns/net")" ]
	cw_wait grep -qx done "$vol/got"
	[ "$(cat "$vol/got")" = "hello over loopback
done" ]
	# a file written on the host is seen inside
	echo from-host >"$vol/in"
	run -0 CR exec -s "$srv" cat /data/in
	[ "$output" = from-host ]
}

@test "cpu and memory limits, read back from the container's cgroup on the host" {
	local c pid
	runp pod5
	run_ctr c pod5 limited '.command = ["sleep", "300"]
		| .linux.resources = {cpu_period: 100000, cpu_quota: 50000, cpu_shares: 512,
			memory_limit_in_bytes: 67108864}'
	pid=$(ctr_pid "$c")
	on_mini_runc "$c" "$pid"
	# its own group under the pod's parent, in every hierarchy
	[ "$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup")" = "$CW_CGPARENT/$c" ]
	[ -z "$(awk -F: -v p="$CW_CGPARENT/$c" '$3 != p' "/proc/$pid/cgroup")" ]
	cw_cgroup_expect "$pid" cpu cpu.cfs_quota_us=50000 "cpu.max=50000 100000"
	cw_cgroup_expect "$pid" cpu cpu.cfs_period_us=100000 "cpu.max=50000 100000"
	cw_cgroup_expect "$pid" cpu cpu.shares=512 cpu.weight=20
	cw_cgroup_expect "$pid" memory memory.limit_in_bytes=67108864 memory.max=67108864
	# and what CRI reports back
	run -0 CR inspect "$c"
	jq -e '.info.runtimeSpec.linux.resources.memory.limit == 67108864' <<<"$output"
}

@test "a read-only root filesystem, runAsUser, the RuntimeDefault seccomp profile" {
	local c pid
	runp pod6
	run_ctr c pod6 secure '.command = ["sleep", "300"]
		| .linux.security_context += {readonly_rootfs: true, run_as_user: {value: 1000},
			seccomp: {profile_type: 0}}'
	pid=$(ctr_pid "$c")
	on_mini_runc "$c" "$pid"
	run -0 CR exec -s "$c" id -u
	[ "$output" = 1000 ]
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 1000 ]
	run -1 CR exec -s "$c" touch /newfile
	[[ "$output" == *"Read-only file system"* ]]
	# the seccomp filter is on the process; the profile refuses what needs
	# CAP_SYS_ADMIN, such as unshare (which an unconfined uid 1000 may do
	# for a user namespace)
	[ "$(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status")" = 2 ]
	run -1 CR exec -s "$c" unshare -U true
	[[ "$output" == *"Operation not permitted"* ]]
	# unconfined (no profile), the same command succeeds
	local u
	run_ctr u pod6 unconfined '.command = ["sleep", "300"]
		| .linux.security_context += {readonly_rootfs: true, run_as_user: {value: 1000}}'
	[ "$(awk '/^Seccomp:/ {print $2}' "/proc/$(ctr_pid "$u")/status")" = 0 ]
	run -0 CR exec -s "$u" unshare -U true
}

# With the pod's pid namespace shared (shareProcessNamespace), a
# container's children outlive its main process: the shim ends them with
# `kill --all ID 9` once it has exited, and runc signals what is left in
# the container's cgroup.
@test "a container in the pod's pid namespace: what its process left running is killed when it exits" {
	local c pid dir left
	runp pod7 '.linux.security_context.namespace_options.pid = 0'
	run_ctr c pod7 sharer '.linux.security_context.namespace_options.pid = 0
		| .command = ["sh", "-c", "sleep 300 & exec sleep 3"]'
	pid=$(ctr_pid "$c")
	on_mini_runc "$c" "$pid"
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$(pod_pid "$POD")/ns/pid")" ]
	dir=$(cw_cgroup_dir "$pid" pids)
	cw_wait eval '[ "$(wc -l <"$dir/cgroup.procs")" = 2 ]'
	left=$(grep -vx "$pid" "$dir/cgroup.procs")
	[ "$(tr '\0' ' ' <"/proc/$left/cmdline")" = "sleep 300 " ]
	cw_wait eval '[ "$(ctr_field "$c" .status.state)" = CONTAINER_EXITED ]'
	[ "$(ctr_field "$c" .status.exitCode)" = 0 ]
	# (killed, it stays a zombie of the pod's pid 1, which reaps nothing)
	cw_wait eval '{ awk "{print \$3}" "/proc/$left/stat" 2>/dev/null || echo gone; } | grep -qxE "Z|gone"'
	[ -z "$(cat "$dir/cgroup.procs" 2>/dev/null)" ]
	# by the shim's `kill --all`, which succeeded (containerd logs "failed
	# to kill init's children" otherwise)
	local call
	call=$(sed -n "s/.* pid \([0-9]*\) argv: .* kill --all $c 9\$/\1/p" "$CW_LOG" | head -n 1)
	[ -n "$call" ]
	grep -qx "\[pid $call\] exit 0" "$CW_LOG"
	! grep "failed to kill init's children.*$c" "$CW_DIR/containerd.log"
}
