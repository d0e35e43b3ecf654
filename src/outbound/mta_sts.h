/*
 * NAME
 *	mta_sts - a recipient domain's MTA-STS policy (RFC 8461): DNS, HTTPS, cache
 * SYNOPSIS
 *	#include "outbound/mta_sts.h"
 *
 *	struct ob_sts *ob_sts_new(const struct conf *c);
 *	void ob_sts_free(struct ob_sts **sp);
 *	int ob_sts_enforce_all(const struct ob_sts *st);
 *	int ob_sts_lookup(struct ob_sts *st, struct dns_resolver *dns,
 *			  const char *domain, struct ob_sts_policy *p);
 *	int ob_sts_fetch(const struct ob_sts *st, struct dns_resolver *dns,
 *			 const char *domain, struct buf *body_r, struct buf *why_r);
 * DESCRIPTION
 *	ob_sts_lookup() finds the policy of domain as RFC 8461 5.1 says:
 *	the TXT record at _mta-sts.DOMAIN (exactly one record starting with
 *	"v=STSv1", else none) gives the policy id; a policy cached in the
 *	store under "mta-sts:DOMAIN" with that id is used as it is; else the
 *	policy is fetched (ob_sts_fetch), parsed (mta_sts_parse.h) and
 *	cached for its max_age. Without a valid TXT record, or when the
 *	fetch or the parse fails, a cached policy that has not expired is
 *	still used; otherwise there is none. Every outcome is logged once
 *	per lookup.
 *
 *	ob_sts_fetch() is the HTTPS GET of
 *	https://mta-sts.DOMAIN[:outbound.mta_sts_port]/.well-known/mta-sts.txt
 *	with libcurl: the host name resolved through mxguard's own resolver
 *	(dns, A then AAAA), PKIX verification of the certificate for that
 *	name (outbound.mta_sts_ca_file, else the system CA store), https
 *	only, no redirects (RFC 8461 3.3), no proxies from the environment,
 *	outbound.mta_sts_timeout_s for everything, a body of at most 64 KiB,
 *	status 200 with Content-Type text/plain.
 *
 *	ob_sts_enforce_all() is outbound.mta_sts: an enforce policy then
 *	applies to all mail, not only to REQUIRETLS messages whose MX lookup
 *	was not DNSSEC-validated.
 *
 *	The store (store.redis, else store.lmdb) is opened on first use, as
 *	the EHLO cache's is, after the privilege drop.
 * DIAGNOSTICS
 *	ob_sts_lookup: 1 policy in *p, 0 none. ob_sts_fetch: 0 body in
 *	*body_r, -1 with *why_r.
 * STANDARDS
 *	RFC 8461 3.1-3.3, 5.1 (MTA-STS); RFC 6125 (names).
 */
#ifndef MXG_OUTBOUND_MTA_STS_H
#define MXG_OUTBOUND_MTA_STS_H

#include "conf/conf.h"
#include "outbound/mta_sts_parse.h"
#include "util/buf.h"

#include <pthread.h>

struct dns_resolver;
struct store;

struct ob_sts {
    int enforce_all;		/* outbound.mta_sts */
    char *ca_file;		/* outbound.mta_sts_ca_file; "" system store */
    int port;			/* outbound.mta_sts_port */
    long timeout_ms;		/* outbound.mta_sts_timeout_s */
    char *spec, *name;		/* the store to open on first use, its log name */
    struct store *store;
    int failed;			/* the store could not be opened: no cache */
    pthread_mutex_t lock;	/* guards store, failed */
};

struct ob_sts *ob_sts_new(const struct conf *c);
void ob_sts_free(struct ob_sts **sp);
int ob_sts_enforce_all(const struct ob_sts *st);
int ob_sts_lookup(struct ob_sts *st, struct dns_resolver *dns, const char *domain,
		  struct ob_sts_policy *p);
int ob_sts_fetch(const struct ob_sts *st, struct dns_resolver *dns, const char *domain,
		 struct buf *body_r, struct buf *why_r);

#endif
