#!/usr/bin/env bats
# podman (through conmon) running its containers on mini-runc, with podman's
# own defaults: capabilities, seccomp profile, masked paths, mounts.  podman
# runs privately: its own --root, --runroot, --tmpdir, containers.conf; the
# image is a busybox rootfs imported from a tarball.  Every container, pod
# and image is removed in teardown_file, the directories after that.
#
# containers.conf here sets default_ulimits (podman's defaults exceed this
# host's hard limits, which cannot be raised without CAP_SYS_RESOURCE,
# TESTING.md), the cgroupfs manager (no systemd runs), the file events
# logger and netns "none" (no bridge or firewall rules on the shared host).
# Everything else is podman's stock default, its pids limit (2048) too.
#
# Limits are read back on the host from the container's own cgroup, found
# through its init's /proc/PID/cgroup (cw_cgroup_expect): the v1 files on
# this hybrid host, the cgroup2 ones on a unified host.  teardown checks
# that every container the test created left no cgroup, conmon, mount or
# runtime state behind (cw_assert_clean).

load callers-helpers

P() {
	CONTAINERS_CONF=$CW_CONF timeout -k 5 120 podman \
		--root "$CW_DIR/root" --runroot "$CW_DIR/runroot" --tmpdir "$CW_DIR/tmp" \
		--storage-driver vfs --runtime "$CW_WRAP" "$@"
}

IMG=localhost/mrc-busybox

write_conf() { # FILE: podman's defaults, but for what this host needs
	cw_podman_conf >"$1"
}

setup_file() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	cw_install podman conmon catatonit tmux
	command -v podman >/dev/null || skip "podman not installed"
	[ -x "$MINI_RUNC" ] || skip "no $MINI_RUNC (run make)"
	# Short paths: conmon's attach socket lives under the runroot.
	CW_DIR=$(mktemp -d /tmp/mrc-podman.XXXXXX)
	export CW_DIR
	mkdir -p "$CW_DIR"/{root,runroot,tmp}
	cw_make_wrapper "$CW_DIR"
	CW_CONF=$CW_DIR/containers.conf
	write_conf "$CW_CONF"
	export CW_CONF
	cw_rootfs "$CW_DIR/rootfs"
	tar -C "$CW_DIR/rootfs" -c . | P import - "$IMG" >/dev/null
}

teardown_file() {
	[ -n "${CW_DIR:-}" ] && [ -d "$CW_DIR" ] || return 0
	P pod rm -af -t 0 >/dev/null 2>&1 || true
	P rm -af -t 0 >/dev/null 2>&1 || true
	P rmi -af >/dev/null 2>&1 || true
	cw_umount_under "$CW_DIR"
	rm -rf "$CW_DIR"
}

setup() {
	echo "==== $BATS_TEST_DESCRIPTION" >>"$CW_LOG"
	NAMES=()
	# conmon writes an `oom` marker into its working directory when the
	# container's memory cgroup reports an OOM kill: not into the checkout
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	local n
	for n in "${NAMES[@]}"; do
		P rm -f -t 0 "$n" >/dev/null 2>&1 || true
	done
	# Every container the test created is gone: its cgroups in every
	# hierarchy, its conmon, its mounts, its entry in mini-runc's state dir
	# (conmon passes no --root: the default one).
	cw_assert_clean || {
		cw_show_log
		return 1
	}
	[ -n "${BATS_TEST_COMPLETED:-}" ] || {
		echo "---- last command's output ----" >&2
		echo "${output:-}" >&2
		cw_show_log
	}
}

# name VAR: a fresh container name in VAR, removed by teardown.
new_name() {
	local -n _v=$1
	_v="mrcp${BATS_TEST_NUMBER}x$RANDOM"
	NAMES+=("$_v")
}

# cid NAME: podman's full id of a container (mini-runc's container id).
cid() { P inspect -f '{{.Id}}' "$1"; }

