#!/bin/sh
# t/bench/sendmail_session.sh - the Sendmail half of issue 10's bench: the
# rate of ONE SMTP session through a real Sendmail 8.17 (t/lib/sendmail.sh)
# with mxguardd over inet and over a unix socket, and Debian's OpenDMARC
# the same two ways, side by side in one run. Prints, never fails.
#
# SYNOPSIS
#	sh t/bench/sendmail_session.sh			(from a build directory)
#	BENCH_SESSION_MSGS=500 sh t/bench/sendmail_session.sh
#
# DESCRIPTION
#	Runs inside a private network and mount namespace (unshare --net
#	--mount, as t/bench/run.sh): loopback only, the loopback route with
#	quickack 1 like run.sh, /etc/resolv.conf a bind-mounted copy pointing
#	at an unbound on 127.0.0.1:53 that forwards to the DNS bed (zone
#	bench.example with SPF and DMARC records), so OpenDMARC and mxguardd
#	ask the bed and nothing else.
#
#	For each milter and socket kind, a fresh Sendmail (queueonly: it
#	accepts into its queue and the bench measures the SMTP side) gets
#	one warm-up message, then smtp-source -d sends BENCH_SESSION_MSGS
#	(default 300) messages over ONE connection. Printed: messages/s
#	accepted (Sendmail's "250 2.0.0 ... Message accepted" replies in its
#	-X transcript, over the time smtp-source takes), and per milter the inet/unix
#	ratio. Sendmail talks to a milter with small separate writes per
#	stage, so over inet the MTA's own side stalls whatever the milter
#	does; the figures show how much.
#
# DIAGNOSTICS
#	Exit 0 always; a step that cannot run says why and the rest goes on.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
if [ -z "${MXG_BENCH_NS:-}" ]; then
	MXG_BENCH_NS=1 exec unshare --net --mount sh "$0" "$@"
	echo "sendmail bench: cannot unshare a private network namespace (root needed)"
	exit 0
fi
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/sendmail.sh"
. "$top_srcdir/t/lib/dns.sh"

MSGS=${BENCH_SESSION_MSGS:-300}
. "$top_srcdir/t/bench/lib.sh"
MXGUARDD=$(t_bin mxguardd) || { say "sendmail bench: mxguardd is not built"; exit 0; }
t_sendmail_fetch || { say "sendmail bench: no Sendmail (contrib/install-deps.sh test)"; exit 0; }

ip link set lo up
ip route change local 127.0.0.0/8 dev lo table local quickack 1 2>/dev/null ||
	say "sendmail bench: note: quickack not set on the loopback route"

t_dns_zone bench.example <<'EOF'
@	A	127.0.0.1
@	TXT	"v=spf1 ip4:127.0.0.0/8 -all"
_dmarc	TXT	"v=DMARC1; p=none"
EOF
t_dns_start >"$T_DIR/dns.out" 2>&1 || { say "sendmail bench: DNS bed did not start:"; cat "$T_DIR/dns.out"; exit 0; }
bench_resolver "sendmail bench"

# session NAME SENDMAIL-S= AR-PATTERN - one session's rate; rate in $T_DIR/rate.NAME
session() {
	SM_QUEUE_INTERVAL= t_sendmail_start "$2" "define(\`confDELIVERY_MODE', \`queueonly')dnl" \
		>"$T_DIR/sm.$1.out" 2>&1 || { say "$1: sendmail did not start"; cat "$T_DIR/sm.$1.out"; return 0; }
	t_sendmail_send --from warmup@bench.example --header "Subject: warm-up" \
		--add-header "Date: $(date -R)"
	if [ "$(t_sendmail_count_accepted)" -ne 1 ]; then
		say "$1: the warm-up message was not accepted:"; tail -n 5 "$SM_LAST_SEND"; return 0
	fi
	if [ -n "$3" ] && ! grep -Eq "$3" "$SM_DIR"/queue/qf*; then
		say "$1: the warm-up message lacks the milter's Authentication-Results"; return 0
	fi
	_t0=$(now)
	smtp-source -d -s 1 -m "$MSGS" -l 2048 -f sender@bench.example -t rcpt@remote.test \
		"127.0.0.1:$SM_PORT" >"$T_DIR/src.$1.out" 2>&1 ||
		say "$1: smtp-source: $(tail -n 1 "$T_DIR/src.$1.out")"
	_t1=$(now)
	_n=$(( $(t_sendmail_count_accepted) - 1 ))
	awk -v n="$_n" -v t0="$_t0" -v t1="$_t1" -v name="$1" 'BEGIN {
		r = n / (t1 - t0);
		printf "sendmail, one session, %-22s %5d msgs in %6.2f s  %7.1f msgs/s\n", name, n, t1 - t0, r;
		print r > "/dev/stderr" }' 2>"$T_DIR/rate.$1"
	t_sendmail_stop
}

