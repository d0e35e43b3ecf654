/*
 * NAME
 *	rule_cond.c - rule conditions: the built-in ones and every declared fact
 * SYNOPSIS
 *	#include "policy/rules_int.h"
 *
 *	int rule_cond_parse(struct rule_pctx *pc, config_setting_t *s,
 *			    struct rule_cond *cond);
 *	void rule_cond_clear(struct rule_cond *cond);
 *	int rule_cond_eval(const struct rule_cond *cond, enum fact_stage stage,
 *			   const struct rule_input *in);
 * DESCRIPTION
 *	A condition is "name = value" or "name = [ values ]". The name is a
 *	built-in (hosts, helo, sender, sender_domains, rcpt, rcpt_domains,
 *	header) or any fact a table declares (authenticated, spf,
 *	dmarc_status, ...) or an acl_m_* variable set by an earlier rule
 *	(text), or a module's lookup (rule_lookup.c); the fact's kind says
 *	how values match:
 *	  FACT_WORD    one of the fact's result words (checked at load)
 *	  FACT_BOOL    yes/no/true/false or a libconfig boolean
 *	  FACT_ADDR    an address or CIDR network (hosts)
 *	  FACT_DOMAIN  "dom" (exact), "*.dom" (subdomains), ".dom" (both)
 *	  FACT_TEXT    exact, case-insensitive
 *	Any value may be "+name" (a named list; list_lookup of the subject)
 *	and may start with '!'. sender and sender_domains also take "<>"
 *	or "" for the null sender.
 *
 *	Values are tried in order and the first that matches decides: the
 *	condition is true for a plain value, false for a "!value". When no
 *	value matches, the condition is true only if the last value is a
 *	"!value": [ "!pass", "!none" ] means "neither pass nor none", and
 *	[ "!*.example.com", ".com" ] means ".com except example.com's
 *	subdomains" (the Exim and Postfix reading of lists). An unset fact
 *	is the empty string: it matches no word, so only a "!value" can be
 *	true for it.
 *
 *	rcpt and rcpt_domains test the recipient being added at the rcpt
 *	stage; at the data stage they are true when ANY recipient of the
 *	message makes them true. header = { name = "Subject"; regex = "..."; }
 *	(or a list of such groups, ORed) is true when a field of that name
 *	has an unfolded value matching the POSIX extended regex; matching
 *	ignores case unless icase = false ("(?i)" at the start is accepted
 *	and dropped).
 * DIAGNOSTICS
 *	See rules_int.h.
 * STANDARDS
 *	POSIX regcomp(3) extended regular expressions.
 */
#include "config.h"
#include "policy/rules_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/header.h"
#include "util/xmalloc.h"

struct rule_builtin {
    const char *name;
    enum rule_cond_kind kind;
    const char *fact;		/* the fact it reads */
    enum fact_kind as;		/* how its values match */
    enum fact_stage stage;
    int null_sender;		/* "<>" and "" mean the null sender */
};

static const struct rule_builtin builtins[] = {
    {"hosts", RULE_COND_FACT, "sender_host_address", FACT_ADDR, FACT_STAGE_CONNECT, 0},
    {"helo", RULE_COND_FACT, "sender_helo_name", FACT_DOMAIN, FACT_STAGE_HELO, 0},
    {"sender", RULE_COND_FACT, "sender_address", FACT_TEXT, FACT_STAGE_MAIL, 1},
    {"sender_domains", RULE_COND_FACT, "sender_address_domain", FACT_DOMAIN, FACT_STAGE_MAIL, 1},
    {"rcpt", RULE_COND_RCPT, NULL, FACT_TEXT, FACT_STAGE_RCPT, 0},
    {"rcpt_domains", RULE_COND_RCPT_DOMAIN, NULL, FACT_DOMAIN, FACT_STAGE_RCPT, 0},
    {"header", RULE_COND_HEADER, NULL, FACT_TEXT, FACT_STAGE_DATA, 0},
};

/* acl_m_* variables as conditions: free text, known from the start */
static const struct fact_def acl_m_def = {"acl_m_*", FACT_TEXT, FACT_STAGE_CONNECT, NULL,
    "a variable set by an earlier rule"};

/* words_join - "pass, fail, ..." for error messages */
static void words_join(struct buf *b, const char *const *words)
{
    for (size_t i = 0; words && words[i]; i++)
	buf_printf(b, "%s%s", i ? ", " : "", words[i]);
}

/* parse_bool_word - 1/0 for yes/no words, -1 otherwise */
static int parse_bool_word(const char *s)
{
    static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false",
    "off", "0"};

    for (size_t i = 0; i < 4; i++) {
	if (strcasecmp(s, yes[i]) == 0)
	    return 1;
	if (strcasecmp(s, no[i]) == 0)
	    return 0;
    }
    return -1;
}

