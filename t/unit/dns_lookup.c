/*
 * NAME
 *	dns_lookup - dns_lookup() against a scripted DNS double
 * DESCRIPTION
 *	Every behaviour of the resolver that needs a server: results and
 *	RCODEs, TXT joining, CNAME chasing, the AD bit, TCP fallback, ports
 *	and IPv6, the cache, the budget, anti-spoofing and malformed replies.
 *	The double answers by question name (see answer()).
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "t/tap.h"
#include "dns/dns.h"
#include "t/unit/dns_double.h"

/* rr_a - an A record */
static void rr_a(struct pkt *p, const char *owner, uint32_t ttl, const char *addr)
{
    unsigned char a[4];
    size_t m = pkt_rr(p, owner, 1, ttl);

    inet_pton(AF_INET, addr, a);
    pkt_bytes(p, a, 4);
    pkt_rr_end(p, m);
}

/* rr_cname - a CNAME record */
static void rr_cname(struct pkt *p, const char *owner, const char *target)
{
    size_t m = pkt_rr(p, owner, 5, 300);

    pkt_name(p, target);
    pkt_rr_end(p, m);
}

/* rr_txt - a TXT record made of n strings */
static void rr_txt(struct pkt *p, int n, const char *const *s)
{
    size_t m = pkt_rr(p, NULL, 16, 300);

    for (int i = 0; i < n; i++) {
	pkt_u8(p, (unsigned) strlen(s[i]));
	pkt_bytes(p, s[i], strlen(s[i]));
    }
    pkt_rr_end(p, m);
}

/* spoofs - a reply with a wrong ID and one with a wrong question, first */
static void spoofs(struct dd *d, const struct dd_query *q)
{
    struct pkt *s = malloc(sizeof(*s));
    struct dd_query evil = *q;

    evil.id = (uint16_t) (q->id + 1);
    dd_reply(s, &evil, 0, 1);
    rr_a(s, NULL, 300, "6.6.6.6");
    pkt_counts(s, 1, 0, 0);
    dd_send_extra(d, s);
    evil = *q;
    snprintf(evil.name, sizeof(evil.name), "evil.test");
    dd_reply(s, &evil, 0, 1);
    rr_a(s, NULL, 300, "6.6.6.7");
    pkt_counts(s, 1, 0, 0);
    dd_send_extra(d, s);
    free(s);
}

static int answer_more(struct dd *d, const struct dd_query *q, struct pkt *p);
static int answer_wire(struct dd *d, const struct dd_query *q, struct pkt *p);

/* answer - the script: what the double says for each name */
static int answer(struct dd *d, const struct dd_query *q, struct pkt *p, void *ctx)
{
    const char *n = q->name;

    (void) ctx;
    if (strcmp(n, "drop.test") == 0)
	return -1;
    if (strcmp(n, "onlyspoof.test") == 0) {
	spoofs(d, q);
	return -1;
    }
    if (strcmp(n, "spoof.test") == 0)
	spoofs(d, q);
    if (strcmp(n, "servfail.test") == 0 || strcmp(n, "refused.test") == 0
	|| strcmp(n, "formerr.test") == 0) {
	dd_reply(p, q, n[0] == 's' ? 2 : n[0] == 'r' ? 5 : 1, 0);
	return 0;
    }
    if (strcmp(n, "nx.test") == 0 || strcmp(n, "nx-nosoa.test") == 0) {
	dd_reply(p, q, 3, q->ad_bit);
	if (n[2] == '.') {
	    pkt_soa(p, "test", 300, 60);
	    pkt_counts(p, 0, 1, 0);
	}
	return 0;
    }
    if (strcmp(n, "nodata.test") == 0 || strcmp(n, "target.test") == 0
	|| strcmp(n, "found.test") == 0 || strcmp(n, "spoof.test") == 0
	|| strcmp(n, "short.test") == 0 || strncmp(n, "evict", 5) == 0
	|| strcmp(n, "two  blanks.test") == 0) {
	dd_reply(p, q, 0, 0);
	if (q->type == 1 && strcmp(n, "nodata.test") != 0) {
	    rr_a(p, NULL, n[0] == 's' && n[1] == 'h' ? 1 : 300,
		 strcmp(n, "target.test") == 0 ? "192.0.2.2" : "192.0.2.1");
	    pkt_counts(p, 1, 0, 0);
	} else {
	    pkt_soa(p, "test", 300, 60);
	    pkt_counts(p, 0, 1, 0);
	}
	return 0;
    }
    return answer_more(d, q, p);
}

