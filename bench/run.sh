#!/bin/bash
# Time mini-runc against runc and crun on one busybox bundle, in one run:
#   (a) `run` of a container whose process is /bin/true
#   (b) `create`, `start`, `delete --force` of such a container, timed until
#       delete returns
#   (c) `exec` of /bin/true into a running container
#   (d) (a) joining a running container's network, ipc and uts namespaces
#       by path, as a pod's containers join its infra container's
#   (e) (a) with a seccomp allow-list like podman's default profile
#   (f) (a) with a memory, pids and cpu limit, on this host's own cgroup
#       layout (hybrid here: the limits go to cgroup v1), for mini-runc
#       and runc (crun refuses hybrid hosts)
#   (g) throughput: BENCH_PARALLEL (50) containers started at once (`run -d`
#       of a sleeping container, all in parallel), then all deleted at once
#       (`delete --force`); containers per second of the starts and of the
#       whole start+delete, median of BENCH_ROUNDS rounds
#   (h) (b) while BENCH_POPULATION (500) sleeping containers of the same
#       runtime exist, against (b) with none: the cost of one more
#       container must not grow with the number present
# and print each runtime's median and its ratio to mini-runc's median.
#
#   bash bench/run.sh            (as root; `make bench` builds first)
#
# Environment:
#   BENCH_N         timed iterations per runtime and case (default 30)
#   BENCH_WARMUP    untimed iterations first (default 3)
#   BENCH_RUNTIMES  which runtimes (default "mini-runc runc crun")
#   MINI_RUNC       the mini-runc binary (default ./mini-runc)
#   BENCH_REQUIRE_MINI_RUNC=1  fail instead of skipping a missing mini-runc
#   BENCH_CASES     which of the cases (default "run lifecycle exec pod seccomp
#                   throughput population limits"; names as in the tables)
#   BENCH_PARALLEL  containers started at once in (g) (default 50)
#   BENCH_ROUNDS    rounds of (g) per runtime (default 3)
#   BENCH_POPULATION  containers present in (h) (default 500)
#   BENCH_POP_N     timed iterations of (h), with and without them (default 10)
#
# crun refuses this machine's hybrid cgroup layout, so (a) to (e) run in a
# private mount namespace with cgroup2 mounted on /sys/fs/cgroup (see
# shared/TESTING.md); all three runtimes see the same system.  (f) then
# runs on the host as it is, in a second pass of this script.  The
# iterations are interleaved (mini-runc, runc, crun, mini-runc, ...) so that
# the machine's drift over time hits every runtime alike; absolute times vary
# from run to run on shared machines, the ratios are what to compare.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: run as root" >&2
	exit 1
fi

if [ -z "${BENCH_INNER:-}" ]; then
	rc=0
	# shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
	env BENCH_INNER=1 unshare -m --propagation private \
		bash -c 'mount -t cgroup2 none /sys/fs/cgroup && exec bash "$0" "$@"' "$0" "$@" || rc=$?
	# (f): limits on the host's own layout, where it is not plain cgroup2
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
		rt=${BENCH_RUNTIMES:-mini-runc runc}
		env BENCH_INNER=host BENCH_RUNTIMES="${rt/crun/}" bash "$0" "$@" || rc=$?
	fi
	exit "$rc"
fi

N=${BENCH_N:-30}
WARMUP=${BENCH_WARMUP:-3}
PARALLEL=${BENCH_PARALLEL:-50}
ROUNDS=${BENCH_ROUNDS:-3}
POPULATION=${BENCH_POPULATION:-500}
POP_N=${BENCH_POP_N:-10}
case "$N$WARMUP$PARALLEL$ROUNDS$POPULATION$POP_N" in
*[!0-9]*) echo "bench: BENCH_N, _WARMUP, _PARALLEL, _ROUNDS, _POPULATION and _POP_N must be numbers" >&2; exit 1 ;;
esac
for v in N PARALLEL ROUNDS POP_N; do
	[ "${!v}" -gt 0 ] || { echo "bench: BENCH_$v must be at least 1" >&2; exit 1; }
done
declare -A wanted
for c in ${BENCH_CASES:-run lifecycle exec pod seccomp throughput population limits}; do
	wanted[$c]=1
