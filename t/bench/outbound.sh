#!/bin/sh
# t/bench/outbound.sh - `make bench`, part 6: messages/s from a private
# Postfix through mxguard-outbound to smtp-sink, against the same Postfix
# straight to smtp-sink, in one run. Target: the proxy path at >= 0.9x.
#
# SYNOPSIS
#	sh t/bench/outbound.sh		(t/bench/run.sh calls it)
#	BENCH_MSGS=2000 BENCH_SESSIONS=20 BENCH_ROUNDS=3 sh t/bench/outbound.sh
#
# DESCRIPTION
#	Runs inside a private network namespace (unshare --net --mount) like
#	run.sh. Two private Postfix instances (t/lib/postfix.sh) run side by
#	side with the same settings but the route of their outbound mail:
#	  direct  Postfix relays to [127.0.0.1]:SINK (relayhost, smtp client)
#	  proxy   Postfix hands every message (to bench.example, which is no
#	          relay domain, so default_transport applies) to mxguard-outbound over LMTP
#	          (the lines of contrib/postfix/outbound.*, as t/lib/mx.sh sets
#	          them up); the proxy delivers to outbound.relay_host
#	          [127.0.0.1]:SINK, default TLS settings (the sink offers no
#	          STARTTLS).
#	Both get the same destination concurrency limit (100, the contrib
#	value; Postfix's default for the direct relay transport is 20) and
#	connection caching (the smtp client's on-demand default, the lmtp
#	client's lmtp_connection_cache_on_demand of contrib); each sink is a
#	non-storing smtp-sink. smtp-source sends BENCH_MSGS messages (2 KB)
#	over BENCH_SESSIONS sessions, alternately to each instance, for
#	BENCH_ROUNDS rounds, so a change in the machine's load hits both
#	paths alike.
#	Printed per round: messages/s (first connection to the last
#	status=sent), the proxy's CPU per message (/proc/PID/stat) and the
#	ratio; then the median ratio and the load average (uptime).
# DIAGNOSTICS
#	Exit 0 always.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
if [ -z "${MXG_BENCH_NS:-}" ]; then
	MXG_BENCH_NS=1 exec unshare --net --mount sh "$0" "$@"
	echo "bench: cannot unshare a private network namespace (root needed)"
	exit 0
fi
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/mx.sh"

MSGS=${BENCH_MSGS:-2000}
SESS=${BENCH_SESSIONS:-20}
ROUNDS=${BENCH_ROUNDS:-3}
TICK=$(getconf CLK_TCK)
. "$top_srcdir/t/bench/lib.sh"
ip link set lo up 2>/dev/null
ulimit -n 8192 2>/dev/null
t_bin mxguard-outbound >/dev/null || { say "bench outbound: mxguard-outbound is not built"; exit 0; }

# The settings both Postfix instances share (see DESCRIPTION).
PF_SAME="default_process_limit=200 relay_destination_concurrency_limit=100"

# use NAME - make the instance NAME (direct or proxy) current for t/lib/postfix.sh
use() {
	eval "PF_DIR=\$PF_DIR_$1 PF_PORT=\$PF_PORT_$1 PF_MAILLOG=\$PF_MAILLOG_$1"
}

# keep NAME - remember the instance just started as NAME
keep() {
	eval "PF_DIR_$1=\$PF_DIR PF_PORT_$1=\$PF_PORT PF_MAILLOG_$1=\$PF_MAILLOG"
}

# warm NAME RCPT - one message through, so caches and processes exist
warm() {
	use "$1"
	t_postfix_send --to "$2" --header "Subject: warm-up" || { say "$1: warm-up refused"; return 1; }
	wait_sent 1 60
	[ "$(t_postfix_count_sent)" -ge 1 ] || { say "$1: warm-up not delivered:"; tail -n 3 "$PF_MAILLOG"; return 1; }
}

# measure NAME PID RCPT LABEL - send the load, print the rate, leave it in $T_DIR/rate.NAME
measure() {
	use "$1"
	_n0=$(t_postfix_count_sent)
	_c0=0; [ -n "$2" ] && _c0=$(cpu_ticks "$2")
	_t0=$(now)
	smtp-source -s "$SESS" -m "$MSGS" -l 2048 -f sender@bench.example -t "$3" \
		"127.0.0.1:$PF_PORT" >"$T_DIR/src.$1.out" 2>&1
	wait_sent $((_n0 + MSGS)) 600
	_t1=$(now)
	_c1=0; [ -n "$2" ] && _c1=$(cpu_ticks "$2")
	awk -v n="$(( $(t_postfix_count_sent) - _n0 ))" -v t0="$_t0" -v t1="$_t1" -v c="$((_c1 - _c0))" \
		-v hz="$TICK" -v name="$4" -v pid="$2" 'BEGIN {
		r = n / (t1 - t0);
		printf "%-34s %6d msgs in %6.2f s  %7.1f msgs/s", name, n, t1 - t0, r;
		if (pid != "") printf "  proxy CPU %.3f ms/msg", c * 1000 / hz / n;
		printf "\n"; print r > "/dev/stderr" }' 2>"$T_DIR/rate.$1"
}

say "mxguard-outbound bench: $MSGS messages, $SESS sessions, $ROUNDS rounds, smtp-source -> Postfix -> [proxy] -> smtp-sink"
# 1. Postfix straight to the sink.
# shellcheck disable=SC2086
t_postfix_start "" $PF_SAME >"$T_DIR/pf.direct.out" 2>&1 && quiet_sink && keep direct ||
	{ say "direct: Postfix did not start"; cat "$T_DIR/pf.direct.out"; exit 0; }

# 2. Postfix -> mxguard-outbound (LMTP) -> its own sink.
MX_PORT=25
SINK=$(t_free_port)
smtp-sink -u root -c "127.0.0.1:$SINK" 1000 </dev/null >"$T_DIR/sink2.log" 2>&1 &
t_on_exit "kill $!"
t_wait_port "$SINK" 10
OB_KEYS="relay_host = \"[127.0.0.1]:$SINK\";"
OB_FLAGS=""
t_outbound_start >"$T_DIR/ob.out" 2>&1 || { say "proxy: mxguard-outbound did not start"; cat "$T_DIR/ob.out"; exit 0; }
# shellcheck disable=SC2086
t_mta_start $PF_SAME >"$T_DIR/pf.proxy.out" 2>&1 && quiet_sink && keep proxy ||
	{ say "proxy: Postfix did not start"; cat "$T_DIR/pf.proxy.out"; exit 0; }

warm direct rcpt@remote.test && warm proxy rcpt@bench.example || exit 0
: >"$T_DIR/ratios"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	measure direct "" rcpt@remote.test "$r: Postfix -> smtp-sink"
	measure proxy "$T_OB_PID" rcpt@bench.example "$r: Postfix -> mxguard-outbound -> sink"
	if [ -s "$T_DIR/rate.direct" ] && [ -s "$T_DIR/rate.proxy" ]; then
		awk -v d="$(cat "$T_DIR/rate.direct")" -v p="$(cat "$T_DIR/rate.proxy")" \
			'BEGIN { printf "%.3f\n", p / d }' | tee -a "$T_DIR/ratios" | sed "s/^/$r: proxy \/ direct: /"
	fi
	r=$((r + 1))
done
[ -s "$T_DIR/ratios" ] && sort -n "$T_DIR/ratios" | awk '{ v[NR] = $1 } END {
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
	printf "proxy / direct, median of %d rounds: %.2fx (target >= 0.9x)\n", NR, m }'
say "load:$(uptime | sed 's/.*load average//')"
exit 0
