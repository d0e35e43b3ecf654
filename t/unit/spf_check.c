/*
 * NAME
 *	t/unit/spf_check.c - the SPF check module inside the real pipeline
 * DESCRIPTION
 *	Runs the pipeline (the code mxguardd and `mxguard check` share) with
 *	only the SPF module registered (this file defines check_modules[],
 *	so the linker leaves checks.o out) and a scripted DNS server: the
 *	facts, the Received-SPF / X-SPF-Guess headers, the spf= clause of
 *	Authentication-Results, a rule `spf = fail` rejecting with
 *	$spf_smtp_comment, the HELO identity, the rule check of result
 *	words and the spf_lookup rule condition (IPv4, IPv6, temporary
 *	failure, defer_ok, unusable input, config errors).
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "t/tap.h"
#include "check/spf.h"
#include "conf/conf.h"
#include "pipeline/check.h"
#include "pipeline/pipeline.h"
#include "policy/verdict.h"
#include "t/unit/dns_double.h"
#include "util/buf.h"

const struct check_module *const check_modules[] = {&spf_check_module, NULL};

static const struct dd_zrec zone[] = {
    {"pass.test", 16, "v=spf1 ip4:192.0.2.0/24 -all"},
    {"guessed.test", 1, "192.0.2.77"},
    {"v6.test", 16, "v=spf1 ip6:2001:db8::/32 -all"},
    {NULL, 0, NULL},
};

/* answer - SERVFAIL for servfail.test, else the zone (NXDOMAIN outside) */
static int answer(struct dd *d, const struct dd_query *q, struct pkt *p, void *ctx)
{
    (void) d;
    (void) ctx;
    dd_zone_reply(p, q, zone, strcmp(q->name, "servfail.test") == 0 ? 2 : 0);
    return 0;
}

/* hdr - the value of the first header change op/name, or NULL */
static const char *hdr(const struct verdict *v, enum verdict_hdr_op op, const char *name)
{
    for (size_t i = 0; i < v->nhdrs; i++)
	if (v->hdrs[i].op == op && strcmp(v->hdrs[i].name, name) == 0)
	    return v->hdrs[i].value;
    return NULL;
}

/* load - a pipeline for config text with the DNS double at port */
static struct pipeline *load(int port, const char *extra, struct buf *errs)
{
    char *text;
    struct conf *c;
    struct pipeline *p = NULL;

    if (asprintf(&text,
		 "milter: { authserv_id = \"mx.test\"; };\n"
		 "store: { lmdb = \"/nonexistent/mxguard-test/state.mdb\"; };\n"
		 "dns: { servers = [ \"127.0.0.1:%d\" ]; timeout_ms = 1500; retries = 0;"
		 " cache_size = 0; };\n%s", port, extra) < 0)
	return NULL;
    if ((c = conf_load_string(text, "test.conf", errs)) != NULL)
	p = pipeline_new(c, errs);
    conf_unref(&c);
    free(text);
    return p;
}

/* run - one message from ip/helo/sender; the last stage's action */
static int run(struct pipeline *p, const char *ip, const char *helo, const char *sender,
	       struct verdict *v, char **helo_fact_r)
{
    struct pipeline_client cl = {NULL, ip, 2525, "mx", "smtpd", NULL, NULL};
    struct pipeline_conn *pc = pipeline_conn_new(p, &cl);
    static const unsigned char body[] = "hello\r\n";
    const char *hf;
    int a;

    verdict_clear(v);
    verdict_init(v);
    pipeline_connect(pc, v);
    pipeline_helo(pc, helo, v);
    hf = facts_get(pipeline_conn_facts(pc), "spf_helo");
    if (helo_fact_r)
	*helo_fact_r = hf ? strdup(hf) : NULL;
    if ((a = pipeline_mail(pc, sender, NULL, v)) == VERDICT_CONTINUE
	&& (a = pipeline_rcpt(pc, "<bob@example.com>", v)) == VERDICT_CONTINUE) {
	pipeline_header(pc, "From", " a@pass.test");
	if ((a = pipeline_eoh(pc, v)) == VERDICT_CONTINUE) {
	    pipeline_body(pc, body, sizeof(body) - 1);
	    a = pipeline_eom(pc, v);
	}
    }
    pipeline_conn_free(&pc);
    return a;
}

