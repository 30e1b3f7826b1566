#!/usr/bin/env bats
# Rootless (issue 14): the runtime run by an unprivileged user, made by
# setup_file (useradd, subordinate ids 200000:65536 in /etc/subuid and
# /etc/subgid, /run/user/UID as its XDG_RUNTIME_DIR), on bundles that
# user owns whose config.json comes from `RUNTIME spec --rootless`, and
# rootless podman with that user.  Every runtime call is made as the user
# (setpriv), without --root: the runtime's own rootless default state root
# ($XDG_RUNTIME_DIR/runc for runc, $XDG_RUNTIME_DIR/mini-runc for
# mini-runc).  The checks from outside (the container's uid, its maps,
# its cgroup) are made as root on the host.
#
# The same file runs on runc: MINI_RUNC=/usr/sbin/runc bats rootless.bats.
# Assertions on wording only mini-runc promises are guarded by is_mini_runc.
#
# Every test ends with nothing of the user's left: no state entry, no
# process of the user (teardown checks, then cleans).  teardown_file
# removes the user, its home, its ids, its dirs and cgroups.

load helpers
load callers-helpers
load rootless-helpers
load term-helpers

setup_file() {
	rl_setup_file
}

teardown_file() {
	rl_teardown_file
}

setup() {
	cw_file_skipped
	RL_IDS=()
	RECVTTY_PID=
	rl_bundle
	rl_id ID
}

