#!/bin/sh
# t/fuzz/replay.sh - replay each fuzz target's seed corpus (TAP).
# A crash, sanitizer report or non-zero exit fails the target.
: "${top_srcdir:=.}" "${top_builddir:=.}"
n=0; failed=0
for bin in "$top_builddir"/t/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	corpus="$top_srcdir/t/fuzz/corpus/$name"
	n=$((n + 1))
	if [ ! -d "$corpus" ]; then
		echo "not ok $n - fuzz target $name has a seed corpus"; failed=1; continue
	fi
	out=$("$bin" "$corpus" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $n - fuzz target $name survives its seed corpus ($(echo "$out" | tail -1))"
	else
		echo "not ok $n - fuzz target $name survives its seed corpus"; failed=1
		echo "$out" | tail -20 | sed 's/^/# /'
	fi
done
echo "1..$n"
exit $failed
