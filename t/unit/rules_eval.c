/*
 * t/unit/rules_eval.c - the rule engine at work: every condition type
 * matching and not matching, negation, +lists, temporary failures and
 * defer_ok, first-match and warn semantics, $variable expansion with
 * hostile values, set/acl_m_*, controls
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/header.h"
#include "policy/rules.h"
#include "rules_env.h"
#include "t/tap.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static struct rule_env env;

/* stage_of - the fact_stage of a stage word */
static enum fact_stage stage_of(const char *stage)
{
    for (int st = 0; st <= FACT_STAGE_DATA; st++)
	if (strcmp(fact_stage_name((enum fact_stage) st), stage) == 0)
	    return (enum fact_stage) st;
    return FACT_STAGE_DATA;
}

/*
 * cond - one rule "if = { CONDS }; then = reject" at STAGE over in:
 * 1 it matched, 0 it did not, -1 the stage tempfailed, -2 it did not parse
 */
static int cond(const char *stage, const char *conds, struct rule_input *in)
{
    char *text = xasprintf("rules: { %s = ( { if = { %s }; then = \"reject\"; } ); };",
			   stage, conds);
    struct buf errs = BUF_INIT;
    struct ruleset *rs = rt_parse(text, &env, &errs);
    struct verdict v;
    int rc;

    free(text);
    if (rs == NULL) {
	diag("parse: %s", buf_str(&errs));
	buf_free(&errs);
	return -2;
    }
    verdict_init(&v);
    switch (ruleset_eval(rs, stage_of(stage), in, &v)) {
    case VERDICT_REJECT:
	rc = 1;
	break;
    case VERDICT_TEMPFAIL:
	rc = -1;
	break;
    default:
	rc = 0;
    }
    verdict_clear(&v);
    ruleset_free(&rs);
    buf_free(&errs);
    return rc;
}

/* run - parse text (must succeed) and evaluate one stage into *v */
static int run(const char *text, enum fact_stage stage, struct rule_input *in, struct verdict *v)
{
    struct buf errs = BUF_INIT;
    struct ruleset *rs = rt_parse(text, &env, &errs);
    int rc;

    verdict_init(v);
    if (rs == NULL) {
	diag("parse: %s", buf_str(&errs));
	buf_free(&errs);
	return -2;
    }
    rc = ruleset_eval(rs, stage, in, v);
    ruleset_free(&rs);
    buf_free(&errs);
    return rc;
}

static void test_hosts(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f };

    facts_set(f, FACT_CONN, "sender_host_address", "192.0.2.7");
    is_int(cond("connect", "hosts = \"192.0.2.0/24\";", &in), 1, "hosts: an address inside a CIDR matches");
    is_int(cond("connect", "hosts = \"198.51.100.0/24\";", &in), 0, "hosts: an address outside does not");
    is_int(cond("connect", "hosts = \"192.0.2.7\";", &in), 1, "hosts: a single address matches itself");
    is_int(cond("connect", "hosts = \"+relay_ips\";", &in), 1, "hosts: +list of CIDRs matches");
    is_int(cond("connect", "hosts = \"!+relay_ips\";", &in), 0, "hosts: !+list inverts");
    is_int(cond("connect", "hosts = [ \"!192.0.2.7\", \"192.0.2.0/24\" ];", &in), 0,
	   "hosts: the first matching value decides (an excluded address)");
    facts_set(f, FACT_CONN, "sender_host_address", "192.0.2.8");
    is_int(cond("connect", "hosts = [ \"!192.0.2.7\", \"192.0.2.0/24\" ];", &in), 1,
	   "hosts: ... and its neighbour is in");
    facts_set(f, FACT_CONN, "sender_host_address", "2001:db8::25");
    is_int(cond("connect", "hosts = \"+relay_ips\";", &in), 1, "hosts: an IPv6 address in a list");
    is_int(cond("connect", "hosts = [ \"10.0.0.0/8\", \"::1\" ];", &in), 0, "hosts: ORed values, none matching");
    facts_set(f, FACT_CONN, "sender_host_address", NULL);
    is_int(cond("connect", "hosts = \"0.0.0.0/0\";", &in), 0, "hosts: no client address matches no network");
    is_int(cond("connect", "hosts = \"!0.0.0.0/0\";", &in), 1, "hosts: but is outside of it");
    facts_free(&f);
}

