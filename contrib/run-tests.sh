#!/bin/sh
# run-tests.sh - second README command: install test dependencies, run everything
#
# SYNOPSIS
#	sh contrib/run-tests.sh         (as root: the tests start Postfix, nsd, unbound)
#
# DESCRIPTION
#	Installs the build and test dependencies (Debian packages only), then
#	runs `make check` twice: a plain build (./build) and one with
#	-fsanitize=address,undefined (./build-asan). When clang is present it
#	also builds the libFuzzer targets and runs each briefly (FUZZ_RUNS,
#	default 20000, at most FUZZ_SECONDS, default 60, each). Ends with one line "tests: N passed, N failed";
#	a skipped test counts as failed (install-deps.sh installs everything the tests need).
set -u
cd "$(dirname "$0")/.."
sh contrib/install-deps.sh test || exit 1

pass=0 fail=0
# count_results DIR - add that build's TAP results to the totals
count_results() {
	p=$(sed -n 's/^# PASS: *//p' "$1/test-suite.log" | head -1)
	f=$(sed -n 's/^# FAIL: *//p' "$1/test-suite.log" | head -1)
	e=$(sed -n 's/^# ERROR: *//p' "$1/test-suite.log" | head -1)
	s=$(sed -n 's/^# SKIP: *//p' "$1/test-suite.log" | head -1)
	# install-deps.sh installs every tool a test needs: a skip is a failure
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0} + ${e:-0} + ${s:-0}))
}

# run_suite DIR [configure options] - build and run make check in DIR
run_suite() {
	dir=$1; shift
	echo "== make check in $dir $*"
	if ! sh contrib/build.sh "$dir" "$@"; then
		echo "build in $dir failed"; fail=$((fail + 1)); return
	fi
	make -C "$dir" check >"$dir/check.out" 2>&1
	rc=$?
	grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP)' "$dir/check.out" | grep -v '^PASS' || true
	grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR)' "$dir/check.out"
	if [ $rc -ne 0 ]; then
		# show the logs of what failed
		for log in $(grep -lE '^(not ok|Bail out)' $(find "$dir/t" -name '*.log') 2>/dev/null); do
			echo "---- $log"; grep -vE '^ok ' "$log" | tail -40
		done
	fi
	if [ -f "$dir/test-suite.log" ]; then count_results "$dir"; else fail=$((fail + 1)); fi
}

run_suite build
run_suite build-asan --enable-sanitizers

if command -v clang >/dev/null 2>&1; then
	echo "== fuzz targets (libFuzzer, ${FUZZ_RUNS:-20000} runs or ${FUZZ_SECONDS:-60} s each)"
	if make -C build fuzz >build/fuzz.out 2>&1; then
		if sh t/fuzz/run.sh build "${FUZZ_RUNS:-20000}" "${FUZZ_SECONDS:-60}"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	else
		tail -20 build/fuzz.out; fail=$((fail + 1))
	fi
fi

echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
