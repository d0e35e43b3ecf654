/*
 * NAME
 *	dns_send - send one query to the configured servers (UDP, then TCP)
 * SYNOPSIS
 *	#include "dns/dns_int.h"
 *
 *	int dns_server_parse(const char *text, struct dns_server *s,
 *			     const char **why_r);
 *	int dns_exchange(servers, nservers, timeout_ms, retries, deadline_ms,
 *			 query, qlen, qname, qtype, &reply, &rlen, &server,
 *			 why, whylen);
 * DESCRIPTION
 *	Our own socket code instead of res_nsend: it is thread safe, takes
 *	any address family and port, and we control every check. Each
 *	attempt uses a fresh connected UDP socket (a new random source
 *	port; the kernel drops datagrams from other addresses), waits with
 *	poll() until the attempt's deadline, and ignores replies whose ID or
 *	question differ from the query (RFC 5452: they are not accepted, we
 *	keep waiting). A reply with TC set is asked again over TCP (RFC 7766).
 *
 *	Rounds: 1 + `retries` passes over the server list, each attempt waiting
 *	timeout_ms (bounded by deadline_ms when not 0). A NOERROR or NXDOMAIN
 *	reply ends the exchange; any other RCODE marks that server as done
 *	and the next one is asked; when all said so, the last such reply is
 *	returned so the caller reports its RCODE.
 * DIAGNOSTICS
 *	dns_exchange: 0 with a malloc'ed reply, -1 with a reason in why
 *	(timeout, network error): the caller's DNS_TEMP.
 * STANDARDS
 *	RFC 1035 4.2, RFC 5452, RFC 7766.
 */
#include "config.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "util/xmalloc.h"
#include "dns/dns_int.h"

#define DNS_MAX_SERVERS 16

/* dns_now_ms - CLOCK_MONOTONIC in milliseconds */
long long dns_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dns_server_from_sockaddr - fill a server from an address (resolv.conf) */
void dns_server_from_sockaddr(const struct sockaddr *sa, struct dns_server *s)
{
    char host[INET6_ADDRSTRLEN];

    memset(s, 0, sizeof(*s));
    if (sa->sa_family == AF_INET6) {
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;
	s->len = sizeof(*sin6);
	inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
	snprintf(s->text, sizeof(s->text), "[%s]:%u", host, ntohs(sin6->sin6_port));
    } else {
	const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;
	s->len = sizeof(*sin);
	inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
	snprintf(s->text, sizeof(s->text), "%s:%u", host, ntohs(sin->sin_port));
    }
    memcpy(&s->ss, sa, s->len);
}

/* dns_server_parse - "ip", "ip:port", "[v6]", "[v6]:port", bare "v6" */
int dns_server_parse(const char *text, struct dns_server *s, const char **why_r)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *port = NULL, *colon = strchr(text, ':');
    size_t hl;
    struct sockaddr_in sin;
    struct sockaddr_in6 sin6;

    if (text[0] == '[') {
	const char *end = strchr(text, ']');
	if (end == NULL || (end[1] != 0 && end[1] != ':'))
	    return (*why_r = "bad [IPv6]:port syntax", -1);
	hl = (size_t) (end - text - 1);
	port = end[1] == ':' ? end + 2 : NULL;
	text++;
    } else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
	hl = (size_t) (colon - text);
	port = colon + 1;
    } else {
	hl = strlen(text);
    }
    if (hl == 0 || hl >= sizeof(host))
	return (*why_r = "bad address", -1);
    memcpy(host, text, hl);
    host[hl] = 0;
    unsigned long p = 53;
    if (port != NULL) {
	char *end;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (*port == 0 || *end != 0 || errno || p == 0 || p > 65535)
	    return (*why_r = "bad port", -1);
    }
    memset(&sin, 0, sizeof(sin));
    memset(&sin6, 0, sizeof(sin6));
    if (inet_pton(AF_INET, host, &sin.sin_addr) == 1) {
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t) p);
	dns_server_from_sockaddr((struct sockaddr *) &sin, s);
    } else if (inet_pton(AF_INET6, host, &sin6.sin6_addr) == 1) {
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t) p);
	dns_server_from_sockaddr((struct sockaddr *) &sin6, s);
    } else {
	return (*why_r = "not an IP address", -1);
    }
    return 0;
}

