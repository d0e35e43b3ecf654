/*
 * NAME
 *	spf_check - the SPF check module of the pipeline
 * SYNOPSIS
 *	#include "check/spf.h"
 *
 *	extern const struct check_module spf_check_module;
 *	extern const struct fact_table spf_fact_table;
 * DESCRIPTION
 *	on_helo checks the HELO identity (spf.helo = true): fact spf_helo.
 *	on_mail checks the MAIL FROM identity (for the null sender,
 *	postmaster@HELO, RFC 7208 2.4): facts spf, spf_result,
 *	spf_header_comment, spf_smtp_comment (the explanation of a fail,
 *	printable ASCII, safe in an SMTP reply), spf_received, and a
 *	Received-SPF header at the top of the message (insert index 1:
 *	right below our Authentication-Results, above every header of the
 *	client, RFC 7208 9.1). With
 *	spf.guess_enabled, the same evaluation also gives spf_guess: the
 *	published result when there is one, else the spf.guess record's
 *	(reported in an X-SPF-Guess header, never in Received-SPF nor in
 *	Authentication-Results; its explanation never mentions SPF).
 *	authres() gives the spf= clause with smtp.mailfrom (smtp.helo for
 *	the null sender).
 *
 *	The rule condition spf_lookup = { address = "..."; ip = "...";
 *	result = [ words ]; } (both members $variable templates, the IP
 *	IPv4 or IPv6) runs spf_lookup() with the snapshot's resolver and
 *	spf.time_budget_ms, even with spf.enabled = false; temperror is
 *	the rule's temporary failure (tempfail unless defer_ok), an empty
 *	address or a value that is not an IP address has no result.
 *
 *	The state (resolver, settings) is read-only after init; per
 *	message data lives in *check_data(m) until msg_end.
 * DIAGNOSTICS
 *	Hooks return 0; a DNS failure is the result temperror, never an
 *	internal error. init fails ("FILE:LINE: spf.guess: why" in
 *	errors_r) when spf.guess is not a valid SPF record.
 * STANDARDS
 *	RFC 7208 2.3, 2.4, 9.1; RFC 8601 2.7.2 (spf method, smtp ptypes).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <libconfig.h>
#include "check/spf.h"
#include "check/spf_int.h"
#include "conf/conf.h"
#include "mail/authres.h"
#include "pipeline/check.h"
#include "policy/rules.h"
#include "util/xmalloc.h"

static const char *const spf_words[] = {
    "pass", "fail", "softfail", "neutral", "none", "permerror", "temperror", NULL,
};

static const struct fact_def spf_defs[] = {
    {"spf", FACT_WORD, FACT_STAGE_MAIL, spf_words,
     "SPF result of the MAIL FROM identity (postmaster@HELO for the null sender)"},
    {"spf_helo", FACT_WORD, FACT_STAGE_HELO, spf_words,
     "SPF result of the HELO identity (spf.helo = true)"},
    {"spf_guess", FACT_WORD, FACT_STAGE_MAIL, spf_words,
     "best-guess result: the published SPF result, else spf.guess's (spf.guess_enabled)"},
    {"spf_result", FACT_TEXT, FACT_STAGE_MAIL, NULL, "the spf result word, as a variable"},
    {"spf_header_comment", FACT_TEXT, FACT_STAGE_MAIL, NULL,
     "the comment of the Received-SPF header"},
    {"spf_smtp_comment", FACT_TEXT, FACT_STAGE_MAIL, NULL,
     "explanation of an SPF fail, safe for an SMTP reply"},
    {"spf_received", FACT_TEXT, FACT_STAGE_MAIL, NULL, "the Received-SPF header value"},
    {"spf_guess_received", FACT_TEXT, FACT_STAGE_MAIL, NULL,
     "the X-SPF-Guess header value when the guess record was used"},
};

const struct fact_table spf_fact_table = {
    "spf", spf_defs, sizeof(spf_defs) / sizeof(spf_defs[0]),
};

/* spf_rule_lookup - spf_lookup: 1 result word, 0 unusable input, -1 temperror */
static int spf_rule_lookup(void *ctx, const char *const *argv, const char **word_r)
{
    struct pipeline_env *env = ctx;
    enum spf_result res;

    if (env == NULL || *argv[0] == 0 || *argv[1] == 0
	|| spf_lookup(pipeline_env_resolver(env), argv[0], argv[1],
		      (int) conf_int(pipeline_env_conf(env), "spf.time_budget_ms"), &res) < 0)
	return 0;
    if (res == SPF_RES_TEMPERROR)
	return -1;
    *word_r = spf_result_word(res);
    return 1;
}

