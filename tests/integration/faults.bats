#!/usr/bin/env bats
# Fault injection (issue 15): in the test build (MRC_FAULTS, the sanitizer
# build of tests/run-all.sh) the runtime kills itself with SIGKILL at the
# point $MRC_FAULT names.  Every point is walked: whatever it left, `delete
# --force` cleans it up, `state` and `list` agree it is gone, and no state
# dir, mount, cgroup (any hierarchy) or process of the container is left.

load helpers

fault_points() {
	MRC_FAULT=list "$MINI_RUNC" --version 2>/dev/null | grep -E '^[a-z]+:[a-z0-9-]+$' || true
}

requires_faults() {
	[ -n "$(fault_points)" ] ||
		skip "$(basename "$MINI_RUNC") is not a fault-injection build (build-asan/mini-runc is)"
}

# After the fault at $1: clean up and check that nothing is left.
after_fault() {
	local point=$1 id=$2
	run mrc delete --force "$id"
	[ "$status" -eq 0 ] || { echo "$point: delete --force: $output" >&2; return 1; }
	run mrc state "$id"
	[ "$status" -ne 0 ] || { echo "$point: state still knows $id" >&2; return 1; }
	run -0 mrc list -q
	! grep -qx "$id" <<<"$output" || { echo "$point: list still has $id" >&2; return 1; }
	assert_nothing_left || { echo "$point: something was left" >&2; return 1; }
}

# The point fired: the runtime (or its child) said so and was killed.
fired() {
	grep -q 'fault injected' <<<"$output" || { echo "$1 did not fire: $output" >&2; return 1; }
}

walk() {
	local prefix=$1 point id
	local points
	points=$(fault_points | grep "^$prefix:")
	[ -n "$points" ]
	for point in $points; do
		new_id id
		case $point in
		create:* | init:*)
			MRC_FAULT=$point rund mrc create --pid-file "$BATS_TEST_TMPDIR/pid" \
				--bundle "$BUNDLE" "$id"
			[ "$status" -ne 0 ] || { echo "$point: create succeeded" >&2; return 1; }
			;;
		start:*)
			rund -0 mrc create --bundle "$BUNDLE" "$id"
			MRC_FAULT=$point run mrc start "$id"
			;;
		exec:* | update:* | delete:*)
			rund -0 mrc run -d --bundle "$BUNDLE" "$id"
			case $point in
			exec:*) MRC_FAULT=$point run mrc exec "$id" true ;;
			update:*) MRC_FAULT=$point run mrc update --pids-limit 50 "$id" ;;
			*) MRC_FAULT=$point run mrc delete --force "$id" ;;
			esac
			[ "$status" -ne 0 ] || { echo "$point: the verb succeeded" >&2; return 1; }
			;;
		esac
		fired "$point"
		after_fault "$point" "$id"
		echo "$point: cleaned"
	done
}


@test "faults: the list names every lifecycle point and every step of the child's table" {
	requires_faults
	local points
	points=$(fault_points)
	grep -qx create:cgroup <<<"$points"
	grep -qx init:rootfs <<<"$points"
	grep -qx exec:join <<<"$points"
	grep -qx init:security-final <<<"$points"
	grep -qx exec:security-final <<<"$points"
}

@test "faults: create killed at each of its points, then delete --force leaves nothing" {
	requires_faults
	set_args sleep 100
	walk create
}

@test "faults: the init killed before each of its steps, then delete --force leaves nothing" {
	requires_faults
	set_args sleep 100
	walk init
}

@test "faults: start killed after the release, then delete --force leaves nothing" {
	requires_faults
	set_args sleep 100
	walk start
}

@test "faults: exec (runtime and child) killed at each point, then delete --force leaves nothing" {
	requires_faults
	set_args sleep 100
	walk exec
}

@test "faults: update killed before and after it applied, then delete --force leaves nothing" {
	requires_faults
	set_args sleep 100
	walk update
}

@test "faults: delete killed half-way, then delete --force leaves nothing" {
	requires_faults
	set_args sleep 100
	walk delete
}
