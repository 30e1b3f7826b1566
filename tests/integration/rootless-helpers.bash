# Helpers for rootless.bats: a test user made by setup_file, the runtime
# run as that user (no --root: the runtime's own rootless default, under
# the user's XDG_RUNTIME_DIR), and the checks that nothing of the user's
# is left.
#
#   rl_setup_file / rl_teardown_file   the user, its dirs and ids, a copy
#                         of the runtime and recvtty it may execute
#   as_user CMD...        CMD as the user (setpriv), with a clean login-like
#                         environment: HOME, USER, XDG_RUNTIME_DIR, PATH
#   rl ARGS...            the runtime as the user
#   rl_bundle             a fresh busybox bundle the user owns, config.json
#                         from `RUNTIME spec --rootless` (run as the user)
#   rl_cfg_edit FILTER    edit that config.json (keeping its owner)
#   rl_assert_clean       no state entry, no process of the user
#   rl_delegate / rl_undelegate  a cgroup2 dir delegated to the user
#
# Everything is named after RL_USER; the runtime's state root when no
# --root is given is $XDG_RUNTIME_DIR/<runtime> (runc: .../runc,
# mini-runc: .../mini-runc), in $RL_STATE.

RL_USER=${RL_USER:-mrcrl}
# The user's subordinate ids (/etc/subuid, /etc/subgid).
RL_SUB=200000
RL_SUBN=65536
# Host ids the user does not own (the bad-mapping tests).
RL_NOT_OWNED=300000

RL_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The runtime's flavour, from its --version (the state dir's name).
rl_flavour() {
	case "$("$MINI_RUNC" --version 2>/dev/null | head -n1)" in
	runc\ version*) echo runc ;;
	crun\ version*) echo crun ;;
	*) echo mini-runc ;;
	esac
}

# Kill every process of the user and wait (5 s at most) until none is left.
_rl_kill_user() {
	pkill -9 -u "$RL_USER" 2>/dev/null || true
	local n=50
	while pgrep -u "$RL_USER" >/dev/null && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
}

# Remove what an earlier, killed run of this file may have left: the
# user's processes, the user and its home, its id lines.
_rl_remove_user() {
	if id -u "$RL_USER" >/dev/null 2>&1; then
		_rl_kill_user
		local uid
		uid=$(id -u "$RL_USER")
		rm -rf "/run/user/$uid"
		userdel -r -f "$RL_USER" >/dev/null 2>&1 || true
	fi
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid 2>/dev/null || true
}

rl_setup_file() {
	[ "$(id -u)" = 0 ] || { cw_file_skip "needs root (makes a test user)"; return 0; }
	cw_install uidmap busybox-static jq gcc
	command -v newuidmap >/dev/null && command -v setpriv >/dev/null ||
		{ cw_file_skip "no newuidmap or setpriv"; return 0; }
	[ -x "$MINI_RUNC" ] || { cw_file_skip "no $MINI_RUNC"; return 0; }
	_rl_remove_user
	# No automatic subordinate ids: the test writes its own.
	useradd -m -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -s /bin/sh "$RL_USER" ||
		{ cw_file_skip "useradd $RL_USER failed"; return 0; }
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	RL_HOME=$(getent passwd "$RL_USER" | cut -d: -f6)
	touch /etc/subuid /etc/subgid
	echo "$RL_USER:$RL_SUB:$RL_SUBN" >>/etc/subuid
	echo "$RL_USER:$RL_SUB:$RL_SUBN" >>/etc/subgid
	[ -d /run/user ] || { mkdir -m 755 /run/user && export RL_MADE_RUN_USER=1; }
	RL_XDG=/run/user/$RL_UID
	rm -rf "$RL_XDG"
	mkdir -m 700 "$RL_XDG"
	chown "$RL_UID:$RL_GID" "$RL_XDG"
	RL_FLAVOUR=$(rl_flavour)
	RL_STATE=$RL_XDG/$RL_FLAVOUR
	# Everything else lives here: world-searchable, so the user reaches
	# the runtime, recvtty and its bundles.
	RL_DIR=$(mktemp -d /tmp/mrc-rootless.XXXXXX)
	chmod 755 "$RL_DIR"
	mkdir -p "$RL_DIR/bin"
	# The runtime keeps its own name (callers may key on it).
	RL_BIN=$RL_DIR/bin/$(basename "$MINI_RUNC")
	cp "$MINI_RUNC" "$RL_BIN"
	chmod 755 "$RL_BIN"
	gcc -O2 -Wall -o "$RL_DIR/bin/recvtty" "$REPO_ROOT/tests/helpers/recvtty.c" ||
		{ cw_file_skip "cannot build recvtty"; return 0; }
	chmod 755 "$RL_DIR/bin" "$RL_DIR/bin/recvtty"
	# The user's own busybox rootfs, the template of every bundle.
	cw_rootfs "$RL_DIR/rootfs"
	chown -R "$RL_UID:$RL_GID" "$RL_DIR/rootfs"
	mkdir -m 755 "$RL_DIR/bundles"
	chown "$RL_UID:$RL_GID" "$RL_DIR/bundles"
	rl_sanitizer_env
	export RL_UID RL_GID RL_HOME RL_XDG RL_FLAVOUR RL_STATE RL_DIR RL_BIN
}