/* value_kind - check a plain (not list, not null) value for its kind */
static int value_kind(struct rule_pctx *pc, const config_setting_t *s, const char *cname,
		      const struct fact_def *def, enum fact_kind as, struct rule_value *v)
{
    const char *why;
    struct buf q = BUF_INIT;
    int rc = 0;

    rule_quote(&q, v->text);
    switch (as) {
    case FACT_BOOL:
	if ((v->bool_ = parse_bool_word(v->text)) < 0) {
	    rule_error(pc, s, "%s: %s is not a boolean (yes, no, true, false)", cname, q.data);
	    rc = -1;
	}
	v->match = RULE_M_BOOL;
	break;
    case FACT_WORD:
	v->match = RULE_M_WORD;
	for (size_t i = 0; def && def->words && def->words[i]; i++)
	    if (strcasecmp(def->words[i], v->text) == 0)
		goto out;
	{
	    struct buf w = BUF_INIT;
	    words_join(&w, def ? def->words : NULL);
	    rule_error(pc, s, "%s: %s is not a result of %s (%s)", cname, q.data, cname,
		       buf_str(&w));
	    buf_free(&w);
	}
	rc = -1;
	break;
    case FACT_ADDR:
    case FACT_DOMAIN:
	v->match = RULE_M_ENTRY;
	if (list_entry_parse(v->text, &v->entry, &why) < 0) {
	    rule_error(pc, s, "%s: %s: %s", cname, q.data, why);
	    rc = -1;
	} else if ((as == FACT_ADDR) != (v->entry.kind == LIST_E_CIDR)) {
	    rule_error(pc, s, "%s: %s is not %s", cname, q.data,
		       as == FACT_ADDR ? "an IP address or network" : "a domain");
	    rc = -1;
	}
	break;
    case FACT_TEXT:
	v->match = RULE_M_WORD;
	break;
    }
  out:
    buf_free(&q);
    return rc;
}

/* rule_value_parse - one value of a condition: string, number or boolean */
int rule_value_parse(struct rule_pctx *pc, const config_setting_t *s, const char *cname,
		     const struct fact_def *def, enum fact_kind as, int null_sender,
		     struct rule_value *v)
{
    const char *t;
    char num[32];

    switch (config_setting_type(s)) {
    case CONFIG_TYPE_BOOL:
	if (as != FACT_BOOL) {
	    rule_error(pc, s, "%s: a boolean makes no sense here (give strings)", cname);
	    return -1;
	}
	v->match = RULE_M_BOOL;
	v->bool_ = config_setting_get_bool(s);
	v->text = xstrdup(v->bool_ ? "yes" : "no");
	return 0;
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
	snprintf(num, sizeof(num), "%lld", config_setting_get_int64(s));
	t = num;
	break;
    case CONFIG_TYPE_STRING:
	t = config_setting_get_string(s);
	break;
    default:
	rule_error(pc, s, "%s: values must be strings", cname);
	return -1;
    }
    if (*t == '!') {
	v->negate = 1;
	t++;
    }
    v->text = xstrdup(t);
    for (char *p = v->text; *p; p++)
	*p = (char) tolower((unsigned char) *p);
    if (*t == '+') {
	v->match = RULE_M_LIST;
	v->list = pc->env && pc->env->list_find ? pc->env->list_find(pc->env->ctx, t + 1) : NULL;
	if (v->list == NULL) {
	    struct buf q = BUF_INIT;
	    rule_quote(&q, t + 1);
	    rule_error(pc, s, "%s: no list named %s in the lists section", cname, q.data);
	    buf_free(&q);
	    return -1;
	}
	return 0;
    }
    if (null_sender && (*t == 0 || strcmp(t, "<>") == 0)) {
	v->match = RULE_M_NULL;
	return 0;
    }
    return value_kind(pc, s, cname, def, as, v);
}

