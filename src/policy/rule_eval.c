/*
 * NAME
 *	rule_eval.c - run the rules of one stage over the facts
 * SYNOPSIS
 *	See rules.h (ruleset_eval).
 * DESCRIPTION
 *	Rules are tried in order. A rule matches when all its conditions
 *	are true (no conditions: always). A condition that is false ends
 *	the rule at once, even after an earlier temporary failure (it could
 *	not have matched anyway); a temporary failure with every other
 *	condition true makes the stage tempfail with 451 4.3.0, unless the
 *	rule has defer_ok: then it does not match, and the failure is
 *	logged.
 *
 *	A matching rule applies its modifiers in this order: set (so later
 *	templates see the new acl_m_* values), control, log_message,
 *	add_header, remove_header, then its verb. warn rules stop there and
 *	evaluation goes on; any other verb decides the stage, and the
 *	verdict records the rule's FILE:LINE. accept ends the stage with
 *	VERDICT_ACCEPT, and so do the checks of the message.
 *
 *	Expanded text is capped: reply text at 4 KB (verdict_reply cuts
 *	each line to an SMTP line), a header value so that "Name: value"
 *	fits 998 octets before folding, log lines and acl_m_* values at
 *	VERDICT_LOG_MAX. Values never bring in CR or LF (expand.h).
 * DIAGNOSTICS
 *	See rules.h. Temporary failures are logged with msg_warn as
 *	"QUEUE_ID: rules: rules.STAGE[N] (FILE:LINE): ...".
 * STANDARDS
 *	RFC 5322 2.1.1 (line length), RFC 5321 4.5.3.1.5.
 */
#include "config.h"
#include "policy/rules_int.h"

#include <stdlib.h>
#include <string.h>

#include "mail/header.h"
#include "util/xmalloc.h"

#define RULE_REPLY_MAX	4096

/* rule_match - 1 all conditions true, 0 one false, -1 temporary failure */
static int rule_match(const struct rule *r, enum fact_stage stage, const struct rule_input *in)
{
    int temp = 0;

    for (size_t i = 0; i < r->nconds; i++) {
	int m = rule_cond_eval(&r->conds[i], stage, in);

	if (m == 0)
	    return 0;
	if (m < 0)
	    temp = 1;
    }
    return temp ? -1 : 1;
}

/* apply_modifiers - set, control, log_message, add_header, remove_header */
static void apply_modifiers(const struct rule *r, struct rule_input *in, struct verdict *v)
{
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < r->nsets; i++) {
	buf_reset(&b);
	expand_run(r->sets[i].value, in->facts, 0, VERDICT_LOG_MAX, &b);
	facts_set(in->facts, FACT_MSG, r->sets[i].name, buf_str(&b));
    }
    in->controls |= r->controls;
    if (r->log_message) {
	buf_reset(&b);
	expand_run(r->log_message, in->facts, 0, VERDICT_LOG_MAX, &b);
	verdict_log(v, buf_str(&b));
    }
    for (size_t i = 0; i < r->nadds; i++) {
	size_t nlen = strlen(r->adds[i].name);

	buf_reset(&b);
	expand_run(r->adds[i].value, in->facts, 0, MAIL_LINE_MAX - nlen - 2, &b);
	verdict_add_header(v, VERDICT_HDR_ADD, r->adds[i].name, buf_str(&b), 0);
    }
    for (size_t i = 0; i < r->nremoves; i++)
	verdict_add_header(v, VERDICT_HDR_REMOVE, r->removes[i], NULL, 0);
    buf_free(&b);
}

/* apply_verb - the decision of a matching non-warn rule */
static enum verdict_action apply_verb(const struct rule *r, const struct rule_input *in,
				      struct verdict *v)
{
    static const enum verdict_action actions[] = {VERDICT_ACCEPT, VERDICT_REJECT,
	VERDICT_TEMPFAIL, VERDICT_DISCARD, VERDICT_QUARANTINE, VERDICT_CONTINUE};
    enum verdict_action a = actions[r->verb];
    struct buf b = BUF_INIT;

    if (r->message && (a == VERDICT_REJECT || a == VERDICT_TEMPFAIL)) {
	/*
	 * The codes come from the config, never from an expanded value:
	 * always give them, so the text cannot be read as a code.
	 */
	buf_printf(&b, "%s %s ", r->rcode[0] ? r->rcode : a == VERDICT_REJECT ? "550" : "451",
		   r->xcode[0] ? r->xcode : a == VERDICT_REJECT ? "5.7.1" : "4.7.1");
	expand_run(r->message, in->facts, EXPAND_KEEP_NL, RULE_REPLY_MAX, &b);
    } else if (r->message) {
	expand_run(r->message, in->facts, 0, RULE_REPLY_MAX, &b);
    }
    verdict_reply(v, a, r->message ? buf_str(&b) : NULL);
    buf_free(&b);
    free(v->rule);
    v->rule = xstrdup(r->where);
    return a;
}

/* ruleset_eval - run the rules of one stage; the verdict action */
int ruleset_eval(const struct ruleset *rs, enum fact_stage stage, struct rule_input *in,
		 struct verdict *v)
{
    if (rs == NULL || (unsigned) stage >= RULE_STAGES)
	return v->action;
    for (size_t i = 0; i < rs->n[stage]; i++) {
	const struct rule *r = &rs->rules[stage][i];
	int m = rule_match(r, stage, in);
	const char *qid = facts_get(in->facts, "queue_id");

	if (qid == NULL || *qid == 0)
	    qid = "NOQUEUE";
	if (m < 0 && r->defer_ok) {
	    msg_warn("%s: rules: %s (%s): temporary failure evaluating a condition; "
		     "no match (defer_ok)", qid, r->label, r->where);
	    continue;
	}
	if (m < 0) {
	    msg_warn("%s: rules: %s (%s): temporary failure evaluating a condition; tempfail",
		     qid, r->label, r->where);
	    verdict_reply(v, VERDICT_TEMPFAIL, "451 4.3.0 temporary failure evaluating policy");
	    free(v->rule);
	    v->rule = xstrdup(r->where);
	    return v->action;
	}
	if (m == 0)
	    continue;
	apply_modifiers(r, in, v);
	if (r->verb != RULE_WARN)
	    return apply_verb(r, in, v);
    }
    return v->action;
}
