/*
 * NAME
 *	dns_reply - dns_reply_parse() on valid and hostile messages
 * DESCRIPTION
 *	No network: messages are built with the double's pkt_* helpers,
 *	then parsed. Hostile cases must give DNS_PERM, never a crash.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "t/tap.h"
#include "dns/dns.h"
#include "t/unit/dns_double.h"

static struct pkt P;

/* start - a NOERROR reply header and question for name/type */
static void start(const char *name, int type, int rcode, int ad)
{
    struct dd_query q;

    memset(&q, 0, sizeof(q));
    q.id = 0x1234;
    snprintf(q.name, sizeof(q.name), "%s", name);
    q.type = type;
    dd_reply(&P, &q, rcode, ad);
}

/* parse - parse P as a reply to name/type */
static int parse(const char *name, int type, struct dns_answer **a)
{
    dns_answer_free(a);
    return dns_reply_parse(P.b, P.len, name, (enum dns_type) type, a);
}

/* a_rr - an A record with a compressed owner */
static void a_rr(uint32_t ttl)
{
    size_t m = pkt_rr(&P, NULL, 1, ttl);
    pkt_bytes(&P, "\xc0\x00\x02\x01", 4);
    pkt_rr_end(&P, m);
}

/* test_valid - ordinary replies of every type */
static void test_valid(void)
{
    struct dns_answer *a = NULL;
    size_t m;

    start("mx.test", 15, 0, 1);
    m = pkt_rr(&P, NULL, 15, 60);
    pkt_u16(&P, 10);
    pkt_name(&P, "Mail.MX.test");
    pkt_rr_end(&P, m);
    m = pkt_rr(&P, NULL, 15, 60);
    pkt_u16(&P, 0);
    pkt_u8(&P, 0);				/* null MX "." */
    pkt_rr_end(&P, m);
    m = pkt_rr(&P, NULL, 46, 60);		/* an RRSIG: skipped */
    pkt_bytes(&P, "\x00\x01\x02", 3);
    pkt_rr_end(&P, m);
    pkt_counts(&P, 3, 0, 0);
    is_int(parse("MX.test.", 15, &a), 0, "MX reply parses (question compared case-blind)");
    ok(a->status == DNS_FOUND && a->count == 2 && a->secure == 1, "MX: two records, AD=1");
    ok(a->count == 2 && a->rrs[0].u.mx.pref == 10
       && strcmp(a->rrs[0].u.mx.exchange, "mail.mx.test") == 0, "MX: pref and exchange");
    ok(a->count == 2 && strcmp(a->rrs[1].u.mx.exchange, "") == 0, "null MX: exchange \"\"");
    is_int(parse(NULL, 15, &a), 0, "qname NULL: the reply's own question is accepted");

    start("tlsa.test", 52, 0, 0);
    m = pkt_rr(&P, NULL, 52, 0x80000000u);
    pkt_bytes(&P, "\x03\x01\x01\xab\xcd", 5);
    pkt_rr_end(&P, m);
    pkt_counts(&P, 1, 0, 0);
    is_int(parse("tlsa.test", 52, &a), 0, "TLSA parses");
    ok(a->count == 1 && a->rrs[0].u.tlsa.usage == 3 && a->rrs[0].u.tlsa.selector == 1
       && a->rrs[0].u.tlsa.mtype == 1 && a->rrs[0].u.tlsa.len == 2
       && a->rrs[0].u.tlsa.data[1] == 0xcd, "TLSA fields and data");
    is_int(a->count ? a->rrs[0].ttl : 1, 0, "TTL with the high bit set counts as 0 (RFC 2181 8)");

    start("ptr.test", 12, 0, 0);
    m = pkt_rr(&P, NULL, 12, 60);
    pkt_bytes(&P, "\x03" "a.b" "\x04" "test" "\x00", 10);
    pkt_rr_end(&P, m);
    pkt_counts(&P, 1, 0, 0);
    is_int(parse("ptr.test", 12, &a), 0, "PTR parses");
    is_str(a->count ? a->rrs[0].u.target : NULL, "a\\046b.test", "a dot inside a label is escaped");
    dns_answer_free(&a);
}