/* answer_more - the script, continued: AD, TXT, CNAMEs */
static int answer_more(struct dd *d, const struct dd_query *q, struct pkt *p)
{
    const char *n = q->name;
    static const char *const spf[] = {"v=spf1 ip4:192.0.2.0/24 ", "include:a.test", " -all"};
    static const char *const one[] = {"first"}, *const two[] = {"sec", "ond"};

    if (strcmp(n, "secure.test") == 0) {
	dd_reply(p, q, 0, q->ad_bit || q->do_bit);
	rr_a(p, NULL, 300, "192.0.2.3");
	pkt_counts(p, 1, 0, 0);
	return 0;
    }
    if (strcmp(n, "txt.test") == 0) {
	dd_reply(p, q, 0, 0);
	rr_txt(p, 3, spf);
	pkt_counts(p, 1, 0, 0);
	return 0;
    }
    if (strcmp(n, "txts.test") == 0) {
	dd_reply(p, q, 0, 0);
	rr_txt(p, 1, one);
	rr_txt(p, 2, two);
	pkt_counts(p, 2, 0, 0);
	return 0;
    }
    if (strcmp(n, "chain.test") == 0) {	/* A first: order must not matter */
	dd_reply(p, q, 0, 1);
	rr_a(p, "c2.test", 300, "192.0.2.4");
	rr_cname(p, "c1.test", "c2.test");
	rr_cname(p, NULL, "c1.test");
	pkt_counts(p, 3, 0, 0);
	return 0;
    }
    if (strcmp(n, "requery.test") == 0) {
	dd_reply(p, q, 0, 0);
	rr_cname(p, NULL, "target.test");
	pkt_counts(p, 1, 0, 0);
	return 0;
    }
    if (strcmp(n, "loop.test") == 0) {
	dd_reply(p, q, 0, 0);
	rr_cname(p, NULL, "loop2.test");
	rr_cname(p, "loop2.test", "loop.test");
	pkt_counts(p, 2, 0, 0);
	return 0;
    }
    if (strncmp(n, "hop", 3) == 0) {		/* hopN -> hopN+1, one per reply */
	char next[64];
	snprintf(next, sizeof(next), "hop%d.test", atoi(n + 3) + 1);
	dd_reply(p, q, 0, 0);
	rr_cname(p, NULL, next);
	pkt_counts(p, 1, 0, 0);
	return 0;
    }
    return answer_wire(d, q, p);
}

/* answer_wire - the script, continued: TCP, size, malformed replies */
static int answer_wire(struct dd *d, const struct dd_query *q, struct pkt *p)
{
    const char *n = q->name;

    (void) d;
    if (strcmp(n, "big.test") == 0) {	/* too big for UDP: TC, then TCP */
	dd_reply(p, q, 0, 0);
	if (!q->tcp) {
	    p->b[2] |= 0x02;
	    return 0;
	}
	for (int i = 0; i < 100; i++) {
	    char a[32];
	    snprintf(a, sizeof(a), "198.51.100.%d", i);
	    rr_a(p, NULL, 300, a);
	}
	pkt_counts(p, 100, 0, 0);
	return 0;
    }
    if (strcmp(n, "huge.test") == 0) {	/* 4.8 kB over UDP, no TC bit */
	dd_reply(p, q, 0, 0);
	for (int i = 0; i < 300; i++)
	    rr_a(p, NULL, 300, "198.51.100.1");
	pkt_counts(p, 300, 0, 0);
	return 0;
    }
    if (strcmp(n, "malformed.test") == 0) {	/* rdlength past the end */
	dd_reply(p, q, 0, 0);
	size_t m = pkt_rr(p, NULL, 1, 300);
	pkt_bytes(p, "\xc0\x00", 2);
	pkt_set16(p, m - 2, 4);
	pkt_counts(p, 1, 0, 0);
	return 0;
    }
    if (strcmp(n, "badptr.test") == 0) {	/* owner points forward */
	dd_reply(p, q, 0, 0);
	pkt_u16(p, 0xc000 | (unsigned) (p->len + 2));
	pkt_u16(p, 1);
	pkt_u16(p, 1);
	pkt_u32(p, 300);
	pkt_u16(p, 4);
	pkt_u32(p, 0x01020304);
	pkt_counts(p, 1, 0, 0);
	return 0;
    }
    dd_reply(p, q, 3, 0);
    return 0;
}

