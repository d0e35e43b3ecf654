#!/bin/sh
# outbound_requiretls.sh - REQUIRETLS (RFC 8689) through mxguard-outbound
# against real peers that implement it: the npm package smtp-server
# (vendored in t/node) run by node on loopback, routed by the DNSSEC bed
# (nsd + unbound), certificates made at test time. The MTA is
# t/node/smtp_send.js (LMTP with STARTTLS and MAIL FROM ... REQUIRETLS).
# Cases: DNSSEC MX + DANE and DNSSEC MX + PKIX deliver with REQUIRETLS;
# 5.7.30 when the peer does not advertise REQUIRETLS, when the MX is
# insecure, when DANE or the certificate fails, when STARTTLS is missing,
# and then the peer saw no MAIL at all (never in clear); 4.7.30 on the
# first MX then delivery by the second; the REQUIRETLS tag only inside
# TLS (530 5.7.10 outside); the Require-TLS-ESMTP: yes header; the
# TLS-Required: No header; connections cached per REQUIRETLS mode.
# MTA-STS (RFC 8461) served over HTTPS by t/node/https_policy.js with the
# test CA: an insecure MX that matches an enforce policy delivers
# REQUIRETLS mail (PKIX-verified), one that does not match is refused;
# the policy is fetched once and then taken from the store by its id;
# with outbound.mta_sts the enforce policy applies to all mail.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/certs.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/lib/mx.sh"
. "$top_srcdir/t/lib/node.sh"
t_need node

MX_PORT=$(t_free_port) || t_bail "no free port"
P=$MX_PORT
t_ca_new ca || t_bail "no CA"
t_ca_new otherca || t_bail "no CA"
for n in 1 2 4 5 6; do t_cert_new ca "mx$n.example.test" || t_bail "no certificate"; done
t_cert_new otherca mx3.example.test || t_bail "no certificate"
for n in 1 2 6; do
	eval "EE$n=\$(t_tlsa_hash \"\$T_CERT_DIR/mx$n.example.test.crt\")" || t_bail "no TLSA hash"
done
WRONG=$(t_tlsa_hash "$T_CERT_DIR/mx5.example.test.crt") || t_bail "no TLSA hash"
t_cert_new ca mta-sts.sts.test mta-sts.sts.test mta-sts.stsbad.test || t_bail "no certificate"
STS_PORT=$(t_free_port) || t_bail "no free port"
mkdir -p "$T_DIR/policies"
printf 'version: STSv1\r\nmode: enforce\r\nmx: *.example.test\r\nmax_age: 86400\r\n' >"$T_DIR/policies/sts.test.txt"
printf 'version: STSv1\nmode: enforce\nmx: mx.elsewhere.test\nmax_age: 86400\n' >"$T_DIR/policies/stsbad.test.txt"

t_dns_zone_signed example.test <<EOF
rt		MX	10 mx1
mx1		A	127.0.0.2
_$P._tcp.mx1	TLSA	3 1 1 $EE1
norq		MX	10 mx2
mx2		A	127.0.0.3
_$P._tcp.mx2	TLSA	3 1 1 $EE2
badcert		MX	10 mx3
mx3		A	127.0.0.4
clear		MX	10 mx4
mx4		A	127.0.0.5
pkix		MX	10 mx5
mx5		A	127.0.0.6
twomx		MX	10 mx2
twomx		MX	20 mx1
wrongtlsa	MX	10 mx6
mx6		A	127.0.0.7
_$P._tcp.mx6	TLSA	3 1 1 $WRONG
EOF
t_dns_zone insecure.test <<EOF
@		MX	10 mx1.example.test.
EOF
t_dns_zone sts.test <<EOF
@		MX	10 mx5.example.test.
_mta-sts	TXT	"v=STSv1; id=20261123T1;"
mta-sts		A	127.0.0.10
EOF
t_dns_zone stsbad.test <<EOF
@		MX	10 mx5.example.test.
_mta-sts	TXT	"v=STSv1; id=1"
mta-sts		A	127.0.0.10
EOF
t_dns_start || t_bail "dns bed did not start"

