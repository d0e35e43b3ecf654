/*
 * NAME
 *	dkim_check - the DKIM check module: verify every signature, sign
 * SYNOPSIS
 *	#include "check/dkim_check.h"
 *
 *	extern const struct check_module dkim_check_module;
 *	extern const struct fact_table dkim_fact_table;
 * DESCRIPTION
 *	on_eoh parses every DKIM-Signature and takes its body hash from the
 *	message's body set (check_shared "crypto.bodies", shared with the
 *	ARC module and our own signing: one hash per canonicalization and
 *	l=, fed once as the body streams). on_eom fetches the keys (src/dns,
 *	parsed keys cached per snapshot) and sets the facts:
 *	  dkim                the best result: pass, else temperror, fail,
 *	                      policy, neutral, permerror, none (in that order)
 *	  dkim_domains        d= of the passing signatures, colon-separated
 *	  dkim_verify_reason  why the best result is not pass ("" on pass)
 *	  dkim_results        "RESULT:DOMAIN:SELECTOR" per signature in
 *	                      header order, space-separated (DMARC reads it)
 *	  dkim_signed         "DOMAIN:SELECTOR" of the signatures we added
 *	authres() gives one dkim= clause per signature (header.d, header.s,
 *	header.b = the first 8 characters of b=, the reason as comment);
 *	an unsigned message gets no dkim clause (the dkim fact says none).
 *
 *	on_final signs the header block as delivered (our A-R included)
 *	when a rule set control = dkim_sign or the client is authenticated
 *	or trusted, with every key of the From domain (dkim.sign entries,
 *	then dkim.key_table), DKIM-Signature fields inserted at the top. A
 *	message over milter.max_message_size is never signed and its
 *	signatures are neutral (the body was not seen whole).
 * DIAGNOSTICS
 *	Hooks return 0: a DNS failure is temperror, a key that cannot sign
 *	is logged. init fails with "FILE:LINE: key: what" lines for key
 *	files that cannot be used (missing, group/other-readable, wrong
 *	type) and bad key tables.
 * STANDARDS
 *	RFC 6376 5, 6; RFC 8463; RFC 8601 2.7.1 (dkim method), RFC 6008
 *	(header.b).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/dkim_check.h"
#include "conf/conf.h"
#include "mail/addr.h"
#include "mail/authres.h"
#include "mail/header.h"
#include "policy/rules.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define DKIM_KEYCACHE_MAX	10000
#define DKIM_KEYCACHE_TTL	600

static const char *const dkim_words[] = {
    "pass", "fail", "neutral", "policy", "temperror", "permerror", "none", NULL,
};

static const struct fact_def dkim_defs[] = {
    {"dkim", FACT_WORD, FACT_STAGE_DATA, dkim_words,
     "best DKIM result: pass, else temperror, fail, policy, neutral, permerror, none"},
    {"dkim_domains", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "d= domains of the passing DKIM signatures, colon-separated"},
    {"dkim_verify_reason", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "why the best DKIM result is not pass (empty on pass)"},
    {"dkim_results", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "RESULT:DOMAIN:SELECTOR per DKIM signature in header order, space-separated"},
    {"dkim_signed", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "DOMAIN:SELECTOR of the DKIM signatures mxguardd added, space-separated"},
};

const struct fact_table dkim_fact_table = {
    "dkim", dkim_defs, sizeof(dkim_defs) / sizeof(dkim_defs[0]),
};

struct dkim_state {
    int verify;
    struct crypto_keysrc src;
    struct dkim_verify_opts opts;
    struct dkim_sign_conf sign;
};

struct dkim_ar {
    const char *result, *reason;
    char *d, *s, *b8;
};

struct dkim_msg {
    struct dkim_verify *v;
    struct crypto_body *sign_body;
    struct dkim_ar *ar;
    size_t nar;
    int verified;
};

/* dkim_check_init - keys and settings of a snapshot; NULL when disabled */
static void *dkim_check_init(const struct conf *c, struct pipeline_env *env,
			     struct buf *errors_r)
{
    struct dkim_state *s = xcalloc(1, sizeof(*s));