/* resolver - a resolver on the given servers */
static struct dns_resolver *resolver(const char *s1, const char *s2, int timeout_ms,
				     int retries, int dnssec, size_t cache)
{
    const char *servers[2] = {s1, s2};
    struct dns_config cfg = {.servers = servers, .nservers = s2 ? 2 : 1,
	.timeout_ms = timeout_ms, .retries = retries, .dnssec = dnssec, .cache_size = cache};
    char *why;
    struct dns_resolver *r = dns_resolver_open(&cfg, &why);

    if (r == NULL) {
	diag("dns_resolver_open: %s", why);
	exit(1);
    }
    return r;
}

/* look - dns_lookup without budget; keeps the answer in *a */
static int look(struct dns_resolver *r, const char *name, enum dns_type t, struct dns_answer **a)
{
    dns_answer_free(a);
    return dns_lookup(r, name, t, NULL, a);
}

/* has_reason - the answer's reason contains s */
static int has_reason(const struct dns_answer *a, const char *s)
{
    if (a->reason && strstr(a->reason, s))
	return 1;
    diag("reason: %s", a->reason ? a->reason : "(none)");
    return 0;
}

/* test_results - found, NXDOMAIN, NODATA, SERVFAIL, REFUSED, FORMERR */
static void test_results(struct dns_resolver *r, struct dd *d)
{
    struct dns_answer *a = NULL;
    char addr[16];

    is_int(look(r, "Found.Test.", DNS_T_A, &a), DNS_FOUND, "A record found");
    is_int((long long) a->count, 1, "found: one record");
    inet_ntop(AF_INET, a->rrs[0].u.addr, addr, sizeof(addr));
    is_str(addr, "192.0.2.1", "found: the address");
    is_str(a->rrs[0].name, "found.test", "found: owner is lower case without the dot");
    is_int(a->rrs[0].ttl, 300, "found: TTL");
    is_int(look(r, "nx.test", DNS_T_A, &a), DNS_NOTFOUND, "NXDOMAIN is not found");
    ok(a->nxdomain == 1 && a->rcode == 3, "NXDOMAIN: nxdomain=1 rcode=3");
    is_int(a->ttl, 60, "NXDOMAIN: negative TTL is min(SOA TTL, MINIMUM)");
    is_int(look(r, "nodata.test", DNS_T_A, &a), DNS_NOTFOUND, "NODATA is not found");
    ok(a->nxdomain == 0 && a->rcode == 0, "NODATA: nxdomain=0 rcode=0");
    is_int(look(r, "servfail.test", DNS_T_A, &a), DNS_TEMP, "SERVFAIL is temporary");
    ok(has_reason(a, "SERVFAIL from 127.0.0.1:"), "SERVFAIL: the reason names the server");
    ok(a->nxdomain == 0, "SERVFAIL is never NXDOMAIN");
    is_int(look(r, "refused.test", DNS_T_A, &a), DNS_TEMP, "REFUSED is temporary");
    is_int(look(r, "formerr.test", DNS_T_A, &a), DNS_TEMP, "FORMERR is temporary (RFC 7208 5)");
    int before = dd_count(d);
    is_int(look(r, "bad name.test", DNS_T_A, &a), DNS_PERM, "a name with a blank: permanent");
    is_str(a->canonical, "", "a refused name leaves no half-copied canonical name");
    char longbad[300];
    memset(longbad, 'a', sizeof(longbad));
    longbad[250] = '\\';
    longbad[251] = 0;
    is_int(look(r, longbad, DNS_T_A, &a), DNS_PERM, "a long name with a backslash: permanent");
    is_str(a->canonical, "", "and its canonical name is empty, not an unterminated copy");
    is_int(look(r, "a..test", DNS_T_A, &a), DNS_PERM, "a name with an empty label: permanent");
    is_int(look(r, "caf\303\251.test", DNS_T_A, &a), DNS_PERM, "an 8-bit name: permanent");
    is_int(dd_count(d), before, "bad names send no packet");
    dns_answer_free(&a);
    is_int(dns_lookup(r, "two  blanks.test", DNS_T_A, NULL, &a), DNS_PERM,
	   "dns_lookup refuses a name with blanks");
    dns_answer_free(&a);
    is_int(dns_lookup_blanks(r, "Two  Blanks.test.", DNS_T_A, NULL, &a), DNS_FOUND,
	   "dns_lookup_blanks asks for it, a blank being a label byte (SPF macros)");
    ok(a->count == 1 && strcmp(a->rrs[0].name, "two\\032\\032blanks.test") == 0,
       "its answer matches the question and names the owner with \\032");
    dns_answer_free(&a);
    is_int(dns_lookup_blanks(r, "tab\there.test", DNS_T_A, NULL, &a), DNS_PERM,
	   "dns_lookup_blanks still refuses controls");
    dns_answer_free(&a);
}

