/*
 * t/unit/rules_parse.c - the rule parser: every error with FILE:LINE, the
 * documented examples, stage validation, defaults
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "policy/lists.h"
#include "policy/rules.h"
#include "rules_env.h"
#include "t/tap.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/* One rule per line, so each error's line number is the rule's. */
static const char bad_config[] =
    "rules: {\n"
    "  connect = (\n"
    "    { if = { dmarc_status = \"reject\"; }; then = \"reject\"; },\n"
    "    { if = { hosts = \"+nosuch\"; }; then = \"reject\"; },\n"
    "    { if = { hosts = \"not-an-ip\"; }; then = \"reject\"; },\n"
    "    { then = \"quarantine\"; },\n"
    "    { then = \"accept\"; add_header = \"X-A: b\"; }\n"
    "  );\n"
    "  rcpt = (\n"
    "    { if = { rcpt_domains = \"+local_domains\"; spf = \"pas\"; }; then = \"reject\"; },\n"
    "    { if = { header = { name = \"Subject\"; regex = \"x\"; }; }; then = \"reject\"; }\n"
    "  );\n"
    "  data = (\n"
    "    { if = { nosuch = \"x\"; }; then = \"reject\"; },\n"
    "    { then = \"reject\"; message = \"451 4.7.1 wrong class\"; },\n"
    "    { then = \"tempfail\"; message = \"5.7.1 wrong\"; },\n"
    "    { then = \"reject\"; message = \"550 4.7.1 mismatch\"; },\n"
    "    { then = \"reject\"; message = \"Hello $nosuch_var\"; },\n"
    "    { then = \"warn\"; log_message = \"cost: $5\"; },\n"
    "    { then = \"reject\"; frobnicate = true; },\n"
    "    { if = { header = { name = \"Subject\"; regex = \"(unclosed\"; }; }; then = \"reject\"; },\n"
    "    { then = \"warn\"; set = { foo = \"x\"; }; },\n"
    "    { then = \"warn\"; control = [ \"arc_seal\", \"dkim_sing\" ]; },\n"
    "    { then = \"warn\"; add_header = \"No colon here\"; },\n"
    "    { then = \"bounce\"; },\n"
    "    { if = { authenticated = \"maybe\"; }; },\n"
    "    { if = { authenticated = \"maybe\"; }; then = \"accept\"; },\n"
    "    { then = \"accept\"; message = \"5.7.1 ok\"; },\n"
    "    { if = { spf = [ ]; }; then = \"accept\"; },\n"
    "    { then = \"warn\"; defer_ok = \"yes\"; },\n"
    "    { then = \"reject\"; message = \"from ${dmarc_used_domain\"; },\n"
    "    { then = \"quarantine\"; message = \"550 5.7.1 no codes here\"; },\n"
    "    { if = { header = { name = \"Subject\"; rx = \"x\"; }; }; then = \"reject\"; },\n"
    "    { if = { helo = \"bad helo\"; hosts = true; }; then = \"reject\"; },\n"
    "    { then = \"warn\"; remove_header = [ \"Bad Name\" ]; add_header = \"X: $dmarc_status\"; }\n"
    "  );\n"
    "  mail = (\n"
    "    { then = \"reject\"; message = \"5.7.1 $dmarc_used_domain is not known yet\"; }\n"
    "  );\n"
    "};\n";