/* test_results - facts and headers for pass, fail (rule), temperror */
static void test_results(int port)
{
    struct buf errs = BUF_INIT;
    struct pipeline *p = load(port,
	"rules: { mail = ( { if = { spf = [ \"fail\" ]; }; then = \"reject\";\n"
	"  message = \"550 5.7.23 $spf_smtp_comment\"; } ); };\n", &errs);
    struct verdict v;
    const char *ar, *rs;
    char *hf = NULL;

    ok(p != NULL, "pipeline with the spf module and an spf rule");
    if (p == NULL)
	diag("%s", buf_str(&errs));
    if (p == NULL)
	return;
    verdict_init(&v);
    is_int(run(p, "192.0.2.9", "pass.test", "<u@pass.test>", &v, &hf), VERDICT_CONTINUE,
	   "spf pass: message accepted");
    is_str(hf, "pass", "HELO identity checked at helo: spf_helo = pass");
    free(hf);
    rs = hdr(&v, VERDICT_HDR_INSERT, "Received-SPF");
    ok(rs && strncmp(rs, "pass (mx.test: domain of pass.test designates 192.0.2.9", 55) == 0,
       "Received-SPF inserted with the result and the comment");
    ar = hdr(&v, VERDICT_HDR_INSERT, "Authentication-Results");
    ok(ar && strstr(ar, "spf=pass") && strstr(ar, "smtp.mailfrom=u@pass.test"),
       "A-R has spf=pass smtp.mailfrom");
    is_int(run(p, "198.51.100.1", "pass.test", "<u@pass.test>", &v, NULL), VERDICT_REJECT,
	   "spf fail: the rule rejects at MAIL FROM");
    is_str(v.text, "pass.test does not designate 198.51.100.1 as a permitted sender",
	   "reject text is $spf_smtp_comment");
    is_str(v.rcode, "550", "reject code from the rule");
    is_int(run(p, "192.0.2.9", "h.servfail.test", "<u@servfail.test>", &v, NULL),
	   VERDICT_CONTINUE, "spf temperror: no rule, accepted");
    ar = hdr(&v, VERDICT_HDR_INSERT, "Authentication-Results");
    ok(ar && strstr(ar, "spf=temperror"), "A-R says spf=temperror on SERVFAIL");
    is_int(run(p, "192.0.2.9", "pass.test", "<>", &v, NULL), VERDICT_CONTINUE,
	   "null sender accepted");
    ar = hdr(&v, VERDICT_HDR_INSERT, "Authentication-Results");
    ok(ar && strstr(ar, "spf=pass") && strstr(ar, "smtp.helo=pass.test"),
       "null sender: the HELO identity, smtp.helo in A-R");
    verdict_clear(&v);
    pipeline_unref(&p);
    buf_free(&errs);
}

/* test_guess - the best guess: own fact and header, never in A-R */
static void test_guess(int port)
{
    struct buf errs = BUF_INIT;
    struct pipeline *p = load(port, "spf: { guess_enabled = true; guess = \"v=spf1 a/24 ?all\"; };\n"
	"rules: { mail = ( { if = { spf_guess = [ \"pass\" ]; }; then = \"warn\";\n"
	"  log_message = \"guess $spf_guess\"; } ); };\n", &errs);
    struct verdict v;
    const char *ar, *g;

    ok(p != NULL, "pipeline with spf.guess_enabled");
    if (p == NULL)
	diag("%s", buf_str(&errs));
    if (p == NULL)
	return;
    verdict_init(&v);
    is_int(run(p, "192.0.2.1", "x.guessed.test", "<u@guessed.test>", &v, NULL), VERDICT_CONTINUE,
	   "best guess: accepted");
    g = hdr(&v, VERDICT_HDR_INSERT, "X-SPF-Guess");
    ok(g && strncmp(g, "pass", 4) == 0, "X-SPF-Guess carries the guess");
    ok(hdr(&v, VERDICT_HDR_INSERT, "Received-SPF") && strncmp(hdr(&v, VERDICT_HDR_INSERT,
       "Received-SPF"), "none", 4) == 0, "Received-SPF carries the published result, none");
    ar = hdr(&v, VERDICT_HDR_INSERT, "Authentication-Results");
    ok(ar && strstr(ar, "spf=none") && !strstr(ar, "spf=pass"),
       "A-R never reports the guess");
    verdict_clear(&v);
    pipeline_unref(&p);
    buf_free(&errs);
}