static const char *const spf_lookup_args[] = {"address", "ip", NULL};
/* temperror is not a word here: it is the rule's temporary failure */
static const char *const spf_lookup_words[] = {
    "pass", "fail", "softfail", "neutral", "none", "permerror", NULL,
};
static const struct rule_lookup spf_lookup_def = {
    "spf_lookup", spf_lookup_args, spf_lookup_words, spf_rule_lookup,
};
static const struct rule_lookup *const spf_lookups[] = {&spf_lookup_def, NULL};

struct spf_state {
    struct dns_resolver *resolver;
    int helo;			/* check the HELO identity */
    char *guess;		/* NULL: no best guess */
    int budget_ms;
};

struct spf_msg_data {
    char *result;		/* for A-R */
    char *comment;
    char *ptype_value;		/* the identity's value */
    int helo_identity;		/* null sender: smtp.helo */
};

/* spf_check_init - settings of a config snapshot; NULL when disabled */
static void *spf_check_init(const struct conf *c, struct pipeline_env *env,
			    struct buf *errors_r)
{
    struct spf_state *s;
    const char *why;

    if (!conf_bool(c, "spf.enabled"))
	return NULL;
    if (conf_bool(c, "spf.guess_enabled")
	&& spf_syntax_check(conf_str(c, "spf.guess"), &why) < 0) {
	const config_setting_t *set = conf_setting(c, "spf.guess");
	const char *file = set ? config_setting_source_file(set) : NULL;

	buf_printf(errors_r, "%s:%u: spf.guess: %s\n",
		   file ? file : conf_path(c) ? conf_path(c) : "config",
		   set ? config_setting_source_line(set) : 0, why);
	return NULL;
    }
    s = xcalloc(1, sizeof(*s));
    s->resolver = pipeline_env_resolver(env);
    s->helo = conf_bool(c, "spf.helo");
    s->guess = conf_bool(c, "spf.guess_enabled") ? xstrdup(conf_str(c, "spf.guess")) : NULL;
    s->budget_ms = (int) conf_int(c, "spf.time_budget_ms");
    return s;
}

/* spf_check_fini - free the state */
static void spf_check_fini(void *state)
{
    struct spf_state *s = state;

    free(s->guess);
    free(s);
}

/* spf_check_eval - one evaluation; 0 done, -1 not applicable */
static int spf_check_eval(const struct spf_state *s, struct check_msg *m,
			  enum spf_identity id, const char *guess, struct spf_outcome *o)
{
    const struct check_view *v = check_view(m);
    /* the view may not carry the address before MAIL FROM: the fact does */
    const char *ip = v->client_addr && *v->client_addr ? v->client_addr
	: facts_get(check_facts(m), "sender_host_address");
    struct spf_request req = {.ip = ip, .sender = v->sender, .helo = v->helo,
	.identity = id, .guess = guess, .receiver = facts_get(check_facts(m), "authserv_id"),
	.time_budget_ms = s->budget_ms};
    const char *why;

    if (ip == NULL || *ip == 0)
	return -1;			/* not an IP client */
    return spf_eval(s->resolver, &req, o, &why);
}

/* spf_check_helo - the HELO identity */
static int spf_check_helo(void *state, struct check_msg *m)
{
    struct spf_state *s = state;
    struct spf_outcome o;

    if (!s->helo || check_view(m)->helo == NULL)
	return 0;
    if (spf_check_eval(s, m, SPF_ID_HELO, NULL, &o) < 0) {
	facts_set(check_facts(m), FACT_CONN, "spf_helo", "none");
	return 0;
    }
    facts_set(check_facts(m), FACT_CONN, "spf_helo", spf_result_word(o.result));
    spf_outcome_free(&o);
    return 0;
}

