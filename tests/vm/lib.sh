# Helpers for the case scripts of tests/vm, sourced inside the VM (busybox
# sh, no jq): `. /tests/lib.sh`.
#
# A case prints `ok - DESC` or `not ok - DESC` lines (the init numbers them)
# and `# ...` diagnostics; anything else it prints becomes a comment.
#
# Every container gets its own bundle under /tmp/bundles/NAME with a fresh
# copy of the busybox rootfs, the id NAME, and linux.cgroupsPath
# /mrc-test/NAME, so its cgroup is $CG/mrc-test/NAME ($CGDIR).

MRC_ROOT=/run/mrc
CG=/sys/fs/cgroup

mrc() {
	mini-runc --root "$MRC_ROOT" "$@"
}

ok() {
	echo "ok - $*"
}

not_ok() {
	echo "not ok - $*"
}

diag() {
	echo "# $*"
}

# diag_file FILE: show the end of a file as comments (what a container
# printed).
diag_file() {
	[ -e "$1" ] || { diag "($1 does not exist)"; return; }
	tail -n 12 "$1" | sed "s|^|#   ${1##*/}: |"
}

# check DESC CMD...: ok when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
		return 1
	fi
}

# expect_eq DESC WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "wanted '$2', got '$3'"
		return 1
	fi
}

# json_str S: S as a JSON string (no newlines in S).
json_str() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# json_args ARG...: the arguments as a JSON array.
json_args() {
	local sep= a out='['
	for a in "$@"; do
		out="$out$sep$(json_str "$a")"
		sep=,
	done
	printf '%s]' "$out"
}

# new_bundle NAME: a bundle for container NAME in $B; resets the config
# variables that write_config reads:
#   ARGS       process.args as JSON            (default ["true"])
#   RESOURCES  members of linux.resources      (default none)
#   LINUX      more members of linux, with a leading comma
#   MOUNTS     more mounts, with a leading comma
#   NAMESPACES the namespace types             (default pid ipc uts mount cgroup)
new_bundle() {
	ID=$1
	B=/tmp/bundles/$1
	CGPATH=/mrc-test/$1
	CGDIR=$CG$CGPATH
	ARGS='["true"]'
	RESOURCES=
	LINUX=
	MOUNTS=
	NAMESPACES="pid ipc uts mount cgroup"
	rm -rf "$B"
	mkdir -p "$B"
	cp -a /rootfs "$B/rootfs"
}

# sh_args SCRIPT: ARGS = sh -c SCRIPT.
sh_args() {
	ARGS=$(json_args sh -c "$1")
}

write_config() {
	local ns sep= nss=
	for ns in $NAMESPACES; do
		nss="$nss$sep{\"type\":\"$ns\"}"
		sep=,
	done
	cat >"$B/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": $ARGS,
    "env": ["PATH=/bin", "HOME=/root"],
    "cwd": "/"
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "$ID",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev", "ro"]}$MOUNTS
  ],
  "linux": {
    "namespaces": [$nss],
    "cgroupsPath": "$CGPATH",
    "resources": {$RESOURCES}$LINUX
  }
}
EOF
}

# ---------------------------------------------------------------- running

# run_ctr [RUN-FLAGS...]: write the config and `run` the container in the
# foreground, its output in $B/out; the exit status is mini-runc's.
run_ctr() {
	write_config
	mrc run "$@" --bundle "$B" "$ID" >"$B/out" 2>&1 </dev/null
}

# start_ctr: write the config, create and start the container (its output
# goes to $B/out); fails when either step fails.
start_ctr() {
	write_config
	mrc create --bundle "$B" --pid-file "$B/pid" "$ID" >"$B/out" 2>&1 </dev/null &&
		mrc start "$ID" >>"$B/out" 2>&1 </dev/null
}

# ctr_pid: the init's host pid, from the pid file.
ctr_pid() {
	cat "$B/pid" 2>/dev/null
}

remove_ctr() {
	mrc delete --force "$ID" >/dev/null 2>&1
}

# wait_for TENTHS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# in_out TEXT: the container printed a line containing TEXT.
in_out() {
	grep -q -- "$1" "$B/out" 2>/dev/null
}

# status_is STATUS: `state` of $ID reports STATUS.
status_is() {
	mrc state "$ID" 2>/dev/null | grep -q "\"status\": *\"$1\""
}

# cg_value FILE KEY: the value of KEY in a flat-keyed cgroup file of $CGDIR.
cg_value() {
	awk -v k="$2" '$1 == k {print $2}' "$CGDIR/$1" 2>/dev/null
}
