/*
 * NAME
 *	dmarc_check - the DMARC check module of the pipeline
 * SYNOPSIS
 *	#include "check/dmarc_check.h"
 *
 *	extern const struct check_module dmarc_check_module;
 *	extern const struct fact_table dmarc_fact_table;
 * DESCRIPTION
 *	on_eom evaluates DMARC (dmarc.c) for every message, unless a rule
 *	set control = dmarc_disable_verify or the client authenticated or
 *	is in milter.trusted_hosts (then dmarc_status is "off", as Exim
 *	does for its own users). Inputs are facts of the modules that ran
 *	before it: spf and sender_address_domain (sender_helo_name for the
 *	null sender), dkim_results ("RESULT:DOMAIN:SELECTOR" tokens),
 *	arc_state and arc_domains; the From domain comes from the header
 *	block (RFC 7489 6.6.1).
 *
 *	A message without a usable From domain (none, several, no domain,
 *	unparsable) is "nofrom", or "reject" with dmarc.reject_on_nofrom.
 *	When DMARC fails, the ARC chain passes and a sealer listed in
 *	arc.trusted_sealers vouches for the From domain in its
 *	ARC-Authentication-Results (dmarc_arc.c), the disposition becomes
 *	none with the reason local_policy (arc=pass as=SEALER).
 *
 *	Failure reports (RFC 6591, src/dmarc/forensic*.c): when a rule set
 *	control = dmarc_enable_forensic (at any stage, data rules included:
 *	msg_end runs after them, for rejected messages too),
 *	dmarc.forensic.enabled is true and the policy record has ruf=,
 *	msg_end queues a report to each ruf address for the failures its
 *	fo= asks for; a temperror never gives one. The report's
 *	Authentication-Results is rebuilt from the facts (dmarc, spf,
 *	dkim_results); the header block goes whole fields up to
 *	dmarc.forensic.headers_max bytes; with dmarc.forensic.body_max, on_eoh
 *	registers a body reader that keeps that many bytes of every
 *	message's body, and the report carries the message. Sending never
 *	delays the mail.
 *
 *	Facts: dmarc_status (accept reject quarantine none norecord nofrom
 *	temperror off), dmarc_status_text, dmarc_used_domain,
 *	dmarc_domain_policy (none quarantine reject; unset on error or
 *	without record), dmarc (the Authentication-Results word),
 *	dmarc_from_domain, dmarc_org_domain, dmarc_spf_aligned,
 *	dmarc_dkim_aligned, dmarc_arc_override (the sealer). authres()
 *	gives "dmarc=RESULT (p=POLICY dis=DISPOSITION) header.from=DOMAIN".
 * DIAGNOSTICS
 *	Hooks return 0: DNS failures are temperror, bad input nofrom.
 *	init fails ("FILE:LINE: dmarc.psl: PATH: why") when the public
 *	suffix list cannot be read in psl discovery mode.
 * STANDARDS
 *	RFC 7489 6.6, 7.2 (history), 11.2 (A-R); RFC 8617 7.2.1; RFC 8601.
 */
#include "config.h"
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <libconfig.h>
#include "check/dmarc.h"
#include "check/dmarc_check.h"
#include "check/dmarc_int.h"
#include "conf/conf.h"
#include "dmarc/forensic.h"
#include "mail/authres.h"
#include "pipeline/check.h"
#include "policy/rules.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static const char *const dmarc_status_words[] = {
    "accept", "reject", "quarantine", "none", "norecord", "nofrom", "temperror", "off", NULL,
};
static const char *const dmarc_policy_words[] = {"none", "quarantine", "reject", NULL};
static const char *const dmarc_ar_words[] = {
    "pass", "fail", "none", "temperror", "permerror", NULL,
};

