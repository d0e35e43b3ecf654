/*
 * t/fuzz/rule_parse.c - fuzz the rule parser and one evaluation
 *
 * Input: a config text, optionally followed by a line "%%" and
 * "name=value" fact lines ("hdr:Name=value" adds a header field,
 * "rcpt=..." lines are the recipients). The text goes through
 * conf_load_string + ruleset_parse (what mxguardd does), and, for the
 * stages the config key table does not know yet, through libconfig +
 * ruleset_parse_group. Each ruleset that parses is evaluated at every
 * stage. Properties:
 *  - a refused ruleset explains itself: every error line is
 *    "fuzz.conf:LINE: rules.STAGE..." with no control bytes;
 *  - a parsed ruleset gives no errors;
 *  - a verdict's reply code class matches its action, and reply text,
 *    header values, logs and quarantine reasons hold no CR or control
 *    bytes (reply text may hold '\n' between lines).
 * Inputs with @include are skipped: they would read arbitrary files.
 * libconfig 1.5's own scanner leak is suppressed (see conf_value.c).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "mail/header.h"
#include "policy/lists.h"
#include "policy/rules.h"
#include "util/msg.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* __lsan_default_suppressions - LeakSanitizer: ignore libconfig 1.5's own leak */
const char *__lsan_default_suppressions(void)
{
    return "leak:strbuf_append\nleak:libconfig_yylex\nleak:libconfig_yyparse\n";
}

static const char *const spf_words[] = {"pass", "fail", "softfail", "neutral", "none",
    "permerror", "temperror", NULL};
static const char *const dmarc_words[] = {"accept", "reject", "quarantine", "none", "norecord",
    "nofrom", "temperror", "off", NULL};
static const char *const dcc_words[] = {"accept", "fail", "defer", NULL};
static const struct fact_def defs[] = {
    {"spf", FACT_WORD, FACT_STAGE_MAIL, spf_words, "x"},
    {"spf_guess", FACT_WORD, FACT_STAGE_MAIL, spf_words, "x"},
    {"spf_received", FACT_TEXT, FACT_STAGE_MAIL, NULL, "x"},
    {"dmarc_status", FACT_WORD, FACT_STAGE_DATA, dmarc_words, "x"},
    {"dmarc_used_domain", FACT_DOMAIN, FACT_STAGE_DATA, NULL, "x"},
    {"dcc", FACT_WORD, FACT_STAGE_DATA, dcc_words, "x"},
};
static const struct fact_table tab = {"fuzz", defs, 6};
static const struct fact_table *const tables[] = {&tab, NULL};

static struct list *lists[3];

/* fuzz_list_find - three inline lists, made once */
static struct list *fuzz_list_find(void *ctx, const char *name)
{
    static const char *const a[] = {"192.0.2.0/24", "!192.0.2.1", "2001:db8::/32"};
    static const char *const b[] = {"example.com", "*.example.net", ".lists.example.org"};
    static const char *const c[] = {"boss@example.com", "<>"};
    static const char *const names[] = {"relay_ips", "local_domains", "senders"};
    struct buf errs = BUF_INIT;

    if (lists[0] == NULL) {
	lists[0] = list_new_inline(names[0], a, 3, &errs);
	lists[1] = list_new_inline(names[1], b, 3, &errs);
	lists[2] = list_new_inline(names[2], c, 1, &errs);
	if (!lists[0] || !lists[1] || !lists[2])
	    abort();
    }
    buf_free(&errs);
    for (int i = 0; i < 3; i++)
	if (strcmp(names[i], name) == 0)
	    return lists[i];
    return NULL;
}

/* check_errors - every error line of ours is well formed */
static void check_errors(const struct buf *errs)
{
    const char *p = buf_str(errs);

    if (*p == 0)
	abort();
    while (*p) {
	const char *nl = strchr(p, '\n');
	if (nl == NULL || strncmp(p, "fuzz.conf:", 10) != 0 || strstr(p, ": rules.") == NULL)
	    abort();
	for (const char *q = p; q < nl; q++)
	    if ((unsigned char) *q < 0x20 && *q != '\t')
		abort();
	p = nl + 1;
    }
}

