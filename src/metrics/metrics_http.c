/*
 * NAME
 *	metrics_http.c - the metrics listener: a tiny HTTP/1.0 server thread
 * SYNOPSIS
 *	See metrics.h.
 * DESCRIPTION
 *	metrics.listen = "127.0.0.1:9893" (or "[::1]:9893"; empty: off)
 *	starts one thread that accepts one client at a time, reads its
 *	request (at most METRICS_HTTP_MAX bytes, within
 *	METRICS_HTTP_TIMEOUT_MS), answers and closes. Only "GET /metrics"
 *	and "HEAD /metrics" (a query string is ignored) get 200 and the
 *	exposition; anything else gets its error status and a one-line body.
 *	The socket is opened after the daemon dropped its privileges, so the
 *	port must be one the daemon's user may bind (above 1023). The
 *	address is read at start only; a reload does not move it.
 *	metrics_http_stop() wakes the thread through a pipe and joins it.
 * DIAGNOSTICS
 *	See metrics.h. Accept and I/O errors are logged and the thread goes
 *	on; they never affect mail.
 * STANDARDS
 *	RFC 1945 (HTTP/1.0): request line, header block ended by an empty
 *	line (CRLF or a bare LF accepted), Content-Length.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/conf.h"
#include "metrics/metrics.h"
#include "util/msg.h"

struct metrics_http {
    int fd;				/* listening socket */
    int wake[2];			/* stop pipe */
    pthread_t thread;
    const char *prog;
};

static struct metrics_http *metrics_http_live;

/* metrics_http_end - offset just past the empty line ending the headers, or 0 */
static size_t metrics_http_end(const char *req, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
	if (req[i] != '\n')
	    continue;
	if (req[i + 1] == '\n')
	    return i + 2;
	if (req[i + 1] == '\r' && i + 2 < len && req[i + 2] == '\n')
	    return i + 3;
    }
    return 0;
}

/* metrics_http_parse - the status of the answer to req[0..len), 0 for more */
int metrics_http_parse(const char *req, size_t len, int *head_r)
{
    const char *sp1, *sp2, *eol, *path;
    size_t plen;

    *head_r = 0;
    if (metrics_http_end(req, len) == 0)
	return len >= METRICS_HTTP_MAX ? 413 : 0;
    eol = memchr(req, '\n', len);
    for (const char *p = req; p < eol; p++)	/* request line: printable ASCII */
	if ((unsigned char) *p < 0x20 && !(*p == '\r' && p + 1 == eol))
	    return 400;
    if ((sp1 = memchr(req, ' ', (size_t) (eol - req))) == NULL
	|| (sp2 = memchr(sp1 + 1, ' ', (size_t) (eol - sp1 - 1))) == NULL)
	return 400;
    if ((size_t) (eol - sp2) < 9 || memcmp(sp2 + 1, "HTTP/", 5) != 0)
	return 400;
    if (memcmp(sp2 + 1, "HTTP/1.", 7) != 0)
	return 505;
    path = sp1 + 1;
    plen = (size_t) (sp2 - path);
    if (plen == 0 || *path != '/')
	return 400;
    if (sp1 - req == 4 && memcmp(req, "HEAD", 4) == 0)
	*head_r = 1;
    else if (!(sp1 - req == 3 && memcmp(req, "GET", 3) == 0))
	return 405;
    if (plen >= 8 && memcmp(path, "/metrics", 8) == 0 && (plen == 8 || path[8] == '?'))
	return 200;
    return 404;
}

/* metrics_http_write - write all of buf within the deadline; -1 on failure */
static int metrics_http_write(int fd, const char *buf, size_t len)
{
    while (len > 0) {
	struct pollfd p = { fd, POLLOUT, 0 };
	ssize_t n;

	if (poll(&p, 1, METRICS_HTTP_TIMEOUT_MS) <= 0)
	    return -1;
	if ((n = send(fd, buf, len, MSG_NOSIGNAL)) < 0) {
	    if (errno == EINTR || errno == EAGAIN)
		continue;
	    return -1;
	}
	buf += n;
	len -= (size_t) n;
    }
    return 0;
}

/* metrics_http_answer - status line, headers and (unless HEAD) body */
static void metrics_http_answer(int fd, int status, int head)
{
    static const struct { int code; const char *text; } why[] = {
	{200, "OK"}, {400, "Bad Request"}, {404, "Not Found"}, {405, "Method Not Allowed"},
	{408, "Request Timeout"}, {413, "Request Entity Too Large"},
	{505, "HTTP Version Not Supported"},
    };
    const char *text = "Error";
    struct buf body = BUF_INIT, out = BUF_INIT;

    for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
	if (why[i].code == status)
	    text = why[i].text;
    if (status == 200)
	metrics_render(&body);
    else
	buf_printf(&body, "%d %s (only GET /metrics is served)\n", status, text);
    buf_printf(&out, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	       "Connection: close\r\n%s\r\n", status, text,
	       status == 200 ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain",
	       body.len, status == 405 ? "Allow: GET, HEAD\r\n" : "");
    if (!head)
	buf_append(&out, body.data, body.len);
    (void) metrics_http_write(fd, out.data, out.len);
    buf_free(&body);
    buf_free(&out);
}