# The sanitizer stage (tests/run-all.sh) sets ASAN_OPTIONS and
# UBSAN_OPTIONS with a log_path the user may not write: the runtime run as
# the user gets them with log_path in $RL_DIR/san (RL_SAN_ENV, words for
# env), and rl_teardown_file moves its reports to where the stage looks.
rl_sanitizer_env() {
	RL_SAN_ENV=
	[ -n "${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" ] || return 0
	mkdir -m 1777 "$RL_DIR/san"
	local var val
	for var in ASAN_OPTIONS UBSAN_OPTIONS; do
		val=${!var:-}
		[ -n "$val" ] || continue
		val=$(sed "s|log_path=[^:]*/|log_path=$RL_DIR/san/|" <<<"$val")
		RL_SAN_ENV+=" $var=$val"
	done
	[ -z "${ASAN_SYMBOLIZER_PATH:-}" ] ||
		RL_SAN_ENV+=" ASAN_SYMBOLIZER_PATH=$ASAN_SYMBOLIZER_PATH"
	export RL_SAN_ENV
}

rl_sanitizer_reports() {
	[ -d "${RL_DIR:-}/san" ] || return 0
	local dest
	dest=$(sed -n 's|.*log_path=\([^:]*\)/[^/:]*.*|\1|p' <<<"${ASAN_OPTIONS:-}${UBSAN_OPTIONS:-}" | head -n1)
	[ -n "$dest" ] && [ -d "$dest" ] || return 0
	find "$RL_DIR/san" -type f -exec mv -t "$dest" {} + 2>/dev/null || true
}

rl_teardown_file() {
	[ -n "${RL_UID:-}" ] || return 0
	# The user's containers (a test that failed half-way), then whatever
	# still runs as the user.
	local id
	for id in $(ls -A "$RL_STATE" 2>/dev/null); do
		rl delete --force "$id" >/dev/null 2>&1 || true
	done
	_rl_kill_user
	rl_remove_cgroups
	rl_sanitizer_reports
	# podman's storage (rootless.bats' podman tests) and its pause process
	if [ -d "$RL_HOME/.local/share/containers" ] && command -v podman >/dev/null; then
		as_user podman --storage-driver vfs system reset -f >/dev/null 2>&1 || true
	fi
	pkill -9 -u "$RL_USER" 2>/dev/null || true
	# Files owned by subordinate ids (podman's storage, mapped containers):
	# removed as root.
	[ -z "${RL_DIR:-}" ] || rm -rf "$RL_DIR"
	rm -rf "$RL_XDG"
	# the socket dir of the user's tmux server (podman -it)
	rm -rf "/tmp/tmux-$RL_UID"
	[ -z "${RL_MADE_RUN_USER:-}" ] || rmdir /run/user 2>/dev/null || true
	userdel -r -f "$RL_USER" >/dev/null 2>&1 || true
	rm -rf "$RL_HOME"
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
}

# ------------------------------------------------ a delegated cgroup2 dir
#
# rl_delegate [CONTROLLER...]: as root, make $RL_CG2/mrc-rootless-USER
# (the delegated dir, $RL_DELEG_HOST on the host) with a `shell` child,
# enable each CONTROLLER the cgroup2 root offers in the root's and the
# dir's cgroup.subtree_control, and chown both dirs and their
# cgroup.procs, cgroup.subtree_control and cgroup.threads to the user (what
# systemd's Delegate=yes hands a user).  From then on as_user moves each
# command's shell into .../shell before it becomes the user (a user may
# not move itself out of the root group).
#
# On this hybrid host cgroup2 is at /sys/fs/cgroup/unified, where runc
# never looks: each command then runs in a private mount namespace with
# the cgroup2 hierarchy mounted on /sys/fs/cgroup (TESTING.md), where the
# host looks like a pure cgroup v2 system (without controllers but
# hugetlb); $RL_DELEG is the dir's path as the runtime sees it.
rl_cg2_mount() {
	awk '{for (i = 7; $i != "-"; i++) ; if ($(i + 1) == "cgroup2") {print $5; exit}}' /proc/self/mountinfo
}

