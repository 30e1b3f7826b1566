#!/usr/bin/env bats
# Bad input: each case fails with a clear error and leaves nothing behind
# (no state dir entry, process, mount or cgroup: assert_fails_cleanly).
# Wording checks guarded by is_mini_runc are mini-runc's own (the JSON path
# is named); runc is only required to fail cleanly.

load helpers

CFG() { echo "$BUNDLE/config.json"; }

# write_config TEXT: config.json is exactly TEXT (no trailing newline).
write_config() {
	printf '%s' "$1" >"$(CFG)"
}

# compact: the current config on one line.
compact() {
	jq -c . "$(CFG)"
}

# with_value PATH JSON: the current config with the raw JSON text at PATH
# (jq path syntax), without going through jq's number handling.
with_value() {
	local marker='"@@MARKER@@"' c
	c=$(jq -c "$1 = \"@@MARKER@@\"" "$(CFG)")
	printf '%s' "${c/$marker/$2}"
}

create_fails() {
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	local out=$output
	run ! mrc state "$ID"
	output=$out
}

# ------------------------------------------------------------ config.json

@test "config: malformed JSON" {
	write_config '{"ociVersion": "1.0.2", "process": {'
	create_fails
	if is_mini_runc; then grep_i config.json; fi
}

@test "config: an empty file" {
	write_config ''
	create_fails
	if is_mini_runc; then grep_i config.json; fi
}

@test "config: a missing config.json" {
	rm "$(CFG)"
	create_fails
	grep_i config.json
}

