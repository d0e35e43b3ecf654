/*
 * NAME
 *	dkim_rfc8463 - the RFC 8463 A.3 example: verify both signatures,
 *	reproduce them byte for byte, and sign/verify round trips
 * DESCRIPTION
 *	Data in t/data/dkim: the signed and unsigned message, the two key
 *	records, the RSA private key and the Ed25519 seed. Keys reach the
 *	verifier through the key fetch callback, as src/dns would hand them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include "crypto/dkim.h"
#include "mail/msg.h"
#include "util/xmalloc.h"
#include "t/tap.h"
#include "t/datafile.h"

static char *keys_txt;

/* slurp - a file of t/data/dkim */
static char *slurp(const char *name, size_t *len_r)
{
    char rel[256];

    snprintf(rel, sizeof(rel), "dkim/%s", name);
    return t_data_file(rel, len_r);
}

/* fetch - key records from rfc8463_keys.txt ("name record" lines) */
static int fetch(void *ctx, const char *name, char **txt_r, const char **why_r)
{
    const char *p = keys_txt;
    size_t  nl = strlen(name);

    (void) ctx;
    while (p && *p) {
	const char *e = strchr(p, '\n');

	if (strncmp(p, name, nl) == 0 && p[nl] == ' ') {
	    *txt_r = xstrndup(p + nl + 1, e ? (size_t) (e - p - nl - 1) : strlen(p + nl + 1));
	    return 1;
	}
	p = e ? e + 1 : NULL;
    }
    *why_r = "no record";
    return 0;
}

/* verify_msg - verify every signature of a message text */
static size_t verify_msg(const char *text, size_t len, int *results, size_t max)
{
    struct crypto_keysrc src = {fetch, NULL, NULL, 0};
    struct mail_msg *m = NULL;
    const struct dkim_result *res;
    struct dkim_verify *v;
    const char *why;
    size_t  n, k;

    if (mail_msg_read_buf(text, len, &m, &why) < 0)
	return 0;
    v = dkim_verify_start(m->hdrs, NULL);
    dkim_verify_body(v, m->body, m->body_len);
    n = dkim_verify_end(v, &src, &res);
    for (k = 0; k < n && k < max; k++) {
	results[k] = res[k].result;
	if (res[k].result != DKIM_PASS)
	    diag("signature %zu: %s (%s)", k, dkim_result_name(res[k].result),
		 res[k].reason ? res[k].reason : "");
    }
    dkim_verify_free(&v);
    mail_msg_free(&m);
    return n;
}

/* squash - without white space */
static char *squash(const char *v)
{
    char   *o = xstrdup(v), *p = o;

    for (; *v; v++)
	if (!isspace((unsigned char) *v))
	    *p++ = *v;
    *p = 0;
    return o;
}

/* reproduce - sign the unsigned message with each signed field's tags */
static void reproduce(const char *signed_txt, size_t slen, const char *unsigned_txt,
		      size_t ulen, EVP_PKEY *ed, EVP_PKEY *rsa)
{
    struct mail_msg *s = NULL, *u = NULL;
    const char *why;
    size_t  k;

    if (mail_msg_read_buf(signed_txt, slen, &s, &why) < 0
	|| mail_msg_read_buf(unsigned_txt, ulen, &u, &why) < 0) {
	ok(0, "RFC 8463 messages parse");
	return;
    }
    for (k = 0; k < 2; k++) {
	const struct mail_hdr *h = mail_hdrs_find(s->hdrs, "DKIM-Signature", k);
	struct crypto_sig *sig = NULL;
	char   *raw, *b64 = NULL, *want;
	size_t  rlen;

	if (h == NULL || crypto_sig_parse(CRYPTO_SIG_DKIM, h->value, h->value_len,
					  &sig, &why) < 0) {
	    ok(0, "RFC 8463 signature %zu parses", k);
	    continue;
	}
	raw = crypto_strip_b(h->raw, h->raw_len, &rlen);
	b64 = crypto_sign_field(u->hdrs, sig->h, sig->nh, sig->hcanon,
				sig->alg == CRYPTO_ALG_ED25519_SHA256 ? ed : rsa, raw, rlen);
	want = squash(crypto_tag_get(&sig->tl, "b")->value);
	is_str(b64, want, "signing the unsigned message reproduces the %s signature exactly",
	       crypto_alg_name(sig->alg));
	free(want);
	free(b64);
	free(raw);
	crypto_sig_free(&sig);
    }
    mail_msg_free(&s);
    mail_msg_free(&u);
}

