# Shared by podman.bats, containerd.bats, cri.bats and docker.bats: the
# real callers of mini-runc, installed from Debian, each run privately
# (their own root, run dir and socket, so nothing of the host's or another
# test run's is touched).
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

# cw_make_wrapper DIR: a snapshot of $MINI_RUNC in DIR/mini-runc (a
# rebuild during the run must not break it), which MINI_RUNC then names;
# write DIR/mini-runc-wrap, set CW_WRAP and CW_LOG.
cw_make_wrapper() {
	local dir=$1
	cp "$MINI_RUNC" "$dir/mini-runc"
	MINI_RUNC=$dir/mini-runc
	export MINI_RUNC
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

# mk_oci_image ROOTFS OUT.tar NAME [CONFIG]: an OCI image layout tarball
# holding ROOTFS as a single uncompressed layer (what `ctr image import`
# accepts).  CONFIG, a JSON object, is merged into the image config (its
# default: busybox's PATH and Cmd ["sh"]), e.g. an Entrypoint.
mk_oci_image() {
	local rootfs=$1 out=$2 name=$3 extra=${4:-'{}'} w ld ls cd cs md ms
	w=$(mktemp -d "$CW_DIR/img.XXXXXX")
	mkdir -p "$w/blobs/sha256"
	tar --numeric-owner -C "$rootfs" -cf "$w/layer.tar" .
	ld=$(sha256sum "$w/layer.tar" | cut -d' ' -f1)
	ls=$(stat -c %s "$w/layer.tar")
	mv "$w/layer.tar" "$w/blobs/sha256/$ld"
	jq -cn --arg d "sha256:$ld" --argjson extra "$extra" '{architecture: "amd64", os: "linux",
		config: ({Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]} + $extra),
		rootfs: {type: "layers", diff_ids: [$d]}}' >"$w/c.json"
	cd=$(sha256sum "$w/c.json" | cut -d' ' -f1)
	cs=$(stat -c %s "$w/c.json")
	mv "$w/c.json" "$w/blobs/sha256/$cd"
	jq -cn --arg cd "sha256:$cd" --argjson cs "$cs" --arg ld "sha256:$ld" --argjson ls "$ls" '{
		schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]}' >"$w/m.json"
	md=$(sha256sum "$w/m.json" | cut -d' ' -f1)
	ms=$(stat -c %s "$w/m.json")
	mv "$w/m.json" "$w/blobs/sha256/$md"
	jq -cn --arg md "sha256:$md" --argjson ms "$ms" --arg n "$name" '{schemaVersion: 2,
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
		annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": "latest"}}]}' \
		>"$w/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
	tar -C "$w" -cf "$out" oci-layout index.json blobs
	rm -rf "$w"
}

# cw_containerd_config FILE [CRI-SETTING...]: a containerd config.toml
# with everything under $CW_DIR (root, state, sockets, CNI config) and the
# CRI plugin's two runtime handlers through the runc shim: the stock
# `runc` and `mini-runc`, whose BinaryName is $CW_WRAP.  Each CRI-SETTING
# ("key = value") goes into the CRI plugin's table.  README.md's
# containerd and CRI snippets are this file's shape.
cw_containerd_config() {
	local f=$1 s
	shift
	{
		cat <<EOF
version = 2
root = "$CW_DIR/root"
state = "$CW_DIR/state"

[grpc]
  address = "$CW_DIR/containerd.sock"

[ttrpc]
  address = "$CW_DIR/containerd.sock.ttrpc"

[plugins."io.containerd.grpc.v1.cri"]
EOF
		for s in "$@"; do echo "  $s"; done
		cat <<EOF
  [plugins."io.containerd.grpc.v1.cri".cni]
    conf_dir = "$CW_DIR/cni-conf"
    bin_dir = "/usr/lib/cni"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mini-runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.mini-runc.options]
        BinaryName = "$CW_WRAP"
        SystemdCgroup = false
EOF
	} >"$f"
}