static const char bad_golden[] =
    "test.conf:3: rules.connect[0]: dmarc_status: not known before the data stage\n"
    "test.conf:4: rules.connect[1]: hosts: no list named \"nosuch\" in the lists section\n"
    "test.conf:5: rules.connect[2]: hosts: \"not-an-ip\" is not an IP address or network\n"
    "test.conf:6: rules.connect[3]: then: quarantine is only possible at the data stage\n"
    "test.conf:7: rules.connect[4]: add_header: headers belong to a message: not at the connect stage\n"
    "test.conf:38: rules.mail[0]: message: variable $dmarc_used_domain is not known before the data stage\n"
    "test.conf:10: rules.rcpt[0]: spf: \"pas\" is not a result of spf (pass, fail, softfail, neutral, none, permerror, temperror)\n"
    "test.conf:11: rules.rcpt[1]: header: not known before the data stage\n"
    "test.conf:14: rules.data[0]: unknown condition \"nosuch\"\n"
    "test.conf:15: rules.data[1]: message: a reject needs a 5xx reply code and 5.x.x status code\n"
    "test.conf:16: rules.data[2]: message: a tempfail needs a 4xx reply code and 4.x.x status code\n"
    "test.conf:17: rules.data[3]: message: reply code and enhanced status code classes differ\n"
    "test.conf:18: rules.data[4]: message: unknown variable $nosuch_var\n"
    "test.conf:19: rules.data[5]: log_message: \"$\" is not followed by a variable name (write $$ for a dollar sign)\n"
    "test.conf:20: rules.data[6]: unknown key \"frobnicate\" (if, then, message, log_message, add_header, remove_header, set, control, defer_ok)\n"
    "test.conf:21: rules.data[7]: header: regex \"(unclosed\": Unmatched ( or \\(\n"
    "test.conf:22: rules.data[8]: set: foo: only acl_m_NAME variables can be set\n"
    "test.conf:23: rules.data[9]: control: \"dkim_sing\" is not a control (dmarc_disable_verify, dmarc_enable_forensic, arc_seal, dkim_sign, requiretls)\n"
    "test.conf:24: rules.data[10]: add_header: \"No colon here\": not \"Name: value\"\n"
    "test.conf:25: rules.data[11]: then: must be one of accept, reject, tempfail, discard, quarantine, warn\n"
    "test.conf:26: rules.data[12]: then: missing (accept, reject, tempfail, discard, quarantine, warn)\n"
    "test.conf:26: rules.data[12]: authenticated: \"maybe\" is not a boolean (yes, no, true, false)\n"
    "test.conf:27: rules.data[13]: authenticated: \"maybe\" is not a boolean (yes, no, true, false)\n"
    "test.conf:28: rules.data[14]: message: only reject, tempfail and quarantine reply (use log_message or add_header with accept)\n"
    "test.conf:29: rules.data[15]: spf: empty list\n"
    "test.conf:30: rules.data[16]: defer_ok: must be true or false\n"
    "test.conf:31: rules.data[17]: message: unterminated ${\n"
    "test.conf:32: rules.data[18]: message: a quarantine reason takes no reply code\n"
    "test.conf:33: rules.data[19]: header: rx: unknown member or wrong type (name and regex are strings, icase a boolean)\n"
    "test.conf:34: rules.data[20]: helo: \"bad helo\": embedded white space\n"
    "test.conf:34: rules.data[20]: hosts: a boolean makes no sense here (give strings)\n"
    "test.conf:35: rules.data[21]: remove_header: \"Bad Name\": bad header field name\n";

/* test_errors_golden - all errors, in stage order, each with file and line */
static void test_errors_golden(const struct rule_env *env)
{
    struct buf errs = BUF_INIT;
    struct ruleset *rs = rt_parse(bad_config, env, &errs);

    ok(rs == NULL, "a config with rule errors gives no ruleset");
    is_str(buf_str(&errs), bad_golden, "every rule error is reported once with FILE:LINE and rules.STAGE[N]");
    ruleset_free(&rs);
    buf_free(&errs);
}

/* load - config text through conf_load_string and ruleset_parse */
static struct ruleset *load(const char *text, const struct rule_env *env, struct buf *errs)
{
    struct conf *c = conf_load_string(text, "mx.conf", errs);
    struct ruleset *rs;

    if (c == NULL) {
	diag("config did not load: %s", buf_str(errs));
	return NULL;
    }
    rs = ruleset_parse(c, env, errs);
    conf_unref(&c);
    return rs;
}

/* test_conf_path - errors through the config loader name the config file */
static void test_conf_path(const struct rule_env *env)
{
    struct buf errs = BUF_INIT;
    struct ruleset *rs = load("rules: {\n  data = (\n    { then = \"reject\";\n"
			      "      message = \"$sender_adress\"; }\n  );\n};\n", env, &errs);

    ok(rs == NULL, "ruleset_parse refuses an unknown variable in a loaded config");
    is_str(buf_str(&errs), "mx.conf:4: rules.data[0]: message: unknown variable $sender_adress\n",
	   "the error names the config file and the line of the message");
    buf_free(&errs);
}

