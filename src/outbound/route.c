/*
 * NAME
 *	route.c - MX and address resolution for a destination
 * DESCRIPTION
 *	See route.h.
 */
#include "config.h"
#include "outbound/route.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dns/dns.h"
#include "util/xmalloc.h"

/* route_literal - fill an address from an IP literal; 1 it was one, 0 not */
static int route_literal(const char *name, int port, struct sockaddr_storage *ss)
{
    struct sockaddr_in *sin = (struct sockaddr_in *) ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

    memset(ss, 0, sizeof(*ss));
    if (inet_pton(AF_INET, name, &sin->sin_addr) == 1) {
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short) port);
	return 1;
    }
    if (inet_pton(AF_INET6, name, &sin6->sin6_addr) == 1) {
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short) port);
	return 1;
    }
    return 0;
}

/* route_addrs - look up A then AAAA of one host; 1 some, 0 none, -1 temporary */
static int route_addrs(struct dns_resolver *dns, struct ob_host *h, struct buf *why_r)
{
    static const enum dns_type types[] = { DNS_T_A, DNS_T_AAAA };
    int secure = 1, temp = 0;

    if (route_literal(h->name, h->port, &h->addrs[0])) {
	h->naddrs = 1;
	return 1;
    }
    for (size_t t = 0; t < 2; t++) {
	struct dns_answer *a = NULL;
	int st = dns_lookup(dns, h->name, types[t], NULL, &a);

	if (st == DNS_FOUND) {
	    for (size_t i = 0; i < a->count && h->naddrs < OB_ROUTE_MAX_ADDRS; i++) {
		struct sockaddr_storage *ss = &h->addrs[h->naddrs++];

		memset(ss, 0, sizeof(*ss));
		if (types[t] == DNS_T_A) {
		    struct sockaddr_in *sin = (struct sockaddr_in *) ss;

		    sin->sin_family = AF_INET;
		    sin->sin_port = htons((unsigned short) h->port);
		    memcpy(&sin->sin_addr, a->rrs[i].u.addr, 4);
		} else {
		    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

		    sin6->sin6_family = AF_INET6;
		    sin6->sin6_port = htons((unsigned short) h->port);
		    memcpy(&sin6->sin6_addr, a->rrs[i].u.addr, 16);
		}
	    }
	}
	if (st == DNS_TEMP || st == DNS_PERM) {
	    temp = 1;
	    buf_reset(why_r);
	    buf_printf(why_r, "%s lookup of %s: %s", dns_type_name(types[t]), h->name,
		       a->reason != NULL ? a->reason : "temporary failure");
	}
	if (!a->secure)
	    secure = 0;
	dns_answer_free(&a);
    }
    h->addr_secure = secure && !temp;
    h->addr_temp = temp;
    if (h->naddrs > 0)
	return 1;
    return temp ? -1 : 0;
}

/* route_shuffle - sort by preference, random order among equals */
static void route_shuffle(struct ob_route *r)
{
    unsigned int rnd[OB_ROUTE_MAX_HOSTS];

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t) sizeof(rnd))
	memset(rnd, 0, sizeof(rnd));
    /* insertion sort on (pref, random key): at most 16 hosts */
    for (int i = 1; i < r->nhosts; i++) {
	struct ob_host h = r->hosts[i];
	unsigned int k = rnd[i];
	int j = i - 1;

	while (j >= 0 && (r->hosts[j].pref > h.pref
			  || (r->hosts[j].pref == h.pref && rnd[j] > k))) {
	    r->hosts[j + 1] = r->hosts[j];
	    rnd[j + 1] = rnd[j];
	    j--;
	}
	r->hosts[j + 1] = h;
	rnd[j + 1] = k;
    }
}

