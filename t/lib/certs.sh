# t/lib/certs.sh - certificates made at test time with openssl
#
# SYNOPSIS
#	. "$top_srcdir/t/lib/common.sh"
#	. "$top_srcdir/t/lib/certs.sh"
#	t_ca_new rootca || t_bail "no CA"
#	t_cert_new rootca mx.example.test mx.example.test 127.0.0.1 || t_bail "no cert"
#	t_cert_new rootca other.test -- other.test		# RSA 2048 instead of EC
#	t_tlsa_hash "$T_CERT_DIR/mx.example.test.crt"
#
# DESCRIPTION
#	Everything lives under $T_CERT_DIR ($T_DIR/certs) and is made fresh
#	for each run, so nothing expires in CI.
#
#	t_ca_new NAME
#		A self-signed CA (EC P-256, valid 30 days, basicConstraints
#		CA:TRUE, keyUsage keyCertSign): NAME.key, NAME.crt.
#	t_cert_new CA CN [SAN...]
#		A leaf key and certificate issued by CA for CN, with the given
#		subjectAltNames (an IPv4 address becomes IP:, anything else
#		DNS:; without SANs, DNS:CN), serverAuth and clientAuth.
#		Files: CN.key, CN.crt, CN.chain.pem (leaf then CA, what a server
#		presents) and CN.full.pem (key, leaf, CA). Set T_CERT_KEY=rsa
#		before the call for an RSA 2048 key instead of EC P-256.
#		Prints nothing; the paths are $T_CERT_DIR/CN.*.
#	t_tlsa_hash CERT
#		Prints the lower-case hex SHA-256 of CERT's SubjectPublicKeyInfo:
#		the data of a TLSA "3 1 1" record (DANE-EE, SPKI, SHA-256).
#	t_tlsa_hash_cert CERT
#		Prints the SHA-256 of the whole DER certificate: "3 0 1" / "2 0 1".
#
# DIAGNOSTICS
#	Return 0 on success, 1 with openssl's error as a TAP diagnostic.
#
# STANDARDS
#	RFC 5280 (X.509), RFC 6698 and 7671 (TLSA, DANE usage), RFC 7672 (SMTP DANE).

T_CERT_DIR=$T_DIR/certs
mkdir -p "$T_CERT_DIR"

# t_cert_key - make a private key FILE (EC P-256, or RSA 2048 with T_CERT_KEY=rsa)
t_cert_key() {
	if [ "${T_CERT_KEY:-ec}" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
	fi
}

# t_cert_run - run an openssl command, print its output as a diagnostic on failure
t_cert_run() {
	_what=$1; shift
	_out=$("$@" 2>&1) && return 0
	t_diag "$_what failed: $*" "$_out"
	return 1
}

# t_ca_new - make a self-signed CA NAME
t_ca_new() {
	_ca=$T_CERT_DIR/$1
	t_cert_run "CA key $1" t_cert_key "$_ca.key" || return 1
	t_cert_run "CA cert $1" openssl req -new -x509 -key "$_ca.key" -out "$_ca.crt" \
		-days 30 -subj "/O=mxguard test/CN=$1" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash"
}

# t_cert_san - print the subjectAltName value for the given names
t_cert_san() {
	_san=""
	for _s in "$@"; do
		case $_s in
		*[!0-9.]*) _san="$_san,DNS:$_s" ;;
		*.*.*.*) _san="$_san,IP:$_s" ;;
		*) _san="$_san,DNS:$_s" ;;
		esac
	done
	echo "${_san#,}"
}

# t_cert_new - make a leaf key + cert for CN issued by CA, with SANs
t_cert_new() {
	_ca=$T_CERT_DIR/$1; _cn=$2; shift 2
	[ -f "$_ca.crt" ] && [ -f "$_ca.key" ] ||
		{ t_diag "t_cert_new: no CA $_ca (t_ca_new first)"; return 1; }
	[ $# -gt 0 ] || set -- "$_cn"
	_leaf=$T_CERT_DIR/$_cn
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' \
		"$(t_cert_san "$@")" >"$_leaf.ext"
	t_cert_run "key $_cn" t_cert_key "$_leaf.key" || return 1
	t_cert_run "CSR $_cn" openssl req -new -key "$_leaf.key" -out "$_leaf.csr" \
		-subj "/O=mxguard test/CN=$_cn" || return 1
	# A random serial per certificate: two certs with the same issuer and
	# serial would confuse every TLS stack.
	t_cert_run "cert $_cn" openssl x509 -req -in "$_leaf.csr" -CA "$_ca.crt" \
		-CAkey "$_ca.key" -set_serial "0x$(openssl rand -hex 12)" -days 30 \
		-extfile "$_leaf.ext" -out "$_leaf.crt" || return 1
	cat "$_leaf.crt" "$_ca.crt" >"$_leaf.chain.pem"
	cat "$_leaf.key" "$_leaf.crt" "$_ca.crt" >"$_leaf.full.pem"
}

# t_tlsa_hash - print the TLSA 3 1 1 data (SHA-256 of the SPKI) of CERT
t_tlsa_hash() {
	# Not one pipe: a failure in the middle would hash empty input.
	_pub=$(openssl x509 -in "$1" -noout -pubkey 2>&1) ||
		{ t_diag "t_tlsa_hash: cannot read $1: $_pub"; return 1; }
	printf '%s\n' "$_pub" | openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -r | cut -d' ' -f1
}

# t_tlsa_hash_cert - print the TLSA x 0 1 data (SHA-256 of the DER cert) of CERT
t_tlsa_hash_cert() {
	[ -r "$1" ] || { t_diag "t_tlsa_hash_cert: cannot read $1"; return 1; }
	openssl x509 -in "$1" -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1
}