/* metrics_http_client - read one request within the deadline, answer it */
static void metrics_http_client(int fd)
{
    char req[METRICS_HTTP_MAX];
    size_t len = 0;
    int status = 0, head = 0;
    long long until = metrics_clock_us() + METRICS_HTTP_TIMEOUT_MS * 1000LL;

    while (status == 0) {
	struct pollfd p = { fd, POLLIN, 0 };
	long long left = (until - metrics_clock_us()) / 1000;
	ssize_t n;

	if (left <= 0 || poll(&p, 1, (int) left) <= 0) {
	    status = 408;
	    break;
	}
	if ((n = recv(fd, req + len, sizeof(req) - len, 0)) < 0 && errno == EINTR)
	    continue;
	if (n <= 0)
	    return;			/* the client went away */
	len += (size_t) n;
	status = metrics_http_parse(req, len, &head);
    }
    metrics_http_answer(fd, status, head);
}

/* metrics_http_main - the listener thread */
static void *metrics_http_main(void *arg)
{
    struct metrics_http *h = arg;

    for (;;) {
	struct pollfd p[2] = { { h->fd, POLLIN, 0 }, { h->wake[0], POLLIN, 0 } };
	int fd;

	if (poll(p, 2, -1) < 0) {
	    if (errno == EINTR)
		continue;
	    msg_warn("%s: metrics: poll: %s", h->prog, strerror(errno));
	    break;
	}
	if (p[1].revents)
	    break;
	if ((fd = accept(h->fd, NULL, NULL)) < 0) {
	    if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
		msg_warn("%s: metrics: accept: %s", h->prog, strerror(errno));
	    continue;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	metrics_http_client(fd);
	close(fd);
    }
    return NULL;
}

/* metrics_http_addr - parse "ip:port" / "[ipv6]:port" into ss; -1 with *why_r */
int metrics_http_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len_r,
			     const char **why_r)
{
    char host[64];
    const char *port;
    char *end;
    long p;

    memset(ss, 0, sizeof(*ss));
    if (spec[0] == '[') {
	const char *rb = strchr(spec, ']');
	if (rb == NULL || rb[1] != ':' || (size_t) (rb - spec - 1) >= sizeof(host))
	    return *why_r = "expected [IPv6]:PORT", -1;
	snprintf(host, sizeof(host), "%.*s", (int) (rb - spec - 1), spec + 1);
	port = rb + 2;
    } else {
	const char *colon = strrchr(spec, ':');
	if (colon == NULL || (size_t) (colon - spec) >= sizeof(host))
	    return *why_r = "expected IP:PORT", -1;
	snprintf(host, sizeof(host), "%.*s", (int) (colon - spec), spec);
	port = colon + 1;
    }
    p = strtol(port, &end, 10);
    if (*port < '0' || *port > '9' || *end != 0 || p < 1 || p > 65535)
	return *why_r = "bad port (must be 1..65535)", -1;
    if (inet_pton(AF_INET, host, &((struct sockaddr_in *) ss)->sin_addr) == 1) {
	((struct sockaddr_in *) ss)->sin_family = AF_INET;
	((struct sockaddr_in *) ss)->sin_port = htons((uint16_t) p);
	*len_r = sizeof(struct sockaddr_in);
    } else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *) ss)->sin6_addr) == 1) {
	((struct sockaddr_in6 *) ss)->sin6_family = AF_INET6;
	((struct sockaddr_in6 *) ss)->sin6_port = htons((uint16_t) p);
	*len_r = sizeof(struct sockaddr_in6);
    } else
	return *why_r = "not an IP address (the listener binds an address, not a name)", -1;
    return 0;
}

/* metrics_http_start - listen on listen ("" = off) in a new thread */
int metrics_http_start(const char *prog, const char *spec, const char **why_r)
{
    struct metrics_http *h;
    struct sockaddr_storage ss;
    socklen_t sslen;
    int one = 1, fd;

    if (spec == NULL || *spec == 0)
	return 0;
    if (metrics_http_live != NULL)
	return *why_r = "already listening", -1;
    if (metrics_http_addr(spec, &ss, &sslen, why_r) < 0)
	return -1;
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
	return *why_r = "cannot create a socket", -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *) &ss, sslen) < 0 || listen(fd, 16) < 0) {
	*why_r = errno == EADDRINUSE ? "address already in use"
	    : errno == EACCES ? "permission denied (a port above 1023 is needed)"
	    : "cannot bind or listen";
	close(fd);
	return -1;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL || pipe2(h->wake, O_CLOEXEC) < 0) {
	free(h);
	close(fd);
	return *why_r = "out of resources", -1;
    }
    h->fd = fd;
    h->prog = prog;
    metrics_common_init();
    if (pthread_create(&h->thread, NULL, metrics_http_main, h) != 0) {
	close(h->wake[0]);
	close(h->wake[1]);
	close(fd);
	free(h);
	return *why_r = "cannot start the listener thread", -1;
    }
    metrics_http_live = h;
    msg_info("%s: metrics: listening on http://%s/metrics", prog, spec);
    return 0;
}

/* metrics_http_start_conf - register the program's metrics (init), start the listener, or die */
int metrics_http_start_conf(const char *prog, const struct conf *c, void (*init)(void))
{
    const char *why = "";
    const char *spec = conf_str(c, "metrics.listen");

    if (*spec && init != NULL)
	init();
    if (metrics_http_start(prog, spec, &why) < 0)
	msg_fatal("%s: metrics.listen = \"%s\": %s", prog, spec, why);
    return 0;
}

/* metrics_http_stop - stop and join the listener thread, if any */
void metrics_http_stop(void)
{
    struct metrics_http *h = metrics_http_live;

    if (h == NULL)
	return;
    if (write(h->wake[1], "", 1) < 0)
	msg_warn("%s: metrics: cannot wake the listener: %s", h->prog, strerror(errno));
    pthread_join(h->thread, NULL);
    close(h->fd);
    close(h->wake[0]);
    close(h->wake[1]);
    free(h);
    metrics_http_live = NULL;
}