    if (dkim_sign_conf_load(&s->sign, c, 0, errors_r) < 0
	|| (!conf_bool(c, "dkim.verify") && dkim_keyring_count(s->sign.ring) == 0)) {
	dkim_sign_conf_clear(&s->sign);
	free(s);
	return NULL;
    }
    s->verify = conf_bool(c, "dkim.verify");
    s->src.fetch = crypto_keyfetch_dns;
    s->src.ctx = pipeline_env_resolver(env);
    s->src.cache = crypto_keycache_alloc(DKIM_KEYCACHE_MAX, DKIM_KEYCACHE_TTL);
    s->src.min_rsa_bits = (int) conf_int(c, "dkim.min_key_bits");
    s->opts.sha1_result = strcmp(conf_str(c, "dkim.sha1"), "neutral") == 0 ? DKIM_NEUTRAL
	: DKIM_POLICY;
    return s;
}

/* dkim_check_fini - free the state */
static void dkim_check_fini(void *state)
{
    struct dkim_state *s = state;

    crypto_keycache_free(&s->src.cache);
    dkim_sign_conf_clear(&s->sign);
    free(s);
}

/* dkim_bodies_feed - a body chunk to every hash of the set */
static void dkim_bodies_feed(void *ctx, const unsigned char *data, size_t len)
{
    crypto_bodyset_update(ctx, (const char *) data, len);
}

/* dkim_bodies_free - destroy a message's body set */
static void dkim_bodies_free(void *obj)
{
    struct crypto_bodyset *set = obj;

    crypto_bodyset_free(&set);
}

/* dkim_bodies_make - the message's body set, fed from the pipeline */
static void *dkim_bodies_make(struct check_msg *m)
{
    struct crypto_bodyset *set = crypto_bodyset_alloc();

    check_body_register(m, dkim_bodies_feed, set);
    return set;
}

/* dkim_check_bodies - the body set shared by DKIM, ARC and signing */
struct crypto_bodyset *dkim_check_bodies(struct check_msg *m)
{
    return check_shared(m, "crypto.bodies", dkim_bodies_make, dkim_bodies_free);
}

/* dkim_from_domain - the From domain of a header block, or NULL */
static char *dkim_from_domain(const struct mail_hdrs *hdrs)
{
    char *domain = NULL;
    const char *why;

    if (hdrs == NULL || mail_addr_from_domain(hdrs, &domain, &why) != 0)
	return NULL;
    return domain;
}

/* dkim_check_eoh - parse the signatures, start the body hashes */
static int dkim_check_eoh(void *state, struct check_msg *m)
{
    struct dkim_state *s = state;
    const struct check_view *v = check_view(m);
    struct dkim_msg *d = xcalloc(1, sizeof(*d));
    struct crypto_bodyset *set = dkim_check_bodies(m);
    const struct dkim_key *k;
    char *from;

    *check_data(m) = d;
    if (s->verify)
	d->v = dkim_verify_start_set(v->hdrs, &s->opts, set);
    /* a message we may sign keeps the hash our signature needs */
    if ((from = dkim_from_domain(v->hdrs)) != NULL
	&& dkim_keyring_find(s->sign.ring, from, &k, 1) == 1)
	d->sign_body = crypto_bodyset_get(set, s->sign.bcanon, -1);
    free(from);
    return 0;
}

/* dkim_rank - preference of a result for the summary fact (lower wins) */
static int dkim_rank(int r)
{
    static const int rank[] = {
	[DKIM_PASS] = 0, [DKIM_TEMPERROR] = 1, [DKIM_FAIL] = 2, [DKIM_POLICY] = 3,
	[DKIM_NEUTRAL] = 4, [DKIM_PERMERROR] = 5, [DKIM_NONE] = 6,
    };

    return r >= 0 && r <= DKIM_PERMERROR ? rank[r] : 6;
}

