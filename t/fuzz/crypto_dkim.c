/*
 * t/fuzz/crypto_dkim.c - fuzz target: DKIM and ARC verification as the
 * pipeline runs them (one body set shared by both, the body fed in chunks
 * whose size the first octet picks), then DKIM signing and ARC sealing of
 * the same message with the RFC 8463 Ed25519 key, as mxguardd's on_final
 * does. Invariants (abort when one breaks): results in range with a reason
 * when not pass; the body set never holds more than CRYPTO_BODYSET_MAX
 * hashes; a message whose first octet starts a field gets a signature
 * that verifies as pass once prepended (sign/verify agree on every input;
 * that round trip runs DKIM alone, whole body: the chunked DKIM+ARC run
 * has covered the rest, and each run costs the same public-key work as
 * the pipeline's, no more).
 */
#include "config.h"
#include "crypto/arc.h"
#include "crypto/dkim.h"
#include "mail/msg.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_pub[] = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
static const char fuzz_seed[] = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

/*
 * fetch - the RFC 8463 key for our selector "fuzz"; a revoked key for the
 * others (fuzz_crypto_arc runs the crypto on hostile signatures: here the
 * public-key operations are kept to ours, for speed); names holding "tmp"
 * fail temporarily
 */
static int fetch(void *ctx, const char *name, char **txt_r, const char **why_r)
{
    (void) ctx;
    if (strstr(name, "tmp")) {
	*why_r = "SERVFAIL";
	return -1;
    }
    *txt_r = xstrdup(strncmp(name, "fuzz._domainkey.", 16) == 0 ? fuzz_pub
		     : "v=DKIM1; k=ed25519; p=");
    return 1;
}

/* fuzz_key - the private key, made once */
static EVP_PKEY *fuzz_key(void)
{
    static EVP_PKEY *k;
    unsigned char *seed = NULL;
    size_t  len = 0;

    if (k == NULL && crypto_b64_decode(fuzz_seed, strlen(fuzz_seed), &seed, &len) == 0)
	k = crypto_privkey_ed25519_seed(seed, len);
    free(seed);
    if (k == NULL)
	abort();
    return k;
}

/* verify_dkim - results of a message; abort on an out-of-range one */
static int verify_first(const struct mail_msg *m, const struct crypto_keysrc *src,
			size_t chunk, struct arc_result *ar)
{
    struct crypto_bodyset *set = crypto_bodyset_alloc();
    struct dkim_verify *dv = dkim_verify_start_set(m->hdrs, NULL, set);
    struct arc_verify *av = arc_verify_start_set(m->hdrs, set);
    const struct dkim_result *res;
    size_t  n, k, off;
    int     first;

    if (crypto_bodyset_count(set) > CRYPTO_BODYSET_MAX)
	abort();
    for (off = 0; off < m->body_len; off += chunk)
	crypto_bodyset_update(set, m->body + off,
			      m->body_len - off < chunk ? m->body_len - off : chunk);
    n = dkim_verify_end(dv, src, &res);
    for (k = 0; k < n; k++)
	if (res[k].result < DKIM_PASS || res[k].result > DKIM_PERMERROR
	    || (res[k].result != DKIM_PASS && res[k].reason == NULL))
	    abort();
    first = n ? res[0].result : DKIM_NONE;
    arc_verify_end(av, src, ar);
    if (ar->state < ARC_NONE || ar->state > ARC_TEMPERROR
	|| ((ar->state == ARC_FAIL || ar->state == ARC_TEMPERROR) && ar->reason == NULL))
	abort();
    dkim_verify_free(&dv);
    arc_verify_free(&av);
    crypto_bodyset_free(&set);
    return first;
}

/* dkim_first - DKIM only: the result of the first signature (the round trip) */
static int dkim_first(const struct mail_msg *m, const struct crypto_keysrc *src)
{
    struct dkim_verify *dv = dkim_verify_start(m->hdrs, NULL);
    const struct dkim_result *res;
    int     first;

    dkim_verify_body(dv, m->body, m->body_len);
    first = dkim_verify_end(dv, src, &res) ? res[0].result : DKIM_NONE;
    dkim_verify_free(&dv);
    return first;
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct crypto_keysrc src = {fetch, NULL, NULL, 0};
    struct dkim_sign_opts so = {"example.com", "fuzz", NULL, "from:to:subject:dkim-signature",
	"from", CRYPTO_CANON_RELAXED, CRYPTO_CANON_RELAXED, 1700000000, -1, NULL, "\r\n"};
    struct arc_seal_opts ao = {"mx.fuzz", "example.com", "fuzz", NULL, "from:to:subject",
	1700000000, -1, "\r\n"};
    struct mail_msg *m = NULL, *s = NULL;
    struct arc_result ar;
    struct arc_seal_out out;
    struct crypto_body *b;
    unsigned char bh[32];
    char   *sig = NULL;
    const char *why;
    size_t  chunk;

    if (size < 1 || mail_msg_read_buf((const char *) data + 1, size - 1, &m, &why) < 0)
	return 0;
    chunk = 1 + data[0] % 97;
    so.pkey = ao.pkey = fuzz_key();
    (void) verify_first(m, &src, chunk, &ar);
    b = crypto_body_alloc(CRYPTO_CANON_RELAXED, -1);
    crypto_body_update(b, m->body, m->body_len);
    if (crypto_body_final(b, bh) < 0)
	abort();
    crypto_body_free(&b);
    if (arc_seal_hashed(m->hdrs, bh, &ar, &ao, &out, &why) == 0)
	arc_seal_out_clear(&out);
    arc_result_clear(&ar);
    if (dkim_sign_hashed(m->hdrs, bh, &so, &sig, &why) < 0)
	abort();
    /* prepended, our signature must verify (unless the input starts with a
     * continuation line, which would join our field) */
    if (size > 1 && data[1] != ' ' && data[1] != '\t') {
	struct buf t = BUF_INIT;

	buf_printf(&t, "DKIM-Signature:%s\r\n", sig);
	buf_append(&t, data + 1, size - 1);
	if (mail_msg_read_buf(t.data, t.len, &s, &why) == 0) {
	    if (dkim_first(s, &src) != DKIM_PASS)
		abort();
	}
	mail_msg_free(&s);
	buf_free(&t);
    }
    free(sig);
    mail_msg_free(&m);
    return 0;
}