/* test_txt - one record's strings joined, several records separate */
static void test_txt(struct dns_resolver *r)
{
    struct dns_answer *a = NULL;

    is_int(look(r, "txt.test", DNS_T_TXT, &a), DNS_FOUND, "TXT found");
    is_str(a->count ? a->rrs[0].u.txt.text : NULL,
	   "v=spf1 ip4:192.0.2.0/24 include:a.test -all",
	   "TXT: the strings of one record are joined without separator");
    is_int(look(r, "txts.test", DNS_T_TXT, &a), DNS_FOUND, "several TXT found");
    ok(a->count == 2 && strcmp(a->rrs[0].u.txt.text, "first") == 0
       && strcmp(a->rrs[1].u.txt.text, "second") == 0 && a->rrs[1].u.txt.len == 6,
       "TXT: several records stay separate");
    dns_answer_free(&a);
}

/* test_cname - chains in the answer, re-query, loops */
static void test_cname(struct dns_resolver *r, struct dd *d)
{
    struct dns_answer *a = NULL;
    char addr[16] = "";

    is_int(look(r, "chain.test", DNS_T_A, &a), DNS_FOUND, "CNAME chain in the answer followed");
    is_str(a->canonical, "c2.test", "CNAME chain: canonical name is the end of the chain");
    if (a->count)
	inet_ntop(AF_INET, a->rrs[0].u.addr, addr, sizeof(addr));
    is_str(addr, "192.0.2.4", "CNAME chain: the target's address");
    int before = dd_count(d);
    is_int(look(r, "requery.test", DNS_T_A, &a), DNS_FOUND,
	   "CNAME without the target's records: target re-queried");
    is_int(dd_count(d) - before, 2, "CNAME re-query: two queries sent");
    is_str(a->canonical, "target.test", "CNAME re-query: canonical name");
    is_int(look(r, "requery.test", DNS_T_CNAME, &a), DNS_FOUND, "CNAME asked for is not followed");
    is_str(a->count ? a->rrs[0].u.target : NULL, "target.test", "CNAME record's target");
    is_int(look(r, "loop.test", DNS_T_A, &a), DNS_PERM, "CNAME loop in one answer is permanent");
    ok(has_reason(a, "CNAME"), "CNAME loop: reason says so");
    is_int(look(r, "hop1.test", DNS_T_A, &a), DNS_PERM, "endless CNAME re-queries stop (limit 8)");
    dns_answer_free(&a);
}

