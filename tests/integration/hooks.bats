#!/usr/bin/env bats
# OCI hooks seen from outside: when each kind runs, what it reads on stdin,
# and what a failing, slow or badly behaved hook does to the operation.

load helpers
load hooks-helpers

@test "hooks: create, start, delete run each kind once, in order, with the state on stdin" {
	requires_hooks_wired
	hooks_setup
	hook_add_all_recorders
	set_args sleep 100
	rund -0 mrct create --bundle "$BUNDLE" "$ID"
	# runc 1.1 runs poststart during create (fixed in runc 1.2): the order
	# is checked against mini-runc only, the states against both.
	! is_mini_runc || assert_hook_order prestart createRuntime createContainer
	local pid bundle
	pid=$(state_field "$ID" pid)
	bundle=$(state_field "$ID" bundle)
	hook_state_is prestart creating "$pid" "$bundle"
	hook_state_is createRuntime creating "$pid" "$bundle"
	# createContainer and startContainer run in the container's namespaces:
	# runc gives the pid as seen there (1 with a new pid namespace); the
	# host pid is accepted too.
	hook_state_is createContainer creating "1 $pid" "$bundle"

	rund -0 mrct start "$ID"
	! is_mini_runc || assert_hook_order prestart createRuntime createContainer startContainer poststart
	hook_state_is startContainer created "1 $pid" "$bundle"
	# (runc 1.1 ran poststart during create, so it read "created".)
	! is_mini_runc || hook_state_is poststart running "$pid" "$bundle"

	mrc kill "$ID" KILL
	wait_status "$ID" stopped
	run -0 mrct delete "$ID"
	! is_mini_runc || assert_hook_order prestart createRuntime createContainer startContainer poststart poststop
	hook_state_is poststop stopped "0 null" "$bundle"
	assert_nothing_left
}

@test "hooks: run runs every kind once, in order" {
	requires_mini_runc # runc 1.1 runs poststart before startContainer
	requires_hooks_wired
	hooks_setup
	hook_add_all_recorders
	set_args true
	run -0 mrct run --bundle "$BUNDLE" "$ID"
	assert_hook_order prestart createRuntime createContainer startContainer poststart poststop
	assert_nothing_left
}

@test "hooks: args and env reach the hook exactly, argv[0] included" {
	requires_hooks_wired
	hooks_setup
	hook_add createRuntime 0 /bin/sh hook-argv0 -c \
		"/usr/bin/tr '\\0' '\\n' < /proc/\$\$/cmdline > $HOOKLOG/argv; /usr/bin/tr '\\0' '\\n' < /proc/\$\$/environ > $HOOKLOG/env" \
		x 'a b'
	set_args true
	run -0 mrct run --bundle "$BUNDLE" "$ID"
	printf 'hook-argv0\n-c\n%s\nx\na b\n' \
		"/usr/bin/tr '\\0' '\\n' < /proc/\$\$/cmdline > $HOOKLOG/argv; /usr/bin/tr '\\0' '\\n' < /proc/\$\$/environ > $HOOKLOG/env" \
		>"$BATS_TEST_TMPDIR/want-argv"
	diff "$BATS_TEST_TMPDIR/want-argv" "$HOOKLOG/argv"
	# Exactly the hook's env: nothing of the runtime's own environment.
	[ "$(cat "$HOOKLOG/env")" = "MRC_TEST_TAG=$TAG" ]
}

@test "hooks: a failing createRuntime hook fails create, names the hook, leaves nothing behind" {
	requires_hooks_wired
	hooks_setup
	hook_add_recorder prestart
	hook_add_recorder createRuntime
	local fail
	fail=$(hook_script fail-cr "echo createRuntime says no >&2; exit 3")
	hook_add createRuntime 0 "$fail"
	hook_add_recorder createContainer
	hook_add_recorder poststop
	set_args sh -c 'echo ran > /ran'
	assert_fails_cleanly mrct create --bundle "$BUNDLE" "$ID"
	if is_mini_runc; then
		grep_i "createRuntime hook[1] \`$fail\`" "exited with status 3" "createRuntime says no"
	fi
	[ ! -e "$BUNDLE/rootfs/ran" ]
	# Runtime-spec lifecycle: the container is destroyed (step 12), then
	# poststop runs (step 13); nothing after the failing hook runs.
	assert_hook_order prestart createRuntime poststop
}

@test "hooks: a failing createContainer hook fails create and leaves nothing behind" {
	requires_hooks_wired
	hooks_setup
	local fail
	fail=$(hook_script fail-cc "echo createContainer says no >&2; exit 4")
	hook_add createContainer 0 "$fail"
	hook_add_recorder createContainer
	set_args sh -c 'echo ran > /ran'
	assert_fails_cleanly mrct create --bundle "$BUNDLE" "$ID"
	if is_mini_runc; then
		grep_i "createContainer hook[0] \`$fail\`" "exited with status 4" "createContainer says no"
	fi
	[ ! -e "$BUNDLE/rootfs/ran" ]
	assert_hook_order
}

