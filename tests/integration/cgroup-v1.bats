#!/usr/bin/env bats
# cgroup v1 as seen from the host, on this host as it is (hybrid: the v1
# controllers are live here, so limits are enforced): the container's group
# in every mounted v1 hierarchy, each linux.resources field read back from
# its v1 file, enforcement (an OOM kill with its event, a fork bomb held by
# pids.max, a device the devices controller denies, the freezer stopping
# processes, kill --all), update all or nothing, exec joining the same
# groups or (--cgroup) sub-cgroups of them, and what a v1 host refuses.  A legacy host (v1 only) is made for
# one lifecycle in a private mount namespace without the cgroup2 mount.
# Run against runc with MINI_RUNC=$(command -v runc).

load helpers

# cgroup_mount: the `cgroup` entry of runc's default spec.
cgroup_mount() {
	cfg_edit '.mounts += [{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
		options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}]'
}

# The v1 hierarchies mounted here: "MOUNTPOINT CONTROLLERS" per line,
# controllers as /proc/PID/cgroup lists them (mount options that are not
# controllers dropped).
v1_hierarchies() {
	awk '$9 == "cgroup" {
		n = split($NF, o, ","); c = ""
		for (i = 1; i <= n; i++)
			if (o[i] !~ /^(rw|ro|xattr|noprefix|clone_children|cpuset_v2_mode|favordynmods|release_agent=.*)$/)
				c = c (c == "" ? "" : ",") o[i]
		print $5, c
	}' /proc/self/mountinfo
}

# v1_mount CONTROLLER: the mount point of the v1 hierarchy holding it.
v1_mount() {
	v1_hierarchies | awk -v c="$1" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) { print $1; exit } }'
}

# requires_v1 CONTROLLER...: skip unless each is in a mounted v1 hierarchy.
requires_v1() {
	local c
	for c in "$@"; do
		[ -n "$(v1_mount "$c")" ] || skip "no cgroup v1 hierarchy has $c"
	done
}

