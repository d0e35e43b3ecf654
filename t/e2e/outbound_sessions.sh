#!/bin/sh
# outbound_sessions.sh - mxguard-outbound's inbound side under load and
# with TLS: 500 concurrent MTA sessions each served by its own thread, and
# STARTTLS offered to the MTA with the certificate made at start (none
# configured) or the configured one.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/certs.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/mx.sh"

MX_PORT=$(t_free_port) || t_bail "no free port"
OB_FLAGS=""
OB_KEYS="max_sessions = 600;"
t_outbound_start || t_bail "mxguard-outbound did not start"
ulimit -n 4096 2>/dev/null

# 500 sessions at once: all greeted, one thread each, all answer LHLO.
perl -MIO::Socket::INET -e '
  my ($port, $n, $pidfile, $out) = @ARGV;
  my @s; my $greeted = 0; my $lhlo = 0;
  for (1..$n) { my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") or last; push @s, $c; }
  for my $c (@s) { my $l = <$c>; $greeted++ if defined $l && $l =~ /^220 /; }
  open(my $f, ">", $out) or die; print $f "connected ", scalar(@s), "\ngreeted $greeted\n"; close $f;
  open(my $t, "<", "/proc/$pidfile/status") or die; while (<$t>) { print STDOUT "threads $1\n" if /^Threads:\s+(\d+)/ }
  for my $c (@s) { print $c "LHLO mta.bed.test\r\n"; }
  for my $c (@s) { while (my $l = <$c>) { if ($l =~ /^250 /) { $lhlo++; last } } }
  print STDOUT "lhlo $lhlo\n";
  for my $c (@s) { print $c "QUIT\r\n"; close $c; }' "$OB_PORT" 500 "$T_OB_PID" "$T_DIR/conns" >"$T_DIR/load.out" 2>&1
grep -q "^connected 500$" "$T_DIR/conns"; ok $? "500 MTA sessions connected at once"
grep -q "^greeted 500$" "$T_DIR/conns"; ok $? "all 500 greeted with 220"
threads=$(sed -n 's/^threads //p' "$T_DIR/load.out")
[ "${threads:-0}" -gt 500 ]; ok $? "one thread per session ($threads threads with 500 sessions)"
grep -q "^lhlo 500$" "$T_DIR/load.out"; ok $? "all 500 answer LHLO while the others are open"
kill -0 "$T_OB_PID"; ok $? "the proxy is still running"

# STARTTLS to the MTA: a certificate made at start for the helo name.
out=$(openssl s_client -starttls lmtp -connect "127.0.0.1:$OB_PORT" -name out.bed.test </dev/null 2>&1)
case $out in *"subject=CN = out.bed.test"*) ok 0 "STARTTLS: self-signed certificate for the helo name" ;;
*) ok 1 "STARTTLS: $(printf '%s' "$out" | grep -E 'subject|error|Cipher' | head -3)" ;; esac
case $out in *"Cipher is "*) ok 0 "STARTTLS: handshake done" ;; *) ok 1 "STARTTLS: no handshake" ;; esac

# ... or the configured one.
t_ca_new ca && t_cert_new ca relay.bed.test || t_bail "no certificate"
kill "$T_OB_PID"
OB_KEYS="max_sessions = 600; tls_cert_file = \"$T_CERT_DIR/relay.bed.test.chain.pem\"; tls_key_file = \"$T_CERT_DIR/relay.bed.test.key\";"
t_outbound_start || t_bail "mxguard-outbound did not restart"
out=$(openssl s_client -starttls lmtp -connect "127.0.0.1:$OB_PORT" -CAfile "$T_CERT_DIR/ca.crt" \
	-verify_hostname relay.bed.test </dev/null 2>&1)
case $out in *"Verify return code: 0 (ok)"*) ok 0 "STARTTLS: the configured certificate verifies" ;;
*) ok 1 "STARTTLS: $(printf '%s' "$out" | grep -E 'Verify|error' | head -3)" ;; esac
t_done
