/*
 * NAME
 *	rules_int - the parsed ruleset, shared by rule_parse.c, rule_cond.c, rule_eval.c
 * SYNOPSIS
 *	#include "policy/rules_int.h"
 *
 *	struct rule_pctx;	(parse context: env, tables, errors)
 *	void rule_error(struct rule_pctx *pc, const config_setting_t *s,
 *			const char *fmt, ...);
 *	void rule_quote(struct buf *b, const char *value);
 *	int rule_cond_parse(struct rule_pctx *pc, config_setting_t *s,
 *			    struct rule_cond *cond);
 *	void rule_cond_clear(struct rule_cond *cond);
 *	int rule_cond_eval(const struct rule_cond *cond, enum fact_stage stage,
 *			   const struct rule_input *in);
 *	int rule_value_parse(struct rule_pctx *pc, const config_setting_t *s,
 *			     const char *cname, const struct fact_def *def,
 *			     enum fact_kind as, int null_sender, struct rule_value *v);
 *	int rule_values_eval(const struct rule_cond *cond, const char *subject);
 *	const struct rule_lookup *rule_lookup_find(const struct rule_pctx *pc,
 *						   const char *name);
 *	int rule_lookup_parse(struct rule_pctx *pc, config_setting_t *s,
 *			      const struct rule_lookup *lk, struct rule_cond *cond);
 *	int rule_lookup_eval(const struct rule_cond *cond, const struct rule_input *in);
 * DESCRIPTION
 *	A ruleset is immutable after ruleset_parse(): every string,
 *	template, regex and list reference is prepared at load, so
 *	evaluation only reads it (and regexec is thread-safe on a shared
 *	regex_t). Lists ("+name") are borrowed from the rule_env's owner,
 *	which must keep them alive as long as the ruleset.
 * DIAGNOSTICS
 *	rule_cond_parse: 0 ok, -1 error(s) reported through rule_error.
 *	rule_cond_eval: 1 true, 0 false, -1 temporary failure.
 */
#ifndef MXG_POLICY_RULES_INT_H
#define MXG_POLICY_RULES_INT_H
#include <regex.h>
#include <libconfig.h>
#include "policy/expand.h"
#include "policy/lists.h"
#include "policy/rules.h"
#include "util/msg.h"

#define RULE_STAGES	5

enum rule_verb { RULE_ACCEPT, RULE_REJECT, RULE_TEMPFAIL, RULE_DISCARD, RULE_QUARANTINE,
    RULE_WARN };

/* How a condition reads its subject. */
enum rule_cond_kind {
    RULE_COND_FACT,		/* a fact (hosts, helo, sender..., spf, ...) */
    RULE_COND_RCPT,		/* the recipient(s) */
    RULE_COND_RCPT_DOMAIN,	/* the recipient(s)' domain */
    RULE_COND_HEADER,		/* header fields matching a regex */
    RULE_COND_LOOKUP,		/* a module's lookup (rule_lookup.c) */
};

/* How one value of a condition matches. */
enum rule_match {
    RULE_M_WORD,		/* case-insensitive equality (words, text) */
    RULE_M_BOOL,		/* yes/no */
    RULE_M_ENTRY,		/* a list entry: CIDR, domain, "*.dom", ".dom" */
    RULE_M_NULL,		/* the null sender ("<>" or "") */
    RULE_M_LIST,		/* "+name": list_lookup */
};

struct rule_value {
    int negate;
    enum rule_match match;
    char *text;			/* without '!'; lower case for RULE_M_WORD */
    int bool_;			/* RULE_M_BOOL */
    struct list_entry entry;	/* RULE_M_ENTRY */
    struct list *list;		/* RULE_M_LIST, borrowed */
};

struct rule_hdr_test {
    char *name;
    regex_t re;
};

struct rule_cond {
    enum rule_cond_kind kind;
    char *name;			/* as written ("hosts") */
    const char *fact;		/* RULE_COND_FACT: the fact read */
    struct rule_value *vals;	/* ORed, first match decides */
    size_t nvals;
    struct rule_hdr_test *hdrs;	/* RULE_COND_HEADER: ORed */
    size_t nhdrs;
    const struct rule_lookup *lookup;	/* RULE_COND_LOOKUP */
    void *lookup_ctx;		/* the env's ctx, for lookup->fn */
    struct expand_tmpl *args[RULE_LOOKUP_MAX_ARGS];	/* lookup->args order */
};

struct rule_hdr_add {
    char *name;
    struct expand_tmpl *value;
};

struct rule_set_var {
    char *name;			/* acl_m_* */
    struct expand_tmpl *value;
};

struct rule {
    char *where;		/* "FILE:LINE" */
    char *label;		/* "rules.data[2]" */
    enum rule_verb verb;
    struct rule_cond *conds;
    size_t nconds;
    char rcode[4], xcode[12];	/* from message, "" when not given */
    struct expand_tmpl *message;
    struct expand_tmpl *log_message;
    struct rule_hdr_add *adds;
    size_t nadds;
    char **removes;
    size_t nremoves;
    struct rule_set_var *sets;
    size_t nsets;
    unsigned controls;
    int defer_ok;
};

struct ruleset {
    struct rule *rules[RULE_STAGES];
    size_t n[RULE_STAGES];
};

struct rule_pctx {
    const struct rule_env *env;
    const struct fact_table **tables;	/* core + env->facts, NULL-terminated */
    struct buf *errs;
    const char *file;		/* for settings without a source file */
    enum fact_stage stage;
    int index;			/* rule index in its stage */
    int nerr;
};

void rule_error(struct rule_pctx *pc, const config_setting_t *s, const char *fmt, ...)
    MSG_PRINTF(3, 4);
void rule_quote(struct buf *b, const char *value);
int rule_cond_parse(struct rule_pctx *pc, config_setting_t *s, struct rule_cond *cond);
void rule_cond_clear(struct rule_cond *cond);
int rule_cond_eval(const struct rule_cond *cond, enum fact_stage stage,
		   const struct rule_input *in);
int rule_value_parse(struct rule_pctx *pc, const config_setting_t *s, const char *cname,
		     const struct fact_def *def, enum fact_kind as, int null_sender,
		     struct rule_value *v);
int rule_values_eval(const struct rule_cond *cond, const char *subject);
const struct rule_lookup *rule_lookup_find(const struct rule_pctx *pc, const char *name);
int rule_lookup_parse(struct rule_pctx *pc, config_setting_t *s, const struct rule_lookup *lk,
		      struct rule_cond *cond);
int rule_lookup_eval(const struct rule_cond *cond, const struct rule_input *in);

#endif
