#!/bin/sh
# t/bench/crypto.sh - `make bench`: CPU per message of DKIM+ARC verification
# (1 DKIM signature + 1 ARC set) and of ARC sealing on a 10 KB message
# (t/tools/dkim_bench), beside `openssl speed` figures for RSA-2048 sign and
# verify, Ed25519 and SHA-256 taken in the same run, with the ratio to the
# raw crypto + hashing cost of the same work: dkim_bench reports how many
# RSA operations, SHA-256 digests and octets one message costs (verify: 3
# RSA-2048 verifies, the canonical body and 3 header hash inputs; seal: 2
# signs, the body and 2 header hash inputs), and they are priced here with
# openssl speed: RSA per operation, SHA-256 per octet at 10 KB blocks plus
# the per-call cost of a 64-octet digest beyond its octets. dkim_bench also
# prints its own in-run raw figure (the same OpenSSL calls, timed beside
# ours). Target: within 1.3x. Prints figures; never fails.
set -u
: "${top_builddir:=$(pwd)}"
BENCH=$top_builddir/t/tools/dkim_bench
# make bench runs this from t/bench/run.sh; dkim_bench is a check program
[ -x "$BENCH" ] || make -s -C "$top_builddir" t/tools/dkim_bench >/dev/null 2>&1 || true
[ -x "$BENCH" ] || { echo "bench: crypto: t/tools/dkim_bench is not built"; exit 0; }
command -v openssl >/dev/null || { echo "bench: crypto: openssl is missing"; exit 0; }

OUT=$("$BENCH" "${BENCH_CRYPTO_ITERS:-1000}" 2>&1)
printf '%s\n' "$OUT" | grep -v '^verify_us='
LINE=$(printf '%s\n' "$OUT" | grep '^verify_us=' | tail -1)
[ -n "$LINE" ] || { echo "bench: crypto: no figures from dkim_bench"; exit 0; }
PK=$(openssl speed -seconds 1 rsa2048 ed25519 2>/dev/null)
RSA=$(printf '%s\n' "$PK" | awk '/^rsa 2048 bits/ { print 1e6 / $6, 1e6 / $7 }')
ED=$(printf '%s\n' "$PK" | awk '/Ed25519\)/ { print 1e6 / $(NF-1), 1e6 / $NF }')
# SHA-256 in kB/s: 10 KB blocks (per octet) and 64-octet calls (per call)
SHA_BIG=$(openssl speed -seconds 1 -bytes 10240 sha256 2>/dev/null | awk '/^sha256 / { v = $2; sub(/k$/, "", v); print v }')
SHA_SMALL=$(openssl speed -seconds 1 -bytes 64 sha256 2>/dev/null | awk '/^sha256 / { v = $2; sub(/k$/, "", v); print v }')
[ -n "$RSA" ] && [ -n "$SHA_BIG" ] && [ -n "$SHA_SMALL" ] ||
	{ echo "bench: crypto: no figures from openssl speed"; exit 0; }
echo "$LINE $RSA $ED $SHA_BIG $SHA_SMALL" | tr '=' ' ' | awk '{
	for (i = 1; i < 16; i += 2) f[$i] = $(i + 1)
	rs = $17; rv = $18; es = $19; ev = $20
	ns = 1e6 / ($21 * 1000)			# us per octet, 10 KB blocks
	call = 64 / ($22 * 1000) * 1e6 - 64 * ns	# us per digest beyond its octets
	if (call < 0) call = 0
	printf "openssl speed (same run):\n"
	printf "  RSA-2048 sign %.1f us, verify %.1f us; Ed25519 sign %.1f us, verify %.1f us;", rs, rv, es, ev
	printf " SHA-256 %.1f us per 10 KB, %.3f us per call beyond its octets\n", 10240 * ns, call
	refv = f["v_verifies"] * rv + f["v_bytes"] * ns + f["v_digests"] * call
	refs = f["s_signs"] * rs + f["s_bytes"] * ns + f["s_digests"] * call
	printf "  verify (1 DKIM + 1 ARC): %.1f us/msg vs openssl speed %d verifies + SHA-256 of %d octets in %d digests %.1f us: ratio %.2f (target 1.30)\n",
		f["verify_us"], f["v_verifies"], f["v_bytes"], f["v_digests"], refv, f["verify_us"] / refv
	printf "  seal (1 ARC set):        %.1f us/msg vs openssl speed %d signs + SHA-256 of %d octets in %d digests %.1f us: ratio %.2f (target 1.30)\n",
		f["seal_us"], f["s_signs"], f["s_bytes"], f["s_digests"], refs, f["seal_us"] / refs
}'
exit 0