static const struct fact_def dmarc_defs[] = {
    {"dmarc_status", FACT_WORD, FACT_STAGE_DATA, dmarc_status_words,
     "DMARC disposition, Exim's words: accept reject quarantine none norecord nofrom "
     "temperror off"},
    {"dmarc_status_text", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "why: which identifiers aligned with the From domain, which did not and why"},
    {"dmarc_used_domain", FACT_DOMAIN, FACT_STAGE_DATA, NULL,
     "the domain whose DMARC record was used (the From domain without record)"},
    {"dmarc_domain_policy", FACT_WORD, FACT_STAGE_DATA, dmarc_policy_words,
     "the published policy for the From domain (p=, sp= or np=); unset without record"},
    {"dmarc", FACT_WORD, FACT_STAGE_DATA, dmarc_ar_words,
     "the DMARC result of Authentication-Results: pass fail none temperror permerror"},
    {"dmarc_from_domain", FACT_DOMAIN, FACT_STAGE_DATA, NULL, "the RFC 5322.From domain"},
    {"dmarc_org_domain", FACT_DOMAIN, FACT_STAGE_DATA, NULL,
     "the organizational domain of the From domain"},
    {"dmarc_spf_aligned", FACT_BOOL, FACT_STAGE_DATA, NULL,
     "yes when an SPF pass aligned with the From domain"},
    {"dmarc_dkim_aligned", FACT_BOOL, FACT_STAGE_DATA, NULL,
     "yes when a DKIM pass aligned with the From domain"},
    {"dmarc_arc_override", FACT_DOMAIN, FACT_STAGE_DATA, NULL,
     "the trusted ARC sealer whose results overrode a DMARC failure"},
};

const struct fact_table dmarc_fact_table = {
    "dmarc", dmarc_defs, sizeof(dmarc_defs) / sizeof(dmarc_defs[0]),
};

struct dmarc_state {
    struct dmarc_env env;
    struct dmarc_psl *psl;
    struct dmarc_history *history;	/* NULL: no history */
    int     reject_on_nofrom;
    char  **trusted;		/* arc.trusted_sealers */
    size_t  ntrusted;
    int     forensic_on;	/* dmarc.forensic.enabled */
    struct dmarc_forensic_conf fc;
    pthread_mutex_t forensic_lock;
    struct dmarc_forensic *forensic;	/* the sender, started by the first report */
    char   *forensic_from;	/* From: of failure reports */
    size_t  headers_max;
    size_t  body_max;		/* 0: headers only */
};

struct dmarc_msg_data {
    char   *result;		/* A-R word */
    char   *comment;		/* "p=reject dis=none" or NULL */
    char   *reason;		/* NULL or the override */
    char   *from;		/* header.from, or NULL */
    char   *ruf, *fo;		/* the record's, for a failure report; NULL: none due */
    char   *policy_domain;
    struct buf body;		/* dmarc.forensic.body_max bytes of the body */
    int     body_kept, body_cut;
};

/* dmarc_check_history_init - the history writer (store and/or file) */
static void dmarc_check_history_init(struct dmarc_state *s, const struct conf *c,
				     struct pipeline_env *env)
{
    struct store *store = NULL;
    const char *why = NULL;

    if (strcmp(conf_str(c, "dmarc.history"), "store") == 0
	&& (store = pipeline_env_store(env, &why)) == NULL)
	msg_warn("dmarc: history: the store cannot be opened (%s): no history records",
		 why ? why : "unknown reason");
    s->history = dmarc_history_new(store, conf_str(c, "dmarc.history_file"));
}

/* dmarc_check_forensic_init - the failure report sender, unless disabled */
static void dmarc_check_forensic_init(struct dmarc_state *s, const struct conf *c,
				      struct pipeline_env *env)
{
    struct dmarc_forensic_conf *fc = &s->fc;
    const char *sender = conf_str(c, "dmarc.forensic.sender"), *why = NULL;
    char    host[256];

    pthread_mutex_init(&s->forensic_lock, NULL);
    if (!(s->forensic_on = conf_bool(c, "dmarc.forensic.enabled")))
	return;
    if ((fc->store = pipeline_env_store(env, &why)) == NULL)
	msg_warn("dmarc: failure reports: the store cannot be opened (%s): the rate limit "
		 "cannot be counted, no failure report is sent", why ? why : "unknown reason");
    fc->sendmail = xstrdup(conf_str(c, "dmarc.report.sendmail"));
    fc->sender = xstrdup(sender);
    fc->rate_limit = conf_int(c, "dmarc.forensic.rate_limit");
    fc->resolver = pipeline_env_resolver(env);
    fc->psl = s->psl;
    s->headers_max = (size_t) conf_int(c, "dmarc.forensic.headers_max");
    s->body_max = (size_t) conf_int(c, "dmarc.forensic.body_max");
    if (*sender) {
	s->forensic_from = xstrdup(sender);
    } else {
	const char *id = conf_str(c, "milter.authserv_id");

	if (*id == 0 && gethostname(host, sizeof(host)) == 0) {
	    host[sizeof(host) - 1] = 0;
	    id = host;
	}
	s->forensic_from = xasprintf("Mail Delivery System <MAILER-DAEMON@%s>",
				     *id ? id : "localhost");
    }
}

