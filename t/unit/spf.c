/*
 * NAME
 *	t/unit/spf.c - SPF: record syntax, rewrites, results through a DNS double
 * DESCRIPTION
 *	The strict record check and the rewrites for libspf2 (pure
 *	functions), then spf_eval against a scripted DNS server: each
 *	result word, temporary failures never read as none, the void and
 *	term limits, explanations with spaces and macros, the best guess,
 *	IPv6 and IPv4-mapped clients, zero CIDR lengths, bad input, the
 *	time budget, and evaluations in several threads at once.
 *	The RFC 7208 suite itself runs against nsd + unbound (spf_suite.sh).
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "t/tap.h"
#include "check/spf.h"
#include "check/spf_int.h"
#include "dns/dns.h"
#include "t/unit/dns_double.h"

static const struct dd_zrec zone[] = {
    {"pass.test", 16, "v=spf1 ip4:192.0.2.0/24 -all"},
    {"v6.test", 16, "v=spf1 ip6:2001:db8::/32 -all"},
    {"inc-servfail.test", 16, "v=spf1 include:servfail.test -all"},
    {"a-servfail.test", 16, "v=spf1 a:servfail.test -all"},
    {"void.test", 16, "v=spf1 a:nx1.test a:nx2.test a:nx3.test +all"},
    {"two-void.test", 16, "v=spf1 a:nx1.test a:nx2.test +all"},
    {"terms.test", 16, "v=spf1 a:h.test a:h.test a:h.test a:h.test a:h.test a:h.test "
     "include:terms2.test -all"},
    {"terms2.test", 16, "v=spf1 a:h.test a:h.test a:h.test a:h.test ?all"},
    {"broken.test", 16, "v=spf1 ip4:192.0.2.300 -all"},
    {"badtop.test", 16, "v=spf1 a:foo.123 -all"},
    {"exp.test", 16, "v=spf1 -all exp=explain.test"},
    {"explain.test", 16, "You %{i} are not welcome at %{d}"},
    {"longexp.test", 16, "v=spf1 -all exp=long.test"},
    {"long.test", 16, "%{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} "
     "%{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d} %{d}"},
    {"soft.test", 16, "v=spf1 ~all"},
    {"neutral.test", 16, "v=spf1 ?all"},
    {"zero.test", 16, "v=spf1 a:h.test/0 -all"},
    {"mx.test", 16, "v=spf1 mx -all"},
    {"mx.test", 15, "h.test"},
    {"h.test", 1, "203.0.113.5"},
    {"two.test", 16, "v=spf1 -all"},
    {"two.test", 16, "v=spf1 +all"},
    {"none.test", 1, "192.0.2.1"},
    {"ptrfail.test", 16, "v=spf1 ptr ?all"},
    {"guessed.test", 1, "192.0.2.77"},
    {NULL, 0, NULL},
};

/* answer - the script: SERVFAIL for servfail.test, silence for
 * silent.test, else the zone (NXDOMAIN for names it lacks) */
static int answer(struct dd *d, const struct dd_query *q, struct pkt *p, void *ctx)
{
    (void) d;
    (void) ctx;
    if (strcmp(q->name, "silent.test") == 0)
	return -1;
    if (strncmp(q->name, "slow", 4) == 0 && q->type == 16) {
	/* slowN.test: 300 ms late, then "include:slowN+1.test" */
	char rec[64];
	size_t m;

	usleep(300 * 1000);
	snprintf(rec, sizeof(rec), "v=spf1 include:slow%d.test ?all", atoi(q->name + 4) + 1);
	dd_reply(p, q, 0, 0);
	m = pkt_rr(p, NULL, 16, 300);
	pkt_u8(p, (unsigned) strlen(rec));
	pkt_bytes(p, rec, strlen(rec));
	pkt_rr_end(p, m);
	pkt_counts(p, 1, 0, 0);
	return 0;
    }
    dd_zone_reply(p, q, zone, strcmp(q->name, "servfail.test") == 0
		  || strcmp(q->name, "66.2.0.192.in-addr.arpa") == 0 ? 2 : 0);
    return 0;
}

/* eval - the result word of ip/sender, and the outcome for more checks */
static const char *eval(struct dns_resolver *r, const char *ip, const char *sender,
			const char *guess, struct spf_outcome *o)
{
    struct spf_request req = {.ip = ip, .sender = sender, .helo = "helo.test",
	.guess = guess, .receiver = "mx.example", .time_budget_ms = 5000};
    const char *why;

    spf_outcome_free(o);
    if (spf_eval(r, &req, o, &why) < 0)
	return why;
    return spf_result_word(o->result);
}

