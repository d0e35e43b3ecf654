/*
 * NAME
 *	dkim_bench - CPU per message of DKIM+ARC verification and ARC sealing,
 *	beside the raw crypto cost of the same operations
 * SYNOPSIS
 *	dkim_bench [ITERATIONS]
 * DESCRIPTION
 *	Builds a 10 KB message, signs it (DKIM, RSA-2048, relaxed/relaxed)
 *	and seals it (one ARC set), then measures process CPU time for:
 *	verify = DKIM verify + ARC verify (1 DKIM signature, 1 ARC set: three
 *	RSA-2048 verifies, one body hash shared through a body set as the
 *	pipeline does, three header hashes), keys from the key cache as in
 *	production; seal = arc_seal of the signed message (two RSA-2048
 *	signs, one body hash, two header hashes).
 *
 *	The raw figure is the same work done directly with OpenSSL in the
 *	same run, as `openssl speed` does it: RSA contexts set up once, then
 *	for each message the same number of EVP_PKEY_verify (or _sign) calls
 *	and one SHA-256 per digest the library computes, over as many octets
 *	(the canonical body length and each header hash input length, counted
 *	with the library's own canonicalization before timing). The ratio is
 *	our overhead over the unavoidable cost.
 *
 *	The last line, "verify_us=N seal_us=N v_verifies=3 v_digests=4
 *	v_bytes=N s_signs=2 s_digests=3 s_bytes=N", is for t/bench/crypto.sh,
 *	which prices the same operation counts with `openssl speed`.
 *	DKIM_BENCH_ONLY=verify or =seal times only that part (for profiling).
 *	Prints figures; never fails.
 * STANDARDS
 *	RFC 6376, RFC 8617.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include "crypto/arc.h"
#include "crypto/dkim.h"
#include "mail/msg.h"
#include "util/xmalloc.h"

#define ROUNDS	10

static char *key_txt;

/* the work of one message: public-key operations and SHA-256 inputs */
struct work {
    int     pk_ops;
    size_t  ndig;
    size_t  dig_len[8];
};

/* cpu_us - process CPU time in microseconds */
static double cpu_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

/* fetch - the one key */
static int fetch(void *ctx, const char *name, char **txt_r, const char **why_r)
{
    (void) ctx;
    (void) name;
    (void) why_r;
    *txt_r = xstrdup(key_txt);
    return 1;
}

/* make_message - a 10 KB message with an A-R of ours */
static char *make_message(void)
{
    struct buf b = BUF_INIT;
    int     i;

    buf_puts(&b, "Authentication-Results: mx.bench.example; spf=pass smtp.mailfrom=a@bench.example\r\n"
	     "From: A <a@bench.example>\r\nTo: b@list.example\r\nSubject: benchmark\r\n"
	     "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <1@bench.example>\r\n\r\n");
    for (i = 0; b.len < 10240; i++)
	buf_printf(&b, "Line %d of the benchmark body, with  some   white space to reduce. \r\n", i);
    return buf_steal(&b);
}

/* add_digest - one more SHA-256 input of len octets */
static void add_digest(struct work *w, size_t len)
{
    if (w->ndig < sizeof(w->dig_len) / sizeof(w->dig_len[0]))
	w->dig_len[w->ndig++] = len;
}

/* sig_input - octets of the header hash of a DKIM-Signature or AMS field */
static size_t sig_input(const struct mail_hdrs *hdrs, int kind, const char *raw)
{
    const char *colon = strchr(raw, ':'), *why;
    struct crypto_sig *sig = NULL;
    struct buf b = BUF_INIT;
    char   *stripped;
    size_t  slen, len;

    if (crypto_sig_parse(kind, colon + 1, strlen(colon + 1), &sig, &why) < 0
	|| (stripped = crypto_strip_b(raw, strlen(raw), &slen)) == NULL) {
	fprintf(stderr, "dkim_bench: cannot parse %s\n", raw);
	exit(0);
    }
    crypto_canon_headers(hdrs, sig->h, sig->nh, sig->hcanon, stripped, slen, &b);
    len = b.len;
    buf_free(&b);
    free(stripped);
    crypto_sig_free(&sig);
    return len;
}

