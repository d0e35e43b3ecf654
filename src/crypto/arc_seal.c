/*
 * NAME
 *	arc_seal - add an ARC set to a message (RFC 8617 5.1)
 * SYNOPSIS
 *	See arc.h.
 * DESCRIPTION
 *	The new set is built bottom-up: the AAR (our Authentication-Results
 *	results), the AMS (signing o->headers and the body, relaxed/relaxed,
 *	never an ARC field), then the AS over the chain plus the new AAR and
 *	AMS. The AMS b= value is written on one line: the seals of later
 *	hops cover our AMS with relaxed canonicalization, where a fold inside
 *	b= would become a space, and the ARC test suite's seals (made by
 *	dkimpy, which seals the unfolded AMS) expect none. The AS b= is
 *	folded (70 octets after "b=", then 72 per line, as dkimpy does):
 *	nothing signs it.
 * DIAGNOSTICS
 *	See arc.h.
 * STANDARDS
 *	RFC 8617 4.1.1-4.1.3, 5.1; RFC 8601 2.2.
 */
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include "crypto/arc.h"
#include "mail/authres.h"
#include "util/xmalloc.h"

/* seal_space - append text with white space runs made one space */
static void seal_space(struct buf *out, const char *s, size_t len)
{
    size_t  i;
    int     wsp = 0;

    for (i = 0; i < len; i++) {
	if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
	    wsp = 1;
	    continue;
	}
	if (wsp && out->len > 0 && out->data[out->len - 1] != '\n')
	    buf_putc(out, ' ');
	wsp = 0;
	buf_putc(out, s[i]);
    }
}

/* seal_results - append the resinfos of one A-R value after its id */
static void seal_results(struct buf *aar, const char *v, size_t len, const char *eol)
{
    size_t  i, start = 0;
    int     depth = 0, quote = 0, first = 1;

    for (i = 0; i <= len; i++) {
	char    c = i < len ? v[i] : ';';

	if (quote) {
	    if (c == '\\' && i + 1 < len)
		i++;
	    else if (c == '"')
		quote = 0;
	    continue;
	}
	if (c == '"')
	    quote = 1;
	else if (c == '(')
	    depth++;
	else if (c == ')' && depth > 0)
	    depth--;
	else if (c == '\\' && depth > 0 && i + 1 < len)
	    i++;
	else if (c == ';' && depth == 0) {
	    struct buf one = BUF_INIT;

	    if (!first) {
		seal_space(&one, v + start, i - start);
		if (one.len > 0 && strcasecmp(buf_str(&one), "none") != 0) {
		    buf_putc(aar, ';');
		    buf_puts(aar, eol);
		    buf_putc(aar, ' ');
		    buf_append(aar, one.data, one.len);
		}
		buf_free(&one);
	    }
	    first = 0;			/* the first part is the authserv-id */
	    start = i + 1;
	}
    }
}

/* seal_aar - " i=N; id; res1;" eol " res2..." from our A-R fields */
static char *seal_aar(const struct mail_hdrs *hdrs, int inst,
		      const struct arc_seal_opts *o)
{
    struct buf aar = BUF_INIT;
    size_t  k, mark;

    buf_printf(&aar, " i=%d; %s", inst, o->authserv_id);
    mark = aar.len;
    for (k = 0; k < mail_hdrs_count(hdrs); k++) {
	const struct mail_hdr *h = mail_hdrs_at(hdrs, k);
	char   *id = NULL;
	int     version;

	if (!mail_hdr_is(h, "Authentication-Results")
	    || mail_ar_parse_id(h->value, h->value_len, &id, &version) < 0)
	    continue;
	if (strcasecmp(id, o->authserv_id) == 0)
	    seal_results(&aar, h->value, h->value_len, o->eol);
	free(id);
    }
    if (aar.len == mark)
	buf_puts(&aar, "; none");
    return buf_steal(&aar);
}

/* seal_b - append "b=" and the signature, folded unless fold is 0 */
static void seal_b(struct buf *out, const char *b64, const char *eol, int fold)
{
    size_t  len = strlen(b64), off = 0, chunk = fold ? 70 : len;

    buf_puts(out, "b=");
    while (off < len) {
	if (off > 0) {
	    buf_puts(out, eol);
	    buf_putc(out, ' ');
	}
	if (chunk > len - off)
	    chunk = len - off;
	buf_append(out, b64 + off, chunk);
	off += chunk;
	chunk = fold ? 72 : len;
    }
}

/* seal_finish - " a=ALG;" eol " b=...;" eol + folded rest */
static char *seal_finish(int alg, const char *b64, const char *rest, const char *eol,
			 int fold)
{
    struct buf v = BUF_INIT;
    char   *folded = crypto_fold_tags("", rest, eol);

    buf_printf(&v, " a=%s;%s ", crypto_alg_name(alg), eol);
    seal_b(&v, b64, eol, fold);
    buf_printf(&v, ";%s%s", eol, folded);
    free(folded);
    return buf_steal(&v);
}

