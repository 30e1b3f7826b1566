#!/bin/bash
# The cgroup enforcement harness: boots a Debian kernel under QEMU (TCG)
# twice, runs mini-runc's VM cases inside each boot, and prints the results
# of both as one TAP stream.
#
#   tests/vm/run.sh [CASE-SCRIPT...]
#
# The two boots, one after the other, of the same kernel and initramfs:
#   v2  `cgroup_no_v1=all`: every controller on cgroup2, which /init mounts
#       alone on /sys/fs/cgroup (the unified layout);
#   v1  no such argument: /init mounts a tmpfs on /sys/fs/cgroup and one v1
#       hierarchy per controller the kernel lists in /proc/cgroups
#       (cpu,cpuacct and net_cls,net_prio together, as distributions mount
#       them, and the named name=systemd), and no cgroup2 at all (the legacy
#       layout).
# The kernel command line tells /init which (mrc_layout=v2 or v1).  The same
# case scripts run in both: they find a container's cgroup files through
# tests/vm/lib.sh (cg_file, cg_path), which reads the layout from
# /proc/self/mountinfo and /proc/PID/cgroup, and assert each layout's own
# files (memory.max or memory.limit_in_bytes, cgroup.freeze or
# freezer.state ...).  Every result line is prefixed with its boot
# ("ok 12 - v1: ...") and the numbering runs on across both.
#
# Without arguments it runs tests/vm/cases/*.sh, and tests/vm/cases-cgroup/*.sh
# once the lifecycle creates cgroups (until then it reports them skipped).
#
# Steps: (1) a kernel (boot/vmlinuz-* of the package linux-image-amd64 depends
# on) is fetched once into the cache; (2) an initramfs is built from busybox,
# ./mini-runc with the libraries ldd lists, a busybox bundle rootfs, the
# case scripts and tests/vm/init; (3) QEMU boots it once per layout, each
# boot with a hard timeout; the TAP each VM prints between the markers is
# extracted and printed.
#
# Exit status: 0 only when every boot reported and every case passed.  A VM
# that cannot boot, hangs, or never reports is a failure, never a skip.
#
# Environment:
#   MINI_RUNC       the binary to test (default: ./mini-runc of this checkout)
#   MRC_VM_LAYOUTS  the boots to run, in order (default "v2 v1")
#   MRC_VM_CACHE    kernel cache (default: tests/vm/.cache, kept between runs)
#   MRC_VM_KERNEL   use this bzImage instead of the cached Debian one
#   MRC_VM_TIMEOUT  seconds before one boot's VM is killed (default 240)
#   MRC_VM_CASE_TIMEOUT  seconds one case script may take inside (default 120)
#   MRC_VM_VERBOSE  1: print the whole console, not only the TAP
# The console of each boot of the last run stays in
# $MRC_VM_CACHE/console-LAYOUT.log.

set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MINI_RUNC=${MINI_RUNC:-$REPO/mini-runc}
CACHE=${MRC_VM_CACHE:-$HERE/.cache}
VM_TIMEOUT=${MRC_VM_TIMEOUT:-240}
LAYOUTS=${MRC_VM_LAYOUTS:-v2 v1}
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

# The result lines of the boot being reported, numbered on from the
# previous boots'; N and FAILED count across all boots.
OUT=()
N=0
FAILED=0

