#!/bin/sh
# t/bench/events.sh - `make bench`: does a stopped Redis delay mail? mxguardd
# with a redis event action (XADD on msg:complete, async, timeout_ms 1000,
# events.queue_max 10) behind the bed's private Postfix; BENCH_EVENT_MSGS
# (default 100) messages sent with smtp-source while Redis answers, then the
# same with Redis stopped (SIGSTOP: connections hang until the timeout).
# Prints both durations (first message sent to last "status=sent"), the
# entries Redis got and the events mxguardd dropped. Never fails.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/redis.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

MSGS=${BENCH_EVENT_MSGS:-100}
say() { printf '%s\n' "$*"; }
now_ms() { perl -MTime::HiRes=time -e 'printf "%d\n", time * 1000'; }

t_redis_start >/dev/null || { say "bench events: redis-server did not start"; exit 0; }
cat >"$T_DIR/m.conf" <<EOF
milter: { socket = "inet:$D_PORT@127.0.0.1"; user = ""; pidfile = "$D_PIDFILE"; };
spf: { enabled = false; };
dmarc: { enabled = false; };
store: { lmdb = "$T_DIR/state.mdb"; redis = "127.0.0.1:$REDIS_PORT/0"; };
events: { queue_max = 10; actions = (
  { on = [ "msg:complete" ]; redis = "XADD mxg:bench * from \$sender_address v \$event_data";
    timeout_ms = 1000; } ); };
EOF
d_start "$T_DIR/m.conf" || { say "bench events: mxguardd did not start"; exit 0; }
t_postfix_start "inet:127.0.0.1:$D_PORT" >/dev/null || { say "bench events: postfix did not start"; exit 0; }

# run LABEL - send MSGS messages, print the time until all are delivered
run() {
	_before=$(t_postfix_count_sent)
	_t0=$(now_ms)
	smtp-source -m "$MSGS" -s 5 -f sender@bed.test -t rcpt@remote.test "127.0.0.1:$PF_PORT" \
		>/dev/null 2>&1
	if t_postfix_wait_delivered $((_before + MSGS)) 300 >/dev/null; then
		_t1=$(now_ms)
		awk -v l="$1" -v n="$MSGS" -v ms=$((_t1 - _t0)) \
			'BEGIN { printf "events: %d messages with %s: %.2f s (%.1f msg/s)\n", n, l, ms / 1000, n * 1000 / (ms ? ms : 1) }'
	else
		say "events: $1: not every message was delivered within 300 s"
	fi
}
run "Redis answering"
say "events: entries in Redis: $(t_redis_cli xlen mxg:bench)"
kill -STOP "$REDIS_PID"
t_on_exit "kill -CONT $REDIS_PID"
run "Redis stopped (SIGSTOP)"
kill -CONT "$REDIS_PID"
d_stop
say "events: mxguardd at the end: $(sed -n 's/.*events: totals: //p' "$D_LOG" | tail -n 1)"
exit 0
