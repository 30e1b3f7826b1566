#!/bin/bash
# Install everything mini-runc's build, tests, demo and benchmark need on
# Debian 12, as root.  Idempotent: when every package is already there it
# does not touch apt at all, so it is cheap to run before every build.
set -euo pipefail

packages=(
	# build
	gcc make libc6-dev autoconf automake pkg-config
	libyajl-dev libseccomp-dev libcap-dev libmnl-dev
	# sanitizers and libFuzzer (clang), symbolized reports (llvm-14)
	clang libclang-rt-14-dev llvm-14
	# test drivers and the busybox test bundle
	bats perl jq busybox-static coreutils
	# enosys.bats: memcheck of the lifecycle through the ENOSYS fallbacks
	valgrind
	# tools the integration tests and the benchmark call
	iproute2 util-linux procps tmux cpio
	# rootless.bats: newuidmap/newgidmap for the test user's wider mappings
	uidmap
	# reference runtimes and the benchmark
	runc crun hyperfine time golang-github-containers-common
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}; run this script as root" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
