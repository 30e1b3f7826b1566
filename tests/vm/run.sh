#!/bin/bash
# The pure cgroup v2 kernel harness: boots a Debian kernel under QEMU (TCG)
# with every controller on cgroup2, runs mini-runc's VM cases inside, and
# prints their results as TAP.
#
#   tests/vm/run.sh [CASE-SCRIPT...]
#
# Without arguments it runs tests/vm/cases/*.sh, and tests/vm/cases-cgroup/*.sh
# once the lifecycle creates cgroups (until then it reports them skipped).
#
# Steps: (1) a kernel (boot/vmlinuz-* of the package linux-image-amd64 depends
# on) is fetched once into the cache; (2) an initramfs is built from busybox,
# ./mini-runc with the libraries ldd lists, a busybox bundle rootfs, the
# case scripts and tests/vm/init; (3) QEMU boots it with a hard timeout; the
# TAP the VM prints between the markers is extracted and printed.
#
# Exit status: 0 only when the VM reported and every case passed.  A VM that
# cannot boot, hangs, or never reports is a failure, never a skip.
#
# Environment:
#   MINI_RUNC       the binary to test (default: ./mini-runc of this checkout)
#   MRC_VM_CACHE    kernel cache (default: tests/vm/.cache, kept between runs)
#   MRC_VM_KERNEL   use this bzImage instead of the cached Debian one
#   MRC_VM_TIMEOUT  seconds before the VM is killed (default 300)
#   MRC_VM_CASE_TIMEOUT  seconds one case script may take inside (default 120)
#   MRC_VM_VERBOSE  1: print the whole console, not only the TAP
# The console of the last run stays in $MRC_VM_CACHE/console.log.

set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MINI_RUNC=${MINI_RUNC:-$REPO/mini-runc}
CACHE=${MRC_VM_CACHE:-$HERE/.cache}
VM_TIMEOUT=${MRC_VM_TIMEOUT:-300}
CASE_TIMEOUT=${MRC_VM_CASE_TIMEOUT:-120}
BEGIN_MARK='=== MRC-VM-TAP BEGIN ==='
END_MARK='=== MRC-VM-TAP END ==='