/* test_syntax - the strict record check */
static void test_syntax(void)
{
    static const char *const good[] = {
	"v=spf1", "v=spf1 -all", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all",
	"v=spf1 a mx ptr a:example.com/24//64 mx:%{d}/30 include:_spf.example.com",
	"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all", "v=spf1 redirect=_spf.example.com",
	"v=spf1 foo-bar=anything.%{d} -all", "v=spf1 ip4:0.0.0.0/0", "V=SPF1 -ALL  ",
	"v=spf1 a:example.com.", "v=spf1 a:foo.1-2",
    };
    static const char *const bad[] = {
	"v=spf10 -all", "v=spf1 -all/8", "v=spf1 ip4:1.2.3.4/33", "v=spf1 ip4:01.2.3.4",
	"v=spf1 ip6:2001:db8::/129", "v=spf1 a:example.123", "v=spf1 a:foo", "v=spf1 foo:bar",
	"v=spf1 a:%{x}.example.com", "v=spf1 exists:%{c}.example.com", "v=spf1 a//0129",
	"v=spf1 redirect=a.example.com redirect=b.example.com", "v=spf1 exp=a.com exp=b.com",
	"v=spf1 ~", "v=spf1 include:", "v=spf1 a:exa\tmple.com", "v=spf1 ptr/24",
	"v=spf1 ip4:192.0.2.1/024", "v=spf1 a:%", "v=spf1 a:-x.-",
    };
    const char *why;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	ok(spf_syntax_check(good[i], &why) == 0, "valid record accepted: %s", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	ok(spf_syntax_check(bad[i], &why) < 0, "invalid record refused: %s", bad[i]);
}

/* test_rewrite - what libspf2 gets */
static void test_rewrite(void)
{
    static const struct { const char *in, *out; int family; } cases[] = {
	{"v=spf1 ip4:1.2.3.4/0 -all", "v=spf1 ip4:0.0.0.0/1 ip4:128.0.0.0/1 -all", AF_INET},
	{"v=spf1 -ip6:::/0", "v=spf1 -ip6:::/1 -ip6:8000::/1", AF_INET6},
	{"v=spf1 a/0 -all", "v=spf1 a:%{d}._mxg0/32 -all", AF_INET},
	{"v=spf1 a/0 -all", "v=spf1 a -all", AF_INET6},
	{"v=spf1 mx:e.com/24//0", "v=spf1 mx:e.com._mxg0//128", AF_INET6},
	{"v=spf1 redirect=r.com ip4:1.2.3.4", "v=spf1 ip4:1.2.3.4 redirect=r.com", AF_INET},
	{"v=spf1 redirect=r.com -all", "v=spf1 -all", AF_INET},
	{"v=spf1 foo=bar  exp=e.com -all", "v=spf1 exp=e.com -all", AF_INET},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	char *got = spf_syntax_rewrite(cases[i].in, cases[i].family);

	is_str(got, cases[i].out, "rewrite for libspf2: %s", cases[i].in);
	free(got);
    }
    ok(spf_domain_valid("a.example") && !spf_domain_valid("example")
       && !spf_domain_valid("a..example") && spf_domain_valid("a.example."),
       "identity domains: two labels at least, no empty label");
}

/* longest_line - the longest line of a folded header value */
static size_t longest_line(const char *v)
{
    size_t max = 0, cur = strlen("Received-SPF: ");

    for (; *v; v++)
	if (*v == '\n') {
	    max = cur > max ? cur : max;
	    cur = 0;
	} else {
	    cur++;
	}
    return cur > max ? cur : max;
}

/* test_header_shape - Received-SPF stays a well-formed header */
static void test_header_shape(struct dns_resolver *r, struct spf_outcome *o)
{
    char big[3100];

    eval(r, "192.0.2.9", "u@a)b(c.test", NULL, o);
    ok(o->received && strstr(o->received, "domain of a\\)b\\(c.test"),
       "parentheses of the comment are quoted in Received-SPF");
    memset(big, 'x', sizeof(big));
    memcpy(big + sizeof(big) - 12, "@pass.test", 11);
    eval(r, "198.51.100.1", big, NULL, o);
    ok(o->received && strstr(o->received, "...\";") && longest_line(o->received) <= 998,
       "a 3000-octet sender is cut in Received-SPF, no line over 998 octets");
    ok(o->received && strchr(o->received, '\n') && longest_line(o->received) <= 600,
       "Received-SPF is folded between key=value pairs");
}

/* test_results - every result word, and what comes with it */
static void test_results(struct dns_resolver *r)
{
    struct spf_outcome o;

    memset(&o, 0, sizeof(o));
    is_str(eval(r, "192.0.2.9", "u@pass.test", NULL, &o), "pass", "pass");
    ok(o.received && strstr(o.received, "client-ip=192.0.2.9;")
       && strstr(o.received, "envelope-from=\"u@pass.test\";")
       && strstr(o.received, "identity=mailfrom;") && strstr(o.received, "receiver=mx.example;"),
       "Received-SPF value has client-ip, envelope-from, receiver, identity");
    is_str(eval(r, "198.51.100.1", "u@pass.test", NULL, &o), "fail", "fail");
    is_str(o.explanation, "pass.test does not designate 198.51.100.1 as a permitted sender",
	   "fail without exp=: our default explanation, spaces intact");
    ok(o.explanation_default, "default explanation marked as such");
    is_str(eval(r, "198.51.100.1", "u@soft.test", NULL, &o), "softfail", "softfail");
    is_str(eval(r, "198.51.100.1", "u@neutral.test", NULL, &o), "neutral", "neutral");
    is_str(eval(r, "198.51.100.1", "u@none.test", NULL, &o), "none", "no record: none");
    is_str(eval(r, "198.51.100.1", "u@nowhere.test", NULL, &o), "none", "NXDOMAIN: none");
    is_str(eval(r, "198.51.100.1", "u@two.test", NULL, &o), "permerror",
	   "two SPF records: permerror");
    is_str(eval(r, "192.0.2.9", "u@broken.test", NULL, &o), "permerror",
	   "bad IPv4 literal: permerror, not libspf2's none");
    is_str(eval(r, "192.0.2.9", "u@badtop.test", NULL, &o), "permerror",
	   "numeric top label in a: permerror");
    is_str(eval(r, "192.0.2.9", "u@exp.test", NULL, &o), "fail", "fail with exp=");
    is_str(o.explanation, "You 192.0.2.9 are not welcome at exp.test",
	   "exp= text expanded, spaces intact (libspf2 turns them into %%)");
    eval(r, "192.0.2.9", "u@longexp.test", NULL, &o);
    ok(o.explanation && strlen(o.explanation) == 300 && !o.explanation_default,
       "a long exp= text is cut to 300 octets for the SMTP reply");
    is_str(eval(r, "2001:db8::5", "u@v6.test", NULL, &o), "pass", "IPv6 client: pass");
    is_str(eval(r, "::ffff:192.0.2.9", "u@pass.test", NULL, &o), "pass",
	   "IPv4-mapped IPv6 client is checked as IPv4");
    is_str(eval(r, "198.51.100.7", "u@zero.test", NULL, &o), "pass",
	   "a:/0 matches any IPv4 address when the name has one");
    is_str(eval(r, "203.0.113.5", "u@mx.test", NULL, &o), "pass", "mx mechanism: pass");
    is_str(eval(r, "192.0.2.9", "", NULL, &o), "none",
	   "null sender checks postmaster@HELO (helo.test has no record)");
    is_str(o.identity, "postmaster@helo.test", "null sender identity is postmaster@HELO");
    is_str(eval(r, "not-an-ip", "u@pass.test", NULL, &o), "not an IP address",
	   "a bad IP is a usage error");
    test_header_shape(r, &o);
    spf_outcome_free(&o);
}

/* test_errors - temporary failures and limits */
static void test_errors(struct dns_resolver *r)
{
    struct spf_outcome o;

    memset(&o, 0, sizeof(o));
    is_str(eval(r, "192.0.2.9", "u@servfail.test", NULL, &o), "temperror",
	   "SERVFAIL on the record: temperror, never none");
    is_str(eval(r, "192.0.2.9", "u@inc-servfail.test", NULL, &o), "temperror",
	   "SERVFAIL inside include: temperror");
    is_str(eval(r, "192.0.2.9", "u@a-servfail.test", NULL, &o), "temperror",
	   "SERVFAIL on an a: target: temperror");
    is_str(eval(r, "192.0.2.9", "u@silent.test", NULL, &o), "temperror",
	   "no answer at all: temperror");
    is_str(eval(r, "192.0.2.9", "u@void.test", NULL, &o), "permerror",
	   "a third void lookup: permerror");
    ok(o.problem && strstr(o.problem, "void"), "the problem names the void limit: %s",
       o.problem ? o.problem : "(none)");
    is_str(eval(r, "192.0.2.9", "u@two-void.test", NULL, &o), "pass", "two void lookups: fine");
    is_str(eval(r, "192.0.2.66", "u@ptrfail.test", NULL, &o), "neutral",
	   "a failed PTR lookup: ptr does not match (RFC 7208 5.5), not temperror");
    is_str(eval(r, "192.0.2.9", "u@terms.test", NULL, &o), "permerror",
	   "eleven DNS terms across an include: permerror (libspf2 counts per record)");
    spf_outcome_free(&o);
}

/* test_guess - the best guess only when no record is published */
static void test_guess(struct dns_resolver *r)
{
    struct spf_outcome o;
    enum spf_result res;

    memset(&o, 0, sizeof(o));
    is_str(eval(r, "192.0.2.1", "u@none.test", "v=spf1 a/24 ?all", &o), "pass",
	   "best guess evaluated for a domain without record");
    ok(o.guessed, "best guess marked as guessed");
    is_str(eval(r, "198.51.100.1", "u@pass.test", "v=spf1 +all", &o), "fail",
	   "a published record wins over the guess");
    ok(!o.guessed, "published result not marked as guessed");
    is_str(eval(r, "192.0.2.1", "u@none.test", "v=spf1 a:foo", &o), "permerror",
	   "a broken guess record: permerror");
    spf_outcome_free(&o);
    ok(spf_lookup(r, "u@pass.test", "192.0.2.3", 5000, &res) == 0 && res == SPF_RES_PASS,
       "spf_lookup: pass for an address and an IP");
    ok(spf_lookup(r, "u@pass.test", "2001:db8::1", 5000, &res) == 0 && res == SPF_RES_FAIL,
       "spf_lookup: IPv6");
    ok(spf_lookup(r, "", "192.0.2.3", 5000, &res) < 0, "spf_lookup: no address is an error");
}

#define NTHREADS 4
#define NEVALS 150

/* thread_run - evaluations of known results; the number of wrong ones */
static void *thread_run(void *arg)
{
    static const char *const want[][3] = {
	{"192.0.2.9", "u@pass.test", "pass"}, {"198.51.100.1", "u@pass.test", "fail"},
	{"192.0.2.9", "u@servfail.test", "temperror"}, {"192.0.2.9", "u@void.test", "permerror"},
	{"192.0.2.9", "u@exp.test", "fail"},
    };
    struct dns_resolver *r = arg;
    struct spf_outcome o;
    long wrong = 0;

    memset(&o, 0, sizeof(o));
    for (int i = 0; i < NEVALS; i++) {
	const char *const *w = want[i % 5];

	wrong += strcmp(eval(r, w[0], w[1], NULL, &o), w[2]) != 0;
	if (i % 5 == 4)
	    wrong += o.explanation == NULL
		|| strcmp(o.explanation, "You 192.0.2.9 are not welcome at exp.test") != 0;
    }
    spf_outcome_free(&o);
    return (void *) wrong;
}

/* test_threads - one resolver, evaluations in several threads at once */
static void test_threads(struct dns_resolver *r)
{
    pthread_t t[NTHREADS];
    long wrong = 0;
    void *ret;

    for (int i = 0; i < NTHREADS; i++)
	pthread_create(&t[i], NULL, thread_run, r);
    for (int i = 0; i < NTHREADS; i++) {
	pthread_join(t[i], &ret);
	wrong += (long) ret;
    }
    is_int((int) wrong, 0, "%d threads x %d evaluations on one resolver: every result right",
	   NTHREADS, NEVALS);
}

/* test_time_budget - an evaluation stops at its time budget: temperror */
static void test_time_budget(struct dns_resolver *r)
{
    /* each slowN.test answers 300 ms late and includes the next: past a
     * 500 ms budget the next query is not sent (well before the DNS timeout
     * of 1.5 s or the limit of 10 includes) */
    struct spf_request req = {.ip = "192.0.2.9", .sender = "u@slow0.test", .helo = "helo.test",
	.receiver = "mx.example", .time_budget_ms = 500};
    struct spf_outcome o;
    const char *why;

    memset(&o, 0, sizeof(o));
    ok(spf_eval(r, &req, &o, &why) == 0 && o.result == SPF_RES_TEMPERROR,
       "an include chain answered slowly: temperror at the time budget");
    /* slowN answers in 300 ms, so a timeout there is the budget cutting
     * the wait short; either way the chain stops at slow1 or slow2 */
    ok(o.problem && (strstr(o.problem, "time budget") || strstr(o.problem, "timeout"))
       && (strncmp(o.problem, "slow1.", 6) == 0 || strncmp(o.problem, "slow2.", 6) == 0),
       "the budget stopped it early in the chain: %s", o.problem ? o.problem : "(none)");
    spf_outcome_free(&o);
}

int main(void)
{
    struct dd *d = dd_start(AF_INET, answer, NULL);
    char server[64], *why = NULL;
    const char *servers[1] = {server};
    struct dns_config cfg = {.servers = servers, .nservers = 1, .timeout_ms = 1500,
	.retries = 0, .dnssec = 0, .cache_size = 0};
    struct dns_resolver *r;

    test_syntax();
    test_rewrite();
    snprintf(server, sizeof(server), "127.0.0.1:%d", dd_port(d));
    r = dns_resolver_open(&cfg, &why);
    ok(r != NULL, "resolver for the double: %s", why ? why : "ok");
    if (r) {
	test_results(r);
	test_errors(r);
	test_guess(r);
	test_time_budget(r);
	test_threads(r);
    }
    dns_resolver_free(&r);
    free(why);
    dd_stop(&d);
    return done_testing();
}
