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