# cpid NAME: the host pid of a container's init.
cpid() { P inspect -f '{{.State.Pid}}' "$1"; }

@test "podman run --rm: output, exit status 0 and non-zero" {
	run -0 P run --rm "$IMG" echo hello from mini-runc
	[ "$output" = "hello from mini-runc" ]
	run -3 P run --rm "$IMG" sh -c 'echo to-stderr >&2; exit 3'
	[[ "$output" == *to-stderr* ]]
	run -0 P run --rm -i "$IMG" cat <<<"piped stdin"
	[ "$output" = "piped stdin" ]
	# nothing left behind by --rm
	run -0 P ps -aq
	[ -z "$output" ]
}

@test "podman run --rm: podman's seccomp profile, capabilities and masked paths are applied" {
	run -0 P run --rm "$IMG" sh -c '
		grep ^Seccomp: /proc/self/status
		grep ^CapBnd: /proc/self/status
		echo "timer_list $(wc -c </proc/timer_list)"
		echo "firmware $(ls /sys/firmware | wc -l)"
		(echo x >/proc/sys/kernel/hostname) 2>/dev/null && echo sys-writable || echo sys-readonly
		hostname'
	[[ "$output" == *"Seccomp:	2"* ]]
	# podman's default capability set: no CAP_SYS_ADMIN (bit 21), and
	# exactly what config.json asked for (checked below).
	local bnd
	bnd=$(sed -n 's/^CapBnd:\t//p' <<<"$output")
	[ -n "$bnd" ]
	[ $((0x$bnd & (1 << 21))) -eq 0 ]
	[ $((0x$bnd & (1 << 0))) -ne 0 ] # CAP_CHOWN kept
	[[ "$output" == *"timer_list 0"* ]] # masked: /dev/null bound over it
	[[ "$output" == *"firmware 0"* ]]   # masked: empty tmpfs
	[[ "$output" == *sys-readonly* ]]
}