/* test_defaults - the default config has no rules and never rejects */
static void test_defaults(const struct rule_env *env)
{
    struct conf *c = conf_defaults();
    struct buf errs = BUF_INIT;
    struct ruleset *rs = ruleset_parse(c, env, &errs);
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f };
    struct verdict v;
    size_t total = 0;

    ok(rs != NULL && errs.len == 0, "the default config parses");
    for (int st = FACT_STAGE_CONNECT; st <= FACT_STAGE_DATA; st++)
	total += ruleset_count(rs, (enum fact_stage) st);
    is_int((long long) total, 0, "the default config has no rules");
    verdict_init(&v);
    facts_set(f, FACT_MSG, "dmarc_status", "reject");
    is_int(ruleset_eval(rs, FACT_STAGE_DATA, &in, &v), VERDICT_CONTINUE,
	   "the default config lets even a DMARC reject through");
    verdict_clear(&v);
    facts_free(&f);
    ruleset_free(&rs);
    conf_unref(&c);
    buf_free(&errs);
}

static struct list *example_lists[8];

/* example_list_find - lists of the example config (inline ones) */
static struct list *example_list_find(void *ctx, const char *name)
{
    const struct conf *c = ctx;
    const char *const *items;
    size_t n, i;

    for (i = 0; i < 8 && example_lists[i]; i++)
	if (strcmp(list_name(example_lists[i]), name) == 0)
	    return example_lists[i];
    if (i == 8 || !conf_named_list(c, name, &items, &n))
	return NULL;
    struct buf errs = BUF_INIT;
    if (n == 1 && strchr(items[0], ':'))	/* file:, lmdb:, redis: are not opened here */
	example_lists[i] = list_new_inline(name, NULL, 0, &errs);
    else
	example_lists[i] = list_new_inline(name, items, n, &errs);
    buf_free(&errs);
    return example_lists[i];
}

/* example_spf_lookup - stands in for the SPF module's spf_lookup: always "none" */
static int example_spf_lookup(void *ctx, const char *const *argv, const char **word_r)
{
    (void) ctx;
    (void) argv;
    *word_r = "none";
    return 1;
}

static const char *const example_lookup_args[] = {"address", "ip", NULL};
static const char *const example_lookup_words[] = {"pass", "fail", "softfail", "neutral",
    "none", "permerror", NULL};
static const struct rule_lookup example_lookup = {"spf_lookup", example_lookup_args,
    example_lookup_words, example_spf_lookup};
static const struct rule_lookup *const example_lookups[] = {&example_lookup, NULL};

/* test_example_config - contrib/mxguard.conf.example's rules parse */
static void test_example_config(void)
{
    const char *srcdir = getenv("top_srcdir") ? getenv("top_srcdir") : "..";
    char *path = xasprintf("%s/contrib/mxguard.conf.example", srcdir);
    struct buf errs = BUF_INIT;
    struct conf *c = conf_load(path, &errs);
    struct rule_env env = {rt_tables, example_list_find, NULL, example_lookups};

    if (!ok(c != NULL, "contrib/mxguard.conf.example loads"))
	diag("%s", buf_str(&errs));
    if (c == NULL) {
	free(path);
	buf_free(&errs);
	return;
    }
    env.ctx = c;
    struct ruleset *rs = ruleset_parse(c, &env, &errs);
    ok(rs != NULL, "the example rules (DESIGN.md section 4) parse with the check facts");
    if (rs == NULL)
	diag("%s", buf_str(&errs));
    is_int((long long) ruleset_count(rs, FACT_STAGE_DATA), 4, "they are four data rules");
    is_int((long long) ruleset_count(rs, FACT_STAGE_MAIL), 3,
	   "and three mail rules (spf_lookup, spf fail, spf_guess)");

    struct facts *f = facts_alloc();
    const char *rcpts[] = {"list@lists.example.com"};
    struct rule_input in = {.facts = f, .rcpts = rcpts, .nrcpt = 1 };
    struct verdict v;

    verdict_init(&v);
    facts_set(f, FACT_MSG, "dmarc_domain_policy", "reject");
    facts_set(f, FACT_MSG, "dmarc_used_domain", "bank.example");
    ruleset_eval(rs, FACT_STAGE_DATA, &in, &v);
    is_str(v.text, "Messages from bank.example break mailing lists",
	   "the example's mailing-list rule rejects a DMARC reject domain sent to a list");
    verdict_clear(&v);
    facts_free(&f);
    ruleset_free(&rs);
    for (size_t i = 0; i < 8; i++)
	list_free(&example_lists[i]);
    conf_unref(&c);
    free(path);
    buf_free(&errs);
}

