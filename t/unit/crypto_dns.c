/*
 * NAME
 *	crypto_dns - DKIM and ARC keys through src/dns (crypto_keyfetch_dns)
 * DESCRIPTION
 *	The resolver answers the RFC 8463 key records from a dns.static file
 *	and sends every other name to a closed port, so a key outside the
 *	file is a temporary failure: DKIM must say temperror and ARC must
 *	not say fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crypto/arc.h"
#include "crypto/dkim.h"
#include "dns/dns.h"
#include "mail/msg.h"
#include "util/xmalloc.h"
#include "t/tap.h"
#include "t/datafile.h"

/* slurp - a file of t/data/dkim */
static char *slurp(const char *name, size_t *len_r)
{
    char rel[256];

    snprintf(rel, sizeof(rel), "dkim/%s", name);
    return t_data_file(rel, len_r);
}

/* dkim_results - verify a message text; returns the count */
static size_t dkim_results(const char *text, size_t len, struct crypto_keysrc *src,
			   int *r, const char **why, size_t max)
{
    struct mail_msg *m = NULL;
    const struct dkim_result *res;
    struct dkim_verify *v;
    const char *e;
    size_t  n, k;

    if (mail_msg_read_buf(text, len, &m, &e) < 0)
	return 0;
    v = dkim_verify_start(m->hdrs, NULL);
    dkim_verify_body(v, m->body, m->body_len);
    n = dkim_verify_end(v, src, &res);
    for (k = 0; k < n && k < max; k++) {
	r[k] = res[k].result;
	why[k] = res[k].reason ? res[k].reason : "";
    }
    dkim_verify_free(&v);
    mail_msg_free(&m);
    return n;
}

int     main(void)
{
    char    zone[] = "/tmp/mxguard-crypto-dns.XXXXXX", *why = NULL, *keys, *msg, *tmp;
    const char *servers[] = {"127.0.0.1:9"}, *reasons[4], *e, *p;
    struct dns_config cfg;
    struct dns_resolver *r;
    struct crypto_keysrc src = {NULL, NULL, NULL, 0};
    struct mail_msg *m = NULL;
    struct arc_result ar;
    struct arc_verify *av;
    size_t  klen, mlen, n;
    int     res[4] = {0}, fd = mkstemp(zone);
    FILE   *fp = fdopen(fd, "w");

    /* rfc8463_keys.txt lines are "name record": write them as TXT */
    keys = slurp("rfc8463_keys.txt", &klen);
    for (p = keys; *p;) {
	const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');

	if (sp == NULL)
	    break;
	fprintf(fp, "%.*s. TXT \"%.*s\"\n", (int) (sp - p), p,
		(int) ((nl ? nl : p + strlen(p)) - sp - 1), sp + 1);
	p = nl ? nl + 1 : p + strlen(p);
    }
    fclose(fp);
    memset(&cfg, 0, sizeof(cfg));
    cfg.servers = servers;
    cfg.nservers = 1;
    cfg.timeout_ms = 200;
    cfg.retries = 0;
    cfg.static_file = zone;
    if ((r = dns_resolver_open(&cfg, &why)) == NULL) {
	printf("Bail out! resolver: %s\n", why);
	return 1;
    }
    src.fetch = crypto_keyfetch_dns;
    src.ctx = r;
    src.cache = crypto_keycache_alloc(64, 300);

    msg = slurp("rfc8463_A3_signed.eml", &mlen);
    n = dkim_results(msg, mlen, &src, res, reasons, 4);
    ok(n == 2 && res[0] == DKIM_PASS && res[1] == DKIM_PASS,
       "both RFC 8463 signatures verify with keys from src/dns");

    /* the same signatures under a selector the file does not hold */
    tmp = xstrdup(msg);
    while ((e = strstr(tmp, "s=brisbane")) != NULL)
	memcpy((char *) e, "s=tmpfail", 9), memmove((char *) e + 9, e + 10, strlen(e + 10) + 1);
    n = dkim_results(tmp, strlen(tmp), &src, res, reasons, 4);
    ok(n == 2 && res[0] == DKIM_TEMPERROR,
       "a key lookup that times out is temperror, not fail (%s)", n ? reasons[0] : "");
    free(tmp);

    tmp = xasprintf("ARC-Seal: i=1; a=ed25519-sha256; cv=none; d=nowhere.example; s=x; b=AAAA\r\n"
		    "ARC-Message-Signature: i=1; a=ed25519-sha256; c=simple/simple; "
		    "d=nowhere.example; s=x; h=from; bh=%s; b=AAAA\r\n"
		    "ARC-Authentication-Results: i=1; nowhere.example; none\r\n%s",
		    "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=", msg);
    if (mail_msg_read_buf(tmp, strlen(tmp), &m, &e) == 0) {
	av = arc_verify_start(m->hdrs);
	arc_verify_body(av, m->body, m->body_len);
	arc_verify_end(av, &src, &ar);
	ok(ar.state == ARC_TEMPERROR, "an ARC key lookup that times out is temperror (%s)",
	   arc_state_name(ar.state));
	arc_result_clear(&ar);
	arc_verify_free(&av);
	mail_msg_free(&m);
    } else {
	ok(0, "the ARC test message parses");
    }
    free(tmp);
    crypto_keycache_free(&src.cache);
    dns_resolver_free(&r);
    unlink(zone);
    free(msg);
    free(keys);
    return done_testing();
}