/* dmarc_check_init - settings of a config snapshot; NULL when disabled */
static void *dmarc_check_init(const struct conf *c, struct pipeline_env *env,
			      struct buf *errors_r)
{
    struct dmarc_state *s;
    const char *const *items;
    struct dmarc_psl *psl = NULL;
    int     tw = strcmp(conf_str(c, "dmarc.discovery"), "treewalk") == 0;
    char   *why = NULL;

    if (!conf_bool(c, "dmarc.enabled"))
	return NULL;
    if (strcmp(conf_str(c, "dmarc.history"), "store") != 0 && *conf_str(c, "dmarc.history")) {
	const config_setting_t *set = conf_setting(c, "dmarc.history");
	const char *file = set ? config_setting_source_file(set) : NULL;

	buf_printf(errors_r, "%s:%u: dmarc.history: \"%s\": must be \"store\" or empty "
		   "(dmarc.history_file names a file)\n",
		   file ? file : conf_path(c) ? conf_path(c) : "config",
		   set ? config_setting_source_line(set) : 0, conf_str(c, "dmarc.history"));
	return NULL;
    }
    if (!tw && (psl = dmarc_psl_load(conf_str(c, "dmarc.psl"), &why)) == NULL) {
	const config_setting_t *set = conf_setting(c, "dmarc.psl");
	const char *file = set ? config_setting_source_file(set) : NULL;

	buf_printf(errors_r, "%s:%u: dmarc.psl: %s: %s\n",
		   file ? file : conf_path(c) ? conf_path(c) : "config",
		   set ? config_setting_source_line(set) : 0, conf_str(c, "dmarc.psl"), why);
	free(why);
	return NULL;
    }
    s = xcalloc(1, sizeof(*s));
    s->psl = psl;
    s->env.resolver = pipeline_env_resolver(env);
    s->env.psl = psl;
    s->env.discovery = tw ? DMARC_DISCOVERY_TREEWALK : DMARC_DISCOVERY_PSL;
    s->reject_on_nofrom = conf_bool(c, "dmarc.reject_on_nofrom");
    dmarc_check_history_init(s, c, env);
    dmarc_check_forensic_init(s, c, env);
    s->ntrusted = conf_list(c, "arc.trusted_sealers", &items);
    s->trusted = xcalloc(s->ntrusted + 1, sizeof(char *));
    for (size_t i = 0; i < s->ntrusted; i++)
	s->trusted[i] = xstrdup(items[i]);
    return s;
}

/* dmarc_check_fini - free the state */
static void dmarc_check_fini(void *state)
{
    struct dmarc_state *s = state;

    dmarc_history_free(&s->history);
    dmarc_forensic_free(&s->forensic);
    pthread_mutex_destroy(&s->forensic_lock);
    free((char *) s->fc.sendmail);
    free((char *) s->fc.sender);
    free(s->forensic_from);
    for (size_t i = 0; i < s->ntrusted; i++)
	free(s->trusted[i]);
    free(s->trusted);
    dmarc_psl_free(&s->psl);
    free(s);
}

/* dmarc_msg_data - the message's A-R data, created on first use */
static struct dmarc_msg_data *dmarc_msg_data(struct check_msg *m)
{
    struct dmarc_msg_data *d = *check_data(m);

    if (d == NULL)
	*check_data(m) = d = xcalloc(1, sizeof(*d));
    return d;
}

/* dmarc_set_facts - the facts of an outcome */
static void dmarc_set_facts(struct check_msg *m, const struct dmarc_outcome *o,
			    const char *from)
{
    struct facts *f = check_facts(m);

    facts_set(f, FACT_MSG, "dmarc_status", dmarc_status_name(o->status));
    facts_set(f, FACT_MSG, "dmarc_status_text", o->text ? o->text : "");
    facts_set(f, FACT_MSG, "dmarc", o->ar_result);
    facts_set(f, FACT_MSG, "dmarc_used_domain", o->used_domain ? o->used_domain : "");
    if (o->has_record && o->domain_policy)
	facts_set(f, FACT_MSG, "dmarc_domain_policy", dmarc_policy_name(o->domain_policy));
    if (from)
	facts_set(f, FACT_MSG, "dmarc_from_domain", from);
    if (o->org_domain)
	facts_set(f, FACT_MSG, "dmarc_org_domain", o->org_domain);
    facts_set(f, FACT_MSG, "dmarc_spf_aligned", o->spf_aligned ? "yes" : "no");
    facts_set(f, FACT_MSG, "dmarc_dkim_aligned", o->dkim_aligned ? "yes" : "no");
}