/* seal_names - o->headers without ARC fields; returns the count */
static size_t seal_names(const char *list, char **names, struct buf *h)
{
    char   *dup = xstrdup(list ? list : "from:to:subject:date:message-id"), *tok, *save;
    size_t  n = 0;

    for (tok = strtok_r(dup, ": \t", &save); tok && n < CRYPTO_MAX_HNAMES;
	 tok = strtok_r(NULL, ": \t", &save)) {
	if (strncasecmp(tok, "arc-", 4) == 0)
	    continue;
	names[n] = xstrdup(tok);
	for (char *c = names[n]; *c; c++)
	    *c = (char) tolower((unsigned char) *c);
	if (h->len)
	    buf_putc(h, ':');
	buf_puts(h, names[n++]);
    }
    free(dup);
    return n;
}

/* seal_ams - the new AMS value */
static char *seal_ams(const struct mail_hdrs *hdrs, const unsigned char *bh,
		      int inst, const struct arc_seal_opts *o, int alg)
{
    struct buf rest = BUF_INIT, h = BUF_INIT;
    char   *names[CRYPTO_MAX_HNAMES], *bh64, *raw, *b64, *folded, *out = NULL;
    size_t  n, k;

    bh64 = crypto_b64_encode(bh, 32);
    n = seal_names(o->headers, names, &h);
    buf_printf(&rest, "bh=%s; c=relaxed/relaxed; d=%s; h=%s; i=%d; s=%s",
	       bh64, o->domain, buf_str(&h), inst, o->selector);
    if (o->t >= 0)
	buf_printf(&rest, "; t=%lld", o->t);
    if (o->x >= 0)
	buf_printf(&rest, "; x=%lld", o->x);
    /*
     * Sign the field as it will be written: a long h= is folded after a
     * colon, and relaxed canonicalization keeps that fold as a space.
     */
    folded = crypto_fold_tags("", rest.data, o->eol);
    raw = xasprintf("ARC-Message-Signature: a=%s;%s b=;%s%s", crypto_alg_name(alg), o->eol,
		    o->eol, folded);
    b64 = crypto_sign_field(hdrs, names, n, CRYPTO_CANON_RELAXED, o->pkey, raw,
			    strlen(raw));
    if (b64)
	out = seal_finish(alg, b64, rest.data, o->eol, 0);
    for (k = 0; k < n; k++)
	free(names[k]);
    free(b64);
    free(raw);
    free(folded);
    free(bh64);
    buf_free(&rest);
    buf_free(&h);
    return out;
}

/* seal_as - the new AS value over the chain (or the new set) */
static char *seal_as(const struct mail_hdrs *hdrs, int inst, const char *cv,
		     const struct arc_seal_opts *o, int alg,
		     const char *aar_raw, const char *ams_raw)
{
    const char *raw[3 * ARC_MAX_SETS + 3];
    const struct mail_hdr *at[ARC_MAX_SETS + 1][3];
    size_t  len[3 * ARC_MAX_SETS + 3], n = 0;
    struct buf rest = BUF_INIT;
    unsigned char hh[32], *sig = NULL;
    size_t  sig_len = 0, k;
    char   *unsigned_raw, *b64, *out = NULL;
    int     j, t;

    static const char *const kinds[3] = {"ARC-Authentication-Results",
	"ARC-Message-Signature", "ARC-Seal"};

    /* one pass: the first field of each kind per instance (O(fields)) */
    memset(at, 0, sizeof(at));
    for (k = 0; strcmp(cv, "fail") != 0 && k < mail_hdrs_count(hdrs); k++) {
	const struct mail_hdr *h = mail_hdrs_at(hdrs, k);
	struct crypto_sig *sig_p = NULL;
	const char *why;
	int     hi = -1;

	for (t = 0; t < 3 && !mail_hdr_is(h, kinds[t]); t++)
	    ;
	if (t == 3)
	    continue;
	if (t == 0)
	    hi = crypto_aar_instance(h->value, h->value_len);
	else if (crypto_sig_parse(t == 1 ? CRYPTO_SIG_AMS : CRYPTO_SIG_AS,
				  h->value, h->value_len, &sig_p, &why) == 0)
	    hi = sig_p->instance;
	crypto_sig_free(&sig_p);
	if (hi >= 1 && hi < inst && at[hi][t] == NULL)
	    at[hi][t] = h;
    }
    for (j = 1; strcmp(cv, "fail") != 0 && j < inst; j++)
	for (t = 0; t < 3; t++)
	    if (at[j][t] != NULL) {
		raw[n] = at[j][t]->raw;
		len[n++] = at[j][t]->raw_len;
	    }
    buf_printf(&rest, "cv=%s; d=%s; i=%d; s=%s", cv, o->domain, inst, o->selector);
    if (o->t >= 0)
	buf_printf(&rest, "; t=%lld", o->t);
    unsigned_raw = xasprintf("ARC-Seal: a=%s; b=; %s", crypto_alg_name(alg), rest.data);
    raw[n] = aar_raw;
    len[n++] = strlen(aar_raw);
    raw[n] = ams_raw;
    len[n++] = strlen(ams_raw);
    raw[n] = unsigned_raw;
    len[n++] = strlen(unsigned_raw);
    if (arc_hash_fields(raw, len, n, hh) == 0
	&& crypto_sign(alg, o->pkey, hh, &sig, &sig_len) == 0) {
	b64 = crypto_b64_encode(sig, sig_len);
	out = seal_finish(alg, b64, rest.data, o->eol, 1);
	free(b64);
	free(sig);
    }
    free(unsigned_raw);
    buf_free(&rest);
    return out;
}

