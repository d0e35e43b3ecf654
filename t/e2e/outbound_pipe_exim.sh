#!/bin/sh
# outbound_pipe_exim.sh - pipe-connect against a real Exim 4.96: its log
# shows L* (early pipelining) for our deliveries after the first, in clear
# text and with STARTTLS; a stale cache entry (Exim restarted with
# pipelining_connect_advertise_hosts = :, so it answers early input with
# "554 SMTP synchronization error") still delivers on the same attempt.
# The MTA side pipelines MAIL, RCPT and DATA (as Postfix does), so in
# clear text our first flight carries EHLO, MAIL, RCPT and DATA, and
# after STARTTLS EHLO to DATA leave in one write after the handshake.
# Runs in a private network namespace with TCP Fast Open on for clients and
# servers (net.ipv4.tcp_fastopen = 3 there only): our first flight then
# rides in the SYN once a cookie is known, so Exim finds it at accept.
if [ -z "${MXG_PIPE_NS:-}" ]; then
	MXG_PIPE_NS=1 exec unshare --net --mount sh "$0" "$@"
	echo "Bail out! cannot unshare a network namespace (root needed)"
	exit 1
fi
ip link set lo up || { echo "Bail out! ip link set lo up failed"; exit 1; }
echo 3 >/proc/sys/net/ipv4/tcp_fastopen || { echo "Bail out! cannot enable TCP Fast Open"; exit 1; }
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/certs.sh"
. "$top_srcdir/t/lib/mx.sh"
. "$top_srcdir/t/lib/exim.sh"

EX_PORT=$(t_free_port) || t_bail "no free port"
M_PORT=$(t_free_port) || t_bail "no free port"
MX_PORT=$EX_PORT
t_ca_new ca || t_bail "no CA"
t_cert_new ca exim.test || t_bail "no certificate"
t_exim_start "*" "$T_CERT_DIR/exim.test.chain.pem" "$T_CERT_DIR/exim.test.key" ||
	t_bail "exim did not start"

# lmtp_send RCPT - one message over LMTP, MAIL, RCPT and DATA pipelined in one
# write as Postfix's LMTP client does; prints the RCPT reply and the final one
lmtp_send() {
	perl -MIO::Socket::INET -e '
	  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
	  sub reply { my ($l, $r) = ("", ""); do { $l = <$s>; $r .= $l } while ($l =~ /^\d\d\d-/); return $r; }
	  sub cmd { print $s "$_[0]\r\n"; return reply(); }
	  <$s>; cmd("LHLO mta.bed.test");
	  print $s "MAIL FROM:<s\@bed.test>\r\nRCPT TO:<$ARGV[1]>\r\nDATA\r\n";
	  reply(); my $r = reply(); print $r; my $d = reply();
	  if ($d =~ /^354/) { print cmd("Subject: pipe\r\n\r\nbody\r\n."); }
	  cmd("QUIT");' "$OB_PORT" "$1"
}

# sent RCPT - delivered through the proxy (LMTP 250 for RCPT and data)
sent() {
	_out=$(lmtp_send "$1")
	case $_out in 250*"250 2.0.0"*) return 0 ;; esac
	t_diag "$1: $_out"
	return 1
}

# proxy TLS-LEVEL STORE - (re)start mxguard-outbound relaying to Exim
proxy() {
	[ -n "${T_OB_PID:-}" ] && { kill "$T_OB_PID"; wait "$T_OB_PID" 2>/dev/null; }
	OB_KEYS="relay_host = \"[127.0.0.1]\"; tls = \"$1\"; dane = \"no\"; connection_cache_s = 0;
	  ca_file = \"$T_CERT_DIR/ca.crt\"; ocsp = \"no\";"
	t_outbound_start "store: { lmdb = \"$T_DIR/$2.mdb\"; }; metrics: { listen = \"127.0.0.1:$M_PORT\"; };" ||
		t_bail "mxguard-outbound did not start"
}

# phase LABEL TLS-LEVEL STORE PREFIX - five messages through a new proxy and cache
phase() {
	proxy "$2" "$3"
	_before=$(t_exim_received | wc -l)
	for _i in 1 2 3 4 5; do
		t_ok "$1: message $_i delivered to Exim" sent "$4$_i@exim.test"
	done
	t_is "$(($(t_exim_received | wc -l) - _before))" 5 "$1: Exim received 5 messages"
	t_exim_received | sed -n "$((_before + 1))p" | grep -q ' L\*' && r=1 || r=0
	t_is $r 0 "$1: first message: no early pipelining (no cache entry yet)"
	grep -q "to=<${4}1@exim.test>.*, L\." "$OB_LOG"
	ok $? "$1: our first delivery line has L. (advertised, not used)"
	_n=$(grep -c "to=<$4[2-5]@exim.test>.*, L\*" "$OB_LOG")
	t_is "$_n" 4 "$1: our delivery lines 2-5 have L* ($5)"
	# Exim logs L* when our EHLO is in its input when it is about to send
	# its banner: message 2 gets the Fast Open cookie (its EHLO follows the
	# handshake and races Exim's fork), 3-5 carry the EHLO in the SYN.
	_n=$(t_exim_received | sed -n "$((_before + 3)),$((_before + 5))p" | grep -c ' L\*')
	t_is "$_n" 3 "$1: Exim logged L* for messages 3-5 (EHLO in the SYN)"
	[ -s "$EX_MAINLOG" ] && ! grep -qi "synchronization error" "$EX_MAINLOG" "$EX_REJECTLOG" 2>/dev/null
	ok $? "$1: Exim saw no synchronization error (it took the early transaction; its log exists)"
}