/* dmarc_override - the trusted ARC override of a failure */
static void dmarc_override(const struct dmarc_state *s, struct check_msg *m,
			   struct dmarc_outcome *o, const char *from)
{
    const struct facts *f = check_facts(m);
    char    sealer[256];
    char   *text;

    if (strcmp(o->ar_result, "fail") != 0 || o->status == DMARC_ST_NONE
	|| dmarc_arc_override(check_view(m)->hdrs, facts_get(f, "arc_state"),
			      facts_get(f, "arc_domains"), (const char *const *) s->trusted,
			      s->ntrusted, from, o->org_domain, sealer, sizeof(sealer)) == NULL)
	return;
    o->status = DMARC_ST_NONE;
    o->disposition = 'n';
    text = xasprintf("%s; disposition none: local_policy (arc=pass as=%s)", o->text, sealer);
    free(o->text);
    o->text = text;
    facts_set(check_facts(m), FACT_MSG, "dmarc_arc_override", sealer);
    dmarc_msg_data(m)->reason = xasprintf("local_policy (arc=pass as=%s)", sealer);
}

/* dmarc_check_record - the history record of an evaluated message */
static void dmarc_check_record(const struct dmarc_state *s, struct check_msg *m,
			       const struct dmarc_input *in, const struct dmarc_outcome *o,
			       const char *reason)
{
    const struct facts *f = check_facts(m);
    const char *arc = facts_get(f, "arc_state");
    struct buf dk = BUF_INIT;
    struct dmarc_hist_rec r = {0};

    if (s->history == NULL || !o->has_record || o->status == DMARC_ST_TEMPERROR)
	return;
    for (size_t i = 0; i < in->ndkim; i++)
	buf_printf(&dk, "%s%s:%s:%s", i ? "," : "", in->dkim[i].domain, in->dkim[i].selector,
		   in->dkim[i].result);
    r.when = time(NULL);
    r.queue_id = check_view(m)->queue_id;
    r.reporter = facts_get(f, "authserv_id");
    r.ip = facts_get(f, "sender_host_address");
    r.from = in->from_domain;
    r.mfrom = facts_get(f, "sender_address_domain");
    r.pdomain = o->used_domain;
    r.p = o->rec.p;
    r.sp = o->rec.sp;
    r.adkim = o->rec.adkim;
    r.aspf = o->rec.aspf;
    r.pct = o->rec.pct;
    r.disposition = o->disposition ? o->disposition : 'n';
    r.result = strcmp(o->ar_result, "pass") == 0 ? "pass" : "fail";
    r.dkim_aligned = o->dkim_aligned;
    r.spf_aligned = o->spf_aligned;
    r.arc_pass = arc && strcmp(arc, "pass") == 0;
    r.spf_result = in->spf_result;
    r.spf_domain = in->spf_domain;
    r.dkim = in->ndkim ? buf_str(&dk) : NULL;
    r.reason = reason;
    r.rua = o->rec.rua;
    r.np = o->rec.np;
    r.testing = o->rec.testing;
    r.fo = o->rec.fo;
    r.treewalk = s->env.discovery == DMARC_DISCOVERY_TREEWALK;
    r.domain_policy = o->domain_policy;
    if (r.reporter == NULL || *r.reporter == 0)
	r.reporter = "-";
    dmarc_history_add(s->history, &r);
    buf_free(&dk);
}

/* dmarc_inputs - SPF and DKIM results from the facts of earlier modules */
static void dmarc_inputs(struct check_msg *m, struct dmarc_input *in,
			 struct dmarc_dkim **dkim, size_t *ndkim)
{
    const struct facts *f = check_facts(m);
    const char *sender = check_view(m)->sender;

