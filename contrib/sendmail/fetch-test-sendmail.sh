#!/bin/sh
# fetch-test-sendmail.sh - a Sendmail 8.17 for the test suite, beside Postfix
#
# SYNOPSIS
#	contrib/sendmail/fetch-test-sendmail.sh [DIR]
#
# DESCRIPTION
#	Sendmail and Postfix cannot both be installed (each is the system
#	MTA), so the Sendmail end-to-end test (t/e2e/sendmail_milter.sh)
#	runs Debian's Sendmail extracted, not installed: this script
#	downloads sendmail-bin and sendmail-cf with apt-get download and
#	unpacks them with dpkg-deb -x into DIR (default
#	/var/cache/mxguard/sendmail; the tests read MXG_SENDMAIL_ROOT).
#	The extracted binary loses its setgid bit, or the dynamic loader
#	would ignore the test's environment. The binary needs libwrap0,
#	which contrib/install-deps.sh test installs.
#	contrib/install-deps.sh test runs this; t/lib/sendmail.sh runs it
#	too when DIR holds no Sendmail yet. Running it again is a no-op.
#
# DIAGNOSTICS
#	Exit 0 when DIR holds the binary and the cf files; otherwise 1 with
#	apt-get's error.
set -eu
dir=${1:-${MXG_SENDMAIL_ROOT:-/var/cache/mxguard/sendmail}}
bin=$dir/usr/libexec/sendmail/sendmail
cfm4=$dir/usr/share/sendmail/cf/m4/cf.m4
[ -x "$bin" ] && [ -f "$cfm4" ] && exit 0

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || {
	echo "fetch-test-sendmail: apt-get and dpkg-deb are needed (Debian)" >&2
	exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# apt-get download writes into the current directory; as root it may warn
# that _apt cannot access a private temporary directory: harmless.
chmod 755 "$tmp"
(cd "$tmp" && apt-get download -q sendmail-bin sendmail-cf) || {
	echo "fetch-test-sendmail: apt-get download sendmail-bin sendmail-cf failed" >&2
	exit 1
}
mkdir -p "$dir"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$dir"
done
chmod g-s "$bin"
[ -x "$bin" ] && [ -f "$cfm4" ] || {
	echo "fetch-test-sendmail: $dir lacks $bin or $cfm4 after unpacking" >&2
	exit 1
}
echo "fetch-test-sendmail: Sendmail unpacked in $dir"
