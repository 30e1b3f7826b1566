#!/usr/bin/env bats
# delete removes only what it can prove is its own, and a damaged state
# directory can always be cleaned up (issue 15).

load helpers

# tree_sum DIR: every path, type and content under DIR, to prove it untouched.
tree_sum() {
	(cd "$1" && find . -printf '%p %y %s\n' | sort && find . -type f -exec cat {} + | md5sum)
}

# not_ours DIR: state, delete and delete --force of $ID, whose ROOT/ID is
# DIR (or a mount of it): each fails with "container does not exist",
# names why, and leaves DIR exactly as it was.
not_ours() {
	local dir=$1 why=$2 before verb
	before=$(tree_sum "$dir")
	for verb in state delete "delete --force" kill; do
		# shellcheck disable=SC2086
		run -1 mrc $verb "$ID"
		grep_i "container does not exist" "$ID" "$why"
		is_mini_runc && grep_i "not a mini-runc state directory" "left untouched"
		[ "$(tree_sum "$dir")" = "$before" ]
	done
	run -0 mrc list -q
	! grep -qxF "$ID" <<<"$output"
}

@test "delete: a plain directory under the state root is not a container" {
	requires_mini_runc
	mkdir "$ROOT/$ID"
	echo precious >"$ROOT/$ID/data"
	not_ours "$ROOT/$ID" "has no \`.mini-runc-state\` marker"
	# even one holding a state.json of a container that looks real
	mrc create --bundle "$BUNDLE" "$ID.real" </dev/null >/dev/null 2>&1
	cp "$ROOT/$ID.real/state.json" "$ROOT/$ID/state.json"
	not_ours "$ROOT/$ID" "has no \`.mini-runc-state\` marker"
	mrc delete --force "$ID.real"
	rm -r "${ROOT:?}/$ID"
	assert_nothing_left
}

@test "delete: a directory with subdirectories under the state root is untouched" {
	requires_mini_runc
	mkdir -p "$ROOT/$ID/a/b/c" "$ROOT/$ID/overlay/upper"
	echo one >"$ROOT/$ID/a/b/c/f"
	echo two >"$ROOT/$ID/overlay/upper/g"
	ln -s / "$ROOT/$ID/a/root"
	not_ours "$ROOT/$ID" "marker"
	rm -r "${ROOT:?}/$ID"
	assert_nothing_left
}

@test "delete: a bind mount under the state root is never entered" {
	requires_mini_runc
	local host=$BATS_TEST_TMPDIR/host
	mkdir -p "$host/sub" "$ROOT/$ID"
	echo precious >"$host/sub/data"
	# a marker does not make a mount point ours
	printf 'mini-runc state directory\n' >"$host/.mini-runc-state"
	mount --bind "$host" "$ROOT/$ID"
	not_ours "$host" "is a mount point"
	umount "$ROOT/$ID"
	rmdir "$ROOT/$ID"
	# a symlink or a file under the name is not a container either
	ln -s "$host" "$ROOT/$ID"
	not_ours "$host" "is a symbolic link"
	rm "$ROOT/$ID"
	echo file >"$ROOT/$ID"
	not_ours "$ROOT" "is not a directory"
	rm "$ROOT/$ID"
	[ -s "$host/sub/data" ]
	assert_nothing_left
}

@test "delete: what a container's state dir holds beyond mini-runc's own files is left and named" {
	requires_mini_runc
	set_args sleep 1000
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	local pid host=$BATS_TEST_TMPDIR/host
	pid=$(state_field "$ID" pid)
	# every file mini-runc writes there, and nothing else
	[ "$(LC_ALL=C ls -A "$ROOT/$ID" | tr '\n' ' ')" = ".mini-runc-state config.json init.json state.json " ]
	mkdir -p "$host/sub" "$ROOT/$ID/mnt"
	echo precious >"$host/sub/data"
	mount --bind "$host" "$ROOT/$ID/mnt"
	echo mine >"$ROOT/$ID/notes"
	run -1 mrc delete --force "$ID"
	grep_i "delete \`$ID\`" "$ROOT/$ID" "\`mnt\` (a mount point)" "\`notes\`"
	# the container is gone, what was not mini-runc's stays
	wait_gone "$pid"
	[ -s "$host/sub/data" ] && [ "$(cat "$ROOT/$ID/notes")" = mine ]
	[ -f "$ROOT/$ID/.mini-runc-state" ] && [ ! -e "$ROOT/$ID/state.json" ]
	umount "$ROOT/$ID/mnt"
	rmdir "$ROOT/$ID/mnt"
	rm "$ROOT/$ID/notes"
	# once they are gone, delete finishes (a stopped container: exit 1 and
	# "does not exist" without --force, as for a create killed early)
	run -1 mrc delete "$ID"
	grep_i "container does not exist"
	[ ! -e "$ROOT/$ID" ]
	[ -s "$host/sub/data" ]
	assert_nothing_left
}

