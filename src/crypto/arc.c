/*
 * NAME
 *	arc - ARC chain validation (RFC 8617 5.2)
 * SYNOPSIS
 *	See arc.h.
 * DESCRIPTION
 *	arc_verify_start indexes the ARC fields by instance and parses the
 *	AMS and AS fields; every AMS gets a body hash (the newest decides
 *	the chain, older ones give arc_oldest_pass). Any malformed ARC
 *	field makes the chain fail: a forger must not be able to hide a set.
 * DIAGNOSTICS
 *	See arc.h.
 * STANDARDS
 *	RFC 8617 4.1, 4.2, 5.2; RFC 6376 3.4 (relaxed for the seals).
 */
#include <string.h>
#include "crypto/arc.h"
#include "util/xmalloc.h"

struct arc_set {
    long    aar, ams, as;		/* field index, -1 none */
    struct crypto_sig *ams_sig, *as_sig;
    struct crypto_body *body;
};

struct arc_verify {
    const struct mail_hdrs *hdrs;
    struct crypto_bodyset *bodies;	/* the body hashes */
    int     own_set;			/* ours: arc_verify_body feeds it */
    int     incomplete;			/* the body was not seen whole */
    int     n;				/* newest instance */
    int     any;			/* any ARC field seen */
    const char *bad;			/* structural failure, or NULL */
    struct arc_set set[ARC_MAX_SETS + 1];
};

/* arc_state_name - Exim's word for a state */
const char *arc_state_name(int state)
{
    switch (state) {
    case ARC_PASS:
	return "pass";
    case ARC_FAIL:
	return "fail";
    case ARC_TEMPERROR:
	return "temperror";
    default:
	return "none";
    }
}

/* arc_hash_fields - SHA-256 of fields, relaxed, the last without CRLF */
int arc_hash_fields(const char *const *raw, const size_t *len, size_t n,
		    unsigned char *md32)
{
    struct buf b = BUF_INIT;
    unsigned int mdlen = 0;
    size_t  k;
    int     ok;

    for (k = 0; k < n; k++)
	crypto_canon_header(CRYPTO_CANON_RELAXED, raw[k], len[k], k + 1 < n, &b);
    ok = EVP_Digest(b.data, b.len, md32, &mdlen, crypto_sha256(), NULL) == 1;
    buf_free(&b);
    return ok && mdlen == 32 ? 0 : -1;
}

/* arc_index - put one ARC field in its set */
static void arc_index(struct arc_verify *v, const struct mail_hdr *h, long idx,
		      int kind)
{
    struct crypto_sig *sig = NULL;
    const char *why;
    int     inst;
    long   *slot;

    v->any = 1;
    if (kind < 0) {
	inst = crypto_aar_instance(h->value, h->value_len);
    } else if (crypto_sig_parse(kind, h->value, h->value_len, &sig, &why) < 0) {
	v->bad = kind == CRYPTO_SIG_AS ? "malformed ARC-Seal"
	    : "malformed ARC-Message-Signature";
	return;
    } else {
	inst = sig->instance;
    }
    if (inst < 1) {
	v->bad = "malformed ARC-Authentication-Results";
	return;
    }
    slot = kind < 0 ? &v->set[inst].aar : kind == CRYPTO_SIG_AMS ?
	&v->set[inst].ams : &v->set[inst].as;
    if (*slot >= 0) {
	crypto_sig_free(&sig);
	v->bad = "duplicate ARC instance";
	return;
    }
    *slot = idx;
    if (kind == CRYPTO_SIG_AMS)
	v->set[inst].ams_sig = sig;
    else if (kind == CRYPTO_SIG_AS)
	v->set[inst].as_sig = sig;
    if (inst > v->n)
	v->n = inst;
}

