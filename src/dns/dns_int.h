/*
 * NAME
 *	dns_int - internals shared by the files of src/dns
 * SYNOPSIS
 *	#include "dns/dns_int.h"
 * DESCRIPTION
 *	Not for use outside src/dns (and its unit tests): answers
 *	(dns_reply.c), transport (dns_send.c), cache (dns_cache.c) and the
 *	static overrides file (dns_static.c).
 */
#ifndef MXG_DNS_DNS_INT_H
#define MXG_DNS_DNS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "dns/dns.h"

#define DNS_NAME_MAX	1025		/* presentation form incl. \DDD escapes */
#define DNS_CNAME_MAX	8		/* CNAME hops, in answers and re-queries */
#define DNS_UDP_PAYLOAD	1232		/* EDNS0 buffer size we advertise */

/* dns_reply.c */
struct dns_answer *dns_answer_new(enum dns_status status);
struct dns_answer *dns_answer_copy(const struct dns_answer *a);
void dns_answer_reason(struct dns_answer *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void dns_rr_clear(struct dns_rr *rr);
void dns_rr_copy(struct dns_rr *dst, const struct dns_rr *src);
int dns_name_norm(const char *in, char *out, size_t outlen);
int dns_name_norm_blanks(const char *in, char *out, size_t outlen);
int dns_reply_matches(const unsigned char *msg, size_t len, uint16_t id,
		      const char *qname, enum dns_type qtype);

/* dns_send.c */
struct dns_server {
    struct sockaddr_storage ss;
    socklen_t len;
    char text[64];		/* "127.0.0.1:53", "[::1]:5353" */
};
int dns_server_parse(const char *text, struct dns_server *s, const char **why_r);
void dns_server_from_sockaddr(const struct sockaddr *sa, struct dns_server *s);
long long dns_now_ms(void);
int dns_exchange(const struct dns_server *servers, size_t nservers, int timeout_ms,
		 int retries, long long deadline_ms, const unsigned char *query,
		 size_t qlen, const char *qname, enum dns_type qtype,
		 unsigned char **reply_r, size_t *rlen_r, const char **server_r,
		 char *why, size_t whylen);

/* dns.c: the process-wide counters behind dns_stats_get (relaxed atomics) */
enum dns_stat { DNS_STAT_LOOKUPS, DNS_STAT_CACHE_HITS, DNS_STAT_QUERIES, DNS_STAT_ERRORS,
		DNS_STAT_TIMEOUTS, DNS_STAT_COUNT };
void dns_stat_inc(enum dns_stat which);

/* dns_cache.c */
struct dns_cache;
struct dns_cache *dns_cache_new(size_t size);
void dns_cache_free(struct dns_cache **cp);
struct dns_answer *dns_cache_get(struct dns_cache *c, const char *name, enum dns_type type);
void dns_cache_put(struct dns_cache *c, const char *name, enum dns_type type,
		   const struct dns_answer *a);

/* dns_static.c */
struct dns_static;
struct dns_static *dns_static_load(const char *path, char **why_r);
void dns_static_free(struct dns_static **sp);
struct dns_answer *dns_static_lookup(const struct dns_static *s, const char *name,
				     enum dns_type type);

#endif
