/*
 * NAME
 *	rule_lookup.c - lookup conditions that modules declare (spf_lookup)
 * SYNOPSIS
 *	#include "policy/rules_int.h"
 *
 *	const struct rule_lookup *rule_lookup_find(const struct rule_pctx *pc,
 *						   const char *name);
 *	int rule_lookup_parse(struct rule_pctx *pc, config_setting_t *s,
 *			      const struct rule_lookup *lk, struct rule_cond *cond);
 *	int rule_lookup_eval(const struct rule_cond *cond, const struct rule_input *in);
 * DESCRIPTION
 *	A lookup condition asks a module a question about values the rule
 *	computes, like Exim's ${lookup {user@domain} spf {ip}}:
 *	    spf_lookup = { address = "$sender_address"; ip = "$acl_m_ip";
 *			   result = [ "fail", "softfail" ]; };
 *	The module declares the name, the members (templates, see expand.h)
 *	and the result words in a struct rule_lookup (rules.h) that reaches
 *	the rule engine through rule_env.lookups, so the engine never
 *	depends on a check module. Every member is required; result takes
 *	a word or a list of words, with the '!' and "+list" forms and the
 *	first-match reading of every condition (rule_cond.c).
 *
 *	rule_lookup_eval expands the members with the message's facts
 *	(control characters become spaces, at most 1024 bytes each) and
 *	calls the module's function: its temporary failure is the
 *	condition's (-1: the rule tempfails unless defer_ok); no result
 *	(input the module cannot use, such as an IP that is not one) is the
 *	empty subject, which only a "!word" matches.
 * DIAGNOSTICS
 *	rule_lookup_parse: 0 ok, -1 with errors through rule_error.
 *	rule_lookup_eval: 1 true, 0 false, -1 temporary failure.
 * STANDARDS
 *	None.
 */
#include "config.h"
#include "policy/rules_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define RULE_LOOKUP_ARG_MAX	1024	/* bytes of one expanded member */

/* rule_lookup_find - the lookup condition called name, or NULL */
const struct rule_lookup *rule_lookup_find(const struct rule_pctx *pc, const char *name)
{
    for (size_t i = 0; pc->env && pc->env->lookups && pc->env->lookups[i]; i++)
	if (strcmp(pc->env->lookups[i]->name, name) == 0)
	    return pc->env->lookups[i];
    return NULL;
}

/* lookup_arg_index - position of member name in lk->args, or -1 */
static int lookup_arg_index(const struct rule_lookup *lk, const char *name)
{
    for (int i = 0; i < RULE_LOOKUP_MAX_ARGS && lk->args[i]; i++)
	if (strcmp(lk->args[i], name) == 0)
	    return i;
    return -1;
}

/* lookup_members - "address, ip, result" for error messages */
static void lookup_members(struct buf *b, const struct rule_lookup *lk)
{
    for (int i = 0; i < RULE_LOOKUP_MAX_ARGS && lk->args[i]; i++)
	buf_printf(b, "%s, ", lk->args[i]);
    buf_puts(b, "result");
}

/* lookup_arg - compile one template member into cond->args */
static int lookup_arg(struct rule_pctx *pc, config_setting_t *m, const char *cname, int k,
		      struct rule_cond *cond)
{
    struct buf why = BUF_INIT;

    if (config_setting_type(m) != CONFIG_TYPE_STRING) {
	rule_error(pc, m, "%s: %s: must be a string", cname, config_setting_name(m));
	return -1;
    }
    cond->args[k] = expand_compile(config_setting_get_string(m), pc->tables, pc->stage, &why);
    if (cond->args[k] == NULL)
	rule_error(pc, m, "%s: %s: %s", cname, config_setting_name(m), buf_str(&why));
    buf_free(&why);
    return cond->args[k] ? 0 : -1;
}

