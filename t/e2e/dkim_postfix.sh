#!/bin/sh
# t/e2e/dkim_postfix.sh - DKIM and ARC end to end: swaks plays clients
# (XCLIENT) to a real Postfix whose milter is mxguardd; the key records are
# TXT records of the nsd + unbound bed. A signed message gets dkim=pass, a
# tampered body dkim=fail (body hash mismatch), a selector without a record
# permerror (key not found), a domain whose server fails (SERVFAIL)
# temperror; an authenticated submission (XCLIENT LOGIN) is signed with RSA
# and Ed25519 and the delivered message verifies with mxguard check (bed
# DNS) and with dkimpy; a message with a valid ARC chain gets arc=pass and,
# relayed, a seal i=2 that validates (ours and dkimpy).
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/dns.sh"
. "$top_srcdir/t/lib/postfix.sh"
. "$top_srcdir/t/unit/daemon_lib.sh"

t_need postfix postconf smtp-sink swaks perl nsd unbound openssl
PY=/usr/bin/python3
$PY -c 'import dkim' 2>/dev/null || t_bail "python3-dkim (dkimpy) is required: apt-get install python3-dkim"
MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
AUTHSERV=mx.dkim.test
CLIENT=192.0.2.10
D=$T_DIR

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$D/rsa.pem" 2>/dev/null &&
	openssl genpkey -algorithm ED25519 -out "$D/ed.pem" 2>/dev/null || t_bail "openssl genpkey failed"
chmod 600 "$D/rsa.pem" "$D/ed.pem"
RSA_REC="v=DKIM1; k=rsa; p=$(openssl pkey -in "$D/rsa.pem" -pubout -outform DER | base64 -w0)"
ED_REC="v=DKIM1; k=ed25519; p=$(openssl pkey -in "$D/ed.pem" -pubout -outform DER | tail -c 32 | base64 -w0)"
t_dns_zone dkimbed.test <<EOF
s1._domainkey	TXT	$(t_dns_txt "$RSA_REC")
ed1._domainkey	TXT	$(t_dns_txt "$ED_REC")
arc1._domainkey.relay	TXT	$(t_dns_txt "$RSA_REC")
arc1._domainkey.upstream	TXT	$(t_dns_txt "$RSA_REC")
EOF
t_dns_servfail servfail.example
t_dns_start || t_bail "the DNS bed did not start"
# dkimpy's keys: the same records, by name
printf 's1._domainkey.dkimbed.test %s\ned1._domainkey.dkimbed.test %s\narc1._domainkey.relay.dkimbed.test %s\narc1._domainkey.upstream.dkimbed.test %s\n' \
	"$RSA_REC" "$ED_REC" "$RSA_REC" "$RSA_REC" > "$D/keys"

# signing/sealing configs for the CLI: a sender's signer and an upstream sealer
cat > "$D/signer.conf" <<EOF
milter: { authserv_id = "upstream.dkimbed.test"; };
$(t_dns_conf 2000)
dkim: { sign = ( { domain = "dkimbed.test"; selector = "s1"; key = "$D/rsa.pem"; },
                 { domain = "servfail.example"; selector = "s1"; key = "$D/rsa.pem"; } ); };
arc: { seal = { admd = "upstream.dkimbed.test"; selector = "arc1"; key = "$D/rsa.pem"; }; };
EOF
cat > "$D/m.conf" <<EOF
$(d_conf_bed 2000)
spf: { enabled = false; };
dkim: { sign = ( { domain = "dkimbed.test"; selector = "s1"; key = "$D/rsa.pem"; },
                 { domain = "dkimbed.test"; selector = "ed1"; key = "$D/ed.pem";
                   algorithm = "ed25519-sha256"; } ); };
arc: { seal = { admd = "relay.dkimbed.test"; selector = "arc1"; key = "$D/rsa.pem";
                options = [ "timestamps" ]; }; };
