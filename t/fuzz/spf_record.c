/*
 * NAME
 *	t/fuzz/spf_record.c - SPF record text and macro expansion
 * DESCRIPTION
 *	The input, up to its first NUL, is evaluated as the best-guess record
 *	of a domain that publishes none, through spf_eval: the production
 *	path of a record (strict syntax check, rewrite, libspf2's
 *	SPF_record_compile and interpretation with its macro expansion of
 *	every domain-spec, our DNS layer). The fixed request: client
 *	192.0.2.1 (2001:db8::1 for inputs of odd length), sender
 *	user@nospf.example, HELO helo.nospf.example. Names of a small
 *	dns.static file answer at once; any other name goes to a closed
 *	loopback port (an immediate temporary error), under a short time
 *	budget. The text after the first NUL (or the whole input) is then
 *	expanded as explanation text by spf_macro_expand when it passes
 *	spf_macro_syntax, as spf_dns_get_exp does. The libspf2 CVEs of
 *	2021 and 2023 were in this expansion code.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "check/spf.h"
#include "check/spf_int.h"
#include "dns/dns.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char static_zone[] =
    "nospf.example. A 192.0.2.1\n"
    "nospf.example. MX 10 mx.nospf.example.\n"
    "mx.nospf.example. A 192.0.2.1\n"
    "mx.nospf.example. AAAA 2001:db8::1\n"
    "1.2.0.192.in-addr.arpa. PTR mx.nospf.example.\n"
    "exp.nospf.example. TXT \"%{s} %{l} %{o} %{d} %{i} %{p} %{v} %{h} %{c} %{r} %{t} %{ir}.%{d2}\"\n";

/* fuzz_resolver - a resolver answering from static data, else failing fast */
static struct dns_resolver *fuzz_resolver(void)
{
    static struct dns_resolver *r;
    static char path[] = "/tmp/mxguard-fuzz-spf.XXXXXX";
    static const char *const servers[] = {"127.0.0.1:1"};
    struct dns_config cfg = {.servers = servers, .nservers = 1, .timeout_ms = 5,
	.retries = 0, .cache_size = 0, .static_file = path};
    char *why = NULL;
    int fd;

    if (r)
	return r;
    if ((fd = mkstemp(path)) < 0 || write(fd, static_zone, sizeof(static_zone) - 1) < 0)
	abort();
    close(fd);
    r = dns_resolver_open(&cfg, &why);
    unlink(path);
    if (r == NULL) {
	fprintf(stderr, "fuzz_spf_record: resolver: %s\n", why ? why : "?");
	abort();
    }
    return r;
}

/* fuzz_explanation - expand text as exp= text with a fixed request */
static void fuzz_explanation(struct dns_resolver *r, const char *text, int six)
{
    struct spf_dns_ctx ctx;
    SPF_server_t *server;
    SPF_request_t *req;
    struct buf out = BUF_INIT;
    const char *why;
    int end_macro;

    if (spf_macro_syntax(text, 1, &end_macro, &why) < 0)
	return;
    spf_dns_init(&ctx, r, 50);
    ctx.family = six ? AF_INET6 : AF_INET;
    inet_pton(ctx.family, six ? "2001:db8::1" : "192.0.2.1", ctx.addr);
    ctx.receiver = "mx.example";
    server = SPF_server_new_dns(spf_dns_server(&ctx), 0);
    req = SPF_request_new(server);
    if (six) {
	struct in6_addr a6;

	memcpy(&a6, ctx.addr, 16);
	SPF_request_set_ipv6(req, a6);
    } else {
	struct in_addr a4;

	memcpy(&a4, ctx.addr, 4);
	SPF_request_set_ipv4(req, a4);
    }
    SPF_request_set_helo_dom(req, "helo.nospf.example");
    SPF_request_set_env_from(req, "user@nospf.example");
    req->cur_dom = req->env_from_dp;
    ctx.req = req;
    spf_macro_expand(&ctx, text, &out);
    buf_free(&out);
    SPF_request_free(req);
    SPF_server_free(server);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct dns_resolver *r = fuzz_resolver();
    char *text = malloc(size + 1);
    size_t n = strnlen((const char *) data, size);
    struct spf_request req = {.sender = "user@nospf.example", .helo = "helo.nospf.example",
	.receiver = "mx.example", .time_budget_ms = 50};
    struct spf_outcome o;
    const char *why;
    int six = size % 2;

    if (text == NULL)
	return 0;
    memcpy(text, data, size);
    text[size] = 0;
    req.ip = six ? "2001:db8::1" : "192.0.2.1";
    req.guess = text;			/* up to the first NUL */
    if (spf_eval(r, &req, &o, &why) == 0)
	spf_outcome_free(&o);
    fuzz_explanation(r, n < size ? text + n + 1 : text, six);
    free(text);
    return 0;
}
