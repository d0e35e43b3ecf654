#!/bin/sh
# outbound_dane.sh - mxguard-outbound between a real sending Postfix and a
# real receiving Postfix, routed by a DNSSEC bed (nsd + unbound): plain
# and opportunistic delivery, DANE-EE/DANE-TA matches and mismatches (no
# clear-text retry), half-dane, unusable TLSA, TLSA SERVFAIL, bogus MX,
# null MX, verify level, and one LMTP transaction fanned out to several
# domains with one failing.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/certs.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/mx.sh"

MX_PORT=$(t_free_port) || t_bail "no free port"
P=$MX_PORT
t_ca_new ca || t_bail "no CA"
for cn in mx.example.test mxw.example.test mxta.example.test other.example.test mx.insecure.test; do
	t_cert_new ca "$cn" || t_bail "no certificate for $cn"
done
EE=$(t_tlsa_hash "$T_CERT_DIR/mx.example.test.crt") || t_bail "no TLSA hash"
WRONG=$(t_tlsa_hash "$T_CERT_DIR/mx.insecure.test.crt") || t_bail "no TLSA hash"
CA=$(t_tlsa_hash_cert "$T_CERT_DIR/ca.crt") || t_bail "no TLSA hash"

t_dns_zone_signed example.test <<EOF
@		MX	10 mx
mx		A	127.0.0.2
_$P._tcp.mx	TLSA	3 1 1 $EE
wrongtlsa	MX	10 mxw
mxw		A	127.0.0.3
_$P._tcp.mxw	TLSA	3 1 1 $WRONG
danetta		MX	10 mxta
mxta		A	127.0.0.4
_$P._tcp.mxta	TLSA	2 0 1 $CA
tawrong		MX	10 mxtaw
mxtaw		A	127.0.0.5
_$P._tcp.mxtaw	TLSA	2 0 1 $CA
notlsa		MX	10 mxn
mxn		A	127.0.0.6
tlsafail	MX	10 mxsf
tlsafail	MX	20 mx
mxsf		A	127.0.0.8
unusable	MX	10 mxu
mxu		A	127.0.0.9
_$P._tcp.mxu	TLSA	1 1 1 $EE
nullmx		MX	0 .
verify		MX	10 mxta
verifybad	MX	10 mxtaw
EOF
# The TLSA name of mxsf is its own zone with expired signatures: the
# address lookup of mxsf is secure, its TLSA lookup SERVFAIL.
t_dns_zone_bogus "_$P._tcp.mxsf.example.test" <<EOF
@		TLSA	3 1 1 $EE
EOF
t_dns_zone insecure.test <<EOF
@		MX	10 mx
mx		A	127.0.0.6
_$P._tcp.mx	TLSA	3 1 1 $WRONG
EOF
t_dns_zone halfdane.test <<EOF
@		MX	10 mx.example.test.
EOF
t_dns_zone_bogus bogus.test <<EOF
@		MX	10 mx
mx		A	127.0.0.2
EOF
t_dns_start || t_bail "dns bed did not start"

t_mx_start || t_bail "receiving Postfix did not start"
t_mx_listener 127.0.0.2 mx.example.test
t_mx_listener 127.0.0.3 mxw.example.test
t_mx_listener 127.0.0.4 mxta.example.test
t_mx_listener 127.0.0.5 other.example.test
t_mx_listener 127.0.0.6 mx.insecure.test
t_mx_listener 127.0.0.8 mx.example.test
t_mx_listener 127.0.0.9 mx.example.test
t_mx_reload || t_bail "receiving listeners"

