/*
 * NAME
 *	dns_double - a scripted DNS server inside a unit test (see dns_double.h)
 * DESCRIPTION
 *	One thread polls a UDP and a TCP socket bound to the same free
 *	loopback port (port 0 for UDP, then the same number for TCP; retried
 *	when TCP's is taken) and calls the handler for every query.
 */
#include "config.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "t/unit/dns_double.h"

struct dd {
    int udp, tcp, port, family;
    pthread_t th;
    pthread_mutex_t lock;
    int stop, count, count_tcp;
    struct dd_query last;
    dd_handler h;
    void *ctx;
    struct sockaddr_storage peer;	/* current UDP peer */
    socklen_t peerlen;
};

void pkt_u8(struct pkt *p, unsigned v)
{
    if (p->len < sizeof(p->b))
	p->b[p->len++] = (unsigned char) v;
}

void pkt_u16(struct pkt *p, unsigned v)
{
    pkt_u8(p, v >> 8);
    pkt_u8(p, v & 0xff);
}

void pkt_u32(struct pkt *p, uint32_t v)
{
    pkt_u16(p, v >> 16);
    pkt_u16(p, v & 0xffff);
}

void pkt_bytes(struct pkt *p, const void *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
	pkt_u8(p, ((const unsigned char *) data)[i]);
}

/* pkt_name - uncompressed labels; NULL: pointer to the question (offset 12) */
void pkt_name(struct pkt *p, const char *name)
{
    if (name == NULL) {
	pkt_u16(p, 0xc00c);
	return;
    }
    while (*name) {
	const char *dot = strchr(name, '.');
	size_t l = dot ? (size_t) (dot - name) : strlen(name);
	pkt_u8(p, (unsigned) l);
	pkt_bytes(p, name, l);
	name += l + (dot != NULL);
    }
    pkt_u8(p, 0);
}

void pkt_set16(struct pkt *p, size_t off, unsigned v)
{
    p->b[off] = (unsigned char) (v >> 8);
    p->b[off + 1] = (unsigned char) v;
}

void pkt_counts(struct pkt *p, unsigned an, unsigned ns, unsigned ar)
{
    pkt_set16(p, 6, an);
    pkt_set16(p, 8, ns);
    pkt_set16(p, 10, ar);
}

/* dd_reply - header (QR, RD, RA, rcode, AD) and the question of q */
void dd_reply(struct pkt *p, const struct dd_query *q, int rcode, int ad)
{
    p->len = 0;
    pkt_u16(p, q->id);
    pkt_u8(p, 0x81);
    pkt_u8(p, 0x80 | (ad ? 0x20 : 0) | (unsigned) rcode);
    pkt_u16(p, 1);
    pkt_u16(p, 0);
    pkt_u16(p, 0);
    pkt_u16(p, 0);
    pkt_name(p, q->name);
    pkt_u16(p, (unsigned) q->type);
    pkt_u16(p, 1);
}

/* pkt_rr - owner, type, IN, ttl and a placeholder rdlength; mark for _end */
size_t pkt_rr(struct pkt *p, const char *owner, int type, uint32_t ttl)
{
    pkt_name(p, owner);
    pkt_u16(p, (unsigned) type);
    pkt_u16(p, 1);
    pkt_u32(p, ttl);
    pkt_u16(p, 0);
    return p->len;
}

void pkt_rr_end(struct pkt *p, size_t mark)
{
    pkt_set16(p, mark - 2, (unsigned) (p->len - mark));
}

void pkt_soa(struct pkt *p, const char *zone, uint32_t ttl, uint32_t minimum)
{
    size_t m = pkt_rr(p, zone, 6, ttl);
    pkt_name(p, "ns.test");
    pkt_name(p, "hostmaster.test");
    pkt_u32(p, 1);
    pkt_u32(p, 3600);
    pkt_u32(p, 600);
    pkt_u32(p, 86400);
    pkt_u32(p, minimum);
    pkt_rr_end(p, m);
}

