#!/bin/sh
# build.sh - configure and build mxguard out of tree
#
# SYNOPSIS
#	sh contrib/build.sh BUILD_DIR [configure options...]
#
# DESCRIPTION
#	Runs autoreconf when needed, then configure and make -j2 in BUILD_DIR
#	(relative to the source tree), so several builds (plain, sanitizers,
#	fuzzing) can live side by side.
set -eu
cd "$(dirname "$0")/.."
dir=${1:?usage: build.sh BUILD_DIR [configure options]}
shift
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
mkdir -p "$dir"
cd "$dir"
[ -f Makefile ] || ../configure -q "$@"
make -j2 >/dev/null
echo "build.sh: built in $dir"