t_node_peer 127.0.0.2 "$P" mx1.example.test || t_bail "peer 1"
t_node_peer 127.0.0.3 "$P" mx2.example.test hide-requiretls || t_bail "peer 2"
t_node_peer 127.0.0.4 "$P" mx3.example.test || t_bail "peer 3"
t_node_peer 127.0.0.5 "$P" mx4.example.test no-starttls || t_bail "peer 4"
t_node_peer 127.0.0.6 "$P" mx5.example.test || t_bail "peer 5"
t_node_peer 127.0.0.7 "$P" mx6.example.test || t_bail "peer 6"
peer() { echo "$T_DIR/peer.127.0.0.$1.log"; }
t_node_sts 127.0.0.10 "$STS_PORT" mta-sts.sts.test "$T_DIR/policies" || t_bail "policy server"

OB_KEYS="ca_file = \"$T_CERT_DIR/ca.crt\"; connection_cache_s = 300; requiretls_header = true;
  mta_sts_ca_file = \"$T_CERT_DIR/ca.crt\"; mta_sts_port = $STS_PORT;"
t_outbound_start "$(t_dns_conf)" || t_bail "mxguard-outbound did not start"

# send NAME TO [OPTION...] - a message from s-NAME@bed.test; replies in $T_DIR/NAME.out
send() {
	_n=$1 _to=$2
	shift 2
	printf 'Subject: %s\n%s\nbody of %s\n' "$_n" "${HDR:-}" "$_n" |
		t_node_send "$OB_PORT" "s-$_n@bed.test" "$_to" "$@" >"$T_DIR/$_n.out" 2>&1
	cat "$T_DIR/$_n.out"
}
# has NAME PATTERN - does the reply transcript of NAME match?
has() { grep -q "$2" "$T_DIR/$1.out"; }
proxy_line() { grep "to=<$1>" "$OB_LOG" | tail -1; }
# peer_mail N NAME - did peer N see a MAIL FROM of message NAME?
peer_mail() { grep -q "mail from=<s-$2@bed.test>" "$(peer "$1")"; }

# The tag: offered and taken only inside TLS.
send plain a@rt.example.test requiretls >/dev/null
has plain "^EHLO: 250-REQUIRETLS" ; t_is $? 1 "REQUIRETLS is not offered before STARTTLS"
has plain "^MAIL: 530 5.7.10 "
ok $? "MAIL FROM REQUIRETLS outside TLS: 530 5.7.10"
send tls a@rt.example.test starttls >/dev/null
has tls "^EHLO: 250-REQUIRETLS"
ok $? "REQUIRETLS is offered after STARTTLS"

# Delivered: DNSSEC MX and DANE, DNSSEC MX and PKIX.
send dane a@rt.example.test starttls requiretls >/dev/null
has dane "^DONE <a@rt.example.test>: 250 "
ok $? "DNSSEC MX + DANE + peer with REQUIRETLS: delivered"
grep -q "mail from=<s-dane@bed.test> requiretls=true secure=true" "$(peer 2)"
ok $? "the peer got MAIL FROM ... REQUIRETLS inside TLS"
case $(proxy_line a@rt.example.test) in *"status=sent"*"CV=dane"*"requiretls=yes"*) ok 0 "delivery line: CV=dane, requiretls=yes" ;;
*) ok 1 "delivery line: $(proxy_line a@rt.example.test)" ;; esac
send pkix p@pkix.example.test starttls requiretls >/dev/null
has pkix "^DONE <p@pkix.example.test>: 250 "
ok $? "DNSSEC MX, no TLSA, CA-verified certificate with the MX name: delivered"
case $(proxy_line p@pkix.example.test) in *"CV=yes"*"requiretls=yes"*) ok 0 "delivery line: CV=yes, requiretls=yes" ;;
*) ok 1 "delivery line: $(proxy_line p@pkix.example.test)" ;; esac

# Refused with 5.7.30, the failed step in the text, nothing reached the peer.
refused() { # NAME TO PEER STEP-TEXT WHAT
	send "$1" "$2" starttls requiretls >/dev/null
	has "$1" "^RCPT <$2>: 550[- ]5.7.30 REQUIRETLS support required: .*$4"
	ok $? "$5: 550 5.7.30 ($4)"
	peer_mail "$3" "$1"
	t_is $? 1 "$5: the peer saw no MAIL FROM"
}
refused norq b@norq.example.test 3 "does not advertise REQUIRETLS" "peer without REQUIRETLS"
refused insec c@insecure.test 2 "MX lookup not DNSSEC-validated" "insecure MX, no MTA-STS"
refused badcert d@badcert.example.test 4 "no authenticated TLS.*not verified" "certificate that does not verify"
refused clear e@clear.example.test 5 "STARTTLS not offered" "peer without STARTTLS (never in clear)"
refused wrongtlsa f@wrongtlsa.example.test 7 "no authenticated TLS.*DANE" "DANE failure"
grep -q "secure=false" "$(peer 5)"
t_is $? 1 "the peer without STARTTLS saw no command after its EHLO"
grep "to=<e@clear.example.test>" "$OB_LOG" | grep -q "status=bounced"
ok $? "the proxy logs the refusal as bounced"