# A long connection cache, so the reuse test below does not depend on timing.
OB_KEYS="ca_file = \"$T_CERT_DIR/ca.crt\"; connection_cache_s = 300;"
t_outbound_start "$(t_dns_conf)" \
	"lists: { tls_verify = [ \"verify.example.test\", \"verifybad.example.test\" ]; };" \
	"events: { actions = ( { on = [ \"msg:delivery\" ]; log = \"EVENT rcpt=\$recipient dane=\$tls_out_dane usage=\$tls_out_tlsa_usage\"; },
	  { on = [ \"tls:cert\" ]; log = \"CERT \$host depth=\$tls_out_cert_depth \$event_data\"; } ); };" ||
	t_bail "mxguard-outbound did not start"
t_mta_start || t_bail "sending Postfix did not start"

# proxy_line RCPT - the proxy's delivery line for RCPT
proxy_line() { grep "to=<$1>" "$OB_LOG" | tail -1; }

# sent RCPT WORD NAME - delivered through the proxy, whose log line has WORD
sent() {
	t_mta_wait_status "$1" sent && t_mx_wait_got "$1"
	ok $? "$3: delivered"
	case $(proxy_line "$1") in
	*"status=sent"*) case $(proxy_line "$1") in *"$2"*) ok 0 "$3: proxy logs $2" ;;
		*) ok 1 "$3: proxy line: $(proxy_line "$1")" ;; esac ;;
	*) ok 1 "$3: proxy line: $(proxy_line "$1")" ;;
	esac
}

# deferred RCPT DSN NAME - deferred with DSN, nothing reached the MX
deferred() {
	t_mta_wait_status "$1" deferred
	ok $? "$3: the MTA defers"
	grep "to=<$1>" "$PF_MAILLOG" | grep -q "dsn=$2"
	ok $? "$3: with dsn=$2"
	t_mx_got "$1"
	t_is $? 1 "$3: the receiving MX got nothing"
}

t_postfix_send --to plain@insecure.test; ok $? "the MTA accepts mail for insecure.test"
sent plain@insecure.test "CV=no" "insecure zone (wrong TLSA ignored), opportunistic TLS"
case $(proxy_line plain@insecure.test) in
*"relay=mx.insecure.test[127.0.0.6]:$P"*"tls=TLSv1.3"*) ok 0 "log line: relay=host[ip]:port and TLS summary" ;;
*) ok 1 "log line: $(proxy_line plain@insecure.test)" ;;
esac

t_postfix_send --to ee@example.test
sent ee@example.test "CV=dane" "DANE-EE match"
grep -q "EVENT rcpt=ee@example.test dane=yes usage=8" "$OB_LOG"
ok $? "msg:delivery event: tls_out_dane=yes, tls_out_tlsa_usage=8 (DANE-EE)"
grep -q "CERT mx.example.test depth=1 /O=mxguard test/CN=ca" "$OB_LOG" &&
	grep -q "CERT mx.example.test depth=0 /O=mxguard test/CN=mx.example.test" "$OB_LOG"
ok $? "tls:cert events for each certificate of the chain, with depth"
pfq=$(grep "lmtp.*to=<ee@example.test>" "$PF_MAILLOG" | sed -n 's/.*: \([0-9A-F]*\): to=.*/\1/p' | tail -1)
obq=$(proxy_line ee@example.test | sed 's/.*: \([0-9A-F]*\): to=.*/\1/')
[ -n "$pfq" ] && [ "$obq" = "$pfq" ]
ok $? "the proxy logs the MTA's queue id (XFORWARD IDENT): MTA $pfq, proxy $obq"
t_postfix_send --to ee2@example.test
sent ee2@example.test "conn_use=2" "the next message to the domain reuses the DANE-verified connection"
case $(proxy_line ee2@example.test) in *"CV=dane"*) ok 0 "a reused connection keeps its DANE status" ;;
*) ok 1 "reused: $(proxy_line ee2@example.test)" ;; esac
t_postfix_send --to ta@danetta.example.test
sent ta@danetta.example.test "CV=dane" "DANE-TA match, right name"
grep -q "EVENT rcpt=ta@danetta.example.test dane=yes usage=4" "$OB_LOG"
ok $? "msg:delivery event: tls_out_tlsa_usage=4 (DANE-TA)"
t_postfix_send --to half@halfdane.test
sent half@halfdane.test "CV=dane" "half-dane: insecure MX, secure TLSA of the host"
t_postfix_send --to n@notlsa.example.test
sent n@notlsa.example.test "CV=no" "secure zone without TLSA: opportunistic"
t_postfix_send --to u@unusable.example.test
sent u@unusable.example.test "CV=no" "secure but unusable TLSA (PKIX-EE): encrypted"
t_postfix_send --to sf@tlsafail.example.test
sent sf@tlsafail.example.test "relay=mx.example.test[127.0.0.2]" "TLSA SERVFAIL: host skipped, next MX"
grep -q "tlsafail.example.test: 451 4.7.5 TLSA lookup failed.*_$P._tcp.mxsf.example.test: SERVFAIL" "$OB_LOG"
ok $? "TLSA SERVFAIL: logged as 4.7.5 for mxsf"
t_postfix_send --to v@verify.example.test
sent v@verify.example.test "CV=yes" "verify level: CA-signed certificate with the MX name"

