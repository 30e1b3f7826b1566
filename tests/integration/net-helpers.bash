# Helpers for net.bats: veth pairs on the host (these kernels have no
# `dummy` driver), each with a private /30 in 10.200.0.0/16 that never
# leaves the machine, removed again in teardown.

load helpers

# The shared teardown, kept under another name so ours can run after it.
eval "$(declare -f teardown | sed '1s/^teardown/mrc_teardown/')"

NET_LINKS=()

# Skip until the runtime calls the net module.
requires_net_wired() {
	is_mini_runc || return 0
	grep -q mrc_net_loopback_up "$REPO_ROOT"/src/process/*.c ||
		skip "net not wired yet"
}

# free_subnet VAR: a third octet N with nothing in 10.200.N.0/24 on the host.
free_subnet() {
	local -n _free_subnet_var=$1
	local _fs_n _fs_tries=0
	while [ $_fs_tries -lt 100 ]; do
		_fs_n=$((RANDOM % 250 + 1))
		if [ -z "$(ip -4 -o addr show to "10.200.$_fs_n.0/24")" ]; then
			_free_subnet_var=$_fs_n
			return 0
		fi
		_fs_tries=$((_fs_tries + 1))
	done
	echo "no free 10.200.N.0/24" >&2
	return 1
}

# veth_pair HOSTVAR CTVAR N: a veth pair with fresh names stored in HOSTVAR
# and CTVAR; the host end gets 10.200.N.1/30 and is up.
veth_pair() {
	local -n _veth_h=$1 _veth_c=$2
	local _veth_tag=$RANDOM$RANDOM
	_veth_tag=${_veth_tag:0:6}
	_veth_h=mnh$_veth_tag
	_veth_c=mnc$_veth_tag
	NET_LINKS+=("$_veth_h" "$_veth_c")
	ip link add "$_veth_h" type veth peer name "$_veth_c"
	ip addr add "10.200.$3.1/30" dev "$_veth_h"
	ip link set "$_veth_h" up
}

# The container process may configure its links and ping (raw sockets):
# the base config gives it no capabilities.
net_caps() {
	cfg_edit '.process.capabilities = ({} | .bounding = ["CAP_NET_ADMIN", "CAP_NET_RAW"]
		| .effective = .bounding | .permitted = .bounding)'
}

# Root in the container is host uid 100000: it must own the rootfs and be
# able to search every directory down to it (bats makes them 0700).
net_userns_rootfs() {
	chown -R 100000:100000 "$BUNDLE/rootfs"
	local dir=$BUNDLE
	until [ "$dir" = / ]; do
		chmod o+x "$dir"
		dir=${dir%/*}
		dir=${dir:-/}
	done
}

host_has_link() {
	ip link show dev "$1" >/dev/null 2>&1
}

# Delete our veths; a moved end dies with the container's namespace, which
# the kernel tears down asynchronously, so wait for every name to go.
net_cleanup() {
	local l n bad=0
	for l in "${NET_LINKS[@]}"; do
		ip link del dev "$l" 2>/dev/null || true
	done
	for l in "${NET_LINKS[@]}"; do
		n=50
		while host_has_link "$l" && [ $n -gt 0 ]; do
			sleep 0.1
			n=$((n - 1))
		done
		host_has_link "$l" && { echo "link $l left on the host" >&2; bad=1; }
	done
	return $bad
}

teardown() {
	local rc=0
	mrc_teardown || rc=$?
	net_cleanup || rc=1
	return $rc
}