static void test_bool_and_helo(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f };

    is_int(cond("mail", "authenticated = false;", &in), 1, "authenticated = false: an unauthenticated client");
    is_int(cond("mail", "authenticated = true;", &in), 0, "authenticated = true: not it");
    facts_set(f, FACT_MSG, "authenticated", "yes");
    is_int(cond("mail", "authenticated = true;", &in), 1, "authenticated = true: an authenticated client");
    is_int(cond("mail", "authenticated = \"no\";", &in), 0, "authenticated = \"no\": not it");
    is_int(cond("mail", "authenticated = \"!yes\";", &in), 0, "authenticated = \"!yes\": inverted");
    facts_set(f, FACT_CONN, "trusted", "no");
    is_int(cond("connect", "trusted = true;", &in), 0, "trusted = true: an untrusted client");

    facts_set(f, FACT_CONN, "sender_helo_name", "mail.example.com");
    is_int(cond("helo", "helo = \"*.example.com\";", &in), 1, "helo: *.dom matches a subdomain");
    is_int(cond("helo", "helo = \"example.com\";", &in), 0, "helo: dom does not match a subdomain");
    is_int(cond("helo", "helo = \".example.com\";", &in), 1, "helo: .dom matches a subdomain");
    is_int(cond("helo", "helo = \"MAIL.Example.COM.\";", &in), 1, "helo: case and root dot do not matter");
    is_int(cond("helo", "helo = \"!*.example.com\";", &in), 0, "helo: !*.dom inverts");
    facts_set(f, FACT_CONN, "sender_helo_name", "example.com");
    is_int(cond("helo", "helo = \"*.example.com\";", &in), 0, "helo: *.dom does not match dom itself");
    facts_free(&f);
}

static void test_sender(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f };

    facts_set(f, FACT_MSG, "sender_address", "Boss@Example.com");
    facts_set(f, FACT_MSG, "sender_address_domain", "Example.com");
    is_int(cond("mail", "sender = \"boss@example.com\";", &in), 1, "sender: an address, case-insensitive");
    is_int(cond("mail", "sender = \"+senders\";", &in), 1, "sender: +list");
    is_int(cond("mail", "sender = \"<>\";", &in), 0, "sender: <> is not a real sender");
    is_int(cond("mail", "sender = \"other@example.com\";", &in), 0, "sender: another address");
    is_int(cond("mail", "sender_domains = \"+local_domains\";", &in), 1, "sender_domains: +list");
    is_int(cond("mail", "sender_domains = \"!+local_domains\";", &in), 0, "sender_domains: !+list");
    is_int(cond("mail", "sender_domains = \"example.org\";", &in), 0, "sender_domains: another domain");
    facts_set(f, FACT_MSG, "sender_address", "");
    facts_set(f, FACT_MSG, "sender_address_domain", "");
    is_int(cond("mail", "sender = \"<>\";", &in), 1, "sender: <> is the null sender");
    is_int(cond("mail", "sender = \"\";", &in), 1, "sender: \"\" is the null sender too");
    is_int(cond("mail", "sender_domains = \"<>\";", &in), 1, "sender_domains: <> is the null sender");
    is_int(cond("mail", "sender_domains = \"+local_domains\";", &in), 0,
	   "sender_domains: the null sender is in no domain list");
    facts_free(&f);
}

