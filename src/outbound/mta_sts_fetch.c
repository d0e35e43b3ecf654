/*
 * NAME
 *	mta_sts_fetch.c - the HTTPS GET of an MTA-STS policy, with libcurl
 * DESCRIPTION
 *	See mta_sts.h (ob_sts_fetch). The host is resolved by mxguard's own
 *	validating resolver and handed to libcurl with CURLOPT_RESOLVE, so
 *	libcurl never asks the system resolver and the certificate is still
 *	checked against the name mta-sts.DOMAIN.
 */
#include "config.h"
#include "outbound/mta_sts.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns/dns.h"

struct fetch_body {
    struct buf *out;
    int too_big;
};

/* fetch_write - collect the body, at most OB_STS_POLICY_MAX bytes */
static size_t fetch_write(char *data, size_t size, size_t n, void *ctx)
{
    struct fetch_body *b = ctx;

    if (b->out->len + size * n > OB_STS_POLICY_MAX) {
	b->too_big = 1;
	return 0;		/* aborts the transfer */
    }
    buf_append(b->out, data, size * n);
    return size * n;
}

/* fetch_addr - an address of host from our resolver, as text; -1 none */
static int fetch_addr(struct dns_resolver *dns, const char *host, char *out, size_t len)
{
    static const enum dns_type types[] = { DNS_T_A, DNS_T_AAAA };
    int r = -1;

    for (size_t t = 0; t < 2 && r < 0; t++) {
	struct dns_answer *a = NULL;

	if (dns_lookup(dns, host, types[t], NULL, &a) == DNS_FOUND && a->count > 0) {
	    if (types[t] == DNS_T_A)
		r = inet_ntop(AF_INET, a->rrs[0].u.addr, out, (socklen_t) len) ? 0 : -1;
	    else if (len > 2 && inet_ntop(AF_INET6, a->rrs[0].u.addr, out + 1,
					  (socklen_t) len - 2)) {
		out[0] = '[';	/* CURLOPT_RESOLVE wants IPv6 in brackets */
		snprintf(out + strlen(out), len - strlen(out), "]");
		r = 0;
	    }
	}
	dns_answer_free(&a);
    }
    return r;
}

/* ob_sts_fetch - GET the policy of domain; 0 ok */
int ob_sts_fetch(const struct ob_sts *st, struct dns_resolver *dns, const char *domain,
		 struct buf *body_r, struct buf *why_r)
{
    char host[300], addr[64], url[400], resolve[400];
    struct fetch_body b = { body_r, 0 };
    struct curl_slist *res = NULL;
    long status = 0;
    char *ctype = NULL;
    CURL *c;
    CURLcode rc;
    int ok = -1;

    snprintf(host, sizeof(host), "mta-sts.%s", domain);
    if (fetch_addr(dns, host, addr, sizeof(addr)) < 0) {
	buf_printf(why_r, "%s: no address", host);
	return -1;
    }
    snprintf(url, sizeof(url), "https://%s:%d/.well-known/mta-sts.txt", host, st->port);
    snprintf(resolve, sizeof(resolve), "%s:%d:%s", host, st->port, addr);
    if ((c = curl_easy_init()) == NULL || (res = curl_slist_append(NULL, resolve)) == NULL) {
	buf_printf(why_r, "libcurl: out of memory");
	goto done;
    }
    (void) curl_easy_setopt(c, CURLOPT_URL, url);
    (void) curl_easy_setopt(c, CURLOPT_RESOLVE, res);
    (void) curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    (void) curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);	/* RFC 8461 3.3 */
    (void) curl_easy_setopt(c, CURLOPT_PROXY, "");	/* no *_proxy from the environment */
    (void) curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);	/* threads */
    (void) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, st->timeout_ms);
    (void) curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    (void) curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (*st->ca_file)
	(void) curl_easy_setopt(c, CURLOPT_CAINFO, st->ca_file);
    (void) curl_easy_setopt(c, CURLOPT_USERAGENT, "mxguard-outbound");
    (void) curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
    (void) curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    rc = curl_easy_perform(c);
    if (b.too_big) {
	buf_printf(why_r, "%s: policy larger than %d bytes", url, OB_STS_POLICY_MAX);
    } else if (rc != CURLE_OK) {
	buf_printf(why_r, "%s: %s", url, curl_easy_strerror(rc));
    } else if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK
	       || status != 200) {
	buf_printf(why_r, "%s: HTTP status %ld", url, status);
    } else if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) != CURLE_OK || ctype == NULL
	       || strncasecmp(ctype, "text/plain", 10) != 0) {
	buf_printf(why_r, "%s: Content-Type %s, not text/plain", url, ctype ? ctype : "none");
    } else {
	ok = 0;
    }
  done:
    curl_slist_free_all(res);
    if (c != NULL)
	curl_easy_cleanup(c);
    return ok;
}
