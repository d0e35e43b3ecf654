/*
 * NAME
 *	route - where mail for a domain goes: MX hosts and their addresses
 * SYNOPSIS
 *	#include "outbound/route.h"
 *
 *	int ob_route_lookup(struct dns_resolver *dns, const char *domain,
 *			    const char *relay_host, int port,
 *			    struct ob_route **route_r, struct buf *why_r);
 *	void ob_route_free(struct ob_route **rp);
 * DESCRIPTION
 *	MX records of domain (RFC 5321 5.1) through src/dns with their
 *	DNSSEC status: sorted by preference, equal preferences in random
 *	order; no MX records means the implicit MX (the domain itself, pref
 *	0); a null MX (RFC 7505, one MX "." ) means the domain takes no mail.
 *	Each host gets its A then AAAA addresses and whether both address
 *	lookups were secure (AD bit), which decides whether DANE TLSA
 *	records may be used for it (RFC 7672 2.2.2). A host whose address
 *	lookups failed temporarily stays in the list with no addresses and
 *	addr_temp set, so the caller tries the next one and remembers why.
 *
 *	relay_host, when not empty, replaces the MX lookup: "[host]" or
 *	"[host]:port" is used as is (no MX lookup, as in Postfix), "host" or
 *	"host:port" has its MX records looked up. An IP address is used
 *	without any lookup.
 * DIAGNOSTICS
 *	1 route found (at least one host; it may have no usable address),
 *	0 null MX, -1 temporary DNS failure, -2 the domain or its hosts do
 *	not exist (NXDOMAIN, no address at all). *why_r says why for 0, -1,
 *	-2.
 * STANDARDS
 *	RFC 5321 5.1; RFC 7505 (null MX); RFC 7672 2.2 (DNSSEC status of
 *	MX and address records).
 */
#ifndef MXG_OUTBOUND_ROUTE_H
#define MXG_OUTBOUND_ROUTE_H

#include <sys/socket.h>
#include "util/buf.h"

struct dns_resolver;

#define OB_ROUTE_MAX_ADDRS 8
#define OB_ROUTE_MAX_HOSTS 16

struct ob_host {
    char *name;			/* MX host name (or the relay host) */
    int pref;
    int port;
    int addr_secure;		/* all address records were authenticated */
    int addr_temp;		/* an address lookup failed temporarily */
    int naddrs;
    struct sockaddr_storage addrs[OB_ROUTE_MAX_ADDRS];
};

struct ob_route {
    int mx_secure;		/* the MX answer (or its absence) was authenticated */
    int implicit;		/* no MX: the domain is its own host */
    int nhosts;
    struct ob_host hosts[OB_ROUTE_MAX_HOSTS];
};

int ob_route_lookup(struct dns_resolver *dns, const char *domain, const char *relay_host,
		    int port, struct ob_route **route_r, struct buf *why_r);
void ob_route_free(struct ob_route **rp);

#endif