static void test_rcpt(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f, .rcpt = "postmaster@Example.com" };
    const char *two[] = {"a@other.org", "b@lists.example.org"};
    const char *one[] = {"a@other.org"};

    is_int(cond("rcpt", "rcpt = \"postmaster@example.com\";", &in), 1, "rcpt: the recipient being added");
    is_int(cond("rcpt", "rcpt_domains = \"+local_domains\";", &in), 1, "rcpt_domains: its domain in a list");
    in.rcpt = "x@other.org";
    is_int(cond("rcpt", "rcpt_domains = \"+local_domains\";", &in), 0, "rcpt_domains: a foreign recipient");
    in.rcpt = NULL;
    in.rcpts = two;
    in.nrcpt = 2;
    is_int(cond("data", "rcpt_domains = \"+mailing_lists\";", &in), 1,
	   "rcpt_domains at data: true when any recipient matches");
    is_int(cond("data", "rcpt_domains = \"!+mailing_lists\";", &in), 1,
	   "rcpt_domains at data: !+list is true when any recipient is outside");
    is_int(cond("data", "rcpt = \"B@lists.example.org\";", &in), 1, "rcpt at data: any recipient address");
    in.rcpts = one;
    in.nrcpt = 1;
    is_int(cond("data", "rcpt_domains = \"+mailing_lists\";", &in), 0,
	   "rcpt_domains at data: no recipient on a list");
    facts_free(&f);
}

static void test_header(void)
{
    struct facts *f = facts_alloc();
    struct mail_hdrs *h = mail_hdrs_alloc(0, 0);
    struct rule_input in = {.facts = f };
    const char *why;

    mail_hdrs_add(h, "From", " a@example.com", &why);
    mail_hdrs_add(h, "Subject", " Buy\r\n VIAGRA now", &why);
    in.hdrs = h;
    is_int(cond("data", "header = { name = \"Subject\"; regex = \"buy viagra\"; };", &in), 1,
	   "header: the unfolded value matches, case-insensitively by default");
    is_int(cond("data", "header = { name = \"subject\"; regex = \"^Buy VIAGRA\"; icase = false; };", &in), 1,
	   "header: names compare case-insensitively; icase = false keeps case");
    is_int(cond("data", "header = { name = \"Subject\"; regex = \"viagra\"; icase = false; };", &in), 0,
	   "header: icase = false does not match another case");
    is_int(cond("data", "header = { name = \"Subject\"; regex = \"(?i)viagra\"; icase = false; };", &in), 1,
	   "header: a leading (?i) forces case-insensitivity");
    is_int(cond("data", "header = { name = \"X-Other\"; regex = \".*\"; };", &in), 0,
	   "header: a missing field does not match");
    is_int(cond("data", "header = ( { name = \"X-Other\"; regex = \".*\"; },"
		" { name = \"From\"; regex = \"@example[.]com$\"; } );", &in), 1,
	   "header: a list of tests is ORed");
    in.hdrs = NULL;
    is_int(cond("data", "header = { name = \"Subject\"; regex = \".*\"; };", &in), 0,
	   "header: no headers, no match");
    mail_hdrs_free(&h);
    facts_free(&f);
}

