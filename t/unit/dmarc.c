/*
 * NAME
 *	t/unit/dmarc.c - the DMARC core: records, suffix list, alignment, policy
 * DESCRIPTION
 *	dmarc_eval against a scripted DNS server (t/unit/dns_double.c): SPF
 *	and DKIM alignment (relaxed and strict), sp=, no record, invalid and
 *	duplicate records, SERVFAIL and a silent server (temperror, never
 *	none), nofrom; the RFC 9989 tree walk with psd=y, psd=n, np= and
 *	t=y; the record parser (libopendmarc plus our tags), the public
 *	suffix list (wildcards, exceptions), the dkim_results parser and the
 *	ARC-Authentication-Results reader of the trusted-sealer override.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "t/tap.h"
#include "check/dmarc.h"
#include "check/dmarc_int.h"
#include "dns/dns.h"
#include "t/unit/dns_double.h"

static const struct dd_zrec zone[] = {
    {"_dmarc.rel.test", 16, "v=DMARC1; p=reject; rua=mailto:agg@rel.test"},
    {"_dmarc.strict.test", 16, "v=DMARC1; p=quarantine; adkim=s; aspf=s"},
    {"_dmarc.subpol.test", 16, "v=DMARC1; p=none; sp=reject"},
    {"_dmarc.bad.test", 16, "v=DMARC1; p=whatever"},
    {"_dmarc.rua.test", 16, "v=DMARC1; rua=mailto:x@rua.test"},
    {"_dmarc.dup.test", 16, "v=DMARC1; p=reject"},
    {"_dmarc.dup.test", 16, "v=DMARC1; p=none"},
    {"_dmarc.other.test", 16, "v=spf1 -all"},
    {"_dmarc.tw.test", 16, "v=DMARC1; p=quarantine; sp=none; np=reject"},
    {"real.tw.test", 1, "192.0.2.1"},
    {"_dmarc.psd", 16, "v=DMARC1; p=reject; psd=y"},
    {"_dmarc.dept.corp.test", 16, "v=DMARC1; p=reject; psd=n"},
    {"_dmarc.corp.test", 16, "v=DMARC1; p=none"},
    {"_dmarc.trial.test", 16, "v=DMARC1; p=reject; t=y"},
    {NULL, 0, NULL},
};

/* answer - SERVFAIL for *.servfail.test, silence for *.silent.test, else the zone */
static int answer(struct dd *d, const struct dd_query *q, struct pkt *p, void *ctx)
{
    size_t  ql = strlen(q->name);

    (void) d;
    (void) ctx;
    if (ql >= 11 && strcmp(q->name + ql - 11, "silent.test") == 0)
	return -1;
    if (ql >= 13 && strcmp(q->name + ql - 13, "servfail.test") == 0) {
	dd_reply(p, q, 2, 0);
	pkt_counts(p, 0, 0, 0);
	return 0;
    }
    dd_zone_reply(p, q, zone, 0);
    return 0;
}

static struct dmarc_env env;

/* eval - one evaluation; the outcome stays in *o */
static void eval(const char *from, const char *spf, const char *spf_dom, const char *dkim,
		 struct dmarc_outcome *o)
{
    struct dmarc_dkim *k = NULL;
    size_t  nk = 0;
    struct dmarc_input in = {from, spf, spf_dom, NULL, 0};

    dmarc_dkim_parse(dkim, &k, &nk);
    in.dkim = k;
    in.ndkim = nk;
    dmarc_eval(&env, &in, o);
    dmarc_dkim_free(&k, nk);
}

/* expect - status and A-R word of one case */
static void expect(const char *name, const char *from, const char *spf, const char *spf_dom,
		   const char *dkim, const char *status, const char *ar, const char *text_has)
{
    struct dmarc_outcome o;

    eval(from, spf, spf_dom, dkim, &o);
    ok(strcmp(dmarc_status_name(o.status), status) == 0 && strcmp(o.ar_result, ar) == 0
       && (text_has == NULL || (o.text && strstr(o.text, text_has))),
       "%s: %s/%s", name, status, ar);
    if (strcmp(dmarc_status_name(o.status), status) != 0 || strcmp(o.ar_result, ar) != 0
	|| (text_has && (o.text == NULL || strstr(o.text, text_has) == NULL)))
	diag("got %s/%s: %s", dmarc_status_name(o.status), o.ar_result, o.text);
    dmarc_outcome_free(&o);
}