/* arc_structure - sets 1..n complete, cv values, algorithms */
static const char *arc_structure(struct arc_verify *v)
{
    int     i;

    for (i = 1; i <= v->n; i++) {
	struct arc_set *s = &v->set[i];

	if (s->aar < 0 || s->ams < 0 || s->as < 0)
	    return "incomplete ARC set";
	if (s->ams_sig->alg != CRYPTO_ALG_RSA_SHA256
	    && s->ams_sig->alg != CRYPTO_ALG_ED25519_SHA256)
	    return "unacceptable algorithm";
	if (s->as_sig->alg != CRYPTO_ALG_RSA_SHA256
	    && s->as_sig->alg != CRYPTO_ALG_ED25519_SHA256)
	    return "unacceptable algorithm";
	if (strcmp(s->as_sig->cv, i == 1 ? "none" : "pass") != 0)
	    return strcmp(s->as_sig->cv, "fail") == 0 ? "chain marked failed"
		: "bad cv in ARC-Seal";
    }
    return NULL;
}

/* arc_verify_start - index the ARC sets; the body hashes are our own */
struct arc_verify *arc_verify_start(const struct mail_hdrs *hdrs)
{
    return arc_verify_start_set(hdrs, NULL);
}

/* arc_verify_start_set - index the ARC sets; body hashes from set (or ours) */
struct arc_verify *arc_verify_start_set(const struct mail_hdrs *hdrs,
					struct crypto_bodyset *set)
{
    struct arc_verify *v = xcalloc(1, sizeof(*v));
    size_t  k;
    int     i;

    v->hdrs = hdrs;
    v->own_set = set == NULL;
    v->bodies = set ? set : crypto_bodyset_alloc();
    for (i = 0; i <= ARC_MAX_SETS; i++)
	v->set[i].aar = v->set[i].ams = v->set[i].as = -1;
    for (k = 0; k < mail_hdrs_count(hdrs) && v->bad == NULL; k++) {
	const struct mail_hdr *h = mail_hdrs_at(hdrs, k);

	if (mail_hdr_is(h, "ARC-Authentication-Results"))
	    arc_index(v, h, (long) k, -1);
	else if (mail_hdr_is(h, "ARC-Message-Signature"))
	    arc_index(v, h, (long) k, CRYPTO_SIG_AMS);
	else if (mail_hdr_is(h, "ARC-Seal"))
	    arc_index(v, h, (long) k, CRYPTO_SIG_AS);
    }
    if (v->bad == NULL && v->n > 0)
	v->bad = arc_structure(v);
    /* newest first: it decides; older ones only give arc_oldest_pass */
    if (v->bad == NULL)
	for (i = v->n; i >= 1; i--)
	    v->set[i].body = crypto_bodyset_get(v->bodies, v->set[i].ams_sig->bcanon,
						v->set[i].ams_sig->l);
    return v;
}

/* arc_verify_body - feed a body chunk to our hashes (a shared set is fed by its owner) */
void arc_verify_body(struct arc_verify *v, const char *data, size_t len)
{
    if (v->own_set)
	crypto_bodyset_update(v->bodies, data, len);
}

/* arc_check_ams - verify the AMS of instance i: CRYPTO_PASS/FAIL/TEMP/PERM */
static int arc_check_ams(struct arc_verify *v, int i, const struct crypto_keysrc *src,
			 const char **why_r)
{
    struct arc_set *s = &v->set[i];
    const struct mail_hdr *h = mail_hdrs_at(v->hdrs, (size_t) s->ams);
    unsigned char bh[32], hh[32];
    char   *stripped;
    size_t  slen, k;
    int     ret;

    for (k = 0; k < s->ams_sig->nh; k++)
	if (strcmp(s->ams_sig->h[k], "arc-seal") == 0)
	    return (*why_r = "AMS signs ARC-Seal", CRYPTO_FAIL);
    if (s->body == NULL)
	return (*why_r = "too many body hashes", CRYPTO_FAIL);
    if (crypto_body_final(s->body, bh) < 0)
	return (*why_r = "hash failure", CRYPTO_TEMP);
    if (s->ams_sig->bh_len != 32 || memcmp(bh, s->ams_sig->bh, 32) != 0)
	return (*why_r = "body hash mismatch", CRYPTO_FAIL);
    if ((stripped = crypto_sig_strip_b(s->ams_sig, h, &slen)) == NULL)
	return (*why_r = "b= cannot be removed", CRYPTO_FAIL);
    if (crypto_hash_headers(v->hdrs, s->ams_sig->h, s->ams_sig->nh,
			    s->ams_sig->hcanon, stripped, slen, hh) < 0)
	ret = (*why_r = "hash failure", CRYPTO_TEMP);
    else
	ret = crypto_sig_check(s->ams_sig, hh, src, why_r);
    free(stripped);
    return ret;
}

