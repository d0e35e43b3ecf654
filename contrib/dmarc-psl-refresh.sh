#!/bin/sh
# dmarc-psl-refresh.sh - fetch a fresh public suffix list for DMARC and reload mxguardd
#
# SYNOPSIS
#	contrib/dmarc-psl-refresh.sh [-f FILE | -u URL] [-o OUTPUT] [-p PIDFILE]
#
# DESCRIPTION
#	Debian's publicsuffix package is updated with the distribution; the
#	list itself changes every week. This script downloads
#	https://publicsuffix.org/list/public_suffix_list.dat (or copies FILE),
#	checks that it is a public suffix list (the ICANN and PRIVATE
#	sections, at least 1000 rules), writes it atomically to OUTPUT
#	(default /var/lib/mxguard/public_suffix_list.dat: point dmarc.psl at
#	it) and sends SIGHUP to mxguardd (PIDFILE, default
#	/run/mxguard/mxguardd.pid) so the next configuration snapshot loads
#	it. A download that fails or does not look right leaves the old file
#	in place. Run it weekly from cron or a systemd timer.
#
# DIAGNOSTICS
#	Exit 0 when the list was installed (or was unchanged), 1 otherwise,
#	with the reason on stderr.
set -u
url=https://publicsuffix.org/list/public_suffix_list.dat
src=
out=/var/lib/mxguard/public_suffix_list.dat
pidfile=/run/mxguard/mxguardd.pid
while getopts f:u:o:p: opt; do
	case $opt in
	f) src=$OPTARG ;;
	u) url=$OPTARG ;;
	o) out=$OPTARG ;;
	p) pidfile=$OPTARG ;;
	*) echo "usage: $0 [-f FILE | -u URL] [-o OUTPUT] [-p PIDFILE]" >&2; exit 1 ;;
	esac
done
tmp=$(mktemp "$out.XXXXXX") || { echo "$0: cannot create a file next to $out" >&2; exit 1; }
trap 'rm -f "$tmp"' EXIT
if [ -n "$src" ]; then
	cp "$src" "$tmp" || exit 1
elif command -v curl >/dev/null; then
	curl -fsS --max-time 60 -o "$tmp" "$url" || { echo "$0: download of $url failed" >&2; exit 1; }
elif command -v wget >/dev/null; then
	wget -q -T 60 -O "$tmp" "$url" || { echo "$0: download of $url failed" >&2; exit 1; }
else
	echo "$0: neither curl nor wget is installed" >&2; exit 1
fi
rules=$(grep -cv '^[[:space:]]*\(//.*\)\{0,1\}$' "$tmp")
if ! grep -q '^// ===BEGIN ICANN DOMAINS===' "$tmp" || ! grep -q '^// ===BEGIN PRIVATE DOMAINS===' "$tmp" ||
   [ "$rules" -lt 1000 ]; then
	echo "$0: not a public suffix list ($rules rules): keeping $out" >&2
	exit 1
fi
if [ -f "$out" ] && cmp -s "$tmp" "$out"; then
	exit 0
fi
chmod 644 "$tmp" && mv -f "$tmp" "$out" || { echo "$0: cannot install $out" >&2; exit 1; }
trap - EXIT
if [ -s "$pidfile" ]; then
	kill -HUP "$(cat "$pidfile")" 2>/dev/null || echo "$0: mxguardd (pid file $pidfile) not running: $out installed, not reloaded" >&2
fi
echo "$0: installed $out ($rules rules)"
exit 0