/* test_records - parser cases */
static void test_records(void)
{
    struct dmarc_record r;
    const char *why = NULL;

    const char *full = "v=DMARC1; p=reject; sp=none; adkim=s; pct=20; "
	"rua=mailto:a@b.test,mailto:c@d.test!10m; np=quarantine; psd=n; t=y";
    int     rc;

    ok(dmarc_record_parse("a.test", full, strlen(full), &r, &why) == 0 && r.p == 'r' && r.sp == 'n' && r.adkim == 's'
       && r.aspf == 'r' && r.pct == 20 && r.np == 'q' && r.psd == 0 && r.testing
       && strcmp(r.rua, "mailto:a@b.test,mailto:c@d.test!10m") == 0,
       "a full record: libopendmarc's tags and np, psd, t");
    dmarc_record_clear(&r);
    why = NULL;
    rc = dmarc_record_parse("a.test", "v=DMARC1; p=bogus", 17, &r, &why);
    ok(rc == -1 && why, "p=bogus without rua is invalid (%s)", why ? why : "");
    ok(dmarc_record_parse("a.test", "v=DMARC1; rua=mailto:x@a.test", 29, &r, &why) == 0
       && r.p == 'n', "no p= but a rua: acts as p=none (RFC 7489 6.6.3)");
    dmarc_record_clear(&r);
    ok(dmarc_record_parse("a.test", "v=DMARC1; p=reject; np=sometimes", 32, &r, &why) == 0
       && r.np == 0, "an invalid np= is ignored");
    dmarc_record_clear(&r);
    ok(dmarc_record_parse("a.test", "v=DMARC1\0; p=reject", 19, &r, &why) == -1,
       "a NUL octet in a record is refused");
}

/* test_psl - the suffix list algorithm */
static void test_psl(void)
{
    static const char list[] = "// comment\ncom\nco.uk\n*.ck\n!www.ck\n\n  org  \n";
    struct dmarc_psl *psl = dmarc_psl_parse(list, sizeof(list) - 1);
    const char *o;

    is_str(dmarc_psl_org(psl, "a.b.example.com"), "example.com", "com: example.com");
    is_str(dmarc_psl_org(psl, "x.bbc.co.uk"), "bbc.co.uk", "co.uk: the longest rule wins");
    is_str(dmarc_psl_org(psl, "a.b.foo.ck"), "b.foo.ck", "*.ck: foo.ck is a suffix");
    is_str(dmarc_psl_org(psl, "a.www.ck"), "www.ck", "!www.ck: the exception beats *.ck");
    is_str(dmarc_psl_org(psl, "mail.example.test"), "example.test",
	   "an unlisted TLD: the implicit * rule");
    o = dmarc_psl_org(psl, "co.uk");
    ok(o == NULL, "a public suffix has no organizational domain");
    is_str(dmarc_psl_org(psl, "x.example.org"), "example.org", "blanks around a rule");
    dmarc_psl_free(&psl);
}

/* test_aar - the ARC-Authentication-Results reader */
static void test_aar(void)
{
    int     i;
    const char *v1 = " i=2; relay.test; (comment; with semicolon)\r\n dkim=fail header.d=x.test;"
	" dmarc=pass (p=reject) header.from=example.test";
    const char *v2 = " i=1; relay.test; spf=pass smtp.mailfrom=\"bounce@mail.example.test\"";
    const char *v3 = " i=1; relay.test; dmarc=pass header.from=evil.test";
    const char *v4 = " relay.test; dmarc=pass header.from=example.test";

    ok(dmarc_aar_vouches(v1, strlen(v1), "example.test", "example.test", &i) == 1 && i == 2,
       "AAR: dmarc=pass for the From domain vouches (comments skipped), i=2");
    ok(dmarc_aar_vouches(v2, strlen(v2), "example.test", "example.test", &i) == 1,
       "AAR: spf=pass for an address under the From's org domain vouches");
    ok(dmarc_aar_vouches(v3, strlen(v3), "example.test", "example.test", &i) == 0,
       "AAR: dmarc=pass for another domain does not");
    ok(dmarc_aar_vouches(v4, strlen(v4), "example.test", "example.test", &i) == -1,
       "AAR: no i= is unparsable");
}

/* test_dkim_parse - the dkim_results fact */
static void test_dkim_parse(void)
{
    struct dmarc_dkim *k;
    size_t  n;

    dmarc_dkim_parse("pass:Example.COM:sel1  fail:other.org:s2 junk :x:y pass:bad..dom:s", &k, &n);
    ok(n == 2 && strcmp(k[0].result, "pass") == 0 && strcmp(k[0].domain, "example.com") == 0
       && strcmp(k[0].selector, "sel1") == 0 && strcmp(k[1].domain, "other.org") == 0,
       "dkim_results: two tokens kept, domains normalized, malformed ones skipped");
    dmarc_dkim_free(&k, n);
    dmarc_dkim_parse(NULL, &k, &n);
    ok(n == 0, "dkim_results unset: no signature");
    dmarc_dkim_free(&k, n);
}

