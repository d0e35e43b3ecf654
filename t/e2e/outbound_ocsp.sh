#!/bin/sh
# outbound_ocsp.sh - mxguard-outbound with outbound.ocsp = "require": a
# next hop that staples a good OCSP response (made by `openssl ocsp`) gets
# the mail, one that staples nothing or a "revoked" response does not
# (4.7.5), and the delivery line logs OCSP=good.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/certs.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/mx.sh"

MX_PORT=$(t_free_port) || t_bail "no free port"
t_ca_new ca || t_bail "no CA"
for cn in mxo.ocsp.test mxn.ocsp.test mxr.ocsp.test; do
	t_cert_new ca "$cn" || t_bail "no certificate for $cn"
done

# ocsp_response CN V|R FILE - an OCSP response for CN's certificate, signed by the CA
ocsp_response() {
	_c=$T_CERT_DIR/$1
	_serial=$(openssl x509 -in "$_c.crt" -noout -serial | cut -d= -f2)
	_exp=$(date -u -d '+30 days' +%y%m%d%H%M%SZ)
	_rev=""; [ "$2" = R ] && _rev=$(date -u -d '-1 day' +%y%m%d%H%M%SZ)
	printf '%s\t%s\t%s\t%s\tunknown\t/O=mxguard test/CN=%s\n' "$2" "$_exp" "$_rev" "$_serial" "$1" \
		>"$_c.index"
	t_cert_run "OCSP request $1" openssl ocsp -issuer "$T_CERT_DIR/ca.crt" -cert "$_c.crt" \
		-no_nonce -reqout "$_c.req" &&
	t_cert_run "OCSP response $1" openssl ocsp -index "$_c.index" -rsigner "$T_CERT_DIR/ca.crt" \
		-rkey "$T_CERT_DIR/ca.key" -CA "$T_CERT_DIR/ca.crt" -reqin "$_c.req" -respout "$3" -ndays 1
}
ocsp_response mxo.ocsp.test V "$T_DIR/good.der" || t_bail "no OCSP response"
ocsp_response mxr.ocsp.test R "$T_DIR/revoked.der" || t_bail "no OCSP response"

t_dns_zone ocsp.test <<EOF
good	MX	10 mxo
mxo	A	127.0.0.21
none	MX	10 mxn
mxn	A	127.0.0.22
revoked	MX	10 mxr
mxr	A	127.0.0.23
EOF
t_dns_start || t_bail "dns bed did not start"

# staple_start ADDR CN RESPONSE - a stapling next hop on ADDR:MX_PORT
staple_start() {
	perl "$top_srcdir/t/lib/mx_staple.pl" "$1" "$MX_PORT" "$T_CERT_DIR/$2.chain.pem" \
		"$T_CERT_DIR/$2.key" "$3" "$T_DIR/staple.$1.log" </dev/null >"$T_DIR/staple.$1.err" 2>&1 &
	t_on_exit "kill $!"
	t_wait_file "$T_DIR/staple.$1.log" 10 && sleep 0.2 ||
		{ t_diag "mx_staple.pl $1: $(cat "$T_DIR/staple.$1.err")"; return 1; }
}
staple_start 127.0.0.21 mxo.ocsp.test "$T_DIR/good.der" || t_bail "stapling server"
staple_start 127.0.0.22 mxn.ocsp.test "" || t_bail "stapling server"
staple_start 127.0.0.23 mxr.ocsp.test "$T_DIR/revoked.der" || t_bail "stapling server"

OB_KEYS="ocsp = \"require\"; connection_cache_s = 0;"
t_outbound_start "$(t_dns_conf)" || t_bail "mxguard-outbound did not start"

# lmtp_send RCPT - one message over LMTP; prints the RCPT reply and the final one
lmtp_send() {
	perl -MIO::Socket::INET -e '
	  my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]") or die "connect: $!";
	  sub cmd { print $s "$_[0]\r\n"; my ($l, $r) = ("", ""); do { $l = <$s>; $r .= $l } while ($l =~ /^\d\d\d-/); return $r; }
	  <$s>; cmd("LHLO mta.bed.test"); cmd("MAIL FROM:<s\@bed.test>");
	  my $r = cmd("RCPT TO:<$ARGV[1]>"); print $r;
	  if ($r =~ /^250/) { cmd("DATA"); print cmd("Subject: ocsp\r\n\r\nbody\r\n."); }
	  cmd("QUIT");' "$OB_PORT" "$1"
}

out=$(lmtp_send a@good.ocsp.test)
case $out in *"250 2.1.5"*"250 2.0.0"*) ok 0 "good stapled response: delivered" ;; *) ok 1 "good: $out" ;; esac
grep -q "got a@good.ocsp.test ocsp=asked" "$T_DIR/staple.127.0.0.21.log"
ok $? "the proxy asked for the status"
grep "to=<a@good.ocsp.test>" "$OB_LOG" | grep -q "OCSP=good"
ok $? "the delivery line says OCSP=good"
out=$(lmtp_send b@none.ocsp.test)
case $out in *"451-4.7.5 TLS failure: OCSP stapling required, status none"*) ok 0 "no stapled response: 451 4.7.5" ;;
*) ok 1 "none: $out" ;; esac
grep -q "got b@none.ocsp.test" "$T_DIR/staple.127.0.0.22.log"
t_is $? 1 "no stapled response: nothing delivered"
out=$(lmtp_send c@revoked.ocsp.test)
case $out in *"451-4.7.5 TLS failure: OCSP stapling required, status revoked"*) ok 0 "revoked: 451 4.7.5" ;;
*) ok 1 "revoked: $out" ;; esac
grep -q "got c@revoked.ocsp.test" "$T_DIR/staple.127.0.0.23.log"
t_is $? 1 "revoked: nothing delivered"
t_done
