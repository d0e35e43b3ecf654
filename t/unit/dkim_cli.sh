#!/bin/sh
# t/unit/dkim_cli.sh - DKIM and ARC through `mxguard sign`, `mxguard seal` and
# `mxguard check` (the daemon's pipeline): keys made by openssl at test time,
# key records from a dns.static file (a selector absent from it goes to a dead
# server: temperror). Proves: dual RSA + Ed25519 signing that verifies (ours
# and dkimpy), tampered body = fail, missing key = permerror, unreachable key =
# temperror, the dkim_results format DMARC reads, ARC sealing by the CLI and by
# the pipeline's on_final hook (chains that verify, ours and dkimpy, i+1 on a
# sealed message), group-readable keys refused by config-test, hostile headers.
. "$top_srcdir/t/lib/common.sh"

MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
MXGUARDD=$(t_bin mxguardd) || t_bail "src/mxguardd is not built"
PY=/usr/bin/python3
command -v openssl >/dev/null || t_bail "openssl is required"
$PY -c 'import dkim' 2>/dev/null || t_bail "python3-dkim (dkimpy) is required: apt-get install python3-dkim"
D=$T_DIR

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$D/rsa.pem" 2>/dev/null &&
	openssl genpkey -algorithm ED25519 -out "$D/ed.pem" 2>/dev/null || t_bail "openssl genpkey failed"
chmod 600 "$D/rsa.pem" "$D/ed.pem"
RSA_P=$(openssl pkey -in "$D/rsa.pem" -pubout -outform DER | base64 -w0)
ED_P=$(openssl pkey -in "$D/ed.pem" -pubout -outform DER | tail -c 32 | base64 -w0)
RSA_TXT="\"v=DKIM1; k=rsa; p=$(printf %s "$RSA_P" | cut -c1-200)\" \"$(printf %s "$RSA_P" | cut -c201-)\""
{ echo "s1._domainkey.example.com. TXT $RSA_TXT"
  echo "ed1._domainkey.example.com. TXT \"v=DKIM1; k=ed25519; p=$ED_P\""
  echo "gone._domainkey.example.com. A 192.0.2.99"
  echo "arc1._domainkey.relay.example. TXT $RSA_TXT"; } > "$D/zone"
{ echo 'milter: { authserv_id = "mx.test"; max_message_size = 0; user = ""; };'
  echo "dns: { static = \"$D/zone\"; servers = [ \"127.0.0.1:9\" ]; timeout_ms = 300; retries = 0; };"
  echo "store: { lmdb = \"$D/state.mdb\"; };"
  echo 'spf: { enabled = false; };'
  echo 'dmarc: { enabled = false; };'
  echo "dkim: { sign = ( { domain = \"example.com\"; selector = \"s1\"; key = \"$D/rsa.pem\"; },"
  echo "                 { domain = \"example.com\"; selector = \"ed1\"; key = \"$D/ed.pem\";"
  echo '                   algorithm = "ed25519-sha256"; } ); };'
  echo "arc: { seal = { admd = \"relay.example\"; selector = \"arc1\"; key = \"$D/rsa.pem\";"
  echo '                options = [ "timestamps", "expire=+86400" ]; }; };'
} > "$D/m.conf"
"$MXG" config-test --list-keys | grep -q '^dcc\.enabled' && echo 'dcc: { enabled = false; };' >> "$D/m.conf"
printf 'From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: hello\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\nHello  world \r\nsecond line\r\n\r\n' > "$D/msg.eml"

# dkimpy VERB FILE [N] - dkimpy's verdict (keys from the zone file)
cat > "$D/py.py" <<'PY'
import sys, re, dkim
zone = {}
for line in open(sys.argv[1]):
    if ' TXT ' in line:
        name, rest = line.split(' TXT ', 1)
        zone[name.rstrip('.').lower()] = ''.join(re.findall(r'"([^"]*)"', rest)).encode()
def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return zone.get(n.rstrip('.').lower(), b'')
msg = open(sys.argv[3], 'rb').read()
if sys.argv[2] == 'arc':
    print(dkim.arc_verify(msg, dnsfunc=dnsfunc)[0].decode())
