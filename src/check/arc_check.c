/*
 * NAME
 *	arc_check - the ARC check module: validate the chain, seal
 * SYNOPSIS
 *	#include "check/dkim_check.h"
 *
 *	extern const struct check_module arc_check_module;
 *	extern const struct fact_table arc_fact_table;
 * DESCRIPTION
 *	on_eoh indexes the ARC sets and takes the AMS body hashes from the
 *	message's body set (shared with DKIM: dkim_check_bodies). on_eom
 *	validates the chain and sets Exim's facts:
 *	  arc_state         pass, fail, none, or temperror (a key lookup
 *	                    failed temporarily: never fail)
 *	  arc_state_reason  why it is not pass
 *	  arc_domains       the sealers' d= in chain order, colon-separated
 *	  arc_oldest_pass   the lowest instance whose AMS still verifies
 *	                    (on pass), else 0
 *	  arc_sealed        "i=N d=DOMAIN" of the set mxguardd added
 *	authres() gives "arc=STATE (i=N[, reason])" with smtp.remote-ip
 *	(RFC 8617 8), none when there is no chain. The chain is validated when arc.verify is set or
 *	when we may seal (sealing needs cv=); the facts and the A-R
 *	clause only with arc.verify.
 *
 *	on_final seals the message as delivered (our A-R and any DKIM
 *	signature just added included) when a rule set control = arc_seal,
 *	or arc.seal_when says so (relayed: the client is neither
 *	authenticated nor trusted; always), with arc_seal_key's key: the
 *	AAR from every A-R field with our authserv-id, the AMS over
 *	arc.signed_headers, the AS over the chain; a failed chain is sealed
 *	cv=fail, a chain of 50 sets, one already sealed failed or one in
 *	temperror is not sealed (logged). The three fields go on top.
 * DIAGNOSTICS
 *	Hooks return 0. init: "FILE:LINE: key: what" lines for unusable
 *	keys, tables and options.
 * STANDARDS
 *	RFC 8617 4, 5.1, 5.2, 8; RFC 8601.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/dkim_check.h"
#include "conf/conf.h"
#include "mail/authres.h"
#include "policy/rules.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define ARC_KEYCACHE_MAX	10000
#define ARC_KEYCACHE_TTL	600

static const char *const arc_words[] = {"pass", "fail", "none", "temperror", NULL};

static const struct fact_def arc_defs[] = {
    {"arc_state", FACT_WORD, FACT_STAGE_DATA, arc_words,
     "ARC chain validation: pass, fail, none, temperror"},
    {"arc_state_reason", FACT_TEXT, FACT_STAGE_DATA, NULL, "why arc_state is not pass"},
    {"arc_domains", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "the ARC sealers' domains in chain order, colon-separated"},
    {"arc_oldest_pass", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "lowest ARC instance whose message signature still verifies (pass), else 0"},
    {"arc_sealed", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "\"i=N d=DOMAIN\" of the ARC set mxguardd added"},
};

const struct fact_table arc_fact_table = {
    "arc", arc_defs, sizeof(arc_defs) / sizeof(arc_defs[0]),
};

struct arc_state {
    int verify;
    struct crypto_keysrc src;
    struct arc_seal_conf seal;
    int can_seal;
};

struct arc_msg {
    struct arc_verify *v;
    struct crypto_body *seal_body;
    struct arc_result res;
    int done;
    char comment[160];
};

/* arc_check_init - keys and settings of a snapshot; NULL when disabled */
static void *arc_check_init(const struct conf *c, struct pipeline_env *env, struct buf *errors_r)
{
    struct arc_state *s = xcalloc(1, sizeof(*s));

    if (arc_seal_conf_load(&s->seal, c, 0, errors_r) < 0) {
	arc_seal_conf_clear(&s->seal);
	free(s);
	return NULL;
    }
    s->verify = conf_bool(c, "arc.verify");
    s->can_seal = dkim_keyring_count(s->seal.def) + dkim_keyring_count(s->seal.ring) > 0;
    if (!s->verify && !s->can_seal) {
	arc_seal_conf_clear(&s->seal);
	free(s);
	return NULL;
    }
    s->src.fetch = crypto_keyfetch_dns;
    s->src.ctx = pipeline_env_resolver(env);
    s->src.cache = crypto_keycache_alloc(ARC_KEYCACHE_MAX, ARC_KEYCACHE_TTL);
    s->src.min_rsa_bits = (int) conf_int(c, "dkim.min_key_bits");
    return s;
}

/* arc_check_fini - free the state */
static void arc_check_fini(void *state)
{
    struct arc_state *s = state;

    crypto_keycache_free(&s->src.cache);
    arc_seal_conf_clear(&s->seal);
    free(s);
}

/* arc_may_seal - would this message be sealed (as far as known now)? */
static int arc_may_seal(const struct arc_state *s, struct check_msg *m)
{
    const struct check_view *v = check_view(m);

    if (!s->can_seal)
	return 0;
    if (check_controls(m) & RULE_CTL_ARC_SEAL)
	return 1;
    if (s->seal.when == ARC_SEAL_WHEN_ALWAYS)
	return 1;
    return s->seal.when == ARC_SEAL_WHEN_RELAYED && !v->auth_authen && !v->trusted;
}

