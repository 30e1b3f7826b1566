#!/usr/bin/env bats
# containerd (through its runc shim, io.containerd.runc.v2) running tasks
# on mini-runc.  The test starts its own containerd with a private root,
# state dir, socket and config.toml, in a namespace of its own; the image
# is a busybox rootfs packed by hand as an OCI image layout tarball (what
# `ctr image import` accepts), imported with ctr.  teardown_file kills the
# tasks, removes containers and image, stops containerd and removes its
# directories.
#
# config.toml is cri.bats' (cw_containerd_config, the README's shape):
# mini-runc a CRI runtime handler beside runc,
#   [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mini-runc]
#     runtime_type = "io.containerd.runc.v2"
#     [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mini-runc.options]
#       BinaryName = "/usr/local/bin/mini-runc"
# ctr cannot pick a CRI handler by name (cri.bats does, with crictl);
# `ctr run --runc-binary B` hands the same shim the same option (runc.v2
# Options.BinaryName), so the tasks below go through the code path the CRI
# handler uses.
#
# The tasks run with ctr's defaults: `ctr run` puts "cpu": {"shares": 1024}
# (its --cpu-shares default) in every spec.  Limits are read back on the
# host from the task's own cgroup, found through its init's /proc/PID/cgroup
# (cw_cgroup_expect): the v1 files on this hybrid host, the cgroup2 ones on
# a unified host.  teardown checks that every container the test created
# left no cgroup, shim, mount or runtime state behind (cw_assert_clean).

load callers-helpers

IMG=localhost/mrc-busybox:latest

C() { timeout -k 5 60 ctr -a "$CW_DIR/containerd.sock" -n "$CW_NS" "$@"; }

# Options for ctr run: the runtime.
RUNOPTS=()

setup_file() {
	[ "$(id -u)" = 0 ] || { cw_file_skip "needs root"; return 0; }
	cw_install containerd tmux
	command -v containerd >/dev/null && command -v ctr >/dev/null || { cw_file_skip "containerd not installed"; return 0; }
	[ -x "$MINI_RUNC" ] || { cw_file_skip "no $MINI_RUNC (run make)"; return 0; }
	CW_DIR=$(mktemp -d /tmp/mrc-ctrd.XXXXXX)
	CW_NS=mrc-test-$$
	export CW_DIR CW_NS
	cw_make_wrapper "$CW_DIR"
	mkdir -p "$CW_DIR/cni-conf"
	cw_containerd_config "$CW_DIR/config.toml" "restrict_oom_score_adj = true"
	containerd --config "$CW_DIR/config.toml" >"$CW_DIR/containerd.log" 2>&1 3>&- &
	echo $! >"$CW_DIR/containerd.pid"
	cw_wait C version || {
		cat "$CW_DIR/containerd.log" >&2
		false
	}
	cw_rootfs "$CW_DIR/rootfs"
	mk_oci_image "$CW_DIR/rootfs" "$CW_DIR/image.tar" "$IMG"
	C image import "$CW_DIR/image.tar" >/dev/null
}

teardown_file() {
	if [ -z "${CW_DIR:-}" ] || [ ! -d "$CW_DIR" ]; then return 0; fi
	local t mnt
	if [ -S "$CW_DIR/containerd.sock" ]; then
		for t in $(C task ls -q 2>/dev/null); do
			C task kill -s KILL "$t" >/dev/null 2>&1 || true
		done
		sleep 0.5
		for t in $(C task ls -q 2>/dev/null); do
			C task delete -f "$t" >/dev/null 2>&1 || true
		done
		for t in $(C container ls -q 2>/dev/null); do
			C container rm "$t" >/dev/null 2>&1 || true
		done
		C image rm "$IMG" >/dev/null 2>&1 || true
		C namespace rm "$CW_NS" >/dev/null 2>&1 || true
	fi
	if [ -s "$CW_DIR/containerd.pid" ]; then
		t=$(cat "$CW_DIR/containerd.pid")
		kill "$t" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$t" 2>/dev/null || break; sleep 0.3; done
		kill -9 "$t" 2>/dev/null || true
	fi
	cw_umount_under "$CW_DIR"
	rm -rf "$CW_DIR"
	rm -rf "/run/containerd/runc/$CW_NS"
	# The namespace's cgroup parent (/NS), in every hierarchy: a runtime
	# removes only the groups it made (runc none above the container's), so
	# it stays when containers overlapped.
	for mnt in $(cw_cgroup_mounts); do
		[ ! -d "$mnt/$CW_NS" ] || rmdir "$mnt/$CW_NS" 2>/dev/null || true
	done
}