/* wait_fd - poll one fd until `until` (ms); 1 ready, 0 timeout, -1 error */
static int wait_fd(int fd, short events, long long until)
{
    struct pollfd pfd = {.fd = fd, .events = events};

    for (;;) {
	long long left = until - dns_now_ms();
	if (left <= 0)
	    return 0;
	int r = poll(&pfd, 1, left > 60000 ? 60000 : (int) left);
	if (r > 0)
	    return 1;
	if (r < 0 && errno != EINTR)
	    return -1;
    }
}

/* udp_try - one UDP attempt; 1 matching reply, 0 timeout, -1 error */
static int udp_try(const struct dns_server *s, const unsigned char *q, size_t qlen,
		   long long until, const char *qname, enum dns_type qtype,
		   unsigned char *buf, size_t bufsz, size_t *rlen_r, int *err_r)
{
    uint16_t id = (uint16_t) ((q[0] << 8) | q[1]);
    int fd = socket(s->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int ret = -1;

    if (fd < 0 || connect(fd, (const struct sockaddr *) &s->ss, s->len) < 0
	|| send(fd, q, qlen, 0) != (ssize_t) qlen)
	goto out;
    for (;;) {
	int w = wait_fd(fd, POLLIN, until);
	if (w <= 0) {
	    ret = w;
	    goto out;
	}
	ssize_t n = recv(fd, buf, bufsz, MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
	    continue;
	if (n < 0)
	    goto out;
	if ((size_t) n > bufsz) {	/* cut by our buffer: treat as TC */
	    n = (ssize_t) bufsz;
	    buf[2] |= 0x02;
	}
	if (dns_reply_matches(buf, (size_t) n, id, qname, qtype)) {
	    *rlen_r = (size_t) n;
	    ret = 1;
	    goto out;
	}
	/* a wrong ID or question: not ours, keep waiting (RFC 5452) */
    }
  out:
    *err_r = errno;
    if (fd >= 0)
	close(fd);
    return ret;
}

/* io_all - read or write exactly len bytes on a non-blocking socket */
static int io_all(int fd, int writing, unsigned char *p, size_t len, long long until)
{
    while (len > 0) {
	int w = wait_fd(fd, writing ? POLLOUT : POLLIN, until);
	if (w <= 0)
	    return w == 0 ? (errno = ETIMEDOUT, -1) : -1;
	ssize_t n = writing ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
	    continue;
	if (n <= 0)
	    return n == 0 ? (errno = ECONNRESET, -1) : -1;
	p += n;
	len -= (size_t) n;
    }
    return 0;
}

/* tcp_try - one TCP exchange; 1 matching reply (malloc'ed), -1 error */
static int tcp_try(const struct dns_server *s, const unsigned char *q, size_t qlen,
		   long long until, const char *qname, enum dns_type qtype,
		   unsigned char **reply_r, size_t *rlen_r, int *err_r)
{
    uint16_t id = (uint16_t) ((q[0] << 8) | q[1]);
    int fd = socket(s->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    unsigned char hdr[2], *msg = NULL, *out = xmalloc(qlen + 2);
    int ret = -1, soerr = 0;
    socklen_t sl = sizeof(soerr);
    size_t n;

    out[0] = (unsigned char) (qlen >> 8);
    out[1] = (unsigned char) qlen;
    memcpy(out + 2, q, qlen);
    if (fd < 0)
	goto out;
    if (connect(fd, (const struct sockaddr *) &s->ss, s->len) < 0) {
	if (errno != EINPROGRESS)
	    goto out;
	int w = wait_fd(fd, POLLOUT, until);
	if (w <= 0) {
	    errno = w == 0 ? ETIMEDOUT : errno;
	    goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
	    errno = soerr ? soerr : errno;
	    goto out;
	}
    }
    if (io_all(fd, 1, out, qlen + 2, until) < 0 || io_all(fd, 0, hdr, 2, until) < 0)
	goto out;
    n = ((size_t) hdr[0] << 8) | hdr[1];
    msg = xmalloc(n ? n : 1);
    if (io_all(fd, 0, msg, n, until) < 0)
	goto out;
    if (!dns_reply_matches(msg, n, id, qname, qtype)) {
	errno = EPROTO;
	goto out;
    }
    *reply_r = msg;
    *rlen_r = n;
    msg = NULL;
    ret = 1;
  out:
    *err_r = errno;
    free(msg);
    free(out);
    if (fd >= 0)
	close(fd);
    return ret;
}

/* err_text - strerror, thread safe (GNU strerror_r) */
static const char *err_text(int err, char *buf, size_t len)
{
    return strerror_r(err, buf, len);
}

/* add_why - append "what from server" to the reason, once per server */
static void add_why(char *why, size_t whylen, const char *what, const char *server)
{
    char item[160];
    size_t n = strlen(why);

    snprintf(item, sizeof(item), "%s from %s", what, server);
    if (strstr(why, item) != NULL || n + 2 >= whylen)
	return;
    snprintf(why + n, whylen - n, "%s%s", n ? "; " : "", item);
}

/* dns_exchange - rounds over the servers until a usable reply */
int dns_exchange(const struct dns_server *servers, size_t nservers, int timeout_ms,
		 int retries, long long deadline_ms, const unsigned char *query,
		 size_t qlen, const char *qname, enum dns_type qtype,
		 unsigned char **reply_r, size_t *rlen_r, const char **server_r,
		 char *why, size_t whylen)
{
    unsigned char ubuf[4096], *last = NULL, *reply;
    size_t lastlen = 0, rlen = 0, ndone = 0;
    char done[DNS_MAX_SERVERS] = {0}, ebuf[128];
    int err = 0;

    if (nservers > DNS_MAX_SERVERS)
	nservers = DNS_MAX_SERVERS;
    *why = 0;
    for (int round = 0; round <= retries && ndone < nservers; round++) {
	for (size_t i = 0; i < nservers; i++) {
	    const struct dns_server *s = &servers[i];
	    long long until = dns_now_ms() + timeout_ms;
	    if (done[i])
		continue;
	    if (deadline_ms > 0 && until > deadline_ms)
		until = deadline_ms;
	    int r = udp_try(s, query, qlen, until, qname, qtype, ubuf, sizeof(ubuf), &rlen, &err);
	    if (r <= 0) {
		if (r == 0)
		    dns_stat_inc(DNS_STAT_TIMEOUTS);
		add_why(why, whylen, r == 0 ? "timeout" : err_text(err, ebuf, sizeof(ebuf)), s->text);
		continue;
	    }
	    if (ubuf[2] & 0x02) {	/* TC: ask again over TCP */
		if (tcp_try(s, query, qlen, until, qname, qtype, &reply, &rlen, &err) < 0) {
		    add_why(why, whylen, err_text(err, ebuf, sizeof(ebuf)), s->text);
		    continue;
		}
	    } else {
		reply = xmalloc(rlen);
		memcpy(reply, ubuf, rlen);
	    }
	    int rcode = reply[3] & 0x0f;
	    free(last);
	    last = reply;
	    lastlen = rlen;
	    *server_r = s->text;
	    if (rcode == 0 || rcode == 3)
		goto found;
	    done[i] = 1;		/* this server said no; try the next */
	    ndone++;
	}
    }
    if (last == NULL) {
	if (*why == 0)
	    snprintf(why, whylen, "no server to ask");
	return -1;
    }
  found:
    *reply_r = last;
    *rlen_r = lastlen;
    return 0;
}
