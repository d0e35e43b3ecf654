#!/bin/sh
# t/e2e/bed_dns.sh - mxguard's resolver (through t/tools/dnsq) against a real
# validating unbound in front of nsd: found, NXDOMAIN vs NODATA, SERVFAIL,
# timeouts, multi-string TXT, CNAME chains, and the AD bit only where DNSSEC
# really holds.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/certs.sh"

t_need nsd unbound ldns-keygen ldns-signzone drill openssl
DNSQ=$(t_bin dnsq) || t_bail "t/tools/dnsq is not built"

# A DKIM-like record longer than one character-string (255 bytes).
P=$(printf 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA%0300d' 0 | tr 0 Q)
DKIM="v=DKIM1; k=rsa; p=$P"

t_ca_new ca || t_bail "no CA"
t_cert_new ca mx.signed.test || t_bail "no certificate"
TLSA=$(t_tlsa_hash "$T_CERT_DIR/mx.signed.test.crt") || t_bail "no TLSA hash"

t_dns_zone example.test <<EOF
@		A	192.0.2.1
@		TXT	"v=spf1 ip4:192.0.2.0/24 -all"
@		MX	10 mx
mx		A	192.0.2.25
www		CNAME	alias
alias		CNAME	@
sel._domainkey	TXT	$(t_dns_txt "$DKIM")
_25._tcp.mx	TLSA	3 1 1 $TLSA
quote		TXT	$(t_dns_txt 'say "hi" \ ok; done')
EOF
t_dns_zone_signed signed.test <<EOF
@		A	192.0.2.2
@		TXT	"v=spf1 -all"
mx		A	192.0.2.26
sel._domainkey	TXT	$(t_dns_txt "$DKIM")
_25._tcp.mx	TLSA	3 1 1 $TLSA
EOF
t_dns_zone_bogus bogus.test <<EOF
@		A	192.0.2.3
@		TXT	"v=spf1 -all"
EOF
t_dns_zone 2.0.192.in-addr.arpa <<EOF
10		PTR	mail.example.test.
EOF
t_dns_servfail servfail.test
t_dns_timeout timeout.test
t_dns_start || t_bail "the DNS bed did not start"
ok 0 "the DNS bed starts (nsd on $NSD_PORT, unbound on $DNS_PORT)"

# q TYPE NAME [dnsq options] - query through unbound, answer in $out
q() {
	_t=$1; _n=$2; shift 2
	out=$("$DNSQ" -s "127.0.0.1:$DNS_PORT" "$@" "$_t" "$_n" 2>"$T_DIR/dnsq.err")
	[ $? -eq 0 ] || t_diag "dnsq $_t $_n failed: $(cat "$T_DIR/dnsq.err")"
}
# head1 - the status line without the canonical name (its form is checked apart)
head1() { printf '%s\n' "$out" | sed -n '1s/ canonical=.*//p'; }
canon() { printf '%s\n' "$out" | sed -n '1s/.* canonical=//p' | sed 's/\.$//'; }
# rrs - the records without the TTL column
rrs() { printf '%s\n' "$out" | sed 1d | awk '{ t = $1; $1 = ""; $2 = ""; sub(/^  /, ""); print t, $0 }'; }

q A example.test
t_is "$(head1)" "status=found secure=0 nxdomain=0" "A in an unsigned zone: found, insecure"
t_is "$(rrs)" "A 192.0.2.1" "A record data"

q A nope.example.test
t_is "$(head1)" "status=notfound secure=0 nxdomain=1" "a missing name is NXDOMAIN (nxdomain=1)"
q AAAA example.test
t_is "$(head1)" "status=notfound secure=0 nxdomain=0" "an existing name without the type is NODATA (nxdomain=0)"
q MX example.test
t_is "$(rrs)" "MX 10 mx.example.test" "MX data is preference and exchange"

q A www.example.test
t_is "$(head1)" "status=found secure=0 nxdomain=0" "a two-hop CNAME chain is followed"
t_is "$(rrs)" "A 192.0.2.1" "the chain ends at the target's A record"
t_is "$(canon)" "example.test" "canonical= names the end of the chain"

# unbound really sends the DKIM record as two character-strings...
strings=$(drill -p "$DNS_PORT" TXT sel._domainkey.example.test @127.0.0.1 |
	awk '$4 == "TXT"' | grep -o '" "' | wc -l)
t_is "$strings" 1 "the long TXT is served as two character-strings"
# ...and the resolver joins them into one.
q TXT sel._domainkey.example.test
t_is "$(head1)" "status=found secure=0 nxdomain=0" "multi-string TXT found"
t_is "$(rrs)" "TXT \"$DKIM\"" "multi-string TXT comes back joined as one string (${#DKIM} bytes)"

q PTR 10.2.0.192.in-addr.arpa
t_is "$(rrs)" "PTR mail.example.test" "a reverse zone for 192.0.2.0/24 answers PTR"
q A www.example.com
[ "$(printf '%s\n' "$out" | sed -n '1s/ .*//p')" = status=temporary ] && grep -q SERVFAIL "$T_DIR/dnsq.err"
ok $? "a name outside the test zones is SERVFAIL, temporary"

# t_dns_txt splits at the character-string limit and escapes what zone files need.
t_is "$(t_dns_txt "$(printf '%0255d' 0)" | grep -o '"' | wc -l)" 2 "t_dns_txt keeps 255 bytes in one string"
t_is "$(t_dns_txt "$(printf '%0256d' 0)" | grep -o '"' | wc -l)" 4 "t_dns_txt splits 256 bytes in two strings"
q TXT quote.example.test
t_is "$(rrs)" 'TXT "say \"hi\" \\ ok; done"' "quotes, a backslash and a semicolon survive zone file and resolver"

# DNSSEC: the AD bit only for the signed zone.
q TXT signed.test
t_is "$(head1)" "status=found secure=1 nxdomain=0" "TXT in the signed zone is secure"
t_is "$(rrs)" 'TXT "v=spf1 -all"' "TXT data from the signed zone"
q TLSA _25._tcp.mx.signed.test
t_is "$(head1)" "status=found secure=1 nxdomain=0" "TLSA in the signed zone is secure"
t_is "$(rrs)" "TLSA 3 1 1 $TLSA" "TLSA data is usage, selector, type and the cert's SPKI hash"
q TXT sel._domainkey.signed.test
t_is "$(rrs)" "TXT \"$DKIM\"" "multi-string TXT in the signed zone joined too"
q TXT example.test
t_is "$(head1)" "status=found secure=0 nxdomain=0" "TXT in the unsigned zone is not secure"
q TLSA _25._tcp.mx.example.test
t_is "$(head1)" "status=found secure=0 nxdomain=0" "TLSA in the unsigned zone is not secure"
t_is "$(rrs)" "TLSA 3 1 1 $TLSA" "TLSA data from the unsigned zone"
q A nope.signed.test
t_is "$(head1)" "status=notfound secure=1 nxdomain=1" "NXDOMAIN proven by NSEC3 in the signed zone is secure"
q TXT signed.test -n
t_is "$(head1)" "status=found secure=0 nxdomain=0" "without DNSSEC (-n) even the signed zone reports secure=0"

# Failures are temporary, never "not found".
q A bogus.test
t_is "$(head1)" "status=temporary secure=0 nxdomain=0" "a zone with expired signatures (bogus) is temporary"
q TXT bogus.test
t_is "$(printf '%s\n' "$out" | sed -n '1s/ .*//p')" "status=temporary" "TXT in the bogus zone is temporary too"
q A x.servfail.test
t_is "$(printf '%s\n' "$out" | sed -n '1s/ .*//p')" "status=temporary" "SERVFAIL is temporary"
q A x.timeout.test -t 500 -r 0
t_is "$(printf '%s\n' "$out" | sed -n '1s/ .*//p')" "status=temporary" "a resolver that never answers is temporary"

# The server port is honoured: a blackhole port times out, a closed port fails.
t_dns_blackhole || t_bail "no blackhole"
out=$("$DNSQ" -s "127.0.0.1:$DNS_BLACKHOLE_PORT" -t 300 -r 1 A example.test 2>"$T_DIR/dnsq.err")
t_is "$(printf '%s\n' "$out" | sed -n '1s/ .*//p')" "status=temporary" "a server that reads and never answers times out as temporary"
closed=$(t_free_port)
out=$("$DNSQ" -s "127.0.0.1:$closed" -t 1000 -r 0 A example.test 2>"$T_DIR/dnsq.err")
t_is "$(printf '%s\n' "$out" | sed -n '1s/ .*//p')" "status=temporary" "a wrong server port is temporary, not notfound"
out=$("$DNSQ" -s "127.0.0.1:$NSD_PORT" -n A example.test 2>"$T_DIR/dnsq.err")
t_is "$(printf '%s\n' "$out" | sed -n '1s/ canonical=.*//p')" "status=found secure=0 nxdomain=0" \
	"a custom port reaches nsd directly"

# The config snippet that later tests append to point mxguard at the bed.
t_dns_conf >"$T_DIR/dns.conf"
MXGUARD=$(t_bin mxguard) || t_bail "mxguard is not built"
"$MXGUARD" config-test -c "$T_DIR/dns.conf" -d >"$T_DIR/dns.dump" 2>&1
r=$?
grep -q "127.0.0.1:$DNS_PORT" "$T_DIR/dns.dump" && [ $r -eq 0 ]
ok $? "t_dns_conf prints a dns group that mxguard config-test accepts"

t_done
