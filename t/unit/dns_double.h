/*
 * NAME
 *	dns_double - a scripted DNS server inside a unit test (UDP and TCP)
 * SYNOPSIS
 *	#include "dns_double.h"
 *
 *	struct dd *dd_start(int family, dd_handler h, void *ctx);
 *	void dd_stop(struct dd **dp);
 *	int dd_port(const struct dd *d);
 *	void dd_reply(struct pkt *p, const struct dd_query *q, int rcode, int ad);
 *	size_t pkt_rr(struct pkt *p, const char *owner, int type, uint32_t ttl);
 *	void pkt_rr_end(struct pkt *p, size_t mark);
 *	void dd_zone_reply(struct pkt *p, const struct dd_query *q,
 *			   const struct dd_zrec *zone, int rcode);
 * DESCRIPTION
 *	A thread answers queries on a free loopback port (the same number
 *	for UDP and TCP) by calling the test's handler, which builds the
 *	reply with the pkt_* helpers or returns -1 to stay silent. Only for
 *	unit tests: end-to-end tests use real servers (nsd, unbound).
 *	An owner of NULL in pkt_rr() writes a compression pointer to the
 *	question name.
 *
 *	dd_zone_reply answers from a small zone (an array ended by a NULL
 *	name; A, AAAA, MX with preference 10, TXT of one string up to 255
 *	bytes; names compared without case, TTL 300): with rcode 0 a name
 *	the zone lacks is NXDOMAIN and a known name without the asked type,
 *	or a name with records below it, NODATA; another rcode (2 SERVFAIL) is sent as it is, with whatever
 *	records match.
 */
#ifndef MXG_T_DNS_DOUBLE_H
#define MXG_T_DNS_DOUBLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct pkt {
    unsigned char b[65535];
    size_t len;
};

struct dd_query {
    uint16_t id;
    char name[256];			/* as sent, no trailing dot */
    int type;
    int tcp;				/* came over TCP */
    int do_bit, ad_bit, rd_bit, has_opt;
    size_t qend;			/* offset after the question */
};

struct dd;
typedef int (*dd_handler)(struct dd *d, const struct dd_query *q, struct pkt *out, void *ctx);

struct dd *dd_start(int family, dd_handler h, void *ctx);
void dd_stop(struct dd **dp);
int dd_port(const struct dd *d);
int dd_count(struct dd *d);		/* queries received so far (UDP + TCP) */
int dd_count_tcp(struct dd *d);
struct dd_query dd_last(struct dd *d);	/* the last query received */
void dd_send_extra(struct dd *d, const struct pkt *p);	/* UDP, before the reply */

void pkt_u8(struct pkt *p, unsigned v);
void pkt_u16(struct pkt *p, unsigned v);
void pkt_u32(struct pkt *p, uint32_t v);
void pkt_bytes(struct pkt *p, const void *data, size_t len);
void pkt_name(struct pkt *p, const char *name);
void pkt_set16(struct pkt *p, size_t off, unsigned v);
void pkt_counts(struct pkt *p, unsigned an, unsigned ns, unsigned ar);
void dd_reply(struct pkt *p, const struct dd_query *q, int rcode, int ad);
size_t pkt_rr(struct pkt *p, const char *owner, int type, uint32_t ttl);
void pkt_rr_end(struct pkt *p, size_t mark);
void pkt_soa(struct pkt *p, const char *zone, uint32_t ttl, uint32_t minimum);

struct dd_zrec {
    const char *name;
    int type;				/* 1 A, 15 MX, 16 TXT, 28 AAAA */
    const char *data;			/* address, exchange or text */
};
void dd_zone_reply(struct pkt *p, const struct dd_query *q, const struct dd_zrec *zone,
		   int rcode);

#endif