@test "podman run -d, ps, logs, exec (exit status), exec -t, top" {
	local n
	new_name n
	run -0 P run -d --name "$n" "$IMG" sh -c 'echo started; while :; do sleep 0.2; done'
	run -0 P ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"$n Up"* ]]
	cw_wait eval 'P logs "$n" | grep -q started'
	run -0 P logs "$n"
	[ "$output" = started ]
	run -0 P exec "$n" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	[[ "$output" == "in-exec"* ]]
	[[ "$output" == *"while :"* ]]
	run -5 P exec "$n" sh -c 'exit 5'
	run -0 P exec -t "$n" sh -c 'tty; echo done'
	[[ "$output" == */dev/pts/* ]]
	run -0 P exec -e FOO=bar -w /tmp "$n" sh -c 'echo $FOO $(pwd)'
	[ "$output" = "bar /tmp" ]
	# top is one snapshot: between two sleeps there is none to see
	local i
	for i in $(seq 20); do
		run -0 P top "$n"
		[[ "$output" == *"sleep 0.2"* ]] && break
	done
	[[ "$output" == *"while :"* ]]
	[[ "$output" == *"sleep 0.2"* ]]
}

# podman's default: seccomp profile, no_new_privileges off.  The filter
# must be loaded while the process still has CAP_SYS_ADMIN (before the
# switch to a non-root uid drops it), as runc does: without no_new_privs,
# seccomp(2) from an unprivileged process fails with EACCES.
@test "podman run -u and exec -u a non-root user under podman's seccomp profile" {
	local n
	new_name n
	run -0 P run --rm -u 65534 "$IMG" id -u
	[ "$output" = 65534 ]
	run -0 P run -d --name "$n" "$IMG" sleep 300
	run -0 P exec -u 65534 -w /tmp "$n" sh -c 'echo $(id -u) $(pwd)'
	[ "$output" = "65534 /tmp" ]
}

@test "podman run -u with no-new-privileges / seccomp=unconfined (the workarounds)" {
	run -0 P run --rm -u 65534 --security-opt no-new-privileges "$IMG" id -u
	[ "$output" = 65534 ]
	run -0 P run --rm -u 65534 --security-opt seccomp=unconfined "$IMG" id -u
	[ "$output" = 65534 ]
}

# podman marks its tmpfs mounts "tmpcopyup" (runc's extension: copy the
# image's files at that path into the new tmpfs); --read-only adds such
# tmpfs on /run, /tmp and /var/tmp.
@test "podman run --tmpfs and --read-only (tmpfs mounts with tmpcopyup)" {
	run -0 P run --rm --tmpfs /scratch:size=1m "$IMG" sh -c 'grep " /scratch " /proc/mounts'
	[[ "$output" == *"tmpfs /scratch tmpfs"* ]]
	run -0 P run --rm --tmpfs /etc "$IMG" sh -c 'grep " /etc " /proc/mounts; cat /etc/passwd'
	[[ "$output" == *"root:x:0:0"* ]] # copied up from the image
	run -0 P run --rm --read-only "$IMG" sh -c '(touch /x) 2>/dev/null && echo root-writable; touch /tmp/y && echo tmp-ok'
	[ "$output" = tmp-ok ]
}

# podman makes the network namespace itself and passes its path: the
# container's netns is joined, yet not the host's, so net.* sysctls apply.
# (With podman's default bridge network the path is /run/netns/netns-UUID;
# here a namespace of the test's own, given with --network ns:PATH, so no
# bridge or firewall rule is made on the shared host.)
@test "podman run --sysctl net.* in podman's own network namespace" {
	local ns=mrcp-$$-$RANDOM
	ip netns add "$ns" || skip "ip netns add failed"
	run P run --rm --network "ns:/run/netns/$ns" --sysctl net.ipv4.ip_forward=1 "$IMG" cat /proc/sys/net/ipv4/ip_forward
	ip netns del "$ns"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	# a new network namespace (netns "none" here) works as well
	run -0 P run --rm --sysctl net.ipv4.ip_forward=1 "$IMG" cat /proc/sys/net/ipv4/ip_forward
	[ "$output" = 1 ]
	run -0 P run --rm --sysctl kernel.msgmax=4096 "$IMG" cat /proc/sys/kernel/msgmax
	[ "$output" = 4096 ]
}

# A user namespace without a cgroup namespace (podman's default on a
# cgroup v1/hybrid host): the "cgroup" mount podman asks for must still work
# (runc falls back to a bind mount when mounting cgroup2 is refused).
@test "podman run --uidmap (user namespace, podman's cgroup mount)" {
	run -0 P run --rm --uidmap 0:100000:65536 "$IMG" sh -c 'cat /proc/self/uid_map'
	[[ "$output" == *"0"*"100000"*"65536"* ]]
}

# podman stats reads the container's cgroup files itself, from the groups
# its init's /proc/PID/cgroup lists (the v1 hierarchies on a hybrid host):
# the numbers must be the container's own, not those of a group around it.
@test "podman stats --no-stream: the container's own memory and pids" {
	local n
	new_name n
	run -0 P run -d --name "$n" --memory 64m "$IMG" sh -c 'sleep 300 & sleep 300 & wait'
	cw_wait eval '[ "$(P top "$n" args | grep -cx "sleep 300 *")" -eq 2 ]'
	run -0 P stats --no-stream --format '{{.Name}}|{{.MemUsageBytes}}|{{.PIDs}}' "$n"
	local name mem pids used limit
	IFS='|' read -r name mem pids <<<"$output"
	[ "$name" = "$n" ]
	# The limit is the container's own (the host's is the machine's RAM)...
	used=${mem% / *}
	limit=${mem#* / }
	[ "$limit" = 64MiB ]
	# ...and so is the usage: a few sleeping busyboxes, not the host's.
	used=$(cw_bytes "$used")
	[ "$used" -gt 0 ]
	[ "$used" -lt $((64 << 20)) ]
	[ "$pids" = 3 ] # sh and its two sleeps
}

@test "podman pause/unpause freezes and thaws the container" {
	local n pid a b
	new_name n
	run -0 P run -d --name "$n" "$IMG" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/cnt.new; mv /tmp/cnt.new /tmp/cnt; sleep 0.05; done'
	pid=$(P inspect -f '{{.State.Pid}}' "$n")
	cw_wait test -s "/proc/$pid/root/tmp/cnt"
	run -0 P pause "$n"
	run -0 P inspect -f '{{.State.Status}}' "$n"
	[ "$output" = paused ]
	a=$(cat "/proc/$pid/root/tmp/cnt")
	[ "$a" -gt 0 ]
	sleep 0.5
	b=$(cat "/proc/$pid/root/tmp/cnt")
	[ "$a" = "$b" ]
	run -0 P unpause "$n"
	run -0 P inspect -f '{{.State.Status}}' "$n"
	[ "$output" = running ]
	cw_wait eval '[ "$(cat "/proc/$pid/root/tmp/cnt")" -gt "$a" ]'
	b=$(cat "/proc/$pid/root/tmp/cnt")
	[ "$b" -gt "$a" ]
}

@test "podman stop: SIGTERM first, SIGKILL after the timeout" {
	local n m
	new_name n
	run -0 P run -d --name "$n" "$IMG" sh -c 'trap "echo got-term; exit 0" TERM; echo up; while :; do sleep 0.1; done'
	cw_wait eval 'P logs "$n" | grep -q up'
	run -0 P stop -t 10 "$n"
	run -0 P inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$n"
	[ "$output" = "exited 0" ]
	run -0 P logs "$n"
	[[ "$output" == *got-term* ]]
	# A container ignoring SIGTERM is killed after -t seconds: 137.
	new_name m
	run -0 P run -d --name "$m" "$IMG" sh -c 'trap "" TERM; echo up; while :; do sleep 0.1; done'
	cw_wait eval 'P logs "$m" | grep -q up'
	run -0 P stop -t 1 "$m"
	run -0 P inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$m"
	[ "$output" = "exited 137" ]
	grep -q "kill $(cid "$m") 9" "$CW_LOG" || grep -q "kill .*$(cid "$m").* 9" "$CW_LOG"
}

@test "podman kill (default and -s), restart, rm -f of a running container" {
	local n id pid1 pid2
	new_name n
	run -0 P run -d --name "$n" "$IMG" sh -c 'trap "echo got-usr1" USR1; echo up; while :; do sleep 0.1; done'
	cw_wait eval 'P logs "$n" | grep -q up'
	run -0 P kill -s USR1 "$n"
	cw_wait eval 'P logs "$n" | grep -q got-usr1'
	run -0 P inspect -f '{{.State.Status}}' "$n"
	[ "$output" = running ]
	run -0 P kill "$n"
	cw_wait eval '[ "$(P inspect -f "{{.State.Status}}" "$n")" = exited ]'
	run -0 P inspect -f '{{.State.ExitCode}}' "$n"
	[ "$output" = 137 ]
	run -0 P restart "$n"
	run -0 P inspect -f '{{.State.Status}}' "$n"
	[ "$output" = running ]
	pid1=$(P inspect -f '{{.State.Pid}}' "$n")
	run -0 P restart -t 0 "$n"
	pid2=$(P inspect -f '{{.State.Pid}}' "$n")
	[ "$pid1" != "$pid2" ]
	kill -0 "$pid2"
	id=$(cid "$n")
	run -0 P rm -f -t 1 "$n"
	! kill -0 "$pid2" 2>/dev/null || false
	run -0 P ps -aq --filter "name=$n"
	[ -z "$output" ]
	run "$MINI_RUNC" state "$id"
	[ "$status" -ne 0 ]
}

@test "podman run -it through tmux: a terminal of the pane's size, exit status" {
	local n
	new_name n
	cw_tmux_shell "CONTAINERS_CONF=$CW_CONF podman --root $CW_DIR/root --runroot $CW_DIR/runroot --tmpdir $CW_DIR/tmp --storage-driver vfs --runtime $CW_WRAP run -it --rm --name $n $IMG sh" 4
	[[ "$CW_PANE" == *"/dev/pts/"* ]]
	[[ "$CW_PANE" == *"20 90"* ]]
	[ "$CW_PANE_STATUS" = 4 ]
}

# The limits podman asks for are applied in the container's own cgroup,
# and enforced.
@test "podman run --memory 64m: memory limit (and podman's swap, twice it) applied, and enforced" {
	local n pid
	new_name n
	run -0 P run -d --name "$n" --memory 64m "$IMG" sleep 300
	pid=$(cpid "$n")
	cw_cgroup_expect "$pid" memory memory.limit_in_bytes=67108864 memory.max=67108864
	# memory.swap is the total (memory + swap); cgroup2 takes swap alone
	cw_cgroup_expect "$pid" memory memory.memsw.limit_in_bytes=134217728 memory.swap.max=67108864
	# A shell holding 100 MiB is OOM-killed (SIGKILL: 137).
	run -137 P exec "$n" sh -c 'x=$(head -c 100m /dev/zero | tr "\0" a); echo survived ${#x}'
	[[ "$output" != *survived* ]]
}

@test "podman run --pids-limit 50: pids.max applied, and enforced" {
	local n pid
	new_name n
	run -0 P run -d --name "$n" --pids-limit 50 "$IMG" sleep 300
	pid=$(cpid "$n")
	cw_cgroup_expect "$pid" pids pids.max=50 pids.max=50
	run P exec "$n" sh -c 'i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done; echo forked-all'
	[ "$status" -ne 0 ]
	[[ "$output" == *"can't fork"* ]]
	[[ "$output" != *forked-all* ]]
}

@test "podman run --pids-limit -1 (podman 4.3 writes pids.limit 0): unlimited, as runc has it" {
	local n pid
	new_name n
	run -0 P run -d --name "$n" --pids-limit -1 "$IMG" sleep 300
	run -0 P inspect -f '{{.State.Status}}' "$n"
	[ "$output" = running ]
	pid=$(cpid "$n")
	cw_cgroup_expect "$pid" pids pids.max=max pids.max=max
	run -0 P run --rm --pids-limit -1 "$IMG" echo ok
	[ "$output" = ok ]
}

@test "podman's stock pids limit (2048): runs, and pids.max is 2048" {
	local n pid
	new_name n
	! grep -q pids_limit "$CW_CONF" || false # podman's own default applies
	run -0 P run --rm "$IMG" echo ok
	[ "$output" = ok ]
	run -0 P run -d --name "$n" "$IMG" sleep 300
	pid=$(cpid "$n")
	cw_cgroup_expect "$pid" pids pids.max=2048 pids.max=2048
}

@test "podman pod: containers share the infra container's net, ipc and uts namespaces" {
	local pod=mrcpod$$ n infra ip cp ns
	new_name n
	run -0 P pod create --name "$pod"
	run -0 P run -d --pod "$pod" --name "$n" "$IMG" sleep 300
	infra=$(P pod inspect -f '{{.InfraContainerID}}' "$pod")
	ip=$(P inspect -f '{{.State.Pid}}' "$infra")
	cp=$(P inspect -f '{{.State.Pid}}' "$n")
	[ "$ip" -gt 0 ] && [ "$cp" -gt 0 ]
	for ns in net ipc uts; do
		[ "$(readlink /proc/$ip/ns/$ns)" = "$(readlink /proc/$cp/ns/$ns)" ]
	done
	[ "$(readlink /proc/$ip/ns/mnt)" != "$(readlink /proc/$cp/ns/mnt)" ]
	run -0 P run --rm --pod "$pod" "$IMG" hostname
	[ "$output" = "$pod" ]
	run -0 P pod stop -t 1 "$pod"
	run -0 P pod rm -f "$pod"
	NAMES=()
}

# A pod with a user namespace: the infra container makes it, the others
# join it by path (as CRI-O's pods with user namespaces do).
@test "podman pod --uidmap: containers join the infra container's user namespace" {
	local pod=mrcupod$$ n infra ip cp
	new_name n
	run -0 P pod create --name "$pod" --uidmap 0:100000:65536
	run -0 P run -d --pod "$pod" --name "$n" "$IMG" sleep 300
	infra=$(P pod inspect -f '{{.InfraContainerID}}' "$pod")
	ip=$(P inspect -f '{{.State.Pid}}' "$infra")
	cp=$(P inspect -f '{{.State.Pid}}' "$n")
	[ "$ip" -gt 0 ] && [ "$cp" -gt 0 ]
	[ "$(readlink /proc/$ip/ns/user)" = "$(readlink /proc/$cp/ns/user)" ]
	[ "$(readlink /proc/$cp/ns/user)" != "$(readlink /proc/self/ns/user)" ]
	run -0 P exec "$n" sh -c 'cat /proc/self/uid_map; id -u; touch /tmp/x && echo wrote'
	[[ "${lines[0]}" == *"0"*"100000"*"65536"* ]]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = wrote ]
	run -0 P pod stop -t 1 "$pod"
	run -0 P pod rm -f "$pod"
	NAMES=()
}

@test "podman exit codes: 127 missing binary, 126 not executable, 125 podman's own error" {
	run -127 P run --rm "$IMG" /no/such/binary
	[[ "$output" == *"no such file or directory"* || "$output" == *"No such file or directory"* ]]
	run -127 P run --rm "$IMG" nosuchcommand
	[[ "$output" == *"executable file not found in \$PATH"* ]]
	run -126 P run --rm "$IMG" /etc/passwd
	[[ "$output" == *"ermission denied"* ]]
	run -126 P run --rm --entrypoint /etc/passwd "$IMG"
	run -125 P run --rm --no-such-flag "$IMG" true
	run -125 P run --rm localhost/no-such-image-here true
	run -0 P ps -aq
	[ -z "$output" ]
}

@test "podman exec exit codes: 127 missing binary, 126 not executable" {
	local n
	new_name n
	run -0 P run -d --name "$n" "$IMG" sleep 300
	run -127 P exec "$n" /no/such/binary
	run -126 P exec "$n" /etc/passwd
	run -0 P exec "$n" true
}

# The documented way to make mini-runc podman's runtime: containers.conf
#   [engine]
#   runtime = "mini-runc"
#   [engine.runtimes]
#   mini-runc = ["/usr/local/bin/mini-runc"]
@test "podman: mini-runc registered in containers.conf [engine.runtimes]" {
	local conf=$CW_DIR/engine.conf before
	write_conf "$conf"
	sed -i "s|^\[engine\]|[engine]\nruntime = \"mini-runc\"|" "$conf"
	printf '[engine.runtimes]\nmini-runc = ["%s"]\n' "$CW_WRAP" >>"$conf"
	before=$(grep -c 'argv: create' "$CW_LOG" || true)
	run -0 env CONTAINERS_CONF="$conf" timeout 120 podman --root "$CW_DIR/root" \
		--runroot "$CW_DIR/runroot" --tmpdir "$CW_DIR/tmp" --storage-driver vfs \
		run --rm "$IMG" echo via-containers-conf
	[ "$output" = via-containers-conf ]
	[ "$(grep -c 'argv: create' "$CW_LOG")" -gt "$before" ]
	run -0 env CONTAINERS_CONF="$conf" podman --root "$CW_DIR/root" \
		--runroot "$CW_DIR/runroot" --tmpdir "$CW_DIR/tmp" --storage-driver vfs info --format '{{.Host.OCIRuntime.Name}}'
	[ "$output" = mini-runc ]
}
