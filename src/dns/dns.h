/*
 * NAME
 *	dns - the one resolver of mxguard
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	struct dns_config { ... };   servers, timeout, retries, dnssec, cache, static file
 *	struct dns_resolver *dns_resolver_new(const struct dns_config *cfg, const char **why_r);
 *	struct dns_resolver *dns_resolver_open(const struct dns_config *cfg,
 *					       char **why_r);   (malloc'ed reason)
 *	struct dns_resolver *dns_resolver_from_conf(const struct conf *c,
 *						    const char **why_r);
 *	void dns_resolver_free(struct dns_resolver **rp);
 *
 *	int dns_lookup(struct dns_resolver *r, const char *name, enum dns_type type,
 *		       struct dns_budget *budget, struct dns_answer **answer_r);
 *	int dns_lookup_blanks(struct dns_resolver *r, const char *name,
 *			      enum dns_type type, struct dns_budget *budget,
 *			      struct dns_answer **answer_r);
 *	void dns_answer_free(struct dns_answer **ap);
 *	const char *dns_type_name(enum dns_type t);
 *	void dns_stats_get(struct dns_stats *s);
 *	const char *dns_status_name(enum dns_status s);
 *	int dns_reverse_name(int family, const unsigned char *addr,
 *			     char *out, size_t outlen);    (for PTR lookups)
 *
 *	int dns_reply_parse(const unsigned char *msg, size_t len, const char *qname,
 *			    enum dns_type qtype, struct dns_answer **answer_r);
 * DESCRIPTION
 *	Built on the glibc resolver with a per-thread res_state (res_ninit,
 *	RES_USE_EDNS0 | RES_USE_DNSSEC | RES_TRUSTAD) that builds each query
 *	with res_nmkquery (+ OPT with DO=1, AD, a getrandom() ID); the query
 *	is sent by our own UDP/TCP code (dns_send.c: thread safe, any address
 *	family and port, replies checked against ID and question), and the
 *	reply is parsed by dns_reply_parse, so the AD bit and the RCODE of
 *	every answer are visible. A dns_resolver is shared by threads; it
 *	keeps one res_state per thread under a pthread key it owns, a
 *	bounded TTL-honouring cache (never DNS_TEMP/DNS_PERM; negative
 *	answers per RFC 2308) and the optional static file (dns_static.c).
 *	Free a resolver only after the threads that used it stopped using it.
 *
 *	Results are tri-state plus permanent error: DNS_FOUND (rrs, secure =
 *	AD bit), DNS_NOTFOUND (NXDOMAIN or NODATA, nxdomain says which,
 *	secure when the negative answer was authenticated), DNS_TEMP
 *	(SERVFAIL, REFUSED, timeout, network), DNS_PERM (malformed answer).
 *	NXDOMAIN is never confused with SERVFAIL. CNAMEs are followed (the
 *	answer's canonical name says where it ended). TXT strings of one
 *	record are joined without separators (RFC 7208 3.3, RFC 6376 3.6.2.2).
 *
 *	A dns_budget, when given, is charged one per network or cache query
 *	and makes dns_lookup return DNS_PERM with reason "lookup budget
 *	exhausted" when empty (SPF's RFC 7208 4.6.4 limits), and DNS_TEMP
 *	with "time budget exhausted" past its deadline.
 *
 *	dns_stats_get copies process-wide counters (relaxed atomics, for
 *	metrics): lookups (each name/type step of dns_lookup, static file
 *	included), cache hits, queries sent to the network, network answers
 *	that were DNS_TEMP/DNS_PERM, and attempts that timed out (a lookup
 *	retried over several servers counts each timeout).
 * DIAGNOSTICS
 *	dns_lookup returns the status; *answer_r is always set (free it).
 *	dns_reply_parse: 0 parsed, -1 malformed (answer->status DNS_PERM).
 *	Its qname may be NULL (accept the reply's own question: tools, fuzz).
 *	dns_reverse_name: 0, or -1 (bad family, out too small; 73 bytes do).
 *
 *	Status of each reply code: NOERROR with records DNS_FOUND, NOERROR
 *	without records or NXDOMAIN DNS_NOTFOUND; every other RCODE
 *	(SERVFAIL, REFUSED, FORMERR, NOTIMP, ...) is DNS_TEMP, as RFC 7208
 *	5 and RFC 7489 6.6.3 ask (another server or a later try may work);
 *	the next server is tried first. DNS_PERM means a reply that matched
 *	our query (ID, question) but could not be parsed, a CNAME loop or
 *	chain longer than 8, a name that cannot be queried (names are ASCII
 *	A-labels; blanks, controls, 8-bit bytes, backslashes, empty or long
 *	labels give "bad name" without a packet), or an empty budget. Replies with a wrong ID or question are ignored (RFC 5452).
 *	dns_lookup_blanks is dns_lookup for the one caller whose names may
 *	hold blanks: SPF targets built by macro expansion (RFC 7208 7.3
 *	puts no limit on the bytes a macro brings in); each blank is sent as
 *	a label byte (\032 in the answer's names), every other check stays.
 *	dns_config.retries is how many more rounds over the server list
 *	follow the first one (0 = one try per server; negative = resolv.conf
 *	attempts); each attempt waits timeout_ms (<= 0: resolv.conf).
 * STANDARDS
 *	RFC 1035 (messages, compression), RFC 2181 (TTL), RFC 2308
 *	(negative caching), RFC 5452 (spoofing), RFC 6891 (EDNS0), RFC 6840
 *	5.7 (AD bit in queries), RFC 7505 (null MX), RFC 6698 (TLSA).
 */