/* dd_zone_reply - answer q from a small zone (see dns_double.h) */
void dd_zone_reply(struct pkt *p, const struct dd_query *q, const struct dd_zrec *zone,
		   int rcode)
{
    unsigned n = 0, known = 0;
    unsigned char a[16];
    size_t ql = strlen(q->name);

    dd_reply(p, q, rcode, 0);
    for (const struct dd_zrec *z = zone; z->name; z++) {
	size_t zl = strlen(z->name);

	/* a name with something below it exists (NODATA, not NXDOMAIN) */
	if (zl > ql && z->name[zl - ql - 1] == '.' && strcasecmp(z->name + zl - ql, q->name) == 0)
	    known = 1;
	if (strcasecmp(z->name, q->name) != 0)
	    continue;
	known = 1;
	if (z->type != q->type)
	    continue;
	size_t m = pkt_rr(p, NULL, z->type, 300);
	if (z->type == 16) {
	    pkt_u8(p, (unsigned) strlen(z->data));
	    pkt_bytes(p, z->data, strlen(z->data));
	} else if (z->type == 15) {
	    pkt_u16(p, 10);
	    pkt_name(p, z->data);
	} else {
	    inet_pton(z->type == 1 ? AF_INET : AF_INET6, z->data, a);
	    pkt_bytes(p, a, z->type == 1 ? 4 : 16);
	}
	pkt_rr_end(p, m);
	n++;
    }
    if (!known && rcode == 0)
	p->b[3] = (unsigned char) ((p->b[3] & 0xf0) | 3);	/* NXDOMAIN */
    pkt_counts(p, n, 0, 0);
}

/* parse_query - the parts of a query the tests look at; -1 garbage */
static int parse_query(const unsigned char *b, size_t n, struct dd_query *q)
{
    size_t off = 12, o = 0;

    memset(q, 0, sizeof(*q));
    if (n < 12)
	return -1;
    q->id = (uint16_t) ((b[0] << 8) | b[1]);
    q->rd_bit = (b[2] & 1) != 0;
    q->ad_bit = (b[3] & 0x20) != 0;
    while (off < n && b[off] != 0) {
	size_t l = b[off];
	if (l > 63 || off + 1 + l > n || o + l + 1 >= sizeof(q->name))
	    return -1;
	if (o)
	    q->name[o++] = '.';
	memcpy(q->name + o, b + off + 1, l);
	o += l;
	off += 1 + l;
    }
    if (off + 5 > n)
	return -1;
    q->type = (b[off + 1] << 8) | b[off + 2];
    off += 5;
    q->qend = off;
    /* an OPT RR right after the question: name 0, type 41 */
    if (((b[10] << 8) | b[11]) >= 1 && off + 11 <= n && b[off] == 0 && b[off + 2] == 41) {
	q->has_opt = 1;
	q->do_bit = (b[off + 7] & 0x80) != 0;
    }
    return 0;
}

/* handle - run the handler and record the query */
static int handle(struct dd *d, const unsigned char *b, size_t n, int tcp, struct pkt *out)
{
    struct dd_query q;

    if (parse_query(b, n, &q) < 0)
	return -1;
    q.tcp = tcp;
    pthread_mutex_lock(&d->lock);
    d->count++;
    d->count_tcp += tcp;
    d->last = q;
    pthread_mutex_unlock(&d->lock);
    out->len = 0;
    return d->h(d, &q, out, d->ctx);
}

/* serve_tcp - one connection: one query, one reply */
static void serve_tcp(struct dd *d, int fd, struct pkt *out)
{
    unsigned char hdr[2], buf[4096];
    size_t n;

    if (recv(fd, hdr, 2, MSG_WAITALL) != 2)
	return;
    n = (size_t) ((hdr[0] << 8) | hdr[1]);
    if (n > sizeof(buf) || recv(fd, buf, n, MSG_WAITALL) != (ssize_t) n)
	return;
    if (handle(d, buf, n, 1, out) < 0)
	return;
    hdr[0] = (unsigned char) (out->len >> 8);
    hdr[1] = (unsigned char) out->len;
    if (send(fd, hdr, 2, MSG_NOSIGNAL) == 2)
	(void) send(fd, out->b, out->len, MSG_NOSIGNAL);
}