/* test_negative - NXDOMAIN, NODATA, RCODE after CNAME */
static void test_negative(void)
{
    struct dns_answer *a = NULL;

    start("nodata.test", 1, 0, 1);
    pkt_soa(&P, "test", 30, 600);
    pkt_counts(&P, 0, 1, 0);
    is_int(parse("nodata.test", 1, &a), 0, "NODATA parses");
    ok(a->status == DNS_NOTFOUND && !a->nxdomain && a->secure, "NODATA: notfound, secure");
    is_int(a->ttl, 30, "negative TTL: SOA TTL when below MINIMUM");

    start("alias.test", 1, 3, 0);
    size_t m = pkt_rr(&P, NULL, 5, 300);
    pkt_name(&P, "gone.test");
    pkt_rr_end(&P, m);
    pkt_counts(&P, 1, 0, 0);
    is_int(parse("alias.test", 1, &a), 0, "NXDOMAIN after a CNAME parses");
    ok(a->status == DNS_NOTFOUND && a->nxdomain, "NXDOMAIN after CNAME: notfound, nxdomain");
    is_str(a->canonical, "gone.test", "NXDOMAIN after CNAME: it is the target's (RFC 6604)");
    is_int(a->ttl, 0, "no SOA: not cacheable");

    start("sf.test", 1, 2, 0);
    is_int(parse("sf.test", 1, &a), 0, "SERVFAIL parses");
    ok(a->status == DNS_TEMP && !a->nxdomain && strcmp(a->reason, "SERVFAIL") == 0,
       "SERVFAIL: temporary, not nxdomain");
    start("r.test", 1, 9, 0);
    parse("r.test", 1, &a);
    ok(a->status == DNS_TEMP && strcmp(a->reason, "RCODE 9") == 0, "unknown RCODE: temporary");
    dns_answer_free(&a);
}

/* perm - parse P, expect DNS_PERM */
static void perm(const char *name, int type, const char *what)
{
    struct dns_answer *a = NULL;
    int r = parse(name, type, &a);

    ok(r == -1 && a->status == DNS_PERM && a->reason != NULL, "%s: permanent", what);
    dns_answer_free(&a);
}

