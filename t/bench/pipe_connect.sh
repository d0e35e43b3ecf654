#!/bin/sh
# t/bench/pipe_connect.sh - `make bench`: what pipe-connect saves per
# delivery on a 50 ms round trip, and how many next-hop connections the
# connection cache opens for 100 messages.
#
# SYNOPSIS
#	sh t/bench/pipe_connect.sh		(t/bench/run.sh calls it)
#	BENCH_PIPE_MSGS=20 sh t/bench/pipe_connect.sh
#
# DESCRIPTION
#	Runs in a private network and mount namespace (unshare --net
#	--mount) where loopback gets `tc qdisc add dev lo root netem delay
#	25ms` (every packet waits 25 ms: a 50 ms round trip). The next hop is
#	Debian's Exim 4.96 (t/lib/exim.sh, PIPECONNECT advertised); the
#	proxy relays to it (outbound.relay_host) with connection_cache_s = 0
#	so every message opens a connection. For clear text (tls = none) and
#	STARTTLS (tls = may), BENCH_PIPE_MSGS messages (default 10) go over
#	LMTP one at a time (MAIL, RCPT and DATA pipelined by the MTA side, so
#	with pipe-connect the whole transaction is in the first flight in
#	clear text, and in the write after the handshake with STARTTLS),
#	with outbound.pipe_connect false and then true
#	(its first message only fills the EHLO cache and is left out).
#	Printed: the mean connection setup time from the delivery lines
#	(delays=CONN/..., connect to ready for RCPT) and the mean wall
#	time per delivery, both variants side by side, and the savings in
#	round trips (50 ms each) of both. The relay (used where the kernel has no
#	sch_netem) delays data, not the TCP handshake with it, so it
#	under-states the connection setup that both variants share.
#
#	Then, without netem, 100 messages to the same destination with
#	outbound.connection_cache_s = 2: the number of connections Exim saw
#	(its smtp_connection log lines) against the number of messages.
# DIAGNOSTICS
#	Exit 0 always.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
export top_srcdir top_builddir
if [ -z "${MXG_BENCH_PIPE_NS:-}" ]; then
	MXG_BENCH_PIPE_NS=1 exec unshare --net --mount sh "$0" "$@"
	echo "bench: cannot unshare a private network namespace (root needed)"
	exit 0
fi
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/certs.sh"
. "$top_srcdir/t/lib/mx.sh"
. "$top_srcdir/t/lib/exim.sh"

N=${BENCH_PIPE_MSGS:-10}
ip link set lo up
echo "== pipe-connect: Exim 4.96 next hop, 50 ms round trip, $N messages each"

# lmtp_batch PORT COUNT PREFIX - COUNT messages in one LMTP session, one at a
# time, MAIL, RCPT and DATA pipelined in one write as Postfix's LMTP client does
lmtp_batch() {
	perl -MIO::Socket::INET -e '
	  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
	  sub reply { my ($l, $r) = ("", ""); do { $l = <$s>; $r .= $l } while ($l =~ /^\d\d\d-/); return $r; }
	  sub cmd { print $s "$_[0]\r\n"; return reply(); }
	  <$s>; cmd("LHLO mta.bed.test");
	  for my $i (1..$ARGV[1]) {
	    print $s "MAIL FROM:<s\@bed.test>\r\nRCPT TO:<$ARGV[2]$i\@exim.test>\r\nDATA\r\n";
	    reply(); reply(); reply();
	    cmd("Subject: bench\r\n\r\nbody\r\n.");
	  }
	  cmd("QUIT");' "$1" "$2" "$3"
}

# proxy TLS PIPE CACHE_S STORE - (re)start the proxy
proxy() {
	[ -n "${T_OB_PID:-}" ] && { kill "$T_OB_PID"; wait "$T_OB_PID" 2>/dev/null; }
	OB_FLAGS="" OB_KEYS="relay_host = \"[127.0.0.1]\"; tls = \"$1\"; dane = \"no\"; pipe_connect = $2;
	  connection_cache_s = $3; ocsp = \"no\";"
	export OB_FLAGS
	t_outbound_start "store: { lmdb = \"$T_DIR/$4.mdb\"; };" >/dev/null || { echo "bench: proxy did not start"; exit 0; }
}