# emit LAYOUT LINE: add a result or comment line of LAYOUT's boot to OUT,
# numbered on from the previous ones and prefixed with the layout.
emit() {
	local layout=$1 line=$2 st rest
	case $line in
	"ok "[0-9]* | "ok - "*) st=ok rest=${line#ok } ;;
	"not ok "[0-9]* | "not ok - "*) st="not ok" rest=${line#not ok } ;;
	"#"*) OUT+=("$line"); return ;;
	*) OUT+=("# $line"); return ;;
	esac
	rest=${rest#"${rest%%[!0-9]*}"}
	rest=${rest# }
	rest=${rest#- }
	N=$((N + 1))
	[ "$st" = ok ] || FAILED=$((FAILED + 1))
	OUT+=("$st $N - $layout: $rest")
}

# report LAYOUT CONSOLE-LOG: add that boot's TAP and the host's verdicts
# on it (HOST_TAP) to OUT; return non-zero when anything failed.
report() {
	local layout=$1 console=$2 tap line n0=$N f0=$FAILED
	# The firmware's terminal escapes may share the marker's line.
	tap=$(tr -d '\r' <"$console" |
		sed -e "s/.*$BEGIN_MARK/$BEGIN_MARK/" -e "s/.*$END_MARK.*/$END_MARK/" |
		sed -n "/^$BEGIN_MARK\$/,/^$END_MARK\$/p")
	if [ "${MRC_VM_VERBOSE:-0}" = 1 ]; then
		while IFS= read -r line; do
			OUT+=("# $layout console: $line")
		done < <(tr -d '\r' <"$console")
	fi
	if [ -z "$tap" ]; then
		OUT+=("# $layout: the console ended with:")
		while IFS= read -r line; do
			OUT+=("#   $line")
		done < <(tr -d '\r' <"$console" | tail -n 40)
		host_fail "the VM never reported (no '$BEGIN_MARK' on the console)"
	elif ! grep -qxF "$END_MARK" <<<"$tap"; then
		OUT+=("# $layout: the console ended with:")
		while IFS= read -r line; do
			OUT+=("#   $line")
		done < <(tr -d '\r' <"$console" | tail -n 15)
		host_fail "the VM stopped before '$END_MARK' (timeout or crash)"
	fi
	while IFS= read -r line; do
		case $line in
		"$BEGIN_MARK" | "$END_MARK" | 1..*) ;;
		*) emit "$layout" "$line" ;;
		esac
	done <<<"$tap"
	for line in "${HOST_TAP[@]}"; do
		emit "$layout" "$line"
	done
	HOST_TAP=()
	if [ "$N" -eq "$n0" ]; then
		emit "$layout" "not ok - vm: no case reported a result"
	fi
	OUT+=("# $layout: $((N - n0 - (FAILED - f0))) passed, $((FAILED - f0)) failed")
	[ "$FAILED" -eq "$f0" ]
}

# boot LAYOUT: boot the initramfs with LAYOUT's cgroup layout and report.
boot() {
	local layout=$1 console rc start args="console=ttyS0 quiet panic=-1"
	case $layout in
	v2) args="$args cgroup_no_v1=all mrc_layout=v2" ;;
	v1) args="$args mrc_layout=v1" ;;
	esac
	console=$CACHE/console-$layout.log
	log "$layout: booting $(basename "$KERNEL") ($(du -k "$WORK/initrd.gz" | cut -f1) KiB initramfs): $args"
	start=$SECONDS
	# TCG: KVM fails on these machines.  No NIC (no option ROM needed), no
	# VGA; the serial console is stdio.  panic=-1 and -no-reboot turn a
	# dying init into a QEMU exit instead of a hang.
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
		-accel tcg -m 1024 -smp 2 -nographic -no-reboot \
		-vga none -nic none \
		-kernel "$KERNEL" -initrd "$WORK/initrd.gz" \
		-append "$args" \
		</dev/null >"$console" 2>&1
	rc=$?
	log "$layout: VM ran $((SECONDS - start))s, qemu exit status $rc"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		host_fail "the VM was killed after ${VM_TIMEOUT}s"
	elif [ "$rc" -ne 0 ]; then
		host_fail "qemu exited with status $rc"
	fi
	report "$layout" "$console"
}

main() {
	local layout line
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/mrc-vm.XXXXXX") || die "mktemp failed"
	[ -x "$MINI_RUNC" ] || die "$MINI_RUNC is not built (run make)"
	[ -n "${LAYOUTS// /}" ] || die "MRC_VM_LAYOUTS names no boot"
	for layout in $LAYOUTS; do
		case $layout in
		v2 | v1) ;;
		*) die "unknown layout '$layout' in MRC_VM_LAYOUTS (v2 or v1)" ;;
		esac
	done
	ensure_tools
	find_kernel

	CASES=$(select_cases "$@")
	[ -n "$CASES" ] || die "no case scripts to run"
	build_initramfs || die "cannot build the initramfs"
	mkdir -p "$CACHE" || die "cannot create $CACHE"

	for layout in $LAYOUTS; do
		if [ "$#" -eq 0 ] && ! cgroups_wired; then
			OUT+=("# $layout: skipped: cgroups not wired yet (no mrc_cgroup_create in src/lifecycle)")
			HOST_TAP+=("ok - vm: tests/vm/cases-cgroup # skip cgroups not wired yet")
		fi
		boot "$layout"
		# Each boot's results as soon as it is over.
		for line in "${OUT[@]}"; do
			echo "$line"
		done
		OUT=()
	done
	echo "1..$N"
	[ "$FAILED" -eq 0 ]
}

main "$@"
