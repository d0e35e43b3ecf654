#!/bin/sh
# daemon_outbound_proxy.sh - mxguard-outbound behind a load balancer: a
# client in outbound.proxy_hosts sends a PROXY v1 or v2 header before the
# greeting; the address in it is what allowed_clients is checked against
# and what is logged; a malformed, truncated or missing header closes the
# connection with a log line; from other clients PROXY is a command (500).
. "$top_srcdir/t/lib/common.sh"

B=$(t_bin mxguard-outbound) || t_bail "mxguard-outbound is not built"
P=$(t_free_port)
cat > "$T_DIR/run.conf" <<CONF
outbound: {
  listen = [ "lmtp:0.0.0.0:$P" ];
  allowed_clients = [ "192.0.2.0/24", "2001:db8::/32", "127.0.0.3" ];
  proxy_hosts = [ "127.0.0.1" ];
  user = "";
  helo_name = "out.bed.test";
  state_dir = "$T_DIR";
};
store: { lmdb = "$T_DIR/state.mdb"; };
CONF
"$B" -f -c "$T_DIR/run.conf" > "$T_DIR/run.log" 2>&1 &
PID=$!
t_on_exit "kill $PID 2>/dev/null"
t_wait_port "$P" 10; ok $? "it listens"

# talk FROM HEX [HALF] - connect from FROM, send the bytes HEX, then LHLO
# after a greeting (HALF: shut the writing side after the bytes); prints
# every line received, "closed" at the end of the connection.
talk() {
	perl -MIO::Socket::INET -e '
	  my ($port, $from, $hex, $half) = @ARGV;
	  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", LocalAddr => $from) or die "connect: $!";
	  print $s pack("H*", $hex); shutdown($s, 1) if $half;
	  my $l = <$s>; if (!defined $l) { print "closed\n"; exit 0 }
	  print $l; exit 0 if $l =~ /^554/ && !defined(<$s>) && print "closed\n";
	  print $s "LHLO mta.bed.test\r\n";
	  while (<$s>) { print; last if /^\d\d\d /; }
	  print $s "QUIT\r\n"; print scalar <$s>;' "$P" "$@"
}
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
SIG=0d0a0d0a000d0a515549540a

out=$(talk 127.0.0.1 "$(hex 'PROXY TCP4 192.0.2.7 127.0.0.1 56324 25
' | sed 's/0a$/0d0a/')")
case $out in "220 out.bed.test LMTP"*"250 DSN"*"221 "*) ok 0 "v1 TCP4 from the proxy host: greeting, LHLO, QUIT";;
	*) ok 1 "v1: $out";; esac
grep -q "client 192.0.2.7 via proxy host 127.0.0.1 (PROXY v1)" "$T_DIR/run.log"
ok $? "the proxied client address is logged"

out=$(talk 127.0.0.1 "$(hex 'PROXY TCP6 2001:db8::25 ::1 4000 25
' | sed 's/0a$/0d0a/')")
case $out in "220 out.bed.test LMTP"*"250 DSN"*) ok 0 "v1 TCP6 accepted against an IPv6 allowed network";;
	*) ok 1 "v1 TCP6: $out";; esac

# v2 PROXY, INET/STREAM, 12 address bytes: 192.0.2.9:56325 -> 127.0.0.1:25
out=$(talk 127.0.0.1 "${SIG}2111000cc0000209""7f000001dc050019")
case $out in "220 out.bed.test LMTP"*"250 DSN"*"221 "*) ok 0 "v2 PROXY INET from the proxy host: greeting, LHLO, QUIT";;
	*) ok 1 "v2: $out";; esac
grep -q "client 192.0.2.9 via proxy host 127.0.0.1 (PROXY v2)" "$T_DIR/run.log"
ok $? "the v2 client address is logged"

out=$(talk 127.0.0.1 "$(hex 'PROXY TCP4 198.51.100.1 127.0.0.1 1 25
' | sed 's/0a$/0d0a/')")
case $out in "554 5.7.1 198.51.100.1: client not allowed"*closed) ok 0 "a proxied address outside allowed_clients gets 554";;
	*) ok 1 "not allowed via proxy: $out";; esac
grep -q "refused client 198.51.100.1: not in outbound.allowed_clients" "$T_DIR/run.log"
ok $? "the refusal names the proxied address"

out=$(talk 127.0.0.1 "${SIG}20000000")
case $out in "554 5.7.1 127.0.0.1: client not allowed"*closed) ok 0 "v2 LOCAL: the proxy's own address is checked (and refused)";;
	*) ok 1 "v2 LOCAL: $out";; esac

out=$(talk 127.0.0.1 "$(hex 'EHLO mta.bed.test')0d0a")
t_is "$out" "closed" "a proxy host without a header: closed without a word"
grep -q "proxy host 127.0.0.1: bad PROXY protocol header: no PROXY protocol signature; connection closed" "$T_DIR/run.log"
ok $? "the missing header is logged"

out=$(talk 127.0.0.1 "$(hex 'PROXY TCP4 192.0.2.7 127.0.0.1 56324 99999')0d0a")
t_is "$out" "closed" "a malformed v1 header: closed"
grep -q "bad PROXY protocol header: v1 address or port invalid for the protocol" "$T_DIR/run.log"
ok $? "the malformed header is logged with its reason"

out=$(talk 127.0.0.1 "${SIG}2111000cc000" half)
t_is "$out" "closed" "a truncated v2 header: closed"
grep -q "bad PROXY protocol header: truncated header" "$T_DIR/run.log"
ok $? "the truncated header is logged"

out=$(talk 127.0.0.1 "${SIG}21110800" half)
t_is "$out" "closed" "an oversized v2 header (2048 bytes announced): closed"
grep -q "bad PROXY protocol header: v2 header longer than 1024 bytes" "$T_DIR/run.log"
ok $? "the oversized header is logged"

# Not a proxy host: the header is an unknown command after the greeting.
out=$(perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]", LocalAddr => "127.0.0.3") or die;
  print scalar <$s>; print $s "PROXY TCP4 192.0.2.7 127.0.0.1 1 25\r\n"; print scalar <$s>;' "$P")
case $out in "220 out.bed.test LMTP"*"500 5.5.2 Command not recognized"*) ok 0 "PROXY from a host not in proxy_hosts: 500";;
	*) ok 1 "PROXY from 127.0.0.3: $out";; esac

kill -TERM $PID; wait $PID; t_is $? 0 "SIGTERM stops it"
t_done
