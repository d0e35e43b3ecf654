/*
 * NAME
 *	t/unit/dmarc_check.c - the DMARC module inside the real pipeline
 * DESCRIPTION
 *	Runs the pipeline (the code mxguardd and `mxguard check` share) with
 *	a scripted module in front of the DMARC module (this file defines
 *	check_modules[], so the linker leaves checks.o out): it plays the
 *	SPF, DKIM and ARC modules by copying X-Test-* header values into the
 *	facts they set (spf, dkim_results, arc_state, arc_domains), the
 *	documented interface the DMARC module reads. DNS answers come from
 *	the scripted server of t/unit/dns_double.c.
 *
 *	Proves: dkim_results tokens feed alignment; the trusted ARC sealer
 *	override (reject and quarantine become none, local_policy in the
 *	A-R and the status text), and not for an untrusted sealer, a
 *	failed chain or an AAR without a pass for the From domain; the
 *	seed rules (reject on dmarc_status for unauthenticated senders with
 *	$dmarc_used_domain, mailing lists on dmarc_domain_policy);
 *	control = dmarc_disable_verify and authenticated clients give off.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "t/tap.h"
#include "check/dmarc_check.h"
#include "conf/conf.h"
#include "mail/header.h"
#include "pipeline/check.h"
#include "pipeline/pipeline.h"
#include "policy/verdict.h"
#include "t/unit/dns_double.h"
#include "util/buf.h"

/* fake_eom - the facts of SPF, DKIM and ARC, from X-Test-* fields */
static int fake_eom(void *state, struct check_msg *m)
{
    static const char *const map[][2] = {
	{"X-Test-Spf", "spf"}, {"X-Test-Dkim", "dkim_results"},
	{"X-Test-Arc-State", "arc_state"}, {"X-Test-Arc-Domains", "arc_domains"},
    };
    const struct mail_hdrs *h = check_view(m)->hdrs;

    (void) state;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
	const struct mail_hdr *f = h ? mail_hdrs_find(h, map[i][0], 0) : NULL;

	if (f)
	    facts_set(check_facts(m), FACT_MSG, map[i][1], f->unfolded);
    }
    return 0;
}

/* fake_init - always enabled */
static void *fake_init(const struct conf *c, struct pipeline_env *env, struct buf *e)
{
    (void) c;
    (void) env;
    (void) e;
    return (void *) 1;
}

static void fake_fini(void *s)
{
    (void) s;
}

static const struct fact_def fake_defs[] = {
    {"spf", FACT_TEXT, FACT_STAGE_MAIL, NULL, "scripted"},
    {"dkim_results", FACT_TEXT, FACT_STAGE_DATA, NULL, "scripted"},
    {"arc_state", FACT_TEXT, FACT_STAGE_DATA, NULL, "scripted"},
    {"arc_domains", FACT_TEXT, FACT_STAGE_DATA, NULL, "scripted"},
};
static const struct fact_table fake_table = {"fake", fake_defs, 4};
static const struct check_module fake_module = {
    .name = "fake", .facts = &fake_table, .init = fake_init, .fini = fake_fini,
    .on_eom = fake_eom,
};

const struct check_module *const check_modules[] = {&fake_module, &dmarc_check_module, NULL};

/* answer - _dmarc records of rej.test (reject) and quar.test (quarantine) */
static int answer(struct dd *d, const struct dd_query *q, struct pkt *p, void *ctx)
{
    const char *txt = NULL;

    (void) d;
    (void) ctx;
    if (q->type == 16 && strcasecmp(q->name, "_dmarc.rej.test") == 0)
	txt = "v=DMARC1; p=reject";
    else if (q->type == 16 && strcasecmp(q->name, "_dmarc.quar.test") == 0)
	txt = "v=DMARC1; p=quarantine";
    dd_reply(p, q, txt ? 0 : 3, 0);
    if (txt) {
	size_t  mk = pkt_rr(p, NULL, 16, 300);

	pkt_u8(p, (unsigned) strlen(txt));
	pkt_bytes(p, txt, strlen(txt));
	pkt_rr_end(p, mk);
    }
    pkt_counts(p, txt ? 1 : 0, 0, 0);
    return 0;
}

/* load - a pipeline for config text with the DNS double at port */
static struct pipeline *load(int port, const char *extra)
{
    char   *text;
    struct conf *c;
    struct pipeline *p = NULL;
    struct buf errs = BUF_INIT;

    if (asprintf(&text,
		 "milter: { authserv_id = \"mx.test\"; };\n"
		 "store: { lmdb = \"/nonexistent/mxguard-test/state.mdb\"; };\n"
		 "dns: { servers = [ \"127.0.0.1:%d\" ]; timeout_ms = 1500; retries = 0;"
		 " cache_size = 0; };\n"
		 "arc: { trusted_sealers = [ \"sealer.test\" ]; };\n"
		 "lists: { mailing_lists = [ \"lists.test\" ]; };\n%s", port, extra) < 0)
	return NULL;
    if ((c = conf_load_string(text, "test.conf", &errs)) != NULL)
	p = pipeline_new(c, &errs);
    if (p == NULL)
	diag("%s", buf_str(&errs));
    conf_unref(&c);
    free(text);
    buf_free(&errs);
    return p;
}