# Two MX hosts: the first cannot (4.7.30, logged), the second delivers.
send twomx g@twomx.example.test starttls requiretls >/dev/null
has twomx "^DONE <g@twomx.example.test>: 250 "
ok $? "first MX without REQUIRETLS, second with: delivered"
grep -q "twomx.example.test: 451 4.7.30 REQUIRETLS support required: the next hop does not advertise" "$OB_LOG"
ok $? "the first MX was skipped with 4.7.30"

# Without the tag the peer that lacks REQUIRETLS takes the same mail.
send norq2 b@norq.example.test starttls >/dev/null
has norq2 "^DONE <b@norq.example.test>: 250 "
ok $? "without REQUIRETLS the same destination delivers"

# The Require-TLS-ESMTP: yes header (outbound.requiretls_header), from an MTA without TLS.
HDR="Require-TLS-ESMTP: yes" send hdr h@rt.example.test >/dev/null
has hdr "^DONE <h@rt.example.test>: 250 "
ok $? "Require-TLS-ESMTP: yes: delivered"
grep -q "mail from=<s-hdr@bed.test> requiretls=true secure=true" "$(peer 2)"
ok $? "Require-TLS-ESMTP: yes: the peer got REQUIRETLS"
HDR="Require-TLS-ESMTP: yes" send hdr2 i@norq.example.test >/dev/null
has hdr2 "^DONE <i@norq.example.test>: 550[- ]5.7.30 REQUIRETLS support required: .*does not advertise"
ok $? "Require-TLS-ESMTP: yes to a peer without REQUIRETLS: 5.7.30 after DATA"
grep -q "got to=<i@norq.example.test>" "$(peer 3)"
t_is $? 1 "that message never reached the peer"

# TLS-Required: No: a destination failing DANE takes the message with TLS at most may.
HDR="TLS-Required: No" send notls j@wrongtlsa.example.test >/dev/null
has notls "^RCPT <j@wrongtlsa.example.test>: 250 2.1.5 Recipient pending"
ok $? "TLS-Required: No: RCPT pending while the header is unknown"
has notls "^DONE <j@wrongtlsa.example.test>: 250 "
ok $? "TLS-Required: No: delivered despite the failing DANE check"
grep -q "got to=<j@wrongtlsa.example.test>" "$(peer 7)"
ok $? "TLS-Required: No: the peer got it"
send notls2 k@wrongtlsa.example.test >/dev/null
has notls2 "^DONE <k@wrongtlsa.example.test>: 451 4.7.5 "
ok $? "without the header the same destination defers with 4.7.5 after DATA"
grep -q "got to=<k@wrongtlsa.example.test>" "$(peer 7)"
t_is $? 1 "without the header nothing reached the peer"
HDR="TLS-Required: No" send notls3 l@wrongtlsa.example.test >/dev/null
case $(proxy_line l@wrongtlsa.example.test) in *"status=sent"*"conn_use"*) ok 1 "TLS-Required: No connection reused" ;;
*"status=sent"*) ok 0 "TLS-Required: No connections are never reused" ;;
*) ok 1 "TLS-Required: No again: $(proxy_line l@wrongtlsa.example.test)" ;; esac
HDR="TLS-Required: No" send notls4 m@rt.example.test starttls requiretls >/dev/null
has notls4 "^DONE <m@rt.example.test>: 250 " && grep -q "mail from=<s-notls4@bed.test> requiretls=true" "$(peer 2)"
ok $? "REQUIRETLS wins over TLS-Required: No"

