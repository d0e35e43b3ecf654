/*
 * NAME
 *	rule_parse.c - rules.STAGE config lists into an immutable ruleset
 * SYNOPSIS
 *	See rules.h (ruleset_parse, ruleset_free, ruleset_count).
 * DESCRIPTION
 *	Each stage key (rules.connect ... rules.data) is a list of groups:
 *	    { if = { conditions }; then = "verb"; modifiers }
 *	The parse checks everything an admin can get wrong, and goes on
 *	after an error so that one config test shows all of them:
 *	unknown keys, unknown conditions and variables, result words a fact
 *	never has, facts used before their stage, bad regexes, reply codes
 *	of the wrong class for the verb, bad header names, unknown
 *	controls, set names outside acl_m_*, and actions a stage cannot
 *	take (quarantine before data, discard or header changes at
 *	connect/helo).
 *
 *	A stage key that is absent (or not in the config table yet) has no
 *	rules. rule N counts from 0, as the config loader does.
 * DIAGNOSTICS
 *	Errors: "FILE:LINE: rules.STAGE[N]: what", one line each.
 * STANDARDS
 *	RFC 5322 3.6.8 (field names), RFC 5321 4.2, RFC 3463.
 */
#include "config.h"
#include "policy/rules_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "mail/dsn.h"
#include "util/xmalloc.h"

static const char *const verb_names[] = {"accept", "reject", "tempfail", "discard",
    "quarantine", "warn", NULL};

static const struct {
    const char *name;
    unsigned bit;
} controls[] = {
    {"dmarc_disable_verify", RULE_CTL_DMARC_DISABLE_VERIFY},
    {"dmarc_enable_forensic", RULE_CTL_DMARC_ENABLE_FORENSIC},
    {"arc_seal", RULE_CTL_ARC_SEAL},
    {"dkim_sign", RULE_CTL_DKIM_SIGN},
    {"requiretls", RULE_CTL_REQUIRETLS},
};

#define RULE_KEYS "if, then, message, log_message, add_header, remove_header, set, " \
    "control, defer_ok"

/* rule_quote - append value quoted, control characters escaped, at most 80 bytes */
void rule_quote(struct buf *b, const char *value)
{
    buf_quote(b, value, 80);
}

/* rule_error - "FILE:LINE: rules.STAGE[N]: what" into the error buffer */
void rule_error(struct rule_pctx *pc, const config_setting_t *s, const char *fmt, ...)
{
    const char *file = s ? config_setting_source_file(s) : NULL;
    va_list ap;
    char what[1024];

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    buf_printf(pc->errs, "%s:%u: rules.%s[%d]: %s\n", file ? file : pc->file,
	       s ? config_setting_source_line(s) : 0, fact_stage_name(pc->stage), pc->index,
	       what);
    pc->nerr++;
}

/* tmpl - compile one template, reporting "key: why" */
static struct expand_tmpl *tmpl(struct rule_pctx *pc, const config_setting_t *s, const char *key,
				const char *text)
{
    struct buf why = BUF_INIT;
    struct expand_tmpl *t = expand_compile(text, pc->tables, pc->stage, &why);

    if (t == NULL)
	rule_error(pc, s, "%s: %s", key, buf_str(&why));
    buf_free(&why);
    return t;
}

/* strings - a string or a list of strings; count in *n_r, or -1 */
static int strings(struct rule_pctx *pc, config_setting_t *s, const char *key)
{
    int type = config_setting_type(s);

    if (type == CONFIG_TYPE_STRING)
	return 1;
    if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
	for (int i = 0; i < config_setting_length(s); i++)
	    if (config_setting_type(config_setting_get_elem(s, (unsigned) i))
		!= CONFIG_TYPE_STRING) {
		rule_error(pc, s, "%s: must be a string or a list of strings", key);
		return -1;
	    }
	return config_setting_length(s);
    }
    rule_error(pc, s, "%s: must be a string or a list of strings", key);
    return -1;
}

/* string_at - item i of a string or string list */
static const char *string_at(const config_setting_t *s, int i)
{
    if (config_setting_type(s) == CONFIG_TYPE_STRING)
	return config_setting_get_string(s);
    return config_setting_get_string(config_setting_get_elem(s, (unsigned) i));
}

/* field_name_ok - RFC 5322 3.6.8 ftext, 1 to 76 characters */
static int field_name_ok(const char *name, size_t len)
{
    if (len == 0 || len > 76)
	return 0;
    for (size_t i = 0; i < len; i++)
	if (name[i] < 33 || name[i] > 126 || name[i] == ':')
	    return 0;
    return 1;
}