setup() {
	cw_file_skipped
	echo "==== $BATS_TEST_DESCRIPTION" >>"$CW_LOG"
	RUNOPTS=(--runc-binary "$CW_WRAP")
	TASKS=()
}

teardown() {
	[ -z "${CW_FILE_SKIP:-}" ] || return 0
	local t
	for t in "${TASKS[@]}"; do
		C task kill -s KILL "$t" >/dev/null 2>&1 || true
	done
	for t in "${TASKS[@]}"; do
		cw_wait eval "! C task ls -q | grep -qx $t || C task delete $t" || true
		C task delete -f "$t" >/dev/null 2>&1 || true
		C container rm "$t" >/dev/null 2>&1 || true
	done
	local clean=0
	cw_assert_clean "/run/containerd/runc/$CW_NS" || clean=1
	[ -n "${BATS_TEST_COMPLETED:-}" ] && [ "$clean" = 0 ] || {
		echo "---- last command's output ----" >&2
		echo "${output:-}" >&2
		cw_show_log
		echo "---- containerd.log (tail) ----" >&2
		tail -n 15 "$CW_DIR/containerd.log" >&2
	}
	return "$clean"
}

new_task() {
	local -n _v=$1
	_v="mrcc${BATS_TEST_NUMBER}x$RANDOM"
	TASKS+=("$_v")
}

task_status() { C task ls | awk -v t="$1" '$1 == t {print $3}'; }

# task_pid TASK: the host pid of a task's init.
task_pid() { C task ls | awk -v t="$1" '$1 == t {print $2}'; }

@test "containerd: the CRI runtime handler config (runtime_type io.containerd.runc.v2, BinaryName) loads" {
	run -0 C plugins ls
	[[ "$output" =~ io.containerd.grpc.v1[[:space:]]+cri[[:space:]]+linux/amd64[[:space:]]+ok ]]
	run -0 containerd --config "$CW_DIR/config.toml" config dump
	[[ "$output" == *'containerd.runtimes.mini-runc.options]'* ]]
	[[ "$output" == *"BinaryName = \"$CW_WRAP\""* ]]
}

@test "ctr run --runc-binary mini-runc: output and exit status" {
	local t
	new_task t
	run -0 C run --rm "${RUNOPTS[@]}" "$IMG" "$t" echo hello from mini-runc
	[ "$output" = "hello from mini-runc" ]
	new_task t
	run -3 C run --rm "${RUNOPTS[@]}" "$IMG" "$t" sh -c 'echo err >&2; exit 3'
	[[ "$output" == *err* ]]
	# The shim called mini-runc with containerd's global flags.
	grep -q -- "--root /run/containerd/runc/$CW_NS --log .*/log.json --log-format json create --bundle" "$CW_LOG"
}

@test "ctr run with ctr's default cpu shares (1024): runs, and the shares are applied" {
	local t pid
	new_task t
	run -0 C run --rm --runc-binary "$CW_WRAP" "$IMG" "$t" echo ok
	[ "$output" = ok ]
	new_task t
	run -0 C run -d --runc-binary "$CW_WRAP" "$IMG" "$t" sleep 300
	cw_wait eval "[ \"\$(task_status $t)\" = RUNNING ]"
	pid=$(task_pid "$t")
	# cgroup2 takes the shares converted: 1 + ((1024 - 2) * 9999) / 262142
	cw_cgroup_expect "$pid" cpu cpu.shares=1024 cpu.weight=39
}

@test "ctr run -t through tmux: a terminal of the pane's size, exit status" {
	local t
	new_task t
	cw_tmux_shell "ctr -a $CW_DIR/containerd.sock -n $CW_NS run --rm -t --runc-binary $CW_WRAP $IMG $t sh" 6
	[[ "$CW_PANE" == *"/dev/pts/0"* ]]
	[[ "$CW_PANE" == *"20 90"* ]]
	[ "$CW_PANE_STATUS" = 6 ]
	grep -q -- "create --bundle .* --console-socket " "$CW_LOG"
}