else:
    d = dkim.DKIM(msg)
    print(' '.join(str(d.verify(idx=i, dnsfunc=dnsfunc)) for i in range(int(sys.argv[4]))))
PY
dkimpy() { $PY "$D/py.py" "$D/zone" "$@" 2>&1; }

# final.py CHECK-OUTPUT MESSAGE - the message as delivered after the check's
# header inserts (every one at the top: the last printed ends up first)
cat > "$D/final.py" <<'PY'
import sys
blocks, cur = [], None
for line in open(sys.argv[1]).read().split('\n'):
    if line.startswith('+'):
        cur = [line[1:]]
        blocks.append(cur)
    elif cur is not None and line[:1] in (' ', '\t'):
        cur.append(line)
    else:
        cur = None
top = ''.join('\r\n'.join(b) + '\r\n' for b in reversed(blocks))
sys.stdout.buffer.write(top.encode() + open(sys.argv[2], 'rb').read())
PY
final() { $PY "$D/final.py" "$D/out" "$1"; }

# check FILE ARGS... - mxguard check: output in $D/out, facts (name=value) in $D/facts
check() {
	_f=$1; shift
	"$MXG" check -c "$D/m.conf" --ip 192.0.2.1 --from alice@example.com --rcpt bob@example.org \
		"$@" "$_f" >"$D/out" 2>"$D/err"; RC=$?
	"$MXG" check -c "$D/m.conf" --json --ip 192.0.2.1 --from alice@example.com \
		--rcpt bob@example.org "$@" "$_f" 2>/dev/null | $PY -c '
import json, sys
for k, v in json.load(sys.stdin)["facts"].items(): print("%s=%s" % (k, v))' > "$D/facts"
}
fact() { sed -n "s/^$1=//p" "$D/facts"; }

# --- signing ---
"$MXG" sign -c "$D/m.conf" "$D/msg.eml" > "$D/signed.eml" 2>"$D/err"
t_is "$?" 0 "mxguard sign exits 0 for a From domain with keys"
t_is "$(grep -c '^DKIM-Signature:' "$D/signed.eml")" 2 "one signature per key: RSA and Ed25519"
grep -q 'a=ed25519-sha256' "$D/signed.eml"
ok $? "the second signature is ed25519-sha256"
tr -d '\r\n ' < "$D/signed.eml" | grep -q 'h=from:subject:date:to:message-id:from:to:subject;'
ok $? "h= lists the present fields and over-signs From, To, Subject"
t_is "$(dkimpy dkim "$D/signed.eml" 2)" "True True" "dkimpy verifies both signatures"
check "$D/signed.eml"
t_is "$(fact dkim)" pass "mxguard check: dkim = pass"
t_is "$(fact dkim_results)" "pass:example.com:s1 pass:example.com:ed1" \
	"dkim_results: RESULT:DOMAIN:SELECTOR per signature in header order"
t_is "$(fact dkim_domains)" example.com "dkim_domains: the passing d= once"
grep -q 'dkim=pass header.d=example.com header.s=ed1 header.b=' "$D/out"
ok $? "A-R has a dkim=pass clause with header.d, header.s, header.b"

# --- verification failures ---
sed 's/^second line/second LINE/' "$D/signed.eml" > "$D/tampered.eml"
check "$D/tampered.eml"
t_is "$(fact dkim)" fail "a tampered body: dkim = fail"
grep -q 'dkim=fail (body hash mismatch) header.d=example.com header.s=s1' "$D/out"
ok $? "the A-R says why: body hash mismatch"
sed 's/ s=s1;/ s=gone;/' "$D/signed.eml" > "$D/gone.eml"
check "$D/gone.eml"
t_is "$(fact dkim_results)" "permerror:example.com:gone pass:example.com:ed1" \
	"a selector with no key record is permerror, the other signature still passes"
