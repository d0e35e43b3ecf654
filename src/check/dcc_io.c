/*
 * NAME
 *	dcc_io.c - one conversation with dccifd under a deadline
 * SYNOPSIS
 *	#include "check/dcc.h"
 *
 *	int dcc_talk(const struct dcc_addr *a, int timeout_ms,
 *		     const struct buf *head, const struct buf *body,
 *		     struct buf *reply, const char **why_r);
 * DESCRIPTION
 *	A non-blocking socket; every wait is a poll() bounded by what is
 *	left of timeout_ms, so the whole conversation (connect, writes,
 *	half-close, reads to end of file) never takes longer, whatever
 *	dccifd does. MSG_NOSIGNAL: a dccifd that closes early is an error
 *	return, not a SIGPIPE.
 * DIAGNOSTICS
 *	0 ok (the answer, up to end of file, in *reply), -1 with a static
 *	reason in *why_r: "connect: ...", "timeout", "closed early", ...
 * STANDARDS
 *	dccifd(8).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "check/dcc.h"

/* dcc_now_ms - a monotonic clock in milliseconds */
static long long dcc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* dcc_wait - poll fd for events until the deadline; 0 ready, -1 timeout or error */
static int dcc_wait(int fd, short events, long long deadline, const char **why_r)
{
    for (;;) {
	struct pollfd pfd = {fd, events, 0};
	long long left = deadline - dcc_now_ms();
	int n;

	if (left <= 0) {
	    *why_r = "timeout";
	    return -1;
	}
	n = poll(&pfd, 1, left > 60000 ? 60000 : (int) left);
	if (n > 0)
	    return 0;
	if (n < 0 && errno != EINTR) {
	    *why_r = "poll failed";
	    return -1;
	}
    }
}

/* dcc_connect - a non-blocking connected socket; -1 with *why_r */
static int dcc_connect(const struct dcc_addr *a, long long deadline, const char **why_r)
{
    int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int err = 0, one = 1;
    socklen_t elen = sizeof(err);

    if (fd < 0) {
	*why_r = "socket failed";
	return -1;
    }
    if (a->family != AF_UNIX)
	(void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (const struct sockaddr *) &a->ss, a->len) == 0)
	return fd;
    if (errno != EINPROGRESS && errno != EAGAIN) {
	*why_r = errno == ENOENT ? "connect: no such socket"
	    : errno == ECONNREFUSED ? "connect: refused" : "connect failed";
	close(fd);
	return -1;
    }
    if (dcc_wait(fd, POLLOUT, deadline, why_r) != 0
	|| getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
	if (err != 0)
	    *why_r = err == ECONNREFUSED ? "connect: refused" : "connect failed";
	else if (*why_r && strcmp(*why_r, "timeout") == 0)
	    *why_r = "connect: timeout";
	close(fd);
	return -1;
    }
    return fd;
}

/* dcc_write_all - write len bytes before the deadline */
static int dcc_write_all(int fd, const char *p, size_t len, long long deadline,
			 const char **why_r)
{
    while (len > 0) {
	ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

	if (n > 0) {
	    p += n;
	    len -= (size_t) n;
	    continue;
	}
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
	    if (dcc_wait(fd, POLLOUT, deadline, why_r) != 0)
		return -1;
	    continue;
	}
	*why_r = "closed early (write failed)";
	return -1;
    }
    return 0;
}

/* dcc_read_all - read to end of file before the deadline, at most DCC_REPLY_MAX */
static int dcc_read_all(int fd, struct buf *reply, long long deadline, const char **why_r)
{
    char tmp[4096];

    for (;;) {
	ssize_t n = recv(fd, tmp, sizeof(tmp), 0);

	if (n > 0) {
	    if (reply->len + (size_t) n > DCC_REPLY_MAX) {
		*why_r = "answer too long";
		return -1;
	    }
	    buf_append(reply, tmp, (size_t) n);
	    continue;
	}
	if (n == 0)
	    return 0;
	if (errno == EINTR)
	    continue;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
	    if (dcc_wait(fd, POLLIN, deadline, why_r) != 0)
		return -1;
	    continue;
	}
	*why_r = "read failed";
	return -1;
    }
}

/* dcc_talk - send head and body, half-close, read the answer to its end */
int dcc_talk(const struct dcc_addr *a, int timeout_ms, const struct buf *head,
	     const struct buf *body, struct buf *reply, const char **why_r)
{
    long long deadline = dcc_now_ms() + timeout_ms;
    int fd = dcc_connect(a, deadline, why_r), ret = -1;

    if (fd < 0)
	return -1;
    if (dcc_write_all(fd, head->data ? head->data : "", head->len, deadline, why_r) == 0
	&& dcc_write_all(fd, body->data ? body->data : "", body->len, deadline, why_r) == 0) {
	if (shutdown(fd, SHUT_WR) != 0)
	    *why_r = "closed early (shutdown failed)";
	else
	    ret = dcc_read_all(fd, reply, deadline, why_r);
    }
    close(fd);
    return ret;
}