# measure LABEL TLS PIPE - sets M_CONN and M_WALL (ms, means over messages 2..N+1);
# runs in this shell (not in $(...)) so that the proxy it starts is stopped at exit
measure() {
	proxy "$2" "$3" 0 "$1"
	lmtp_batch "$OB_PORT" 1 "w$1" >/dev/null	# warms the EHLO cache
	_t0=$(date +%s%N)
	lmtp_batch "$OB_PORT" "$N" "m$1" >/dev/null
	_t1=$(date +%s%N)
	_conn=$(grep "to=<m$1" "$OB_LOG" | sed -n 's/.*delays=\([0-9.]*\)\/.*/\1/p' |
		awk '{ s += $1; n++ } END { if (n) printf "%.1f", s * 1000 / n; else print "?" }')
	M_CONN=$_conn M_WALL=$(( (_t1 - _t0) / 1000000 / N ))
}

EX_PORT=$(t_free_port); MX_PORT=$EX_PORT
t_ca_new ca >/dev/null && t_cert_new ca exim.test >/dev/null || { echo "bench: no certificates"; exit 0; }
t_exim_start "*" "$T_CERT_DIR/exim.test.chain.pem" "$T_CERT_DIR/exim.test.key" >/dev/null ||
	{ echo "bench: Exim did not start (contrib/install-deps.sh test fetches it)"; exit 0; }
# A 50 ms round trip between the proxy and Exim: netem on lo where the
# kernel has it (then the LMTP side is delayed too, alike for both
# variants), else a relay that delays each direction by 25 ms.
NETEM=0
if tc qdisc add dev lo root netem delay 25ms 2>/dev/null; then
	NETEM=1; echo "(tc netem delay 25ms on lo)"
else
	RELAY_PORT=$(t_free_port)
	/usr/bin/python3 "$top_srcdir/t/bench/delay_relay.py" "$RELAY_PORT" "$EX_PORT" 25 "$T_DIR/relay.ready" 2>/dev/null &
	t_on_exit "kill $!"
	t_wait_file "$T_DIR/relay.ready" 10 || { echo "bench: delay relay did not start"; exit 0; }
	MX_PORT=$RELAY_PORT
	echo "(no sch_netem in this kernel: a relay delays each direction by 25 ms, t/bench/delay_relay.py)"
fi
printf '%-12s %22s %22s %21s\n' "" "without pipe-connect" "with pipe-connect" "RTTs saved"
printf '%-12s %11s %10s %11s %10s %10s %10s\n' "" "setup ms" "total ms" "setup ms" "total ms" \
	"setup" "delivery"
for mode in "clear none" "starttls may"; do
	set -- $mode
	measure "$1off" "$2" false; a_conn=$M_CONN a_wall=$M_WALL
	measure "$1on" "$2" true
	printf '%-12s %11s %10s %11s %10s %10s %10s\n' "$1" "$a_conn" "$a_wall" "$M_CONN" "$M_WALL" \
		"$(echo "$a_conn $M_CONN" | awk '{ printf "%.2f", ($1 - $2) / 50 }')" \
		"$(echo "$a_wall $M_WALL" | awk '{ printf "%.2f", ($1 - $2) / 50 }')"
done
echo "(setup: connect to ready for RCPT, from delays=; delivery: wall time per message;"
echo " with pipe-connect the RCPT and DATA replies come with the banner in clear text, so"
echo " the saving shows in the delivery column; load: $(uptime | sed 's/.*load/load/'))"
[ "$NETEM" = 1 ] && tc qdisc del dev lo root
MX_PORT=$EX_PORT

echo "== connection reuse: 100 messages to one destination (outbound.connection_cache_s = 2)"
proxy none true 2 reuse
before=$(grep -c "SMTP connection from" "$EX_MAINLOG")
lmtp_batch "$OB_PORT" 100 r >/dev/null
after=$(grep -c "SMTP connection from" "$EX_MAINLOG")
sent=$(grep -c "to=<r[0-9]*@exim.test>.*status=sent" "$OB_LOG")
printf 'messages sent %d, next-hop connections %d, max conn_use %s\n' "$sent" "$((after - before))" \
	"$(sed -n 's/.*conn_use=\([0-9]*\).*/\1/p' "$OB_LOG" | sort -n | tail -1)"
exit 0