@test "hooks: a failing startContainer hook fails start; the process never runs" {
	requires_hooks_wired
	hooks_setup
	hook_add startContainer 0 /bin/sh sh -c 'echo startContainer says no >&2; exit 5'
	hook_add_recorder startContainer
	set_args sh -c 'echo ran > /ran'
	rund -0 mrct create --bundle "$BUNDLE" "$ID"
	# runc 1.1 runs startContainer after `start` returned: start says 0.
	rund mrct start "$ID"
	! is_mini_runc || [ "$status" -ne 0 ]
	sleep 0.5
	[ ! -e "$BUNDLE/rootfs/ran" ]
	assert_hook_order
	if is_mini_runc; then
		grep_i "startContainer hook[0] \`/bin/sh\`" "exited with status 5" "startContainer says no"
		# The issue: a failing startContainer hook removes everything.
		assert_nothing_left
	fi
}

@test "hooks: a failing poststart hook only warns; start succeeds and later hooks run" {
	# runc fails start (and kills the container) here; the spec says warn.
	requires_mini_runc
	requires_hooks_wired
	hooks_setup
	local fail
	fail=$(hook_script fail-ps "echo poststart says no >&2; exit 6")
	hook_add poststart 0 "$fail"
	hook_add_recorder poststart
	set_args sleep 100
	rund -0 mrct create --bundle "$BUNDLE" "$ID"
	rund -0 mrct start "$ID"
	grep_i warn "poststart hook[0] \`$fail\`" "exited with status 6" "poststart says no"
	[ "$(state_field "$ID" status)" = running ]
	assert_hook_order poststart
	run -0 mrct delete --force "$ID"
	assert_nothing_left
}

@test "hooks: a failing poststop hook only warns; delete succeeds and later hooks run" {
	requires_hooks_wired
	hooks_setup
	local fail
	fail=$(hook_script fail-pst "echo poststop says no >&2; exit 7")
	hook_add poststop 0 "$fail"
	hook_add_recorder poststop
	set_args sleep 100
	rund -0 mrct create --bundle "$BUNDLE" "$ID"
	run -0 mrct delete --force "$ID"
	if is_mini_runc; then
		grep_i warn "poststop hook[0] \`$fail\`" "exited with status 7" "poststop says no"
		# runc 1.1 stops at the first failing poststop hook.
		assert_hook_order poststop
	fi
	assert_nothing_left
}

@test "hooks: poststop runs exactly once under two concurrent delete --force" {
	requires_hooks_wired
	hooks_setup
	# Slow, so the second delete arrives while the first is in the hook.
	local slow
	slow=$(hook_script slow-poststop "/bin/cat > /dev/null
echo poststop >> \"$HOOKLOG/order\"
/bin/sleep 0.5")
	hook_add poststop 10 "$slow"
	set_args sleep 100
	rund -0 mrct create --bundle "$BUNDLE" "$ID"
	rund -0 mrct start "$ID"
	local p1 p2 s1=0 s2=0
	mrct delete --force "$ID" >"$BATS_TEST_TMPDIR/d1" 2>&1 &
	p1=$!
	mrct delete --force "$ID" >"$BATS_TEST_TMPDIR/d2" 2>&1 &
	p2=$!
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	echo "delete 1: $s1 $(cat "$BATS_TEST_TMPDIR/d1")" >&2
	echo "delete 2: $s2 $(cat "$BATS_TEST_TMPDIR/d2")" >&2
	# One delete did the work; the other found it done or gone.
	[ "$s1" -eq 0 ] || [ "$s2" -eq 0 ]
	# runc 1.1 runs it twice here.
	! is_mini_runc || assert_hook_order poststop
	assert_nothing_left
}

@test "hooks: a createRuntime hook past its timeout is killed and fails create" {
	requires_hooks_wired
	hooks_setup
	local slow
	slow=$(hook_script sleeper "/bin/sleep 30 & /bin/sleep 30")
	hook_add createRuntime 1 "$slow"
	local t0=$SECONDS
	assert_fails_cleanly mrct create --bundle "$BUNDLE" "$ID"
	if is_mini_runc; then
		# runc kills the hook but then waits for its child to close stdout.
		[ $((SECONDS - t0)) -lt 15 ]
		grep_i "createRuntime hook[0] \`$slow\`" "timed out after 1 s"
	fi
	# Both sleeps carried the test's tag: assert_nothing_left saw neither.
}

@test "hooks: missing, non-executable, directory and relative hook paths fail create cleanly" {
	requires_hooks_wired
	hooks_setup
	local noexec
	noexec=$(hook_script noexec "exit 0")
	chmod 0644 "$noexec"
	local path words
	for path in "$HOOKBIN/missing" "$noexec" "$HOOKBIN" relative/hook; do
		new_id ID
		base_config >"$BUNDLE/config.json"
		hook_add createRuntime 0 "$path"
		assert_fails_cleanly mrct create --bundle "$BUNDLE" "$ID"
		is_mini_runc || continue
		case "$path" in
		*/missing) words="no such file or directory" ;;
		"$noexec") words="permission denied" ;;
		"$HOOKBIN") words="is a directory" ;;
		*) words="not an absolute path" ;;
		esac
		grep_i "$path" "$words"
	done
}

