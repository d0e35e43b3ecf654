#!/bin/sh
# t/tools/spf_suite_bed.sh - run one scenario of the RFC 7208 suite on a real DNS bed
#
# SYNOPSIS
#	top_srcdir=... top_builddir=... sh t/tools/spf_suite_bed.sh SCENARIO_DIR
#
# DESCRIPTION
#	SCENARIO_DIR is one directory written by `spf_suite.py gen`. This
#	script declares its zones (nsd) and hanging names (t_dns_timeout),
#	starts the bed (t/lib/dns.sh), then runs `mxguard spf -c CONF IP
#	MAILFROM HELO` for every line of SCENARIO_DIR/tests and writes the
#	output to SCENARIO_DIR/out/ID. Everything it starts is stopped at
#	exit (its own T_DIR and t_on_exit list).
#
# DIAGNOSTICS
#	Exit 0, or 1 with "# " diagnostics when the bed does not start.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"

sd=$1
mxguard=$(t_bin mxguard) || exit 1
mkdir -p "$sd/out"
while read -r zone file; do
	[ -n "$zone" ] && { t_dns_zone "$zone" "$file" || exit 1; }
done <"$sd/zones"
while read -r name; do
	[ -n "$name" ] && { t_dns_timeout "$name" || exit 1; }
done <"$sd/timeouts"
t_dns_start || exit 1
# A per-attempt timeout long enough for a loaded machine; TIMEOUT cases
# cost two attempts each.
t_dns_conf 1000 >"$T_DIR/mxguard.conf"
tab=$(printf '\t')
while IFS="$tab" read -r id ip mfrom helo res exp; do
	if [ -n "$helo" ]; then
		"$mxguard" spf -c "$T_DIR/mxguard.conf" "$ip" "$mfrom" "$helo"
	else
		"$mxguard" spf -c "$T_DIR/mxguard.conf" "$ip" "$mfrom"
	fi >"$sd/out/$id" 2>&1 </dev/null
done <"$sd/tests"
exit 0
