#!/bin/sh
# fetch-test-exim.sh - an Exim 4.96 for the test suite, beside Postfix
#
# SYNOPSIS
#	contrib/exim/fetch-test-exim.sh [DIR]
#
# DESCRIPTION
#	Exim and Postfix cannot both be installed (each is the system MTA),
#	so the pipe-connect end-to-end test (t/e2e/outbound_pipe_exim.sh)
#	runs Debian's Exim extracted, not installed: this script downloads
#	exim4-daemon-light and exim4-base with apt-get download and unpacks
#	them with dpkg-deb -x into DIR (default /var/cache/mxguard/exim; the
#	tests read MXG_EXIM_ROOT). The binary needs libidn12, which
#	contrib/install-deps.sh test installs. contrib/install-deps.sh test
#	runs this; t/lib/exim.sh runs it too when DIR holds no Exim yet.
#	Running it again is a no-op.
#
# DIAGNOSTICS
#	Exit 0 when DIR holds the binary; otherwise 1 with apt-get's error.
set -eu
dir=${1:-${MXG_EXIM_ROOT:-/var/cache/mxguard/exim}}
bin=$dir/usr/sbin/exim4
[ -x "$bin" ] && exit 0

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || {
	echo "fetch-test-exim: apt-get and dpkg-deb are needed (Debian)" >&2
	exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
(cd "$tmp" && apt-get download -q exim4-daemon-light exim4-base) || {
	echo "fetch-test-exim: apt-get download exim4-daemon-light exim4-base failed" >&2
	exit 1
}
mkdir -p "$dir"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$dir"
done
[ -x "$bin" ] || {
	echo "fetch-test-exim: $dir lacks $bin after unpacking" >&2
	exit 1
}
echo "fetch-test-exim: Exim unpacked in $dir"
