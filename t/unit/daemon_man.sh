#!/bin/sh
# daemon_man.sh - man/mxguardd.8 and man/mxguard-outbound.8 render without
# groff warnings and document every option the programs accept.
. "$top_srcdir/t/lib/common.sh"

command -v groff > /dev/null || t_bail "groff is missing: apt-get install groff-base"
for page in mxguardd.8 mxguard-outbound.8; do
	w=$(LC_ALL=C.UTF-8 groff -man -ww -Tutf8 -z "$top_srcdir/man/$page" 2>&1)
	t_is "$w" "" "$page renders without groff warnings"
done
for prog in mxguardd mxguard-outbound; do
	bin=$(t_bin "$prog") || t_bail "$prog is not built"
	opts=$("$bin" -h | sed -n 's/^  -\([a-zA-Z]\) .*/\1/p' | tr -d '\n')
	[ -n "$opts" ]; ok $? "$prog -h lists options ($opts)"
	missing=
	for o in $(echo "$opts" | sed 's/./& /g'); do
		grep -q "^\.B[I]* \\\\-$o" "$top_srcdir/man/$prog.8" || missing="$missing -$o"
	done
	t_is "$missing" "" "$prog.8 documents every option of $prog -h"
done
grep -q 'smtpd_milters = unix:mxguard/mxguardd.sock' "$top_srcdir/man/mxguardd.8"
ok $? "mxguardd.8 shows the Postfix chroot unix socket setup"
grep -q 'smtpd_milters = unix:mxguard/mxguardd.sock' "$top_srcdir/contrib/postfix/main.cf.snippet"
ok $? "the Postfix snippet uses the same socket as the man page"
t_done