/* dkim_b8 - the first 8 characters of a signature's b= (RFC 6008) */
static char *dkim_b8(const struct mail_hdrs *hdrs, size_t field)
{
    const struct mail_hdr *h = mail_hdrs_at(hdrs, field);
    struct crypto_taglist tl;
    const struct crypto_tag *t;
    const char *why;
    char out[9];
    size_t n = 0;

    if (h == NULL)
	return NULL;
    if (crypto_taglist_parse(h->value, h->value_len, &tl, &why) < 0) {
	crypto_taglist_free(&tl);	/* tags parsed before the error */
	return NULL;
    }
    if ((t = crypto_tag_get(&tl, "b")) != NULL)
	for (const char *p = t->value; *p && n < 8; p++)
	    if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
		|| *p == '+' || *p == '/')
		out[n++] = *p;
    crypto_taglist_free(&tl);
    out[n] = 0;
    return n ? xstrdup(out) : NULL;
}

/* dkim_check_facts - the facts and A-R clauses of the results */
static void dkim_check_facts(struct check_msg *m, struct dkim_msg *d,
			     const struct dkim_result *res, size_t n)
{
    struct facts *f = check_facts(m);
    struct buf doms = BUF_INIT, all = BUF_INIT;
    size_t best = 0;

    d->ar = xcalloc(n ? n : 1, sizeof(*d->ar));
    for (size_t i = 0; i < n; i++) {
	const struct dkim_result *r = &res[i];

	if (dkim_rank(r->result) < dkim_rank(res[best].result))
	    best = i;
	buf_printf(&all, "%s%s:%s:%s", all.len ? " " : "", dkim_result_name(r->result),
		   r->d ? r->d : "", r->s ? r->s : "");
	if (r->result == DKIM_PASS && r->d) {
	    char *pat = xasprintf(":%s:", r->d), *have = xasprintf(":%s:", buf_str(&doms));

	    if (strstr(have, pat) == NULL)
		buf_printf(&doms, "%s%s", doms.len ? ":" : "", r->d);
	    free(pat);
	    free(have);
	}
	d->ar[i].result = dkim_result_name(r->result);
	d->ar[i].reason = r->reason;
	d->ar[i].d = r->d ? xstrdup(r->d) : NULL;
	d->ar[i].s = r->s ? xstrdup(r->s) : NULL;
	d->ar[i].b8 = dkim_b8(check_view(m)->hdrs, r->field);
    }
    d->nar = n;
    facts_set(f, FACT_MSG, "dkim", n ? dkim_result_name(res[best].result) : "none");
    facts_set(f, FACT_MSG, "dkim_domains", buf_str(&doms));
    facts_set(f, FACT_MSG, "dkim_verify_reason", n == 0 ? "no signature"
	      : res[best].reason ? res[best].reason : "");
    facts_set(f, FACT_MSG, "dkim_results", buf_str(&all));
    buf_free(&doms);
    buf_free(&all);
}

/* dkim_check_eom - check every signature */
static int dkim_check_eom(void *state, struct check_msg *m)
{
    struct dkim_state *s = state;
    struct dkim_msg *d = *check_data(m);
    const struct dkim_result *res;
    size_t n;

    if (d == NULL || d->v == NULL)
	return 0;
    if (check_view(m)->oversize)
	dkim_verify_incomplete(d->v);
    n = dkim_verify_end(d->v, &s->src, &res);
    dkim_check_facts(m, d, res, n);
    d->verified = 1;
    for (size_t i = 0; i < n; i++)
	msg_debug("%s: dkim: d=%s s=%s: %s%s%s", *check_view(m)->queue_id ?
		  check_view(m)->queue_id : "NOQUEUE", res[i].d ? res[i].d : "?",
		  res[i].s ? res[i].s : "?", dkim_result_name(res[i].result),
		  res[i].reason ? ": " : "", res[i].reason ? res[i].reason : "");
    return 0;
}

