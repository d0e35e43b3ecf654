/*
 * NAME
 *	io.c - buffered, deadline-bound socket and TLS I/O
 * DESCRIPTION
 *	See io.h. The socket is non-blocking; every wait is a poll(2) with
 *	the caller's timeout, so a silent peer costs a timeout, never a hung
 *	thread.
 */
#include "config.h"
#include "outbound/io.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>

#include "util/xmalloc.h"

/* ob_io_init - take over a connected socket */
void ob_io_init(struct ob_io *io, int fd)
{
    memset(io, 0, sizeof(*io));
    io->fd = fd;
    if (fd >= 0)
	(void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* ob_io_close - shut TLS down politely, close the socket, free buffers */
void ob_io_close(struct ob_io *io)
{
    if (io->ssl != NULL) {
	if (!io->eof)
	    (void) SSL_shutdown(io->ssl);
	SSL_free(io->ssl);
	io->ssl = NULL;
    }
    if (io->fd >= 0)
	(void) close(io->fd);
    io->fd = -1;
    buf_free(&io->wbuf);
}

/* io_wait - poll for events until the timeout; 0 ready, -1 timeout/error */
static int io_wait(struct ob_io *io, short events, int timeout_ms)
{
    struct pollfd p = {.fd = io->fd, .events = events };
    int n;

    do
	n = poll(&p, 1, timeout_ms);
    while (n < 0 && errno == EINTR);
    if (n == 0) {
	snprintf(io->why, sizeof(io->why), "timeout");
	return -1;
    }
    if (n < 0) {
	snprintf(io->why, sizeof(io->why), "poll: %s", strerror(errno));
	return -1;
    }
    return 0;
}

/* io_tls_error - describe a failed SSL call in io->why */
static void io_tls_error(struct ob_io *io, const char *what)
{
    unsigned long e = ERR_get_error();
    char text[120];

    if (e != 0) {
	ERR_error_string_n(e, text, sizeof(text));
	snprintf(io->why, sizeof(io->why), "%s: %s", what, text);
    } else if (errno != 0) {
	snprintf(io->why, sizeof(io->why), "%s: %s", what, strerror(errno));
    } else {
	snprintf(io->why, sizeof(io->why), "%s: lost connection", what);
    }
    ERR_clear_error();
}

/* io_fill - read more input into rbuf; 1 got data, 0 EOF, -1 error */
static int io_fill(struct ob_io *io, int timeout_ms)
{
    if (io->rpos > 0 && io->rpos == io->rlen)
	io->rpos = io->rlen = 0;
    if (io->rpos > 0) {
	memmove(io->rbuf, io->rbuf + io->rpos, io->rlen - io->rpos);
	io->rlen -= io->rpos;
	io->rpos = 0;
    }
    for (;;) {
	ssize_t n;

	if (io->ssl != NULL) {
	    int r, err;

	    errno = 0;
	    r = SSL_read(io->ssl, io->rbuf + io->rlen, (int) (sizeof(io->rbuf) - io->rlen));
	    if (r > 0) {
		io->rlen += (size_t) r;
		io->bytes_in += (unsigned long long) r;
		return 1;
	    }
	    err = SSL_get_error(io->ssl, r);
	    if (err == SSL_ERROR_ZERO_RETURN) {
		io->eof = 1;
		return 0;
	    }
	    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		if (io_wait(io, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, timeout_ms) < 0)
		    return -1;
		continue;
	    }
	    if (err == SSL_ERROR_SYSCALL && errno == 0) {
		io->eof = 1;
		return 0;
	    }
	    io_tls_error(io, "TLS read");
	    return -1;
	}
	n = read(io->fd, io->rbuf + io->rlen, sizeof(io->rbuf) - io->rlen);
	if (n > 0) {
	    io->rlen += (size_t) n;
	    io->bytes_in += (unsigned long long) n;
	    return 1;
	}
	if (n == 0) {
	    io->eof = 1;
	    return 0;
	}
	if (errno == EINTR)
	    continue;
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
	    snprintf(io->why, sizeof(io->why), "read: %s", strerror(errno));
	    return -1;
	}
	if (io_wait(io, POLLIN, timeout_ms) < 0)
	    return -1;
    }
}

