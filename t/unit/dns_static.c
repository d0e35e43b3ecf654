/*
 * NAME
 *	dns_static - the dns.static file, the conf adapter, threads
 * DESCRIPTION
 *	Static answers (every type, CNAMEs into the network, NODATA for a
 *	listed name), FILE:LINE parse errors, dns_resolver_from_conf() on a
 *	real config file, and several threads sharing one resolver.
 */
#include "config.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "t/tap.h"
#include "conf/conf.h"
#include "util/msg.h"
#include "dns/dns.h"
#include "t/unit/dns_double.h"

static char tmpdir[] = "/tmp/mxguard-dns-static.XXXXXX";

/* answer - the double knows net.test (A 192.0.2.77) and nothing else */
static int answer(struct dd *d, const struct dd_query *q, struct pkt *p, void *ctx)
{
    (void) d;
    (void) ctx;
    if (strcmp(q->name, "net.test") == 0 && q->type == 1) {
	dd_reply(p, q, 0, 0);
	size_t m = pkt_rr(p, NULL, 1, 300);
	pkt_bytes(p, "\xc0\x00\x02\x4d", 4);
	pkt_rr_end(p, m);
	pkt_counts(p, 1, 0, 0);
    } else {
	dd_reply(p, q, 3, 0);
    }
    return 0;
}