static char fact_buf[4][1024];

/* on_end - copy the DMARC facts out at the message's end (they die there) */
static void on_end(void *ctx, const struct facts *f, const struct verdict *v)
{
    static const char *const names[] = {"dmarc_status", "dmarc_status_text",
	"dmarc_arc_override", "dmarc_used_domain"};

    (void) ctx;
    (void) v;
    for (size_t i = 0; i < 4; i++) {
	const char *x = facts_get(f, names[i]);

	snprintf(fact_buf[i], sizeof(fact_buf[i]), "%s", x ? x : "");
    }
}

/* run - one message; the verdict in v, facts copied out */
static const char *sender = "<b@bounce.test>";

static int run(struct pipeline *p, const char *auth, const char *rcpt, const char *msg,
	       struct verdict *v)
{
    struct pipeline_client cl = {NULL, "192.0.2.9", 2525, "mx", "smtpd", NULL, NULL};
    struct pipeline_conn *pc = pipeline_conn_new(p, &cl);
    const char *stage = NULL;
    int     a;

    memset(fact_buf, 0, sizeof(fact_buf));
    pipeline_conn_on_end(pc, on_end, NULL);
    verdict_clear(v);
    verdict_init(v);
    pipeline_connect(pc, v);
    pipeline_helo(pc, "mx.sender.test", v);
    a = pipeline_mail(pc, sender, auth, v);
    if (a == VERDICT_CONTINUE)
	a = pipeline_rcpt(pc, rcpt, v);
    if (a == VERDICT_CONTINUE)
	a = pipeline_message(pc, msg, strlen(msg), &stage, v);
    pipeline_conn_free(&pc);
    return a;
}

/* ar - the inserted Authentication-Results, unfolded (one space per fold) */
static const char *ar(const struct verdict *v)
{
    static char out[4096];

    out[0] = 0;
    for (size_t i = 0; i < v->nhdrs; i++) {
	if (v->hdrs[i].op != VERDICT_HDR_INSERT
	    || strcmp(v->hdrs[i].name, "Authentication-Results") != 0)
	    continue;
	size_t  n = 0;

	for (const char *s = v->hdrs[i].value; *s && n + 1 < sizeof(out); s++) {
	    if (*s == '\n')
		continue;
	    if (*s == '\t' || *s == ' ') {
		if (n > 0 && out[n - 1] == ' ')
		    continue;
		out[n++] = ' ';
	    } else {
		out[n++] = *s;
	    }
	}
	out[n] = 0;
    }
    return out;
}

#define AAR_PASS "ARC-Authentication-Results: i=1; mx.sealer.test; spf=fail " \
    "smtp.mailfrom=b@bounce.test; dmarc=pass header.from=rej.test\r\n"

/* msg - a message From dom with extra fields */
static char *msg(const char *from, const char *extra)
{
    char   *s;

    if (asprintf(&s, "%sFrom: <a@%s>\r\nTo: <x@y.test>\r\nSubject: t\r\n\r\nbody\r\n",
		 extra, from) < 0)
	abort();
    return s;
}