    in->spf_result = facts_get(f, "spf");
    in->spf_domain = sender && *sender ? facts_get(f, "sender_address_domain")
	: facts_get(f, "sender_helo_name");
    dmarc_dkim_parse(facts_get(f, "dkim_results"), dkim, ndkim);
    in->dkim = *dkim;
    in->ndkim = *ndkim;
}

/* dmarc_check_eom - evaluate DMARC for the message */
static int dmarc_check_eom(void *state, struct check_msg *m)
{
    struct dmarc_state *s = state;
    const struct check_view *v = check_view(m);
    struct dmarc_input in = {0};
    struct dmarc_outcome o;
    struct dmarc_dkim *dkim = NULL;
    size_t  ndkim = 0;
    char   *from = NULL;
    const char *why = NULL;
    struct dmarc_msg_data *d;

    if ((check_controls(m) & RULE_CTL_DMARC_DISABLE_VERIFY) || v->auth_authen || v->trusted) {
	facts_set(check_facts(m), FACT_MSG, "dmarc_status", "off");
	facts_set(check_facts(m), FACT_MSG, "dmarc_status_text", v->auth_authen
		  ? "off: authenticated client" : v->trusted ? "off: trusted client"
		  : "off: control = dmarc_disable_verify");
	return 0;
    }
    if (dmarc_from_domain(v->hdrs, &from, &why) != 0)
	from = NULL;
    in.from_domain = from;
    dmarc_inputs(m, &in, &dkim, &ndkim);
    dmarc_eval(&s->env, &in, &o);
    if (from == NULL) {
	free(o.text);
	o.text = xasprintf("nofrom: %s%s", why ? why : "no usable From domain",
			   s->reject_on_nofrom ? " (dmarc.reject_on_nofrom)" : "");
	if (s->reject_on_nofrom)
	    o.status = DMARC_ST_REJECT;
    } else {
	dmarc_override(s, m, &o, from);
    }
    dmarc_set_facts(m, &o, from);
    d = dmarc_msg_data(m);
    if (from)
	dmarc_check_record(s, m, &in, &o, d->reason);
    d->result = xstrdup(o.ar_result);
    d->from = from;
    if (o.has_record && o.domain_policy)
	d->comment = xasprintf("p=%s dis=%s", dmarc_policy_name(o.domain_policy),
			       o.disposition ? dmarc_policy_name(o.disposition) : "none");
    if (s->forensic_on && from && o.has_record && o.rec.ruf && o.status != DMARC_ST_TEMPERROR) {
	d->ruf = xstrdup(o.rec.ruf);
	d->fo = o.rec.fo ? xstrdup(o.rec.fo) : NULL;
	d->policy_domain = xstrdup(o.used_domain ? o.used_domain : from);
    }
    dmarc_outcome_free(&o);
    dmarc_dkim_free(&dkim, ndkim);
    return 0;
}

/* dmarc_fact_yes - a yes/no fact is yes */
static int dmarc_fact_yes(const struct facts *f, const char *name)
{
    const char *v = facts_get(f, name);

    return v && strcmp(v, "yes") == 0;
}

