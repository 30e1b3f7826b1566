#!/usr/bin/env bats
# create/start/run/state/kill/delete: the container lifecycle seen from outside.

load helpers

@test "run: exit status 0 and the container's stdout" {
	set_args echo hello from the container
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	[ "$output" = "hello from the container" ]
	# run removes the container when it exits.
	run ! mrc state "$ID"
	assert_nothing_left
}

@test "run: exit status equals the container's (3)" {
	set_args sh -c 'exit 3'
	run -3 mrc run --bundle "$BUNDLE" "$ID"
	assert_nothing_left
}

@test "run: a container killed by SIGKILL gives 137" {
	# Without a pid namespace sh is not an init, so it can SIGKILL itself.
	cfg_edit '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'kill -9 $$'
	run -137 mrc run --bundle "$BUNDLE" "$ID"
	assert_nothing_left
}

@test "run: init killed by SIGKILL from outside gives 137" {
	set_args sh -c 'echo ready > /tmp/ready; while :; do sleep 0.1; done'
	mrc_bg run --bundle "$BUNDLE" "$ID"
	local runpid=$BGPID
	wait_file "$BUNDLE/rootfs/tmp/ready"
	wait_status "$ID" running
	mrc kill "$ID" KILL
	local rc=0
	wait "$runpid" || rc=$?
	[ "$rc" -eq 137 ]
	assert_nothing_left
}

@test "run: the bundle defaults to the current directory" {
	set_args echo cwd-bundle
	cd "$BUNDLE"
	run -0 mrc run "$ID"
	[ "$output" = cwd-bundle ]
}

@test "run: forwards SIGTERM to the container and exits with its status" {
	set_args sh -c 'trap "echo TERM > /tmp/got; exit 7" TERM; echo ready > /tmp/ready; while :; do sleep 0.1; done'
	mrc_bg run --bundle "$BUNDLE" "$ID"
	local runpid=$BGPID
	wait_file "$BUNDLE/rootfs/tmp/ready"
	kill -TERM "$runpid"
	local rc=0
	wait "$runpid" || rc=$?
	[ "$rc" -eq 7 ]
	[ "$(cat "$BUNDLE/rootfs/tmp/got")" = TERM ]
	assert_nothing_left
}

@test "run -d: detaches, container keeps running, --pid-file matches state" {
	set_args sleep 30
	rund -0 mrc run -d --pid-file "$BATS_TEST_TMPDIR/pid" --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = running ]
	local pid
	pid=$(state_field "$ID" pid)
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
	pid_alive "$pid"
	run -0 mrc delete --force "$ID"
	wait_gone "$pid"
	assert_nothing_left
}

@test "create leaves init waiting; start runs the process" {
	set_args sh -c 'echo started > /tmp/marker'
	rund -0 mrc create --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = created ]
	local pid
	pid=$(state_field "$ID" pid)
	[ "$pid" -gt 0 ]
	pid_alive "$pid"
	sleep 0.2
	[ ! -e "$BUNDLE/rootfs/tmp/marker" ]
	run -0 mrc start "$ID"
	wait_file "$BUNDLE/rootfs/tmp/marker"
	[ "$(cat "$BUNDLE/rootfs/tmp/marker")" = started ]
	wait_status "$ID" stopped
	run -0 mrc delete "$ID"
	assert_nothing_left
}

@test "state: created -> running -> stopped" {
	# it runs until told to stop, however slow the checks are
	set_args sh -c 'while [ ! -e /tmp/stop ]; do sleep 0.05; done'
	mrc create --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" status)" = created ]
	mrc start "$ID"
	[ "$(state_field "$ID" status)" = running ]
	touch "$BUNDLE/rootfs/tmp/stop"
	wait_status "$ID" stopped
	[ "$(state_field "$ID" pid)" = 0 ]
	mrc delete "$ID"
	run ! mrc state "$ID"
	assert_nothing_left
}

