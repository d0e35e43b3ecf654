/*
 * NAME
 *	dkim - DKIM verification (streaming) and signing
 * SYNOPSIS
 *	See dkim.h.
 * DESCRIPTION
 *	Each signature keeps its own body hash state (canonicalization and
 *	l= differ between signatures), so the body is read once and never
 *	buffered. Results keep Exim's and RFC 8601's words; the reasons are
 *	static text (never key material).
 * DIAGNOSTICS
 *	See dkim.h.
 * STANDARDS
 *	RFC 6376 3.5, 3.7, 5, 6.1; RFC 8301; RFC 8463.
 */
#include <string.h>
#include <strings.h>
#include "crypto/dkim.h"
#include "util/xmalloc.h"

struct dkim_one {
    struct crypto_sig *sig;		/* NULL when unparsable */
    struct crypto_body *body;
    char   *stripped;			/* field with b= emptied */
    size_t  stripped_len;
    struct dkim_result res;
};

struct dkim_verify {
    const struct mail_hdrs *hdrs;
    struct crypto_bodyset *set;		/* the body hashes */
    int     own_set;			/* ours: dkim_verify_body feeds it */
    int     incomplete;			/* the body was not seen whole */
    struct dkim_verify_opts opts;
    size_t  n;
    struct dkim_one one[DKIM_MAX_SIGS + 1];	/* + one "too many" result */
    struct dkim_result res[DKIM_MAX_SIGS + 1];
};

/* dkim_result_name - the RFC 8601 word of a result */
const char *dkim_result_name(int result)
{
    static const char *const names[] = {"none", "pass", "fail", "neutral",
	"policy", "temperror", "permerror"};

    return result >= 0 && result <= DKIM_PERMERROR ? names[result] : "none";
}

/* dkim_one_init - parse one signature field and start its body hash */
static void dkim_one_init(struct dkim_verify *v, struct dkim_one *o,
			  const struct mail_hdr *h, size_t idx)
{
    const char *why = NULL;
    long long now = (long long) v->opts.now;

    o->res.field = idx;
    o->res.l = -1;
    if (crypto_sig_parse(CRYPTO_SIG_DKIM, h->value, h->value_len, &o->sig, &why) < 0) {
	o->res.result = DKIM_PERMERROR;
	o->res.reason = why;
	return;
    }
    o->res.d = xstrdup(o->sig->d);
    o->res.s = xstrdup(o->sig->s);
    o->res.i = o->sig->i ? xstrdup(o->sig->i) : NULL;
    o->res.alg = o->sig->alg;
    o->res.l = o->sig->l;
    if (o->sig->alg == CRYPTO_ALG_RSA_SHA1) {
	o->res.result = v->opts.sha1_result ? v->opts.sha1_result : DKIM_POLICY;
	o->res.reason = "rsa-sha1 not accepted";
    } else if (o->sig->x >= 0 && o->sig->x < now) {
	o->res.result = DKIM_FAIL;
	o->res.reason = "signature expired";
    } else if (o->sig->t > now + DKIM_CLOCK_SKEW) {
	o->res.result = DKIM_FAIL;
	o->res.reason = "signature in the future";
    } else if ((o->stripped = crypto_sig_strip_b(o->sig, h, &o->stripped_len)) == NULL) {
	o->res.result = DKIM_PERMERROR;
	o->res.reason = "b= cannot be removed";
    } else if ((o->body = crypto_bodyset_get(v->set, o->sig->bcanon, o->sig->l)) == NULL) {
	o->res.result = DKIM_PERMERROR;
	o->res.reason = "too many body hashes";
    }
}

/* dkim_verify_start - parse the signatures; the body hashes are our own */
struct dkim_verify *dkim_verify_start(const struct mail_hdrs *hdrs,
				      const struct dkim_verify_opts *opts)
{
    return dkim_verify_start_set(hdrs, opts, NULL);
}

/* dkim_verify_start_set - parse the signatures; body hashes from set (or ours) */
struct dkim_verify *dkim_verify_start_set(const struct mail_hdrs *hdrs,
					  const struct dkim_verify_opts *opts,
					  struct crypto_bodyset *set)
{
    struct dkim_verify *v = xcalloc(1, sizeof(*v));
    size_t  i;

    v->hdrs = hdrs;
    v->own_set = set == NULL;
    v->set = set ? set : crypto_bodyset_alloc();
    if (opts)
	v->opts = *opts;
    if (v->opts.now == 0)
	v->opts.now = time(NULL);
    for (i = 0; i < mail_hdrs_count(hdrs); i++) {
	const struct mail_hdr *h = mail_hdrs_at(hdrs, i);

	if (!mail_hdr_is(h, "DKIM-Signature"))
	    continue;
	if (v->n == DKIM_MAX_SIGS) {
	    /* one more result reports the excess; nothing more is parsed */
	    v->one[v->n].res.result = DKIM_PERMERROR;
	    v->one[v->n].res.reason = "too many signatures";
	    v->one[v->n].res.field = i;
	    v->one[v->n].res.l = -1;
	    v->n++;
	    break;
	}
	dkim_one_init(v, &v->one[v->n++], h, i);
    }
    return v;
}