EOF
"$MXG" config-test --list-keys | grep -q '^dcc\.enabled' && echo 'dcc: { enabled = false; };' >> "$D/m.conf"
d_start "$D/m.conf" || t_bail "mxguardd did not start"
t_postfix_start "inet:127.0.0.1:$D_PORT" || t_bail "postfix with the milter did not start"

cat > "$D/v.py" <<'PY'
import sys, dkim
keys = dict(l.rstrip('\n').split(' ', 1) for l in open(sys.argv[1]))
def dnsfunc(name, timeout=5):
    n = (name.decode() if isinstance(name, bytes) else name).rstrip('.')
    return keys.get(n, '').encode()
msg = open(sys.argv[3], 'rb').read()
if sys.argv[2] == 'arc':
    print(dkim.arc_verify(msg, dnsfunc=dnsfunc)[0].decode())
else:
    d = dkim.DKIM(msg)
    print(' '.join(str(d.verify(idx=i, dnsfunc=dnsfunc)) for i in range(int(sys.argv[4]))))
PY
dkimpy() { $PY "$D/v.py" "$D/keys" "$@" 2>&1; }

N=0
# msg FILE SUBJECT FROM - a message file (CRLF)
msg() {
	printf 'From: %s\r\nTo: rcpt@remote.test\r\nSubject: %s\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <%s@dkimbed.test>\r\n\r\nHello  world \r\nsecond line\r\n' \
		"$3" "$2" "$N.$$" > "$1"
}
# send FILE [SWAKS-OPTIONS] - the file as the message data, from the played client
send() {
	_f=$1; shift
	t_postfix_send --xclient-addr "$CLIENT" --from sender@dkimbed.test --data "$_f" "$@"
	ok $? "$(basename "$_f"): accepted"
	N=$((N + 1)); t_postfix_wait_delivered $N
}
# delivered SUBJECT - the sink's message with SUBJECT, without smtp-sink's lines
delivered() {
	_s=$(grep -lx "Subject: $1" $(t_postfix_sink_files) /dev/null | head -n 1)
	perl -ne 'next if $. < 20 && /^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args):/; print' "$_s"
}
# ar FILE - our Authentication-Results, unfolded
ar() {
	perl -e 'local $/; my $t = <>; $t =~ s/\r//g; ($t) = split /\n\n/, $t, 2; $t =~ s/\n[ \t]+/ /g;
		for (split /\n/, $t) { if (/^Authentication-Results:\s*(.*)/i) { print "$1\n"; exit 0 } }' "$1"
}
# ar_like FILE PATTERN DESC - ok when FILE's A-R matches the glob PATTERN
ar_like() {
	_got=$(ar "$1")
	case "$_got" in
	$2) ok 0 "$3" ;;
	*) ok 1 "$3: got '$_got'" ;;
	esac
}
# check FILE - mxguard check with the bed's DNS; facts name=value in $D/facts
check() {
	"$MXG" check -c "$D/m.conf" --json --ip 198.51.100.1 --from x@remote.test --rcpt y@remote.test \
		"$1" 2>/dev/null | $PY -c '
import json, sys
for k, v in json.load(sys.stdin)["facts"].items(): print("%s=%s" % (k, v))' > "$D/facts"
}
fact() { sed -n "s/^$1=//p" "$D/facts"; }

# --- verification ---
msg "$D/plain.eml" "dkim pass $$" "Alice <alice@dkimbed.test>"
"$MXG" sign -c "$D/signer.conf" "$D/plain.eml" > "$D/signed.eml" || t_bail "mxguard sign failed"
send "$D/signed.eml"
delivered "dkim pass $$" > "$D/got1.eml"
ar_like "$D/got1.eml" "$AUTHSERV; dkim=pass header.d=dkimbed.test header.s=s1 header.b=*" "signed: A-R dkim=pass header.d=dkimbed.test header.s=s1"