grep -q 'dkim=permerror (key not found) header.d=example.com header.s=gone' "$D/out"
ok $? "reason: key not found"
sed 's/ s=s1;/ s=lost;/; s/ s=ed1;/ s=lost2;/' "$D/signed.eml" > "$D/lost.eml"
check "$D/lost.eml"
t_is "$(fact dkim)" temperror "a key whose DNS server does not answer: dkim = temperror, never fail"

# --- sealing with the CLI ---
"$MXG" seal -c "$D/m.conf" "$D/signed.eml" > "$D/sealed1.eml" 2>"$D/err"
t_is "$?" 0 "mxguard seal exits 0"
grep -q 'seal: chain none (no ARC sets), sealed i=1 d=relay.example' "$D/err"
ok $? "seal reports the chain state and the instance it added"
t_is "$(dkimpy arc "$D/sealed1.eml")" pass "dkimpy validates the chain we sealed"
"$MXG" seal -c "$D/m.conf" "$D/sealed1.eml" > "$D/sealed2.eml" 2>"$D/err"
t_is "$(dkimpy arc "$D/sealed2.eml")" pass "a second hop (i=2, long h= folded) validates in dkimpy"
check "$D/sealed2.eml"
t_is "$(fact arc_state)/$(fact arc_domains)/$(fact arc_oldest_pass)" \
	"pass/relay.example:relay.example/1" \
	"mxguard check: arc_state pass, arc_domains in chain order, arc_oldest_pass 1"
grep -q 'arc=pass (i=2) smtp.remote-ip=192.0.2.1' "$D/out"
ok $? "A-R: arc=pass (i=2) with smtp.remote-ip (RFC 8617 8)"

# --- signing and sealing in the pipeline (on_final) ---
check "$D/msg.eml" --auth alice
t_is "$(grep -c '^+DKIM-Signature:' "$D/out")/$(grep -c '^+ARC-Seal:' "$D/out")" "2/0" \
	"an authenticated client's message is signed twice, not sealed (arc.seal_when relayed)"
final "$D/msg.eml" > "$D/final1.eml"
t_is "$(dkimpy dkim "$D/final1.eml" 2)" "True True" \
	"the pipeline's signatures verify in dkimpy (our A-R above them)"
check "$D/final1.eml"
t_is "$(fact dkim)/$(fact arc_sealed)" "pass/i=1 d=relay.example" \
	"relayed on: our signatures pass and the message is sealed i=1"
final "$D/final1.eml" > "$D/final2.eml"
t_is "$(dkimpy arc "$D/final2.eml")" pass "the pipeline's seal validates in dkimpy"
grep -A3 '^+ARC-Authentication-Results: i=1; mx.test;' "$D/out" | grep -q 'dkim=pass header.d=example.com'
ok $? "the AAR carries our A-R results"
check "$D/final2.eml"
t_is "$(fact arc_state)/$(fact arc_sealed)" "pass/i=2 d=relay.example" \
	"the sealed relay verifies and gets i=2"
final "$D/final2.eml" > "$D/final3.eml"
t_is "$(dkimpy arc "$D/final3.eml")" pass "instance 2 validates in dkimpy"
sed 's/^second line/second LINE/' "$D/final2.eml" > "$D/broken.eml"
check "$D/broken.eml"
t_is "$(fact arc_state)" fail "a body changed after sealing: arc_state = fail"
sed -n '/^+ARC-Seal:/,/^[^ ]/p' "$D/out" | grep -q 'cv=fail'
ok $? "a failed chain is sealed with cv=fail"

# the AAR holds our A-R, never a forged one that claims our authserv-id (removed)
{ printf 'Authentication-Results: mx.test; dkim=pass header.d=evil.example\r\n'; cat "$D/msg.eml"; } > "$D/forged.eml"
check "$D/forged.eml"
t_is "$(grep -c '^-Authentication-Results\[1\]' "$D/out")" 1 "the forged A-R claiming mx.test is removed"
sed -n '/^+ARC-Authentication-Results:/,/^[^ ]/p' "$D/out" | grep -q 'evil.example'
t_is "$?" 1 "the seal's AAR does not carry the forged results (the sealer sees the header as delivered)"
final "$D/forged.eml" | grep -v '^Authentication-Results: mx.test; dkim=pass header.d=evil' > "$D/forged_final.eml"
t_is "$(dkimpy arc "$D/forged_final.eml")" pass "and the seal validates on the message as delivered"