/* test_config - rules see the fact table; a bad guess record */
static void test_config(int port)
{
    struct buf errs = BUF_INIT;
    struct pipeline *p = load(port, "rules: { mail = ( { if = { spf = [ \"pas\" ]; };"
			      " then = \"reject\"; } ); };\n", &errs);

    ok(p == NULL && strstr(buf_str(&errs), "\"pas\" is not a result of spf"),
       "a rule with a word spf never has is refused");
    pipeline_unref(&p);
    buf_reset(&errs);
    p = load(port, "spf: { guess_enabled = true; guess = \"v=spf1 a:nodot\"; };\n", &errs);
    ok(p == NULL && strstr(buf_str(&errs), "test.conf:4: spf.guess: "),
       "an invalid spf.guess is a config error at FILE:LINE");
    pipeline_unref(&p);
    buf_reset(&errs);
    p = load(port, "spf: { enabled = false; };\n", &errs);
    ok(p != NULL, "spf.enabled = false: pipeline without the module");
    pipeline_unref(&p);
    buf_free(&errs);
}

static const char lookup_rules[] =
    "spf: { enabled = false; };\n"
    "rules: { mail = (\n"
    " { if = { helo = \"v6.lk\"; spf_lookup = { address = \"$sender_address\";\n"
    "   ip = \"$sender_host_address\"; result = \"pass\"; }; }; then = \"reject\";\n"
    "   message = \"550 5.7.1 lookup pass for $sender_address\"; },\n"
    " { if = { helo = \"v4.lk\"; spf_lookup = { address = \"$sender_address\";\n"
    "   ip = \"$sender_host_address\"; result = [ \"fail\", \"softfail\" ]; }; };\n"
    "   then = \"reject\"; message = \"550 5.7.1 lookup fail\"; },\n"
    " { if = { helo = \"tf.lk\"; spf_lookup = { address = \"a@servfail.test\";\n"
    "   ip = \"$sender_host_address\"; result = \"pass\"; }; }; then = \"reject\"; },\n"
    " { if = { helo = \"dk.lk\"; spf_lookup = { address = \"a@servfail.test\";\n"
    "   ip = \"$sender_host_address\"; result = \"pass\"; }; }; then = \"reject\";\n"
    "   defer_ok = true; },\n"
    " { if = { helo = \"bad.lk\"; spf_lookup = { address = \"$sender_address\";\n"
    "   ip = \"not-an-ip\"; result = \"!none\"; }; }; then = \"reject\";\n"
    "   message = \"550 5.7.1 no result\"; }\n"
    "); };\n";