/* test_eval_psl - evaluations with the suffix list */
static void test_eval_psl(void)
{
    expect("aligned SPF (relaxed, subdomain)", "rel.test", "pass", "bounce.rel.test", NULL,
	   "accept", "pass", "SPF aligned");
    expect("aligned DKIM only", "rel.test", "fail", "other.test", "pass:mail.rel.test:s",
	   "accept", "pass", "DKIM aligned");
    expect("nothing aligned, p=reject", "rel.test", "pass", "other.test",
	   "pass:other.test:s fail:rel.test:s", "reject", "fail", "not under rel.test");
    expect("strict: a subdomain SPF pass does not align", "strict.test", "pass",
	   "bounce.strict.test", NULL, "quarantine", "fail", "strict");
    expect("strict: the exact domain aligns", "strict.test", "pass", "strict.test", NULL,
	   "accept", "pass", NULL);
    expect("sp=reject for a subdomain", "x.subpol.test", "none", NULL, NULL, "reject", "fail",
	   "sp= of _dmarc.subpol.test");
    expect("p=none for the domain itself", "subpol.test", "none", NULL, NULL, "none", "fail",
	   NULL);
    expect("no record", "norecord.test", "pass", "norecord.test", NULL, "norecord", "none",
	   NULL);
    expect("a TXT without v=DMARC1 is no record", "other.test", "none", NULL, NULL,
	   "norecord", "none", NULL);
    expect("invalid record: none, permerror", "bad.test", "none", NULL, NULL, "none",
	   "permerror", "invalid DMARC record");
    expect("two records: none, permerror", "dup.test", "none", NULL, NULL, "none",
	   "permerror", "more than one");
    expect("rua without p: p=none", "rua.test", "none", NULL, NULL, "none", "fail", NULL);
    expect("SERVFAIL on _dmarc: temperror", "servfail.test", "pass", "servfail.test", NULL,
	   "temperror", "temperror", "SERVFAIL");
    expect("SERVFAIL on the org domain's _dmarc: temperror", "a.servfail.test", "none", NULL,
	   NULL, "temperror", "temperror", NULL);
    expect("no answer at all: temperror", "silent.test", "none", NULL, NULL, "temperror",
	   "temperror", NULL);
    expect("no From domain: nofrom", NULL, "pass", "rel.test", NULL, "nofrom", "permerror",
	   NULL);
    expect("tree walk cases in psl mode: psd=y is not seen", "brand.psd", "none", NULL, NULL,
	   "norecord", "none", NULL);
}

/* test_eval_tw - RFC 9989 tree walk */
static void test_eval_tw(void)
{
    env.discovery = DMARC_DISCOVERY_TREEWALK;
    expect("tree walk: a deep subdomain finds the org record", "a.b.c.d.e.rel.test", "none",
	   NULL, NULL, "reject", "fail", "_dmarc.rel.test");
    expect("tree walk: np=reject for a non-existent subdomain", "ghost.tw.test", "none", NULL,
	   NULL, "reject", "fail", "np=");
    expect("tree walk: sp=none for an existing subdomain", "real.tw.test", "none", NULL, NULL,
	   "none", "fail", "sp=");
    expect("tree walk: a PSD record (psd=y) applies p to the org domain", "brand.psd", "none",
	   NULL, NULL, "reject", "fail", "_dmarc.psd");
    expect("tree walk: psd=y makes brand.psd the org: a sibling does not align", "brand.psd",
	   "pass", "other.psd", NULL, "reject", "fail", NULL);
    expect("tree walk: psd=n makes dept.corp.test the org: corp.test does not align",
	   "x.dept.corp.test", "pass", "corp.test", NULL, "reject", "fail",
	   "not under dept.corp.test");
    expect("tree walk: within the psd=n org relaxed alignment works", "x.dept.corp.test",
	   "pass", "y.dept.corp.test", NULL, "accept", "pass", NULL);
    expect("tree walk: t=y applies reject as quarantine", "trial.test", "none", NULL, NULL,
	   "quarantine", "fail", "t=y");
    expect("tree walk: SERVFAIL in the walk is temperror", "a.b.servfail.test", "none", NULL,
	   NULL, "temperror", "temperror", NULL);
    env.discovery = DMARC_DISCOVERY_PSL;
}

int main(void)
{
    struct dd *d = dd_start(AF_INET, answer, NULL);
    char    server[64];
    const char *servers[1] = {server};
    struct dns_config cfg = {.servers = servers, .nservers = 1, .timeout_ms = 500,
	.retries = 0, .dnssec = 0, .cache_size = 0};
    const char *why = NULL;
    static const char list[] = "com\npsd.example\n";

    snprintf(server, sizeof(server), "127.0.0.1:%d", dd_port(d));
    env.resolver = dns_resolver_new(&cfg, &why);
    env.psl = dmarc_psl_parse(list, sizeof(list) - 1);
    env.discovery = DMARC_DISCOVERY_PSL;
    test_records();
    test_psl();
    test_aar();
    test_dkim_parse();
    test_eval_psl();
    test_eval_tw();
    dmarc_psl_free((struct dmarc_psl **) &env.psl);
    dns_resolver_free(&env.resolver);
    dd_stop(&d);
    return done_testing();
}