/* seal_input - octets of the ARC-Seal hash input of one set (AAR, AMS, AS) */
static size_t seal_input(const char *aar, const char *ams, const char *as)
{
    struct buf b = BUF_INIT;
    char   *stripped;
    size_t  slen, len;

    crypto_canon_header(CRYPTO_CANON_RELAXED, aar, strlen(aar), 1, &b);
    crypto_canon_header(CRYPTO_CANON_RELAXED, ams, strlen(ams), 1, &b);
    stripped = crypto_strip_b(as, strlen(as), &slen);
    crypto_canon_header(CRYPTO_CANON_RELAXED, stripped, slen, 0, &b);
    len = b.len;
    buf_free(&b);
    free(stripped);
    return len;
}

/* raw setup: RSA contexts made once (as openssl speed does) and the data */
struct raw {
    EVP_PKEY_CTX *ctx;
    int     sign;
    unsigned char md[32], sig[512];
    size_t  sig_len;
    char   *data;
};

/* raw_init - contexts and a buffer for w */
static void raw_init(struct raw *r, EVP_PKEY *key, int sign, const struct work *w)
{
    size_t  k, big = 1;
    unsigned int mdlen;

    memset(r, 0, sizeof(*r));
    for (k = 0; k < w->ndig; k++)
	if (w->dig_len[k] > big)
	    big = w->dig_len[k];
    r->data = xmalloc(big);
    memset(r->data, 'x', big);
    r->sign = sign;
    EVP_Digest("x", 1, r->md, &mdlen, EVP_sha256(), NULL);
    r->ctx = EVP_PKEY_CTX_new(key, NULL);
    if (r->ctx == NULL || EVP_PKEY_sign_init(r->ctx) != 1
	|| EVP_PKEY_CTX_set_rsa_padding(r->ctx, RSA_PKCS1_PADDING) != 1
	|| EVP_PKEY_CTX_set_signature_md(r->ctx, EVP_sha256()) != 1
	|| (r->sig_len = sizeof(r->sig), EVP_PKEY_sign(r->ctx, r->sig, &r->sig_len, r->md, 32)) != 1
	|| (!sign && (EVP_PKEY_verify_init(r->ctx) != 1
		      || EVP_PKEY_CTX_set_rsa_padding(r->ctx, RSA_PKCS1_PADDING) != 1
		      || EVP_PKEY_CTX_set_signature_md(r->ctx, EVP_sha256()) != 1))) {
	fprintf(stderr, "dkim_bench: raw setup failed\n");
	exit(0);
    }
}

/* raw_round - n messages' worth of w done directly with OpenSSL */
static void raw_round(struct raw *r, const struct work *w, int n)
{
    unsigned char scratch[32], sig[512];
    unsigned int mdlen;
    size_t  k, len;
    int     i, p;

    for (i = 0; i < n; i++) {
	for (k = 0; k < w->ndig; k++)
	    EVP_Digest(r->data, w->dig_len[k], scratch, &mdlen, EVP_sha256(), NULL);
	for (p = 0; p < w->pk_ops; p++) {
	    len = sizeof(sig);
	    if (r->sign ? EVP_PKEY_sign(r->ctx, sig, &len, r->md, 32) != 1
		: EVP_PKEY_verify(r->ctx, r->sig, r->sig_len, r->md, 32) != 1)
		fprintf(stderr, "dkim_bench: raw %s failed\n", r->sign ? "sign" : "verify");
	}
    }
}

/* raw_free - release the raw setup */
static void raw_free(struct raw *r)
{
    EVP_PKEY_CTX_free(r->ctx);
    free(r->data);
}