/* test_lookup - the spf_lookup condition: IPv6, IPv4, temperror, defer_ok, bad input */
static void test_lookup(int port)
{
    struct buf errs = BUF_INIT;
    struct pipeline *p = load(port, lookup_rules, &errs);
    struct verdict v;

    ok(p != NULL, "spf_lookup rules load (with spf.enabled = false)");
    if (p == NULL) {
	diag("%s", buf_str(&errs));
	return;
    }
    verdict_init(&v);
    is_int(run(p, "2001:db8::5", "v6.lk", "<u@v6.test>", &v, NULL), VERDICT_REJECT,
	   "spf_lookup: an IPv6 client inside ip6:2001:db8::/32 is pass");
    is_str(v.text, "lookup pass for u@v6.test", "the address came from $sender_address");
    is_int(run(p, "2001:db9::5", "v6.lk", "<u@v6.test>", &v, NULL), VERDICT_CONTINUE,
	   "spf_lookup: an IPv6 client outside it is not pass");
    is_int(run(p, "198.51.100.1", "v4.lk", "<u@pass.test>", &v, NULL), VERDICT_REJECT,
	   "spf_lookup: an IPv4 client outside ip4:192.0.2.0/24 matches [fail, softfail]");
    is_str(v.text, "lookup fail", "with the rule's text");
    is_int(run(p, "192.0.2.9", "v4.lk", "<u@pass.test>", &v, NULL), VERDICT_CONTINUE,
	   "spf_lookup: an IPv4 client inside it does not");
    is_int(run(p, "192.0.2.9", "tf.lk", "<u@pass.test>", &v, NULL), VERDICT_TEMPFAIL,
	   "spf_lookup: SERVFAIL (temperror) tempfails the rule");
    is_str(v.rcode, "451", "with 451");
    is_int(run(p, "192.0.2.9", "dk.lk", "<u@pass.test>", &v, NULL), VERDICT_CONTINUE,
	   "spf_lookup: SERVFAIL with defer_ok is no match");
    is_int(run(p, "192.0.2.9", "bad.lk", "<u@pass.test>", &v, NULL), VERDICT_REJECT,
	   "spf_lookup: an ip that is not one has no result: only a !word matches");
    verdict_clear(&v);
    pipeline_unref(&p);
    buf_free(&errs);
}

/* lookup_error - does a rule with this spf_lookup value fail to load with why? */
static int lookup_error(int port, const char *stage, const char *value, const char *why)
{
    struct buf errs = BUF_INIT;
    char *text;
    struct pipeline *p;
    int found;

    if (asprintf(&text, "rules: { %s = ( { if = { spf_lookup = %s; }; then = \"warn\"; } ); };\n",
		 stage, value) < 0)
	return 0;
    p = load(port, text, &errs);
    found = p == NULL && strstr(buf_str(&errs), why) != NULL;
    if (!found)
	diag("got: %s", buf_str(&errs));
    pipeline_unref(&p);
    free(text);
    buf_free(&errs);
    return found;
}

/* test_lookup_errors - what an admin can get wrong in spf_lookup */
static void test_lookup_errors(int port)
{
    ok(lookup_error(port, "mail", "{ address = \"$sender_address\"; result = \"pass\"; }",
		    "rules.mail[0]: spf_lookup: ip is missing (address, ip, result)"),
       "spf_lookup without ip is refused");
    ok(lookup_error(port, "mail", "{ address = \"a@b.example\"; ip = \"192.0.2.1\"; }",
		    "spf_lookup: result is missing"), "spf_lookup without result is refused");
    ok(lookup_error(port, "mail", "{ address = \"a@b.example\"; ip = \"192.0.2.1\"; "
		    "result = \"temperror\"; }", "\"temperror\" is not a result of spf_lookup"),
       "temperror is not a result word (it is the rule's temporary failure)");
    ok(lookup_error(port, "mail", "{ address = \"a@b.example\"; ipaddr = \"192.0.2.1\"; "
		    "result = \"pass\"; }", "spf_lookup: unknown member \"ipaddr\""),
       "an unknown member is refused");
    ok(lookup_error(port, "mail", "{ address = \"$no_such_var\"; ip = \"192.0.2.1\"; "
		    "result = \"pass\"; }", "spf_lookup: address: "),
       "an unknown variable in a member is refused");
    ok(lookup_error(port, "connect", "{ address = \"$sender_address\"; "
		    "ip = \"$sender_host_address\"; result = \"pass\"; }", "spf_lookup: address: "),
       "a variable not known yet at the stage is refused");
    ok(lookup_error(port, "mail", "\"pass\"", "spf_lookup: must be a group"),
       "a plain value is refused");
    ok(lookup_error(port, "mail", "{ address = 1; ip = \"192.0.2.1\"; result = \"pass\"; }",
		    "spf_lookup: address: must be a string"), "a member that is no string");
}

int main(void)
{
    struct dd *d = dd_start(AF_INET, answer, NULL);

    test_results(dd_port(d));
    test_guess(dd_port(d));
    test_config(dd_port(d));
    test_lookup(dd_port(d));
    test_lookup_errors(dd_port(d));
    dd_stop(&d);
    return done_testing();
}
