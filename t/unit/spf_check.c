/*
 * NAME
 *	t/unit/spf_check.c - the SPF check module inside the real pipeline
 * DESCRIPTION
 *	Runs the pipeline (the code mxguardd and `mxguard check` share) with
 *	only the SPF module registered (this file defines check_modules[],
 *	so the linker leaves checks.o out) and a scripted DNS server: the
 *	facts, the Received-SPF / X-SPF-Guess headers, the spf= clause of
 *	Authentication-Results, a rule `spf = fail` rejecting with
 *	$spf_smtp_comment, the HELO identity and the rule check of result
 *	words.
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

struct zrec {
    const char *name;
    int type;
    const char *data;
};

static const struct zrec zone[] = {
    {"pass.test", 16, "v=spf1 ip4:192.0.2.0/24 -all"},
    {"guessed.test", 1, "192.0.2.77"},
    {NULL, 0, NULL},
};

/* answer - SERVFAIL for servfail.test, else the zone (NXDOMAIN outside) */
static int answer(struct dd *d, const struct dd_query *q, struct pkt *p, void *ctx)
{
    unsigned n = 0, known = 0;
    unsigned char a[4];

    (void) d;
    (void) ctx;
    dd_reply(p, q, strcmp(q->name, "servfail.test") == 0 ? 2 : 0, 0);
    for (const struct zrec *z = zone; z->name; z++) {
	if (strcasecmp(z->name, q->name) != 0)
	    continue;
	known = 1;
	if (z->type != q->type)
	    continue;
	size_t m = pkt_rr(p, NULL, z->type, 300);
	if (z->type == 16) {
	    pkt_u8(p, (unsigned) strlen(z->data));
	    pkt_bytes(p, z->data, strlen(z->data));
	} else {
	    inet_pton(AF_INET, z->data, a);
	    pkt_bytes(p, a, 4);
	}
	pkt_rr_end(p, m);
	n++;
    }
    if (!known && strcmp(q->name, "servfail.test") != 0)
	p->b[3] = (unsigned char) ((p->b[3] & 0xf0) | 3);
    pkt_counts(p, n, 0, 0);
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

int main(void)
{
    struct dd *d = dd_start(AF_INET, answer, NULL);

    test_results(dd_port(d));
    test_guess(dd_port(d));
    test_config(dd_port(d));
    dd_stop(&d);
    return done_testing();
}