/* verify_round - n messages verified as the pipeline does */
static void verify_round(const struct mail_msg *sm, const struct crypto_keysrc *src, int n)
{
    const struct dkim_result *res;
    struct arc_result r;
    int     i;

    for (i = 0; i < n; i++) {
	/* one body set shared by DKIM and ARC */
	struct crypto_bodyset *set = crypto_bodyset_alloc();
	struct dkim_verify *dv = dkim_verify_start_set(sm->hdrs, NULL, set);
	struct arc_verify *av = arc_verify_start_set(sm->hdrs, set);

	crypto_bodyset_update(set, sm->body, sm->body_len);
	if (dkim_verify_end(dv, src, &res) != 1 || res[0].result != DKIM_PASS)
	    fprintf(stderr, "dkim_bench: DKIM did not pass\n");
	arc_verify_end(av, src, &r);
	if (r.state != ARC_PASS)
	    fprintf(stderr, "dkim_bench: ARC did not pass\n");
	arc_result_clear(&r);
	dkim_verify_free(&dv);
	arc_verify_free(&av);
	crypto_bodyset_free(&set);
    }
}

/* seal_round - n seals of the message */
static void seal_round(const struct mail_msg *m, const struct arc_seal_opts *ao, int n)
{
    struct arc_result chain = {ARC_NONE, NULL, 0, 0, NULL};
    struct arc_seal_out o;
    const char *why;
    int     i;

    for (i = 0; i < n; i++) {
	if (arc_seal(m->hdrs, m->body, m->body_len, &chain, ao, &o, &why) < 0)
	    fprintf(stderr, "dkim_bench: seal failed: %s\n", why);
	arc_seal_out_clear(&o);
    }
}

/* best - keep the lower per-message time */
static void best(double *b, double t0, int n)
{
    double  us = (cpu_us() - t0) / n;

    if (*b < 0 || us < *b)
	*b = us;
}

/* work_bytes - total SHA-256 input octets */
static size_t work_bytes(const struct work *w)
{
    size_t  k, n = 0;

    for (k = 0; k < w->ndig; k++)
	n += w->dig_len[k];
    return n;
}