/* route_relay_split - "[h]:p" / "h:p" into name, port, and whether to skip MX */
static void route_relay_split(const char *relay, int port, char **name_r, int *port_r,
			      int *no_mx_r)
{
    const char *colon;
    char *name;

    *port_r = port;
    *no_mx_r = 0;
    if (*relay == '[') {
	const char *end = strchr(relay, ']');

	*no_mx_r = 1;
	if (end == NULL)
	    end = relay + strlen(relay);
	name = xstrndup(relay + 1, (size_t) (end - relay - 1));
	if (*end == ']' && end[1] == ':')
	    *port_r = atoi(end + 2);
    } else if ((colon = strrchr(relay, ':')) != NULL && strchr(relay, ':') == colon) {
	name = xstrndup(relay, (size_t) (colon - relay));
	*port_r = atoi(colon + 1);
    } else {
	name = xstrdup(relay);
    }
    if (*port_r <= 0 || *port_r > 65535)
	*port_r = port;
    *name_r = name;
}

/* route_mx - fill r from the MX records of name; returns like ob_route_lookup */
static int route_mx(struct dns_resolver *dns, const char *name, int port, struct ob_route *r,
		    struct buf *why_r)
{
    struct dns_answer *a = NULL;
    int st = dns_lookup(dns, name, DNS_T_MX, NULL, &a);
    int ret = 1;

    r->mx_secure = a->secure;
    if (st == DNS_TEMP || st == DNS_PERM) {
	buf_printf(why_r, "MX lookup of %s: %s", name, a->reason ? a->reason : "failed");
	ret = -1;
    } else if (st == DNS_NOTFOUND && a->nxdomain) {
	buf_printf(why_r, "domain %s does not exist (NXDOMAIN)", name);
	ret = -2;
    } else if (st == DNS_NOTFOUND) {
	r->implicit = 1;
	r->nhosts = 1;
	r->hosts[0].name = xstrdup(name);
	r->hosts[0].port = port;
    } else if (a->count == 1 && a->rrs[0].u.mx.exchange[0] == 0) {
	buf_printf(why_r, "domain %s does not accept mail (null MX, RFC 7505)", name);
	ret = 0;
    } else {
	for (size_t i = 0; i < a->count && r->nhosts < OB_ROUTE_MAX_HOSTS; i++) {
	    if (a->rrs[i].u.mx.exchange[0] == 0)
		continue;
	    r->hosts[r->nhosts].name = xstrdup(a->rrs[i].u.mx.exchange);
	    r->hosts[r->nhosts].pref = a->rrs[i].u.mx.pref;
	    r->hosts[r->nhosts].port = port;
	    r->nhosts++;
	}
	if (r->nhosts == 0) {
	    buf_printf(why_r, "domain %s has no usable MX host", name);
	    ret = -2;
	}
	route_shuffle(r);
    }
    dns_answer_free(&a);
    return ret;
}

/* ob_route_lookup - the hosts and addresses for domain */
int ob_route_lookup(struct dns_resolver *dns, const char *domain, const char *relay_host,
		    int port, struct ob_route **route_r, struct buf *why_r)
{
    struct ob_route *r = xcalloc(1, sizeof(*r));
    struct buf last = BUF_INIT;
    int ret, any = 0, temp = 0;

    *route_r = NULL;
    if (relay_host != NULL && *relay_host) {
	char *name;
	int rport, no_mx;

	route_relay_split(relay_host, port, &name, &rport, &no_mx);
	if (no_mx) {
	    r->nhosts = 1;
	    r->hosts[0].name = name;
	    r->hosts[0].port = rport;
	    ret = 1;
	} else {
	    ret = route_mx(dns, name, rport, r, why_r);
	    free(name);
	}
    } else {
	ret = route_mx(dns, domain, port, r, why_r);
    }
    if (ret != 1) {
	ob_route_free(&r);
	return ret;
    }
    for (int i = 0; i < r->nhosts; i++) {
	int st = route_addrs(dns, &r->hosts[i], &last);

	any |= st == 1;
	temp |= st == -1;
    }
    if (!any) {
	if (temp)
	    buf_puts(why_r, buf_str(&last));
	else
	    buf_printf(why_r, "no address for the mail hosts of %s", domain);
	buf_free(&last);
	ob_route_free(&r);
	return temp ? -1 : -2;
    }
    buf_free(&last);
    *route_r = r;
    return 1;
}

/* ob_route_free - release a route */
void ob_route_free(struct ob_route **rp)
{
    if (*rp == NULL)
	return;
    for (int i = 0; i < (*rp)->nhosts; i++)
	free((*rp)->hosts[i].name);
    free(*rp);
    *rp = NULL;
}
