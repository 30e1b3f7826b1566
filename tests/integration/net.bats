#!/usr/bin/env bats
# Networking: lo up in a new network namespace, linux.netDevices moved in
# (renamed, addresses kept), a missing or invalid device refused cleanly.

load net-helpers

@test "net: lo is up and 127.0.0.1 answers in a new network namespace" {
	requires_net_wired
	net_caps
	set_args sh -c 'ip link show lo && ping -c1 -W1 127.0.0.1'
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -q '<LOOPBACK,UP' <<<"$output"
	grep -q '1 packets received' <<<"$output"
}

@test "net: a veth end moves in as eth1, leaves the host, and reaches the host end" {
	requires_net_wired
	local n h c
	free_subnet n
	veth_pair h c "$n"
	cfg_edit --arg c "$c" '.linux.netDevices = {($c): {name: "eth1"}}'
	net_caps
	set_args sh -c "exec >/result 2>&1; ip link show eth1 &&
		ip addr add 10.200.$n.2/30 dev eth1 && ip link set eth1 up &&
		{ for i in 1 2 3 4 5; do ping -c1 -W2 10.200.$n.1 && break; [ \$i = 5 ] && exit 1; sleep 0.2; done; } && echo PING-OK"
	rund -0 mrc create --bundle "$BUNDLE" "$ID"
	# Gone from the host, present inside under its new name.
	! host_has_link "$c" || false
	local pid
	pid=$(state_field "$ID" pid)
	nsenter -t "$pid" -n ip link show dev eth1
	run -0 mrc start "$ID"
	wait_status "$ID" stopped
	cat "$BUNDLE/rootfs/result"
	grep -q PING-OK "$BUNDLE/rootfs/result"
	grep -q 'eth1' "$BUNDLE/rootfs/result"
	run -0 mrc delete "$ID"
}

@test "net: a moved device keeps its addresses and its up state" {
	requires_net_wired
	local n h c
	free_subnet n
	veth_pair h c "$n"
	ip addr add "10.200.$n.2/30" dev "$c"
	ip link set "$c" up
	cfg_edit --arg c "$c" '.linux.netDevices = {($c): {name: "eth1"}}'
	net_caps
	set_args sh -c "ip -4 addr show dev eth1 && { for i in 1 2 3 4 5; do ping -c1 -W2 10.200.$n.1 && break; [ \$i = 5 ] && exit 1; sleep 0.2; done; }"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -q "inet 10.200.$n.2/30" <<<"$output"
	grep -q '1 packets received' <<<"$output"
}

@test "net: a device keeps its host name when no name is given" {
	requires_net_wired
	local n h c
	free_subnet n
	veth_pair h c "$n"
	cfg_edit --arg c "$c" '.linux.netDevices = {($c): {}}'
	set_args ip link show dev "$c"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -q "$c" <<<"$output"
}

@test "net: a missing device fails create, naming it, and nothing moves" {
	requires_net_wired
	local n h c
	free_subnet n
	veth_pair h c "$n"
	cfg_edit --arg c "$c" \
		'.linux.netDevices = {($c): {name: "eth1"}, "mrc-nope0": {}}'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i mrc-nope0
	is_mini_runc && grep_i "not found"
	# The device that exists stayed where it was, under its own name.
	host_has_link "$c"
	[ -z "$(state_entries)" ]
}

@test "net: an invalid device name fails create before anything starts" {
	requires_net_wired
	requires_mini_runc
	local n h c
	free_subnet n
	veth_pair h c "$n"
	cfg_edit --arg c "$c" '.linux.netDevices = {($c): {name: "a/b"}}'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "linux.netDevices" "a/b"
	host_has_link "$c"
}

@test "net: devices need the container's own network namespace" {
	requires_net_wired
	requires_mini_runc
	local n h c
	free_subnet n
	veth_pair h c "$n"
	cfg_edit --arg c "$c" '.linux.netDevices = {($c): {}}
		| .linux.namespaces |= map(select(.type != "network"))'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "linux.netDevices" "network namespace"
	host_has_link "$c"
}

@test "net: inside a user namespace too (lo up, device moved in with its address)" {
	requires_net_wired
	local n h c
	free_subnet n
	veth_pair h c "$n"
	ip addr add "10.200.$n.2/30" dev "$c"
	ip link set "$c" up
	net_userns_rootfs
	cfg_edit --arg c "$c" '.linux.netDevices = {($c): {name: "eth1"}}
		| .linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	net_caps
	set_args sh -c "ip link show lo && ip -4 addr show dev eth1 &&
		{ for i in 1 2 3 4 5; do ping -c1 -W2 10.200.$n.1 && break; [ \$i = 5 ] && exit 1; sleep 0.2; done; }"
	run -0 mrc run --bundle "$BUNDLE" "$ID"
	grep -q '<LOOPBACK,UP' <<<"$output"
	grep -q "inet 10.200.$n.2/30" <<<"$output"
	grep -q '1 packets received' <<<"$output"
}

@test "net: when a later device cannot move, the earlier one comes back to the host" {
	requires_net_wired
	local n h c br=mnb$RANDOM
	free_subnet n
	veth_pair h c "$n"
	ip addr add "10.200.$n.2/30" dev "$c"
	ip link set "$c" up
	# A bridge is local to its network namespace: the kernel refuses to
	# move it, after the veth end before it has moved.
	NET_LINKS+=("$br")
	ip link add "$br" type bridge
	cfg_edit --arg c "$c" --arg br "$br" \
		'.linux.netDevices = {($c): {name: "eth1"}, ($br): {}}'
	assert_fails_cleanly mrc create --bundle "$BUNDLE" "$ID"
	grep_i "$br"
	# Back under its own name, with its address, up.
	run -0 ip -4 -o addr show dev "$c"
	grep -q "inet 10.200.$n.2/30" <<<"$output"
	ip link show dev "$c" | grep -q '[<,]UP[,>]'
	host_has_link "$br"
}