/* ob_io_read_line - one line without CRLF, at most max bytes kept */
int ob_io_read_line(struct ob_io *io, struct buf *line_r, size_t max, int timeout_ms)
{
    buf_reset(line_r);
    io->overlong = 0;
    for (;;) {
	char *nl = memchr(io->rbuf + io->rpos, '\n', io->rlen - io->rpos);
	size_t take = (nl != NULL ? (size_t) (nl - (io->rbuf + io->rpos)) : io->rlen - io->rpos);
	int r;

	if (line_r->len + take > max) {
	    size_t keep = max > line_r->len ? max - line_r->len : 0;

	    buf_append(line_r, io->rbuf + io->rpos, keep);
	    io->overlong = 1;
	} else {
	    buf_append(line_r, io->rbuf + io->rpos, take);
	}
	if (nl != NULL) {
	    io->rpos += take + 1;
	    if (line_r->len > 0 && line_r->data[line_r->len - 1] == '\r' && !io->overlong)
		line_r->data[--line_r->len] = 0;
	    return 1;
	}
	io->rpos = io->rlen;
	if ((r = io_fill(io, timeout_ms)) <= 0) {
	    if (r == 0)
		snprintf(io->why, sizeof(io->why), "lost connection");
	    return r;
	}
    }
}

/* ob_io_read - exactly len bytes (or fewer at EOF) */
int ob_io_read(struct ob_io *io, void *data, size_t len, int timeout_ms)
{
    size_t got = 0;

    while (got < len) {
	size_t avail = io->rlen - io->rpos;
	int r;

	if (avail > 0) {
	    size_t n = avail < len - got ? avail : len - got;

	    memcpy((char *) data + got, io->rbuf + io->rpos, n);
	    io->rpos += n;
	    got += n;
	    continue;
	}
	if ((r = io_fill(io, timeout_ms)) <= 0)
	    return r;
    }
    return 1;
}

/* ob_io_put - queue bytes for the next flush */
void ob_io_put(struct ob_io *io, const void *data, size_t len)
{
    buf_append(&io->wbuf, data, len);
}

/* ob_io_printf - queue formatted text for the next flush */
void ob_io_printf(struct ob_io *io, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(&io->wbuf, fmt, ap);
    va_end(ap);
}

/* io_write - send len bytes; 0 ok, -1 error */
static int io_write(struct ob_io *io, const char *p, size_t len, int timeout_ms)
{
    while (len > 0) {
	if (io->ssl != NULL) {
	    int r, err;

	    errno = 0;
	    r = SSL_write(io->ssl, p, (int) (len > 1 << 30 ? 1 << 30 : len));
	    if (r > 0) {
		p += r;
		len -= (size_t) r;
		io->bytes_out += (unsigned long long) r;
		continue;
	    }
	    err = SSL_get_error(io->ssl, r);
	    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		if (io_wait(io, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, timeout_ms) < 0)
		    return -1;
		continue;
	    }
	    io_tls_error(io, "TLS write");
	    return -1;
	} else {
	    ssize_t n = send(io->fd, p, len, MSG_NOSIGNAL);

	    if (n > 0) {
		p += n;
		len -= (size_t) n;
		io->bytes_out += (unsigned long long) n;
		continue;
	    }
	    if (n < 0 && errno == EINTR)
		continue;
	    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		if (io_wait(io, POLLOUT, timeout_ms) < 0)
		    return -1;
		continue;
	    }
	    snprintf(io->why, sizeof(io->why), "write: %s", n < 0 ? strerror(errno) : "short");
	    return -1;
	}
    }
    return 0;
}

/* ob_io_flush - send everything queued */
int ob_io_flush(struct ob_io *io, int timeout_ms)
{
    int r = 0;

    if (io->wbuf.len > 0)
	r = io_write(io, io->wbuf.data, io->wbuf.len, timeout_ms);
    buf_reset(&io->wbuf);
    return r;
}

/* ob_io_pending - is input already waiting in our buffers? */
int ob_io_pending(const struct ob_io *io)
{
    if (io->rpos < io->rlen)
	return 1;
    return io->ssl != NULL && SSL_pending(io->ssl) > 0;
}

/* ob_io_tls_start - handshake on the connection as client or server */
int ob_io_tls_start(struct ob_io *io, SSL *ssl, int server, int timeout_ms)
{
    io->rpos = io->rlen = 0;
    io->ssl = ssl;
    if (SSL_set_fd(ssl, io->fd) != 1) {
	io_tls_error(io, "TLS setup");
	return -1;
    }
    for (;;) {
	int r, err;

	ERR_clear_error();
	errno = 0;
	r = server ? SSL_accept(ssl) : SSL_connect(ssl);
	if (r == 1)
	    return 0;
	err = SSL_get_error(ssl, r);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
	    if (io_wait(io, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, timeout_ms) < 0)
		return -1;
	    continue;
	}
	io_tls_error(io, "TLS handshake");
	io->eof = 1;		/* no close_notify on a failed handshake */
	return -1;
    }
}
