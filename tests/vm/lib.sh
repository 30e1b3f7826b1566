# Helpers for the case scripts of tests/vm, sourced inside the VM (busybox
# sh, no jq): `. /tests/lib.sh`.
#
# A case prints `ok - DESC` or `not ok - DESC` lines (the init numbers them)
# and `# ...` diagnostics; anything else it prints becomes a comment.
#
# Every container gets its own bundle under /tmp/bundles/NAME with a fresh
# copy of the busybox rootfs, the id NAME, and linux.cgroupsPath
# /mrc-test/NAME ($CGPATH).
#
# The same cases run in both boots of run.sh, LAYOUT v2 (cgroup2 alone) and
# v1 (only v1 hierarchies).  A container's cgroup is then one directory
# ($CG/mrc-test/NAME on v2) or one per hierarchy (/sys/fs/cgroup/memory/
# mrc-test/NAME ... on v1): find its files with cg_path (by $CGPATH, also
# once the container stopped) or cg_file (by a live process's
# /proc/PID/cgroup), both from /proc/self/mountinfo, and pick the file a
# layout has with `if [ "$LAYOUT" = v1 ]`.

MRC_ROOT=/run/mrc
CG=/sys/fs/cgroup
# What /init mounted (the kernel command line's mrc_layout=); 00-harness.sh
# checks it against mountinfo.
LAYOUT=$(cat /run/mrc-layout 2>/dev/null || echo v2)

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

# ---------------------------------------------------------------- cgroups

# cg_mounts: one line per mounted cgroup hierarchy of /proc/self/mountinfo:
#   TYPE ROOT MOUNTPOINT SUPER-OPTIONS
# TYPE is cgroup2 or cgroup (v1, whose super options name its controllers
# or name=NAME).
cg_mounts() {
	awk '{
		for (i = 7; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2")
			print $(i + 1), $4, $5, $(i + 3)
	}' /proc/self/mountinfo
}

# cg_layout_seen: v2, v1 (legacy), hybrid or none, from mountinfo.
cg_layout_seen() {
	cg_mounts | awk '$1 == "cgroup2" {u = 1} $1 == "cgroup" {l = 1}
		END {print (u && l) ? "hybrid" : u ? "v2" : l ? "v1" : "none"}'
}

# cg_mount CTRL: "ROOT MOUNTPOINT" of the hierarchy holding controller CTRL
# (memory, cpu, name=systemd ...): the v1 hierarchy whose options list it,
# else the cgroup2 mount (so CTRL "cgroup" names cgroup2).
cg_mount() {
	cg_mounts | awk -v c="$1" '
		$1 == "cgroup" && !v1 {
			n = split($4, o, ",")
			for (i = 1; i <= n; i++) if (o[i] == c) v1 = $2 " " $3
		}
		$1 == "cgroup2" && !v2 {v2 = $2 " " $3}
		END {
			if (v1) print v1
			else if (v2) print v2
			else exit 1
		}'
}

# cg_dir CTRL PATH: the directory of cgroup PATH in CTRL's hierarchy.
cg_dir() {
	local m root mnt
	m=$(cg_mount "$1") || return 1
	root=${m%% *} mnt=${m#* }
	case $root in
	/) echo "$mnt$2" ;;
	*) echo "$mnt${2#$root}" ;;
	esac
}

# cg_ctrl FILE: the controller a cgroup file belongs to, its name's prefix
# (memory.max, memory.limit_in_bytes: memory; cgroup.freeze: cgroup, that
# is cgroup2).  The core files of v1 (cgroup.procs, tasks) are in every
# hierarchy: pass their controller to cg_path.
cg_ctrl() {
	echo "${1%%.*}"
}

# cg_path FILE [CTRL]: FILE in the container's cgroup ($CGPATH) of CTRL's
# hierarchy (default: FILE's own controller).
cg_path() {
	local d
	d=$(cg_dir "${2:-$(cg_ctrl "$1")}" "$CGPATH") || { echo "/nonexistent/$1"; return 1; }
	echo "$d/$1"
}

# cg_read FILE [CTRL]: the contents of cg_path FILE [CTRL].
cg_read() {
	cat "$(cg_path "$@")" 2>/dev/null
}

# cg_pid_cgroup PID CTRL: PID's cgroup path in CTRL's hierarchy, from
# /proc/PID/cgroup (a v1 line listing CTRL, else the 0:: line of cgroup2).
cg_pid_cgroup() {
	awk -v c="$2" '{
		p = index($0, ":"); rest = substr($0, p + 1)
		q = index(rest, ":"); list = substr(rest, 1, q - 1); path = substr(rest, q + 1)
		if (list == "") { v2 = path; have2 = 1; next }
		n = split(list, o, ",")
		for (i = 1; i <= n; i++) if (o[i] == c) { print path; found = 1; exit }
	}
	END { if (!found) { if (have2) print v2; else exit 1 } }' "/proc/$1/cgroup" 2>/dev/null
}

# cg_file PID CTRL FILE: FILE of PID's own cgroup in CTRL's hierarchy.
cg_file() {
	local p d
	p=$(cg_pid_cgroup "$1" "$2") || { echo "/nonexistent/$3"; return 1; }
	d=$(cg_dir "$2" "$p") || { echo "/nonexistent/$3"; return 1; }
	echo "$d/$3"
}

# cg_dirs PATH: the directory of cgroup PATH in every mounted hierarchy,
# one per line (one on v2).
cg_dirs() {
	cg_mounts | while read -r type root mnt opts; do
		case $root in
		/) echo "$mnt$1" ;;
		*) echo "$mnt${1#$root}" ;;
		esac
	done
}

# cg_exists_all PATH: cgroup PATH exists in every hierarchy.
cg_exists_all() {
	local d
	for d in $(cg_dirs "$1"); do
		[ -d "$d" ] || { diag "missing: $d"; return 1; }
	done
}

# cg_gone PATH: cgroup PATH exists in no hierarchy.
cg_gone() {
	local d
	for d in $(cg_dirs "$1"); do
		[ ! -e "$d" ] || { diag "still there: $d"; return 1; }
	done
}

# cg_mkdir_all PATH: make cgroup PATH in every hierarchy, a v1 cpuset one
# with its parent's cpus and mems (as an administrator's group has them:
# it could take no process otherwise).
cg_mkdir_all() {
	local d p
	for d in $(cg_dirs "$1"); do
		mkdir -p "$d" || return 1
		# (cgroup2's empty cpuset.cpus means its parent's.)
		if [ "$LAYOUT" = v1 ] && [ -e "$d/cpuset.cpus" ] && [ -z "$(cat "$d/cpuset.cpus")" ]; then
			p=${d%/*}
			cat "$p/cpuset.cpus" >"$d/cpuset.cpus" &&
				cat "$p/cpuset.mems" >"$d/cpuset.mems" || return 1
		fi
	done
}

# cg_rmdir_all PATH: remove cgroup PATH from every hierarchy.
cg_rmdir_all() {
	local d
	for d in $(cg_dirs "$1"); do
		[ ! -d "$d" ] || rmdir "$d"
	done
}

# cg_procs: the pids of the container's cgroup, from the pids hierarchy on
# v1 (every hierarchy holds the same ones), on one line.
cg_procs() {
	cg_read cgroup.procs pids | tr '\n' ' '
}

# cg_value FILE KEY [CTRL]: the value of KEY in a flat-keyed cgroup file of
# the container's cgroup (see cg_path).
cg_value() {
	awk -v k="$2" '$1 == k {print $2}' "$(cg_path "$1" ${3:+"$3"})" 2>/dev/null
}