int     main(int argc, char **argv)
{
    int     iters = argc > 1 ? atoi(argv[1]) : 300, i;
    const char *only = getenv("DKIM_BENCH_ONLY");
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    struct crypto_keysrc src = {fetch, NULL, NULL, 0};
    struct dkim_sign_opts so = {"bench.example", "s1", key, "from:to:subject:date:message-id",
	"from:to:subject", CRYPTO_CANON_RELAXED, CRYPTO_CANON_RELAXED, 1700000000, -1, NULL, "\r\n"};
    struct arc_seal_opts ao = {"mx.bench.example", "bench.example", "s1", key,
	"from:to:subject:date:message-id", 1700000000, -1, "\r\n"};
    struct mail_msg *m = NULL, *sm = NULL;
    struct arc_result chain = {ARC_NONE, NULL, 0, 0, NULL};
    struct arc_seal_out out;
    struct work wv = {3, 0, {0}}, ws = {2, 0, {0}};
    struct crypto_body *cb;
    unsigned char *der = NULL, bh[32];
    char   *msg = make_message(), *b64, *dkim = NULL, *sealed, *f[5];
    const char *why;
    double  t0, verify_us = -1, seal_us = -1, raw_v = -1, raw_s = -1;
    struct raw rv, rs;
    int     per;
    int     len = i2d_PUBKEY(key, &der);
    long long body_len;

    b64 = crypto_b64_encode(der, (size_t) len);
    key_txt = xasprintf("v=DKIM1; k=rsa; p=%s", b64);
    src.cache = crypto_keycache_alloc(16, 3600);
    if (mail_msg_read_buf(msg, strlen(msg), &m, &why) < 0
	|| dkim_sign(m->hdrs, m->body, m->body_len, &so, &dkim, &why) < 0
	|| arc_seal(m->hdrs, m->body, m->body_len, &chain, &ao, &out, &why) < 0) {
	fprintf(stderr, "dkim_bench: setup failed: %s\n", why);
	return 0;
    }
    sealed = xasprintf("ARC-Seal:%s\r\nARC-Message-Signature:%s\r\n"
		       "ARC-Authentication-Results:%s\r\nDKIM-Signature:%s\r\n%s",
		       out.as, out.ams, out.aar, dkim, msg);
    mail_msg_read_buf(sealed, strlen(sealed), &sm, &why);

    /* what the library hashes, counted with its own canonicalization */
    cb = crypto_body_alloc(CRYPTO_CANON_RELAXED, -1);
    crypto_body_update(cb, m->body, m->body_len);
    crypto_body_final(cb, bh);
    body_len = crypto_body_length(cb);
    crypto_body_free(&cb);
    f[0] = xasprintf("DKIM-Signature:%s", dkim);
    f[1] = xasprintf("ARC-Message-Signature:%s", out.ams);
    f[2] = xasprintf("ARC-Authentication-Results:%s", out.aar);
    f[3] = xasprintf("ARC-Seal:%s", out.as);
    add_digest(&wv, (size_t) body_len);
    add_digest(&wv, sig_input(sm->hdrs, CRYPTO_SIG_DKIM, f[0]));
    add_digest(&wv, sig_input(sm->hdrs, CRYPTO_SIG_AMS, f[1]));
    add_digest(&wv, seal_input(f[2], f[1], f[3]));
    add_digest(&ws, (size_t) body_len);
    add_digest(&ws, sig_input(m->hdrs, CRYPTO_SIG_AMS, f[1]));
    add_digest(&ws, seal_input(f[2], f[1], f[3]));

    /*
     * Rounds interleave our code and the raw work, and the best round of
     * each counts: on a loaded machine both see the same noise.
     */
    raw_init(&rv, key, 0, &wv);
    raw_init(&rs, key, 1, &ws);
    per = iters / ROUNDS > 0 ? iters / ROUNDS : 1;
    for (i = 0; i < ROUNDS; i++) {
	if (only == NULL || strcmp(only, "verify") == 0) {
	    t0 = cpu_us();
	    verify_round(sm, &src, per);
	    best(&verify_us, t0, per);
	}
	if (only == NULL || strcmp(only, "seal") == 0) {
	    t0 = cpu_us();
	    seal_round(m, &ao, per);
	    best(&seal_us, t0, per);
	}
	if (only != NULL)
	    continue;
	t0 = cpu_us();
	raw_round(&rv, &wv, per);
	best(&raw_v, t0, per);
	t0 = cpu_us();
	raw_round(&rs, &ws, per);
	best(&raw_s, t0, per);
    }
    raw_free(&rv);
    raw_free(&rs);
    if (only != NULL)
	return 0;
    printf("dkim_bench: 10 KB message, RSA-2048, best of %d rounds of %d messages;"
	   " raw = OpenSSL directly, contexts set up once\n", ROUNDS, per);
    printf("  verify (1 DKIM + 1 ARC set): %8.1f us/msg  raw 3 verifies + SHA-256 of %zu octets"
	   " in %zu digests %8.1f us  ratio %.2f\n",
	   verify_us, work_bytes(&wv), wv.ndig, raw_v, verify_us / raw_v);
    printf("  seal (1 ARC set):            %8.1f us/msg  raw 2 signs + SHA-256 of %zu octets"
	   " in %zu digests    %8.1f us  ratio %.2f\n",
	   seal_us, work_bytes(&ws), ws.ndig, raw_s, seal_us / raw_s);
    printf("verify_us=%.1f seal_us=%.1f v_verifies=%d v_digests=%zu v_bytes=%zu"
	   " s_signs=%d s_digests=%zu s_bytes=%zu\n", verify_us, seal_us,
	   wv.pk_ops, wv.ndig, work_bytes(&wv), ws.pk_ops, ws.ndig, work_bytes(&ws));
    for (i = 0; i < 4; i++)
	free(f[i]);
    crypto_keycache_free(&src.cache);
    arc_seal_out_clear(&out);
    mail_msg_free(&m);
    mail_msg_free(&sm);
    OPENSSL_free(der);
    free(b64);
    free(key_txt);
    free(dkim);
    free(sealed);
    free(msg);
    EVP_PKEY_free(key);
    return 0;
}