/* arc_check_eoh - index the chain, start the body hashes */
static int arc_check_eoh(void *state, struct check_msg *m)
{
    struct arc_state *s = state;
    struct arc_msg *d = xcalloc(1, sizeof(*d));
    struct crypto_bodyset *set = dkim_check_bodies(m);

    *check_data(m) = d;
    d->v = arc_verify_start_set(check_view(m)->hdrs, set);
    /* a data-stage rule may still ask for a seal: keep its hash when we can seal */
    if (s->can_seal)
	d->seal_body = crypto_bodyset_get(set, CRYPTO_CANON_RELAXED, -1);
    return 0;
}

/* arc_check_eom - validate the chain */
static int arc_check_eom(void *state, struct check_msg *m)
{
    struct arc_state *s = state;
    struct arc_msg *d = *check_data(m);
    struct facts *f = check_facts(m);

    if (d == NULL)
	return 0;
    if (check_view(m)->oversize)
	arc_verify_incomplete(d->v);
    arc_verify_end(d->v, &s->src, &d->res);
    d->done = 1;
    if (d->res.state == ARC_PASS || d->res.state == ARC_FAIL)
	snprintf(d->comment, sizeof(d->comment), "i=%d%s%s", d->res.count,
		 d->res.reason ? ", " : "", d->res.reason ? d->res.reason : "");
    else if (d->res.reason)
	snprintf(d->comment, sizeof(d->comment), "%s", d->res.reason);
    if (!s->verify)
	return 0;
    facts_set(f, FACT_MSG, "arc_state", arc_state_name(d->res.state));
    facts_set(f, FACT_MSG, "arc_state_reason", d->res.reason ? d->res.reason : "");
    facts_set(f, FACT_MSG, "arc_domains", d->res.domains ? d->res.domains : "");
    facts_setf(f, FACT_MSG, "arc_oldest_pass", "%d", d->res.oldest_pass);
    return 0;
}

/* arc_check_final - seal the message as delivered */
static int arc_check_final(void *state, struct check_msg *m)
{
    struct arc_state *s = state;
    struct arc_msg *d = *check_data(m);
    const struct check_view *v = check_view(m);
    const char *qid = *v->queue_id ? v->queue_id : "NOQUEUE", *why = NULL;
    const char *authserv_id = facts_get(check_facts(m), "authserv_id");
    const struct dkim_key *k;
    const struct mail_hdrs *hdrs;
    struct arc_seal_opts o;
    struct arc_seal_out out;
    unsigned char bh[32];

    if (d == NULL || !d->done || !arc_may_seal(s, m))
	return 0;
    if ((k = arc_seal_key(&s->seal, v->rcpts, v->nrcpt)) == NULL || d->seal_body == NULL)
	return 0;
    if (v->oversize) {
	msg_info("%s: arc: not sealed: message over milter.max_message_size", qid);
	return 0;
    }
    if ((hdrs = check_final_hdrs(m)) == NULL || crypto_body_final(d->seal_body, bh) < 0)
	return -1;
    arc_seal_opts_fill(&s->seal, k, authserv_id ? authserv_id : "localhost",
		       (long long) time(NULL), "\n", &o);
    if (arc_seal_hashed(hdrs, bh, &d->res, &o, &out, &why) < 0) {
	msg_info("%s: arc: not sealed: %s", qid, why);
	return 0;
    }
    /* each goes on top of the one before: AS, AMS, AAR, then the rest */
    check_verdict_header(m, VERDICT_HDR_INSERT, "ARC-Authentication-Results", out.aar, 0);
    check_verdict_header(m, VERDICT_HDR_INSERT, "ARC-Message-Signature", out.ams, 0);
    check_verdict_header(m, VERDICT_HDR_INSERT, "ARC-Seal", out.as, 0);
    facts_setf(check_facts(m), FACT_MSG, "arc_sealed", "i=%d d=%s", out.instance, k->domain);
    arc_seal_out_clear(&out);
    return 0;
}

/* arc_check_msg_end - free the message's data */
static void arc_check_msg_end(void *state, struct check_msg *m)
{
    struct arc_msg *d = *check_data(m);

    (void) state;
    if (d == NULL)
	return;
    arc_verify_free(&d->v);
    crypto_body_free(&d->seal_body);
    arc_result_clear(&d->res);
    free(d);
    *check_data(m) = NULL;
}

/* arc_check_authres - the arc= clause with smtp.remote-ip (RFC 8617 8) */
static size_t arc_check_authres(void *state, struct check_msg *m, struct mail_ar_result *out,
				size_t max)
{
    struct arc_state *s = state;
    struct arc_msg *d = *check_data(m);
    const char *ip = check_view(m)->client_addr;

    if (d == NULL || !d->done || !s->verify || max == 0 || d->res.state == ARC_NONE)
	return 0;			/* no chain: no clause (arc_state says none) */
    memset(out, 0, sizeof(*out));
    out->method = "arc";
    out->result = arc_state_name(d->res.state);
    out->comment = *d->comment ? d->comment : NULL;
    if (ip && *ip)
	out->props[out->nprops++] = (struct mail_ar_prop) {"smtp", "remote-ip", ip};
    return 1;
}

const struct check_module arc_check_module = {
    .name = "arc",
    .facts = &arc_fact_table,
    .init = arc_check_init,
    .fini = arc_check_fini,
    .on_eoh = arc_check_eoh,
    .on_eom = arc_check_eom,
    .msg_end = arc_check_msg_end,
    .authres = arc_check_authres,
    .on_final = arc_check_final,
};