rl_delegate() {
	RL_CG2=$(rl_cg2_mount)
	[ -n "$RL_CG2" ] || skip "no cgroup2 hierarchy mounted"
	RL_DELEG_HOST=$RL_CG2/mrc-rootless-$RL_USER
	RL_CG_ENABLED=()
	rl_remove_cgroups
	mkdir "$RL_DELEG_HOST"
	local c
	for c in "$@"; do
		grep -qw "$c" "$RL_CG2/cgroup.controllers" || continue
		if ! grep -qw "$c" "$RL_CG2/cgroup.subtree_control"; then
			echo "+$c" >"$RL_CG2/cgroup.subtree_control"
			RL_CG_ENABLED+=("$c")
		fi
		echo "+$c" >"$RL_DELEG_HOST/cgroup.subtree_control"
	done
	mkdir "$RL_DELEG_HOST/shell"
	local d f
	for d in "$RL_DELEG_HOST" "$RL_DELEG_HOST/shell"; do
		chown "$RL_UID:$RL_GID" "$d"
		for f in cgroup.procs cgroup.subtree_control cgroup.threads; do
			chown "$RL_UID:$RL_GID" "$d/$f"
		done
	done
	if [ "$RL_CG2" = /sys/fs/cgroup ]; then
		RL_V2VIEW=
		RL_DELEG=$RL_DELEG_HOST
	else
		RL_V2VIEW=1
		RL_DELEG=/sys/fs/cgroup/mrc-rootless-$RL_USER
	fi
	RL_CG_SHELL=$RL_DELEG/shell
}

# rl_undelegate: remove the delegated dirs, disable what rl_delegate
# enabled in the root's subtree_control.
rl_undelegate() {
	[ -n "${RL_DELEG_HOST:-}" ] || return 0
	RL_CG_SHELL=
	rl_remove_cgroups
	local c
	for c in "${RL_CG_ENABLED[@]}"; do
		echo "-$c" >"$RL_CG2/cgroup.subtree_control" 2>/dev/null || true
	done
	RL_DELEG_HOST=
}

# Remove the delegated dir (deepest first; a process still in one is
# moved to the root group first).
rl_remove_cgroups() {
	local mnt d c p
	mnt=$(rl_cg2_mount)
	[ -n "$mnt" ] || return 0
	d=$mnt/mrc-rootless-$RL_USER
	[ -d "$d" ] || return 0
	find "$d" -depth -type d | while read -r c; do
		if [ -s "$c/cgroup.procs" ]; then
			while read -r p; do
				echo "$p" >"$mnt/cgroup.procs" 2>/dev/null || true
			done <"$c/cgroup.procs"
		fi
		rmdir "$c" 2>/dev/null || echo "cannot remove cgroup $c" >&2
	done
}

# as_user CMD...: CMD as the test user, from its home, in a clean
# environment (RL_ENV adds VAR=VALUE words, RL_NO_XDG=1 leaves out
# XDG_RUNTIME_DIR), under a time limit.  fd 3 is bats' own.  After
# rl_delegate, in the delegated dir's `shell` cgroup (and on a hybrid
# host in the cgroup2-only view of /sys/fs/cgroup).
as_user() {
	local xdg=("XDG_RUNTIME_DIR=$RL_XDG") pre=()
	[ -z "${RL_NO_XDG:-}" ] || xdg=()
	if [ -n "${RL_CG_SHELL:-}" ]; then
		if [ -n "${RL_V2VIEW:-}" ]; then
			pre=(unshare -m --propagation private sh -c
				'mount -t cgroup2 none /sys/fs/cgroup && echo $$ >"$0/cgroup.procs" && exec "$@"'
				"$RL_CG_SHELL")
		else
			pre=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$RL_CG_SHELL")
		fi
	fi
	# shellcheck disable=SC2086 # RL_ENV is a list of words on purpose
	(cd "$RL_HOME" && exec "${pre[@]}" timeout -k 5 "${RL_TIMEOUT:-120}" \
		setpriv --reuid "$RL_UID" --regid "$RL_GID" --init-groups \
		env -i HOME="$RL_HOME" USER="$RL_USER" LOGNAME="$RL_USER" \
		PATH="$RL_PATH" "${xdg[@]}" ${RL_ENV:-} ${RL_SAN_ENV:-} "$@") 3>&-
}

# rl ARGS...: the runtime as the user, with no --root.
rl() {
	as_user "$RL_BIN" "$@"
}

# rl_bundle: $BUNDLE, a new bundle the user owns (a copy of the busybox
# rootfs and `spec --rootless`'s config, made by the user), with
# terminal off, a writable root and args `true`.
rl_bundle() {
	BUNDLE=$RL_DIR/bundles/b$BATS_TEST_NUMBER-$RANDOM
	as_user mkdir "$BUNDLE"
	as_user cp -a "$RL_DIR/rootfs" "$BUNDLE/rootfs"
	(cd "$BUNDLE" && as_user "$RL_BIN" spec --rootless --bundle "$BUNDLE") || return 1
	[ -s "$BUNDLE/config.json" ] || { echo "spec --rootless wrote no config.json" >&2; return 1; }
	rl_cfg_edit '.process.terminal = false | .root.readonly = false | .process.args = ["true"]'
}

