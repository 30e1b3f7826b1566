#!/usr/bin/env bats
# The command line: list, spec, global flags, argument parsing as runc's.

load helpers

@test "list: table, json and -q" {
	local id2
	new_id id2
	set_args sleep 30
	mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	mrc run -d --bundle "$BUNDLE" "$id2" </dev/null >/dev/null 2>&1

	run -0 mrc list --format json
	jq -e 'type == "array" and length == 2' <<<"$output"
	[ "$(jq -r --arg id "$ID" '.[] | select(.id == $id) | .status' <<<"$output")" = created ]
	[ "$(jq -r --arg id "$id2" '.[] | select(.id == $id) | .status' <<<"$output")" = running ]
	[ "$(jq -r --arg id "$id2" '.[] | select(.id == $id) | .pid' <<<"$output")" = "$(state_field "$id2" pid)" ]
	[ "$(jq -r --arg id "$ID" '.[] | select(.id == $id) | .bundle' <<<"$output")" = "$BUNDLE" ]
	jq -e 'all(.[]; has("ociVersion") and has("created") and has("rootfs") and has("owner"))' <<<"$output"

	run -0 mrc list -q
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "$(printf '%s\n' "$ID" "$id2" | sort | tr '\n' ' ')" ]

	run -0 mrc list
	[ "$(echo ${lines[0]})" = "ID PID STATUS BUNDLE CREATED OWNER" ]
	[ "${#lines[@]}" = 3 ]
	grep -Eq "^$ID +[0-9]+ +created +$BUNDLE " <<<"$output"
	grep -Eq "^$id2 +[0-9]+ +running +$BUNDLE " <<<"$output"

	run -0 mrc list --format table
	[ "${#lines[@]}" = 3 ]

	mrc delete --force "$ID"
	mrc delete --force "$id2"
}

@test "list: a stopped container is listed as stopped with pid 0" {
	mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	mrc start "$ID"
	wait_status "$ID" stopped
	run -0 mrc list --format json
	[ "$(jq -r '.[0].status' <<<"$output")" = stopped ]
	[ "$(jq -r '.[0].pid' <<<"$output")" = 0 ]
	mrc delete "$ID"
}

@test "list: no containers" {
	run -0 mrc list -q
	[ -z "$output" ]
	run -0 mrc list
	[ "${#lines[@]}" = 1 ]
	run -0 mrc list --format json
	# runc prints null for an empty list; an empty array is what callers expect.
	[ "$output" = "[]" ] || [ "$output" = null ]
	if is_mini_runc; then [ "$output" = "[]" ]; fi
}

@test "list: a missing --root is an empty list" {
	run -0 "$MINI_RUNC" --root "$BATS_TEST_TMPDIR/no-root" list -q
	[ -z "$output" ]
}

@test "spec: writes a config.json that runs on the bundle" {
	local b=$BATS_TEST_TMPDIR/spec-bundle
	mkdir "$b"
	mv "$BUNDLE/rootfs" "$b/rootfs"
	run -0 mrc spec --bundle "$b"
	[ -s "$b/config.json" ]
	jq -e '.ociVersion and .process.args and .root.path == "rootfs"' "$b/config.json"
	jq -e '.linux.namespaces | map(.type) | index("pid") and index("mount")' "$b/config.json"
	# A second spec refuses to overwrite it.
	run ! mrc spec --bundle "$b"
	grep_i exists
	# It runs once terminal is off and the command prints.
	jq '.process.terminal = false | .process.args = ["sh", "-c", "echo spec-ok; hostname"]' \
		"$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	run -0 mrc run --bundle "$b" "$ID"
	[ "${lines[0]}" = spec-ok ]
	[ -n "${lines[1]}" ]
	[ "${lines[1]}" != "$(hostname)" ]
}

@test "spec: without --bundle writes into the current directory" {
	mkdir "$BATS_TEST_TMPDIR/here"
	cd "$BATS_TEST_TMPDIR/here"
	run -0 mrc spec
	jq -e . config.json >/dev/null
}

@test "flags: --flag=value, single-dash long flags, flags after the id" {
	local id2 id3
	new_id id2
	new_id id3
	set_args true
	run -0 mrc run --bundle="$BUNDLE" "$ID"
	run -0 mrc run -bundle "$BUNDLE" "$id2"
	run -0 mrc run "$id3" --bundle "$BUNDLE"
	run -0 mrc run -b "$BUNDLE" "$ID"
}

@test "flags: global flags in --flag=value and single-dash form" {
	mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	run -0 "$MINI_RUNC" --root="$ROOT" state "$ID"
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	run -0 "$MINI_RUNC" -root "$ROOT" state "$ID"
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	mrc delete --force "$ID"
}

@test "flags: --debug, --systemd-cgroup and --rootless are accepted" {
	set_args true
	run -0 mrc --debug run --bundle "$BUNDLE" "$ID"
	local id2
	new_id id2
	run -0 mrc --rootless=false run --bundle "$BUNDLE" "$id2"
	# No systemd runs here: only a verb that touches no cgroup.
	run -0 mrc --systemd-cgroup list -q
}

@test "flags: create --no-new-keyring is accepted" {
	set_args true
	rund -0 mrc create --no-new-keyring --bundle "$BUNDLE" "$ID"
	mrc delete --force "$ID"
}

@test "flags: delete -f and kill with the signal as the last argument" {
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	run -0 mrc kill "$ID" SIGKILL
	wait_status "$ID" stopped
	run -0 mrc delete -f "$ID"
	assert_nothing_left
}

@test "--version: first line names the runtime, then spec:" {
	run -0 "$MINI_RUNC" --version
	grep -q '^spec: 1\.' <<<"$output"
	if is_mini_runc; then
		grep -Eq '^mini-runc version [0-9]' <<<"${lines[0]}"
	fi
}

