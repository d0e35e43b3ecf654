#!/bin/sh
# t/bench/run.sh - `make bench`: mxguardd against no milter and against
# Debian's OpenDMARC milter, through the bed's private Postfix, side by side
# in one run; then mxguardd's memory with 1,000 idle milter connections and
# the per-session rate over inet vs unix sockets; then t/bench/events.sh (100
# messages with a Redis event action, Redis answering vs stopped). Prints
# figures, never fails.
#
# SYNOPSIS
#	make bench			(from a build directory)
#	BENCH_MSGS=3000 BENCH_SESSIONS=20 BENCH_SESSION_MSGS=300 sh t/bench/run.sh
#	BENCH_ONLY="mxguardd session" sh t/bench/run.sh
#
# DESCRIPTION
#	Everything runs inside a private network and mount namespace
#	(unshare --net --mount): loopback only, nothing on the machine is
#	touched, /etc/resolv.conf is a bind-mounted copy pointing at an
#	unbound on 127.0.0.1:53 that forwards to the bed's DNS (t/lib/dns.sh,
#	zone bench.example with a DMARC record), so OpenDMARC, which uses the
#	system resolver, asks the bed. The loopback route gets quickack 1 for
#	every run alike (TESTBED.md: delayed ACKs otherwise dominate inet
#	milters).
#
#	For each of: no milter, OpenDMARC (inet, IgnoreHosts emptied so it
#	checks loopback clients), mxguardd with every check off ("no
#	checks") and mxguardd with its default config (inet; only the
#	socket, user, pid file, store path and dns.servers = the bench's
#	unbound are set, and milter.trusted_hosts is emptied so that the
#	loopback client is checked like any other, as OpenDMARC's is),
#	a private Postfix (t/lib/postfix.sh) relays to an smtp-sink that
#	keeps nothing; one warm-up message proves the milter is in the path
#	(its Authentication-Results reaches the sink), then smtp-source sends
#	BENCH_MSGS messages over BENCH_SESSIONS sessions, from
#	sender@bench.example. Printed: messages/s end to end (first
#	connection to the last "status=sent" in the maillog) and the milter's
#	own CPU per message (utime+stime of its process from /proc over the
#	run).
#
#	Then: mxguardd's RSS with 1,000 milter connections held open after
#	negotiation and connect (t/bench/conns.pl), per connection; and the
#	rate of ONE SMTP session (smtp-source -d: BENCH_SESSION_MSGS
#	messages over one connection) through mxguardd (default config) and
#	through OpenDMARC, each over inet and over a unix socket (issue 10:
#	the 40 ms Nagle/delayed-ACK stall per message shows there).
#
#	Then the full inbound scenario (t/bench/inbound_full.sh, sourced):
#	DKIM-signed mail with SPF and DMARC records, mxguardd with every
#	check vs OpenDKIM + OpenDMARC chained.
#
#	BENCH_ONLY selects parts (space-separated): none opendmarc nochecks
#	mxguardd rss session full; default all (and only then the other
#	scripts). Then every other t/bench/*.sh
#	runs, in name order: inside this namespace at the end, or, for a
#	script that makes its own (it tests MXG_BENCH_NS, e.g. the Sendmail
#	session rates), after it.
# DIAGNOSTICS
#	Exit 0 always; a step that cannot run says why and the rest goes on.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
if [ -z "${MXG_BENCH_NS:-}" ]; then
	MXG_BENCH_NS=1 unshare --net --mount sh "$0" "$@" ||
		echo "bench: cannot unshare a private network namespace (root needed)"
	# The other benchmarks that make their own namespace (they test
	# MXG_BENCH_NS), e.g. the Sendmail session rates.
	for _b in "$top_srcdir"/t/bench/*.sh; do
		case $(basename "$_b") in run.sh | lib.sh | inbound_full.sh) continue ;; esac
		[ -n "${BENCH_ONLY:-}" ] && continue
		grep -q MXG_BENCH_NS "$_b" || continue
		echo
		sh "$_b" || echo "bench: $_b exited $?"
	done
	exit 0
fi
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/dns.sh"

MSGS=${BENCH_MSGS:-3000}
SESS=${BENCH_SESSIONS:-20}
SMSGS=${BENCH_SESSION_MSGS:-300}
ONLY=" ${BENCH_ONLY:-none opendmarc nochecks mxguardd rss session full} "
# want PART - is PART selected by BENCH_ONLY?
want() { case $ONLY in *" $1 "*) return 0 ;; esac; return 1; }
TICK=$(getconf CLK_TCK)
MXGUARDD=$(t_bin mxguardd) || { echo "bench: mxguardd is not built"; exit 0; }
. "$top_srcdir/t/bench/lib.sh"
. "$top_srcdir/t/bench/inbound_full.sh"

ip link set lo up
ip route change local 127.0.0.0/8 dev lo table local quickack 1 2>/dev/null ||
	say "bench: note: quickack not set on the loopback route"
ulimit -n 8192 2>/dev/null

# DNS: the bed, plus a forwarder on :53 for programs using resolv.conf.
t_dns_zone bench.example <<'EOF'
@	A	127.0.0.1
_dmarc	TXT	"v=DMARC1; p=none"
EOF
want full && full_zone
t_dns_start >"$T_DIR/dns.out" 2>&1 || { say "bench: DNS bed did not start:"; cat "$T_DIR/dns.out"; exit 0; }
bench_resolver bench


# What smtp-source sends (the full scenario: -F a signed message) and from whom.
SRC_OPTS="-l 2048"
SENDER=sender@bench.example
# ticks PID... - utime + stime of the processes, summed
ticks() { _t=0; for _p in "$@"; do _t=$((_t + $(cpu_ticks "$_p"))); done; echo $_t; }

# run NAME MILTER-SPEC "MILTER-PID..." AR-PATTERN - one side of the comparison
run() {
	_name=$1 _spec=$2 _pid=$3 _ar=$4
	t_postfix_start "$_spec" default_process_limit=200 >"$T_DIR/pf.$_name.out" 2>&1 ||
		{ say "$_name: postfix did not start"; cat "$T_DIR/pf.$_name.out"; return 0; }
	if [ "$SRC_OPTS" = "-l 2048" ]; then
		t_postfix_send --from warmup@bench.example --header "Subject: warm-up"
	else
		smtp-source -s 1 -m 1 $SRC_OPTS -f "$SENDER" -t rcpt@remote.test \
			"127.0.0.1:$PF_PORT" >"$T_DIR/src.w.$_name.out" 2>&1
	fi
	if ! t_postfix_wait_delivered 1 60 >/dev/null; then
		say "$_name: the warm-up message was not delivered:"; tail -n 5 "$PF_MAILLOG"; return 0
	fi
	if [ -n "$_ar" ] && ! grep -Eq "$_ar" $(t_postfix_sink_files); then
		say "$_name: warm-up message lacks the milter's Authentication-Results:"
		sed -n '1,15p' $(t_postfix_sink_files); return 0
	fi
	cat $(t_postfix_sink_files) >"$T_DIR/warmup.$_name" 2>/dev/null
	quiet_sink || { say "$_name: sink did not restart"; return 0; }
	_c0=0; [ -n "$_pid" ] && _c0=$(ticks $_pid)
	_t0=$(now)
	smtp-source -s "$SESS" -m "$MSGS" $SRC_OPTS -f "$SENDER" -t rcpt@remote.test \
		"127.0.0.1:$PF_PORT" >"$T_DIR/src.$_name.out" 2>&1
	wait_sent $((MSGS + 1)) 600 ||
		say "$_name: only $(t_postfix_count_sent) of $((MSGS + 1)) delivered"
	_t1=$(now)
	_c1=0; [ -n "$_pid" ] && _c1=$(ticks $_pid)
	_sent=$(( $(t_postfix_count_sent) - 1 ))
	awk -v n="$_sent" -v t0="$_t0" -v t1="$_t1" -v c="$((_c1 - _c0))" -v hz="$TICK" \
		-v name="$_name" -v pid="$_pid" 'BEGIN {
		r = n / (t1 - t0);
		if (pid != "") printf "%-22s %6d msgs in %6.2f s  %7.1f msgs/s  milter CPU %.3f ms/msg\n", name, n, t1 - t0, r, c * 1000 / hz / n;
		else printf "%-22s %6d msgs in %6.2f s  %7.1f msgs/s\n", name, n, t1 - t0, r;
		print r > "/dev/stderr" }' 2>"$T_DIR/rate.$_name"
	t_postfix_stop
}

# session_rate NAME SPEC - messages/s of ONE SMTP session (smtp-source -d) through a milter
session_rate() {
	t_postfix_start "$2" >"$T_DIR/pf.s$1.out" 2>&1 || { say "$1: postfix did not start"; return 0; }
	quiet_sink || return 0
	_t0=$(now)
	smtp-source -d -s 1 -m "$SMSGS" -l 2048 -f sender@bench.example -t rcpt@remote.test \
		"127.0.0.1:$PF_PORT" >"$T_DIR/src.s$1.out" 2>&1
	_t1=$(now)
	_ok=$(grep -c ': client=localhost\[127.0.0.1\]' "$PF_MAILLOG")
	awk -v t0="$_t0" -v t1="$_t1" -v name="$1" -v n="$SMSGS" -v ok="$_ok" 'BEGIN {
		r = n / (t1 - t0);
		printf "one session, %-16s %7.1f msgs/s accepted (%d messages, %d queued)\n", name, r, n, ok;
		print r > "/dev/stderr" }' 2>"$T_DIR/srate.$1"
	t_postfix_stop
}

# ratio LABEL A B TARGET - print rate A / rate B (files in T_DIR) when both exist
ratio() {
	[ -s "$T_DIR/$2" ] && [ -s "$T_DIR/$3" ] || return 0
	awk -v a="$(cat "$T_DIR/$2")" -v b="$(cat "$T_DIR/$3")" -v l="$1" -v t="$4" \
		'BEGIN { printf "%s: %.2fx (%s)\n", l, a / b, t }'
}

say "mxguard bench: $MSGS messages, $SESS SMTP sessions, smtp-source -> Postfix -> [milter] -> smtp-sink"
say "machine: $(nproc) CPUs, $(uname -r); private network namespace, loopback quickack"

# 1. No milter.
want none && run "no milter" "" "" ""

# 2. OpenDMARC.
OD_PORT=$(t_free_port)
OD_SOCK=$T_DIR/opendmarc.sock
# odstart SOCKET - start OpenDMARC -f on SOCKET; its pid in OD_PID
odstart() {
	echo 192.0.2.254 >"$T_DIR/od.ignore"
	cat >"$T_DIR/opendmarc.conf" <<EOF
Socket $1
AuthservID bench.example
PidFile $T_DIR/opendmarc.pid
Syslog false
IgnoreHosts $T_DIR/od.ignore
IgnoreAuthenticatedClients false
FailureReports false
SPFSelfValidate ${OD_SPF:-false}
TrustedAuthservIDs bench.example
UMask 0000
EOF
	peer_start opendmarc "$T_DIR/opendmarc.pid" opendmarc -f -c "$T_DIR/opendmarc.conf" || return 1
	OD_PID=$PEER_PID
}
# stop PID - stop a milter and wait for it
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
HAVE_OD=0
if command -v opendmarc >/dev/null; then
	HAVE_OD=1
else
	say "OpenDMARC: not installed (apt-get install opendmarc): no reference figures"
fi
if [ $HAVE_OD = 1 ] && want opendmarc && odstart "inet:$OD_PORT@127.0.0.1"; then
	run "OpenDMARC (inet)" "inet:127.0.0.1:$OD_PORT" "$OD_PID" \
		'^Authentication-Results: bench.example; dmarc='
	stop "$OD_PID"
fi

# 3. mxguardd with every check off, then with its default config.
MX_PORT=$(t_free_port)
MX_SOCK=$T_DIR/mx/mxguardd.sock
mkdir -p "$T_DIR/mx" && chown postfix "$T_DIR/mx"	# Postfix's smtpd reaches the socket
# mxconf SOCKET FILE [EXTRA] - the default config plus what the bench must set
mxconf() {
	cat >"$2" <<EOF
milter: { socket = "$1"; user = "postfix"; pidfile = "$2.pid"; trusted_hosts = [ ]; };
store: { lmdb = "$T_DIR/mx/state.mdb"; };
dns: { servers = [ "127.0.0.1:53" ]; };
${3:-}
EOF
}
NOCHECKS='spf: { enabled = false; }; dkim: { verify = false; }; arc: { verify = false; }; dmarc: { enabled = false; };'
# mxstart CONF - start mxguardd -f on CONF; its pid in MXS_PID
mxstart() {
	"$MXGUARDD" -f -c "$1" >"$1.log" 2>&1 &
	MXS_PID=$!
	t_on_exit "kill $MXS_PID"
	t_wait_file "$1.pid" 10 || { say "mxguardd did not start:"; cat "$1.log"; return 1; }
}
if want nochecks; then
	mxconf "inet:$MX_PORT@127.0.0.1" "$T_DIR/mx/none.conf" "$NOCHECKS"
	if mxstart "$T_DIR/mx/none.conf"; then
		run "mxguardd no checks" "inet:127.0.0.1:$MX_PORT" "$MXS_PID" '^Authentication-Results: '
		stop "$MXS_PID"
	fi
fi
mxconf "inet:$MX_PORT@127.0.0.1" "$T_DIR/mx/inet.conf"
if want mxguardd && mxstart "$T_DIR/mx/inet.conf"; then
	run "mxguardd default" "inet:127.0.0.1:$MX_PORT" "$MXS_PID" '^Authentication-Results: '
	stop "$MXS_PID"
fi
ratio "mxguardd default / OpenDMARC messages/s" "rate.mxguardd default" "rate.OpenDMARC (inet)" \
	"target >= 1.3x"
want mxguardd && say "target: mxguardd default <= 0.150 ms CPU/msg"

# 3b. The full inbound scenario (t/bench/inbound_full.sh).
want full && full_run

# 4. RSS with 1,000 idle milter connections.
mxconf "unix:$MX_SOCK" "$T_DIR/mx/unix.conf"
if want rss && mxstart "$T_DIR/mx/unix.conf"; then
	MXU_PID=$MXS_PID
	# 100 connections first (libmilter's and the pipeline's one-time
	# allocations), then 900 more: the difference is per connection.
	perl "$top_srcdir/t/bench/conns.pl" "$MX_SOCK" 100 "$T_DIR/r100" >"$T_DIR/c100.out" 2>&1 &
	CP1=$!
	t_on_exit "kill $CP1"
	t_wait_file "$T_DIR/r100" 60
	R0=$(rss_kib "$MXU_PID")
	perl "$top_srcdir/t/bench/conns.pl" "$MX_SOCK" 900 "$T_DIR/r900" >"$T_DIR/c900.out" 2>&1 &
	CP2=$!
	t_on_exit "kill $CP2"
	t_wait_file "$T_DIR/r900" 120
	R1=$(rss_kib "$MXU_PID")
	T1=$(ls "/proc/$MXU_PID/task" | wc -l)
	if [ -e "$T_DIR/r100" ] && [ -e "$T_DIR/r900" ]; then
		awk -v r0="$R0" -v r1="$R1" -v t="$T1" 'BEGIN {
			printf "mxguardd RSS: %d KiB with 100 connections, %d KiB with 1000 (%d threads): %.1f KiB per idle connection (target <= 64)\n", r0, r1, t, (r1 - r0) / 900 }'
	else
		say "RSS: the client could not hold 1000 connections:"; tail -n 3 "$T_DIR/c100.out" "$T_DIR/c900.out"
	fi
	kill "$CP1" "$CP2" 2>/dev/null
	stop "$MXU_PID"
fi

# 5. One SMTP session, inet vs unix socket (issue 10), mxguardd and OpenDMARC.
if want session; then
	mxconf "inet:$MX_PORT@127.0.0.1" "$T_DIR/mx/s-inet.conf"
	if mxstart "$T_DIR/mx/s-inet.conf"; then
		session_rate "mxguardd inet" "inet:127.0.0.1:$MX_PORT"
		stop "$MXS_PID"
	fi
	mxconf "unix:$MX_SOCK" "$T_DIR/mx/s-unix.conf"
	if mxstart "$T_DIR/mx/s-unix.conf"; then
		session_rate "mxguardd unix" "unix:$MX_SOCK"
		stop "$MXS_PID"
	fi
	if [ $HAVE_OD = 1 ] && odstart "inet:$OD_PORT@127.0.0.1"; then
		session_rate "OpenDMARC inet" "inet:127.0.0.1:$OD_PORT"
		stop "$OD_PID"
	fi
	if [ $HAVE_OD = 1 ] && odstart "unix:$OD_SOCK"; then
		session_rate "OpenDMARC unix" "unix:$OD_SOCK"
		stop "$OD_PID"
	fi
	ratio "one session, mxguardd inet / unix" "srate.mxguardd inet" "srate.mxguardd unix" \
		"target >= 0.8x"
	ratio "one session, OpenDMARC inet / unix" "srate.OpenDMARC inet" "srate.OpenDMARC unix" \
		"reference"
fi
# 6. The other benchmarks that run in this namespace (t/bench/events.sh: a
# stopped Redis vs a live one for event actions; ...), in name order; those
# that make their own (t/bench/outbound.sh, sendmail_session.sh) run after.
for _b in "$top_srcdir"/t/bench/*.sh; do
	case $(basename "$_b") in run.sh | lib.sh | inbound_full.sh) continue ;; esac
	[ -n "${BENCH_ONLY:-}" ] && continue
	grep -q MXG_BENCH_NS "$_b" && continue
	echo
	sh "$_b" || echo "bench: $_b exited $?"
done
exit 0