/* hdr_parse - one header = { name = ...; regex = ...; icase = ...; } group */
static int hdr_parse(struct rule_pctx *pc, config_setting_t *g, struct rule_hdr_test *h)
{
    const char *name = NULL, *regex = NULL;
    int icase = 1, bad = 0, rc;

    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
	rule_error(pc, g, "header: must be a group { name = \"...\"; regex = \"...\"; }");
	return -1;
    }
    for (int i = 0; i < config_setting_length(g); i++) {
	config_setting_t *m = config_setting_get_elem(g, (unsigned) i);
	const char *mn = config_setting_name(m);
	int type = config_setting_type(m);

	if (strcmp(mn, "name") == 0 && type == CONFIG_TYPE_STRING)
	    name = config_setting_get_string(m);
	else if (strcmp(mn, "regex") == 0 && type == CONFIG_TYPE_STRING)
	    regex = config_setting_get_string(m);
	else if (strcmp(mn, "icase") == 0 && type == CONFIG_TYPE_BOOL)
	    icase = config_setting_get_bool(m);
	else {
	    rule_error(pc, m, "header: %s: unknown member or wrong type (name and regex are "
		       "strings, icase a boolean)", mn);
	    bad = 1;
	}
    }
    if (bad)
	return -1;
    if (name == NULL || *name == 0 || strpbrk(name, ": \t\r\n") || regex == NULL) {
	rule_error(pc, g, "header: needs a field name and a regex");
	return -1;
    }
    if (strncmp(regex, "(?i)", 4) == 0) {
	regex += 4;
	icase = 1;
    }
    rc = regcomp(&h->re, regex, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
    if (rc != 0) {
	char err[256];
	struct buf q = BUF_INIT;

	regerror(rc, &h->re, err, sizeof(err));
	rule_quote(&q, regex);
	rule_error(pc, g, "header: regex %s: %s", q.data, err);
	buf_free(&q);
	return -1;
    }
    h->name = xstrdup(name);
    return 0;
}

/* hdrs_parse - a header group or a list of them */
static int hdrs_parse(struct rule_pctx *pc, config_setting_t *s, struct rule_cond *cond)
{
    int type = config_setting_type(s), n = 1, bad = 0;

    if (type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY)
	n = config_setting_length(s);
    else
	type = CONFIG_TYPE_GROUP;
    cond->hdrs = xcalloc((size_t) n + 1, sizeof(*cond->hdrs));
    for (int i = 0; i < n; i++) {
	config_setting_t *g = type == CONFIG_TYPE_GROUP ? s : config_setting_get_elem(s,
										(unsigned) i);
	if (hdr_parse(pc, g, &cond->hdrs[cond->nhdrs]) < 0)
	    bad = 1;
	else
	    cond->nhdrs++;
    }
    if (!bad && cond->nhdrs == 0) {
	rule_error(pc, s, "header: empty list");
	bad = 1;
    }
    return bad ? -1 : 0;
}

/* rule_cond_parse - one "name = value(s)" of an if group */
int rule_cond_parse(struct rule_pctx *pc, config_setting_t *s, struct rule_cond *cond)
{
    const char *cname = config_setting_name(s);
    const struct rule_builtin *b = NULL;
    const struct fact_def *def = NULL;
    const struct rule_lookup *lk;
    enum fact_stage stage;
    enum fact_kind as;
    int type = config_setting_type(s), n = 1, bad = 0;

    memset(cond, 0, sizeof(*cond));
    cond->name = xstrdup(cname);
    if ((lk = rule_lookup_find(pc, cname)) != NULL)
	return rule_lookup_parse(pc, s, lk, cond);
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
	if (strcmp(builtins[i].name, cname) == 0)
	    b = &builtins[i];
    if (b == NULL && strncmp(cname, "acl_m_", 6) == 0 && cname[6] != 0) {
	def = &acl_m_def;		/* set by an earlier rule: text, any stage */
    } else if (b == NULL && (def = fact_def_find(pc->tables, cname)) == NULL) {
	rule_error(pc, s, "unknown condition \"%s\"", cname);
	return -1;
    }
    cond->kind = b ? b->kind : RULE_COND_FACT;
    cond->fact = b ? b->fact : def == &acl_m_def ? cond->name : def->name;
    stage = b ? b->stage : def->stage;
    as = b ? b->as : def->kind;
    if (stage > pc->stage) {
	rule_error(pc, s, "%s: not known before the %s stage", cname, fact_stage_name(stage));
	return -1;
    }
    if (cond->kind == RULE_COND_HEADER)
	return hdrs_parse(pc, s, cond);
    if (type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY)
	n = config_setting_length(s);
    if (n == 0) {
	rule_error(pc, s, "%s: empty list", cname);
	return -1;
    }
    cond->vals = xcalloc((size_t) n, sizeof(*cond->vals));
    for (int i = 0; i < n; i++) {
	config_setting_t *e = type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY
	    ? config_setting_get_elem(s, (unsigned) i) : s;
	if (rule_value_parse(pc, e, cname, def, as, b && b->null_sender, &cond->vals[i]) < 0)
	    bad = 1;
	cond->nvals++;			/* parsed or half-parsed: freed by clear */
    }
    return bad ? -1 : 0;
}