t_postfix_send --to w@wrongtlsa.example.test
deferred w@wrongtlsa.example.test 4.7.5 "wrong TLSA"
grep "mx-127.0.0.3/smtpd.*disconnect" "$MX_MAILLOG" | grep -q "mail="
t_is $? 1 "wrong TLSA: no MAIL FROM reached that MX (no clear-text retry)"
grep "to=<w@wrongtlsa.example.test>" "$PF_MAILLOG" | grep -q "remote mxw.example.test\[127.0.0.3\]:$P; greeting: 220 "
ok $? "wrong TLSA: the MTA's log has the DSN diagnostics (remote host, greeting)"
t_postfix_send --to taw@tawrong.example.test
deferred taw@tawrong.example.test 4.7.5 "DANE-TA with the wrong name"
t_postfix_send --to vb@verifybad.example.test
deferred vb@verifybad.example.test 4.7.5 "verify level, certificate for another name"
t_postfix_send --to b@bogus.test
deferred b@bogus.test 4.4.3 "bogus MX (SERVFAIL)"

t_postfix_send --to z@nullmx.example.test
t_mta_wait_status z@nullmx.example.test bounced
ok $? "null MX: the MTA bounces"
grep "to=<z@nullmx.example.test>" "$PF_MAILLOG" | grep -q "dsn=5.1.10"
ok $? "null MX: dsn=5.1.10"

# One message, three domains, one LMTP transaction: per-recipient results.
t_postfix_send --to m1@example.test,m2@wrongtlsa.example.test,m3@insecure.test
t_mta_wait_status m1@example.test sent && t_mta_wait_status m3@insecure.test sent
ok $? "multi-domain: the good recipients are delivered"
t_mta_wait_status m2@wrongtlsa.example.test deferred
ok $? "multi-domain: the failing one is deferred"
q1=$(proxy_line m1@example.test | sed 's/.*: \([0-9A-F]*\): to=.*/\1/')
q3=$(proxy_line m3@insecure.test | sed 's/.*: \([0-9A-F]*\): to=.*/\1/')
# The first transaction with that id (a later one is the MTA's retry of m2) delivered both.
[ -n "$q1" ] && [ "$q3" = "$q1" ] && awk -v q="$q1" '
	index($0, ": " q ": client=") { n++ }
	n == 1 && /to=<m1@example.test>.*status=sent/ { a = 1 }
	n == 1 && /to=<m3@insecure.test>.*status=sent/ { b = 1 }
	END { exit !(a && b) }' "$OB_LOG"
ok $? "multi-domain: the good ones went out in one proxy transaction ($q1)"
t_mx_got m2@wrongtlsa.example.test
t_is $? 1 "multi-domain: nothing for the failing domain reached its MX"
t_done