/* test_good_everything - every condition and modifier in one valid config */
static void test_good_everything(const struct rule_env *env)
{
    static const char text[] =
	"rules: {\n"
	"  connect = ( { if = { hosts = [ \"+relay_ips\", \"!10.0.0.0/8\", \"::1\" ]; trusted = true; };"
	" then = \"accept\"; } );\n"
	"  helo = ( { if = { helo = [ \"*.example.com\", \".example.net\", \"mx.example.org\" ]; };"
	" then = \"reject\"; message = \"550 5.7.1 go away\\nand stay away\"; } );\n"
	"  mail = ( { if = { sender = [ \"<>\", \"+senders\" ]; sender_domains = \"!+local_domains\";"
	" authenticated = \"no\"; spf = [ \"fail\", \"softfail\" ]; }; then = \"tempfail\";"
	" message = \"4.7.1 $spf_smtp_comment\"; defer_ok = true; } );\n"
	"  rcpt = ( { if = { rcpt = \"postmaster@example.com\"; rcpt_domains = \"+local_domains\"; };"
	" then = \"accept\"; } );\n"
	"  data = (\n"
	"    { if = { header = ( { name = \"Subject\"; regex = \"(?i)viagra\"; },"
	" { name = \"X-Spam\"; regex = \"^yes$\"; icase = false; } ); dkim = \"!pass\"; };"
	" then = \"quarantine\"; message = \"spam from $sender_host_address\"; },\n"
	"    { if = { dcc = \"defer\"; message_size = 1000; }; then = \"discard\"; },\n"
	"    { then = \"warn\"; set = { acl_m_seen = \"yes ${spf}\"; }; control = \"dkim_sign\";"
	" log_message = \"$$5 $acl_m_seen\"; add_header = [ \"X-A: 1\", \"X-B: $arc_state\" ];"
	" remove_header = \"X-Old\"; }\n"
	"  );\n"
	"};\n";
    struct buf errs = BUF_INIT;
    struct ruleset *rs = rt_parse(text, env, &errs);

    ok(rs != NULL, "a config using every condition, verb and modifier parses");
    if (rs == NULL)
	diag("%s", buf_str(&errs));
    is_int((long long) ruleset_count(rs, FACT_STAGE_CONNECT), 1, "one connect rule");
    is_int((long long) ruleset_count(rs, FACT_STAGE_DATA), 3, "three data rules");
    ruleset_free(&rs);
    buf_free(&errs);
}

/* test_stage_shape - a stage must be a list of groups */
static void test_stage_shape(const struct rule_env *env)
{
    struct buf errs = BUF_INIT;
    struct ruleset *rs = rt_parse("rules: { helo = \"reject\"; data = ( 1 ); };\n", env, &errs);

    ok(rs == NULL, "a stage that is not a list of groups is refused");
    is_str(buf_str(&errs), "test.conf:1: rules.helo: must be a list of groups ( { ... }, ... )\n"
	   "test.conf:1: rules.data[0]: must be a group { if = {...}; then = \"verb\"; }\n",
	   "both shapes are explained");
    buf_free(&errs);
    rs = rt_parse("rules: { data = [ ]; };\n", env, &errs);
    ok(rs != NULL && ruleset_count(rs, FACT_STAGE_DATA) == 0, "an empty stage is no rules");
    ruleset_free(&rs);
    buf_free(&errs);
}

int main(void)
{
    struct rule_env env;

    msg_open("test_rules_parse", MSG_STDERR, 0);
    rt_env_init(&env);
    test_errors_golden(&env);
    test_conf_path(&env);
    test_defaults(&env);
    test_example_config();
    test_good_everything(&env);
    test_stage_shape(&env);
    rt_env_free();
    return done_testing();
}