done
# want CASE: whether BENCH_CASES selects it
want() { [ -n "${wanted[$1]:-}" ]; }

# ------------------------------------------------------------ runtimes --

names=()
declare -A bin
for name in ${BENCH_RUNTIMES:-mini-runc runc crun}; do
	case $name in
	mini-runc) path=${MINI_RUNC:-$PWD/mini-runc} ;;
	*) path=$(command -v "$name" || true) ;;
	esac
	if [ -z "$path" ] || [ ! -x "$path" ]; then
		if [ "$name" = mini-runc ] && [ -n "${BENCH_REQUIRE_MINI_RUNC:-}" ]; then
			echo "bench: mini-runc not found at '$path'" >&2
			exit 1
		fi
		echo "bench: $name not found${path:+ at '$path'}, skipped" >&2
		continue
	fi
	names+=("$name")
	bin[$name]=$path
done
[ "${#names[@]}" -gt 0 ] || { echo "bench: no runtime to measure" >&2; exit 1; }

# -------------------------------------------------------------- bundle --

work=$(mktemp -d /tmp/mini-runc-bench.XXXXXX)
cleanup() {
	local name id
	for name in "${names[@]}"; do
		for id in $("${bin[$name]}" --root "$work/root-$name" list -q 2>/dev/null); do
			"${bin[$name]}" --root "$work/root-$name" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT

bundle=$work/bundle
mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,tmp}
cp "$(command -v busybox)" "$bundle/rootfs/bin/busybox"
for applet in $("$bundle/rootfs/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$bundle/rootfs/bin/$applet"
done
# One config for everybody: runc's default spec when runc is installed
# (the reference; also when BENCH_RUNTIMES leaves it out: crun 1.8.1
# refuses mini-runc's ociVersion 1.2.1), else the first runtime's.  linux.resources goes: its device
# rule makes crun 1.8.1 load a device eBPF program, which here fails on the
# memlock limit it cannot raise (TESTING.md), and no limit is wanted anyway.
spec_from=${bin[runc]:-$(command -v runc || echo "${bin[${names[0]}]}")}
(cd "$bundle" && "$spec_from" spec)
jq '.process.terminal = false | .process.args = ["/bin/true"] | del(.linux.resources)' \
	"$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

# ------------------------------------------------------------- measure --

declare -A samples failed
nfailed=0
errlog=$work/errors

# One measurement; its wall time in microseconds lands in $elapsed.
# EPOCHREALTIME avoids forking a clock program inside the timed region.
measure() {
	local case=$1 name=$2 id=$3 rt=${bin[$2]} root=$work/root-$2 t0 t1 rc=0
	t0=${EPOCHREALTIME/./}
	case $case in
	run)
		"$rt" --root "$root" run --bundle "$bundle" "$id" ;;
	lifecycle)
		"$rt" --root "$root" create --bundle "$bundle" "$id" &&
			"$rt" --root "$root" start "$id" &&
			"$rt" --root "$root" delete --force "$id" ;;
	exec)
		"$rt" --root "$root" exec "bench-target-$name" /bin/true ;;
	pod)
		"$rt" --root "$root" run --bundle "$work/pod-$name" "$id" ;;
	seccomp)
		"$rt" --root "$root" run --bundle "$work/seccomp" "$id" ;;
	limits)
		"$rt" --root "$root" run --bundle "$work/limits" "$id" ;;
	esac </dev/null >/dev/null 2>>"$errlog.$name" || rc=$?
	t1=${EPOCHREALTIME/./}
	elapsed=$((t1 - t0))
	return "$rc"
}

if [ "$BENCH_INNER" = host ]; then
	# (f) the limits callers set by default and commonly (podman's pids
	# limit, a memory limit, ctr's cpu shares with a quota)
	mkdir -p "$work/limits"
	jq --arg root "$bundle/rootfs" '.root.path = $root
		| .linux.resources = {memory: {limit: 268435456}, pids: {limit: 2048},
			cpu: {shares: 1024, quota: 50000, period: 100000}}' \
		"$bundle/config.json" >"$work/limits/config.json"
	cases=()
	! want limits || cases=(limits)
