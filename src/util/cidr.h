/*
 * NAME
 *	cidr - IPv4/IPv6 addresses and networks
 * SYNOPSIS
 *	struct cidr { int family; unsigned char addr[16]; int bits; };
 *	int cidr_parse(const char *text, struct cidr *r, const char **why_r);
 *	int cidr_addr_parse(const char *text, struct cidr *r);
 *	int cidr_match(const struct cidr *net, const struct cidr *addr);
 *	int cidr_from_sockaddr(const struct sockaddr *sa, struct cidr *r);
 *	void cidr_format(const struct cidr *c, char *out, size_t outlen);
 * DESCRIPTION
 *	cidr_parse accepts "192.0.2.1", "192.0.2.0/24", "2001:db8::/32",
 *	"[2001:db8::1]" and "[2001:db8::]/32". Host bits set below the prefix
 *	are an error ("192.0.2.1/24"), as in Postfix, because they are
 *	almost always a typo. IPv4-mapped IPv6 addresses match IPv4 networks.
 * DIAGNOSTICS
 *	cidr_parse: 0 ok, -1 with *why_r set to a static reason.
 *	cidr_match: 1 inside, 0 outside (also for different families).
 */
#ifndef MXG_UTIL_CIDR_H
#define MXG_UTIL_CIDR_H
#include <stddef.h>
#include <sys/socket.h>

struct cidr {
    int family;			/* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int bits;
};

int cidr_parse(const char *text, struct cidr *r, const char **why_r);
int cidr_addr_parse(const char *text, struct cidr *r);
int cidr_match(const struct cidr *net, const struct cidr *addr);
int cidr_from_sockaddr(const struct sockaddr *sa, struct cidr *r);
void cidr_format(const struct cidr *c, char *out, size_t outlen);

#endif