teardown() {
	echo "last output (status ${status:-none}): ${output:-}"
	[ -n "${RL_UID:-}" ] || return 0
	local id problems=0
	if [ -n "${RECVTTY_PID:-}" ]; then
		kill "$RECVTTY_PID" 2>/dev/null || true
		wait "$RECVTTY_PID" 2>/dev/null || true
	fi
	for id in "${RL_IDS[@]}" $(rl_state_entries); do
		rl delete --force "$id" >/dev/null 2>&1 || true
	done
	rl_assert_clean || problems=1
	rl_undelegate
	[ -z "${RL_PODMAN:-}" ] || return $problems
	pkill -9 -u "$RL_USER" 2>/dev/null || true
	rm -rf "$RL_STATE"/* 2>/dev/null || true
	[ -z "${BUNDLE:-}" ] || rm -rf "$BUNDLE"
	return $problems
}

# rl_run_d ID: `run -d` of the bundle as the user (stdio to a file: the
# container holds it), and $PID the container's host pid from `state`.
rl_run_d() {
	rund -0 rl run -d --bundle "$BUNDLE" "$1"
	PID=$(rl_state_field "$1" pid)
	[ -n "$PID" ] && [ "$PID" -gt 0 ]
}

# host_ids PID: "Uid: real eff saved fs" of PID, seen from the host.
host_uid() {
	awk '/^Uid:/ {print $2}' "/proc/$1/status"
}
host_gid() {
	awk '/^Gid:/ {print $2}' "/proc/$1/status"
}

# ------------------------------------------------------------ the basics

@test "rootless: spec --rootless maps the caller's uid and gid to 0 in a user namespace" {
	run -0 jq -c '[.linux.namespaces[].type]' "$BUNDLE/config.json"
	[[ "$output" == *'"user"'* ]]
	[[ "$output" != *'"network"'* ]]
	run -0 jq -c '.linux.uidMappings' "$BUNDLE/config.json"
	[ "$output" = "[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}]" ]
	run -0 jq -c '.linux.gidMappings' "$BUNDLE/config.json"
	[ "$output" = "[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}]" ]
	# no device nodes, no privileged sysfs mount, no rlimits above the caller's
	local hard
	hard=$(as_user sh -c 'ulimit -Hn')
	run -0 jq -r '[.process.rlimits[]? | select(.type == "RLIMIT_NOFILE") | .hard] | max // 0' "$BUNDLE/config.json"
	[ "$output" -le "$hard" ]
	run -0 jq -c '.linux.devices // []' "$BUNDLE/config.json"
	[ "$output" = "[]" ]
	# no sysfs mount (it needs a network namespace of the container's
	# own): the host's /sys bound read-only instead; devpts without gid=5
	run -0 jq -r '.mounts[] | select(.destination == "/sys") | "\(.type) \(.source) \(.options | index("rbind") != null) \(.options | index("ro") != null)"' "$BUNDLE/config.json"
	[ "$output" = "none /sys true true" ]
	run -0 jq -r '.mounts[] | select(.type == "devpts") | .options | join(",")' "$BUNDLE/config.json"
	[[ ",$output," != *,gid=* ]]
}

@test "rootless: run as the user: uid 0 inside, the maps are the user's" {
	rl_args sh -c 'id; cat /proc/self/uid_map /proc/self/gid_map'
	run -0 rl run --bundle "$BUNDLE" "$ID"
	[[ "${lines[0]}" == "uid=0(root) gid=0(root)"* ]]
	[ "$(awk 'NR == 2 {print $1, $2, $3}' <<<"$output")" = "0 $RL_UID 1" ]
	[ "$(awk 'NR == 3 {print $1, $2, $3}' <<<"$output")" = "0 $RL_GID 1" ]
	rl_args sh -c 'exit 3'
	run -3 rl run --bundle "$BUNDLE" "$ID"
	rl_assert_clean
}

@test "rootless: the container's process is the user's on the host; state under XDG_RUNTIME_DIR" {
	rl_args sleep 300
	rl_run_d "$ID"
	[ "$(host_uid "$PID")" = "$RL_UID" ]
	[ "$(host_gid "$PID")" = "$RL_GID" ]
	[ "$(stat -c %u "/proc/$PID")" = "$RL_UID" ]
	# root inside: the maps of the container's namespace
	[ "$(awk '{print $1, $2, $3}' "/proc/$PID/uid_map")" = "0 $RL_UID 1" ]
	[ "$(readlink "/proc/$PID/ns/user")" != "$(readlink /proc/self/ns/user)" ]
	# the runtime's rootless default state root, owned by the user
	[ -d "$RL_STATE/$ID" ]
	[ "$(stat -c %u "$RL_STATE")" = "$RL_UID" ]
	[ "$(stat -c %u "$RL_STATE/$ID")" = "$RL_UID" ]
	run -0 rl state "$ID"
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	run -0 rl delete --force "$ID"
	[ ! -e "$RL_STATE/$ID" ]
	rl_assert_clean
}

# (ps and kill --all need the container's cgroup: see the delegation test)
@test "rootless: create, start, exec, list, kill, delete as the user" {
	rl_args sh -c 'echo started >/tmp/started; exec sleep 300'
	rund -0 rl create --bundle "$BUNDLE" "$ID"
	run -0 rl state "$ID"
	[ "$(jq -r .status <<<"$output")" = created ]
	local pid
	pid=$(jq -r .pid <<<"$output")
	[ "$(host_uid "$pid")" = "$RL_UID" ]
	run -0 rl list --format json
	[ "$(jq -r --arg id "$ID" '.[] | select(.id == $id) | .status' <<<"$output")" = created ]
	run -0 rl start "$ID"
	rl_wait_status "$ID" running
	run -0 rl exec "$ID" sh -c 'cat /tmp/started; id -u'
	[ "${lines[0]}" = started ]
	[ "${lines[1]}" = 0 ]
	run -7 rl exec "$ID" sh -c 'exit 7'
	run -0 rl list
	[[ "$output" == *"$ID"*running* ]]
	run -0 rl kill "$ID" KILL
	rl_wait_status "$ID" stopped
	run -0 rl delete "$ID"
	run -0 rl list --format json
	[ "$(jq -r --arg id "$ID" '[.[]? | select(.id == $id)] | length' <<<"$output")" = 0 ]
	rl_assert_clean
}

@test "rootless: exec -d runs as the user on the host; delete --force takes it along" {
	rl_args sleep 300
	rl_run_d "$ID"
	rund -0 rl exec -d --pid-file "$RL_HOME/exec.pid" "$ID" sleep 301
	local epid
	epid=$(cat "$RL_HOME/exec.pid")
	[ "$(tr '\0' ' ' <"/proc/$epid/cmdline")" = "sleep 301 " ]
	[ "$(host_uid "$epid")" = "$RL_UID" ]
	[ "$(readlink "/proc/$epid/ns/pid")" = "$(readlink "/proc/$PID/ns/pid")" ]
	rm -f "$RL_HOME/exec.pid"
	run -0 rl delete --force "$ID"
	wait_gone "$epid"
	rl_assert_clean
}

# ------------------------------------------------------------ terminal

@test "rootless: a terminal through the console socket" {
	rl_cfg_edit '.process.terminal = true'
	rl_args sh -c 'tty; id -u; stat -c "owner %u" "$(tty)"; echo hi'
	local sock=$BUNDLE/console.sock
	recvtty_user "$sock"
	rund -0 rl create --console-socket "$sock" --bundle "$BUNDLE" "$ID"
	run -0 rl start "$ID"
	recvtty_wait
	[ "$RECVTTY_STATUS" -eq 0 ]
	grep -qx '/dev/pts/[0-9]*' <<<"$output"
	grep -qx 0 <<<"$output"
	grep -qx 'owner 0' <<<"$output"
	grep -qx hi <<<"$output"
	rl_wait_status "$ID" stopped
	run -0 rl delete "$ID"
	rl_assert_clean
}

# ------------------------------------------------------------ mappings

# run_with_subordinate_ids: $ID running `sleep 300` (run -d), the user's ids
# mapped to 0 and its subordinate ids to 1..65536.
run_with_subordinate_ids() {
	rl_cfg_edit --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson s "$RL_SUB" '
		.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
			{containerID: 1, hostID: $s, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1},
			{containerID: 1, hostID: $s, size: 65536}]'
	rl_args sleep 300
	rl_run_d "$ID"
}

@test "rootless: a wider mapping through newuidmap/newgidmap (subordinate ids)" {
	run_with_subordinate_ids
	[ "$(awk '{print $1, $2, $3}' "/proc/$PID/uid_map" | tr '\n' ,)" = "0 $RL_UID 1,1 $RL_SUB 65536," ]
	[ "$(awk '{print $1, $2, $3}' "/proc/$PID/gid_map" | tr '\n' ,)" = "0 $RL_GID 1,1 $RL_SUB 65536," ]
	[ "$(host_uid "$PID")" = "$RL_UID" ]
	# uid 1000 inside is host uid 200999 (stderr apart: mini-runc warns
	# that the spec's ambient capabilities cannot reach a non-root uid)
	run -0 --separate-stderr rl exec --user 1000:1000 "$ID" sh -c 'touch /tmp/f && id -u && stat -c "%u:%g" /tmp/f'
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = "1000:1000" ]
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/f")" = "$((RL_SUB + 999)):$((RL_SUB + 999))" ]
	run -0 rl delete --force "$ID"
	rl_assert_clean
}

@test "rootless: an exec as a subordinate uid runs as that host uid" {
	run_with_subordinate_ids
	rund -0 rl exec -d --user 1000:1000 "$ID" sleep 302
	local p n=50
	while [ "$n" -gt 0 ]; do
		p=$(pgrep -f -x 'sleep 302' | head -n1)
		[ -n "$p" ] && break
		sleep 0.1
		n=$((n - 1))
	done
	[ -n "$p" ]
	[ "$(host_uid "$p")" = $((RL_SUB + 999)) ]
	[ "$(host_gid "$p")" = $((RL_SUB + 999)) ]
	run -0 rl delete --force "$ID"
	rl_assert_clean
}

# bad_mapping KIND: uid (or gid) mappings with a range the user does not
# own (host ids $RL_NOT_OWNED.., not in /etc/subuid) fail through the
# helper, whose message is in the error; nothing is left.
bad_mapping() {
	local kind=$1 own=$RL_UID
	[ "$kind" = gid ] && own=$RL_GID
	rl_cfg_edit --argjson o "$own" --argjson s "$RL_NOT_OWNED" --arg k "${kind}Mappings" '
		.linux[$k] = [{containerID: 0, hostID: $o, size: 1},
			{containerID: 1, hostID: $s, size: 10}]'
	rl_run_refused
	# newuidmap's own words ("newuidmap: uid range [1-11) -> [300000-300010) not allowed")
	grep -q "new${kind}map" <<<"$output"
	grep -q "not allowed" <<<"$output"
	[ ! -e "$RL_STATE/$ID" ]
	rl_assert_clean
	# create alike
	rund rl create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	grep -q "new${kind}map" <<<"$output"
	[ ! -e "$RL_STATE/$ID" ]
	rl_assert_clean
}

@test "rootless: a uid mapping of ids the user does not own is refused with newuidmap's error, nothing left" {
	bad_mapping uid
}

@test "rootless: a gid mapping of ids the user does not own is refused with newgidmap's error, nothing left" {
	bad_mapping gid
}

# ------------------------------------------------------------ state root

@test "rootless: without XDG_RUNTIME_DIR and --root the state root is unusable: a clear error" {
	rl_args sh -c 'echo should-not-run'
	RL_NO_XDG=1 rund rl run --bundle "$BUNDLE" "$ID"
	echo "status $status: $output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" != *should-not-run* ]]
	# it names what it could not use
	grep -qE 'XDG_RUNTIME_DIR|/run/(mini-)?runc' <<<"$output"
	rl_assert_clean
	# an XDG_RUNTIME_DIR the user may not write to
	RL_ENV="XDG_RUNTIME_DIR=/run/user/0-mrcrl-none" rund rl run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" != *should-not-run* ]]
	rl_assert_clean
}

@test "rootless: --root given by the user wins over XDG_RUNTIME_DIR" {
	local root=$RL_HOME/myroot
	rl_args sleep 300
	rund -0 rl --root "$root" run -d --bundle "$BUNDLE" "$ID"
	[ -d "$root/$ID" ]
	[ ! -e "$RL_STATE/$ID" ]
	run -0 rl --root "$root" state "$ID"
	[ "$(jq -r .status <<<"$output")" = running ]
	# not visible in the default root
	run ! rl state "$ID"
	run -0 rl --root "$root" delete --force "$ID"
	[ ! -e "$root/$ID" ]
	rm -rf "$root"
	rl_assert_clean
}

# ------------------------------------------- what needs the host's root

@test "rootless: a config without a user namespace is refused, nothing left" {
	rl_cfg_edit 'del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(select(.type != "user"))'
	rl_run_refused
	# runc: "rootless container requires user namespaces"
	grep -qi 'user namespace' <<<"$output"
	rl_assert_clean
}

@test "rootless: netDevices and a host sysctl are refused naming rootless, nothing left" {
	requires_mini_runc # runc 1.1 has no netDevices; its sysctl error is EACCES
	ip link add mrcrl-v0 type veth peer name mrcrl-v1
	rl_cfg_edit '.linux.netDevices = {"mrcrl-v0": {}}
		| .linux.namespaces += [{"type": "network"}]'
	rl_args sh -c 'echo should-not-run'
	rund rl run --bundle "$BUNDLE" "$ID"
	ip link del mrcrl-v0 2>/dev/null || true
	echo "status $status: $output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.netDevices"*"rootless"* ]]
	rl_assert_clean
	rl_cfg_edit 'del(.linux.netDevices) | .linux.sysctl = {"vm.swappiness": "10"}'
	rund rl run --bundle "$BUNDLE" "$ID"
	echo "status $status: $output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" == *"vm.swappiness"*"rootless"* ]]
	rl_assert_clean
}

# ------------------------------------------------------------ cgroups

@test "rootless: a memory limit without a delegated cgroup fails, naming the cgroup, nothing left" {
	rl_cfg_edit '.linux.resources.memory.limit = 67108864'
	rl_run_refused
	grep -qi cgroup <<<"$output"
	grep -qiE 'permission denied|operation not permitted|rootless|delegat|could not join or create' <<<"$output"
	[ ! -e "$RL_STATE/$ID" ]
	rl_assert_clean
}

@test "rootless: pause without a delegated cgroup fails; the container keeps running" {
	rl_args sleep 300
	rl_run_d "$ID"
	run ! rl pause "$ID"
	# it says why (runc: "cannot toggle freezer: cgroups not configured
	# for container")
	grep -qi cgroup <<<"$output"
	[ "$(rl_state_field "$ID" status)" = running ]
	grep -q '^State:.*[SR]' "/proc/$PID/status"
	run -0 rl delete --force "$ID"
	rl_assert_clean
}

# cg2_dir PID: the host directory of PID's cgroup2 group.
cg2_dir() {
	echo "$RL_CG2$(sed -n 's/^0:://p' "/proc/$1/cgroup")"
}

@test "rootless: in a delegated cgroup2 dir: the container's group is in it; ps, pause/resume, kill --all, delete" {
	rl_delegate
	rl_cfg_edit '.linux.cgroupsPath = "ctr"'
	rl_args sleep 300
	rl_run_d "$ID"
	# next to the runtime's own group (shell), inside the delegated dir
	[ "$(cg2_dir "$PID")" = "$RL_DELEG_HOST/ctr" ]
	run -0 --separate-stderr rl ps --format json "$ID"
	[ "$(jq -c . <<<"$output")" = "[$PID]" ]
	rund -0 rl exec -d "$ID" sleep 301
	run -0 --separate-stderr rl ps "$ID"
	[[ "$output" == *"sleep 301"* ]]
	run -0 rl pause "$ID"
	[ "$(rl_state_field "$ID" status)" = paused ]
	[ "$(cat "$RL_DELEG_HOST/ctr/cgroup.freeze")" = 1 ]
	grep -qx 'frozen 1' "$RL_DELEG_HOST/ctr/cgroup.events"
	run -0 rl resume "$ID"
	[ "$(rl_state_field "$ID" status)" = running ]
	grep -qx 'frozen 0' "$RL_DELEG_HOST/ctr/cgroup.events"
	run -0 rl kill --all "$ID" KILL
	rl_wait_status "$ID" stopped
	[ -z "$(cat "$RL_DELEG_HOST/ctr/cgroup.procs")" ]
	run -0 rl delete "$ID"
	[ ! -e "$RL_DELEG_HOST/ctr" ]
	rl_assert_clean
}

# memory and pids on a cgroup2 with those controllers (a pure v2 host);
# hugetlb, the one controller cgroup2 has on this hybrid host, anywhere.
@test "rootless: limits go into the delegated cgroup2 dir (memory.max, pids.max, hugetlb max)" {
	rl_delegate memory pids hugetlb
	local have
	have=$(cat "$RL_DELEG_HOST/cgroup.subtree_control")
	[ -n "$have" ] || skip "cgroup2 has no controllers to delegate here"
	local f='.linux.cgroupsPath = "ctr"'
	[[ " $have " != *" memory "* ]] || f="$f | .linux.resources.memory.limit = 67108864"
	[[ " $have " != *" pids "* ]] || f="$f | .linux.resources.pids.limit = 42"
	[[ " $have " != *" hugetlb "* ]] ||
		f="$f | .linux.resources.hugepageLimits = [{pageSize: \"2MB\", limit: 4194304}]"
	rl_cfg_edit "$f"
	rl_args sleep 300
	rl_run_d "$ID"
	local d
	d=$(cg2_dir "$PID")
	[ "$d" = "$RL_DELEG_HOST/ctr" ]
	[[ " $have " != *" memory "* ]] || [ "$(cat "$d/memory.max")" = 67108864 ]
	[[ " $have " != *" pids "* ]] || [ "$(cat "$d/pids.max")" = 42 ]
	[[ " $have " != *" hugetlb "* ]] || [ "$(cat "$d/hugetlb.2MB.max")" = 4194304 ]
	if [[ " $have " == *" memory "* ]]; then
		# the limit holds: 100 MiB into /dev/shm is OOM-killed
		run ! rl exec "$ID" dd if=/dev/zero of=/dev/shm/fill bs=1M count=100
	fi
	run -0 rl delete --force "$ID"
	[ ! -e "$RL_DELEG_HOST/ctr" ]
	rl_assert_clean
}

# ------------------------------------------------------------ security

@test "rootless: a seccomp profile takes effect (mkdir denied with EPERM)" {
	rl_args sh -c 'grep ^Seccomp: /proc/self/status; mkdir /tmp/d && echo made'
	run -0 rl run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *"Seccomp:	0"* ]]
	[[ "$output" == *made* ]]
	as_user rmdir "$BUNDLE/rootfs/tmp/d"
	rl_cfg_edit '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 1}]}'
	rl_args sh -c 'grep ^Seccomp: /proc/self/status; mkdir /tmp/d; echo rc=$?; touch /tmp/f && echo touched'
	run -0 rl run --bundle "$BUNDLE" "$ID"
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *"rc=1"* ]]
	grep -qi "operation not permitted" <<<"$output"
	[[ "$output" == *touched* ]]
	[ ! -e "$BUNDLE/rootfs/tmp/d" ]
	rl_assert_clean
}

@test "rootless: the capabilities of the config are the container's (CapEff, CapBnd)" {
	rl_args sh -c 'grep -E "^Cap(Eff|Prm|Bnd):" /proc/self/status'
	run -0 rl run --bundle "$BUNDLE" "$ID"
	local want
	want=$(cap_mask $(jq -r '.process.capabilities.effective[]' "$BUNDLE/config.json"))
	grep -qx "CapEff:	$want" <<<"$output"
	want=$(cap_mask $(jq -r '.process.capabilities.bounding[]' "$BUNDLE/config.json"))
	grep -qx "CapBnd:	$want" <<<"$output"
	# another set, with a capability spec --rootless leaves out
	local caps='["CAP_CHOWN","CAP_KILL","CAP_SETUID","CAP_SYS_ADMIN"]'
	rl_cfg_edit --argjson c "$caps" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}'
	run -0 rl run --bundle "$BUNDLE" "$ID"
	want=$(cap_mask CAP_CHOWN CAP_KILL CAP_SETUID CAP_SYS_ADMIN)
	grep -qx "CapEff:	$want" <<<"$output"
	grep -qx "CapPrm:	$want" <<<"$output"
	grep -qx "CapBnd:	$want" <<<"$output"
	# CAP_SYS_ADMIN of the container's user namespace: it may mount a tmpfs
	rl_args sh -c 'mkdir -p /tmp/t && mount -t tmpfs none /tmp/t && echo mounted'
	run -0 rl run --bundle "$BUNDLE" "$ID"
	[ "$output" = mounted ]
	rl_assert_clean
}

@test "rootless: prestart and poststop hooks run as the user, their files owned by it" {
	local out=$BUNDLE/hooks
	as_user mkdir "$out"
	rl_cfg_edit --arg o "$out" '.hooks = {
		prestart: [{path: "/bin/sh", args: ["sh", "-c", "id -u >" + $o + "/prestart.uid; cat >" + $o + "/prestart.json"]}],
		poststop: [{path: "/bin/sh", args: ["sh", "-c", "id -u >" + $o + "/poststop.uid; cat >" + $o + "/poststop.json"]}]}'
	rl_args sh -c 'echo in-container'
	run -0 rl run --bundle "$BUNDLE" "$ID"
	[ "$output" = in-container ]
	[ -s "$out/prestart.uid" ]
	[ -s "$out/poststop.uid" ]
	[ "$(stat -c %u "$out/prestart.json")" = "$RL_UID" ]
	[ "$(stat -c %u "$out/poststop.json")" = "$RL_UID" ]
	[ "$(cat "$out/prestart.uid")" = "$RL_UID" ]
	[ "$(cat "$out/poststop.uid")" = "$RL_UID" ]
	[ "$(jq -r .id "$out/prestart.json")" = "$ID" ]
	[ "$(jq -r .pid "$out/prestart.json")" -gt 0 ]
	[ "$(jq -r .id "$out/poststop.json")" = "$ID" ]
	rl_assert_clean
}

@test "rootless: a failing prestart hook fails the run, nothing left" {
	local out=$BUNDLE/hooks
	as_user mkdir "$out"
	rl_cfg_edit --arg o "$out" '.hooks = {prestart: [{path: "/bin/sh",
		args: ["sh", "-c", "id -u >" + $o + "/ran; echo hook-says-no >&2; exit 4"]}]}'
	rl_args sh -c 'echo should-not-run'
	rund rl run --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[[ "$output" != *should-not-run* ]]
	# it failed because of the hook: the hook ran (as the user)
	[ "$(cat "$out/ran")" = "$RL_UID" ]
	grep -qi hook <<<"$output"
	[ ! -e "$RL_STATE/$ID" ]
	rl_assert_clean
}

# ------------------------------------------------------------ mini-runc only

@test "rootless: the overlay-layer bundle (mini-runc's annotations): writes leave the lower layer unchanged" {
	requires_mini_runc
	as_user mkdir -p "$BUNDLE/layers" "$BUNDLE/layers/l1/etc"
	as_user mv "$BUNDLE/rootfs" "$BUNDLE/layers/l0"
	as_user mkdir "$BUNDLE/rootfs"
	echo "from l1" | as_user tee "$BUNDLE/layers/l1/etc/l1" >/dev/null
	# a lower directory removed and made again must come back empty: an
	# opaque directory, which needs overlayfs' userxattr in a user namespace
	as_user mkdir "$BUNDLE/layers/l1/etc/d"
	echo "lower" | as_user tee "$BUNDLE/layers/l1/etc/d/f" >/dev/null
	rl_cfg_edit '.annotations["org.mini-runc.rootfs.layers"] = "layers/l0:layers/l1"'
	local before
	before=$( (cd "$BUNDLE/layers" && find . -printf '%p %y %m %U %l\n' | LC_ALL=C sort;
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum)
	# (one line: rl_args takes one argument per line)
	rl_args sh -c 'cat /etc/l1; echo written >/newfile; echo changed >/etc/l1; rm /bin/ls; cat /newfile /etc/l1; rm -r /etc/d && mkdir /etc/d && echo "d holds $(ls -A /etc/d | wc -l)"'
	run -0 rl run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = "from l1" ]
	[ "${lines[1]}" = written ]
	[ "${lines[2]}" = changed ]
	[ "${lines[3]}" = "d holds 0" ]
	[ "$(cat "$BUNDLE/layers/l1/etc/d/f")" = lower ]
	[ ! -e "$BUNDLE/layers/l0/newfile" ]
	[ ! -e "$BUNDLE/layers/l1/newfile" ]
	[ "$(cat "$BUNDLE/layers/l1/etc/l1")" = "from l1" ]
	[ -e "$BUNDLE/layers/l0/bin/ls" ]
	[ "$( (cd "$BUNDLE/layers" && find . -printf '%p %y %m %U %l\n' | LC_ALL=C sort;
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum)" = "$before" ]
	rl_assert_clean
}

# ------------------------------------------------------------ rootless podman
#
# The same test user runs podman (conmon, its own user namespace from the
# subordinate ids through newuidmap, storage under its HOME) with
# --runtime: the runtime under test and, side by side, runc.  The user's
# containers.conf sets what this host needs: default_ulimits within the
# hard limits, netns none, the cgroupfs manager and the file events
# logger (no systemd here).  podman keeps a pause process (catatonit -P)
# holding its user namespace between commands: the checks leave it be,
# teardown_file resets podman's storage and stops it.

PODMAN_IMG=localhost/mrc-busybox

# rl_podman_setup: podman installed, the user's containers.conf, the
# busybox image imported (once).
rl_podman_setup() {
	command -v podman >/dev/null || cw_install podman conmon catatonit
	command -v podman >/dev/null || skip "podman is not installed"
	RL_PODMAN=1
	local conf=$RL_HOME/.config/containers/containers.conf
	if [ ! -s "$conf" ]; then
		as_user mkdir -p "$RL_HOME/.config/containers"
		cw_podman_conf | as_user sh -c "cat >'$conf'"
	fi
	if ! as_user podman --storage-driver vfs image exists "$PODMAN_IMG" 2>/dev/null; then
		tar -C "$RL_DIR/rootfs" -c . | as_user podman --storage-driver vfs import - "$PODMAN_IMG" >/dev/null
	fi
}

# P RUNTIME ARGS...: rootless podman with RUNTIME.
P() {
	local rt=$1
	shift
	as_user podman --storage-driver vfs --runtime "$rt" "$@"
}

# The runtime state podman's containers left: entries in any state root
# of the user's (podman passes --root $XDG_RUNTIME_DIR/<runtime name>).
podman_state_left() {
	local d
	for d in "$RL_XDG"/runc "$RL_XDG"/mini-runc "$RL_XDG"/"$(basename "$RL_BIN")"; do
		ls -A "$d" 2>/dev/null | grep -vxE '\.seccomp-cache|\.device-programs' | sed "s|^|$d/|" || true
	done | sort -u
}

# podman_cycle RUNTIME: run --rm, run -d + exec + stop + rm, as the user.
podman_cycle() {
	local rt=$1 n=mrcrlp$BATS_TEST_NUMBER-$RANDOM
	rl_podman_setup
	run -0 P "$rt" run --rm --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$PODMAN_IMG" id
	[[ "$output" == *"uid=0(root) gid=0(root)"* ]]
	run -3 P "$rt" run --rm "$PODMAN_IMG" sh -c 'echo to-stderr >&2; exit 3'
	[[ "$output" == *to-stderr* ]]
	run -0 P "$rt" run -d --name "$n" "$PODMAN_IMG" sh -c 'echo started; exec sleep 300'
	run -0 P "$rt" ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"$n Up"* ]]
	# the container's init runs as the user on the host
	local pid
	pid=$(P "$rt" inspect -f '{{.State.Pid}}' "$n")
	[ "$pid" -gt 0 ]
	[ "$(host_uid "$pid")" = "$RL_UID" ]
	run -0 P "$rt" exec "$n" sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "'
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" == "sleep 300"* ]]
	run -5 P "$rt" exec "$n" sh -c 'exit 5'
	# a non-root user of the container: a subordinate id on the host
	run -0 P "$rt" exec -u 1000 "$n" id -u
	[ "$output" = 1000 ]
	run -0 P "$rt" logs "$n"
	[ "$output" = started ]
	run -0 P "$rt" stop -t 1 "$n"
	run -0 P "$rt" ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"$n Exited"* ]]
	run -0 P "$rt" rm "$n"
	run -0 P "$rt" ps -aq
	[ -z "$output" ]
	[ -z "$(podman_state_left)" ]
	! pid_alive "$pid"
}

# podman_it RUNTIME: podman run -it from a terminal (a tmux pane of the
# user's): the shell gets a pty of the pane's size; its exit status is
# podman's.
podman_it() {
	local rt=$1
	rl_podman_setup
	command -v tmux >/dev/null || cw_install tmux
	command -v tmux >/dev/null || skip "tmux is not installed"
	# cw_tmux_shell's tmux, and the status file it reads, are the user's
	local udir=$RL_HOME/tmux-$BATS_TEST_NUMBER
	as_user mkdir "$udir"
	tmux() { as_user tmux "$@"; }
	BATS_TEST_TMPDIR=$udir cw_tmux_shell \
		"podman --storage-driver vfs --runtime $rt run -it --rm $PODMAN_IMG sh" 3
	unset -f tmux
	[[ "$CW_PANE" == */dev/pts/* ]]
	[[ "$CW_PANE" == *"20 90"* ]]
	[ "$CW_PANE_STATUS" = 3 ]
	run -0 P "$rt" ps -aq
	[ -z "$output" ]
	[ -z "$(podman_state_left)" ]
}

@test "rootless podman, runc: run --rm, run -d, exec, logs, stop, rm" {
	podman_cycle /usr/sbin/runc
}

@test "rootless podman, the runtime under test: run --rm, run -d, exec, logs, stop, rm" {
	podman_cycle "$RL_BIN"
}

@test "rootless podman, runc: run -it in a terminal" {
	podman_it /usr/sbin/runc
}

@test "rootless podman, the runtime under test: run -it in a terminal" {
	podman_it "$RL_BIN"
}