static void test_facts(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f };

    is_int(cond("data", "spf = \"pass\";", &in), 0, "fact: an unset fact matches no word");
    is_int(cond("data", "spf = \"!pass\";", &in), 1, "fact: an unset fact is not pass");
    facts_set(f, FACT_MSG, "spf", "fail");
    is_int(cond("data", "spf = \"fail\";", &in), 1, "word fact: equal");
    is_int(cond("data", "spf = [ \"pass\", \"softfail\" ];", &in), 0, "word fact: ORed values, none equal");
    is_int(cond("data", "spf = [ \"softfail\", \"fail\" ];", &in), 1, "word fact: ORed values, one equal");
    is_int(cond("data", "spf = \"!pass\";", &in), 1, "word fact: !word");
    is_int(cond("data", "spf = [ \"!pass\", \"!fail\" ];", &in), 0, "word fact: [!a, !b] is neither a nor b");
    facts_set(f, FACT_MSG, "spf", "none");
    is_int(cond("data", "spf = [ \"!pass\", \"!fail\" ];", &in), 1, "word fact: ... which none is");
    facts_set(f, FACT_MSG, "dmarc_status", "reject");
    facts_set(f, FACT_MSG, "dcc", "defer");
    is_int(cond("data", "dmarc_status = \"reject\"; dcc = \"defer\";", &in), 1, "conditions are ANDed: both true");
    is_int(cond("data", "dmarc_status = \"reject\"; dcc = \"accept\";", &in), 0, "conditions are ANDed: one false");
    facts_set(f, FACT_MSG, "dmarc_used_domain", "mail.bank.example");
    is_int(cond("data", "dmarc_used_domain = \"*.bank.example\";", &in), 1, "domain fact: *.dom");
    facts_set(f, FACT_MSG, "message_size", "1000");
    is_int(cond("data", "message_size = 1000;", &in), 1, "text fact: a number compares as text");
    facts_set(f, FACT_MSG, "spf_received", "Pass (x)");
    is_int(cond("data", "spf_received = \"pass (X)\";", &in), 1, "text fact: exact, case-insensitive");
    is_int(cond("data", "spf_received = \"pass\";", &in), 0, "text fact: no substring match");
    is_int(cond("data", "", &in), 1, "a rule without conditions always matches");
    facts_free(&f);
}

static void test_tempfail(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f };
    struct verdict v;

    facts_set(f, FACT_CONN, "sender_host_address", "192.0.2.1");
    facts_set(f, FACT_MSG, "spf", "fail");
    is_int(run("rules: { data = ( { if = { hosts = \"+dead\"; }; then = \"reject\"; } ); };",
	       FACT_STAGE_DATA, &in, &v), VERDICT_TEMPFAIL, "a dead Redis list makes the stage tempfail");
    is_str(v.rcode, "451", "... with 451");
    is_str(v.xcode, "4.3.0", "... 4.3.0");
    is_str(v.text, "temporary failure evaluating policy", "... and says why");
    is_str(v.rule, "test.conf:1", "... naming the rule");
    verdict_clear(&v);
    is_int(run("rules: { data = ( { if = { hosts = \"+dead\"; spf = \"pass\"; }; then = \"reject\"; } ); };",
	       FACT_STAGE_DATA, &in, &v), VERDICT_CONTINUE,
	   "a false condition wins over a temporary failure (the rule cannot match)");
    verdict_clear(&v);
    is_int(run("rules: { data = (\n { if = { hosts = \"!+dead\"; }; then = \"reject\"; defer_ok = true; },\n"
	       " { then = \"tempfail\"; message = \"4.7.1 second rule\"; } ); };",
	       FACT_STAGE_DATA, &in, &v), VERDICT_TEMPFAIL, "defer_ok: the failing rule does not match ...");
    is_str(v.text, "second rule", "... and evaluation goes on to the next rule");
    verdict_clear(&v);
    facts_free(&f);
}