# rl_run_refused: `run` of $BUNDLE as the user, its program `echo
# should-not-run`, fails before that program runs; the error in $output.
rl_run_refused() {
	rl_args sh -c 'echo should-not-run'
	rund rl run --bundle "$BUNDLE" "$ID"
	echo "status $status: $output" >&2
	[ "$status" -ne 0 ]
	[[ "$output" != *should-not-run* ]]
}

# rl_cfg_edit 'jq filter' [jq args...]: edit the bundle's config.json in
# place, keeping the user's ownership of it.
rl_cfg_edit() {
	local f=$BUNDLE/config.json new
	new=$(jq "$@" "$f") || return 1
	printf '%s\n' "$new" >"$f"
}

# rl_args ARG...: the container's process.args.
rl_args() {
	local arr
	arr=$(printf '%s\n' "$@" | jq -R . | jq -sc .)
	rl_cfg_edit --argjson a "$arr" '.process.args = $a'
}

# rl_id VAR: a fresh container id in VAR (teardown deletes it).
rl_id() {
	local -n _rl_id_var=$1
	_rl_id_var="mrcrl${BATS_TEST_NUMBER}-$RANDOM"
	RL_IDS+=("$_rl_id_var")
}

# rl_state_field ID FIELD, rl_wait_status ID STATUS [TENTHS]: helpers.bash's
# state_field and wait_status, through the user's runtime.
rl_state_field() {
	STATE_VIA=rl state_field "$@"
}

rl_wait_status() {
	STATE_VIA=rl wait_status "$@"
}

# The user's processes, but podman's rootless pause process (it holds
# podman's user namespace between commands, on purpose) when RL_PODMAN is set.
rl_user_pids() {
	local p c
	for p in $(pgrep -u "$RL_USER"); do
		c=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
		[ -n "$c" ] || continue # a zombie, or gone
		if [ -n "${RL_PODMAN:-}" ]; then
			case "$c" in
			catatonit\ -P* | *"podman pause"*) continue ;;
			esac
		fi
		echo "$p: $c"
	done
}

# The state root's entries (what `list` would show).
rl_state_entries() {
	ls -A "$RL_STATE" 2>/dev/null | grep -vxE '\.seccomp-cache|\.device-programs' || true
}

# rl_assert_clean: nothing of the user's containers is left: no entry in
# the state root, no process of the user.  Prints what it found.
rl_assert_clean() {
	local bad=0 left n=50
	left=$(rl_state_entries)
	[ -z "$left" ] || { echo "state root $RL_STATE not empty: $left" >&2; bad=1; }
	left=$(rl_user_pids)
	while [ -n "$left" ] && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
		left=$(rl_user_pids)
	done
	[ -z "$left" ] || { echo "processes of $RL_USER left: $left" >&2; bad=1; }
	return $bad
}

# The CapEff/CapPrm/CapBnd mask of capability NAMEs.
cap_mask() {
	local m=0 c
	for c in "$@"; do
		case $c in
		CAP_CHOWN) m=$((m | 1 << 0)) ;;
		CAP_DAC_OVERRIDE) m=$((m | 1 << 1)) ;;
		CAP_FOWNER) m=$((m | 1 << 3)) ;;
		CAP_KILL) m=$((m | 1 << 5)) ;;
		CAP_SETGID) m=$((m | 1 << 6)) ;;
		CAP_SETUID) m=$((m | 1 << 7)) ;;
		CAP_NET_BIND_SERVICE) m=$((m | 1 << 10)) ;;
		CAP_SYS_CHROOT) m=$((m | 1 << 18)) ;;
		CAP_SYS_ADMIN) m=$((m | 1 << 21)) ;;
		CAP_AUDIT_WRITE) m=$((m | 1 << 29)) ;;
		*) echo "cap_mask: unknown $c" >&2; return 1 ;;
		esac
	done
	printf '%016x\n' "$m"
}

# recvtty_user SOCK [OPTS...]: recvtty, as the user, listening on SOCK
# (term-helpers.bash's recvtty_wait collects it).
recvtty_user() {
	local sock=$1
	shift
	as_user "$RL_DIR/bin/recvtty" --timeout 30 "$@" "$sock" \
		</dev/null >"$BATS_TEST_TMPDIR/recvtty.out" 2>"$BATS_TEST_TMPDIR/recvtty.err" &
	RECVTTY_PID=$!
	local n=50
	while [ ! -S "$sock" ] && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ -S "$sock" ] || { echo "recvtty did not listen on $sock" >&2; cat "$BATS_TEST_TMPDIR/recvtty.err" >&2; return 1; }
}