# ratio NAME - inet/unix of a milter's two runs
ratio() {
	[ -s "$T_DIR/rate.$1 inet" ] && [ -s "$T_DIR/rate.$1 unix" ] || return 0
	awk -v a="$(cat "$T_DIR/rate.$1 inet")" -v b="$(cat "$T_DIR/rate.$1 unix")" -v n="$1" \
		'BEGIN { printf "sendmail, one session, %s inet / unix: %.2fx\n", n, a / b }'
}

say "sendmail bench: one SMTP session of $MSGS messages, smtp-source -> Sendmail 8.17 -> [milter]"
session "no milter" "" ""

if command -v opendmarc >/dev/null; then
	for kind in inet unix; do
		OD_PORT=$(t_free_port)
		odsock="inet:$OD_PORT@127.0.0.1"
		[ $kind = unix ] && odsock="local:$T_DIR/od.sock"
		echo 192.0.2.254 >"$T_DIR/od.ignore"
		cat >"$T_DIR/opendmarc.$kind.conf" <<EOF
Socket $odsock
AuthservID bench.example
PidFile $T_DIR/opendmarc.$kind.pid
Syslog false
IgnoreHosts $T_DIR/od.ignore
IgnoreAuthenticatedClients false
FailureReports false
SPFSelfValidate false
EOF
		opendmarc -f -c "$T_DIR/opendmarc.$kind.conf" >"$T_DIR/opendmarc.$kind.log" 2>&1 &
		OD_PID=$!
		t_on_exit "kill $OD_PID"
		if [ $kind = inet ]; then t_wait_port "$OD_PORT" 10; else t_wait_file "$T_DIR/od.sock" 10; fi ||
			{ say "OpenDMARC ($kind) did not start:"; cat "$T_DIR/opendmarc.$kind.log"; continue; }
		session "OpenDMARC $kind" "$odsock" 'Authentication-Results: bench.example; dmarc='
		kill "$OD_PID" 2>/dev/null
		wait "$OD_PID" 2>/dev/null
	done
	ratio OpenDMARC
else
	say "OpenDMARC: not installed (apt-get install opendmarc): no reference figures"
fi

for kind in inet unix; do
	MX_PORT=$(t_free_port)
	mxsock="inet:$MX_PORT@127.0.0.1" smsock="inet:$MX_PORT@127.0.0.1"
	[ $kind = unix ] && mxsock="unix:$T_DIR/mx.sock" smsock="local:$T_DIR/mx.sock"
	cat >"$T_DIR/mx.$kind.conf" <<EOF
milter: { socket = "$mxsock"; user = ""; pidfile = "$T_DIR/mx.$kind.pid"; };
store: { lmdb = "$T_DIR/state.$kind.mdb"; };
$(t_dns_conf 2000)
EOF
	"$MXGUARDD" -f -c "$T_DIR/mx.$kind.conf" >"$T_DIR/mx.$kind.log" 2>&1 &
	MX_PID=$!
	t_on_exit "kill $MX_PID"
	t_wait_file "$T_DIR/mx.$kind.pid" 10 || { say "mxguardd ($kind) did not start:"; cat "$T_DIR/mx.$kind.log"; continue; }
	session "mxguardd $kind" "$smsock" 'Authentication-Results: '
	kill "$MX_PID" 2>/dev/null
	wait "$MX_PID" 2>/dev/null
done
ratio mxguardd
exit 0