/* arc_check_as - verify the AS of instance i over sets 1..i */
static int arc_check_as(struct arc_verify *v, int i, const struct crypto_keysrc *src,
			const char **why_r)
{
    const char *raw[3 * ARC_MAX_SETS];
    size_t  len[3 * ARC_MAX_SETS], n = 0;
    unsigned char hh[32];
    char   *stripped;
    size_t  slen;
    int     j, ret;

    for (j = 1; j <= i; j++) {
	long    idx[3] = {v->set[j].aar, v->set[j].ams, v->set[j].as};
	int     k;

	for (k = 0; k < 3; k++) {
	    const struct mail_hdr *h = mail_hdrs_at(v->hdrs, (size_t) idx[k]);

	    raw[n] = h->raw;
	    len[n++] = h->raw_len;
	}
    }
    if ((stripped = crypto_sig_strip_b(v->set[i].as_sig,
				       mail_hdrs_at(v->hdrs, (size_t) v->set[i].as),
				       &slen)) == NULL)
	return (*why_r = "b= cannot be removed", CRYPTO_FAIL);
    raw[n - 1] = stripped;
    len[n - 1] = slen;
    if (arc_hash_fields(raw, len, n, hh) < 0)
	ret = (*why_r = "hash failure", CRYPTO_TEMP);
    else
	ret = crypto_sig_check(v->set[i].as_sig, hh, src, why_r);
    free(stripped);
    return ret;
}

/* arc_verdict - map a check status to the result; 1 if final */
static int arc_verdict(int st, const char *why, struct arc_result *res)
{
    if (st == CRYPTO_PASS)
	return 0;
    res->state = st == CRYPTO_TEMP ? ARC_TEMPERROR : ARC_FAIL;
    res->reason = why;
    return 1;
}

/* arc_verify_end - validate the chain */
void arc_verify_end(struct arc_verify *v, const struct crypto_keysrc *src,
		    struct arc_result *res)
{
    const char *why = NULL;
    struct buf d = BUF_INIT;
    int     i, st;

    memset(res, 0, sizeof(*res));
    res->count = v->n;
    if (!v->any) {
	res->state = ARC_NONE;
	res->reason = "no ARC sets";
	return;
    }
    if (v->bad) {
	res->state = ARC_FAIL;
	res->reason = v->bad;
	return;
    }
    for (i = 1; i <= v->n; i++) {
	if (d.len)
	    buf_putc(&d, ':');
	buf_puts(&d, v->set[i].as_sig->d);
    }
    res->domains = buf_steal(&d);
    if (v->incomplete) {
	res->state = ARC_FAIL;
	res->reason = "body not checked (message too large)";
	return;
    }
    st = arc_check_ams(v, v->n, src, &why);
    if (arc_verdict(st, why, res))
	return;
    for (i = v->n; i >= 1; i--) {
	st = arc_check_as(v, i, src, &why);
	if (arc_verdict(st, why, res))
	    return;
    }
    res->state = ARC_PASS;
    res->reason = NULL;
    res->oldest_pass = v->n;
    for (i = v->n - 1; i >= 1; i--) {
	if (arc_check_ams(v, i, src, &why) != CRYPTO_PASS)
	    break;
	res->oldest_pass = i;
    }
}

/* arc_verify_incomplete - the body was cut: the chain cannot be validated */
void arc_verify_incomplete(struct arc_verify *v)
{
    v->incomplete = 1;
}

/* arc_verify_free - release the verifier */
void arc_verify_free(struct arc_verify **vp)
{
    struct arc_verify *v = *vp;
    int     i;

    if (v == NULL)
	return;
    for (i = 0; i <= ARC_MAX_SETS; i++) {
	crypto_sig_free(&v->set[i].ams_sig);
	crypto_sig_free(&v->set[i].as_sig);
	crypto_body_free(&v->set[i].body);
    }
    if (v->own_set)
	crypto_bodyset_free(&v->bodies);
    xfreep(vp);
}

/* arc_result_clear - release what a result holds */
void arc_result_clear(struct arc_result *res)
{
    xfreep(&res->domains);
}