# a message over milter.max_message_size: signatures neutral, never signed or sealed
sed 's/max_message_size = 0;/max_message_size = 3000;/' "$D/m.conf" > "$D/small.conf"
{ cat "$D/msg.eml"; i=0; while [ $i -lt 100 ]; do printf 'line %d of a long body\r\n' $i; i=$((i + 1)); done; } > "$D/big.eml"
"$MXG" sign -c "$D/m.conf" "$D/big.eml" > "$D/big_signed.eml"
"$MXG" check -c "$D/small.conf" --json --ip 192.0.2.1 --auth alice --from alice@example.com \
	--rcpt bob@example.org "$D/big_signed.eml" 2>/dev/null > "$D/small.json"
$PY -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["facts"]
print(f.get("dkim"), f.get("dkim_verify_reason"), sum(1 for h in d["headers"] if h["name"] in ("DKIM-Signature", "ARC-Seal")))' \
	"$D/small.json" > "$D/small.out"
t_is "$(cat "$D/small.out")" "neutral body not checked (message too large) 0" \
	"over milter.max_message_size: dkim neutral (body not checked), nothing signed or sealed"

# --- keys refused, config-test ---
chmod 640 "$D/ed.pem"
"$MXG" config-test -c "$D/m.conf" 2>"$D/err"
t_is "$?" 1 "config-test fails when a key file is readable by its group"
grep -q "dkim.sign\[1\]: key file $D/ed.pem is accessible by group or other (mode 0640): refused" "$D/err"
ok $? "the error names FILE:LINE, the entry, the key file and its mode"
"$MXGUARDD" -t -c "$D/m.conf" >/dev/null 2>"$D/err"
t_is "$?" 1 "mxguardd -t fails on it too"
grep -q "dkim.sign\[1\]: key file $D/ed.pem is accessible by group or other" "$D/err"
ok $? "mxguardd -t names the entry and the key file"
"$MXG" sign -c "$D/m.conf" "$D/msg.eml" >/dev/null 2>"$D/err"
t_is "$?" 3 "mxguard sign refuses to run with such a key (exit 3)"
grep -q 'BEGIN\|MII' "$D/err"
t_is "$?" 1 "no key material in the error"
chmod 600 "$D/ed.pem"

# --- hostile messages: clear results, never a crash ---
{ i=60; while [ $i -ge 1 ]; do
	printf 'ARC-Seal: i=%d; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AAAA\r\n' $i
	printf 'ARC-Message-Signature: i=%d; a=rsa-sha256; d=x.example; s=s; h=from; bh=AAAA; b=AAAA\r\n' $i
	printf 'ARC-Authentication-Results: i=%d; x.example; none\r\n' $i
	i=$((i - 1)); done; cat "$D/msg.eml"; } > "$D/sets60.eml"
check "$D/sets60.eml"
t_is "$RC/$(fact arc_state)" "0/fail" "60 ARC sets: arc_state fail, the message still goes through"
B=$(head -c 6000 /dev/zero | tr '\0' 'A')
{ printf 'DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=%s; b=%s\r\n' "$B" "$B$B"
  printf 'DKIM-Signature: v=1; a=rsa-sha256; d=exa\001mple.com; s=s\2001; h=from; bh=AAAA; b=AAAA\r\n'
  printf 'DKIM-Signature: v=1; a=rsa-sha256; s=s1; h=from; b=AAAA\r\n'
  cat "$D/msg.eml"; } > "$D/hostile.eml"
check "$D/hostile.eml"
t_is "$RC" 0 "12 KB b=, control and 8-bit bytes, missing tags: check completes"
t_is "$(fact dkim_results | tr ' ' '\n' | cut -d: -f1 | tr '\n' ' ')" "fail permerror permerror " \
	"results: the huge one fails (body hash), the malformed ones are permerror"
t_done