# v1_dir PID CONTROLLER: PID's group of that hierarchy, as a host path.
v1_dir() {
	local mnt path
	mnt=$(v1_mount "$2")
	path=$(awk -F: -v c="$2" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$1/cgroup")
	[ -n "$mnt" ] && [ -n "$path" ] || return 1
	echo "$mnt${path%/}"
}

# v1_file PID CONTROLLER FILE: the content of that file of PID's group.
v1_file() {
	local d
	d=$(v1_dir "$1" "$2") || return 1
	cat "$d/$3"
}

start_sleeper() {
	set_args sh -c 'echo ready > /tmp/ready; while :; do sleep 0.1; done'
	rund -0 mrc run -d --bundle "$BUNDLE" "$1"
	wait_file "$BUNDLE/rootfs/tmp/ready"
}

init_pid() {
	state_field "$1" pid
}

@test "cgroup v1: the init has a group of its own in every mounted hierarchy, delete removes them" {
	requires_v1 memory
	start_sleeper "$ID"
	local pid mnt ctl dirs=() d
	pid=$(init_pid "$ID")
	while read -r mnt ctl; do
		d=$(v1_dir "$pid" "${ctl%%,*}")
		# its own group, named after the container, holding the init
		[ "${d##*/}" = "$ID" ]
		grep -qx "$pid" "$d/cgroup.procs"
		dirs+=("$d")
	done < <(v1_hierarchies)
	[ "${#dirs[@]}" -ge 1 ]
	run -0 mrc delete --force "$ID"
	wait_gone "$pid"
	for d in "${dirs[@]}"; do
		[ ! -e "$d" ]
	done
	assert_nothing_left
}

@test "cgroup v1: a relative cgroupsPath goes inside the runtime's own group of each hierarchy, as runc" {
	requires_v1 memory
	start_sleeper "$ID"
	local pid own got
	pid=$(init_pid "$ID")
	own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
	got=$(awk -F: '$2 == "memory" {print $3}' "/proc/$pid/cgroup")
	[ "$got" = "${own%/}/$ID" ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: an absolute cgroupsPath, every directory made is removed, an existing parent stays" {
	requires_v1 memory pids
	local mem pids
	mem=$(v1_mount memory)
	pids=$(v1_mount pids)
	# a parent that exists in one hierarchy only: it must survive delete
	mkdir "$pids/mrct-keep-$ID"
	cfg_edit --arg p "/mrct-keep-$ID/a/$ID" '.linux.cgroupsPath = $p'
	start_sleeper "$ID"
	local pid
	pid=$(init_pid "$ID")
	[ "$(v1_dir "$pid" memory)" = "$mem/mrct-keep-$ID/a/$ID" ]
	[ "$(v1_dir "$pid" pids)" = "$pids/mrct-keep-$ID/a/$ID" ]
	run -0 mrc delete --force "$ID"
	wait_gone "$pid"
	[ ! -e "$mem/mrct-keep-$ID/a/$ID" ]
	[ -d "$pids/mrct-keep-$ID" ]
	if is_mini_runc; then
		# mini-runc removes the parents it made (runc leaves them)
		[ ! -e "$mem/mrct-keep-$ID" ]
		[ ! -e "$pids/mrct-keep-$ID/a" ]
	else
		local m
		for m in $(v1_hierarchies | awk '{print $1}'); do
			rmdir "$m/mrct-keep-$ID/a" "$m/mrct-keep-$ID" 2>/dev/null || true
		done
		rmdir /sys/fs/cgroup/unified/mrct-keep-$ID/a /sys/fs/cgroup/unified/mrct-keep-$ID 2>/dev/null || true
	fi
	rmdir "$pids/mrct-keep-$ID" 2>/dev/null || true
	assert_nothing_left
}

@test "cgroup v1: every resource is written to its v1 file" {
	requires_v1 memory cpu cpuset pids
	cfg_edit '.linux.resources = {
		memory: {limit: 67108864, reservation: 33554432, swappiness: 10, disableOOMKiller: false},
		cpu: {shares: 512, quota: 50000, period: 100000, cpus: "0", mems: "0"},
		pids: {limit: 50}
	}'
	start_sleeper "$ID"
	local pid
	pid=$(init_pid "$ID")
	[ "$(v1_file "$pid" memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(v1_file "$pid" memory memory.soft_limit_in_bytes)" = 33554432 ]
	[ "$(v1_file "$pid" memory memory.swappiness)" = 10 ]
	grep -qx 'oom_kill_disable 0' <(v1_file "$pid" memory memory.oom_control)
	[ "$(v1_file "$pid" cpu cpu.shares)" = 512 ]
	[ "$(v1_file "$pid" cpu cpu.cfs_quota_us)" = 50000 ]
	[ "$(v1_file "$pid" cpu cpu.cfs_period_us)" = 100000 ]
	[ "$(v1_file "$pid" cpuset cpuset.cpus)" = 0 ]
	[ "$(v1_file "$pid" cpuset cpuset.mems)" = 0 ]
	[ "$(v1_file "$pid" pids pids.max)" = 50 ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: blkio and the devices controller get runc's lines" {
	requires_v1 blkio devices
	local maj min
	# a block device's numbers: the one the test directory lives on
	maj=$(( $(stat -c '%d' "$BATS_TEST_TMPDIR") >> 8 ))
	min=$(( $(stat -c '%d' "$BATS_TEST_TMPDIR") & 255 ))
	[ -e "/sys/dev/block/$maj:$min" ] || skip "the test directory is on no block device"
	cfg_edit --argjson ma "$maj" --argjson mi "$min" '.linux.resources.blockIO = {
		throttleReadBpsDevice: [{major: $ma, minor: $mi, rate: 1048576}],
		throttleWriteIOPSDevice: [{major: $ma, minor: $mi, rate: 100}]
	}'
	start_sleeper "$ID"
	local pid
	pid=$(init_pid "$ID")
	grep -qx "$maj:$min 1048576" <(v1_file "$pid" blkio blkio.throttle.read_bps_device)
	grep -qx "$maj:$min 100" <(v1_file "$pid" blkio blkio.throttle.write_iops_device)
	# default deny, then runc's default list: /dev/null is allowed, not all
	! grep -qx 'a \*:\* rwm' <(v1_file "$pid" devices devices.list)
	grep -qx 'c 1:3 rwm' <(v1_file "$pid" devices devices.list)
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: a memory limit OOM-kills: exit 137, and events reports the OOM" {
	requires_v1 memory
	# no swap on these hosts, so tmpfs pages cannot leave memory
	cfg_edit '.linux.resources.memory = {limit: 16777216}'
	set_args sh -c 'exec dd if=/dev/zero of=/dev/shm/fill bs=1M count=64'
	run mrc run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 137 ]
	assert_nothing_left
	local id2
	new_id id2
	set_args sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done; dd if=/dev/zero of=/dev/shm/fill bs=1M count=64; echo after > /tmp/after; while :; do sleep 0.1; done'
	rund -0 mrc run -d --bundle "$BUNDLE" "$id2"
	mrc events --interval 100ms "$id2" >"$BATS_TEST_TMPDIR/events" 2>&1 &
	local ev=$!
	sleep 0.3
	touch "$BUNDLE/rootfs/tmp/go"
	wait_file "$BUNDLE/rootfs/tmp/after"
	local n=100
	until grep -q "\"type\":\"oom\",\"id\":\"$id2\"" "$BATS_TEST_TMPDIR/events" || [ $n -eq 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	grep -q "\"type\":\"oom\",\"id\":\"$id2\"" "$BATS_TEST_TMPDIR/events"
	run -0 mrc delete --force "$id2"
	wait "$ev" || true
	assert_nothing_left
}

@test "cgroup v1: pids.max stops a fork bomb" {
	requires_v1 pids
	cfg_edit '.linux.resources.pids = {limit: 8}'
	# The bomb's shell dies at its first failed fork; the init then only
	# uses builtins and exec, which need no new process.
	set_args sh -c 'sh -c "i=0; while [ \$i -lt 30 ]; do sleep 30 & i=\$((i + 1)); echo \$i > /tmp/n; done" 2>/tmp/err; echo ready > /tmp/ready; exec sleep 100'
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	local pid
	pid=$(init_pid "$ID")
	[ "$(cat "$BUNDLE/rootfs/tmp/n")" -lt 30 ]
	[ "$(v1_file "$pid" pids pids.current)" -le 8 ]
	grep -qi "fork\|resource temporarily unavailable" "$BUNDLE/rootfs/tmp/err"
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: the devices controller denies a node outside the list" {
	requires_v1 devices
	# /dev/kmsg (1:11) is in no default rule; /dev/null (1:3) is.
	cfg_edit '.linux.devices = [] | .linux.resources.devices = [{allow: false, access: "rwm"}]'
	cfg_edit '.mounts += [{destination: "/hostkmsg", type: "bind", source: "/dev/kmsg", options: ["bind", "ro"]}]'
	set_args sh -c 'cat /hostkmsg >/dev/null 2>/tmp/err; echo $? > /tmp/rc; echo ok > /dev/null && echo null-ok > /tmp/null; echo ready > /tmp/ready; while :; do sleep 0.1; done'
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	[ "$(cat "$BUNDLE/rootfs/tmp/rc")" != 0 ]
	grep -qi "not permitted" "$BUNDLE/rootfs/tmp/err"
	[ "$(cat "$BUNDLE/rootfs/tmp/null")" = null-ok ]
	# the v1 controller did it: the group's list has no 1:11
	! grep -q ' 1:11 ' <(v1_file "$(init_pid "$ID")" devices devices.list)
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: pause stops every process (freezer.state FROZEN), resume runs them again" {
	requires_v1 freezer
	set_args sh -c '(while :; do sleep 0.05; done) & echo ready > /tmp/ready; while :; do sleep 0.05; done'
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	local pid p
	pid=$(init_pid "$ID")
	run -0 mrc pause "$ID"
	[ "$(state_field "$ID" status)" = paused ]
	[ "$(v1_file "$pid" freezer freezer.state)" = FROZEN ]
	# a frozen task shows as D (in the refrigerator), every one of them
	for p in $(cat "$(v1_dir "$pid" freezer)/cgroup.procs"); do
		[ "$(awk '{print $3}' "/proc/$p/stat")" = D ]
	done
	run -0 mrc resume "$ID"
	[ "$(state_field "$ID" status)" = running ]
	[ "$(v1_file "$pid" freezer freezer.state)" = THAWED ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: kill --all reaches every process, delete --force of a paused container ends it" {
	requires_v1 freezer
	set_args sh -c '(while :; do sleep 0.1; done) & (while :; do sleep 0.1; done) & echo ready > /tmp/ready; while :; do sleep 0.1; done'
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	local pid d pids
	pid=$(init_pid "$ID")
	d=$(v1_dir "$pid" freezer)
	pids=$(cat "$d/cgroup.procs")
	[ "$(echo "$pids" | wc -l)" -ge 3 ]
	run -0 mrc kill --all "$ID" KILL
	wait_status "$ID" stopped
	for p in $pids; do wait_gone "$p"; done
	run -0 mrc delete "$ID"
	assert_nothing_left
	# paused: the frozen processes die once thawed, and nothing stays
	local id2
	new_id id2
	start_sleeper "$id2"
	pid=$(init_pid "$id2")
	run -0 mrc pause "$id2"
	run -0 mrc delete --force "$id2"
	wait_gone "$pid"
	assert_nothing_left
}

@test "cgroup v1: an exec'd process joins the container's group in every hierarchy" {
	requires_v1 memory
	start_sleeper "$ID"
	local pid epid
	pid=$(init_pid "$ID")
	rund -0 mrc exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 30
	epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	# the same groups, line for line, cgroup2 included
	diff <(cat "/proc/$pid/cgroup") <(cat "/proc/$epid/cgroup")
	grep -qx "$epid" "$(v1_dir "$pid" memory)/cgroup.procs"
	run -0 mrc ps --format json "$ID"
	[[ "$output" == *"$epid"* ]]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

# make_sub PID NAME: the sub-cgroup NAME of PID's group in every v1
# hierarchy and in cgroup2 (a cpuset group gets its parent's cpus and mems,
# without which no process can join it).
make_sub() {
	local line ctl path mnt d
	while IFS= read -r line; do
		ctl=${line#*:}; path=${ctl#*:}; ctl=${ctl%%:*}
		if [ -z "$ctl" ]; then
			mnt=$(awk '$9 == "cgroup2" {print $5}' /proc/self/mountinfo | tail -n1)
		else
			mnt=$(v1_hierarchies | awk -v c="$ctl" '$2 == c {print $1; exit}')
		fi
		[ -n "$mnt" ] || continue
		d=$mnt${path%/}/$2
		mkdir -p "$d"
		if [ -f "$d/cpuset.cpus" ]; then
			cat "$d/../cpuset.cpus" >"$d/cpuset.cpus"
			cat "$d/../cpuset.mems" >"$d/cpuset.mems"
		fi
	done <"/proc/$1/cgroup"
}

# exec_d ARGS...: exec -d ARGS in $ID; $EPID is the process's host pid.
exec_d() {
	rm -f "$BATS_TEST_TMPDIR/exec.pid"
	rund -0 mrc exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$@" "$ID" sleep 30
	EPID=$(cat "$BATS_TEST_TMPDIR/exec.pid")
}

@test "cgroup v1: exec --cgroup SUB runs the process in SUB of every hierarchy, cgroup2 included" {
	requires_v1 memory
	start_sleeper "$ID"
	local pid
	pid=$(init_pid "$ID")
	make_sub "$pid" sub
	exec_d --cgroup sub
	# every line of the init's, v1 and cgroup2, with /sub appended
	diff <(sed 's|/*$|/sub|' "/proc/$pid/cgroup") "/proc/$EPID/cgroup"
	grep -qx "$EPID" "$(v1_dir "$pid" memory)/sub/cgroup.procs"
	# a leading slash is still inside the container's cgroup, as runc
	exec_d --cgroup /sub
	diff <(sed 's|/*$|/sub|' "/proc/$pid/cgroup") "/proc/$EPID/cgroup"
	# ps and kill --all reach it in its sub-cgroup; delete removes SUB
	run -0 mrc ps --format json "$ID"
	[[ "$output" == *"$EPID"* ]]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: exec --cgroup memory:SUB moves only the memory hierarchy; a list and repeats, as runc" {
	requires_v1 memory pids
	start_sleeper "$ID"
	local pid
	pid=$(init_pid "$ID")
	make_sub "$pid" m
	make_sub "$pid" p
	exec_d --cgroup memory:m
	diff <(awk -F: '$2 == "memory" {$3 = $3 "/m"} 1' OFS=: "/proc/$pid/cgroup") "/proc/$EPID/cgroup"
	exec_d --cgroup memory,pids:p
	diff <(awk -F: '$2 == "memory" || $2 == "pids" {$3 = $3 "/p"} 1' OFS=: "/proc/$pid/cgroup") "/proc/$EPID/cgroup"
	exec_d --cgroup memory:m --cgroup pids:p
	diff <(awk -F: '$2 == "memory" {$3 = $3 "/m"} $2 == "pids" {$3 = $3 "/p"} 1' OFS=: "/proc/$pid/cgroup") "/proc/$EPID/cgroup"
	# a bare path with another --cgroup, a controller of no hierarchy
	run -255 mrc exec --cgroup m --cgroup pids:p "$ID" true
	grep_i "m" "controller"
	run -255 mrc exec --cgroup bogus:m "$ID" true
	grep_i "bogus"
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: exec --cgroup refuses a path leading out and a missing sub-cgroup, naming it, and runs nothing" {
	requires_v1 memory
	start_sleeper "$ID"
	local pid d
	pid=$(init_pid "$ID")
	make_sub "$pid" sub
	d=$(v1_dir "$pid" memory)
	local arg
	for arg in ../x memory:../x sub/../../x; do
		run -255 mrc exec --cgroup "$arg" "$ID" sh -c 'echo ran > /tmp/ran'
		grep_i "../x"
		is_mini_runc && grep_i "--cgroup \`$arg\`" "leads out of the container's cgroup"
	done
	for arg in nosuch memory:nosuch; do
		run -255 mrc exec --cgroup "$arg" "$ID" sh -c 'echo ran > /tmp/ran'
		grep_i "nosuch" "no such file or directory"
		is_mini_runc && grep_i "--cgroup \`$arg\`"
	done
	# nothing ran, nothing was made
	[ ! -e "$BUNDLE/rootfs/tmp/ran" ]
	[ ! -e "$d/nosuch" ] && [ ! -e "$d/../x" ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: update writes new limits, all or nothing" {
	requires_v1 memory pids cpuset
	cfg_edit '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}}'
	start_sleeper "$ID"
	local pid
	pid=$(init_pid "$ID")
	run -0 mrc update --memory 128m --pids-limit 99 --cpu-share 256 "$ID"
	[ "$(v1_file "$pid" memory memory.limit_in_bytes)" = 134217728 ]
	[ "$(v1_file "$pid" pids pids.max)" = 99 ]
	# a cpuset no machine has fails the whole update: the memory and pids
	# written before it are put back
	run mrc update --memory 96m --pids-limit 77 --cpuset-cpus 4096 "$ID"
	[ "$status" -ne 0 ]
	grep_i cpuset.cpus
	[ "$(v1_file "$pid" memory memory.limit_in_bytes)" = 134217728 ]
	[ "$(v1_file "$pid" pids pids.max)" = 99 ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: events --stats reads the v1 files" {
	requires_v1 memory pids cpuacct
	cfg_edit '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}}'
	start_sleeper "$ID"
	run -0 mrc events --stats "$ID"
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .data.memory.usage.limit <<<"$output")" = 67108864 ]
	[ "$(jq -r .data.memory.usage.usage <<<"$output")" -gt 0 ]
	[ "$(jq -r .data.pids.limit <<<"$output")" = 50 ]
	[ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ]
	[ "$(jq -r .data.cpu.usage.total <<<"$output")" -gt 0 ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: pids.limit 0 and negative mean unlimited, as runc" {
	requires_v1 pids
	cfg_edit '.linux.resources.pids = {limit: 0}'
	start_sleeper "$ID"
	[ "$(v1_file "$(init_pid "$ID")" pids pids.max)" = max ]
	run -0 mrc delete --force "$ID"
	local id2
	new_id id2
	cfg_edit '.linux.resources.pids = {limit: -1}'
	start_sleeper "$id2"
	[ "$(v1_file "$(init_pid "$id2")" pids pids.max)" = max ]
	run -0 mrc delete --force "$id2"
	assert_nothing_left
}

@test "cgroup v1: a unified key is refused naming it, nothing left" {
	requires_mini_runc
	requires_v1 memory
	cfg_edit '.linux.resources.unified = {"memory.high": "1G"}'
	set_args true
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i "linux.resources.unified.memory.high" "cgroup v2"
}

@test "cgroup v1: a limit whose controller no hierarchy has fails naming the field, nothing left" {
	requires_mini_runc
	requires_v1 memory
	[ -z "$(v1_mount net_cls)" ] || skip "this host has net_cls"
	cfg_edit '.linux.resources.network = {classID: 1048577}'
	set_args true
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i "controller \`net_cls\` is not available" "linux.resources.network.classID"
}

@test "cgroup v1: a legacy host (no cgroup2 mount): run, pause, kill --all, delete" {
	requires_mini_runc
	requires_v1 memory freezer pids
	local cg2
	cg2=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
	[ -n "$cg2" ] || skip "no cgroup2 mount to hide"
	cfg_edit '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 40}}'
	set_args sh -c '(while :; do sleep 0.1; done) & echo ready > /tmp/ready; while :; do sleep 0.1; done'
	# One private mount namespace for the whole lifecycle: every call sees
	# the same legacy layout.
	cat >"$BATS_TEST_TMPDIR/legacy.sh" <<-EOF
		set -e
		umount -l "$cg2"
		M="$MINI_RUNC --root $ROOT"
		\$M run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
		while [ ! -e "$BUNDLE/rootfs/tmp/ready" ]; do sleep 0.05; done
		pid=\$(\$M state "$ID" | jq .pid)
		sed -n 's/^0:://p' /proc/\$pid/cgroup
		awk -F: '\$2 == "memory" {print "memory:" \$3}' /proc/\$pid/cgroup
		\$M pause "$ID"
		\$M state "$ID" | jq -r .status
		\$M resume "$ID"
		\$M ps --format json "$ID" | jq length
		\$M kill --all "$ID" KILL
		n=0; while [ "\$(\$M state "$ID" | jq -r .status)" != stopped ] && [ \$n -lt 100 ]; do sleep 0.05; n=\$((n+1)); done
		\$M state "$ID" | jq -r .status
		\$M delete "$ID"
		echo deleted
	EOF
	run unshare -m --propagation private bash "$BATS_TEST_TMPDIR/legacy.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	# not placed in cgroup2 (no mount of it to use); the v1 groups are there
	[[ "${lines[0]}" != *"/$ID" ]]
	[[ "${lines[1]}" == memory:*"/$ID" ]]
	[ "${lines[2]}" = paused ]
	[ "${lines[3]}" -ge 2 ]
	[ "${lines[4]}" = stopped ]
	[ "${lines[5]}" = deleted ]
	assert_nothing_left
}

@test "cgroup v1: a cgroup mount shows the container's own groups, as runc's tree, read-only" {
	requires_v1 memory pids
	cgroup_mount
	cfg_edit '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 50}}'
	set_args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max;
		ls /sys/fs/cgroup | tr "\n" " "; echo;
		touch /sys/fs/cgroup/x 2>&1; touch /sys/fs/cgroup/memory/x 2>&1; true'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 67108864 ]
	[ "${lines[1]}" = 50 ]
	# one directory per hierarchy, named as on the host
	local mnt dir
	while read -r mnt _; do
		dir=${mnt##*/}
		[[ " ${lines[2]} " == *" $dir "* ]]
	done < <(v1_hierarchies)
	# not writable (runc's tmpfs answers EACCES, mini-runc's EROFS)
	[[ "${lines[3]}" == *"Read-only file system"* || "${lines[3]}" == *"Permission denied"* ]]
	[[ "${lines[4]}" == *"Read-only file system"* ]]
	[ ! -e "$BUNDLE/rootfs/sys/fs/cgroup/x" ]
	assert_nothing_left
}

@test "cgroup v1: without a cgroup namespace the container's own groups are bound, not the host's" {
	requires_v1 memory
	cgroup_mount
	cfg_edit '.linux.namespaces |= map(select(.type != "cgroup"))'
	cfg_edit '.linux.resources = {memory: {limit: 67108864}}'
	set_args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; grep " /sys/fs/cgroup/memory " /proc/self/mountinfo'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "${lines[0]}" = 67108864 ]
	# the mount's root is the container's group in the host's hierarchy
	[[ "$(awk '{print $4}' <<<"${lines[1]}")" == */"$ID" ]]
	assert_nothing_left
}

@test "cgroup v1: in a user namespace the cgroup mount binds the container's groups" {
	requires_v1 memory
	cgroup_mount
	userns_config
	cfg_edit '.linux.resources = {memory: {limit: 67108864}}'
	set_args cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = 67108864 ]
	assert_nothing_left
}

@test "cgroup v1: an existing cpuset parent without cpus or mems is filled from its own parent, as runc" {
	requires_v1 cpuset
	local cs
	cs=$(v1_mount cpuset)
	# a plain mkdir: no cpus, no mems, so it could take no process
	mkdir "$cs/mrct-empty-$ID"
	[ -z "$(tr -d '\n' <"$cs/mrct-empty-$ID/cpuset.cpus")" ]
	cfg_edit --arg p "/mrct-empty-$ID/$ID" '.linux.cgroupsPath = $p'
	start_sleeper "$ID"
	[ "$(cat "$cs/mrct-empty-$ID/cpuset.cpus")" = "$(cat "$cs/cpuset.cpus")" ]
	[ "$(cat "$cs/mrct-empty-$ID/$ID/cpuset.mems")" = "$(cat "$cs/cpuset.mems")" ]
	run -0 mrc delete --force "$ID"
	# someone else's parent stays
	[ -d "$cs/mrct-empty-$ID" ]
	rmdir "$cs/mrct-empty-$ID"
	local m
	for m in $(v1_hierarchies | awk '{print $1}') /sys/fs/cgroup/unified; do
		rmdir "$m/mrct-empty-$ID" 2>/dev/null || true
	done
	assert_nothing_left
}

@test "cgroup v1: swap, kernelTCP, cpu burst, realtime and idle are written; limit and swap raised and lowered together" {
	requires_v1 memory cpu
	local probe
	probe=$(v1_mount memory)
	[ -e "$probe/memory.memsw.limit_in_bytes" ] || skip "no swap accounting (memory.memsw)"
	cfg_edit '.linux.resources = {
		memory: {limit: 67108864, swap: 134217728, kernelTCP: 33554432},
		cpu: {shares: 512, quota: 50000, period: 100000, burst: 10000,
			realtimePeriod: 1000000, realtimeRuntime: 10000, idle: 0}
	}'
	start_sleeper "$ID"
	local pid
	pid=$(init_pid "$ID")
	[ "$(v1_file "$pid" memory memory.memsw.limit_in_bytes)" = 134217728 ]
	# (runc 1.1 ignores kernel memory settings, with a warning)
	! is_mini_runc || [ "$(v1_file "$pid" memory memory.kmem.tcp.limit_in_bytes)" = 33554432 ]
	# (runc 1.1 predates cpu.burst)
	! is_mini_runc || [ "$(v1_file "$pid" cpu cpu.cfs_burst_us)" = 10000 ]
	[ "$(v1_file "$pid" cpu cpu.rt_period_us)" = 1000000 ]
	[ "$(v1_file "$pid" cpu cpu.rt_runtime_us)" = 10000 ]
	[ "$(v1_file "$pid" cpu cpu.idle)" = 0 ]
	# both up: the kernel wants limit <= memsw at every moment
	run -0 mrc update --memory 256m --memory-swap 512m "$ID"
	[ "$(v1_file "$pid" memory memory.limit_in_bytes)" = 268435456 ]
	[ "$(v1_file "$pid" memory memory.memsw.limit_in_bytes)" = 536870912 ]
	# both down again
	run -0 mrc update --memory 32m --memory-swap 48m "$ID"
	[ "$(v1_file "$pid" memory memory.limit_in_bytes)" = 33554432 ]
	[ "$(v1_file "$pid" memory memory.memsw.limit_in_bytes)" = 50331648 ]
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "cgroup v1: an existing frozen cgroup is refused at once, a non-empty one joined with runc's warning" {
	requires_mini_runc
	requires_v1 freezer pids
	local fz pids
	fz=$(v1_mount freezer)
	pids=$(v1_mount pids)
	mkdir "$fz/mrct-frozen-$ID"
	echo FROZEN >"$fz/mrct-frozen-$ID/freezer.state"
	cfg_edit --arg p "/mrct-frozen-$ID" '.linux.cgroupsPath = $p'
	set_args true
	# it used to hang: the init froze before it could report
	run -1 timeout 20 "$MINI_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	grep_i "cgroup \`/mrct-frozen-$ID\` is frozen"
	[ -z "$(state_entries)" ]
	echo THAWED >"$fz/mrct-frozen-$ID/freezer.state"
	rmdir "$fz/mrct-frozen-$ID"
	# a group that already holds a process: joined, with a warning
	mkdir "$pids/mrct-busy-$ID"
	sleep 100 &
	local other=$!
	echo "$other" >"$pids/mrct-busy-$ID/cgroup.procs"
	cfg_edit --arg p "/mrct-busy-$ID" '.linux.cgroupsPath = $p'
	run mrc run --bundle "$BUNDLE" "$ID"
	kill "$other"
	wait "$other" 2>/dev/null || true
	[ "$status" -eq 0 ]
	grep_i "container's cgroup is not empty: 1 process(es) found"
	# it was not ours: it stays, the others made for it go
	[ -d "$pids/mrct-busy-$ID" ]
	rmdir "$pids/mrct-busy-$ID"
	assert_nothing_left
}
