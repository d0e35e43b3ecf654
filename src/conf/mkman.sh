#!/bin/sh
# src/conf/mkman.sh - print the KEYS part of mxguard.conf(5) from the key table
#
# usage: src/conf/mkman.sh BUILDDIR/src/mxguard > keys.man
# The output is pasted between the ".\" KEYS BEGIN and ".\" KEYS END lines
# of man/mxguard.conf.5; t/unit/conf_man_coverage.sh fails when a key of
# the table is missing from the page.
mxg=${1:?usage: mkman.sh PATH-TO-mxguard}
"$mxg" config-test --list-keys | awk -F '\t' '
function esc(s) { gsub(/\\/, "\\e", s); return s }
BEGIN {
	intro["log"] = "Logging of all three programs, to syslog."
	intro["milter"] = "The milter daemon, mxguardd(8)."
	intro["dns"] = "The resolver used by every check."
	intro["store"] = "State kept between messages: LMDB by default, Redis for a fleet."
	intro["spf"] = "SPF (RFC 7208) and the best-guess result."
	intro["dkim"] = "DKIM verification and signing (RFC 6376, RFC 8463)."
	intro["arc"] = "ARC verification and sealing (RFC 8617)."
	intro["dmarc"] = "DMARC (RFC 7489)."
	intro["dcc"] = "The Distributed Checksum Clearinghouse, through dccifd."
	intro["lists"] = "Named lists, referred to in rules as +NAME."
	intro["rules"] = "The policy rules, checked by the policy module when the daemon starts."
	intro["events"] = "Actions run when events happen."
	intro["metrics"] = "Counters for Prometheus and mxguard status (see METRICS in mxguardd(8))."
	intro["outbound"] = "The outbound proxy, mxguard\\-outbound(8)."
}
{
	split($1, part, ".")
	if (part[1] != section) {
		section = part[1]
		printf ".SS %s\n%s\n", section, intro[section]
	}
	printf ".TP\n.B %s\n", $1
	range = ($4 == "-") ? "" : ($2 == "enum" ? ", one of " : ", range ") $4
	gsub(/\|/, ", ", range)
	doc = esc($5)
	if (sub(/^\(required\) /, "", doc))
		range = range ", required"
	doc = toupper(substr(doc, 1, 1)) substr(doc, 2)
	printf "(%s, default \\fB%s\\fR%s)\n.br\n%s.\n", $2, esc($3), range, doc
}'