/* test_override - the trusted ARC sealer override */
static void test_override(int port)
{
    struct pipeline *p = load(port, "");
    struct verdict v;
    char   *m;

    verdict_init(&v);
    m = msg("rej.test", "X-Test-Spf: pass\r\n" AAR_PASS
	    "X-Test-Arc-State: pass\r\nX-Test-Arc-Domains: sealer.test\r\n");
    run(p, NULL, "<x@y.test>", m, &v);
    free(m);
    is_str(fact_buf[0], "none", "p=reject failure, ARC pass by a trusted sealer: none");
    is_str(fact_buf[2], "sealer.test", "dmarc_arc_override names the sealer");
    ok(strstr(fact_buf[1], "local_policy (arc=pass as=sealer.test)") != NULL,
       "the status text gives local_policy (arc=pass as=sealer.test)");
    ok(strstr(ar(&v), "dmarc=fail (p=reject dis=none)") && strstr(ar(&v),
       "reason=\"local_policy (arc=pass as=sealer.test)\""),
       "A-R: dmarc=fail (p=reject dis=none) reason=\"local_policy ...\"");
    if (!strstr(ar(&v), "local_policy (arc") || !strstr(ar(&v), "dis=none)"))
	diag("A-R: %s", ar(&v));

    m = msg("quar.test", "ARC-Authentication-Results: i=1; mx.sealer.test; dkim=pass "
	    "header.d=mail.quar.test\r\nX-Test-Arc-State: pass\r\n"
	    "X-Test-Arc-Domains: sealer.test\r\n");
    run(p, NULL, "<x@y.test>", m, &v);
    free(m);
    is_str(fact_buf[0], "none", "p=quarantine failure, AAR dkim=pass under the org: none");

    m = msg("rej.test", AAR_PASS "X-Test-Arc-State: pass\r\nX-Test-Arc-Domains: other.test\r\n");
    run(p, NULL, "<x@y.test>", m, &v);
    free(m);
    is_str(fact_buf[0], "reject", "an untrusted sealer does not override");

    m = msg("rej.test", AAR_PASS "X-Test-Arc-State: fail\r\nX-Test-Arc-Domains: sealer.test\r\n");
    run(p, NULL, "<x@y.test>", m, &v);
    free(m);
    is_str(fact_buf[0], "reject", "a failed ARC chain does not override");

    m = msg("rej.test", "ARC-Authentication-Results: i=1; mx.sealer.test; dmarc=fail "
	    "header.from=rej.test\r\nX-Test-Arc-State: pass\r\nX-Test-Arc-Domains: sealer.test\r\n");
    run(p, NULL, "<x@y.test>", m, &v);
    free(m);
    is_str(fact_buf[0], "reject", "an AAR without a pass for the From domain does not override");

    m = msg("rej.test", "X-Test-Dkim: fail:rej.test:s1 pass:mail.rej.test:s2\r\n");
    run(p, NULL, "<x@y.test>", m, &v);
    free(m);
    is_str(fact_buf[0], "accept", "dkim_results: the second signature's pass aligns");
    ok(strstr(ar(&v), "dmarc=pass") && strstr(ar(&v), "header.from=rej.test"),
       "A-R: dmarc=pass header.from=rej.test");
    verdict_clear(&v);
    pipeline_unref(&p);
}

/* test_rules - the seed examples as rules */
static void test_rules(int port)
{
    struct pipeline *p = load(port,
	"rules: { data = (\n"
	" { if = { dmarc_status = [ \"reject\" ]; authenticated = false; }; then = \"reject\";\n"
	"   message = \"550 5.7.1 Message from $dmarc_used_domain failed sender's DMARC policy, REJECT\"; },\n"
	" { if = { dmarc_domain_policy = [ \"reject\" ]; rcpt_domains = \"+mailing_lists\"; };\n"
	"   then = \"reject\"; message = \"550 5.7.1 Messages from $dmarc_used_domain break mailing lists\"; },\n"
	" { if = { dmarc_status = [ \"quarantine\" ]; }; then = \"quarantine\";\n"
	"   message = \"DMARC quarantine for $dmarc_used_domain\"; }\n"
	"); mail = (\n"
	" { if = { sender_domains = \"ctl.test\"; }; then = \"warn\"; control = \"dmarc_disable_verify\"; }\n"
	"); };\n");
    struct verdict v;
    char   *m;

    ok(p != NULL, "the seed rules load (dmarc_status, dmarc_domain_policy, $dmarc_used_domain)");
    if (p == NULL)
	return;
    verdict_init(&v);
    m = msg("rej.test", "X-Test-Spf: pass\r\n");
    is_int(run(p, NULL, "<x@y.test>", m, &v), VERDICT_REJECT, "dmarc_status = reject: rejected");
    is_str(v.text, "Message from rej.test failed sender's DMARC policy, REJECT",
	   "with the configured text naming $dmarc_used_domain");
    is_int(run(p, "alice", "<x@y.test>", m, &v), VERDICT_CONTINUE,
	   "an authenticated sender is not rejected");
    is_str(fact_buf[0], "off", "and DMARC is off for it");
    free(m);
    m = msg("rej.test", "X-Test-Dkim: pass:rej.test:s1\r\n");
    is_int(run(p, NULL, "<x@lists.test>", m, &v), VERDICT_REJECT,
	   "dmarc_domain_policy = reject to a mailing list: rejected even when DMARC passes");
    is_str(v.text, "Messages from rej.test break mailing lists", "with the mailing list text");
    free(m);
    m = msg("quar.test", "");
    is_int(run(p, NULL, "<x@y.test>", m, &v), VERDICT_QUARANTINE, "dmarc_status = quarantine");
    free(m);
    m = msg("rej.test", "");
    sender = "<b@ctl.test>";
    is_int(run(p, NULL, "<x@y.test>", m, &v), VERDICT_CONTINUE,
	   "control = dmarc_disable_verify set at MAIL FROM: not rejected");
    is_str(fact_buf[0], "off", "dmarc_status = off");
    ok(strstr(ar(&v), "dmarc=") == NULL, "and no dmarc= clause in A-R");
    sender = "<b@bounce.test>";
    free(m);
    verdict_clear(&v);
    pipeline_unref(&p);
}

int main(void)
{
    struct dd *d = dd_start(AF_INET, answer, NULL);

    test_override(dd_port(d));
    test_rules(dd_port(d));
    dd_stop(&d);
    return done_testing();
}
