/*
 * NAME
 *	rules - the policy: rules per stage, parsed from the config, evaluated on facts
 * SYNOPSIS
 *	#include "policy/rules.h"
 *
 *	struct ruleset *ruleset_parse(const struct conf *c, const struct rule_env *env,
 *				      struct buf *errors_r);
 *	struct ruleset *ruleset_parse_group(const config_setting_t *rules,
 *					    const char *file,
 *					    const struct rule_env *env,
 *					    struct buf *errors_r);
 *	void ruleset_free(struct ruleset **rsp);
 *	size_t ruleset_count(const struct ruleset *rs, enum fact_stage stage);
 *	int ruleset_eval(const struct ruleset *rs, enum fact_stage stage,
 *			 struct rule_input *in, struct verdict *v);
 * DESCRIPTION
 *	Config: rules.connect, rules.helo, rules.mail, rules.rcpt and
 *	rules.data, each an ordered list of groups (DESIGN.md section 4):
 *	    { if = { cond = value-or-list; ... }; then = "verb"; modifiers... }
 *	A stage key that is absent has no rules; the default config has
 *	none, so it never rejects.
 *
 *	Conditions are ANDed (no "if": always true). Values of a list are
 *	tried in order and the first that matches decides: true for
 *	"value", false for "!value"; when none matches the condition is
 *	true only if the last value is a "!value" (so [ "!pass", "!none" ]
 *	is "neither"). "+name" names a list of the lists section (looked
 *	up through env->list_find; the env's owner keeps lists alive as
 *	long as the ruleset). Conditions are the built-in ones plus every
 *	fact that fact_table_core or a fact_table in env declares, so a
 *	check adds conditions without touching this module:
 *	  hosts           client IP (sender_host_address): addresses, CIDRs
 *	  helo            HELO name: "dom", "*.dom" (subdomains), ".dom"
 *	  sender          envelope sender address (case-insensitive);
 *	                  "<>" or "" is the null sender
 *	  sender_domains  its domain (as helo); "<>" or "" the null sender
 *	  rcpt            rcpt stage: the recipient being added (in->rcpt);
 *	                  data stage: true when ANY recipient makes it true
 *	  rcpt_domains    the same on the recipients' domains
 *	  header          { name = "Subject"; regex = "viagra"; icase = true; }
 *	                  or a list of them (ORed): a field of that name whose
 *	                  unfolded value matches the POSIX extended regex;
 *	                  case-insensitive unless icase = false ("(?i)" first
 *	                  is accepted); compiled at load
 *	  FACT            by the fact's kind: FACT_WORD one of def->words
 *	                  (anything else is a config error), FACT_BOOL
 *	                  yes/no/true/false or a boolean, FACT_ADDR as hosts,
 *	                  FACT_DOMAIN as helo, FACT_TEXT exact and
 *	                  case-insensitive. An unset fact is "": it matches
 *	                  no word, only a "!value" can be true for it.
 *	  acl_m_NAME      a variable set by an earlier rule (text)
 *	  LOOKUP          a lookup condition some module declares
 *	                  (env->lookups, e.g. spf_lookup): a group of $variable
 *	                  templates named by lookup->args plus result = word
 *	                  or [ words ] (out of lookup->words, matched as a
 *	                  FACT_WORD fact): { address = "$sender_address";
 *	                  ip = "$sender_host_address"; result = "fail"; }.
 *	                  The templates are expanded when the rule runs and
 *	                  lookup->fn called with them: a temporary failure is
 *	                  the rule's (tempfail unless defer_ok), no result
 *	                  (unusable input) matches only a "!word"
 *	A condition on a fact first known at a later stage (dmarc_status in
 *	rules.rcpt) is a config error, and so is a $variable of one.
 *
 *	Verbs: accept, reject, tempfail, discard (not at connect/helo),
 *	quarantine (data stage only), warn. Modifiers:
 *	  message        reply text "[code ][x.y.z ]text" for reject and
 *	                 tempfail (codes of the wrong class are config
 *	                 errors; "\n" makes a multi-line reply), the reason
 *	                 for quarantine (no codes)
 *	  log_message    a line for the verdict's log (verdict->logs)
 *	  add_header     "Name: value" or a list (not at connect/helo)
 *	  remove_header  a field name or a list: every occurrence
 *	  set            { acl_m_name = "value"; ... }: per-message facts
 *	  control        a word or list of enum rule_control words
 *	  defer_ok       true: a temporary failure is "no match", not tempfail
 *	Unknown keys are errors. Strings are $variable templates
 *	(expand.h): an unknown variable is a config error; values are
 *	cleaned of control characters when expanded, so a hostile sender
 *	address cannot inject reply lines or headers.
 *
 *	ruleset_eval runs the rules of one stage: a condition is 1 (true),
 *	0 (false) or -1 (temporary failure, e.g. a dead Redis list). A rule
 *	matches when all conditions are true; a false one wins over a
 *	temporary failure. A rule whose conditions fail temporarily makes
 *	the stage tempfail (451 4.3.0 temporary failure evaluating policy)
 *	unless it has defer_ok, in which case it does not match and the
 *	failure is logged. A matching rule applies set, control,
 *	log_message, add_header and remove_header, in that order; a warn
 *	rule then lets evaluation go on, any other verb decides the stage
 *	(v->rule = "FILE:LINE" of the rule) and evaluation stops. Nothing
 *	matching leaves v->action as it was.
 *
 *	Every error is reported at load, one line each, as
 *	"FILE:LINE: rules.STAGE[N]: what is wrong" (N from 0, as the config
 *	loader counts); parsing goes on after an error to report them all.
 *	ruleset_parse_group() does the work on a "rules" group (file names
 *	the source when libconfig knows none); ruleset_parse() passes it
 *	the config's rules section.
 *
 *	A ruleset is immutable after parsing and shared by all threads;
 *	evaluation state lives in rule_input, facts and the verdict.
 * DIAGNOSTICS
 *	ruleset_parse, ruleset_parse_group: NULL with every error in
 *	*errors_r.
 *	ruleset_eval: the verdict action; controls set by matching rules
 *	(warn rules included) are OR-ed into in->controls.
 */
#ifndef MXG_POLICY_RULES_H
#define MXG_POLICY_RULES_H
#include <stddef.h>
#include <libconfig.h>
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

#define RULE_LOOKUP_MAX_ARGS	4

/* A lookup condition a module declares (check.h: spf_lookup). fn gets the
 * expanded args (in lookup->args order) and the env's ctx; it returns 1 with
 * a static result word in *word_r, 0 for no result, -1 for a temporary
 * failure. It runs in the evaluating thread: it must be thread-safe. */
struct rule_lookup {
    const char *name;			/* the condition's name */
    const char *const *args;		/* template members, NULL-terminated, 1..4 */
    const char *const *words;		/* result words, NULL-terminated */
    int (*fn)(void *ctx, const char *const *argv, const char **word_r);
};

struct rule_env {
    const struct fact_table *const *facts;	/* NULL-terminated */
    struct list *(*list_find)(void *ctx, const char *name);	/* "+name" */
    void *ctx;				/* for list_find and lookup functions */
    const struct rule_lookup *const *lookups;	/* NULL-terminated, or NULL */
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
struct ruleset *ruleset_parse_group(const config_setting_t *rules, const char *file,
				    const struct rule_env *env, struct buf *errors_r);
void ruleset_free(struct ruleset **rsp);
size_t ruleset_count(const struct ruleset *rs, enum fact_stage stage);
int ruleset_eval(const struct ruleset *rs, enum fact_stage stage, struct rule_input *in,
		 struct verdict *v);

#endif