/* dmarc_check_forensic - queue the failure reports the record's fo= asks for */
static void dmarc_check_forensic(struct dmarc_state *s, struct check_msg *m,
				 const struct dmarc_msg_data *d)
{
    const struct facts *f = check_facts(m);
    const struct check_view *v = check_view(m);
    const struct mail_hdr *subj = v->hdrs ? mail_hdrs_find(v->hdrs, "Subject", 0) : NULL;
    struct dmarc_forensic_in in = {0};
    struct dmarc_dkim *dkim = NULL;
    size_t  ndkim = 0;
    struct buf ar = BUF_INIT, hdrs = BUF_INIT;
    const char *spf = facts_get(f, "spf");
    unsigned due;

    dmarc_dkim_parse(facts_get(f, "dkim_results"), &dkim, &ndkim);
    in.arrival = time(NULL);
    in.from = s->forensic_from;
    in.reporter = facts_get(f, "authserv_id");
    in.queue_id = v->queue_id;
    in.mail_from = v->sender ? v->sender : "";
    in.source_ip = v->client_addr;
    in.from_domain = d->from;
    in.policy_domain = d->policy_domain;
    in.subject = subj ? subj->unfolded : NULL;
    in.spf_aligned = dmarc_fact_yes(f, "dmarc_spf_aligned");
    in.dkim_aligned = dmarc_fact_yes(f, "dmarc_dkim_aligned");
    in.spf_result = spf;
    in.dkim = dkim;
    in.ndkim = ndkim;
    if ((due = dmarc_forensic_due(dmarc_fo_parse(d->fo), &in)) != 0) {
	buf_printf(&ar, "%s; dmarc=%s", in.reporter ? in.reporter : "localhost", d->result);
	if (d->comment)
	    buf_printf(&ar, " (%s)", d->comment);
	buf_printf(&ar, " header.from=%s", d->from);
	if (spf)
	    buf_printf(&ar, "; spf=%s smtp.mailfrom=%s", spf,
		       in.mail_from && *in.mail_from ? in.mail_from : "<>");
	for (size_t i = 0; i < ndkim; i++)
	    buf_printf(&ar, "; dkim=%s header.d=%s header.s=%s", dkim[i].result,
		       dkim[i].domain, dkim[i].selector);
	in.authres = buf_str(&ar);
	dmarc_forensic_put_headers(v->hdrs, s->headers_max, &hdrs);
	in.headers = buf_str(&hdrs);
	if (d->body_kept) {
	    in.body = d->body.data ? d->body.data : "";
	    in.body_len = d->body.len;
	    in.body_truncated = d->body_cut;
	}
	pthread_mutex_lock(&s->forensic_lock);	/* the sender thread starts on first use */
	if (s->forensic == NULL)
	    s->forensic = dmarc_forensic_new(&s->fc);
	pthread_mutex_unlock(&s->forensic_lock);
	dmarc_forensic_queue(s->forensic, &in, due, d->ruf);
    }
    buf_free(&ar);
    buf_free(&hdrs);
    dmarc_dkim_free(&dkim, ndkim);
}

/* dmarc_body_keep - keep the first body_max bytes of the body */
static void dmarc_body_keep(void *ctx, const unsigned char *data, size_t len)
{
    struct dmarc_msg_data *d = ctx;
    size_t  room = d->body_kept > 0 ? (size_t) d->body_kept - d->body.len : 0;

    if (len > room) {
	d->body_cut = 1;
	len = room;
    }
    buf_append(&d->body, data, len);
}

/* dmarc_check_eoh - with dmarc.forensic.body_max, keep the body for a report */
static int dmarc_check_eoh(void *state, struct check_msg *m)
{
    struct dmarc_state *s = state;
    struct dmarc_msg_data *d;

    if (!s->forensic_on || s->body_max == 0)
	return 0;
    d = dmarc_msg_data(m);
    d->body_kept = (int) s->body_max;
    check_body_register(m, dmarc_body_keep, d);
    return 0;
}

/* dmarc_check_msg_end - failure reports; free the message's data */
static void dmarc_check_msg_end(void *state, struct check_msg *m)
{
    struct dmarc_msg_data *d = *check_data(m);

    if (d == NULL)
	return;
    if (d->ruf && d->result && (check_controls(m) & RULE_CTL_DMARC_ENABLE_FORENSIC))
	dmarc_check_forensic(state, m, d);
    buf_free(&d->body);
    free(d->ruf);
    free(d->fo);
    free(d->policy_domain);
    free(d->result);
    free(d->comment);
    free(d->reason);
    free(d->from);
    free(d);
    *check_data(m) = NULL;
}

/* dmarc_check_authres - the dmarc= clause */
static size_t dmarc_check_authres(void *state, struct check_msg *m, struct mail_ar_result *out,
				  size_t max)
{
    struct dmarc_msg_data *d = *check_data(m);

    (void) state;
    if (d == NULL || d->result == NULL || max == 0)
	return 0;
    memset(out, 0, sizeof(*out));
    out->method = "dmarc";
    out->result = d->result;
    out->comment = d->comment;
    out->reason = d->reason;
    if (d->from) {
	out->nprops = 1;
	out->props[0].ptype = "header";
	out->props[0].property = "from";
	out->props[0].value = d->from;
    }
    return 1;
}

const struct check_module dmarc_check_module = {
    .name = "dmarc",
    .facts = &dmarc_fact_table,
    .init = dmarc_check_init,
    .fini = dmarc_check_fini,
    .on_eoh = dmarc_check_eoh,
    .on_eom = dmarc_check_eom,
    .msg_end = dmarc_check_msg_end,
    .authres = dmarc_check_authres,
};
