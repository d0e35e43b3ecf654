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
 *	pipeline does, header hashes), keys from the key cache as in
 *	production; seal = arc_seal of the signed message (two RSA-2048
 *	signs, one body hash). The raw figures are the same EVP operations
 *	done directly in the same run (three verifies + one SHA-256 of the
 *	body; two signs + one SHA-256), so the ratio is our overhead; the
 *	last line "verify_us=N seal_us=N" is for t/bench/crypto.sh, which
 *	sets them beside `openssl speed`. Prints figures; never fails.
 * STANDARDS
 *	RFC 6376, RFC 8617.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "crypto/arc.h"
#include "crypto/dkim.h"
#include "mail/msg.h"
#include "util/xmalloc.h"

static char *key_txt;

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

/* raw_cost - microseconds of nv RSA verifies, ns signs, nh 10 KB hashes */
static double raw_cost(EVP_PKEY *key, int nv, int ns, int nh, const char *body,
		       size_t len, int iters)
{
    unsigned char md[32], *sig = NULL;
    size_t  sig_len;
    unsigned int mdlen;
    double  t0 = cpu_us();
    int     i, k;

    EVP_Digest("x", 1, md, &mdlen, EVP_sha256(), NULL);
    crypto_sign(CRYPTO_ALG_RSA_SHA256, key, md, &sig, &sig_len);
    for (i = 0; i < iters; i++) {
	for (k = 0; k < nh; k++)
	    EVP_Digest(body, len, md, &mdlen, EVP_sha256(), NULL);
	for (k = 0; k < nv; k++)
	    (void) crypto_verify(CRYPTO_ALG_RSA_SHA256, key, md, sig, sig_len);
	for (k = 0; k < ns; k++) {
	    unsigned char *s2;
	    size_t  l2;

	    crypto_sign(CRYPTO_ALG_RSA_SHA256, key, md, &s2, &l2);
	    free(s2);
	}
    }
    free(sig);
    return (cpu_us() - t0) / iters;
}

int     main(int argc, char **argv)
{
    int     iters = argc > 1 ? atoi(argv[1]) : 300, i;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    struct crypto_keysrc src = {fetch, NULL, NULL, 0};
    struct dkim_sign_opts so = {"bench.example", "s1", key, "from:to:subject:date:message-id",
	"from:to:subject", CRYPTO_CANON_RELAXED, CRYPTO_CANON_RELAXED, 1700000000, -1, NULL, "\r\n"};
    struct arc_seal_opts ao = {"mx.bench.example", "bench.example", "s1", key,
	"from:to:subject:date:message-id", 1700000000, -1, "\r\n"};
    struct mail_msg *m = NULL, *sm = NULL;
    struct arc_result chain = {ARC_NONE, NULL, 0, 0, NULL}, r;
    struct arc_seal_out out;
    const struct dkim_result *res;
    unsigned char *der = NULL;
    char   *msg = make_message(), *b64, *dkim = NULL, *sealed;
    const char *why;
    double  t0, verify_us, seal_us, raw_v, raw_s;
    int     len = i2d_PUBKEY(key, &der);

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

    t0 = cpu_us();
    for (i = 0; i < iters; i++) {
	/* as the pipeline does: one body set shared by DKIM and ARC */
	struct crypto_bodyset *set = crypto_bodyset_alloc();
	struct dkim_verify *dv = dkim_verify_start_set(sm->hdrs, NULL, set);
	struct arc_verify *av = arc_verify_start_set(sm->hdrs, set);

	crypto_bodyset_update(set, sm->body, sm->body_len);
	if (dkim_verify_end(dv, &src, &res) != 1 || res[0].result != DKIM_PASS)
	    fprintf(stderr, "dkim_bench: DKIM did not pass\n");
	arc_verify_end(av, &src, &r);
	if (r.state != ARC_PASS)
	    fprintf(stderr, "dkim_bench: ARC did not pass\n");
	arc_result_clear(&r);
	dkim_verify_free(&dv);
	arc_verify_free(&av);
	crypto_bodyset_free(&set);
    }
    verify_us = (cpu_us() - t0) / iters;
    t0 = cpu_us();
    for (i = 0; i < (getenv("DKIM_BENCH_VERIFY_ONLY") ? 0 : iters); i++) {
	struct arc_seal_out o2;

	arc_seal(m->hdrs, m->body, m->body_len, &chain, &ao, &o2, &why);
	arc_seal_out_clear(&o2);
    }
    seal_us = (cpu_us() - t0) / iters;
    raw_v = raw_cost(key, 3, 0, 1, sm->body, sm->body_len, iters);
    raw_s = raw_cost(key, 0, 2, 1, sm->body, sm->body_len, iters);
    printf("dkim_bench: 10 KB message, RSA-2048, %d iterations\n", iters);
    printf("  verify (1 DKIM + 1 ARC set): %8.1f us/msg  raw crypto+hash %8.1f us  ratio %.2f\n",
	   verify_us, raw_v, verify_us / raw_v);
    printf("  seal (1 ARC set):            %8.1f us/msg  raw crypto+hash %8.1f us  ratio %.2f\n",
	   seal_us, raw_s, seal_us / raw_s);
    printf("verify_us=%.1f seal_us=%.1f\n", verify_us, seal_us);
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