@test "ctr run -d, task exec (exit status, -t), ps, kill, pause/resume, metrics, delete" {
	local t pid a b
	new_task t
	run -0 C run -d "${RUNOPTS[@]}" "$IMG" "$t" sh -c 'trap "echo usr1 >/tmp/usr1" USR1; i=0; while :; do i=$((i+1)); echo $i >/tmp/cnt.new; mv /tmp/cnt.new /tmp/cnt; sleep 0.05; done'
	cw_wait eval "[ \"\$(task_status $t)\" = RUNNING ]"
	pid=$(C task ls | awk -v t="$t" '$1 == t {print $2}')
	[ "$pid" -gt 0 ]
	run -0 C task exec --exec-id e1 "$t" sh -c 'echo in-exec; cat /proc/1/cmdline | tr "\0" " "'
	[[ "$output" == in-exec* ]]
	[[ "$output" == *"trap"* ]]
	run -5 C task exec --exec-id e2 "$t" sh -c 'exit 5'
	run -0 C task exec --exec-id e3 --user 65534 --cwd /tmp "$t" sh -c 'echo $(id -u) $(pwd)'
	[ "$output" = "65534 /tmp" ]
	grep -q -- "exec --process .* --detach --pid-file .* $t" "$CW_LOG"
	# exec -t: the shim's console socket, through the exec path.
	run -0 script -qec "ctr -a $CW_DIR/containerd.sock -n $CW_NS task exec -t --exec-id e4 $t tty" /dev/null
	[[ "$output" == *"/dev/pts/"* ]]
	grep -q -- "exec --process .* --console-socket .* --detach" "$CW_LOG"
	# ps: mini-runc's `ps --format json` pid list
	run -0 C task ps "$t"
	[[ "$output" == *"$pid"* ]]
	grep -q -- "ps --format json $t" "$CW_LOG"
	# kill with a signal the container handles
	run -0 C task kill -s USR1 "$t"
	cw_wait test -e "/proc/$pid/root/tmp/usr1"
	# pause / resume
	run -0 C task pause "$t"
	[ "$(task_status "$t")" = PAUSED ]
	a=$(cat "/proc/$pid/root/tmp/cnt")
	[ "$a" -gt 0 ]
	sleep 0.5
	b=$(cat "/proc/$pid/root/tmp/cnt")
	[ "$a" = "$b" ]
	run -0 C task resume "$t"
	[ "$(task_status "$t")" = RUNNING ]
	cw_wait eval '[ "$(cat "/proc/$pid/root/tmp/cnt")" -gt "$a" ]'
	b=$(cat "/proc/$pid/root/tmp/cnt")
	[ "$b" -gt "$a" ]
	# metrics: the shim reads the container's cgroup itself
	run -0 C task metrics "$t"
	echo "$output"
	# kill, then delete: exit status 137 reported
	run -0 C task kill -s KILL "$t"
	cw_wait eval "[ \"\$(task_status $t)\" = STOPPED ]"
	run -0 C task delete "$t"
	[[ "$output" == *137* ]] || true
	run -0 C container rm "$t"
	grep -q -- "delete $t" "$CW_LOG"
	run "$MINI_RUNC" --root "/run/containerd/runc/$CW_NS" state "$t"
	[ "$status" -ne 0 ]
}