/* test_hostile - loops, bounds, truncation, counts */
static void test_hostile(void)
{
    size_t m, full;

    P.len = 5;
    perm("x.test", 1, "shorter than a header");
    start("x.test", 1, 0, 0);
    P.b[2] &= 0x7f;
    perm("x.test", 1, "QR=0 (a query, not a reply)");
    start("x.test", 1, 0, 0);
    perm("y.test", 1, "question for another name");
    perm("x.test", 28, "question for another type");
    pkt_set16(&P, 4, 2);
    perm("x.test", 1, "two questions");

    start("x.test", 1, 0, 0);
    m = P.len;
    pkt_u16(&P, 0xc000 | (unsigned) m);		/* points at itself */
    pkt_bytes(&P, "\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04", 14);
    pkt_counts(&P, 1, 0, 0);
    perm("x.test", 1, "compression pointer loop");
    pkt_set16(&P, m, 0xc000 | 0x3fff);
    perm("x.test", 1, "compression pointer out of bounds");
    P.b[m] = 0x40;
    perm("x.test", 1, "extended label type 0x40");

    start("x.test", 1, 0, 0);
    for (int i = 0; i < 5; i++) {
	pkt_u8(&P, 63);
	for (int j = 0; j < 63; j++)
	    pkt_u8(&P, 'a');
    }
    pkt_u8(&P, 0);
    pkt_bytes(&P, "\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04", 14);
    pkt_counts(&P, 1, 0, 0);
    perm("x.test", 1, "owner name longer than 255 octets");

    start("x.test", 1, 0, 0);
    m = pkt_rr(&P, NULL, 1, 60);
    pkt_bytes(&P, "\x01\x02\x03\x04\x05", 5);
    pkt_rr_end(&P, m);
    pkt_counts(&P, 1, 0, 0);
    perm("x.test", 1, "A record with 5 bytes");

    start("x.test", 16, 0, 0);
    m = pkt_rr(&P, NULL, 16, 60);
    pkt_bytes(&P, "\x03" "ab\x05" "cd", 6);
    pkt_rr_end(&P, m);
    pkt_counts(&P, 1, 0, 0);
    perm("x.test", 16, "TXT string longer than its RDATA");

    start("x.test", 15, 0, 0);
    m = pkt_rr(&P, NULL, 15, 60);
    pkt_u16(&P, 5);
    pkt_name(&P, "mx.test");
    pkt_rr_end(&P, m);
    P.b[m - 1] -= 2;				/* name runs past RDLENGTH */
    pkt_counts(&P, 1, 0, 0);
    perm("x.test", 15, "MX exchange past RDLENGTH");

    start("x.test", 1, 0, 0);
    a_rr(60);
    pkt_counts(&P, 65535, 65535, 65535);
    perm("x.test", 1, "counts far beyond the data");

    start("x.test", 1, 0, 0);
    a_rr(60);
    a_rr(60);
    pkt_soa(&P, "test", 60, 60);
    pkt_counts(&P, 2, 1, 0);
    full = P.len;
    int crashes = 0, accepted = 0;
    for (size_t len = 0; len < full; len++) {
	struct dns_answer *a = NULL;
	P.len = len;
	if (dns_reply_parse(P.b, len, "x.test", DNS_T_A, &a) == 0)
	    accepted++;
	crashes += a == NULL;
	dns_answer_free(&a);
    }
    is_int(accepted, 0, "every truncation of a reply is rejected (%zu prefixes)", full);
    is_int(crashes, 0, "an answer is always returned");

    srandom(42);
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
	struct dns_answer *a = NULL;
	start("x.test", 1, 0, 0);
	a_rr(60);
	pkt_counts(&P, 1, 0, 0);
	for (int k = 0; k < 4; k++)
	    P.b[12 + random() % (P.len - 12)] = (unsigned char) random();
	if (dns_reply_parse(P.b, P.len, NULL, DNS_T_A, &a) == 0 && a->status == DNS_PERM)
	    bad++;
	bad += a == NULL;
	dns_answer_free(&a);
    }
    is_int(bad, 0, "20000 randomly damaged replies: parsed or refused, status consistent");
}

int main(void)
{
    test_valid();
    test_negative();
    test_hostile();
    is_str(dns_type_name(DNS_T_TLSA), "TLSA", "dns_type_name");
    is_int(dns_type_parse("aaaa"), DNS_T_AAAA, "dns_type_parse is case-blind");
    is_int(dns_type_parse("SOA"), -1, "dns_type_parse: unknown type");
    is_str(dns_status_name(DNS_TEMP), "temporary", "dns_status_name");
    char rev[80];
    const unsigned char v4[4] = {192, 0, 2, 1};
    unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8};
    v6[15] = 0x1f;
    ok(dns_reverse_name(AF_INET, v4, rev, sizeof(rev)) == 0
       && strcmp(rev, "1.2.0.192.in-addr.arpa") == 0, "reverse name of an IPv4 address");
    ok(dns_reverse_name(AF_INET6, v6, rev, 73) == 0
       && strcmp(rev, "f.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa") == 0,
       "reverse name of an IPv6 address (73 bytes)");
    is_int(dns_reverse_name(AF_INET6, v6, rev, 72), -1, "reverse name: buffer too small");
    return done_testing();
}