@test "hooks: a hook that never reads a large state does not hang create" {
	requires_hooks_wired
	hooks_setup
	# Far more state than a pipe holds: 256 KiB of annotations.
	head -c 262144 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/big"
	cfg_edit --rawfile v "$BATS_TEST_TMPDIR/big" '.annotations = {"org.example.big": $v}'
	hook_add createRuntime 0 "$(hook_script noread "exit 0")"
	hook_add_recorder poststart
	set_args true
	local t0=$SECONDS
	run -0 mrct run --bundle "$BUNDLE" "$ID"
	[ $((SECONDS - t0)) -lt 15 ]
	[ "$(jq -r '.annotations["org.example.big"] | length' "$HOOKLOG/poststart.json")" = 262144 ]
	assert_nothing_left
}

@test "hooks: a poststart hook that daemonises holding stdout does not hang start" {
	# runc waits for the daemon to close the hook's stdout.
	requires_mini_runc
	requires_hooks_wired
	hooks_setup
	local daemon
	daemon=$(hook_script daemon "/bin/sleep 30 &
echo \$! > \"$HOOKLOG/daemon.pid\"
echo hello from the hook
exit 0")
	hook_add poststart 0 "$daemon"
	set_args sleep 100
	rund -0 mrct create --bundle "$BUNDLE" "$ID"
	local t0=$SECONDS
	rund -0 mrct start "$ID"
	[ $((SECONDS - t0)) -lt 15 ]
	[ "$(state_field "$ID" status)" = running ]
	# The hook's child is the hook's business: the runtime leaves it be.
	local dpid
	dpid=$(cat "$HOOKLOG/daemon.pid")
	pid_alive "$dpid"
	kill -9 "$dpid"
	wait_gone "$dpid"
	run -0 mrct delete --force "$ID"
}

@test "hooks: a hook without env gets the runtime's environment; createContainer runs in the rootfs" {
	requires_hooks_wired
	hooks_setup
	# hook_add gives every hook an env: these two have none
	cfg_edit --arg log "$HOOKLOG" '.hooks.createRuntime += [{path: "/bin/sh",
		args: ["sh", "-c", "/usr/bin/tr \"\\\\0\" \"\\\\n\" < /proc/$$/environ > \($log)/env"]}]
	  | .hooks.createContainer += [{path: "/bin/sh",
		args: ["sh", "-c", "pwd > \($log)/cwd"]}]'
	set_args true
	MRC_HOOK_PARENT_VAR=from-runtime run -0 mrct run --bundle "$BUNDLE" "$ID"
	grep -qx "MRC_HOOK_PARENT_VAR=from-runtime" "$HOOKLOG/env"
	# the container's rootfs, as runc and crun have it (it runs before
	# pivot_root, in the container's mount namespace)
	[ "$(cat "$HOOKLOG/cwd")" = "$(realpath "$BUNDLE/rootfs")" ]
	assert_nothing_left
}

@test "hooks: a createContainer hook has the init's capabilities, not the process's" {
	requires_hooks_wired
	hooks_setup
	# the process gets none (no process.capabilities); the hook, run by the
	# init before it drops them, gets the runtime's whole set, as on runc
	# (a hook running ldconfig in the root needs CAP_SYS_CHROOT)
	hook_add createContainer 0 /bin/sh sh -c "/bin/grep ^Cap /proc/self/status > $HOOKLOG/caps"
	set_args sh -c 'grep ^CapBnd /proc/self/status'
	run -0 mrct run --bundle "$BUNDLE" "$ID"
	[ "$output" = "CapBnd:	0000000000000000" ]
	grep -x "CapBnd:	$(sed -n 's/^CapBnd:\t//p' /proc/self/status)" "$HOOKLOG/caps"
	grep -x "CapEff:	$(sed -n 's/^CapEff:\t//p' /proc/self/status)" "$HOOKLOG/caps"
	assert_nothing_left
}
