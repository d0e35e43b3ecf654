#!/bin/sh
# t/bench/crypto.sh - `make bench`: CPU per message of DKIM+ARC verification
# (1 DKIM signature + 1 ARC set) and of ARC sealing on a 10 KB message
# (t/tools/dkim_bench), beside `openssl speed` figures for RSA-2048 sign and
# verify, Ed25519 and SHA-256 (10 KB blocks) taken in the same run, with the
# ratio to the raw crypto + hashing cost: verify = 3 RSA-2048 verifies + one
# SHA-256 of the body; seal = 2 RSA-2048 signs + one SHA-256 of the body.
# Target: within 1.3x. Prints figures; never fails.
set -u
: "${top_builddir:=$(pwd)}"
BENCH=$top_builddir/t/tools/dkim_bench
# make bench runs this from t/bench/run.sh; dkim_bench is a check program
[ -x "$BENCH" ] || make -s -C "$top_builddir" t/tools/dkim_bench >/dev/null 2>&1 || true
[ -x "$BENCH" ] || { echo "bench: crypto: t/tools/dkim_bench is not built"; exit 0; }
command -v openssl >/dev/null || { echo "bench: crypto: openssl is missing"; exit 0; }

OUT=$("$BENCH" "${BENCH_CRYPTO_ITERS:-1000}" 2>&1)
printf '%s\n' "$OUT" | grep -v '^verify_us='
SPEED=$(openssl speed -seconds 1 rsa2048 ed25519 2>/dev/null; openssl speed -seconds 1 -bytes 10240 sha256 2>/dev/null)
RSA=$(printf '%s\n' "$SPEED" | awk '/^rsa 2048 bits/ { print 1e6 / $6, 1e6 / $7 }')
ED=$(printf '%s\n' "$SPEED" | awk '/Ed25519\)/ { print 1e6 / $(NF-1), 1e6 / $NF }')
SHA=$(printf '%s\n' "$SPEED" | awk '/^sha256 / { v = $2; sub(/k$/, "", v); print 10240 / (v * 1000) * 1e6 }')
printf '%s\n' "$OUT" | sed -n 's/^verify_us=\([0-9.]*\) seal_us=\([0-9.]*\)$/\1 \2/p' | {
	read -r V S || { echo "bench: crypto: no figures from dkim_bench"; exit 0; }
	echo "openssl speed (same run):"
	echo "$RSA $ED $SHA" | awk '{ printf "  RSA-2048 sign %.1f us, verify %.1f us; Ed25519 sign %.1f us, verify %.1f us; SHA-256 of 10 KB %.1f us\n", $1, $2, $3, $4, $5 }'
	echo "$V $S $RSA $SHA" | awk '{ rv = 3 * $4 + $5; rs = 2 * $3 + $5;
		printf "  verify (1 DKIM + 1 ARC): %.1f us/msg vs openssl speed 3 verifies + SHA-256 %.1f us: ratio %.2f (target 1.30)\n", $1, rv, $1 / rv;
		printf "  seal (1 ARC set):        %.1f us/msg vs openssl speed 2 signs + SHA-256 %.1f us: ratio %.2f (target 1.30)\n", $2, rs, $2 / rs }'
}
exit 0