/* roundtrip - dkim_sign then verify; then tamper body and header */
static void roundtrip(const char *unsigned_txt, EVP_PKEY *pkey, const char *sel,
		      int canon)
{
    struct dkim_sign_opts o = {"football.example.com", sel, pkey,
	"from:to:subject:date:message-id", "from:to:subject", canon, canon,
	1528637909, -1, NULL, "\r\n"};
    struct mail_msg *u = NULL;
    const char *why;
    char   *value = NULL, *msg, *bad;
    int     res[4] = {0};
    const char *alg = crypto_alg_name(crypto_pkey_alg(pkey));

    if (mail_msg_read_buf(unsigned_txt, strlen(unsigned_txt), &u, &why) < 0
	|| dkim_sign(u->hdrs, u->body, u->body_len, &o, &value, &why) < 0) {
	ok(0, "dkim_sign %s", alg);
	mail_msg_free(&u);
	return;
    }
    msg = xasprintf("DKIM-Signature:%s\r\n%s", value, unsigned_txt);
    ok(verify_msg(msg, strlen(msg), res, 4) == 1 && res[0] == DKIM_PASS,
       "a message signed with %s (%s) verifies", alg, canon ? "relaxed" : "simple");
    bad = xasprintf("%s Extra.\r\n", msg);
    ok(verify_msg(bad, strlen(bad), res, 4) == 1 && res[0] == DKIM_FAIL,
       "%s: a changed body fails", alg);
    free(bad);
    bad = xstrdup(msg);
    *strstr(bad, "dinner") = 'D';
    ok(verify_msg(bad, strlen(bad), res, 4) == 1 && res[0] == DKIM_FAIL,
       "%s: a changed signed header fails", alg);
    free(bad);
    bad = xasprintf("From: evil@example.net\r\n%s", msg);
    ok(verify_msg(bad, strlen(bad), res, 4) == 1 && res[0] == DKIM_FAIL,
       "%s: a From added on top fails (From is over-signed)", alg);
    free(bad);
    free(msg);
    free(value);
    mail_msg_free(&u);
}

int     main(void)
{
    size_t  slen, ulen, n;
    char   *signed_txt = slurp("rfc8463_A3_signed.eml", &slen);
    char   *unsigned_txt = slurp("rfc8463_A3_unsigned.eml", &ulen);
    char   *pem = slurp("rfc8463_rsa_test.private.pem", NULL);
    char   *seed = slurp("rfc8463_ed25519_brisbane.seed.b64", NULL);
    char   *why = NULL;
    EVP_PKEY *rsa, *ed;
    int     res[4] = {0};

    keys_txt = slurp("rfc8463_keys.txt", NULL);
    rsa = crypto_privkey_pem(pem, strlen(pem), &why);
    ok(rsa != NULL, "the RFC 8463 RSA private key loads");
    ed = crypto_privkey_pem(seed, strlen(seed), &why);
    ok(ed != NULL, "the RFC 8463 Ed25519 seed loads");
    n = verify_msg(signed_txt, slen, res, 4);
    is_int((long long) n, 2, "the RFC 8463 example has two signatures");
    is_str(dkim_result_name(res[0]), "pass", "the ed25519-sha256 signature verifies");
    is_str(dkim_result_name(res[1]), "pass", "the rsa-sha256 signature verifies");
    if (rsa && ed) {
	reproduce(signed_txt, slen, unsigned_txt, ulen, ed, rsa);
	roundtrip(unsigned_txt, ed, "brisbane", CRYPTO_CANON_RELAXED);
	roundtrip(unsigned_txt, rsa, "test", CRYPTO_CANON_RELAXED);
	roundtrip(unsigned_txt, ed, "brisbane", CRYPTO_CANON_SIMPLE);
	roundtrip(unsigned_txt, rsa, "test", CRYPTO_CANON_SIMPLE);
    }
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ed);
    free(why);
    free(signed_txt);
    free(unsigned_txt);
    free(pem);
    free(seed);
    free(keys_txt);
    return done_testing();
}