/* lookup_results - result = "word" or [ words ], checked against lk->words */
static int lookup_results(struct rule_pctx *pc, config_setting_t *r, const char *cname,
			  const struct rule_lookup *lk, struct rule_cond *cond)
{
    const struct fact_def def = {cname, FACT_WORD, FACT_STAGE_CONNECT, lk->words, NULL};
    int type = config_setting_type(r), n = 1, bad = 0;

    if (type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY)
	n = config_setting_length(r);
    if (n == 0) {
	rule_error(pc, r, "%s: result: empty list", cname);
	return -1;
    }
    cond->vals = xcalloc((size_t) n, sizeof(*cond->vals));
    for (int i = 0; i < n; i++) {
	config_setting_t *e = type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY
	    ? config_setting_get_elem(r, (unsigned) i) : r;
	if (rule_value_parse(pc, e, cname, &def, FACT_WORD, 0, &cond->vals[i]) < 0)
	    bad = 1;
	cond->nvals++;			/* freed by rule_cond_clear either way */
    }
    return bad ? -1 : 0;
}

/* rule_lookup_parse - name = { member = "template"; ...; result = words; } */
int rule_lookup_parse(struct rule_pctx *pc, config_setting_t *s, const struct rule_lookup *lk,
		      struct rule_cond *cond)
{
    const char *cname = config_setting_name(s);
    config_setting_t *result = NULL;
    struct buf members = BUF_INIT;
    int bad = 0;

    cond->kind = RULE_COND_LOOKUP;
    cond->lookup = lk;
    cond->lookup_ctx = pc->env->ctx;
    lookup_members(&members, lk);
    if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
	rule_error(pc, s, "%s: must be a group { %s }", cname, buf_str(&members));
	buf_free(&members);
	return -1;
    }
    for (int i = 0; i < config_setting_length(s); i++) {
	config_setting_t *m = config_setting_get_elem(s, (unsigned) i);
	const char *mn = config_setting_name(m);
	int k = lookup_arg_index(lk, mn);

	if (strcmp(mn, "result") == 0)
	    result = m;
	else if (k < 0) {
	    rule_error(pc, m, "%s: unknown member \"%s\" (%s)", cname, mn, buf_str(&members));
	    bad = 1;
	} else if (lookup_arg(pc, m, cname, k, cond) < 0)
	    bad = 1;
    }
    for (int k = 0; k < RULE_LOOKUP_MAX_ARGS && lk->args[k]; k++)
	if (config_setting_get_member(s, lk->args[k]) == NULL) {
	    rule_error(pc, s, "%s: %s is missing (%s)", cname, lk->args[k], buf_str(&members));
	    bad = 1;
	}
    if (result == NULL) {
	rule_error(pc, s, "%s: result is missing (the words that make it true)", cname);
	bad = 1;
    } else if (lookup_results(pc, result, cname, lk, cond) < 0)
	bad = 1;
    buf_free(&members);
    return bad ? -1 : 0;
}

/* rule_lookup_eval - expand the members, ask the module, match its word */
int rule_lookup_eval(const struct rule_cond *cond, const struct rule_input *in)
{
    struct buf vals[RULE_LOOKUP_MAX_ARGS];
    const char *argv[RULE_LOOKUP_MAX_ARGS + 1];
    const char *word = NULL;
    int n = 0, rc;

    for (; n < RULE_LOOKUP_MAX_ARGS && cond->lookup->args[n]; n++) {
	vals[n] = (struct buf) BUF_INIT;
	expand_run(cond->args[n], in->facts, 0, RULE_LOOKUP_ARG_MAX, &vals[n]);
	argv[n] = buf_str(&vals[n]);
    }
    argv[n] = NULL;
    rc = cond->lookup->fn(cond->lookup_ctx, argv, &word);
    while (n-- > 0)
	buf_free(&vals[n]);
    if (rc < 0)
	return -1;
    return rule_values_eval(cond, rc > 0 && word ? word : "");
}