phase "clear text" none clear c "EHLO, MAIL, RCPT and DATA sent before the banner"
# pipe_metric USED - the proxy's pipe-connect counter (metrics.listen)
pipe_metric() {
	curl -s "http://127.0.0.1:$M_PORT/metrics" |
		sed -n "s/^mxguard_outbound_pipe_connect_total{used=\"$1\"} //p"
}
t_is "$(pipe_metric yes)" 4 "metrics: 4 deliveries used pipe-connect (L*)"
t_is "$(pipe_metric no)" 1 "metrics: 1 delivery had it advertised but not used (L.)"
phase STARTTLS may tls t "EHLO and STARTTLS before the banner, EHLO to DATA in one write after the handshake"
n=$(t_exim_received | sed -n '6,10p' | grep -c ' X=TLS')
t_is "$n" 5 "STARTTLS: Exim received all 5 over TLS"
grep "to=<t2@exim.test>" "$OB_LOG" | grep -q "tls=TLS"
ok $? "our delivery line shows TLS"

# stale cache: Exim restarted without PIPECONNECT
t_exim_stop || t_bail "exim did not stop"
t_exim_start ":" "$T_CERT_DIR/exim.test.chain.pem" "$T_CERT_DIR/exim.test.key" ||
	t_bail "exim did not restart"
t_ok "stale entry: delivered on the same attempt" sent "s1@exim.test"
grep -q "early pipelining failed.*retrying without it" "$OB_LOG"
ok $? "the proxy logged the failed early attempt and the retry"
grep -qi "synchronization error" "$EX_MAINLOG" "$EX_REJECTLOG" 2>/dev/null
ok $? "Exim saw early input and refused it"
n=$(t_exim_received | wc -l)
t_is "$n" 1 "the restarted Exim received the message once"
t_exim_received | grep -q ' L\*' && r=1 || r=0
t_is $r 0 "without L*"
grep "to=<s1@exim.test>" "$OB_LOG" | grep -q "status=sent"
ok $? "status=sent, no bounce"
t_ok "next message: delivered" sent "s2@exim.test"
n=$(grep -c "early pipelining failed" "$OB_LOG")
t_is "$n" 1 "and no second early attempt (the entry was relearned)"
# the same in clear text, where the refused first flight held the transaction
proxy none clear
before=$(t_exim_received | wc -l)
t_ok "stale entry, clear text (MAIL, RCPT, DATA in the refused flight): delivered on the same attempt" \
	sent "s3@exim.test"
n=$(grep -c "early pipelining failed.*retrying without it" "$OB_LOG")
t_is "$n" 1 "clear text: the failed early attempt was logged and retried"
n=$(($(t_exim_received | wc -l) - before))
t_is "$n" 1 "clear text: Exim received that message once"
grep "to=<s3@exim.test>" "$OB_LOG" | grep -q "status=sent"
ok $? "clear text: status=sent, no bounce"

# connection reuse (outbound.connection_cache_s): 100 messages, one destination
[ -n "${T_OB_PID:-}" ] && { kill "$T_OB_PID"; wait "$T_OB_PID" 2>/dev/null; }
OB_KEYS="relay_host = \"[127.0.0.1]\"; tls = \"may\"; dane = \"no\"; connection_cache_s = 5; ocsp = \"no\";"
t_outbound_start "store: { lmdb = \"$T_DIR/reuse.mdb\"; };" || t_bail "mxguard-outbound did not start"
before=$(grep -c "SMTP connection from" "$EX_MAINLOG")
perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
  sub cmd { print $s "$_[0]\r\n"; my ($l, $r) = ("", ""); do { $l = <$s>; $r .= $l } while ($l =~ /^\d\d\d-/); return $r; }
  <$s>; cmd("LHLO mta.bed.test");
  for my $i (1..100) { cmd("MAIL FROM:<s\@bed.test>"); cmd("RCPT TO:<r$i\@exim.test>"); cmd("DATA"); cmd("Subject: reuse\r\n\r\nbody\r\n."); }
  cmd("QUIT");' "$OB_PORT"
n=$(grep -c "to=<r[0-9]*@exim.test>.*status=sent" "$OB_LOG")
t_is "$n" 100 "connection reuse: 100 messages sent"
conns=$(($(grep -c "SMTP connection from" "$EX_MAINLOG") - before))
t_diag "100 messages to one destination: $conns next-hop connection(s)"
[ "$conns" -ge 1 ] && [ "$conns" -le 10 ]
ok $? "100 messages opened far fewer connections than messages ($conns)"
grep -q "to=<r100@exim.test>.*conn_use=" "$OB_LOG"
ok $? "later deliveries log conn_use="
t_done
