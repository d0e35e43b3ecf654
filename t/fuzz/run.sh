#!/bin/sh
# t/fuzz/run.sh - run every libFuzzer binary in fuzz-build/t/fuzz for RUNS
# executions each (default 1000000), starting from the seed corpus.
# Usage: t/fuzz/run.sh BUILD_DIR [RUNS]
set -eu
build=${1:?usage: run.sh BUILD_DIR [RUNS]}; runs=${2:-1000000}
src=$(cd "$(dirname "$0")/../.." && pwd)
for bin in "$build"/fuzz-build/t/fuzz/fuzz_*; do
	name=${bin##*/fuzz_}
	work=$(mktemp -d); cp "$src/t/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true
	echo "== $name: $runs runs"
	"$bin" -runs="$runs" -max_len=4096 "$work" 2>&1 | grep -E '^(#[0-9]+ +DONE|Done|==[0-9]+==ERROR)' || true
	rm -rf "$work"
done