/* loop - the server thread */
static void *loop(void *arg)
{
    struct dd *d = arg;
    struct pkt *out = malloc(sizeof(*out));
    unsigned char buf[4096];

    for (;;) {
	struct pollfd p[2] = {{.fd = d->udp, .events = POLLIN}, {.fd = d->tcp, .events = POLLIN}};
	pthread_mutex_lock(&d->lock);
	int stop = d->stop;
	pthread_mutex_unlock(&d->lock);
	if (stop)
	    break;
	if (poll(p, 2, 20) <= 0)
	    continue;
	if (p[0].revents & POLLIN) {
	    d->peerlen = sizeof(d->peer);
	    ssize_t n = recvfrom(d->udp, buf, sizeof(buf), 0, (struct sockaddr *) &d->peer,
				 &d->peerlen);
	    if (n > 0 && handle(d, buf, (size_t) n, 0, out) == 0)
		(void) sendto(d->udp, out->b, out->len, 0, (struct sockaddr *) &d->peer, d->peerlen);
	}
	if (p[1].revents & POLLIN) {
	    int fd = accept(d->tcp, NULL, NULL);
	    if (fd >= 0) {
		serve_tcp(d, fd, out);
		close(fd);
	    }
	}
    }
    free(out);
    return NULL;
}

void dd_send_extra(struct dd *d, const struct pkt *p)
{
    (void) sendto(d->udp, p->b, p->len, 0, (struct sockaddr *) &d->peer, d->peerlen);
}

/* bind_pair - UDP on a free port, TCP on the same; 0 ok */
static int bind_pair(struct dd *d)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1;

    memset(&ss, 0, sizeof(ss));
    if (d->family == AF_INET6) {
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_addr = in6addr_loopback;
	sl = sizeof(*s6);
    } else {
	struct sockaddr_in *s4 = (struct sockaddr_in *) &ss;
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sl = sizeof(*s4);
    }
    d->udp = socket(d->family, SOCK_DGRAM, 0);
    if (d->udp < 0 || bind(d->udp, (struct sockaddr *) &ss, sl) < 0
	|| getsockname(d->udp, (struct sockaddr *) &ss, &sl) < 0)
	return -1;
    d->tcp = socket(d->family, SOCK_STREAM, 0);
    setsockopt(d->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(d->tcp, (struct sockaddr *) &ss, sl) < 0 || listen(d->tcp, 16) < 0) {
	close(d->udp);
	close(d->tcp);
	return 1;			/* TCP port taken: try another */
    }
    d->port = ntohs(d->family == AF_INET6 ? ((struct sockaddr_in6 *) &ss)->sin6_port
		    : ((struct sockaddr_in *) &ss)->sin_port);
    return 0;
}

struct dd *dd_start(int family, dd_handler h, void *ctx)
{
    struct dd *d = calloc(1, sizeof(*d));
    int r = 1;

    d->family = family;
    d->h = h;
    d->ctx = ctx;
    for (int i = 0; i < 50 && r == 1; i++)
	r = bind_pair(d);
    if (r != 0) {
	fprintf(stderr, "dns_double: cannot bind: %s\n", strerror(errno));
	free(d);
	return NULL;
    }
    pthread_mutex_init(&d->lock, NULL);
    pthread_create(&d->th, NULL, loop, d);
    return d;
}

void dd_stop(struct dd **dp)
{
    struct dd *d = *dp;

    if (d == NULL)
	return;
    pthread_mutex_lock(&d->lock);
    d->stop = 1;
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->th, NULL);
    close(d->udp);
    close(d->tcp);
    pthread_mutex_destroy(&d->lock);
    free(d);
    *dp = NULL;
}

int dd_port(const struct dd *d)
{
    return d->port;
}

int dd_count(struct dd *d)
{
    pthread_mutex_lock(&d->lock);
    int n = d->count;
    pthread_mutex_unlock(&d->lock);
    return n;
}

int dd_count_tcp(struct dd *d)
{
    pthread_mutex_lock(&d->lock);
    int n = d->count_tcp;
    pthread_mutex_unlock(&d->lock);
    return n;
}

struct dd_query dd_last(struct dd *d)
{
    pthread_mutex_lock(&d->lock);
    struct dd_query q = d->last;
    pthread_mutex_unlock(&d->lock);
    return q;
}