static void test_first_match_and_warn(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f };
    struct verdict v;
    static const char text[] = "rules: { data = (\n"
	"  { then = \"warn\"; add_header = \"X-First: 1\"; log_message = \"first warn\"; },\n"
	"  { if = { spf = \"pass\"; }; then = \"reject\"; message = \"not this\"; },\n"
	"  { then = \"warn\"; add_header = \"X-Second: 2\"; },\n"
	"  { then = \"reject\"; message = \"5.7.1 first match\"; },\n"
	"  { then = \"reject\"; message = \"5.7.1 second match\"; add_header = \"X-Never: 1\"; }\n"
	"); };";

    is_int(run(text, FACT_STAGE_DATA, &in, &v), VERDICT_REJECT, "the first matching non-warn rule decides");
    is_str(v.text, "first match", "... with its message");
    is_str(v.rule, "test.conf:5", "... and its FILE:LINE");
    is_int((long long) v.nhdrs, 2, "warn rules before it added their headers, the later rule did not");
    ok(v.nhdrs == 2 && strcmp(v.hdrs[0].name, "X-First") == 0 && strcmp(v.hdrs[1].name, "X-Second") == 0,
       "headers are in rule order");
    ok(v.nlogs == 1 && strcmp(v.logs[0], "first warn") == 0, "a warn rule's log_message is logged");
    verdict_clear(&v);
    is_int(run("rules: { data = ( { then = \"warn\"; add_header = \"X-A: a\"; },"
	       " { then = \"warn\"; add_header = \"X-B: b\"; } ); };", FACT_STAGE_DATA, &in, &v),
	   VERDICT_CONTINUE, "warn rules never decide");
    is_int((long long) v.nhdrs, 2, "... but all their headers are added");
    ok(v.rule == NULL, "... and no rule is recorded as deciding");
    verdict_clear(&v);
    is_int(run("rules: { data = ( { then = \"accept\"; }, { then = \"reject\"; } ); };",
	       FACT_STAGE_DATA, &in, &v), VERDICT_ACCEPT, "accept ends the stage");
    verdict_clear(&v);
    is_int(run("rules: { data = ( { then = \"discard\"; } ); };", FACT_STAGE_DATA, &in, &v),
	   VERDICT_DISCARD, "discard");
    verdict_clear(&v);
    is_int(run("rules: { data = ( { then = \"quarantine\"; } ); };", FACT_STAGE_DATA, &in, &v),
	   VERDICT_QUARANTINE, "quarantine");
    is_str(v.quarantine_reason, "quarantined by policy", "... with the default reason");
    verdict_clear(&v);
    facts_set(f, FACT_CONN, "sender_host_address", "192.0.2.9");
    run("rules: { data = ( { then = \"quarantine\"; message = \"spam from $sender_host_address\"; } ); };",
	FACT_STAGE_DATA, &in, &v);
    is_str(v.quarantine_reason, "spam from 192.0.2.9", "... or the expanded message");
    verdict_clear(&v);
    is_int(run("rules: { rcpt = ( { then = \"reject\"; } ); };", FACT_STAGE_DATA, &in, &v),
	   VERDICT_CONTINUE, "only the rules of the evaluated stage run");
    verdict_clear(&v);
    facts_free(&f);
}

static void test_expansion(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f };
    struct verdict v;
    static const char text[] = "rules: { data = (\n"
	"  { then = \"warn\"; add_header = \"X-Sender: <$sender_address>\"; log_message = \"from $sender_address\"; },\n"
	"  { then = \"reject\"; message = \"550 5.7.1 Sender $sender_address refused\\nSee ${dmarc_used_domain}s policy, $$5\"; }\n"
	"); };";

    facts_set(f, FACT_MSG, "sender_address", "evil@x\r\n250 OK\r\nX-Injected: 1");
    facts_set(f, FACT_MSG, "dmarc_used_domain", "bank.example");
    run(text, FACT_STAGE_DATA, &in, &v);
    is_str(v.text, "Sender evil@x  250 OK  X-Injected: 1 refused\nSee bank.examples policy, $5",
	   "CR/LF in a value become spaces; the literal \\n makes a second reply line");
    is_str(v.rcode, "550", "reply code from the message");
    is_str(v.xcode, "5.7.1", "enhanced code from the message");
    ok(v.nhdrs == 1 && strcmp(v.hdrs[0].value, "<evil@x  250 OK  X-Injected: 1>") == 0,
       "CRLF injection into an added header becomes spaces");
    ok(v.nlogs == 1 && strchr(v.logs[0], '\n') == NULL && strchr(v.logs[0], '\r') == NULL,
       "and into log lines");
    verdict_clear(&v);

    facts_set(f, FACT_MSG, "acl_m_code", "250 2.0.0 accepted");
    run("rules: { data = ( { then = \"reject\"; message = \"$acl_m_code\"; } ); };", FACT_STAGE_DATA, &in, &v);
    is_str(v.rcode, "550", "a value that looks like a reply code cannot change the code");
    is_str(v.text, "250 2.0.0 accepted", "... it stays text");
    verdict_clear(&v);

    char *big = xmalloc(5000);
    memset(big, 'a', 4999);
    big[4999] = 0;
    facts_set(f, FACT_MSG, "acl_m_big", big);
    run("rules: { data = ( { then = \"warn\"; add_header = \"X-Big: $acl_m_big\"; } ); };",
	FACT_STAGE_DATA, &in, &v);
    ok(v.nhdrs == 1 && strlen("X-Big: ") + strlen(v.hdrs[0].value) <= MAIL_LINE_MAX,
       "an added header is capped at 998 octets");
    verdict_clear(&v);
    run("rules: { data = ( { then = \"tempfail\"; message = \"$acl_m_big\"; } ); };", FACT_STAGE_DATA, &in, &v);
    ok(v.text && strlen(v.text) <= VERDICT_LINE_MAX, "an SMTP reply line is capped");
    is_str(v.rcode, "451", "a tempfail without codes gets 451");
    is_str(v.xcode, "4.7.1", "... and 4.7.1");
    verdict_clear(&v);
    free(big);
    facts_free(&f);
}

