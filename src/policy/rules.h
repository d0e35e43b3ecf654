/*
 * NAME
 *	rules - the policy: rules per stage, parsed from the config, evaluated on facts
 * SYNOPSIS
 *	#include "policy/rules.h"
 *
 *	struct ruleset *ruleset_parse(const struct conf *c, const struct rule_env *env,
 *				      struct buf *errors_r);
 *	void ruleset_free(struct ruleset **rsp);
 *	size_t ruleset_count(const struct ruleset *rs, enum fact_stage stage);
 *	int ruleset_eval(const struct ruleset *rs, enum fact_stage stage,
 *			 struct rule_input *in, struct verdict *v);
 * DESCRIPTION
 *	Config: rules.connect, rules.helo, rules.mail, rules.rcpt and
 *	rules.data, each an ordered list of groups (DESIGN.md section 4):
 *	    { if = { cond = value-or-list; ... }; then = "verb"; modifiers... }
 *	Conditions are ANDed; a list of values is ORed; "!value" inverts;
 *	"+name" names a list of the lists section (lists.h). Conditions are
 *	the built-in ones (hosts, authenticated, helo, sender,
 *	sender_domains, rcpt, rcpt_domains, header) plus every fact that a
 *	fact_table in env declares (spf, dmarc_status, ...), so a check adds
 *	conditions without touching this module. Verbs: accept, reject,
 *	tempfail, discard, quarantine, warn. Modifiers: message,
 *	log_message, add_header, remove_header, set (acl_m_* variables),
 *	control (words in enum rule_control), defer_ok. $variables in
 *	strings are compiled at parse time: an unknown variable is a config
 *	error. The first matching rule whose verb is not warn ends the
 *	stage.
 *
 *	Every error is reported at load, one line each, as
 *	"FILE:LINE: rules.STAGE[N]: what is wrong".
 *
 *	ruleset_eval runs the rules of one stage: a condition is 1 (true),
 *	0 (false) or -1 (temporary failure, e.g. a dead Redis list); a rule
 *	whose conditions fail temporarily makes the stage tempfail (451
 *	4.3.0) unless it has defer_ok, in which case it does not match and
 *	the failure is logged.
 * DIAGNOSTICS
 *	ruleset_parse: NULL with every error in *errors_r.
 *	ruleset_eval: the verdict action; controls set by matching rules are
 *	OR-ed into in->controls.
 */
#ifndef MXG_POLICY_RULES_H
#define MXG_POLICY_RULES_H
#include <stddef.h>
#include "policy/facts.h"
#include "policy/verdict.h"
#include "util/buf.h"

struct conf;
struct list;
struct mail_hdrs;

enum rule_control {
    RULE_CTL_DMARC_DISABLE_VERIFY = 1 << 0,
    RULE_CTL_DMARC_ENABLE_FORENSIC = 1 << 1,
    RULE_CTL_ARC_SEAL = 1 << 2,
    RULE_CTL_DKIM_SIGN = 1 << 3,
    RULE_CTL_REQUIRETLS = 1 << 4,
};

struct rule_env {
    const struct fact_table *const *facts;	/* NULL-terminated */
    struct list *(*list_find)(void *ctx, const char *name);	/* "+name" */
    void *ctx;
};

struct rule_input {
    struct facts *facts;	/* conditions read them, "set" writes acl_m_* */
    const char *rcpt;		/* rcpt stage: the recipient being added */
    const char *const *rcpts;	/* data stage: all recipients */
    size_t nrcpt;
    const struct mail_hdrs *hdrs;	/* data stage; NULL before */
    unsigned controls;		/* enum rule_control bits, in and out */
};

struct ruleset;

struct ruleset *ruleset_parse(const struct conf *c, const struct rule_env *env,
			      struct buf *errors_r);
void ruleset_free(struct ruleset **rsp);
size_t ruleset_count(const struct ruleset *rs, enum fact_stage stage);
int ruleset_eval(const struct ruleset *rs, enum fact_stage stage, struct rule_input *in,
		 struct verdict *v);

#endif