/* test_transport - AD bit, TCP fallback, spoofing, malformed, timeout */
static void test_transport(struct dns_resolver *r, struct dd *d, const char *server)
{
    struct dns_answer *a = NULL;

    is_int(look(r, "secure.test", DNS_T_A, &a), DNS_FOUND, "secure.test found");
    is_int(a->secure, 1, "AD bit in the reply: secure=1");
    struct dd_query q = dd_last(d);
    ok(q.has_opt && q.do_bit && q.ad_bit && q.rd_bit, "query has EDNS0 OPT with DO=1, AD and RD");
    is_int(look(r, "found.test", DNS_T_A, &a), DNS_FOUND, "found.test found");
    is_int(a->secure, 0, "no AD bit in the reply: secure=0");
    is_int(look(r, "big.test", DNS_T_A, &a), DNS_FOUND, "truncated UDP reply: retried over TCP");
    is_int((long long) a->count, 100, "TCP: all 100 records");
    ok(dd_count_tcp(d) >= 1, "TCP: the double saw a TCP query");
    int tcp = dd_count_tcp(d);
    is_int(look(r, "huge.test", DNS_T_A, &a), DNS_FOUND,
	   "UDP reply larger than our buffer, no TC: retried over TCP");
    ok(a->count == 300 && dd_count_tcp(d) == tcp + 1, "TCP: all 300 records");
    is_int(look(r, "spoof.test", DNS_T_A, &a), DNS_FOUND, "spoofed replies first: real one found");
    ok(a->count == 1 && a->rrs[0].u.addr[0] == 192,
       "replies with a wrong ID or question are ignored");
    is_int(look(r, "onlyspoof.test", DNS_T_A, &a), DNS_TEMP,
	   "only replies with wrong ID/question: temporary (timeout)");
    is_int(look(r, "malformed.test", DNS_T_A, &a), DNS_PERM, "RR past the end: permanent");
    ok(has_reason(a, "malformed"), "malformed: reason says so");
    is_int(look(r, "badptr.test", DNS_T_A, &a), DNS_PERM, "forward compression pointer: permanent");
    dns_answer_free(&a);

    struct dns_resolver *r1 = resolver(server, NULL, 150, 1, 1, 0);
    int before = dd_count(d);
    is_int(look(r1, "drop.test", DNS_T_A, &a), DNS_TEMP, "server never answers: temporary");
    ok(has_reason(a, "timeout"), "no answer: reason is a timeout");
    is_int(dd_count(d) - before, 2, "retries=1: two attempts, then give up");
    dns_answer_free(&a);
    dns_resolver_free(&r1);

    struct dns_resolver *r0 = resolver(server, NULL, 1000, 0, 0, 0);
    is_int(look(r0, "secure.test", DNS_T_A, &a), DNS_FOUND, "dnssec off: found");
    q = dd_last(d);
    ok(!q.do_bit && !q.ad_bit && a->secure == 0, "dnssec off: no DO, no AD, secure=0");
    dns_answer_free(&a);
    dns_resolver_free(&r0);
}

/* test_servers - several servers, IPv6 and closed ports */
static void test_servers(struct dd *d, const char *server)
{
    struct dns_answer *a = NULL;
    struct dd *d6 = dd_start(AF_INET6, answer, NULL), *d2 = dd_start(AF_INET, answer, NULL);
    char s6[64], s2[64];

    if (!ok(d6 != NULL, "IPv6 double on [::1] started"))
	return;
    snprintf(s6, sizeof(s6), "[::1]:%d", dd_port(d6));
    snprintf(s2, sizeof(s2), "127.0.0.1:%d", dd_port(d2));
    struct dns_resolver *r = resolver(s6, NULL, 1000, 0, 1, 0);
    is_int(look(r, "found.test", DNS_T_A, &a), DNS_FOUND, "IPv6 server [::1]:port answers");
    is_int(dd_count(d6), 1, "IPv6 server got the query");
    dns_resolver_free(&r);

    r = resolver("127.0.0.1:1", s2, 1000, 0, 1, 0);
    is_int(look(r, "found.test", DNS_T_A, &a), DNS_FOUND, "first server refuses: second answers");
    is_int(look(r, "drop.test", DNS_T_A, &a), DNS_TEMP, "refused and silent: temporary");
    ok(has_reason(a, "Connection refused from 127.0.0.1:1; timeout from 127.0.0.1:"),
       "the reason names what each server did");
    dns_resolver_free(&r);

    r = resolver(server, s2, 1000, 0, 1, 0);
    int before = dd_count(d2);
    is_int(look(r, "servfail.test", DNS_T_A, &a), DNS_TEMP, "SERVFAIL from both: temporary");
    is_int(dd_count(d2) - before, 1, "SERVFAIL: the next server was asked");
    dns_resolver_free(&r);
    dns_answer_free(&a);
    dd_stop(&d6);
    dd_stop(&d2);
}