#ifndef MXG_DNS_DNS_H
#define MXG_DNS_DNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum dns_type {
    DNS_T_A = 1, DNS_T_CNAME = 5, DNS_T_PTR = 12, DNS_T_MX = 15,
    DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_TLSA = 52,
};

enum dns_status { DNS_FOUND = 1, DNS_NOTFOUND = 0, DNS_TEMP = -1, DNS_PERM = -2 };

struct dns_rr {
    enum dns_type type;
    uint32_t ttl;
    char *name;			/* owner name, lower case, no trailing dot */
    union {
	unsigned char addr[16];	/* A (4 bytes), AAAA (16) */
	char *target;		/* CNAME, PTR: name, no trailing dot */
	struct { uint16_t pref; char *exchange; } mx;	/* exchange "" for null MX "." */
	struct { char *text; size_t len; } txt;	/* strings joined, NUL-terminated */
	struct { uint8_t usage, selector, mtype; unsigned char *data; size_t len; } tlsa;
    } u;
};

struct dns_answer {
    enum dns_status status;
    int secure;			/* AD bit on the (positive or negative) answer */
    int nxdomain;		/* DNS_NOTFOUND: 1 NXDOMAIN, 0 NODATA */
    int rcode;			/* from the final reply; -1 if none */
    char *canonical;		/* name after following CNAMEs */
    char *reason;		/* human readable, for TEMP/PERM ("SERVFAIL from 127.0.0.1:5353") */
    uint32_t ttl;		/* cache lifetime: min TTL of the records and
				 * CNAMEs used; negative answers min(SOA TTL,
				 * SOA MINIMUM) (RFC 2308 5); 0 = do not cache */
    size_t count;
    struct dns_rr *rrs;		/* only records of the asked type */
};

struct dns_config {
    const char *const *servers;	/* "ip", "ip:port", "[v6]:port"; NULL/0 = resolv.conf */
    size_t nservers;
    int timeout_ms;		/* per attempt; <= 0 resolv.conf */
    int retries;		/* extra rounds after the first; < 0 resolv.conf */
    int dnssec;			/* set DO and ask for AD */
    size_t cache_size;		/* entries, 0 = no cache */
    const char *static_file;	/* NULL = none */
};

/* Process-wide counters (atomic, for metrics): dns_stats_get copies them. */
struct dns_stats {
    unsigned long long lookups;		/* steps of dns_lookup (name, type) */
    unsigned long long cache_hits;	/* answered by the cache */
    unsigned long long queries;		/* sent to the network */
    unsigned long long errors;		/* network answers DNS_TEMP or DNS_PERM */
    unsigned long long timeouts;	/* attempts that got no reply in time */
};

struct dns_budget {
    int queries_left;		/* < 0: unlimited */
    long long deadline_ms;	/* CLOCK_MONOTONIC ms; 0 = none */
};

struct dns_resolver;
struct conf;

struct dns_resolver *dns_resolver_new(const struct dns_config *cfg, const char **why_r);
struct dns_resolver *dns_resolver_open(const struct dns_config *cfg, char **why_r);
struct dns_resolver *dns_resolver_from_conf(const struct conf *c, const char **why_r);
void dns_resolver_free(struct dns_resolver **rp);
int dns_lookup(struct dns_resolver *r, const char *name, enum dns_type type,
	       struct dns_budget *budget, struct dns_answer **answer_r);
int dns_lookup_blanks(struct dns_resolver *r, const char *name, enum dns_type type,
		      struct dns_budget *budget, struct dns_answer **answer_r);
void dns_answer_free(struct dns_answer **ap);
void dns_stats_get(struct dns_stats *s);
const char *dns_type_name(enum dns_type t);
int dns_type_parse(const char *name);	/* -1 unknown */
const char *dns_status_name(enum dns_status s);
int dns_reverse_name(int family, const unsigned char *addr, char *out, size_t outlen);
int dns_reply_parse(const unsigned char *msg, size_t len, const char *qname,
		    enum dns_type qtype, struct dns_answer **answer_r);

#endif