@test "state: the OCI state fields" {
	mrc create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
	run -0 mrc state "$ID"
	echo "$output" | jq -e . >/dev/null
	local s=$output
	[ "$(jq -r .id <<<"$s")" = "$ID" ]
	[ "$(jq -r .status <<<"$s")" = created ]
	[ "$(jq -r .ociVersion <<<"$s")" != null ]
	[ "$(jq -r '.ociVersion | type' <<<"$s")" = string ]
	[ "$(jq -r .pid <<<"$s")" = "$(cat "$BATS_TEST_TMPDIR/pid")" ]
	[ "$(jq -r '.pid | type' <<<"$s")" = number ]
	[ "$(jq -r .bundle <<<"$s")" = "$BUNDLE" ]
	[ "$(jq -r .rootfs <<<"$s")" = "$BUNDLE/rootfs" ]
	[ "$(jq -r '.owner | type' <<<"$s")" = string ]
	# RFC 3339 with a fraction.
	jq -r .created <<<"$s" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]+(Z|[+-][0-9]{2}:[0-9]{2})$'
	mrc delete --force "$ID"
}

@test "state: annotations are reported" {
	cfg_edit '.annotations = {"org.example.key": "value 1"}'
	mrc create --bundle "$BUNDLE" "$ID"
	[ "$(state_field "$ID" 'annotations["org.example.key"]')" = "value 1" ]
	mrc delete --force "$ID"
}

@test "create --pid-file: written before create returns, relative path too" {
	mkdir "$BATS_TEST_TMPDIR/p"
	cd "$BATS_TEST_TMPDIR/p"
	rund -0 mrc create --bundle "$BUNDLE" --pid-file rel.pid "$ID"
	[ -s "$BATS_TEST_TMPDIR/p/rel.pid" ]
	[ "$(cat rel.pid)" = "$(state_field "$ID" pid)" ]
	# Nothing else (no temp file) left beside it.
	[ "$(ls -A "$BATS_TEST_TMPDIR/p")" = rel.pid ]
	mrc delete --force "$ID"
}

@test "kill: default signal is SIGTERM" {
	set_args sh -c 'trap "echo TERM > /tmp/got; exit 0" TERM; echo ready > /tmp/ready; while :; do sleep 0.1; done'
	mrc run -d --bundle "$BUNDLE" "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	run -0 mrc kill "$ID"
	wait_file "$BUNDLE/rootfs/tmp/got"
	[ "$(cat "$BUNDLE/rootfs/tmp/got")" = TERM ]
	wait_status "$ID" stopped
	mrc delete "$ID"
	assert_nothing_left
}

@test "kill: signal by number, by name, with SIG prefix" {
	set_args sh -c 'for s in USR1 USR2 HUP; do trap "echo $s >> /tmp/got" $s; done; echo ready > /tmp/ready; while :; do sleep 0.1; done'
	mrc run -d --bundle "$BUNDLE" "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	local got=$BUNDLE/rootfs/tmp/got
	mrc kill "$ID" 10 # SIGUSR1 on x86_64
	wait_file "$got"
	[ "$(tail -n1 "$got")" = USR1 ]
	mrc kill "$ID" USR2
	for _ in $(seq 50); do [ "$(tail -n1 "$got")" = USR2 ] && break; sleep 0.1; done
	[ "$(tail -n1 "$got")" = USR2 ]
	mrc kill "$ID" SIGHUP
	for _ in $(seq 50); do [ "$(tail -n1 "$got")" = HUP ] && break; sleep 0.1; done
	[ "$(tail -n1 "$got")" = HUP ]
	[ "$(state_field "$ID" status)" = running ]
	mrc kill "$ID" SIGKILL
	wait_status "$ID" stopped
	mrc delete "$ID"
	assert_nothing_left
}