/* parse_headers - add_header ("Name: value" templates) and remove_header */
static void parse_headers(struct rule_pctx *pc, config_setting_t *s, struct rule *r, int add)
{
    const char *key = add ? "add_header" : "remove_header";
    int n = strings(pc, s, key);
    struct buf q = BUF_INIT;

    if (pc->stage < FACT_STAGE_MAIL)
	rule_error(pc, s, "%s: headers belong to a message: not at the %s stage", key,
		   fact_stage_name(pc->stage));
    for (int i = 0; i < n; i++) {
	const char *h = string_at(s, i);
	size_t nlen = add ? strcspn(h, ":") : strlen(h);

	buf_reset(&q);
	rule_quote(&q, h);
	if (add && h[nlen] != ':') {
	    rule_error(pc, s, "%s: %s: not \"Name: value\"", key, q.data);
	} else if (!field_name_ok(h, nlen)) {
	    rule_error(pc, s, "%s: %s: bad header field name", key, q.data);
	} else if (add) {
	    const char *val = h + nlen + 1;
	    struct expand_tmpl *t;

	    while (*val == ' ' || *val == '\t')
		val++;
	    if ((t = tmpl(pc, s, key, val)) != NULL) {
		r->adds = xrealloc(r->adds, (r->nadds + 1) * sizeof(*r->adds));
		r->adds[r->nadds].name = xstrndup(h, nlen);
		r->adds[r->nadds++].value = t;
	    }
	} else {
	    r->removes = xrealloc(r->removes, (r->nremoves + 1) * sizeof(*r->removes));
	    r->removes[r->nremoves++] = xstrdup(h);
	}
    }
    buf_free(&q);
}

/* parse_set - set = { acl_m_name = "template"; ... } */
static void parse_set(struct rule_pctx *pc, config_setting_t *s, struct rule *r)
{
    if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
	rule_error(pc, s, "set: must be a group { acl_m_name = \"value\"; }");
	return;
    }
    for (int i = 0; i < config_setting_length(s); i++) {
	config_setting_t *m = config_setting_get_elem(s, (unsigned) i);
	const char *name = config_setting_name(m);
	struct expand_tmpl *t;

	if (strncmp(name, "acl_m_", 6) != 0 || name[6] == 0 || strpbrk(name, "-*")) {
	    rule_error(pc, m, "set: %s: only acl_m_NAME variables can be set", name);
	} else if (config_setting_type(m) != CONFIG_TYPE_STRING) {
	    rule_error(pc, m, "set: %s: the value must be a string", name);
	} else if ((t = tmpl(pc, m, "set", config_setting_get_string(m))) != NULL) {
	    r->sets = xrealloc(r->sets, (r->nsets + 1) * sizeof(*r->sets));
	    r->sets[r->nsets].name = xstrdup(name);
	    r->sets[r->nsets++].value = t;
	}
    }
}

/* parse_control - control = "word" or [ words ] */
static void parse_control(struct rule_pctx *pc, config_setting_t *s, struct rule *r)
{
    int n = strings(pc, s, "control");

    for (int i = 0; i < n; i++) {
	const char *w = string_at(s, i);
	size_t k;

	for (k = 0; k < sizeof(controls) / sizeof(controls[0]); k++)
	    if (strcmp(controls[k].name, w) == 0)
		break;
	if (k < sizeof(controls) / sizeof(controls[0])) {
	    r->controls |= controls[k].bit;
	} else {
	    struct buf q = BUF_INIT;
	    rule_quote(&q, w);
	    rule_error(pc, s, "control: %s is not a control (dmarc_disable_verify, "
		       "dmarc_enable_forensic, arc_seal, dkim_sign, requiretls)", q.data);
	    buf_free(&q);
	}
    }
}