/* write_file - tmpdir/name with text; returns the path (static storage of caller) */
static void write_file(char *path, size_t len, const char *name, const char *text)
{
    snprintf(path, len, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
}

/* open_static - a resolver on server with a static file; NULL + why */
static struct dns_resolver *open_static(const char *server, const char *file, char **why)
{
    const char *servers[1] = {server};
    struct dns_config cfg = {.servers = servers, .nservers = 1, .timeout_ms = 1000,
	.retries = 0, .dnssec = 1, .cache_size = 0, .static_file = file};
    return dns_resolver_open(&cfg, why);
}

/* test_answers - every type from the file, no packet sent */
static void test_answers(struct dd *d, const char *server)
{
    char path[256];
    char *why = NULL;
    struct dns_answer *a = NULL;

    write_file(path, sizeof(path), "good.zone",
	       "; static answers for tests\n"
	       "# another comment style\n"
	       "\n"
	       "Example.Test. 300 IN A 192.0.2.1\n"
	       "example.test. AAAA 2001:db8::1 ; trailing comment\n"
	       "example.test. IN MX 10 mx.example.test.\n"
	       "example.test MX 20 mx2.example.test\n"
	       "example.test. TXT \"v=spf1 \" \"ip4:192.0.2.0/24 -all\"\n"
	       "example.test. TXT \"say \\\"hi\\\" \\\\ \\065\" ; escapes\n"
	       "nullmx.test. MX 0 .\n"
	       "_25._tcp.mx.example.test. TLSA 3 1 1 ABCDEF 0123\n"
	       "1.2.0.192.in-addr.arpa. PTR example.test.\n"
	       "www.test. CNAME example.test.\n"
	       "out.test. CNAME net.test.\n"
	       "loop1.test. CNAME loop2.test.\n"
	       "loop2.test. CNAME loop1.test.\n");
    struct dns_resolver *r = open_static(server, path, &why);
    if (!ok(r != NULL, "a good static file loads")) {
	diag("%s", why);
	free(why);
	return;
    }
    int before = dd_count(d);
    is_int(dns_lookup(r, "example.test", DNS_T_A, NULL, &a), DNS_FOUND, "static A");
    ok(a->count == 1 && a->rrs[0].ttl == 300 && a->rrs[0].u.addr[3] == 1 && !a->secure,
       "static A: TTL, address, secure=0");
    dns_answer_free(&a);
    dns_lookup(r, "example.test", DNS_T_AAAA, NULL, &a);
    ok(a->count == 1 && a->rrs[0].u.addr[0] == 0x20 && a->rrs[0].u.addr[15] == 1
       && a->rrs[0].ttl == 3600, "static AAAA, default TTL 3600");
    dns_answer_free(&a);
    dns_lookup(r, "example.test", DNS_T_MX, NULL, &a);
    ok(a->count == 2 && a->rrs[0].u.mx.pref + a->rrs[1].u.mx.pref == 30, "static MX: two records");
    dns_answer_free(&a);
    dns_lookup(r, "nullmx.test", DNS_T_MX, NULL, &a);
    ok(a->count == 1 && strcmp(a->rrs[0].u.mx.exchange, "") == 0, "static null MX");
    dns_answer_free(&a);
    dns_lookup(r, "example.test", DNS_T_TXT, NULL, &a);
    ok(a->count == 2, "static TXT: two records");
    int spf = 0, esc = 0;
    for (size_t i = 0; i < a->count; i++) {
	spf += strcmp(a->rrs[i].u.txt.text, "v=spf1 ip4:192.0.2.0/24 -all") == 0;
	esc += strcmp(a->rrs[i].u.txt.text, "say \"hi\" \\ A") == 0;
    }
    ok(spf == 1, "static TXT: quoted strings of one record joined");
    ok(esc == 1, "static TXT: \\\" \\\\ \\DDD escapes");
    dns_answer_free(&a);
    dns_lookup(r, "_25._tcp.mx.example.test", DNS_T_TLSA, NULL, &a);
    ok(a->count == 1 && a->rrs[0].u.tlsa.usage == 3 && a->rrs[0].u.tlsa.len == 5
       && a->rrs[0].u.tlsa.data[0] == 0xab && a->rrs[0].u.tlsa.data[4] == 0x23,
       "static TLSA: fields and hex split by blanks");
    dns_answer_free(&a);
    dns_lookup(r, "1.2.0.192.in-addr.arpa", DNS_T_PTR, NULL, &a);
    is_str(a->count ? a->rrs[0].u.target : NULL, "example.test", "static PTR");
    dns_answer_free(&a);
    is_int(dns_lookup(r, "www.test", DNS_T_A, NULL, &a), DNS_FOUND, "static CNAME followed");
    is_str(a->canonical, "example.test", "static CNAME: canonical name");
    dns_answer_free(&a);
    is_int(dns_lookup(r, "example.test", DNS_T_PTR, NULL, &a), DNS_NOTFOUND,
	   "listed name without that type: NODATA");
    is_int(dd_count(d) - before, 0, "static answers send no packet");
    dns_answer_free(&a);
    is_int(dns_lookup(r, "out.test", DNS_T_A, NULL, &a), DNS_FOUND,
	   "static CNAME to an unlisted name: asked on the network");
    ok(a->count == 1 && a->rrs[0].u.addr[3] == 77 && dd_count(d) - before == 1,
       "static CNAME: the network's address");
    dns_answer_free(&a);
    is_int(dns_lookup(r, "loop1.test", DNS_T_A, NULL, &a), DNS_PERM,
	   "CNAME loop inside the static file: permanent");
    dns_answer_free(&a);
    is_int(dns_lookup(r, "other.test", DNS_T_A, NULL, &a), DNS_NOTFOUND,
	   "unlisted name: the network's NXDOMAIN");
    dns_answer_free(&a);
    dns_resolver_free(&r);
}

/* test_errors - every bad line reported as FILE:LINE */
static void test_errors(const char *server)
{
    char path[256], want[512];
    char *why = NULL;

    write_file(path, sizeof(path), "bad.zone",
	       "ok.test. A 192.0.2.1\n"
	       "bad.test. A 192.0.2\n"
	       "bad.test. AAAA zz::1\n"
	       "bad.test. MX mx.test.\n"
	       "bad.test. TXT \"unterminated\n"
	       "bad.test. TLSA 3 1 1 abc\n"
	       "bad.test. SOA x\n"
	       "bad.test. 99999999999 A 192.0.2.1\n"
	       "bad.test.\n");
    struct dns_resolver *r = open_static(server, path, &why);
    ok(r == NULL, "a bad static file is refused");
    snprintf(want, sizeof(want), "%s:2: bad IPv4 address", path);
    ok(why && strstr(why, want), "error as FILE:LINE: what");
    int lines = 0;
    for (const char *p = why; p && *p; p++)
	lines += *p == '\n';
    is_int(lines + 1, 8, "every bad line is reported, one line each");
    for (int i = 3; why && i <= 9; i++) {
	snprintf(want, sizeof(want), "%s:%d: ", path, i);
	if (!strstr(why, want))
	    diag("missing %s in %s", want, why);
    }
    free(why);
    why = NULL;
    r = open_static(server, "/nonexistent/static.zone", &why);
    ok(r == NULL && why && strstr(why, "No such file"), "a missing static file is refused");
    free(why);
    dns_resolver_free(&r);
}

/* test_conf - dns_resolver_from_conf with a real config file */
static void test_conf(struct dd *d)
{
    char path[256], text[512], spath[256];
    struct buf errs = BUF_INIT;
    struct dns_answer *a = NULL;
    const char *why = NULL;

    write_file(spath, sizeof(spath), "conf.zone", "fromfile.test. A 192.0.2.9\n");
    snprintf(text, sizeof(text), "dns: { servers = [ \"127.0.0.1:%d\" ]; timeout_ms = 500;\n"
	     "  retries = 0; dnssec = false; cache_size = 10; static = \"%s\"; };\n",
	     dd_port(d), spath);
    write_file(path, sizeof(path), "mxguard.conf", text);
    struct conf *c = conf_load(path, &errs);
    if (!ok(c != NULL, "config with a dns section loads")) {
	diag("%s", buf_str(&errs));
	buf_free(&errs);
	return;
    }
    struct dns_resolver *r = dns_resolver_from_conf(c, &why);
    ok(r != NULL, "dns_resolver_from_conf builds a resolver");
    if (r != NULL) {
	is_int(dns_lookup(r, "net.test", DNS_T_A, NULL, &a), DNS_FOUND,
	       "from conf: dns.servers with a port is used");
	dns_answer_free(&a);
	is_int(dns_lookup(r, "fromfile.test", DNS_T_A, NULL, &a), DNS_FOUND,
	       "from conf: dns.static is used");
	dns_answer_free(&a);
	dns_resolver_free(&r);
    }
    conf_unref(&c);

    write_file(spath, sizeof(spath), "confbad.zone", "bad.test. A 300.1.1.1\n");
    snprintf(text, sizeof(text), "dns: { servers = [ \"127.0.0.1:%d\" ]; static = \"%s\"; };\n",
	     dd_port(d), spath);
    write_file(path, sizeof(path), "bad.conf", text);
    buf_reset(&errs);
    c = conf_load(path, &errs);
    r = c ? dns_resolver_from_conf(c, &why) : NULL;
    ok(c != NULL && r == NULL && why != NULL,
       "from conf: a bad dns.static file refuses the resolver (errors logged)");
    dns_resolver_free(&r);
    conf_unref(&c);
    buf_free(&errs);
}

struct worker {
    struct dns_resolver *r;
    int good;
};

/* work - one thread: lookups through the shared resolver and cache */
static void *work(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < 200; i++) {
	struct dns_answer *a = NULL;
	const char *name = i % 3 == 0 ? "net.test" : i % 3 == 1 ? "example.test" : "nx.test";
	int s = dns_lookup(w->r, name, DNS_T_A, NULL, &a);
	w->good += (i % 3 == 2) ? s == DNS_NOTFOUND : s == DNS_FOUND;
	dns_answer_free(&a);
    }
    return NULL;
}

