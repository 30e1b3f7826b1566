#!/bin/bash
# The whole test suite, as `make check` and CI run it.
#
#   bash tests/run-all.sh [STAGE...]
#
# Stages, in order (default: all of them):
#   build        ./mini-runc and the unit test programs (-Werror)
#   unit         tests/unit/test-*.c, each under prove
#   integration  tests/integration/*.bats with MINI_RUNC=./mini-runc (root)
#   asan         the same unit and integration tests built with clang's
#                AddressSanitizer + UndefinedBehaviorSanitizer; any sanitizer
#                report fails the stage, even from a test that expected an error
#   fuzz         `make fuzz` (libFuzzer, FUZZ_SECONDS, default 60)
#
# Every stage runs even when an earlier one failed.  The output ends with
# exactly one line `N passed, N failed`; the exit status is non-zero when
# anything failed or when no test ran.

set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib/tap.sh

UNIT_TIMEOUT=${UNIT_TIMEOUT:-300}
BATS_FILE_TIMEOUT=${BATS_FILE_TIMEOUT:-1800}
# One test that hangs must not eat CI's time budget.
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-180}

# Inside `make check` the jobserver is inherited; on our own use both cores.
MAKE_ARGS=(--no-print-directory)
case " ${MAKEFLAGS:-} " in
*jobserver* | *" -j"*) ;;
*) MAKE_ARGS+=(-j"$(nproc)") ;;
esac

banner() {
	printf '\n=== %s ===\n' "$*"
}

unit_sources() {
	compgen -G 'tests/unit/test-*.c' | sort
}

# run_unit DIR LABEL: run DIR/tests/test-* for every tests/unit/test-*.c.
run_unit() {
	local dir=$1 label=$2 src name
	local srcs
	srcs=$(unit_sources)
	if [ -z "$srcs" ]; then
		echo "$label: no tests in tests/unit"
		return
	fi
	for src in $srcs; do
		name=$(basename "$src" .c)
		if [ ! -x "$dir/tests/$name" ]; then
			tap_fail "$label/$name: not built"
			continue
		fi
		tap_run "$label/$name" timeout -k 10 "$UNIT_TIMEOUT" \
			prove -v --exec '' "$dir/tests/$name"
	done
}

# run_integration BINARY LABEL
run_integration() {
	local bin=$1 label=$2 file files
	if [ "$(id -u)" -ne 0 ]; then
		tap_fail "$label: the integration tests need root"
		return
	fi
	if [ ! -x "$bin" ]; then
		tap_fail "$label: $bin not built"
		return
	fi
	files=$(compgen -G 'tests/integration/*.bats' | sort)
	if [ -z "$files" ]; then
		echo "$label: no tests in tests/integration"
		return
	fi
	for file in $files; do
		tap_run "$label/$(basename "$file" .bats)" \
			env MINI_RUNC="$PWD/$bin" \
			timeout -k 10 "$BATS_FILE_TIMEOUT" bats --tap "$file"
	done
}

BUILT=0
stage_build() {
	BUILT=1
	banner build
	make -k "${MAKE_ARGS[@]}" all unit-build || tap_fail "build: make all unit-build"
}

stage_unit() {
	banner unit
	run_unit build unit
}

stage_integration() {
	banner integration
	run_integration mini-runc integration
}

stage_asan() {
	banner "asan: build"
	if ! make -k "${MAKE_ARGS[@]}" asan-build; then
		tap_fail "asan: make asan-build"
		return
	fi
	local logdir=$PWD/build-asan/logs symbolizer report
	rm -rf "$logdir"
	mkdir -p "$logdir"
	# Reports go to files as well as failing the process: a test that expects
	# mini-runc to fail would otherwise take an ASan abort for the error it
	# wanted.  The container's own process never sees these variables: its
	# environment comes from config.json.
	symbolizer=$(command -v llvm-symbolizer ||
		compgen -G '/usr/lib/llvm-*/bin/llvm-symbolizer' | sort | tail -n1)
	(
		export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$logdir/asan"
		export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logdir/ubsan"
		[ -z "$symbolizer" ] || export ASAN_SYMBOLIZER_PATH=$symbolizer
		# the instrumented runtime is several times slower: a test's
		# time limit grows with it (a hang is still caught)
		export BATS_TEST_TIMEOUT=$((BATS_TEST_TIMEOUT * 3))
		# the soak's bound is the plain build's (1000 lifecycles); under
		# the sanitizers a fifth of it shows the same leaks
		export MRC_SOAK_N=200
		banner "asan: unit"
		run_unit build-asan asan-unit
		banner "asan: integration"
		run_integration build-asan/mini-runc asan-integration
		declare -p TAP_PASSED TAP_FAILED TAP_SKIPPED TAP_FAILURES |
			sed 's/^declare /declare -g /' >"$logdir/.counts"
	)
	# The subshell kept the sanitizer variables away from the rest; take
	# its counts back.
	. "$logdir/.counts"
	rm -f "$logdir/.counts"
	for report in "$logdir"/asan.* "$logdir"/ubsan.*; do
		[ -e "$report" ] || continue
		echo "--- sanitizer report $report"
		head -n 60 "$report"
		# LeakSanitizer's own note that it could not read a thread's
		# registers (the process was killed while its exit-time check
		# ran, as the tests that SIGKILL the runtime at random points
		# do) is no finding: LSan goes on and reports nothing more.
		# Any other line is one.
		if ! grep -qvE '^==[0-9]+==Unable to get registers from thread [0-9]+\.$' "$report"; then
			echo "# asan: LeakSanitizer could not inspect a process that was killed meanwhile (${report#$PWD/})"
			continue
		fi
		tap_fail "asan: sanitizer report ${report#$PWD/}"
	done
}

stage_fuzz() {
	banner fuzz
	if ! compgen -G 'tests/fuzz/fuzz-*.c' >/dev/null; then
		echo "fuzz: no targets in tests/fuzz"
		return
	fi
	if make "${MAKE_ARGS[@]}" fuzz; then
		tap_pass
		echo "ok - fuzz"
	else
		tap_fail "fuzz"
	fi
}

# The cgroup enforcement tests, in a QEMU VM booted twice: with every
# controller on cgroup2 (v2) and with only v1 hierarchies (v1, legacy).
# Each boot takes well under a minute under TCG.
stage_vm() {
	banner vm
	tap_run vm timeout -k 10 600 bash tests/vm/run.sh
}

ALL_STAGES=(build unit integration asan fuzz vm)
stages=("$@")
[ "${#stages[@]}" -gt 0 ] || stages=("${ALL_STAGES[@]}")
for stage in "${stages[@]}"; do
	case " ${ALL_STAGES[*]} " in
	*" $stage "*) ;;
	*)
		echo "run-all.sh: unknown stage '$stage' (one of: ${ALL_STAGES[*]})" >&2
		exit 2
		;;
	esac
done
for stage in "${stages[@]}"; do
	# unit and integration need the normal build even when asked alone.
	case $stage in
	unit | integration | vm) [ "$BUILT" -eq 1 ] || stage_build ;;
	esac
	"stage_$stage"
done

tap_summary