/* parse_message - the reply (or quarantine reason); codes checked against the verb */
static void parse_message(struct rule_pctx *pc, config_setting_t *s, struct rule *r)
{
    struct mail_dsn_reply rep;
    const char *why;
    int cls = r->verb == RULE_REJECT ? 5 : r->verb == RULE_TEMPFAIL ? 4 : 0;

    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
	rule_error(pc, s, "message: must be a string");
	return;
    }
    if (cls == 0 && r->verb != RULE_QUARANTINE) {
	rule_error(pc, s, "message: only reject, tempfail and quarantine reply "
		   "(use log_message or add_header with %s)", verb_names[r->verb]);
	return;
    }
    if (mail_dsn_reply_split(config_setting_get_string(s), &rep, &why) < 0) {
	rule_error(pc, s, "message: %s", why);
	return;
    }
    if (cls == 0 && (rep.code || rep.has_enh)) {
	rule_error(pc, s, "message: a quarantine reason takes no reply code");
	return;
    }
    if ((rep.code && rep.code / 100 != cls) || (rep.has_enh && rep.enh.class_ != cls)) {
	rule_error(pc, s, "message: a %s needs a %dxx reply code and %d.x.x status code",
		   verb_names[r->verb], cls, cls);
	return;
    }
    if (rep.code)
	snprintf(r->rcode, sizeof(r->rcode), "%d", rep.code);
    if (rep.has_enh && strlen(rep.enh.text) < sizeof(r->xcode))
	memcpy(r->xcode, rep.enh.text, strlen(rep.enh.text) + 1);	/* at most "5.999.999" */
    r->message = tmpl(pc, s, "message", rep.text);
}

/* parse_if - the condition group */
static void parse_if(struct rule_pctx *pc, config_setting_t *s, struct rule *r)
{
    if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
	rule_error(pc, s, "if: must be a group { condition = value; ... }");
	return;
    }
    r->conds = xcalloc((size_t) config_setting_length(s) + 1, sizeof(*r->conds));
    for (int i = 0; i < config_setting_length(s); i++)
	(void) rule_cond_parse(pc, config_setting_get_elem(s, (unsigned) i),
			       &r->conds[r->nconds++]);
}

/* parse_verb - then = "verb", and what the stage allows */
static int parse_verb(struct rule_pctx *pc, config_setting_t *s, struct rule *r)
{
    const char *w = config_setting_type(s) == CONFIG_TYPE_STRING
	? config_setting_get_string(s) : "";

    for (int i = 0; verb_names[i]; i++) {
	if (strcmp(verb_names[i], w) != 0)
	    continue;
	r->verb = (enum rule_verb) i;
	if (r->verb == RULE_QUARANTINE && pc->stage != FACT_STAGE_DATA)
	    rule_error(pc, s, "then: quarantine is only possible at the data stage");
	if (r->verb == RULE_DISCARD && pc->stage < FACT_STAGE_MAIL)
	    rule_error(pc, s, "then: discard needs a message: not at the %s stage",
		       fact_stage_name(pc->stage));
	return 0;
    }
    rule_error(pc, s, "then: must be one of accept, reject, tempfail, discard, "
	       "quarantine, warn");
    return -1;
}

/* parse_member - one modifier of a rule (not if/then/message) */
static void parse_member(struct rule_pctx *pc, config_setting_t *m, struct rule *r)
{
    const char *name = config_setting_name(m);

    if (strcmp(name, "log_message") == 0) {
	if (config_setting_type(m) != CONFIG_TYPE_STRING)
	    rule_error(pc, m, "log_message: must be a string");
	else
	    r->log_message = tmpl(pc, m, name, config_setting_get_string(m));
    } else if (strcmp(name, "add_header") == 0) {
	parse_headers(pc, m, r, 1);
    } else if (strcmp(name, "remove_header") == 0) {
	parse_headers(pc, m, r, 0);
    } else if (strcmp(name, "set") == 0) {
	parse_set(pc, m, r);
    } else if (strcmp(name, "control") == 0) {
	parse_control(pc, m, r);
    } else if (strcmp(name, "defer_ok") == 0) {
	if (config_setting_type(m) != CONFIG_TYPE_BOOL)
	    rule_error(pc, m, "defer_ok: must be true or false");
	else
	    r->defer_ok = config_setting_get_bool(m);
    } else {
	rule_error(pc, m, "unknown key \"%s\" (%s)", name, RULE_KEYS);
    }
}

/* parse_rule - one { if ...; then ...; ... } group */
static void parse_rule(struct rule_pctx *pc, config_setting_t *g, struct rule *r)
{
    config_setting_t *then, *cond, *msg;
    const char *file = config_setting_source_file(g);
    int verb_ok;

    r->where = xasprintf("%s:%u", file ? file : pc->file, config_setting_source_line(g));
    r->label = xasprintf("rules.%s[%d]", fact_stage_name(pc->stage), pc->index);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
	rule_error(pc, g, "must be a group { if = {...}; then = \"verb\"; }");
	return;
    }
    /* without a good verb, check everything else all the same */
    if ((then = config_setting_get_member(g, "then")) == NULL) {
	rule_error(pc, g, "then: missing (accept, reject, tempfail, discard, quarantine, warn)");
	verb_ok = 0;
    } else {
	verb_ok = parse_verb(pc, then, r) == 0;
    }
    if ((cond = config_setting_get_member(g, "if")) != NULL)
	parse_if(pc, cond, r);
    if ((msg = config_setting_get_member(g, "message")) != NULL && verb_ok)
	parse_message(pc, msg, r);
    for (int i = 0; i < config_setting_length(g); i++) {
	config_setting_t *m = config_setting_get_elem(g, (unsigned) i);
	const char *name = config_setting_name(m);

	if (strcmp(name, "if") && strcmp(name, "then") && strcmp(name, "message"))
	    parse_member(pc, m, r);
    }
}