/* dkim_verify_body - feed a body chunk to our hashes (a shared set is fed by its owner) */
void dkim_verify_body(struct dkim_verify *v, const char *data, size_t len)
{
    if (v->own_set)
	crypto_bodyset_update(v->set, data, len);
}

/* dkim_one_end - finish one signature */
static void dkim_one_end(struct dkim_verify *v, struct dkim_one *o,
			 const struct crypto_keysrc *src)
{
    unsigned char bh[32], hh[32];
    const char *why = NULL;

    if (crypto_body_final(o->body, bh) < 0) {
	o->res.result = DKIM_TEMPERROR;
	o->res.reason = "hash failure";
	return;
    }
    o->res.body_len = crypto_body_length(o->body);
    if (o->sig->l > o->res.body_len) {
	o->res.result = DKIM_PERMERROR;
	o->res.reason = "l= beyond the body";
	return;
    }
    if (o->sig->bh_len != 32 || memcmp(bh, o->sig->bh, 32) != 0) {
	o->res.result = DKIM_FAIL;
	o->res.reason = "body hash mismatch";
	return;
    }
    if (crypto_hash_headers(v->hdrs, o->sig->h, o->sig->nh, o->sig->hcanon,
			    o->stripped, o->stripped_len, hh) < 0) {
	o->res.result = DKIM_TEMPERROR;
	o->res.reason = "hash failure";
	return;
    }
    switch (crypto_sig_check(o->sig, hh, src, &why)) {
    case CRYPTO_PASS:
	o->res.result = DKIM_PASS;
	o->res.reason = o->sig->l >= 0 && o->sig->l < o->res.body_len ?
	    "l= does not cover the whole body" : NULL;
	break;
    case CRYPTO_FAIL:
	o->res.result = DKIM_FAIL;
	o->res.reason = why;
	break;
    case CRYPTO_TEMP:
	o->res.result = DKIM_TEMPERROR;
	o->res.reason = why;
	break;
    default:
	o->res.result = DKIM_PERMERROR;
	o->res.reason = why;
	break;
    }
}

/* dkim_verify_end - check every signature; results in field order */
size_t dkim_verify_end(struct dkim_verify *v, const struct crypto_keysrc *src,
		       const struct dkim_result **res_r)
{
    size_t  k;

    for (k = 0; k < v->n; k++) {
	if (v->one[k].body && v->incomplete) {
	    v->one[k].res.result = DKIM_NEUTRAL;
	    v->one[k].res.reason = "body not checked (message too large)";
	} else if (v->one[k].body)
	    dkim_one_end(v, &v->one[k], src);
	v->res[k] = v->one[k].res;
    }
    *res_r = v->res;
    return v->n;
}

/* dkim_verify_incomplete - the body was cut: signatures cannot be checked */
void dkim_verify_incomplete(struct dkim_verify *v)
{
    v->incomplete = 1;
}

/* dkim_verify_free - release the verifier and its results */
void dkim_verify_free(struct dkim_verify **vp)
{
    struct dkim_verify *v = *vp;
    size_t  k;

    if (v == NULL)
	return;
    for (k = 0; k < v->n; k++) {
	crypto_sig_free(&v->one[k].sig);
	crypto_body_free(&v->one[k].body);
	free(v->one[k].stripped);
	free(v->one[k].res.d);
	free(v->one[k].res.s);
	free(v->one[k].res.i);
    }
    if (v->own_set)
	crypto_bodyset_free(&v->set);
    xfreep(vp);
}

/* crypto_fold_tags - "name:" + text folded at spaces to 78 columns */
char   *crypto_fold_tags(const char *name, const char *text, const char *eol)
{
    struct buf b = BUF_INIT;
    size_t  col = strlen(name) + 1, tl;
    const char *p = text, *e;

    while (*p) {
	while (*p == ' ')
	    p++;
	if (*p == 0)
	    break;
	e = strchr(p, ' ');
	tl = e ? (size_t) (e - p) : strlen(p);
	if (col + 1 + tl > 78 && b.len > 0) {
	    buf_puts(&b, eol);
	    col = 0;
	}
	buf_putc(&b, ' ');
	col++;
	/* a long token (h= lists) breaks after its colons */
	while (col + tl > 78 && memchr(p, ':', tl) != NULL) {
	    const char *c = p, *cut = NULL;

	    for (; c < p + tl && (size_t) (c - p) + col < 78; c++)
		if (*c == ':')
		    cut = c + 1;
	    if (cut == NULL)
		break;
	    buf_append(&b, p, (size_t) (cut - p));
	    buf_puts(&b, eol);
	    buf_putc(&b, ' ');
	    col = 1;
	    tl -= (size_t) (cut - p);
	    p = cut;
	}
	buf_append(&b, p, tl);
	col += tl;
	p += tl;
    }
    return buf_steal(&b);
}