else
	# exec needs a running container per runtime: one long sleep each, in a
	# bundle of its own (same rootfs, other args).
	target=$work/target
	mkdir -p "$target"
	jq --arg root "$bundle/rootfs" '.process.args = ["sleep", "100000"] | .root.path = $root' \
		"$bundle/config.json" >"$target/config.json"
	for name in "${names[@]}"; do
		"${bin[$name]}" --root "$work/root-$name" run -d --bundle "$target" \
			"bench-target-$name" </dev/null >/dev/null 2>>"$errlog.$name" ||
			echo "bench: $name could not start the exec target" >&2
	done

	# The pod case joins each runtime's own exec target's namespaces.
	for name in "${names[@]}"; do
		pid=$("${bin[$name]}" --root "$work/root-$name" state "bench-target-$name" \
			2>/dev/null | jq -r .pid) || pid=0
		mkdir -p "$work/pod-$name"
		jq --arg root "$bundle/rootfs" --arg ns "/proc/$pid/ns" '.root.path = $root
			| .linux.namespaces |= map(
				if .type == "network" then .path = $ns + "/net"
				elif .type == "ipc" then .path = $ns + "/ipc"
				elif .type == "uts" then .path = $ns + "/uts" else . end)' \
			"$bundle/config.json" >"$work/pod-$name/config.json"
	done

	# run with a seccomp allow-list like podman's default: every syscall its
	# profile allows without argument or capability conditions on amd64
	# (containers-common's seccomp.json), the rest refused with EPERM.
	cases=()
	for c in run lifecycle exec pod; do
		! want "$c" || cases+=("$c")
	done
	profile=/usr/share/containers/seccomp.json
	if ! want seccomp; then
		:
	elif [ -r "$profile" ]; then
		mkdir -p "$work/seccomp"
		jq --arg root "$bundle/rootfs" --slurpfile p "$profile" '
			.root.path = $root
			| .linux.seccomp = {
				defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
				architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
				syscalls: [{action: "SCMP_ACT_ALLOW",
					names: [$p[0].syscalls[] | select(.action == "SCMP_ACT_ALLOW"
						and ((.includes // {}) | del(.arches) == {})
						and ((.includes.arches // ["amd64"]) | index("amd64") != null)
						and ((.excludes // {}) == {})
						and ((.args // []) == [])) | .names[]] | unique}]}' \
			"$bundle/config.json" >"$work/seccomp/config.json"
		cases+=(seccomp)
	else
		echo "bench: no $profile (golang-github-containers-common): seccomp case skipped" >&2
	fi
fi
seq=0
for ((i = 1; i <= WARMUP + N; i++)); do
	for c in "${cases[@]}"; do
		for name in "${names[@]}"; do
			[ -z "${failed[$c.$name]:-}" ] || continue
			seq=$((seq + 1))
			id=bench-$c-$$-$seq
			if ! measure "$c" "$name" "$id"; then
				failed[$c.$name]=1 nfailed=$((nfailed + 1))
				echo "bench: $name $c failed (iteration $i):" >&2
				tail -n 5 "$errlog.$name" >&2 || true
				"${bin[$name]}" --root "$work/root-$name" delete --force "$id" >/dev/null 2>&1 || true
				continue
			fi
			[ "$i" -le "$WARMUP" ] || samples[$c.$name]+="$elapsed "
		done
	done
done

# -------------------------------------------------------------- report --

# median of microsecond samples, printed in microseconds
median() {
	printf '%s\n' $1 | sort -n | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

declare -A med
for c in "${cases[@]}"; do
	for name in "${names[@]}"; do
		[ -n "${failed[$c.$name]:-}" ] || med[$c.$name]=$(median "${samples[$c.$name]}")
	done
done

cell() { # case name -> "12.34 ms  1.05x"
	local c=$1 name=$2 m base
	m=${med[$c.$name]:-}
	if [ -z "$m" ]; then
		printf '%11s %8s  ' failed ""
		return
	fi
	base=${med[$c.mini-runc]:-}
	if [ -n "$base" ] && [ "$base" -gt 0 ]; then
		printf '%8.2f ms %7.2fx  ' "$(awk "BEGIN { print $m / 1000 }")" \
			"$(awk "BEGIN { print $m / $base }")"
	else
		printf '%8.2f ms %7s  ' "$(awk "BEGIN { print $m / 1000 }")" -
	fi
}

if [ "${#cases[@]}" -gt 0 ]; then
echo
[ "$BENCH_INNER" != host ] ||
	echo "on this host's own cgroup layout ($(awk '$9 == "cgroup" {v1 = 1} $9 == "cgroup2" {v2 = 1} END {print v1 && v2 ? "hybrid" : v1 ? "legacy" : "unified"}' /proc/self/mountinfo)):"
echo "median of $N runs after $WARMUP warm-up; ratio = runtime / mini-runc (above 1: slower than mini-runc)"
declare -A title=([run]="run /bin/true" [lifecycle]="create+start+delete"
	[exec]="exec /bin/true" [pod]="run, joining a pod" [seccomp]="run, seccomp profile"
	[limits]="run, memory+pids+cpu")
printf '%-10s' ""
for c in "${cases[@]}"; do printf '  %-22s' "${title[$c]}"; done
printf '\n%-10s' runtime
for c in "${cases[@]}"; do printf '  %11s %8s  ' median ratio; done
echo
for name in "${names[@]}"; do
	printf '%-10s' "$name"
	for c in "${cases[@]}"; do printf '  %s' "$(cell "$c" "$name")"; done
	echo
done
for name in "${names[@]}"; do
	printf '%-10s  %s\n' "$name" "$("${bin[$name]}" --version 2>/dev/null | head -n1)"
done | sed 's/^/# /'
fi

# Memory: the peak resident set of the runtime process itself during
# `create` (the container's init is not its waited-for child, so it is not
# counted), as GNU time reports it.
if [ -x /usr/bin/time ] && [ "$BENCH_INNER" != host ] && [ "${#cases[@]}" -gt 0 ]; then
	echo
	printf '%-10s  %s\n' runtime "peak RSS of create (KiB)"
	for name in "${names[@]}"; do
		# -o: the container inherits our stdio, so no pipe may carry it
		/usr/bin/time -o "$work/rss" -f %M "${bin[$name]}" --root "$work/root-$name" \
			create --bundle "$bundle" "bench-rss-$name" </dev/null >/dev/null 2>&1 || true
		rss=$(tail -n1 "$work/rss")
		"${bin[$name]}" --root "$work/root-$name" delete --force "bench-rss-$name" \
			>/dev/null 2>&1 || true
		printf '%-10s  %s\n' "$name" "$rss"
	done
fi

# ------------------------------------------------------ under load --
# (g) and (h) take a runtime at a time: their containers all live at once,
# and each runtime's must be gone before the next one's come.

# Run COUNT copies of a command in parallel, CMD... with {} replaced by
# the copy's id (PREFIX-k); fails when any copy failed.
fan_out() {
	local name=$1 prefix=$2 count=$3 k rc=0 pid
	shift 3
	local pids=()
	for ((k = 0; k < count; k++)); do
		"${bin[$name]}" --root "$work/root-$name" "${@//\{\}/$prefix-$k}" \
			</dev/null >/dev/null 2>>"$errlog.$name" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || rc=1
	done
	return "$rc"
}

# Delete every container of NAME whose id matches the glob PATTERN.
sweep() {
	local name=$1 pattern=$2 id
	for id in $("${bin[$name]}" --root "$work/root-$name" list -q 2>/dev/null); do
		# shellcheck disable=SC2254 # a pattern on purpose
		case $id in
		$pattern) "${bin[$name]}" --root "$work/root-$name" delete --force "$id" \
			>/dev/null 2>&1 || true ;;
		esac
	done
}

# containers per second, from a count and microseconds
per_second() { awk "BEGIN { printf \"%.1f\", $1 * 1000000 / $2 }"; }

if [ "$BENCH_INNER" != host ] && want throughput; then
	declare -A tp_start tp_all tp_med_start tp_med_all
	for ((r = 1; r <= ROUNDS; r++)); do
		for name in "${names[@]}"; do
			[ -z "${failed[throughput.$name]:-}" ] || continue
			prefix=bench-tp-$$-$r-$name
			t0=${EPOCHREALTIME/./}
			ok=1
			fan_out "$name" "$prefix" "$PARALLEL" run -d --bundle "$target" {} || ok=
			t1=${EPOCHREALTIME/./}
			fan_out "$name" "$prefix" "$PARALLEL" delete --force {} || ok=
			t2=${EPOCHREALTIME/./}
			if [ -z "$ok" ]; then
				failed[throughput.$name]=1 nfailed=$((nfailed + 1))
				echo "bench: $name throughput failed (round $r):" >&2
				tail -n 5 "$errlog.$name" >&2 || true
			fi
			sweep "$name" "$prefix-*"
			tp_start[$name]+="$(per_second "$PARALLEL" $((t1 - t0))) "
			tp_all[$name]+="$(per_second "$PARALLEL" $((t2 - t0))) "
		done
	done
	echo
	echo "(g) $PARALLEL containers started at once (run -d), then deleted at once;" \
		"median of $ROUNDS rounds; ratio = runtime / mini-runc (below 1: fewer per second)"
	printf '%-10s  %22s  %22s\n' runtime "starts per second" "start+delete per second"
	for name in "${names[@]}"; do
		if [ -n "${failed[throughput.$name]:-}" ]; then
			printf '%-10s  %22s  %22s\n' "$name" failed failed
			continue
		fi
		# medians of decimals: sort -g, middle value
		ms=$(printf '%s\n' ${tp_start[$name]} | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
		ma=$(printf '%s\n' ${tp_all[$name]} | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
		tp_med_start[$name]=$ms tp_med_all[$name]=$ma
		bs=${tp_med_start[mini-runc]:-} ba=${tp_med_all[mini-runc]:-}
		printf '%-10s  %12s %8s  %12s %8s\n' "$name" "$ms" \
			"$([ -n "$bs" ] && awk "BEGIN { printf \"%.2fx\", $ms / $bs }" || echo -)" \
			"$ma" "$([ -n "$ba" ] && awk "BEGIN { printf \"%.2fx\", $ma / $ba }" || echo -)"
	done
fi

if [ "$BENCH_INNER" != host ] && want population; then
	echo
	echo "(h) create+start+delete with $POPULATION of the runtime's containers present," \
		"against none; median of $POP_N each (none: before and after, $((2 * POP_N)))"
	printf '%-10s  %11s  %11s  %8s\n' runtime "none" "$POPULATION present" ratio
	for name in "${names[@]}"; do
		prefix=bench-pop-$$-$name
		base="" loaded="" ok=1
		for ((i = 1; i <= POP_N + 1 && ok; i++)); do
			measure lifecycle "$name" "bench-popa-$$-$name-$i" || ok=
			[ "$i" -eq 1 ] || base+="$elapsed "
		done
		# the population, a few at a time (2 cores)
		for ((k = 0; k < POPULATION && ok; k += 10)); do
			n=$((POPULATION - k < 10 ? POPULATION - k : 10))
			fan_out "$name" "$prefix-$k" "$n" run -d --bundle "$target" {} || ok=
		done
		for ((i = 1; i <= POP_N && ok; i++)); do
			measure lifecycle "$name" "bench-popb-$$-$name-$i" || ok=
			loaded+="$elapsed "
		done
		present=$("${bin[$name]}" --root "$work/root-$name" list -q 2>/dev/null | grep -c "^$prefix-" || true)
		sweep "$name" "$prefix-*"
		for ((i = 1; i <= POP_N && ok; i++)); do
			measure lifecycle "$name" "bench-popc-$$-$name-$i" || ok=
			base+="$elapsed "
		done
		if [ -z "$ok" ] || [ "$present" -ne "$POPULATION" ]; then
			failed[population.$name]=1 nfailed=$((nfailed + 1))
			echo "bench: $name population failed ($present present):" >&2
			tail -n 5 "$errlog.$name" >&2 || true
			sweep "$name" "bench-pop*"
			printf '%-10s  %11s\n' "$name" failed
			continue
		fi
		mb=$(median "$base") ml=$(median "$loaded")
		printf '%-10s  %8.2f ms  %8.2f ms  %7.2fx\n' "$name" \
			"$(awk "BEGIN { print $mb / 1000 }")" "$(awk "BEGIN { print $ml / 1000 }")" \
			"$(awk "BEGIN { print $ml / $mb }")"
	done
fi

[ "$nfailed" -eq 0 ]