/* clean - no control bytes (but '\n' when nl_ok) */
static void clean(const char *s, int nl_ok)
{
    for (; s && *s; s++)
	if (((unsigned char) *s < 0x20 && !(nl_ok && *s == '\n')) || *s == 0x7f)
	    abort();
}

/* check_verdict - the guarantees a front end relies on */
static void check_verdict(const struct verdict *v)
{
    if (v->action == VERDICT_REJECT && (v->rcode[0] != '5' || v->xcode[0] != '5'))
	abort();
    if (v->action == VERDICT_TEMPFAIL && (v->rcode[0] != '4' || v->xcode[0] != '4'))
	abort();
    clean(v->text, 1);
    clean(v->quarantine_reason, 0);
    for (size_t i = 0; i < v->nhdrs; i++) {
	clean(v->hdrs[i].name, 0);
	clean(v->hdrs[i].value, 0);
	if (v->hdrs[i].value && strlen(v->hdrs[i].name) + 2 + strlen(v->hdrs[i].value) > 998)
	    abort();
    }
    for (size_t i = 0; i < v->nlogs; i++)
	clean(v->logs[i], 0);
}

/* eval_all - run every stage over the fuzzed facts */
static void eval_all(const struct ruleset *rs, const char *facts_text)
{
    struct facts *f = facts_alloc();
    struct mail_hdrs *h = mail_hdrs_alloc(0, 0);
    const char *rcpts[8];
    size_t nrcpt = 0;
    char *copy = xstrdup(facts_text), *p = copy;
    const char *why;

    while (p && *p) {
	char *nl = strchr(p, '\n'), *eq;

	if (nl)
	    *nl = 0;
	if ((eq = strchr(p, '=')) != NULL) {
	    *eq = 0;
	    if (strncmp(p, "hdr:", 4) == 0)
		(void) mail_hdrs_add(h, p + 4, eq + 1, &why);
	    else if (strcmp(p, "rcpt") == 0 && nrcpt < 8)
		rcpts[nrcpt++] = eq + 1;
	    else
		facts_set(f, FACT_MSG, p, eq + 1);
	}
	p = nl ? nl + 1 : NULL;
    }
    for (int st = 0; st <= FACT_STAGE_DATA; st++) {
	struct rule_input in = {.facts = f, .rcpt = nrcpt ? rcpts[0] : NULL, .rcpts = rcpts,
	    .nrcpt = nrcpt, .hdrs = st == FACT_STAGE_DATA ? h : NULL };
	struct verdict v;

	verdict_init(&v);
	(void) ruleset_eval(rs, (enum fact_stage) st, &in, &v);
	check_verdict(&v);
	verdict_clear(&v);
    }
    mail_hdrs_free(&h);
    facts_free(&f);
    free(copy);
}

/* parse_direct - libconfig + ruleset_parse_group: all five stages */
static void parse_direct(const char *text, const struct rule_env *env, const char *facts_text)
{
    config_t cf;
    struct buf errs = BUF_INIT;

    config_init(&cf);
    if (config_read_string(&cf, text) == CONFIG_TRUE) {
	struct ruleset *rs = ruleset_parse_group(config_lookup(&cf, "rules"), "fuzz.conf", env,
						 &errs);
	if (rs == NULL)
	    check_errors(&errs);
	else if (errs.len)
	    abort();
	else
	    eval_all(rs, facts_text);
	ruleset_free(&rs);
    }
    config_destroy(&cf);
    buf_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *) data, size);
    const char *facts_text = "";
    char *sep = strstr(text, "\n%%\n");
    struct rule_env env = {tables, fuzz_list_find, NULL, NULL};
    struct buf errs = BUF_INIT;
    struct conf *c;

    if (sep) {
	*sep = 0;
	facts_text = sep + 4;
    }
    if (strstr(text, "@include") == NULL) {
	if ((c = conf_load_string(text, "fuzz.conf", &errs)) != NULL) {
	    struct ruleset *rs = ruleset_parse(c, &env, &errs);
	    if (rs == NULL)
		check_errors(&errs);
	    else
		eval_all(rs, facts_text);
	    ruleset_free(&rs);
	    conf_unref(&c);
	}
	parse_direct(text, &env, facts_text);
    }
    buf_free(&errs);
    free(text);
    return 0;
}