@test "config: a NUL byte inside a string" {
	local s pre post
	s=$(compact)
	pre=${s%%\"mrc-test\"*}
	post=${s#*\"mrc-test\"}
	printf '%s"mrc\0test"%s' "$pre" "$post" >"$(CFG)"
	create_fails
	if is_mini_runc; then grep_i config.json; fi
}

@test "config: a NUL byte between tokens" {
	local s
	s=$(compact)
	printf '{\0%s' "${s#\{}" >"$(CFG)"
	create_fails
	if is_mini_runc; then grep_i config.json; fi
}

@test "config: a NUL byte after the document" {
	requires_mini_runc # runc's decoder stops after the first value
	printf '%s\0' "$(compact)" >"$(CFG)"
	create_fails
	grep_i config.json
}

@test "config: trailing garbage after the document" {
	requires_mini_runc # runc's decoder stops after the first value
	printf '%s {}' "$(compact)" >"$(CFG)"
	create_fails
	grep_i config.json
}

@test "config: a duplicate key" {
	requires_mini_runc # runc keeps the last one
	local s
	s=$(compact)
	write_config "${s/\"uid\":0/\"uid\":0,\"uid\":5}"
	create_fails
	grep_i config.json duplicate uid
}

@test "config: a duplicate top-level key" {
	requires_mini_runc # runc keeps the last one
	local s
	s=$(compact)
	write_config "${s/\{/\{\"hostname\":\"other\",}"
	create_fails
	grep_i config.json duplicate hostname
}

@test "config: uid -1" {
	write_config "$(with_value .process.user.uid -1)"
	create_fails
	if is_mini_runc; then grep_i config.json process.user.uid; fi
}

@test "config: uid 4294967296" {
	write_config "$(with_value .process.user.uid 4294967296)"
	create_fails
	if is_mini_runc; then grep_i config.json process.user.uid; fi
}

@test "config: uid 1.5" {
	write_config "$(with_value .process.user.uid 1.5)"
	create_fails
	if is_mini_runc; then grep_i config.json process.user.uid; fi
}

@test "config: uid \"0\" (a string)" {
	write_config "$(with_value .process.user.uid '"0"')"
	create_fails
	if is_mini_runc; then grep_i config.json process.user.uid; fi
}

@test "config: uid 1e3 (an exponent is not an integer literal)" {
	requires_mini_runc # Go's decoder accepts 1e3 as 1000
	write_config "$(with_value .process.user.uid 1e3)"
	create_fails
	grep_i config.json process.user.uid
}

@test "config: gid -1 and an additionalGids entry 4294967296" {
	write_config "$(with_value .process.user.gid -1)"
	create_fails
	if is_mini_runc; then grep_i config.json process.user.gid; fi
	base_config >"$(CFG)"
	write_config "$(with_value .process.user.additionalGids '[1, 4294967296]')"
	create_fails
	if is_mini_runc; then grep_i config.json additionalGids; fi
}

@test "config: wrong types (args a string, terminal a string, readonly a number)" {
	write_config "$(with_value .process.args '"sh"')"
	create_fails
	if is_mini_runc; then grep_i config.json process.args; fi
	base_config >"$(CFG)"
	write_config "$(with_value .process.terminal '"false"')"
	create_fails
	if is_mini_runc; then grep_i config.json process.terminal; fi
	base_config >"$(CFG)"
	write_config "$(with_value .root.readonly 1)"
	create_fails
	if is_mini_runc; then grep_i config.json root.readonly; fi
}

@test "config: missing root" {
	cfg_edit 'del(.root)'
	create_fails
	if is_mini_runc; then grep_i root; fi
}

@test "config: missing root.path" {
	cfg_edit 'del(.root.path)'
	create_fails
	if is_mini_runc; then grep_i root.path; fi
}

@test "config: root.path does not exist" {
	cfg_edit '.root.path = "no-such-rootfs"'
	create_fails
	grep_i no-such-rootfs
}

@test "config: missing process" {
	cfg_edit 'del(.process)'
	create_fails
	grep_i process
}

@test "config: missing args" {
	cfg_edit 'del(.process.args)'
	create_fails
	grep_i args
	if is_mini_runc; then grep_i process.args; fi
}

@test "config: empty args" {
	cfg_edit '.process.args = []'
	create_fails
	grep_i args
}

@test "config: relative cwd" {
	cfg_edit '.process.cwd = "tmp"'
	create_fails
	grep_i cwd
	if is_mini_runc; then grep_i process.cwd; fi
}

@test "config: missing ociVersion" {
	requires_mini_runc # runc does not check it
	cfg_edit 'del(.ociVersion)'
	create_fails
	grep_i ociVersion
}

@test "config: larger than the size cap" {
	requires_mini_runc # runc has no cap
	# 5 MiB of annotation: unknown to nothing, but over the cap before parsing.
	head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
	cfg_edit --rawfile big "$BATS_TEST_TMPDIR/big" '.annotations = {"big": $big}'
	create_fails
	grep_i config.json
	grep -Eqi 'large|size|big|limit|MiB|bytes' <<<"$output"
}

@test "config: nested deeper than the depth cap" {
	requires_mini_runc # runc accepts 1000 levels in an unknown field
	local s open close
	s=$(compact)
	open=$(printf '[%.0s' $(seq 1000))
	close=$(printf ']%.0s' $(seq 1000))
	write_config "{\"x-deep\":$open$close,${s#\{}"
	create_fails
	grep_i config.json
	grep -Eqi 'depth|deep|nest' <<<"$output"
}

@test "config: unknown fields are ignored" {
	cfg_edit '.["x-unknown"] = {a: [1, {b: null}]} | .process.fooBar = 1 | .linux.notYet = "x"'
	set_args echo still-runs
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = still-runs ]
}

# ------------------------------------------------------------ container ids

# bad_id ID: create with ID fails, mentions the id rule, touches nothing.
bad_id() {
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$1"
	# Nothing was made beside the state root either.
	[ "$(ls -A "$BATS_TEST_TMPDIR" | grep -v '^rund\.' | sort | tr '\n' ' ')" = "bundle state " ]
}

@test "id: ../x, a/b, ., .." {
	local id
	for id in ../x a/b . ..; do
		bad_id "$id"
		grep_i "container id"
	done
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
}

@test "id: empty" {
	bad_id ""
	grep_i "container id"
}

@test "id: 2,000 characters" {
	bad_id "$(printf 'a%.0s' $(seq 2000))"
	if is_mini_runc; then grep_i "container id"; fi
}

@test "id: control characters and spaces" {
	local id
	for id in $'a\nb' $'a\tb' $'\x01' $'a\x7fb' 'a b' $'a\x1b[31m'; do
		bad_id "$id"
		grep_i "container id"
	done
}

@test "id: a leading dot is refused" {
	requires_mini_runc # runc accepts .hidden
	bad_id .hidden
	grep_i "container id"
}

@test "id: the longest accepted id works end to end" {
	requires_mini_runc
	# Find mini-runc's limit: some length between 64 and 1024 must be the
	# last one accepted, and an id of that length must work.
	local n=1024 id
	while [ $n -ge 64 ]; do
		id=$(printf 'b%.0s' $(seq $n))
		if mrc create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1; then
			MRC_IDS+=("$id")
			break
		fi
		n=$((n / 2))
	done
	[ $n -ge 64 ]
	[ "$(state_field "$id" status)" = created ]
	mrc start "$id"
	wait_status "$id" stopped
	mrc delete "$id"
	assert_nothing_left
}

@test "id: a bad id on state/kill/delete/start touches nothing" {
	mkdir "$BATS_TEST_TMPDIR/x"
	local verb
	for verb in state "kill" "delete --force" start; do
		run ! mrc $verb ../x
		[ -n "$output" ]
	done
	[ -d "$BATS_TEST_TMPDIR/x" ]
	assert_nothing_left
}

# ------------------------------------------------------------ bad requests

@test "create: an existing id fails, the first container is untouched" {
	set_args sh -c 'echo ran > /tmp/ran'
	mrc create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	rund ! mrc create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
	grep_i exists
	[ "$(state_field "$ID" status)" = created ]
	[ "$(state_field "$ID" pid)" = "$pid" ]
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
	mrc start "$ID"
	wait_status "$ID" stopped
	[ "$(cat "$BUNDLE/rootfs/tmp/ran")" = ran ]
	mrc delete "$ID"
	assert_nothing_left
}

@test "start: twice fails, the container keeps running" {
	set_args sleep 30
	mrc create --bundle "$BUNDLE" "$ID"
	run -0 mrc start "$ID"
	run ! mrc start "$ID"
	grep_i running
	[ "$(state_field "$ID" status)" = running ]
	mrc delete --force "$ID"
	assert_nothing_left
}

@test "start: a stopped container fails" {
	mrc create --bundle "$BUNDLE" "$ID"
	mrc start "$ID"
	wait_status "$ID" stopped
	run ! mrc start "$ID"
	grep_i stopped
	[ "$(state_field "$ID" status)" = stopped ]
	mrc delete "$ID"
	assert_nothing_left
}

@test "delete: a running container without --force fails, it keeps running" {
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run ! mrc delete "$ID"
	grep_i "not stopped"
	[ "$(state_field "$ID" status)" = running ]
	pid_alive "$pid"
	mrc delete --force "$ID"
	assert_nothing_left
}

@test "kill: a stopped container fails with 'not running'" {
	mrc create --bundle "$BUNDLE" "$ID"
	mrc start "$ID"
	wait_status "$ID" stopped
	run ! mrc kill "$ID" KILL
	grep_i "not running"
	run ! mrc kill "$ID"
	grep_i "not running"
	mrc delete "$ID"
	assert_nothing_left
}

@test "kill: an unknown signal fails, the container is untouched" {
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID"
	run ! mrc kill "$ID" BOGUS
	grep_i BOGUS
	run ! mrc kill "$ID" SIGBOGUS
	run ! mrc kill "$ID" 99999
	[ "$(state_field "$ID" status)" = running ]
	mrc delete --force "$ID"
}

@test "create: a pid file in a missing directory fails, nothing left" {
	assert_fails_cleanly mrc create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/no-dir/pid" "$ID"
	grep_i "no such file or directory"
	[ ! -e "$BATS_TEST_TMPDIR/no-dir" ]
	run ! mrc state "$ID"
}

@test "run: a pid file in a missing directory fails, nothing left" {
	set_args sleep 30
	assert_fails_cleanly mrc run -d --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/no-dir/pid" "$ID"
}

@test "create: a bundle that does not exist fails cleanly" {
	assert_fails_cleanly mrc create --bundle "$BATS_TEST_TMPDIR/no-bundle" "$ID"
	grep_i no-bundle
}

@test "config: linux.sysctl kernel.hostname or kernel.domainname beside the field is refused, as runc" {
	cfg_edit '.hostname = "a" | .linux.sysctl = {"kernel.hostname": "b"}'
	assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
	grep_i "kernel.hostname" "hostname"
	# (runc 1.1 checks only the hostname; 1.2 both)
	if is_mini_runc; then
		cfg_edit '.hostname = "a" | .domainname = "d" | .linux.sysctl = {"kernel.domainname": "d"}'
		assert_fails_cleanly mrc run --bundle "$BUNDLE" "$ID"
		grep_i "kernel.domainname" "domainname"
	fi
	# without the field the sysctl sets the name (runc 1.1 refuses it
	# even then)
	if is_mini_runc; then
		cfg_edit 'del(.hostname) | del(.domainname) | .linux.sysctl = {"kernel.hostname": "from-sysctl"}'
		set_args cat /proc/sys/kernel/hostname
		run -0 mrc run --bundle "$BUNDLE" "$ID"
		[ "$output" = from-sysctl ]
	fi
	assert_nothing_left
}
