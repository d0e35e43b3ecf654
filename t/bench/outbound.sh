#!/bin/sh
# t/bench/outbound.sh - `make bench`, part 6: messages/s from a private
# Postfix through mxguard-outbound to smtp-sink, against the same Postfix
# straight to smtp-sink, in one run. Target: the proxy path at >= 0.9x.
#
# SYNOPSIS
#	sh t/bench/outbound.sh		(t/bench/run.sh calls it)
#	BENCH_MSGS=2000 BENCH_SESSIONS=20 sh t/bench/outbound.sh
#
# DESCRIPTION
#	Runs inside a private network namespace (unshare --net --mount) like
#	run.sh. smtp-source sends BENCH_MSGS messages (2 KB) over
#	BENCH_SESSIONS sessions to a private Postfix (t/lib/postfix.sh):
#	  direct  Postfix relays to [127.0.0.1]:SINK (relayhost, smtp client)
#	  proxy   Postfix hands every message (to bench.example, which is no
#	          relay domain, so default_transport applies) to mxguard-outbound over LMTP
#	          (the lines of contrib/postfix/outbound.*, as t/lib/mx.sh sets
#	          them up); the proxy delivers to outbound.relay_host
#	          [127.0.0.1]:SINK, default TLS settings (the sink offers no
#	          STARTTLS).
#	Printed: messages/s (first connection to the last status=sent), the
#	proxy's CPU per message (/proc/PID/stat), and the ratio.
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
TICK=$(getconf CLK_TCK)
. "$top_srcdir/t/bench/lib.sh"
ip link set lo up 2>/dev/null
ulimit -n 8192 2>/dev/null
t_bin mxguard-outbound >/dev/null || { say "bench outbound: mxguard-outbound is not built"; exit 0; }


# measure NAME PID RCPT - send the load, print the rate, leave it in $T_DIR/rate.NAME
measure() {
	t_postfix_send --to "$3" --header "Subject: warm-up" || {
		say "$1: warm-up refused"; return 1; }
	wait_sent 1 60
	[ "$(t_postfix_count_sent)" -ge 1 ] || { say "$1: warm-up not delivered:"; tail -n 3 "$PF_MAILLOG"; return 1; }
	_c0=0; [ -n "$2" ] && _c0=$(cpu_ticks "$2")
	_t0=$(now)
	smtp-source -s "$SESS" -m "$MSGS" -l 2048 -f sender@bench.example -t "$3" \
		"127.0.0.1:$PF_PORT" >"$T_DIR/src.$1.out" 2>&1
	wait_sent $((MSGS + 1)) 600
	_t1=$(now)
	_c1=0; [ -n "$2" ] && _c1=$(cpu_ticks "$2")
	awk -v n="$(( $(t_postfix_count_sent) - 1 ))" -v t0="$_t0" -v t1="$_t1" -v c="$((_c1 - _c0))" \
		-v hz="$TICK" -v name="$1" -v pid="$2" 'BEGIN {
		r = n / (t1 - t0);
		printf "%-34s %6d msgs in %6.2f s  %7.1f msgs/s", name, n, t1 - t0, r;
		if (pid != "") printf "  proxy CPU %.3f ms/msg", c * 1000 / hz / n;
		printf "\n"; print r > "/dev/stderr" }' 2>"$T_DIR/rate.$1"
}

say "mxguard-outbound bench: $MSGS messages, $SESS sessions, smtp-source -> Postfix -> [proxy] -> smtp-sink"
# 1. Postfix straight to the sink.
t_postfix_start "" default_process_limit=200 >"$T_DIR/pf.direct.out" 2>&1 &&
	quiet_sink && measure "Postfix -> smtp-sink" "" rcpt@remote.test
t_postfix_stop

# 2. Postfix -> mxguard-outbound (LMTP) -> the sink.
MX_PORT=25
SINK=$(t_free_port)
smtp-sink -u root -c "127.0.0.1:$SINK" 1000 </dev/null >"$T_DIR/sink2.log" 2>&1 &
t_on_exit "kill $!"
t_wait_port "$SINK" 10
OB_KEYS="relay_host = \"[127.0.0.1]:$SINK\";"
OB_FLAGS=""
if t_outbound_start >"$T_DIR/ob.out" 2>&1; then
	t_mta_start default_process_limit=200 >"$T_DIR/pf.proxy.out" 2>&1 &&
		measure "Postfix -> mxguard-outbound -> sink" "$T_OB_PID" rcpt@bench.example
	t_postfix_stop
else
	say "proxy: mxguard-outbound did not start"; cat "$T_DIR/ob.out"
fi
if [ -s "$T_DIR/rate.Postfix -> smtp-sink" ] && [ -s "$T_DIR/rate.Postfix -> mxguard-outbound -> sink" ]; then
	awk -v d="$(cat "$T_DIR/rate.Postfix -> smtp-sink")" \
		-v p="$(cat "$T_DIR/rate.Postfix -> mxguard-outbound -> sink")" \
		'BEGIN { printf "proxy / direct: %.2fx (target >= 0.9x)\n", p / d }'
fi
exit 0
