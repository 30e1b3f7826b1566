#!/bin/bash
# Where the wall time of mini-runc's `run` goes: N runs back to back with
# `--debug --log-format json`, and for each pair of consecutive log lines
# (the child's lines travel over the sync socket and are stamped when the
# runtime writes them) the median time between them.  The first row starts
# at the shell's clock just before the exec, the last ends when the
# runtime has exited.
#
#   bash bench/profile.sh BUNDLE [N]      (as root; N defaults to 30)
#
# BUNDLE is a bundle like bench/run.sh's (runc's default spec, /bin/true,
# no linux.resources).  MINI_RUNC picks the binary (default ./mini-runc).
# As bench/run.sh does, it runs in a private mount namespace with cgroup2
# on /sys/fs/cgroup.
set -euo pipefail
cd "$(dirname "$0")/.."

bundle=${1:?usage: profile.sh BUNDLE [N]}
n=${2:-30}
rt=${MINI_RUNC:-$PWD/mini-runc}
if [ -z "${PROFILE_INNER:-}" ]; then
	# shellcheck disable=SC2016 # $0 and $@ belong to the inner shell
	exec env PROFILE_INNER=1 unshare -m --propagation private \
		bash -c 'mount -t cgroup2 none /sys/fs/cgroup && exec bash "$0" "$@"' "$0" "$@"
fi

work=$(mktemp -d /tmp/mini-runc-profile.XXXXXX)
trap 'rm -rf "$work"' EXIT
for ((i = 1; i <= n; i++)); do
	t0=$EPOCHREALTIME
	"$rt" --debug --log-format json --log "$work/log" --root "$work/root" \
		run --bundle "$bundle" "profile-$$-$i" </dev/null >/dev/null
	t1=$EPOCHREALTIME
	# one line a log entry: seconds, then the message up to its first quote
	{
		echo "$t0 start (exec)"
		jq -r '((.time[0:19] + "Z" | fromdateiso8601) + ("0." + .time[20:29] | tonumber)
			| tostring) + " " + (.msg | split("`")[0])' "$work/log"
		echo "$t1 end (exit)"
	} >"$work/run.$i"
	rm -f "$work/log"
done

# median of each step over the runs, in the order of the first run
runs=()
for ((i = 1; i <= n; i++)); do runs+=("$work/run.$i"); done
awk '
	FNR == 1 { prev = ""; run++ }
	{
		t = $1; $1 = ""; msg = substr($0, 2)
		if (prev != "") {
			key = prev " -> " msg
			if (!(key in seen)) { seen[key] = ++nkeys; order[nkeys] = key }
			d[key, ++cnt[key]] = (t - pt) * 1000
		}
		if (FNR == 1) t0 = t
		prev = msg; pt = t
	}
	/^[0-9.]+ end \(exit\)$/ { total[run] = (t - t0) * 1000 }
	function median(a, n,   i, j, v) {
		for (i = 2; i <= n; i++) { v = a[i]; for (j = i - 1; j > 0 && a[j] > v; j--) a[j + 1] = a[j]; a[j + 1] = v }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		for (k = 1; k <= nkeys; k++) {
			key = order[k]; delete v
			for (i = 1; i <= cnt[key]; i++) v[i] = d[key, i]
			printf "%8.3f ms  %s\n", median(v, cnt[key]), key
		}
		delete v
		for (i = 1; i <= run; i++) v[i] = total[i]
		printf "%8.3f ms  total (median of %d runs)\n", median(v, run), run
	}' "${runs[@]}"