# cw_kill_cmdline STRING: SIGKILL, by pid, every process whose command
# line holds STRING (a daemon's private socket or directory): the shims a
# killed daemon leaves behind.
cw_kill_cmdline() {
	local f p
	for f in $(grep -lsF -- "$1" /proc/[0-9]*/cmdline); do
		p=${f#/proc/}
		p=${p%/cmdline}
		[ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] || kill -9 "$p" 2>/dev/null || true
	done
}

# cw_tmux_shell CMD N: CMD (a client's interactive shell in a container)
# in a detached 90x20 tmux pane; once the shell prompts, `tty; stty size`
# and then `exit N` are typed into it.  The pane's text is left in
# $CW_PANE, CMD's exit status in $CW_PANE_STATUS.
cw_tmux_shell() {
	local cmd=$1 code=$2 sock=mrc-tmux-$$-$RANDOM out=$BATS_TEST_TMPDIR/tmux.status
	rm -f "$out"
	tmux -L "$sock" new-session -d -x 90 -y 20 "$cmd; echo \$? >$out; sleep 60"
	cw_wait eval "tmux -L $sock capture-pane -p | grep -q '/ [#$]'" || {
		tmux -L "$sock" capture-pane -p >&2
		tmux -L "$sock" kill-server
		return 1
	}
	tmux -L "$sock" send-keys 'tty; stty size; echo mark$((6*7))' Enter
	cw_wait eval "tmux -L $sock capture-pane -p | grep -q mark42"
	tmux -L "$sock" send-keys "exit $code" Enter
	cw_wait test -s "$out"
	CW_PANE=$(tmux -L "$sock" capture-pane -p)
	CW_PANE_STATUS=$(cat "$out")
	tmux -L "$sock" kill-server || true
	echo "$CW_PANE"
	echo "exit status: $CW_PANE_STATUS"
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

# cw_cgroup_dir PID CONTROLLER: the host directory of PID's cgroup for
# CONTROLLER, found as docker stats, the runc shim and podman stats find
# it: from /proc/PID/cgroup.  A v1 line "N:CTL[,CTL...]:/path" naming
# CONTROLLER means that v1 hierarchy's mount (a hybrid or legacy host);
# otherwise the "0::/path" line and the cgroup2 mount (a unified host, or
# a controller only cgroup2 has).  Fails when PID is in the hierarchy's
# root group: a container's cgroup is one of its own, never the root.
cw_cgroup_dir() {
	local pid=$1 ctl=$2 n ctls path fstype=cgroup2 mroot mnt
	while IFS=: read -r n ctls path; do
		if [ "$n" != 0 ] && [[ ",$ctls," == *",$ctl,"* ]]; then
			fstype=cgroup
			break
		fi
	done <"/proc/$pid/cgroup"
	if [ "$fstype" = cgroup2 ]; then
		path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	fi
	[ -n "$path" ] && [ "$path" != / ] || {
		echo "pid $pid: no cgroup of its own for $ctl: $(tr '\n' ' ' <"/proc/$pid/cgroup")" >&2
		return 1
	}
	# mountinfo: root and mount point are fields 4 and 5; after the "-"
	# come the fs type and, two on, the super options (v1: controllers).
	read -r mroot mnt < <(awk -v t="$fstype" -v c="$ctl" '{
		for (i = 7; $i != "-"; i++) ;
		if ($(i + 1) != t) next
		if (t == "cgroup" && index("," $(i + 3) ",", "," c ",") == 0) next
		print $4, $5; exit }' /proc/self/mountinfo)
	[ -n "$mnt" ] || {
		echo "no $fstype mount for $ctl" >&2
		return 1
	}
	[ "$mroot" = / ] || path=${path#"$mroot"}
	echo "$mnt$path"
}

# cw_cgroup_v1 PID CONTROLLER: PID's CONTROLLER is a v1 hierarchy's.
cw_cgroup_v1() {
	awk -F: -v c="$2" '$1 != 0 && index("," $2 ",", "," c ",") {f = 1} END {exit !f}' "/proc/$1/cgroup"
}

# cw_cgroup_file PID CONTROLLER FILE: the host path of FILE in PID's
# cgroup for CONTROLLER (v1 or cgroup2, as cw_cgroup_dir finds it).
cw_cgroup_file() {
	local d
	d=$(cw_cgroup_dir "$1" "$2") || return 1
	echo "$d/$3"
}

# cw_cgroup_expect PID CONTROLLER V1FILE=VALUE V2FILE=VALUE: the limit is
# applied in PID's own cgroup: the v1 file holds VALUE where CONTROLLER is
# a v1 hierarchy (this hybrid host), the cgroup2 file on a unified host.
cw_cgroup_expect() {
	local pid=$1 ctl=$2 want f got
	if cw_cgroup_v1 "$pid" "$ctl"; then want=$3; else want=$4; fi
	f=$(cw_cgroup_file "$pid" "$ctl" "${want%%=*}") || return 1
	want=${want#*=}
	got=$(cat "$f") || return 1
	[ "$got" = "$want" ] || {
		echo "$f: '$got', expected '$want'" >&2
		return 1
	}
}

# cw_bytes SIZE: a size as docker and podman print it (go-units'
# BytesSize: "632KiB", "6.254MiB") in bytes.
cw_bytes() {
	awk -v s="$1" 'BEGIN {
		u = s; sub(/^[0-9]+(\.[0-9]+)?/, "", u)
		m["B"] = 1; m["KiB"] = 1024; m["MiB"] = 1048576; m["GiB"] = 1073741824
		if (s !~ /^[0-9]/ || !(u in m)) exit 1
		printf "%d\n", s * m[u] }'
}

# cw_created_ids: the container ids the runtime was asked to create since
# the current test's "==== NAME" line in $CW_LOG.
cw_created_ids() {
	awk '/^==== / {delete ids; n = 0; next}
		/ argv: .*create / {ids[++n] = $NF}
		END {for (i = 1; i <= n; i++) print ids[i]}' "$CW_LOG"
}

# cw_cgroup_mounts: the mount points of every cgroup hierarchy, v1 and v2.
cw_cgroup_mounts() {
	awk '{for (i = 7; $i != "-"; i++) ; if ($(i + 1) ~ /^cgroup2?$/) print $5}' /proc/self/mountinfo
}

# cw_cgroups_left ID...: cgroup directories, in any hierarchy, whose name
# ends with one of the ids (containerd and docker name them ID, podman's
# cgroupfs manager libpod-ID).
cw_cgroups_left() {
	local mnt id names=()
	[ $# -gt 0 ] || return 0
	for id in "$@"; do
		names+=(${names[0]+-o} -name "*$id")
	done
	for mnt in $(cw_cgroup_mounts); do
		find "$mnt" -maxdepth 4 -type d \( "${names[@]}" \) 2>/dev/null || true
	done
}

# cw_procs_left ID...: processes (not this shell) whose command line
# names one of the ids: a shim, conmon, a runtime call that never ended.
cw_procs_left() {
	local id f pid cmd
	for id in "$@"; do
		for f in $(grep -lsF -- "$id" /proc/[0-9]*/cmdline); do
			pid=${f#/proc/}
			pid=${pid%/cmdline}
			[ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
			# (grep itself matched, and is gone by now)
			cmd=$(tr '\0' ' ' <"$f" 2>/dev/null) && [[ "$cmd" == *"$id"* ]] || continue
			echo "$pid: $cmd"
		done
	done
}

# cw_left ID...: everything of the ids still there, one line each: cgroup
# directories, processes, mounts (of this mount namespace, or of
# $CW_MNTNS_PID's when the caller runs in a mount namespace of its own;
# cw_listed looks at the runtime's state root there too).
cw_left() {
	[ $# -gt 0 ] || return 0
	cw_cgroups_left "$@" | sed 's/^/cgroup: /'
	cw_procs_left "$@" | sed 's/^/process: /'
	local id
	for id in "$@"; do
		grep -F -- "$id" "/proc/${CW_MNTNS_PID:-self}/mountinfo" | awk '{print "mount: " $5}'
	done
}

# cw_listed ROOT ID...: the ids the runtime still lists (state root ROOT,
# or the runtime's default one when ROOT is empty).
cw_listed() {
	local root=$1 ns=()
	shift
	[ -z "${CW_MNTNS_PID:-}" ] || ns=(nsenter -t "$CW_MNTNS_PID" -m)
	"${ns[@]}" "$MINI_RUNC" ${root:+--root "$root"} list --format json 2>/dev/null |
		jq -r --args '.[]? | select(.id | IN($ARGS.positional[])) | "state: \(.id)"' "$@"
}

# cw_assert_clean [ROOT]: nothing of the containers this test created is
# left: no cgroup directory in any hierarchy, no process naming it (its
# shim or conmon), no mount, no container in the runtime's `list` (state
# root ROOT, or the runtime's default one).  A removal may finish a moment
# after the client returns.
cw_assert_clean() {
	local root=${1:-} ids
	ids=$(cw_created_ids)
	[ -n "$ids" ] || return 0
	# shellcheck disable=SC2086 # ids are hex or plain names
	cw_wait eval '[ -z "$(cw_left $ids; cw_listed "$root" $ids)" ]' || {
		echo "left behind:" >&2
		{ cw_left $ids; cw_listed "$root" $ids; } >&2
		return 1
	}
}

# Bats 1.8 has no skip in setup_file (it fails the file): a file whose
# prerequisite is missing records why with cw_file_skip REASON (then
# returns from setup_file), and each test skips in setup (cw_file_skipped).
cw_file_skip() {
	export CW_FILE_SKIP=$1
}
cw_file_skipped() {
	[ -z "${CW_FILE_SKIP:-}" ] || skip "$CW_FILE_SKIP"
}

# cw_podman_conf: a containers.conf with podman's defaults but for what this
# host needs (hard limits below podman's ulimits, no systemd, no bridge),
# on stdout (podman.bats, and rootless.bats for its user).
cw_podman_conf() {
	cat <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
}