/* test_cache - hits, negative caching, TEMP never cached, TTL, eviction */
static void test_cache(struct dd *d, const char *server)
{
    struct dns_resolver *r = resolver(server, NULL, 1000, 0, 1, 100);
    struct dns_answer *a = NULL;
    int n;

    look(r, "found.test", DNS_T_A, &a);
    n = dd_count(d);
    is_int(look(r, "found.test", DNS_T_A, &a), DNS_FOUND, "cached answer found");
    is_int(dd_count(d), n, "cache hit: no packet sent");
    ok(a->count == 1 && a->rrs[0].u.addr[3] == 1, "cache hit: same record");
    look(r, "nx.test", DNS_T_A, &a);
    n = dd_count(d);
    is_int(look(r, "nx.test", DNS_T_A, &a), DNS_NOTFOUND, "cached NXDOMAIN");
    ok(a->nxdomain == 1 && dd_count(d) == n, "negative caching: NXDOMAIN from cache");
    look(r, "nx-nosoa.test", DNS_T_A, &a);
    n = dd_count(d);
    look(r, "nx-nosoa.test", DNS_T_A, &a);
    is_int(dd_count(d) - n, 1, "NXDOMAIN without SOA is not cached (RFC 2308 5)");
    look(r, "requery.test", DNS_T_A, &a);
    n = dd_count(d);
    is_int(look(r, "requery.test", DNS_T_A, &a), DNS_FOUND, "cached CNAME chain found");
    is_int(dd_count(d), n, "cached CNAME and target: no packet sent");
    look(r, "servfail.test", DNS_T_A, &a);
    n = dd_count(d);
    is_int(look(r, "servfail.test", DNS_T_A, &a), DNS_TEMP, "SERVFAIL again");
    is_int(dd_count(d) - n, 1, "temporary failures are never cached");
    look(r, "short.test", DNS_T_A, &a);
    sleep(2);
    n = dd_count(d);
    look(r, "short.test", DNS_T_A, &a);
    is_int(dd_count(d) - n, 1, "TTL 1: asked again after it expired");
    dns_resolver_free(&r);

    r = resolver(server, NULL, 1000, 0, 1, 2);	/* two entries: LRU eviction */
    look(r, "evict1.test", DNS_T_A, &a);
    look(r, "evict2.test", DNS_T_A, &a);
    look(r, "evict1.test", DNS_T_A, &a);	/* evict1 most recent */
    look(r, "evict3.test", DNS_T_A, &a);	/* evicts evict2 */
    n = dd_count(d);
    look(r, "evict1.test", DNS_T_A, &a);
    is_int(dd_count(d), n, "bounded cache: recently used entry kept");
    look(r, "evict2.test", DNS_T_A, &a);
    is_int(dd_count(d) - n, 1, "bounded cache: least recently used entry evicted");
    dns_answer_free(&a);
    dns_resolver_free(&r);
}

/* test_budget - query count and deadline */
static void test_budget(struct dns_resolver *r)
{
    struct dns_budget b = {.queries_left = 1, .deadline_ms = 0};
    struct dns_answer *a = NULL;

    is_int(dns_lookup(r, "found.test", DNS_T_A, &b, &a), DNS_FOUND, "budget 1: first lookup");
    is_int(b.queries_left, 0, "budget: charged one");
    dns_answer_free(&a);
    is_int(dns_lookup(r, "found.test", DNS_T_A, &b, &a), DNS_PERM, "budget 0: permanent");
    ok(has_reason(a, "lookup budget exhausted"), "budget: reason");
    dns_answer_free(&a);
    b.queries_left = -1;
    b.deadline_ms = 1;			/* long past */
    is_int(dns_lookup(r, "found.test", DNS_T_A, &b, &a), DNS_TEMP, "deadline passed: temporary");
    ok(has_reason(a, "time budget exhausted"), "deadline: reason");
    dns_answer_free(&a);
    b.queries_left = 1;
    b.deadline_ms = 0;
    is_int(dns_lookup(r, "requery.test", DNS_T_A, &b, &a), DNS_PERM,
	   "budget 1: a CNAME re-query needs a second query");
    dns_answer_free(&a);
}

int main(void)
{
    struct dd *d = dd_start(AF_INET, answer, NULL);
    char server[64];

    if (d == NULL) {
	printf("not ok 1 - DNS double started\n1..1\n");
	return 1;
    }
    snprintf(server, sizeof(server), "127.0.0.1:%d", dd_port(d));
    diag("double on %s (custom port)", server);
    struct dns_resolver *r = resolver(server, NULL, 1000, 1, 1, 0);
    test_results(r, d);
    test_txt(r);
    test_cname(r, d);
    test_transport(r, d, server);
    test_budget(r);
    dns_resolver_free(&r);
    test_servers(d, server);
    test_cache(d, server);
    dd_stop(&d);
    return done_testing();
}
