#!/bin/sh
# t/fuzz/run.sh - run every libFuzzer binary of BUILD_DIR/fuzz-build for
# RUNS executions each (default 1000000), starting from its seed corpus.
# Prints one line per target with the executions done; exits 1 if any
# target crashed (the crash input is kept in BUILD_DIR/fuzz-crashes/).
# With MAX_SECONDS, each target also stops after that many seconds (CI
# smoke runs: targets whose input goes through libconfig are slow).
# Usage: t/fuzz/run.sh BUILD_DIR [RUNS [MAX_SECONDS]]
set -u
build=${1:?usage: run.sh BUILD_DIR [RUNS [MAX_SECONDS]]}; runs=${2:-1000000}
max_time=${3:-0}
src=$(cd "$(dirname "$0")/../.." && pwd)
status=0
mkdir -p "$build/fuzz-crashes"
for bin in "$build"/fuzz-build/t/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	work=$(mktemp -d)
	cp "$src/t/fuzz/corpus/$name"/* "$work"/ 2>/dev/null
	log="$build/fuzz-build/fuzz_$name.log"
	"$bin" -runs="$runs" -max_total_time="$max_time" -max_len=4096 -artifact_prefix="$build/fuzz-crashes/$name-" \
		"$work" >"$log" 2>&1
	rc=$?
	done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -1)
	[ -n "$done_line" ] || done_line=$(grep -E '^#[0-9]+' "$log" | tail -1 | cut -d' ' -f1 | sed 's/^#/stopped at the time limit after /;s/$/ runs/')
	if [ $rc -eq 0 ]; then
		echo "fuzz $name: ${done_line:-no summary}"
	else
		echo "fuzz $name: ERROR (exit $rc)"; grep -E 'ERROR|SUMMARY' "$log" | head -5
		status=1
	fi
	rm -rf "$work"
done
exit $status