static void test_set_and_controls(void)
{
    struct facts *f = facts_alloc();
    struct rule_input in = {.facts = f, .controls = RULE_CTL_ARC_SEAL };
    struct verdict v;
    static const char text[] = "rules: { data = (\n"
	"  { if = { spf = \"pass\"; }; then = \"warn\"; control = \"dmarc_enable_forensic\"; },\n"
	"  { then = \"warn\"; set = { acl_m_flag = \"spf $spf\"; }; control = \"dkim_sign\"; },\n"
	"  { if = { acl_m_flag = \"spf fail\"; }; then = \"reject\"; message = \"flag $acl_m_flag\";"
	" control = [ \"requiretls\", \"dmarc_disable_verify\" ]; }\n"
	"); };";

    facts_set(f, FACT_MSG, "spf", "fail");
    is_int(run(text, FACT_STAGE_DATA, &in, &v), VERDICT_REJECT, "set: a later rule tests the acl_m_ variable");
    is_str(v.text, "flag spf fail", "set: and expands it");
    is_str(facts_get(f, "acl_m_flag"), "spf fail", "set: the variable is a per-message fact");
    is_int(in.controls, RULE_CTL_ARC_SEAL | RULE_CTL_DKIM_SIGN | RULE_CTL_REQUIRETLS
	   | RULE_CTL_DMARC_DISABLE_VERIFY, "controls of matching rules are ORed in, others not");
    facts_reset_msg(f);
    ok(facts_get(f, "acl_m_flag") == NULL, "set: acl_m_ variables end with the message");
    verdict_clear(&v);
    run("rules: { data = ( { then = \"warn\"; remove_header = [ \"X-Spam\", \"X-Old\" ]; } ); };",
	FACT_STAGE_DATA, &in, &v);
    ok(v.nhdrs == 2 && v.hdrs[0].op == VERDICT_HDR_REMOVE && v.hdrs[0].index == 0
       && v.hdrs[0].value == NULL && strcmp(v.hdrs[1].name, "X-Old") == 0,
       "remove_header removes every occurrence of each name");
    verdict_clear(&v);
    facts_free(&f);
}

int main(void)
{
    msg_open("test_rules_eval", MSG_STDERR, 0);
    rt_env_init(&env);
    test_hosts();
    test_bool_and_helo();
    test_sender();
    test_rcpt();
    test_header();
    test_facts();
    test_tempfail();
    test_first_match_and_warn();
    test_expansion();
    test_set_and_controls();
    rt_env_free();
    return done_testing();
}