@test "kill: KILL and 9 stop a container" {
	local id2
	new_id id2
	set_args sleep 30
	mrc run -d --bundle "$BUNDLE" "$ID"
	mrc run -d --bundle "$BUNDLE" "$id2"
	local pid1 pid2
	pid1=$(state_field "$ID" pid)
	pid2=$(state_field "$id2" pid)
	run -0 mrc kill "$ID" KILL
	run -0 mrc kill "$id2" 9
	wait_status "$ID" stopped
	wait_status "$id2" stopped
	wait_gone "$pid1"
	wait_gone "$pid2"
	mrc delete "$ID"
	mrc delete "$id2"
	assert_nothing_left
}

@test "kill --all: every process of the container gets the signal" {
	set_args sh -c '
		sh -c "trap \"echo child >> /tmp/got\" USR1; echo c > /tmp/cready; while :; do sleep 0.1; done" &
		trap "echo parent >> /tmp/got" USR1
		echo ready > /tmp/ready
		while :; do sleep 0.1; done'
	mrc run -d --bundle "$BUNDLE" "$ID"
	wait_file "$BUNDLE/rootfs/tmp/ready"
	wait_file "$BUNDLE/rootfs/tmp/cready"
	run -0 mrc kill --all "$ID" USR1
	local got=$BUNDLE/rootfs/tmp/got
	for _ in $(seq 50); do [ "$(wc -l <"$got" 2>/dev/null)" = 2 ] && break; sleep 0.1; done
	[ "$(sort "$got" | tr '\n' ' ')" = "child parent " ]
	run -0 mrc kill --all "$ID" KILL
	wait_status "$ID" stopped
	mrc delete "$ID"
	assert_nothing_left
}

# containerd's shim ends the children a container's init left behind with
# `kill --all ID 9` once the init has exited, when the container shares a
# pid namespace (a pod's, the host's); runc signals what is left in the
# cgroup and exits 0 (nothing left, or no cgroup, is no error either).
@test "kill --all of a stopped container: what its init left in its cgroup is signalled, exit 0" {
	cfg_edit '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'sleep 300 & echo $! >/tmp/child'
	mrc run -d --bundle "$BUNDLE" "$ID"
	wait_status "$ID" stopped
	wait_file "$BUNDLE/rootfs/tmp/child"
	local child
	child=$(cat "$BUNDLE/rootfs/tmp/child")
	pid_alive "$child"
	run -1 mrc kill "$ID" KILL
	[[ "$output" == *"container not running"* ]]
	run -0 mrc kill --all "$ID" KILL
	wait_gone "$child"
	# again, with nothing left to signal
	run -0 mrc kill --all "$ID" KILL
	mrc delete "$ID"
	assert_nothing_left
}

@test "delete --force: a running container and all its processes" {
	set_args sh -c 'sleep 100 & sleep 100'
	mrc run -d --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run -0 mrc delete --force "$ID"
	wait_gone "$pid"
	run ! mrc state "$ID"
	assert_nothing_left
}

@test "delete --force: a created container" {
	mrc create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run -0 mrc delete --force "$ID"
	wait_gone "$pid"
	assert_nothing_left
}

@test "delete: a stopped container, no --force needed" {
	mrc create --bundle "$BUNDLE" "$ID"
	mrc start "$ID"
	wait_status "$ID" stopped
	run -0 mrc delete "$ID"
	assert_nothing_left
}

@test "delete: a created container without --force" {
	# runc deletes a created (never started) container without --force.
	mrc create --bundle "$BUNDLE" "$ID"
	local pid
	pid=$(state_field "$ID" pid)
	run -0 mrc delete "$ID"
	wait_gone "$pid"
	assert_nothing_left
}

@test "delete --force of an id that does not exist succeeds" {
	run -0 mrc delete --force "$ID"
	assert_nothing_left
}

@test "state/delete/kill of a missing id: container does not exist" {
	run ! mrc state "$ID"
	grep_i "container does not exist"
	run ! mrc delete "$ID"
	grep_i "container does not exist"
	run ! mrc kill "$ID" KILL
	grep_i "container does not exist"
	run ! mrc start "$ID"
	grep_i "container does not exist"
	assert_nothing_left
}