# The connection cache keeps REQUIRETLS and other connections apart.
send c1 n1@pkix.example.test starttls >/dev/null
send c2 n2@pkix.example.test starttls requiretls >/dev/null
case $(proxy_line n2@pkix.example.test) in *"conn_use=2"*"requiretls=yes"*) ok 0 "a REQUIRETLS message reuses the REQUIRETLS connection" ;;
*) ok 1 "cache: $(proxy_line n2@pkix.example.test)" ;; esac
case $(proxy_line n1@pkix.example.test) in *"conn_use="*) ok 1 "a plain message took the REQUIRETLS connection" ;;
*"status=sent"*) ok 0 "a plain message does not take a REQUIRETLS connection" ;;
*) ok 1 "cache: $(proxy_line n1@pkix.example.test)" ;; esac
grep "mail from=<s-c1@bed.test>" "$(peer 6)" | grep -q "requiretls=false"
ok $? "the plain message went without REQUIRETLS"

# MTA-STS: an insecure MX is good enough for REQUIRETLS when the domain's policy lists it.
send sts1 s1@sts.test starttls requiretls >/dev/null
has sts1 "^DONE <s1@sts.test>: 250 "
ok $? "insecure MX + MTA-STS enforce policy listing it: delivered with REQUIRETLS"
case $(proxy_line s1@sts.test) in *"CV=yes"*"requiretls=yes"*) ok 0 "MTA-STS delivery: CV=yes (PKIX with the MX name), requiretls=yes" ;;
*) ok 1 "MTA-STS line: $(proxy_line s1@sts.test)" ;; esac
grep -q "mail from=<s-sts1@bed.test> requiretls=true secure=true" "$(peer 6)"
ok $? "MTA-STS: the peer got MAIL FROM ... REQUIRETLS"
send sts2 s2@sts.test starttls requiretls >/dev/null
has sts2 "^DONE <s2@sts.test>: 250 "
ok $? "a second message to the MTA-STS domain: delivered"
t_is "$(grep -c '^get mta-sts.sts.test /.well-known/mta-sts.txt 200' "$STS_LOG")" 1 \
	"the policy was fetched once, then taken from the store by its id"
send stsbad s3@stsbad.test starttls requiretls >/dev/null
has stsbad "^RCPT <s3@stsbad.test>: 550[- ]5.7.30 REQUIRETLS support required: MX host not in the MTA-STS policy"
ok $? "insecure MX not in the MTA-STS policy: 550 5.7.30"
peer_mail 6 stsbad
t_is $? 1 "MX not in the policy: the peer saw no MAIL FROM"
send sts4 s4@stsbad.test starttls >/dev/null
has sts4 "^DONE <s4@stsbad.test>: 250 "
ok $? "without outbound.mta_sts the policy only binds REQUIRETLS mail"

# outbound.mta_sts = true: an enforce policy applies to all mail.
OB_KEYS="$OB_KEYS mta_sts = true;"
mv "$OB_LOG" "$T_DIR/outbound1.log"	# the first proxy keeps writing there
OB1_PID=$T_OB_PID
t_outbound_start "$(t_dns_conf)" "store: { lmdb = \"$T_DIR/outbound2-state.mdb\"; };" ||
	t_bail "second mxguard-outbound did not start"
send sts5 s5@stsbad.test >/dev/null
has sts5 "<s5@stsbad.test>: 451[- ]4.7.5 MX host not allowed by the MTA-STS policy"
ok $? "outbound.mta_sts: plain mail to an MX outside the enforce policy defers 4.7.5"
peer_mail 6 sts5
t_is $? 1 "outbound.mta_sts: that MX saw no MAIL FROM"
send sts6 s6@sts.test >/dev/null
has sts6 "^DONE <s6@sts.test>: 250 "
ok $? "outbound.mta_sts: plain mail to a listed MX is delivered"
case $(proxy_line s6@sts.test) in *"CV=yes"*) ok 0 "outbound.mta_sts: PKIX-verified (CV=yes)" ;;
*) ok 1 "mta_sts line: $(proxy_line s6@sts.test)" ;; esac

# Both proxies stop cleanly; a sanitizer build reports nothing (leaks at exit).
kill "$OB1_PID" "$T_OB_PID" 2>/dev/null
for _i in $(seq 50); do kill -0 "$OB1_PID" 2>/dev/null || kill -0 "$T_OB_PID" 2>/dev/null || break; sleep 0.1; done
grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:' "$T_DIR/outbound1.log" "$OB_LOG"
r=$?
t_is $r 1 "no sanitizer report from the proxies"
[ $r -eq 1 ] || t_diag "$(grep -E -h -A12 'Sanitizer|runtime error:' "$T_DIR/outbound1.log" "$OB_LOG" | head -n 40)"
t_done
