/*
 * cidr.c - parse and match IPv4/IPv6 networks. See cidr.h.
 */
#include "config.h"
#include "util/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cidr_addr_text - parse a bare address (brackets allowed around IPv6) */
static int cidr_addr_text(const char *text, size_t len, struct cidr *r)
{
    char tmp[INET6_ADDRSTRLEN + 2];

    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
	text++;
	len -= 2;
    }
    if (len == 0 || len >= sizeof(tmp))
	return -1;
    memcpy(tmp, text, len);
    tmp[len] = 0;
    memset(r, 0, sizeof(*r));
    if (inet_pton(AF_INET, tmp, r->addr) == 1) {
	r->family = AF_INET;
	r->bits = 32;
	return 0;
    }
    if (inet_pton(AF_INET6, tmp, r->addr) == 1) {
	r->family = AF_INET6;
	r->bits = 128;
	return 0;
    }
    return -1;
}

int cidr_addr_parse(const char *text, struct cidr *r)
{
    return cidr_addr_text(text, strlen(text), r);
}

/* cidr_host_bits_clear - 1 if every bit below the prefix is zero */
static int cidr_host_bits_clear(const struct cidr *c)
{
    int nbytes = c->family == AF_INET ? 4 : 16;
    for (int i = 0; i < nbytes; i++) {
	int keep = c->bits - 8 * i;
	unsigned char mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (unsigned char) (0xff << (8 - keep));
	if (c->addr[i] & (unsigned char) ~mask)
	    return 0;
    }
    return 1;
}

int cidr_parse(const char *text, struct cidr *r, const char **why_r)
{
    const char *slash = strchr(text, '/');
    size_t alen = slash ? (size_t) (slash - text) : strlen(text);

    if (cidr_addr_text(text, alen, r) < 0) {
	*why_r = "not an IPv4 or IPv6 address";
	return -1;
    }
    if (slash == NULL)
	return 0;
    const char *p = slash + 1;
    if (*p < '0' || *p > '9' || strlen(p) > 3) {
	*why_r = "bad prefix length";
	return -1;
    }
    char *end;
    long bits = strtol(p, &end, 10);
    int max = r->family == AF_INET ? 32 : 128;
    if (*end != 0 || bits < 0 || bits > max) {
	*why_r = r->family == AF_INET ? "prefix length must be 0..32" : "prefix length must be 0..128";
	return -1;
    }
    r->bits = (int) bits;
    if (!cidr_host_bits_clear(r)) {
	*why_r = "address has host bits set below the prefix length";
	return -1;
    }
    return 0;
}

/* cidr_unmap - turn ::ffff:a.b.c.d[/96+n] into a.b.c.d[/n] for matching */
static void cidr_unmap(const struct cidr *in, struct cidr *out)
{
    static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    *out = *in;
    if (in->family == AF_INET6 && in->bits >= 96 && memcmp(in->addr, prefix, 12) == 0) {
	memset(out, 0, sizeof(*out));
	out->family = AF_INET;
	memcpy(out->addr, in->addr + 12, 4);
	out->bits = in->bits - 96;
    }
}

int cidr_match(const struct cidr *net, const struct cidr *addr)
{
    struct cidr a, n;
    cidr_unmap(addr, &a);
    cidr_unmap(net, &n);
    if (n.family != a.family)
	return 0;
    int full = n.bits / 8, rest = n.bits % 8;
    if (memcmp(n.addr, a.addr, (size_t) full) != 0)
	return 0;
    if (rest) {
	unsigned char mask = (unsigned char) (0xff << (8 - rest));
	if ((n.addr[full] & mask) != (a.addr[full] & mask))
	    return 0;
    }
    return 1;
}

int cidr_from_sockaddr(const struct sockaddr *sa, struct cidr *r)
{
    memset(r, 0, sizeof(*r));
    if (sa->sa_family == AF_INET) {
	const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
	r->family = AF_INET;
	memcpy(r->addr, &in->sin_addr, 4);
	r->bits = 32;
	return 0;
    }
    if (sa->sa_family == AF_INET6) {
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
	r->family = AF_INET6;
	memcpy(r->addr, &in6->sin6_addr, 16);
	r->bits = 128;
	return 0;
    }
    return -1;
}

void cidr_format(const struct cidr *c, char *out, size_t outlen)
{
    char a[INET6_ADDRSTRLEN];
    if (inet_ntop(c->family, c->addr, a, sizeof(a)) == NULL) {
	snprintf(out, outlen, "?");
	return;
    }
    if (c->bits == (c->family == AF_INET ? 32 : 128))
	snprintf(out, outlen, "%s", a);
    else
	snprintf(out, outlen, "%s/%d", a, c->bits);
}
