# Shared by podman.bats and containerd.bats: the real callers of mini-runc,
# installed from Debian, each run privately (their own root, run dir and
# socket, so nothing of the host's or another test run's is touched).
#
# The runtime the callers are given is a wrapper ($CW_WRAP) that appends
# its argv to $CW_LOG and then runs $MINI_RUNC.  For the verbs whose stdio
# belongs to the container (create, run, exec) it execs mini-runc directly
# (a tee on stderr would steal the container's stderr); for the others it
# also appends mini-runc's stderr and exit status.  A failing test prints
# $CW_LOG, so the report shows exactly what the caller sent.

bats_require_minimum_version 1.5.0

REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MINI_RUNC=${MINI_RUNC:-$REPO_ROOT/mini-runc}

# cw_install PKG... : install missing Debian packages; skip the whole file
# (setup_file) when they cannot be had.
cw_install() {
	local missing=() p
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null 2>&1; then
		apt-get update >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null 2>&1 ||
			skip "cannot install ${missing[*]}"
	fi
}

# cw_make_wrapper DIR: write DIR/mini-runc-wrap, set CW_WRAP and CW_LOG.
cw_make_wrapper() {
	local dir=$1
	CW_WRAP=$dir/mini-runc-wrap
	CW_LOG=$dir/runtime-calls.log
	: >"$CW_LOG"
	cat >"$CW_WRAP" <<EOF
#!/bin/bash
log='$CW_LOG'
echo "[\$(date +%T.%N)] pid \$\$ argv: \$*" >>"\$log"
verb=
for a in "\$@"; do
	case "\$a" in
	create|run|exec|start|state|kill|delete|pause|resume|ps|update|features|list|events|checkpoint|restore)
		verb=\$a; break ;;
	esac
done
case "\$verb" in
create|run|exec) exec '$MINI_RUNC' "\$@" ;;
esac
err=\$(mktemp)
'$MINI_RUNC' "\$@" 2>"\$err"
rc=\$?
if [ -s "\$err" ]; then sed "s/^/[pid \$\$ stderr] /" "\$err" >>"\$log"; cat "\$err" >&2; fi
echo "[pid \$\$] exit \$rc" >>"\$log"
rm -f "\$err"
exit \$rc
EOF
	chmod 755 "$CW_WRAP"
	export CW_WRAP CW_LOG
}

# cw_rootfs DIR: a busybox rootfs in DIR (static busybox, applets as links).
cw_rootfs() {
	local r=$1 a
	mkdir -p "$r"/{bin,proc,sys,dev,tmp,etc,root,run,var}
	chmod 1777 "$r/tmp"
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] && continue
		ln -sf busybox "$r/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
	echo 'root:x:0:' >"$r/etc/group"
	echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$r/etc/passwd"
	echo 'hosts: files' >"$r/etc/nsswitch.conf"
}

# cw_show_log: print the calls the caller made (for failing tests).
cw_show_log() {
	[ -n "${CW_LOG:-}" ] && [ -s "$CW_LOG" ] || return 0
	echo "---- runtime calls ($CW_LOG) ----" >&2
	tail -n 60 "$CW_LOG" >&2
}

# cw_wait CMD...: retry CMD for up to 10 s.
cw_wait() {
	local _cw_end=$((SECONDS + 60))
	while [ "$SECONDS" -lt "$_cw_end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# cw_umount_under DIR: lazily unmount everything mounted below DIR (deepest
# first), e.g. the shm and netns mounts a killed daemon left behind.
cw_umount_under() {
	local d=$1 m
	awk -v d="$d" '$5 ~ "^"d {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
}

# The cgroup2 mount and whether it has a controller.
cw_cgroup2_mount() {
	awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo
}
cw_cgroup2_has() {
	local m
	m=$(cw_cgroup2_mount)
	[ -n "$m" ] && grep -qw "$1" "$m/cgroup.controllers"
}

# cw_requires_mini_runc: skip a test whose expectation is mini-runc's own
# (cgroup v2 only): runc, given as MINI_RUNC for reference, uses the v1
# controllers of a hybrid host instead.
cw_requires_mini_runc() {
	case "$("$MINI_RUNC" --version 2>/dev/null | head -n1)" in
	runc\ version* | crun\ version*) skip "expectation specific to mini-runc (cgroup v2 only)" ;;
	esac
}