msg "$D/plain2.eml" "dkim tampered $$" "Alice <alice@dkimbed.test>"
"$MXG" sign -c "$D/signer.conf" "$D/plain2.eml" | sed 's/^second line/second LINE/' > "$D/tampered.eml"
send "$D/tampered.eml"
delivered "dkim tampered $$" > "$D/got2.eml"
ar_like "$D/got2.eml" "*dkim=fail (body hash mismatch) header.d=dkimbed.test*" "tampered body: dkim=fail (body hash mismatch)"

msg "$D/plain3.eml" "dkim nokey $$" "Alice <alice@dkimbed.test>"
"$MXG" sign -c "$D/signer.conf" "$D/plain3.eml" | sed 's/ s=s1;/ s=nokey;/' > "$D/nokey.eml"
send "$D/nokey.eml"
delivered "dkim nokey $$" > "$D/got3.eml"
ar_like "$D/got3.eml" "*dkim=permerror (key not found) header.d=dkimbed.test header.s=nokey*" "no key record (NXDOMAIN): permerror, key not found"

msg "$D/plain4.eml" "dkim servfail $$" "Bob <bob@servfail.example>"
"$MXG" sign -c "$D/signer.conf" "$D/plain4.eml" > "$D/servfail.eml"
send "$D/servfail.eml"
delivered "dkim servfail $$" > "$D/got4.eml"
ar_like "$D/got4.eml" "*dkim=temperror*header.d=servfail.example*" "key lookup SERVFAIL: dkim=temperror"
d_wait_log 'mxguardd: <= sender@dkimbed.test .* dkim=temperror .*verdict=accept'
ok $? "the summary line has dkim=temperror"

# --- signing an authenticated submission ---
msg "$D/sub.eml" "dkim submit $$" "Alice <alice@dkimbed.test>"
send "$D/sub.eml" --xclient-login alice
delivered "dkim submit $$" > "$D/got5.eml"
t_is "$(grep -c '^DKIM-Signature:' "$D/got5.eml")" 2 "an authenticated submission is signed twice (RSA and Ed25519)"
grep -q '^ARC-Seal:' "$D/got5.eml"
t_is "$?" 1 "an authenticated submission is not sealed (arc.seal_when relayed)"
t_is "$(dkimpy dkim "$D/got5.eml" 2)" "True True" "dkimpy verifies both signatures of the delivered message"
check "$D/got5.eml"
t_is "$(fact dkim_results)" "pass:dkimbed.test:s1 pass:dkimbed.test:ed1" \
	"mxguard check (bed DNS) verifies both signatures of the delivered message"

# --- ARC ---
msg "$D/plain6.eml" "arc chain $$" "Alice <alice@dkimbed.test>"
"$MXG" sign -c "$D/signer.conf" "$D/plain6.eml" > "$D/s6.eml"
"$MXG" seal -c "$D/signer.conf" "$D/s6.eml" > "$D/chain.eml" 2>"$D/seal.err" || t_bail "mxguard seal failed: $(cat "$D/seal.err")"
send "$D/chain.eml"
delivered "arc chain $$" > "$D/got6.eml"
ar_like "$D/got6.eml" "*arc=pass (i=1) smtp.remote-ip=$CLIENT*" "a valid chain: arc=pass (i=1) with smtp.remote-ip"
tr -d '\r' < "$D/got6.eml" | perl -e 'local $/; my $t = <>; ($t) = split /\n\n/, $t, 2;
	$t =~ s/\n[ \t]+/ /g; my ($as) = $t =~ /^ARC-Seal:(.*)/m; exit(($as // "") =~ /\bi=2;/ && $as =~ /\bcv=pass;/ ? 0 : 1)'
ok $? "the relayed message carries our seal i=2 cv=pass"
t_is "$(dkimpy arc "$D/got6.eml")" pass "dkimpy validates the chain with our instance 2"
check "$D/got6.eml"
t_is "$(fact arc_state)/$(fact arc_domains)" "pass/upstream.dkimbed.test:relay.dkimbed.test" \
	"mxguard check validates it too: arc_domains in chain order"
t_done