@test "--help per verb" {
	local verb
	for verb in create start run state kill delete list spec; do
		run -0 "$MINI_RUNC" "$verb" --help
		grep -q "$verb" <<<"$output"
	done
	run -0 "$MINI_RUNC" create --help
	grep -q -- --bundle <<<"$output"
	grep -q -- --pid-file <<<"$output"
	grep -q -- --preserve-fds <<<"$output"
}

@test "--log --log-format json: one JSON line per error" {
	run ! mrc --log "$BATS_TEST_TMPDIR/log" --log-format json state "$ID"
	[ -s "$BATS_TEST_TMPDIR/log" ]
	local line
	line=$(grep '"error"' "$BATS_TEST_TMPDIR/log" | tail -n1)
	[ "$(jq -r '.level' <<<"$line")" = error ]
	jq -r .msg <<<"$line" | grep -q "container does not exist"
	jq -r .time <<<"$line" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}'
	# Exactly the three keys.
	[ "$(jq -c 'keys' <<<"$line")" = '["level","msg","time"]' ]
	# Every line of the file is one JSON object.
	jq -e . "$BATS_TEST_TMPDIR/log" >/dev/null
}

@test "--log-format json: a create failure reaches the log file" {
	cfg_edit '.process.cwd = "relative"'
	run ! mrc --log "$BATS_TEST_TMPDIR/log" --log-format json create --bundle "$BUNDLE" "$ID" </dev/null
	grep '"level":"error"' "$BATS_TEST_TMPDIR/log" | tail -n1 | jq -r .msg | grep -qi cwd
	assert_nothing_left
}

@test "an unknown verb or flag fails" {
	run ! "$MINI_RUNC" no-such-verb
	run ! mrc create --no-such-flag --bundle "$BUNDLE" "$ID"
	assert_nothing_left
}

@test "a global flag's error names the program once, a verb's names the verb" {
	run ! "$MINI_RUNC" --no-such-flag list
	[ "$output" = "mini-runc: unknown flag \`--no-such-flag\` (see \`mini-runc --help\`)" ]
	run ! "$MINI_RUNC" --debug=maybe list
	[ "$output" = "mini-runc: invalid boolean value \`maybe\` for --debug" ]
	run ! "$MINI_RUNC" --root "$ROOT" create --no-such-flag "$ID"
	[ "$output" = "mini-runc: create: unknown flag \`--no-such-flag\` (see \`mini-runc create --help\`)" ]
	assert_nothing_left
}

@test "kill ID 0 checks that the container lives; ps of a stopped one is an empty list" {
	set_args sleep 100
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	# signal 0: a liveness probe, as runc and kill(2) take it
	run -0 mrc kill "$ID" 0
	run -0 mrc kill "$ID" KILL
	wait_status "$ID" stopped
	run -1 mrc kill "$ID" 0
	grep_i "container not running"
	run -0 mrc ps --format json "$ID"
	# (runc prints Go's nil slice, null; an empty list is what it means)
	[ "$output" = "[]" ] || { ! is_mini_runc && [ "$output" = null ]; }
	run -0 mrc ps "$ID"
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *PID* ]]
	run -0 mrc delete "$ID"
	# a container that does not exist is still an error
	run -1 mrc ps "$ID"
	grep_i "does not exist"
	assert_nothing_left
}

@test "--debug: the steps of create, start, exec and delete, on stderr or in the --log, text and json" {
	requires_mini_runc
	set_args sleep 100
	rund -0 "$MINI_RUNC" --debug --root "$ROOT" create --bundle "$BUNDLE" "$ID"
	grep -q "^mini-runc: debug: create: container \`$ID\` from bundle" <<<"$output"
	grep -q "^mini-runc: debug: create: init of \`$ID\` is pid [0-9]" <<<"$output"
	local log=$BATS_TEST_TMPDIR/debug.json
	run -0 "$MINI_RUNC" --debug --log "$log" --log-format json --root "$ROOT" start "$ID"
	run -0 "$MINI_RUNC" --debug --log "$log" --log-format json --root "$ROOT" exec "$ID" true
	run -0 "$MINI_RUNC" --debug --log "$log" --log-format json --root "$ROOT" delete --force "$ID"
	# one JSON object per line, level debug, every step named
	[ "$(jq -r .level "$log" | sort -u)" = debug ]
	jq -r .msg "$log" | grep -q "^start: container \`$ID\`"
	jq -r .msg "$log" | grep -q "^exec: pid [0-9]* runs"
	jq -r .msg "$log" | grep -q "^delete: container \`$ID\`"
	# without --debug: nothing
	run -0 mrc list
	! grep -q debug <<<"$output" || false
	assert_nothing_left
}

@test "--debug: the child's steps reach the --log through the runtime; the init keeps no log fd" {
	requires_mini_runc
	set_args sleep 100
	local log=$BATS_TEST_TMPDIR/child.log
	rund -0 "$MINI_RUNC" --debug --log "$log" --root "$ROOT" create --bundle "$BUNDLE" "$ID"
	# sent as LOG messages by the init, written by the runtime
	grep -q "debug: init: step rootfs$" "$log"
	grep -q "debug: init: step security-final$" "$log"
	# the init, waiting for start, holds no fd of the runtime's log
	local pid
	pid=$(state_field "$ID" pid)
	! ls -l "/proc/$pid/fd" | grep -q "$log" || false
	run -0 mrc start "$ID"
	run -0 "$MINI_RUNC" --debug --log "$log" --root "$ROOT" exec "$ID" true
	grep -q "debug: exec: step join$" "$log"
	grep -q "debug: exec: step security-final$" "$log"
	# nothing of the child on stderr when there is a log file
	! grep -q "step" <<<"$output" || false
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}