# The shim reads a task's metrics from the groups its init's
# /proc/PID/cgroup lists (the v1 hierarchies on a hybrid host).
@test "ctr: a task's metrics describe the container's own cgroup" {
	local t pid
	new_task t
	run -0 C run -d "${RUNOPTS[@]}" --memory-limit 67108864 "$IMG" "$t" sh -c 'sleep 300 & sleep 300 & wait'
	cw_wait eval "[ \"\$(task_status $t)\" = RUNNING ]"
	pid=$(task_pid "$t")
	cw_wait eval "[ \$(C task ps $t | tail -n +2 | wc -l) -eq 3 ]"
	# The container is in a cgroup of its own (cgroupsPath /NS/ID), in
	# cgroup2 and in every v1 hierarchy...
	[ "$(awk -F: '$1 == 0 {print $3}' "/proc/$pid/cgroup")" = "/$CW_NS/$t" ]
	[ -z "$(awk -F: -v p="/$CW_NS/$t" '$3 != p' "/proc/$pid/cgroup")" ]
	run -0 C task metrics --format json "$t"
	echo "$output"
	# ...and the metrics are its own, not the host's: its memory limit, a
	# sleeping busybox's usage (far below 64 MiB; a v1 memory.usage_in_bytes
	# of the root cgroup would be the whole machine's), its three pids.
	# (v1 metrics: .memory.usage.{usage,limit}; v2: .memory.{usage,usage_limit})
	local usage limit pids
	usage=$(jq -r '.memory.usage | if type == "object" then .usage else . end' <<<"$output")
	limit=$(jq -r '(.memory.usage | if type == "object" then .limit else null end) // .memory.usage_limit' <<<"$output")
	pids=$(jq -r '.pids.current' <<<"$output")
	[ "$limit" = 67108864 ]
	[ "$usage" -gt 0 ]
	[ "$usage" -lt $((64 << 20)) ]
	[ "$pids" = 3 ]
}

@test "ctr: a failing container's error reaches ctr's output from mini-runc's JSON log" {
	local t
	new_task t
	run -1 C run --rm "${RUNOPTS[@]}" "$IMG" "$t" /no/such/binary
	[[ "$output" == *"OCI runtime create failed"* || "$output" == *"OCI runtime start failed"* ]]
	[[ "$output" == *"/no/such/binary"* ]]
	[[ "$output" == *"no such file or directory"* || "$output" == *"No such file or directory"* ]]
	new_task t
	run -1 C run --rm "${RUNOPTS[@]}" "$IMG" "$t" /etc/passwd
	[[ "$output" == *"ermission denied"* ]]
	# nothing left behind in mini-runc's state dir
	run -0 "$MINI_RUNC" --root "/run/containerd/runc/$CW_NS" list --format json
	[[ "$output" != *"$t"* ]]
}

@test "features: what the shim (go-runc Features) reads, with containerd's global flags" {
	# containerd 1.6's shim never runs `features` (1.7 and later do, through
	# go-runc, with the same --root/--log/--log-format flags as every call).
	local root=/run/containerd/runc/$CW_NS
	mkdir -p "$root"
	run -0 "$CW_WRAP" --root "$root" --log "$BATS_TEST_TMPDIR/log.json" --log-format json features
	jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")
		and (.hooks | type == "array") and (.mountOptions | type == "array")
		and (.linux.namespaces | index("pid") != null)
		and (.linux.capabilities | index("CAP_SYS_ADMIN") != null)
		and (.linux.cgroup.v1 == true) and (.linux.cgroup.v2 == true)
		and (.linux.seccomp.enabled | type == "boolean")' <<<"$output"
}

# The Kubernetes default shape: RuntimeDefault seccomp, privilege
# escalation allowed (noNewPrivileges false), a non-root user.  The filter
# must go in while the process still holds CAP_SYS_ADMIN, as runc does.
@test "ctr task exec --user 65534 under the default seccomp profile, with and without no_new_privs" {
	local t nnp
	for nnp in "" --allow-new-privs; do
		new_task t
		run -0 C run -d "${RUNOPTS[@]}" --seccomp $nnp "$IMG" "$t" sleep 300
		cw_wait eval "[ \"\$(task_status $t)\" = RUNNING ]"
		run C task exec --exec-id u1 --user 65534 "$t" id -u
		echo "nnp=${nnp:-default}: status $status, output: $output"
		[ "$status" -eq 0 ]
		[ "$output" = 65534 ]
	done
}

@test "ctr task kill --all reaches every process (kill --all ID SIG)" {
	local t pid
	new_task t
	run -0 C run -d "${RUNOPTS[@]}" "$IMG" "$t" sh -c 'sleep 300 & sleep 300 & wait'
	cw_wait eval "[ \"\$(task_status $t)\" = RUNNING ]"
	cw_wait eval "[ \$(C task ps $t | tail -n +2 | wc -l) -ge 3 ]"
	run -0 C task kill --all -s KILL "$t"
	cw_wait eval "[ \"\$(task_status $t)\" = STOPPED ]"
	grep -q -- "kill --all $t 9" "$CW_LOG"
}
