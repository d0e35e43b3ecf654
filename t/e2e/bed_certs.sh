#!/bin/sh
# t/e2e/bed_certs.sh - the certificate bed makes CAs and certs that real TLS
# tools accept, and TLSA hashes that independent implementations agree with.
. "$top_srcdir/t/lib/common.sh"
. "$top_srcdir/t/lib/certs.sh"

t_need openssl ldns-dane /usr/bin/python3

C=$T_CERT_DIR
# quiet CMD... - run CMD, show its output as diagnostics only when it fails
quiet() { _o=$("$@" 2>&1) && return 0; t_diag "$*:" "$_o"; return 1; }
t_ok "t_ca_new makes a CA key and certificate" t_ca_new ca1
t_ok "t_cert_new makes an EC leaf issued by the CA" \
	t_cert_new ca1 mx.example.test mx.example.test 127.0.0.1
t_ok "the leaf verifies against its CA (openssl verify -CAfile)" \
	quiet openssl verify -x509_strict -purpose sslserver -CAfile "$C/ca1.crt" "$C/mx.example.test.crt"
t_ok "the leaf verifies for its DNS name" \
	quiet openssl verify -CAfile "$C/ca1.crt" -verify_hostname mx.example.test "$C/mx.example.test.crt"
t_ok "the leaf verifies for its IP address SAN" \
	quiet openssl verify -CAfile "$C/ca1.crt" -verify_ip 127.0.0.1 "$C/mx.example.test.crt"
! openssl verify -CAfile "$C/ca1.crt" -verify_hostname other.example.test "$C/mx.example.test.crt" >/dev/null 2>&1
ok $? "the leaf does not verify for a name it does not carry"

t_ok "a second CA is made" t_ca_new ca2
! openssl verify -CAfile "$C/ca2.crt" "$C/mx.example.test.crt" >/dev/null 2>&1
ok $? "the leaf does not verify against another CA"

key_type=$(openssl pkey -in "$C/mx.example.test.key" -noout -text 2>/dev/null | sed -n 1p)
case $key_type in *"256 bit"*) r=0 ;; *) r=1 ;; esac
ok $r "the default leaf key is EC P-256 ($key_type)"

T_CERT_KEY=rsa t_cert_new ca1 rsa.example.test
ok $? "t_cert_new with T_CERT_KEY=rsa makes a leaf"
key_type=$(openssl pkey -in "$C/rsa.example.test.key" -noout -text 2>/dev/null | sed -n 1p)
case $key_type in *"2048 bit"*) r=0 ;; *) r=1 ;; esac
ok $r "the RSA leaf key is 2048 bits ($key_type)"
t_ok "the RSA leaf without SANs verifies for its CN as DNS name" \
	quiet openssl verify -CAfile "$C/ca1.crt" -verify_hostname rsa.example.test "$C/rsa.example.test.crt"

# The chain file: leaf first, then the CA.
first=$(openssl x509 -in "$C/mx.example.test.chain.pem" -noout -fingerprint -sha256)
leaf=$(openssl x509 -in "$C/mx.example.test.crt" -noout -fingerprint -sha256)
t_is "$first" "$leaf" "the chain file starts with the leaf"
t_is "$(grep -c 'BEGIN CERTIFICATE' "$C/mx.example.test.chain.pem")" 2 "the chain file holds leaf and CA"

hash=$(t_tlsa_hash "$C/mx.example.test.crt")
printf '%s' "$hash" | grep -Eq '^[0-9a-f]{64}$'
ok $? "t_tlsa_hash prints 64 lower-case hex digits ($hash)"

# Independent computation 1: Python's cryptography package.
py=$(/usr/bin/python3 -c '
import sys, hashlib
from cryptography import x509
from cryptography.hazmat.primitives import serialization as s
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
spki = c.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)
print(hashlib.sha256(spki).hexdigest())' "$C/mx.example.test.crt" 2>&1)
t_is "$hash" "$py" "the TLSA 3 1 1 hash equals python cryptography's SHA-256 of the SPKI"

rsa_hash=$(t_tlsa_hash "$C/rsa.example.test.crt")
py=$(/usr/bin/python3 -c '
import sys, hashlib
from cryptography import x509
from cryptography.hazmat.primitives import serialization as s
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
print(hashlib.sha256(c.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)).hexdigest())' \
	"$C/rsa.example.test.crt" 2>&1)
t_is "$rsa_hash" "$py" "the TLSA 3 1 1 hash of an RSA leaf equals python's"
[ "$rsa_hash" != "$hash" ]
ok $? "two leaves have different TLSA hashes (fresh keys)"

# Independent computation 2: ldns-dane asks a real TLS server that presents
# the chain file, as a DANE client would see it.
port=$(t_free_port)
openssl s_server -accept "127.0.0.1:$port" -cert "$C/mx.example.test.crt" \
	-key "$C/mx.example.test.key" -cert_chain "$C/ca1.crt" -quiet \
	</dev/null >"$T_DIR/s_server.log" 2>&1 &
t_on_exit "kill $!"
t_wait_port "$port" 10 || t_diag "openssl s_server did not start: $(cat "$T_DIR/s_server.log")"
dane=$(ldns-dane -a 127.0.0.1 -n create mx.example.test "$port" 3 1 1 2>&1)
t_is "$(printf '%s\n' "$dane" | awk '$4 == "TLSA" { print $5, $6, $7, $8 }')" "3 1 1 $hash" \
	"ldns-dane create against a TLS server with the cert gives the same 3 1 1 record"
full=$(t_tlsa_hash_cert "$C/mx.example.test.crt")
dane=$(ldns-dane -a 127.0.0.1 -n create mx.example.test "$port" 3 0 1 2>&1)
t_is "$(printf '%s\n' "$dane" | awk '$4 == "TLSA" { print $5, $6, $7, $8 }')" "3 0 1 $full" \
	"t_tlsa_hash_cert equals ldns-dane's 3 0 1 record"
echo Q | openssl s_client -connect "127.0.0.1:$port" -CAfile "$C/ca1.crt" \
	-verify_hostname mx.example.test -verify_return_error >"$T_DIR/s_client.log" 2>&1
ok $? "a TLS client verifies the served chain against the CA and the name"

t_tlsa_hash "$T_DIR/no-such.crt" >"$T_DIR/nohash.out" 2>&1
r=$?
[ $r -ne 0 ] && ! grep -Eq '^[0-9a-f]{64}$' "$T_DIR/nohash.out"
ok $? "t_tlsa_hash of a missing file fails instead of hashing nothing"

t_done