/* dkim_hnames - the h= list: each present instance, plus over-signing */
static size_t dkim_hnames(const struct mail_hdrs *hdrs, const char *list,
			  const char *over, char **names, struct buf *h)
{
    size_t  n = 0, cnt, k;
    int     pass;
    char   *dup, *tok, *save = NULL;

    for (pass = 0; pass < 2; pass++) {
	const char *src = pass == 0 ? list : over;

	if (src == NULL)
	    continue;
	dup = xstrdup(src);
	for (tok = strtok_r(dup, ": \t", &save); tok; tok = strtok_r(NULL, ": \t", &save)) {
	    cnt = pass == 0 ? mail_hdrs_count_name(hdrs, tok) : 1;
	    for (k = 0; k < cnt && n < CRYPTO_MAX_HNAMES; k++) {
		names[n++] = xstrdup(tok);
		for (char *c = names[n - 1]; *c; c++)
		    *c = (char) (*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		if (h->len)
		    buf_putc(h, ':');
		buf_puts(h, names[n - 1]);
	    }
	}
	free(dup);
    }
    return n;
}

/* dkim_sign - build a DKIM-Signature value for the message */
int dkim_sign(const struct mail_hdrs *hdrs, const char *body, size_t len,
	      const struct dkim_sign_opts *o, char **value_r, const char **why_r)
{
    struct crypto_body *bs = crypto_body_alloc(o->bcanon, -1);
    unsigned char bh[32];
    int     ret;

    crypto_body_update(bs, body, len);
    ret = crypto_body_final(bs, bh);
    crypto_body_free(&bs);
    if (ret < 0) {
	*value_r = NULL;
	return (*why_r = "hash failure", -1);
    }
    return dkim_sign_hashed(hdrs, bh, o, value_r, why_r);
}

/* dkim_sign_hashed - build a DKIM-Signature value from the body hash bh */
int dkim_sign_hashed(const struct mail_hdrs *hdrs, const unsigned char *bh,
		     const struct dkim_sign_opts *o, char **value_r, const char **why_r)
{
    struct buf t = BUF_INIT, h = BUF_INIT;
    char   *names[CRYPTO_MAX_HNAMES], *bh64, *folded, *raw, *b64;
    size_t  n, k;
    int     alg = crypto_pkey_alg(o->pkey);

    *value_r = NULL;
    if (alg == CRYPTO_ALG_NONE || crypto_pkey_bits_ok(o->pkey, why_r) < 0)
	return (*why_r = "unsupported signing key", -1);
    n = dkim_hnames(hdrs, o->headers, o->oversign, names, &h);
    bh64 = crypto_b64_encode(bh, 32);
    buf_printf(&t, " v=1; a=%s; c=%s/%s; d=%s; s=%s;", crypto_alg_name(alg),
	       o->hcanon ? "relaxed" : "simple", o->bcanon ? "relaxed" : "simple",
	       o->domain, o->selector);
    if (o->identity)
	buf_printf(&t, " i=%s;", o->identity);
    if (o->t >= 0)
	buf_printf(&t, " t=%lld;", o->t);
    if (o->x >= 0)
	buf_printf(&t, " x=%lld;", o->x);
    buf_printf(&t, " h=%s; bh=%s; b=", buf_str(&h), bh64);
    folded = crypto_fold_tags("DKIM-Signature", t.data, o->eol);
    raw = xasprintf("DKIM-Signature:%s", folded);
    b64 = crypto_sign_field(hdrs, names, n, o->hcanon, o->pkey, raw, strlen(raw));
    if (b64 != NULL) {
	struct buf v = BUF_INIT;
	size_t  col = 0, off;
	const char *nl = strrchr(folded, '\n');

	col = nl ? strlen(nl + 1) : strlen(folded) + 15;
	buf_puts(&v, folded);
	for (off = 0; b64[off];) {
	    size_t  room = col < 76 ? 78 - col : 0, chunk = strlen(b64 + off);

	    if (room == 0) {
		buf_puts(&v, o->eol);
		buf_putc(&v, ' ');
		col = 1;
		continue;
	    }
	    if (chunk > room)
		chunk = room;
	    buf_append(&v, b64 + off, chunk);
	    off += chunk;
	    col += chunk;
	}
	*value_r = buf_steal(&v);
    } else {
	*why_r = "signing failed";
    }
    for (k = 0; k < n; k++)
	free(names[k]);
    free(b64);
    free(raw);
    free(folded);
    free(bh64);
    buf_free(&t);
    buf_free(&h);
    return *value_r ? 0 : -1;
}
