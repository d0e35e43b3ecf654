#!/bin/sh
# t/unit/cli_keygen.sh - `mxguard keygen` and `mxguard tlsa`: keys written
# with mode 0600 and never over an existing file; the printed TXT records,
# published as they are printed (dns.static), let `mxguard sign`'s RSA and
# Ed25519 signatures verify (ours and dkimpy's); the TLSA association data
# equals what openssl computes for 3 1 1, 3 0 1 and 2 1 2; SMTP-useless
# usages and bad options are usage errors.
. "$top_srcdir/t/lib/common.sh"

MXG=$(t_bin mxguard) || t_bail "src/mxguard is not built"
PY=/usr/bin/python3
command -v openssl >/dev/null || t_bail "openssl is required"
$PY -c 'import dkim' 2>/dev/null || t_bail "python3-dkim (dkimpy) is required: apt-get install python3-dkim"
D=$T_DIR
cd "$D" || t_bail "cannot cd to $D"

# record FILE - a printed zone-file record as one dns.static line
record() { tr '\n\t' '  ' < "$1" | sed 's/ IN TXT ( / TXT /; s/ *) *$//'; echo; }

"$MXG" keygen example.com s1 > rsa.txt 2> rsa.err
t_is "$?" 0 "keygen makes an RSA key"
t_is "$(stat -c %a s1.example.com.pem)" 600 "the key file has mode 0600"
t_is "$(openssl pkey -in s1.example.com.pem -noout -text 2>/dev/null | sed -n 's/.*Private-Key: (\([0-9]*\) bit.*/\1/p')" 2048 \
	"the default RSA key has 2048 bits"
grep -q 'BEGIN' rsa.txt rsa.err
t_is "$?" 1 "the private key is never printed"
t_is "$(head -n1 rsa.txt)" 's1._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; "' \
	"the record names SELECTOR._domainkey.DOMAIN"
long=$(sed -n 's/^[^"]*"\([^"]*\)".*/\1/p' rsa.txt | awk 'length > 255' | wc -l)
t_is "$long" 0 "no TXT string is longer than 255 octets"
want=$(openssl pkey -in s1.example.com.pem -pubout -outform DER | base64 -w0)
got=$(record rsa.txt | grep -o '"[^"]*"' | tr -d '"' | tr -d '\n' | sed 's/^v=DKIM1; k=rsa; p=//')
t_is "$got" "$want" "p= is the DER public key (RFC 6376 3.6.1)"

before=$(md5sum < s1.example.com.pem)
"$MXG" keygen example.com s1 > /dev/null 2> again.err
t_is "$?" 1 "keygen refuses to write over an existing key file"
t_is "$(md5sum < s1.example.com.pem)" "$before" "the existing key is untouched"

"$MXG" keygen --algorithm ed25519 --out ed.pem example.com e1 > ed.txt 2>/dev/null
t_is "$?" 0 "keygen makes an Ed25519 key with --out"
want=$(openssl pkey -in ed.pem -pubout -outform DER | tail -c 32 | base64 -w0)
t_is "$(grep -o 'p=[^"]*' ed.txt)" "p=$want" "Ed25519 p= is the raw 32-octet key (RFC 8463)"

"$MXG" keygen --bits 512 example.com x > /dev/null 2>&1
t_is "$?" 2 "keygen refuses keys under 1024 bits (usage error)"
"$MXG" keygen --algorithm dsa example.com x > /dev/null 2>&1
t_is "$?" 2 "keygen refuses an unknown algorithm"
"$MXG" keygen 'exa mple.com' x > /dev/null 2>&1
t_is "$?" 2 "keygen refuses a domain that is not a domain"

# the keys and records, used as an admin would: sign, then verify
{ record rsa.txt; record ed.txt; } > zone
{ echo 'milter: { authserv_id = "mx.test"; user = ""; };'
  echo "dns: { static = \"$D/zone\"; servers = [ \"127.0.0.1:9\" ]; timeout_ms = 300; retries = 0; };"
  echo "store: { lmdb = \"$D/state.mdb\"; };"
  echo 'spf: { enabled = false; };'
  echo 'dmarc: { enabled = false; };'
  echo "dkim: { sign = ( { domain = \"example.com\"; selector = \"s1\"; key = \"$D/s1.example.com.pem\"; },"
  echo "                 { domain = \"example.com\"; selector = \"e1\"; key = \"$D/ed.pem\";"
  echo '                   algorithm = "ed25519-sha256"; } ); };'
} > m.conf
printf 'From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: keys\r\n\r\nbody\r\n' > msg.eml
"$MXG" sign -c m.conf msg.eml > signed.eml 2> sign.err
t_is "$?" 0 "mxguard sign signs with the generated keys"
"$MXG" check -c m.conf --ip 192.0.2.1 --from alice@example.com --rcpt bob@example.org signed.eml > check.out 2>&1
t_is "$(grep -o 'dkim=pass header.d=example.com header.s=[a-z0-9]*' check.out | sort | tr '\n' ' ')" \
	"dkim=pass header.d=example.com header.s=e1 dkim=pass header.d=example.com header.s=s1 " \
	"both signatures verify against the published records (mxguard check)"
cat > py.py <<'PY'
import sys, re, dkim
zone = {}
for line in open(sys.argv[1]):
    name, rest = line.split(' TXT ', 1)
    zone[name.rstrip('.').lower()] = ''.join(re.findall(r'"([^"]*)"', rest)).encode()
def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return zone.get(n.rstrip('.').lower(), b'')
d = dkim.DKIM(open(sys.argv[2], 'rb').read())
print(' '.join(str(d.verify(idx=i, dnsfunc=dnsfunc)) for i in range(2)))
PY
t_is "$($PY py.py zone signed.eml 2>&1)" "True True" "dkimpy verifies both signatures with the published records"

# TLSA
openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -subj /CN=mx.example.com \
	-days 2 2>/dev/null || t_bail "openssl req failed"
t_is "$("$MXG" tlsa mx.example.com c.pem)" \
	"_25._tcp.mx.example.com. IN TLSA 3 1 1 $(openssl x509 -in c.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)" \
	"tlsa: 3 1 1 is the SHA-256 of the public key"
t_is "$("$MXG" tlsa --selector 0 mx.example.com c.pem | cut -d" " -f7)" \
	"$(openssl x509 -in c.pem -outform DER | sha256sum | cut -d' ' -f1)" \
	"tlsa: selector 0 hashes the whole certificate"
t_is "$("$MXG" tlsa --usage 2 --mtype 2 --port 587 mx.example.com. c.pem | cut -d' ' -f1-6)" \
	"_587._tcp.mx.example.com. IN TLSA 2 1 2" "tlsa: usage, matching type, port and a trailing dot"
t_is "$("$MXG" tlsa --usage 2 --mtype 2 mx.example.com c.pem | cut -d" " -f7)" \
	"$(openssl x509 -in c.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha512sum | cut -d' ' -f1)" \
	"tlsa: matching type 2 is SHA-512"
"$MXG" tlsa --usage 1 mx.example.com c.pem > /dev/null 2>&1
t_is "$?" 2 "tlsa refuses PKIX usages, which SMTP ignores (RFC 7672)"
"$MXG" tlsa mx.example.com k.pem > /dev/null 2>&1
t_is "$?" 1 "tlsa on a file without a certificate fails"
t_done