/* rule_clear - free one rule */
static void rule_clear(struct rule *r)
{
    for (size_t i = 0; i < r->nconds; i++)
	rule_cond_clear(&r->conds[i]);
    free(r->conds);
    expand_free(&r->message);
    expand_free(&r->log_message);
    for (size_t i = 0; i < r->nadds; i++) {
	free(r->adds[i].name);
	expand_free(&r->adds[i].value);
    }
    free(r->adds);
    for (size_t i = 0; i < r->nremoves; i++)
	free(r->removes[i]);
    free(r->removes);
    for (size_t i = 0; i < r->nsets; i++) {
	free(r->sets[i].name);
	expand_free(&r->sets[i].value);
    }
    free(r->sets);
    free(r->where);
    free(r->label);
}

/* parse_stage - the list rules.STAGE */
static void parse_stage(struct rule_pctx *pc, config_setting_t *s, struct ruleset *rs)
{
    int type = config_setting_type(s), n = config_setting_length(s);

    pc->index = 0;
    if (type != CONFIG_TYPE_LIST && !(type == CONFIG_TYPE_ARRAY && n == 0)) {
	buf_printf(pc->errs, "%s:%u: rules.%s: must be a list of groups ( { ... }, ... )\n",
		   config_setting_source_file(s) ? config_setting_source_file(s) : pc->file,
		   config_setting_source_line(s), fact_stage_name(pc->stage));
	pc->nerr++;
	return;
    }
    rs->rules[pc->stage] = xcalloc((size_t) n + 1, sizeof(struct rule));
    for (int i = 0; i < n; i++) {
	pc->index = i;
	parse_rule(pc, config_setting_get_elem(s, (unsigned) i), &rs->rules[pc->stage][i]);
	rs->n[pc->stage]++;
    }
}

/* ruleset_parse_group - the rules.STAGE lists of a "rules" group; NULL on errors */
struct ruleset *ruleset_parse_group(const config_setting_t *rules, const char *file,
				    const struct rule_env *env, struct buf *errors_r)
{
    struct ruleset *rs = xcalloc(1, sizeof(*rs));
    struct rule_pctx pc;
    size_t ntab = 0;

    memset(&pc, 0, sizeof(pc));
    pc.env = env;
    pc.errs = errors_r;
    pc.file = file ? file : "-";
    while (env && env->facts && env->facts[ntab])
	ntab++;
    pc.tables = xcalloc(ntab + 2, sizeof(*pc.tables));
    pc.tables[0] = &fact_table_core;
    for (size_t i = 0; i < ntab; i++)
	pc.tables[i + 1] = env->facts[i];
    for (int st = 0; rules && st < RULE_STAGES; st++) {
	config_setting_t *s = config_setting_get_member(rules,
						    fact_stage_name((enum fact_stage) st));
	if (s == NULL)
	    continue;
	pc.stage = (enum fact_stage) st;
	parse_stage(&pc, s, rs);
    }
    free(pc.tables);
    if (pc.nerr > 0)
	ruleset_free(&rs);
    return rs;
}

/* ruleset_parse - the rules section of a config snapshot; NULL on errors */
struct ruleset *ruleset_parse(const struct conf *c, const struct rule_env *env,
			      struct buf *errors_r)
{
    return ruleset_parse_group(conf_setting(c, "rules"), conf_path(c), env, errors_r);
}

/* ruleset_free - free a ruleset and NULL the pointer */
void ruleset_free(struct ruleset **rsp)
{
    struct ruleset *rs = *rsp;

    if (rs == NULL)
	return;
    for (int st = 0; st < RULE_STAGES; st++) {
	for (size_t i = 0; i < rs->n[st]; i++)
	    rule_clear(&rs->rules[st][i]);
	free(rs->rules[st]);
    }
    free(rs);
    *rsp = NULL;
}

/* ruleset_count - how many rules a stage has (the pipeline skips empty stages) */
size_t ruleset_count(const struct ruleset *rs, enum fact_stage stage)
{
    return rs && (unsigned) stage < RULE_STAGES ? rs->n[stage] : 0;
}
