# Counting TAP results for tests/run-all.sh.  Source it, then call
# tap_run, tap_pass and tap_fail; tap_summary prints the totals.
#
# A "case" is one TAP line (`ok N ...` or `not ok N ...`).  `# skip` lines
# and `# TODO` failures are counted as skipped, not as passes.  A command
# that exits non-zero without reporting any `not ok` (a crash, a wrong plan,
# a bats file that does not parse) counts as one failed case of its own, so a
# dying test program can never go unnoticed.

TAP_PASSED=0
TAP_FAILED=0
TAP_SKIPPED=0
TAP_FAILURES=()

tap_pass() {
	TAP_PASSED=$((TAP_PASSED + 1))
}

# tap_fail NAME: one failed case that no TAP line reported.
tap_fail() {
	TAP_FAILED=$((TAP_FAILED + 1))
	TAP_FAILURES+=("$1")
	echo "not ok - $1"
}

# tap_run LABEL CMD...: run CMD, show its output as it comes, count its
# TAP lines.  Returns CMD's exit status.
tap_run() {
	local label=$1 log rc pid tailpid line failed=0 total=0
	shift
	log=$(mktemp)
	# Not a pipe into tee: a container process leaked by a test could hold
	# the pipe open and hang the suite forever.  A file cannot; tail follows
	# it live and stops when the command is gone.
	"$@" >"$log" 2>&1 &
	pid=$!
	tail -n +1 -f --pid="$pid" "$log" &
	tailpid=$!
	rc=0
	wait "$pid" || rc=$?
	wait "$tailpid" || true
	while IFS= read -r line; do
		case $line in
		"ok "*"# skip"* | "ok "*"# SKIP"* | "not ok "*"# TODO"* | "not ok "*"# todo"*)
			TAP_SKIPPED=$((TAP_SKIPPED + 1)) total=$((total + 1)) ;;
		"ok "[0-9]*)
			TAP_PASSED=$((TAP_PASSED + 1)) total=$((total + 1)) ;;
		"not ok "[0-9]*)
			TAP_FAILED=$((TAP_FAILED + 1)) total=$((total + 1)) failed=$((failed + 1))
			TAP_FAILURES+=("$label: ${line#not ok }") ;;
		esac
	done <"$log"
	rm -f "$log"
	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		if [ "$rc" -eq 124 ]; then
			tap_fail "$label: timed out"
		else
			tap_fail "$label: exited with status $rc after $total test(s)"
		fi
	fi
	return "$rc"
}

# tap_summary: the failures, the skips, and last the one line callers parse.
# Returns non-zero when anything failed or nothing ran at all.
tap_summary() {
	local f
	if [ $((TAP_PASSED + TAP_FAILED)) -eq 0 ]; then
		tap_fail "no test ran" >/dev/null
	fi
	echo
	if [ "${#TAP_FAILURES[@]}" -gt 0 ]; then
		echo "failed:"
		for f in "${TAP_FAILURES[@]}"; do
			echo "  $f"
		done
	fi
	[ "$TAP_SKIPPED" -eq 0 ] || echo "($TAP_SKIPPED skipped)"
	echo "$TAP_PASSED passed, $TAP_FAILED failed"
	[ "$TAP_FAILED" -eq 0 ]
}