/* rule_cond_clear - free what rule_cond_parse allocated */
void rule_cond_clear(struct rule_cond *cond)
{
    for (size_t i = 0; i < cond->nvals; i++) {
	free(cond->vals[i].text);
	if (cond->vals[i].match == RULE_M_ENTRY)
	    list_entry_clear(&cond->vals[i].entry);
    }
    free(cond->vals);
    for (size_t i = 0; i < cond->nhdrs; i++) {
	regfree(&cond->hdrs[i].re);
	free(cond->hdrs[i].name);
    }
    free(cond->hdrs);
    for (size_t i = 0; i < RULE_LOOKUP_MAX_ARGS; i++)
	expand_free(&cond->args[i]);
    free(cond->name);
    memset(cond, 0, sizeof(*cond));
}

/* value_match - does one value (ignoring '!') match subject? 1/0/-1 */
static int value_match(const struct rule_value *v, const char *subject, struct list_value *lv,
		       int *lv_ready)
{
    switch (v->match) {
    case RULE_M_NULL:
	return *subject == 0;
    case RULE_M_BOOL:
	return (parse_bool_word(subject) == 1) == (v->bool_ == 1);
    case RULE_M_WORD:
	return strcasecmp(subject, v->text) == 0;
    case RULE_M_LIST:
	return *subject ? list_lookup(v->list, subject, NULL) : 0;
    case RULE_M_ENTRY:
	if (*lv_ready == 0)
	    *lv_ready = list_value_init(lv, subject) == 0 ? 1 : -1;
	return *lv_ready == 1 && list_entry_match(&v->entry, lv);
    }
    return 0;
}

/* rule_values_eval - the first matching value decides (see DESCRIPTION) */
int rule_values_eval(const struct rule_cond *cond, const char *subject)
{
    struct list_value lv;
    int lv_ready = 0, rc = -2;

    if (subject == NULL)
	subject = "";
    memset(&lv, 0, sizeof(lv));
    for (size_t i = 0; i < cond->nvals && rc == -2; i++) {
	int m = value_match(&cond->vals[i], subject, &lv, &lv_ready);
	if (m < 0)
	    rc = -1;
	else if (m > 0)
	    rc = !cond->vals[i].negate;
    }
    if (lv_ready != 0)
	list_value_clear(&lv);
    if (rc == -2)
	rc = cond->nvals > 0 && cond->vals[cond->nvals - 1].negate;
    return rc;
}

/* rcpt_eval - the recipient at rcpt stage, any recipient at data stage */
static int rcpt_eval(const struct rule_cond *cond, enum fact_stage stage,
		     const struct rule_input *in)
{
    int domain = cond->kind == RULE_COND_RCPT_DOMAIN, temp = 0;

    if (stage <= FACT_STAGE_RCPT) {
	const char *r = in->rcpt ? in->rcpt : facts_get(in->facts, "recipient");
	const char *at = r ? strrchr(r, '@') : NULL;

	return rule_values_eval(cond, domain ? (at ? at + 1 : "") : r);
    }
    for (size_t i = 0; in->rcpts && i < in->nrcpt; i++) {
	const char *at = strrchr(in->rcpts[i], '@');
	int m = rule_values_eval(cond, domain ? (at ? at + 1 : "") : in->rcpts[i]);

	if (m > 0)
	    return 1;
	if (m < 0)
	    temp = 1;
    }
    return temp ? -1 : 0;
}

/* header_eval - does any field named as in a test match its regex? */
static int header_eval(const struct rule_cond *cond, const struct rule_input *in)
{
    if (in->hdrs == NULL)
	return 0;
    for (size_t t = 0; t < cond->nhdrs; t++) {
	const struct mail_hdr *h;

	for (size_t nth = 0; (h = mail_hdrs_find(in->hdrs, cond->hdrs[t].name, nth)); nth++)
	    if (regexec(&cond->hdrs[t].re, h->unfolded, 0, NULL, 0) == 0)
		return 1;
    }
    return 0;
}

/* rule_cond_eval - 1 true, 0 false, -1 temporary failure */
int rule_cond_eval(const struct rule_cond *cond, enum fact_stage stage,
		   const struct rule_input *in)
{
    switch (cond->kind) {
    case RULE_COND_FACT:
	return rule_values_eval(cond, facts_get(in->facts, cond->fact));
    case RULE_COND_RCPT:
    case RULE_COND_RCPT_DOMAIN:
	return rcpt_eval(cond, stage, in);
    case RULE_COND_HEADER:
	return header_eval(cond, in);
    case RULE_COND_LOOKUP:
	return rule_lookup_eval(cond, in);
    }
    return 0;
}