/* dkim_check_final - sign the message as delivered */
static int dkim_check_final(void *state, struct check_msg *m)
{
    struct dkim_state *s = state;
    struct dkim_msg *d = *check_data(m);
    const struct check_view *v = check_view(m);
    const char *qid = *v->queue_id ? v->queue_id : "NOQUEUE", *why = "no key";
    const struct mail_hdrs *hdrs;
    unsigned char bh[32];
    char *values[DKIM_SIGN_MAX], *from;
    struct buf done = BUF_INIT;
    size_t n;

    if (d == NULL || !((check_controls(m) & RULE_CTL_DKIM_SIGN) || v->auth_authen || v->trusted))
	return 0;
    if ((hdrs = check_final_hdrs(m)) == NULL || (from = dkim_from_domain(hdrs)) == NULL) {
	if (check_controls(m) & RULE_CTL_DKIM_SIGN)
	    msg_info("%s: dkim: not signed: no From domain", qid);
	return 0;
    }
    if (d->sign_body == NULL || v->oversize) {
	if (d->sign_body && v->oversize)
	    msg_info("%s: dkim: not signed: message over milter.max_message_size", qid);
	else if (check_controls(m) & RULE_CTL_DKIM_SIGN)
	    msg_info("%s: dkim: not signed: no key for %s", qid, from);
	free(from);
	return 0;
    }
    if (crypto_body_final(d->sign_body, bh) < 0) {
	free(from);
	return -1;
    }
    n = dkim_sign_values(&s->sign, hdrs, from, bh, (long long) time(NULL), "\n", values,
			 DKIM_SIGN_MAX, &why);
    if (n == 0)
	msg_warn("%s: dkim: not signed for %s: %s", qid, from, why);
    /* the last made goes on top: the first key's signature ends up first */
    for (size_t i = n; i > 0; i--) {
	check_verdict_header(m, VERDICT_HDR_INSERT, "DKIM-Signature", values[i - 1], 0);
	free(values[i - 1]);
    }
    {
	const struct dkim_key *keys[DKIM_SIGN_MAX];
	size_t nk = dkim_keyring_find(s->sign.ring, from, keys, DKIM_SIGN_MAX);

	for (size_t i = 0; n > 0 && i < nk; i++)
	    buf_printf(&done, "%s%s:%s", done.len ? " " : "", keys[i]->domain, keys[i]->selector);
    }
    if (done.len)
	facts_set(check_facts(m), FACT_MSG, "dkim_signed", buf_str(&done));
    buf_free(&done);
    free(from);
    return 0;
}

/* dkim_check_msg_end - free the message's data */
static void dkim_check_msg_end(void *state, struct check_msg *m)
{
    struct dkim_msg *d = *check_data(m);

    (void) state;
    if (d == NULL)
	return;
    dkim_verify_free(&d->v);
    crypto_body_free(&d->sign_body);
    for (size_t i = 0; i < d->nar; i++) {
	free(d->ar[i].d);
	free(d->ar[i].s);
	free(d->ar[i].b8);
    }
    free(d->ar);
    free(d);
    *check_data(m) = NULL;
}

/* dkim_check_authres - one dkim= clause per signature */
static size_t dkim_check_authres(void *state, struct check_msg *m, struct mail_ar_result *out,
				 size_t max)
{
    struct dkim_msg *d = *check_data(m);
    size_t n = 0;

    (void) state;
    if (d == NULL || !d->verified || max == 0)
	return 0;
    for (size_t i = 0; i < d->nar && n < max; i++, n++) {
	struct mail_ar_result *o = &out[n];

	memset(o, 0, sizeof(*o));
	o->method = "dkim";
	o->result = d->ar[i].result;
	o->comment = d->ar[i].reason;
	if (d->ar[i].d)
	    o->props[o->nprops++] = (struct mail_ar_prop) {"header", "d", d->ar[i].d};
	if (d->ar[i].s)
	    o->props[o->nprops++] = (struct mail_ar_prop) {"header", "s", d->ar[i].s};
	if (d->ar[i].b8)
	    o->props[o->nprops++] = (struct mail_ar_prop) {"header", "b", d->ar[i].b8};
    }
    return n;
}

const struct check_module dkim_check_module = {
    .name = "dkim",
    .facts = &dkim_fact_table,
    .init = dkim_check_init,
    .fini = dkim_check_fini,
    .on_eoh = dkim_check_eoh,
    .on_eom = dkim_check_eom,
    .msg_end = dkim_check_msg_end,
    .authres = dkim_check_authres,
    .on_final = dkim_check_final,
};