@test "delete: a create killed before state.json (marker only) is still cleaned" {
	requires_mini_runc
	local marker='mini-runc state directory'
	mkdir "$ROOT/$ID" "$ROOT/.new-$ID-99999"
	echo "$marker" >"$ROOT/$ID/.mini-runc-state"
	echo "$marker" >"$ROOT/.new-$ID-99999/.mini-runc-state"
	run -1 mrc delete "$ID"
	grep_i "container does not exist"
	[ -z "$(state_entries)" ]
	mkdir "$ROOT/$ID"
	echo "$marker" >"$ROOT/$ID/.mini-runc-state"
	run -0 mrc delete --force "$ID"
	[ -z "$(state_entries)" ]
	assert_nothing_left
}

# damage KIND: spoil $ROOT/$ID/state.json the KIND way; prints what `state`
# must then say about it.
damage() {
	local f=$ROOT/$ID/state.json
	case "$1" in
	truncated) head -c 30 "$f" >"$f.x"; mv "$f.x" "$f"; echo "premature EOF" ;;
	empty) : >"$f"; echo "empty file" ;;
	garbage) echo 'this is not json' >"$f"; echo "invalid JSON" ;;
	nul) printf '{"id":"%s\0"}' "$ID" >"$f"; echo "NUL byte" ;;
	pid-huge) jq '.pid = 99999999999' "$f" >"$f.x"; mv "$f.x" "$f"; echo "pid: expected a 32-bit integer" ;;
	pid-range) jq '.pid = 5000000' "$f" >"$f.x"; mv "$f.x" "$f"; echo "pid: 5000000 is out of range" ;;
	esac
}

@test "delete --force: a running container whose state.json is damaged, every way" {
	requires_mini_runc
	set_args sh -c 'sleep 1000 & sleep 1000'
	local kind want pid
	for kind in truncated empty garbage nul pid-huge pid-range; do
		rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
		pid=$(state_field "$ID" pid)
		want=$(damage "$kind")
		echo "damage: $kind" >&2
		run -1 mrc state "$ID"
		grep_i "container \`$ID\`" "damaged state" "$ROOT/$ID" "state.json" "$want" "delete --force"
		# without --force a running init stays, and is the error
		run -1 mrc delete "$ID"
		grep_i "container \`$ID\`" "state.json" "$want" "init $pid runs"
		pid_alive "$pid"
		run -0 mrc delete --force "$ID"
		wait_gone "$pid"
		assert_nothing_left
	done
}

@test "delete --force: a paused container whose state.json is damaged" {
	requires_mini_runc
	set_args sleep 1000
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	mrc pause "$ID"
	damage truncated >/dev/null
	run -0 mrc delete --force "$ID"
	wait_gone "$pid"
	assert_nothing_left
}

@test "delete: a stopped container whose state.json is damaged needs no --force" {
	requires_mini_runc
	set_args true
	mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	mrc start "$ID"
	wait_status "$ID" stopped
	damage garbage >/dev/null
	run -0 mrc delete "$ID"
	assert_nothing_left
}

# running_with_stranger FILE: a running container (its init's pid in $PID)
# whose FILE (state.json or init.json) names a stranger, a process outside
# it ($STRANGER), with the stranger's true start time: only its cgroup
# tells it from the init.
running_with_stranger() {
	set_args sleep 1000
	rund -0 mrc run -d --bundle "$BUNDLE" "$ID"
	PID=$(state_field "$ID" pid)
	sleep 1000 </dev/null >/dev/null 2>&1 &
	STRANGER=$!
	local t f=$ROOT/$ID/$1
	t=$(awk '{print $22}' "/proc/$STRANGER/stat")
	jq --argjson p "$STRANGER" --argjson t "$t" \
		'.pid = $p | .mrcPidStartTime = $t' "$f" >"$f.x"
	mv "$f.x" "$f"
}

@test "delete --force: a reused pid in the init record is never signalled" {
	requires_mini_runc
	running_with_stranger init.json
	damage garbage >/dev/null
	run -0 mrc delete --force "$ID"
	pid_alive "$STRANGER"
	wait_gone "$PID"
	kill "$STRANGER"
	assert_nothing_left
}

@test "kill and delete: a reused pid in an intact state.json is never signalled" {
	requires_mini_runc
	running_with_stranger state.json
	run -1 mrc kill "$ID" KILL
	grep_i "container not running"
	run ! mrc exec "$ID" true
	grep_i "container not running"
	pid_alive "$STRANGER"
	run -0 mrc delete --force "$ID"
	pid_alive "$STRANGER"
	wait_gone "$PID"
	kill "$STRANGER"
	assert_nothing_left
}

@test "delete --force: state.json and the init record both damaged still removes the directory" {
	requires_mini_runc
	set_args true
	mrc create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
	mrc start "$ID"
	wait_status "$ID" stopped
	damage empty >/dev/null
	echo garbage >"$ROOT/$ID/init.json"
	run -1 mrc delete "$ID"
	grep_i "state.json: empty file" "init.json: invalid JSON" "delete --force"
	[ -d "$ROOT/$ID" ]
	# the init has exited: only its cgroup may be left, and is reported
	run -0 mrc delete --force "$ID"
	grep_i "init.json" "not known"
	[ ! -e "$ROOT/$ID" ]
	for p in $(leftover_cgroups); do rmdir "$p"; done
	assert_nothing_left
}