/* spf_check_facts - the facts and headers of the MAIL FROM result */
static void spf_check_facts(const struct spf_state *s, struct check_msg *m,
			    const struct spf_outcome *o)
{
    struct facts *f = check_facts(m);
    const char *word = o->guessed ? "none" : spf_result_word(o->result);
    struct spf_msg_data *d;

    facts_set(f, FACT_MSG, "spf", word);
    facts_set(f, FACT_MSG, "spf_result", word);
    if (s->guess)
	facts_set(f, FACT_MSG, "spf_guess", spf_result_word(o->result));
    if (o->guessed) {
	facts_set(f, FACT_MSG, "spf_guess_received", o->received);
	check_verdict_header(m, VERDICT_HDR_INSERT, "X-SPF-Guess", o->received, 1);
	return;				/* spf = none: set by the caller */
    }
    facts_set(f, FACT_MSG, "spf_header_comment", o->header_comment);
    facts_set(f, FACT_MSG, "spf_smtp_comment", o->explanation ? o->explanation : "");
    facts_set(f, FACT_MSG, "spf_received", o->received);
    /* index 1: at the top, right below our Authentication-Results (which
     * the pipeline inserts at 0 first) */
    check_verdict_header(m, VERDICT_HDR_INSERT, "Received-SPF", o->received, 1);
    d = xcalloc(1, sizeof(*d));
    d->result = xstrdup(word);
    d->comment = xstrdup(o->header_comment);
    d->helo_identity = *check_view(m)->sender == 0;
    d->ptype_value = xstrdup(d->helo_identity ? check_view(m)->helo : o->identity);
    *check_data(m) = d;
}

/* spf_check_mail - the MAIL FROM identity (and the best guess) */
static int spf_check_mail(void *state, struct check_msg *m)
{
    struct spf_state *s = state;
    struct spf_outcome o, pub;

    if (spf_check_eval(s, m, SPF_ID_MAILFROM, s->guess, &o) < 0) {
	facts_set(check_facts(m), FACT_MSG, "spf", "none");
	facts_set(check_facts(m), FACT_MSG, "spf_result", "none");
	return 0;
    }
    if (o.guessed) {
	/* the published result was none: report it, and the guess apart */
	if (spf_check_eval(s, m, SPF_ID_MAILFROM, NULL, &pub) == 0) {
	    spf_check_facts(s, m, &pub);
	    spf_outcome_free(&pub);
	}
	if (s->guess)
	    facts_set(check_facts(m), FACT_MSG, "spf_guess", spf_result_word(o.result));
	spf_check_facts(s, m, &o);
    } else {
	spf_check_facts(s, m, &o);
    }
    spf_outcome_free(&o);
    return 0;
}

/* spf_check_msg_end - free the message's data */
static void spf_check_msg_end(void *state, struct check_msg *m)
{
    struct spf_msg_data *d = *check_data(m);

    (void) state;
    if (d == NULL)
	return;
    free(d->result);
    free(d->comment);
    free(d->ptype_value);
    free(d);
    *check_data(m) = NULL;
}

/* spf_check_authres - the spf= clause (never for a best guess) */
static size_t spf_check_authres(void *state, struct check_msg *m, struct mail_ar_result *out,
				size_t max)
{
    struct spf_msg_data *d = *check_data(m);

    (void) state;
    if (d == NULL || max == 0)
	return 0;
    memset(out, 0, sizeof(*out));
    out->method = "spf";
    out->result = d->result;
    out->comment = d->comment;
    out->nprops = 1;
    out->props[0].ptype = "smtp";
    out->props[0].property = d->helo_identity ? "helo" : "mailfrom";
    out->props[0].value = d->ptype_value;
    return 1;
}

const struct check_module spf_check_module = {
    .name = "spf",
    .facts = &spf_fact_table,
    .init = spf_check_init,
    .fini = spf_check_fini,
    .on_helo = spf_check_helo,
    .on_mail = spf_check_mail,
    .msg_end = spf_check_msg_end,
    .authres = spf_check_authres,
    .lookups = spf_lookups,
};