/* seal_newest_failed - does the newest existing seal say cv=fail */
static int seal_newest_failed(const struct mail_hdrs *hdrs, int count)
{
    size_t  k;
    int     failed = 0;

    for (k = 0; k < mail_hdrs_count(hdrs); k++) {
	const struct mail_hdr *h = mail_hdrs_at(hdrs, k);
	struct crypto_sig *sig = NULL;
	const char *why;

	if (mail_hdr_is(h, "ARC-Seal")
	    && crypto_sig_parse(CRYPTO_SIG_AS, h->value, h->value_len, &sig, &why) == 0
	    && sig->instance == count && strcmp(sig->cv, "fail") == 0)
	    failed = 1;
	crypto_sig_free(&sig);
    }
    return failed;
}

/* arc_seal - build the next ARC set */
int arc_seal(const struct mail_hdrs *hdrs, const char *body, size_t len,
	     const struct arc_result *chain, const struct arc_seal_opts *o,
	     struct arc_seal_out *out, const char **why_r)
{
    struct crypto_body *bs = crypto_body_alloc(CRYPTO_CANON_RELAXED, -1);
    unsigned char bh[32];
    int     ret;

    crypto_body_update(bs, body, len);
    ret = crypto_body_final(bs, bh);
    crypto_body_free(&bs);
    if (ret < 0) {
	memset(out, 0, sizeof(*out));
	return (*why_r = "hash failure", -1);
    }
    return arc_seal_hashed(hdrs, bh, chain, o, out, why_r);
}

/* arc_seal_hashed - build the next ARC set from the body hash bh */
int arc_seal_hashed(const struct mail_hdrs *hdrs, const unsigned char *bh,
		    const struct arc_result *chain, const struct arc_seal_opts *o,
		    struct arc_seal_out *out, const char **why_r)
{
    int     alg = crypto_pkey_alg(o->pkey), inst;
    const char *cv;
    char   *aar_raw, *ams_raw;

    memset(out, 0, sizeof(*out));
    if (alg == CRYPTO_ALG_NONE || crypto_pkey_bits_ok(o->pkey, why_r) < 0)
	return (*why_r = "unsupported sealing key", -1);
    if (chain->state == ARC_TEMPERROR)
	return (*why_r = "chain state unknown (temporary error)", -1);
    if (chain->count >= ARC_MAX_SETS)
	return (*why_r = "chain already has 50 sets", -1);
    if (chain->count > 0 && seal_newest_failed(hdrs, chain->count))
	return (*why_r = "chain already sealed as failed", -1);
    cv = chain->state == ARC_PASS ? "pass" : chain->state == ARC_FAIL ? "fail" : "none";
    inst = chain->count + 1;
    out->instance = inst;
    out->aar = seal_aar(hdrs, inst, o);
    out->ams = seal_ams(hdrs, bh, inst, o, alg);
    if (out->ams == NULL) {
	arc_seal_out_clear(out);
	return (*why_r = "signing failed", -1);
    }
    aar_raw = xasprintf("ARC-Authentication-Results:%s", out->aar);
    ams_raw = xasprintf("ARC-Message-Signature:%s", out->ams);
    out->as = seal_as(hdrs, inst, cv, o, alg, aar_raw, ams_raw);
    free(aar_raw);
    free(ams_raw);
    if (out->as == NULL) {
	arc_seal_out_clear(out);
	return (*why_r = "signing failed", -1);
    }
    return 0;
}

/* arc_seal_out_clear - release the built values */
void arc_seal_out_clear(struct arc_seal_out *out)
{
    xfreep(&out->aar);
    xfreep(&out->ams);
    xfreep(&out->as);
}