WORK=
cleanup() {
	[ -z "$WORK" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Results the host itself reports, numbered after the VM's.
HOST_TAP=()
host_fail() {
	HOST_TAP+=("not ok - vm: $1")
}

# die MESSAGE: the harness cannot run at all; one failed case, then exit.
die() {
	echo "not ok 1 - vm: $1"
	echo "1..1"
	exit 1
}

log() {
	echo "# vm: $*"
}

# ------------------------------------------------------------ host tools --

static_busybox() {
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1
}

ensure_tools() {
	local pkgs=()
	command -v qemu-system-x86_64 >/dev/null || pkgs+=(qemu-system-x86)
	command -v cpio >/dev/null || pkgs+=(cpio)
	static_busybox || pkgs+=(busybox-static)
	command -v apt-get >/dev/null || die "no apt-get: install ${pkgs[*]:-nothing} by hand"
	[ "${#pkgs[@]}" -eq 0 ] && return
	[ "$(id -u)" -eq 0 ] || die "missing ${pkgs[*]} and not root to install them"
	log "installing ${pkgs[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Another apt may hold the lock on a shared machine: wait for it.
	if ! apt-get install -y -q -o DPkg::Lock::Timeout=300 \
		--no-install-recommends "${pkgs[@]}" >"$WORK/apt.log" 2>&1; then
		apt-get update -q -o DPkg::Lock::Timeout=300 >>"$WORK/apt.log" 2>&1
		apt-get install -y -q -o DPkg::Lock::Timeout=300 \
			--no-install-recommends "${pkgs[@]}" >>"$WORK/apt.log" 2>&1 ||
			{ sed 's/^/# /' "$WORK/apt.log" | tail -n 20; die "apt-get install ${pkgs[*]} failed"; }
	fi
	static_busybox || die "/bin/busybox is not a static busybox (package busybox-static)"
}

# ---------------------------------------------------------------- kernel --

# The package name linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64.
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-/ {print $2; exit}'
}

# Sets KERNEL to a bzImage, fetching one into the cache when none is there.
find_kernel() {
	local k pkg deb
	if [ -n "${MRC_VM_KERNEL:-}" ]; then
		[ -r "$MRC_VM_KERNEL" ] || die "MRC_VM_KERNEL=$MRC_VM_KERNEL is not readable"
		KERNEL=$MRC_VM_KERNEL
		return
	fi
	KERNEL=$(compgen -G "$CACHE/vmlinuz-*" | sort -V | tail -n1)
	[ -z "$KERNEL" ] || return 0
	mkdir -p "$CACHE" || die "cannot create $CACHE"
	pkg=$(kernel_package)
	if [ -z "$pkg" ]; then
		apt-get update -q -o DPkg::Lock::Timeout=300 >&2 || true
		pkg=$(kernel_package)
	fi
	[ -n "$pkg" ] || die "apt-cache knows no package linux-image-amd64 depends on"
	log "fetching $pkg"
	mkdir -p "$WORK/deb"
	# apt-get download writes into the current directory; as root it warns
	# that the _apt user cannot write there, which is harmless.
	(cd "$WORK/deb" && apt-get download -q "$pkg") >"$WORK/download.log" 2>&1 ||
		{ sed 's/^/# /' "$WORK/download.log"; die "apt-get download $pkg failed"; }
	deb=$(compgen -G "$WORK/deb/*.deb" | head -n1)
	[ -n "$deb" ] || die "apt-get download $pkg produced no .deb"
	# Only the bzImage: the modules (hundreds of MB unpacked) are not needed.
	mkdir -p "$WORK/deb/x"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$WORK/deb/x" --wildcards './boot/vmlinuz-*' ||
		die "cannot unpack boot/vmlinuz-* from $deb"
	k=$(compgen -G "$WORK/deb/x/boot/vmlinuz-*" | head -n1)
	[ -n "$k" ] || die "$deb holds no boot/vmlinuz-*"
	cp "$k" "$CACHE/" || die "cannot copy $k into $CACHE"
	KERNEL=$CACHE/$(basename "$k")
	rm -rf "$WORK/deb"
}

# ------------------------------------------------------------- initramfs --

# copy_binary FILE DEST-ROOT: FILE and every library ldd lists (with the
# dynamic loader), at their own paths under DEST-ROOT.
copy_with_libs() {
	local bin=$1 root=$2 lib
	for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib" || return 1
	done
}

# busybox_tree DIR: DIR/bin/busybox and a symlink for every applet.
busybox_tree() {
	local dir=$1 a
	mkdir -p "$dir/bin"
	cp /bin/busybox "$dir/bin/busybox" || return 1
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$dir/bin/$a"
	done
}

cgroups_wired() {
	grep -q mrc_cgroup_create "$REPO"/src/lifecycle/*.c 2>/dev/null
}

# The case scripts to run, one per line.
select_cases() {
	local c
	if [ "$#" -gt 0 ]; then
		for c in "$@"; do
			echo "$c"
		done
		return
	fi
	compgen -G "$HERE/cases/*.sh" | sort
	if cgroups_wired; then
		compgen -G "$HERE/cases-cgroup/*.sh" | sort
	fi
}

build_initramfs() {
	local stage=$WORK/stage n=0 c
	mkdir -p "$stage"/{dev,proc,sys,run,tmp,newroot,tests/cases,etc,usr/bin} || return 1
	busybox_tree "$stage" || return 1
	# The kernel opens /dev/console for the first init before anything
	# is mounted: without this node the init has no stdout.
	mknod -m 600 "$stage/dev/console" c 5 1 || return 1
	mknod -m 666 "$stage/dev/null" c 1 3 || return 1
	cp "$MINI_RUNC" "$stage/usr/bin/mini-runc" || return 1
	copy_with_libs "$MINI_RUNC" "$stage" || return 1
	# The bundle rootfs every case copies.
	busybox_tree "$stage/rootfs" || return 1
	mkdir -p "$stage/rootfs"/{proc,sys,dev,tmp,etc,root,mnt}
	chmod 1777 "$stage/rootfs/tmp"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/rootfs/etc/passwd"
	echo 'root:x:0:' >"$stage/rootfs/etc/group"
	cp "$HERE/init" "$stage/init" && chmod 755 "$stage/init" || return 1
	cp "$HERE/lib.sh" "$stage/tests/lib.sh" || return 1
	while IFS= read -r c; do
		[ -n "$c" ] || continue
		n=$((n + 1))
		cp "$c" "$stage/tests/cases/$(printf %02d "$n")-$(basename "$c")" || return 1
	done <<<"$CASES"
	echo "$CASE_TIMEOUT" >"$stage/tests/case-timeout"
	(cd "$stage" && find . -print0 | cpio --null -o -H newc --owner 0:0 --quiet) |
		gzip -1 >"$WORK/initrd.gz"
}

# ------------------------------------------------------------------ boot --

# report CONSOLE-LOG: print the TAP, return non-zero when anything failed.
report() {
	local console=$1 tap line n=0 failed=0
	# The firmware's terminal escapes may share the marker's line.
	tap=$(tr -d '\r' <"$console" |
		sed -e "s/.*$BEGIN_MARK/$BEGIN_MARK/" -e "s/.*$END_MARK.*/$END_MARK/" |
		sed -n "/^$BEGIN_MARK\$/,/^$END_MARK\$/p")
	if [ "${MRC_VM_VERBOSE:-0}" = 1 ]; then
		tr -d '\r' <"$console" | sed 's/^/# console: /'
	fi
	if [ -z "$tap" ]; then
		echo "# the console ended with:"
		tr -d '\r' <"$console" | tail -n 40 | sed 's/^/#   /'
		host_fail "the VM never reported (no '$BEGIN_MARK' on the console)"
	elif ! grep -qxF "$END_MARK" <<<"$tap"; then
		echo "# the console ended with:"
		tr -d '\r' <"$console" | tail -n 15 | sed 's/^/#   /'
		host_fail "the VM stopped before '$END_MARK' (timeout or crash)"
	fi
	while IFS= read -r line; do
		case $line in
		"$BEGIN_MARK" | "$END_MARK" | 1..*) ;;
		"ok "[0-9]*)
			n=$((n + 1))
			echo "$line" ;;
		"not ok "[0-9]*)
			n=$((n + 1)) failed=$((failed + 1))
			echo "$line" ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <<<"$tap"
	for line in "${HOST_TAP[@]}"; do
		n=$((n + 1))
		case $line in
		"not ok - "*)
			failed=$((failed + 1))
			echo "not ok $n - ${line#not ok - }" ;;
		"ok - "*) echo "ok $n - ${line#ok - }" ;;
		esac
	done
	if [ "$n" -eq 0 ]; then
		n=1 failed=1
		echo "not ok 1 - vm: no case reported a result"
	fi
	echo "1..$n"
	[ "$failed" -eq 0 ]
}

