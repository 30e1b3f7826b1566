#!/bin/bash
# Run one container from a busybox bundle and let it show that it is
# isolated: its own hostname, itself as pid 1, its own root directory.
#
#   MINI_RUNC=/path/to/runtime bash tests/demo.sh   (default: ./mini-runc)
set -euo pipefail
cd "$(dirname "$0")/.."

runtime=${MINI_RUNC:-$PWD/mini-runc}
if [ ! -x "$runtime" ] && ! command -v "$runtime" >/dev/null; then
	echo "demo: $runtime not found: run make first" >&2
	exit 1
fi
for tool in busybox jq; do
	command -v "$tool" >/dev/null ||
		{ echo "demo: $tool not found: run bash tests/install-deps.sh" >&2; exit 1; }
done

id=demo-$$
dir=$(mktemp -d /tmp/mini-runc-demo.XXXXXX)
cleanup() {
	"$runtime" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

# The rootfs: busybox-static and a symlink per applet, nothing else.  The
# links are relative: `busybox --install -s` would point them at the host's
# path, which does not exist inside the container.
rootfs=$dir/bundle/rootfs
mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp}
cp "$(command -v busybox)" "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
done

cd "$dir/bundle"
"$runtime" spec
# shellcheck disable=SC2016 # expanded by the shell inside the container
jq '.process.terminal = false
    | .process.args = ["sh", "-c", "echo hostname: $(hostname); echo pid: $$; ls /"]' \
	config.json >config.json.new
mv config.json.new config.json

echo "on the host: hostname $(hostname), this shell is pid $$, / holds $(ls / | wc -l) entries"
echo "\$ $(basename "$runtime") run $id"
"$runtime" run "$id"