/* test_threads - 4 threads share one resolver (own res_state each) */
static void test_threads(const char *server)
{
    const char *servers[1] = {server};
    char path[256];
    struct dns_config cfg = {.servers = servers, .nservers = 1, .timeout_ms = 2000,
	.retries = 1, .dnssec = 1, .cache_size = 2, .static_file = path};
    char *why;
    pthread_t th[4];
    struct worker w[4];
    int good = 0;

    write_file(path, sizeof(path), "threads.zone", "example.test. A 192.0.2.1\n");
    struct dns_resolver *r = dns_resolver_open(&cfg, &why);
    for (int i = 0; i < 4; i++) {
	w[i].r = r;
	w[i].good = 0;
	pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
	pthread_join(th[i], NULL);
	good += w[i].good;
    }
    is_int(good, 800, "4 threads x 200 lookups on one resolver: all right");
    dns_resolver_free(&r);
}

int main(void)
{
    struct dd *d = dd_start(AF_INET, answer, NULL);
    char server[64];

    msg_open("test_dns_static", MSG_STDERR, 0);
    if (mkdtemp(tmpdir) == NULL || d == NULL) {
	printf("not ok 1 - temporary directory and DNS double\n1..1\n");
	return 1;
    }
    snprintf(server, sizeof(server), "127.0.0.1:%d", dd_port(d));
    test_answers(d, server);
    test_errors(server);
    test_conf(d);
    test_threads(server);
    dd_stop(&d);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
	diag("could not remove %s", tmpdir);
    return done_testing();
}