main() {
	local console rc start
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/mrc-vm.XXXXXX") || die "mktemp failed"
	[ -x "$MINI_RUNC" ] || die "$MINI_RUNC is not built (run make)"
	ensure_tools
	find_kernel

	CASES=$(select_cases "$@")
	[ -n "$CASES" ] || die "no case scripts to run"
	if [ "$#" -eq 0 ] && ! cgroups_wired; then
		echo "# skipped: cgroups not wired yet (no mrc_cgroup_create in src/lifecycle)"
		HOST_TAP+=("ok - vm: tests/vm/cases-cgroup # skip cgroups not wired yet")
	fi
	build_initramfs || die "cannot build the initramfs"

	mkdir -p "$CACHE" || die "cannot create $CACHE"
	console=$CACHE/console.log
	log "booting $(basename "$KERNEL") ($(du -k "$WORK/initrd.gz" | cut -f1) KiB initramfs)"
	start=$SECONDS
	# TCG: KVM fails on these machines.  No NIC (no option ROM needed), no
	# VGA; the serial console is stdio.  panic=-1 and -no-reboot turn a
	# dying init into a QEMU exit instead of a hang.
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
		-accel tcg -m 1024 -smp 2 -nographic -no-reboot \
		-vga none -nic none \
		-kernel "$KERNEL" -initrd "$WORK/initrd.gz" \
		-append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all" \
		</dev/null >"$console" 2>&1
	rc=$?
	log "VM ran $((SECONDS - start))s, qemu exit status $rc"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		host_fail "the VM was killed after ${VM_TIMEOUT}s"
	elif [ "$rc" -ne 0 ]; then
		host_fail "qemu exited with status $rc"
	fi
	report "$console"
}

main "$@"
