/*
 * NAME
 *	io - one network conversation: buffered lines, deadlines, optional TLS
 * SYNOPSIS
 *	#include "outbound/io.h"
 *
 *	void ob_io_init(struct ob_io *io, int fd);
 *	void ob_io_close(struct ob_io *io);
 *	int ob_io_read_line(struct ob_io *io, struct buf *line_r, size_t max,
 *			    int timeout_ms);
 *	int ob_io_read(struct ob_io *io, void *data, size_t len, int timeout_ms);
 *	void ob_io_put(struct ob_io *io, const void *data, size_t len);
 *	void ob_io_printf(struct ob_io *io, const char *fmt, ...);
 *	int ob_io_flush(struct ob_io *io, int timeout_ms);
 *	int ob_io_pending(const struct ob_io *io);
 *	int ob_io_tls_start(struct ob_io *io, SSL *ssl, int server, int timeout_ms);
 * DESCRIPTION
 *	An ob_io wraps a connected, non-blocking socket and, after
 *	ob_io_tls_start(), an OpenSSL connection over it (the ob_io owns the
 *	SSL and frees it at close). Writes are collected by ob_io_put/printf
 *	and sent by ob_io_flush, so a pipelined group of commands leaves in
 *	one write and a reply in one segment (no Nagle stall). Every read and
 *	flush has its own timeout (RFC 5321 4.5.3.2 gives one per command).
 *
 *	ob_io_read_line() returns one line without its CRLF (a bare LF also
 *	ends a line) in line_r; a line longer than max is consumed whole but
 *	only max bytes are kept and io->overlong is set.
 *
 *	ob_io_pending() says whether input is already buffered (a client
 *	that pipelines): the server then delays its replies until the buffer
 *	is empty (RFC 2920 3.2).
 *
 *	ob_io_tls_start() discards buffered input first: data received in
 *	clear after STARTTLS is a command injection attempt (CVE-2011-0411).
 * DIAGNOSTICS
 *	ob_io_read_line, ob_io_read: 1 data, 0 end of file, -1 error or
 *	timeout (io->why says which: "timeout", "connection reset", TLS
 *	error text). ob_io_flush, ob_io_tls_start: 0 ok, -1 with io->why.
 * STANDARDS
 *	RFC 5321 2.3.8 (lines), 4.5.3.2 (timeouts); RFC 2920 (PIPELINING);
 *	RFC 3207 (STARTTLS).
 */
#ifndef MXG_OUTBOUND_IO_H
#define MXG_OUTBOUND_IO_H

#include <stddef.h>
#include <openssl/ssl.h>
#include "util/buf.h"

#define OB_IO_BUFSIZE 16384

struct ob_io {
    int fd;
    SSL *ssl;			/* NULL: clear text */
    char rbuf[OB_IO_BUFSIZE];
    size_t rpos, rlen;
    struct buf wbuf;
    int overlong;		/* last line was cut */
    int eof;
    char why[160];
    unsigned long long bytes_in, bytes_out;
};

void ob_io_init(struct ob_io *io, int fd);
void ob_io_close(struct ob_io *io);
int ob_io_read_line(struct ob_io *io, struct buf *line_r, size_t max, int timeout_ms);
int ob_io_read(struct ob_io *io, void *data, size_t len, int timeout_ms);
void ob_io_put(struct ob_io *io, const void *data, size_t len);
void ob_io_printf(struct ob_io *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ob_io_flush(struct ob_io *io, int timeout_ms);
int ob_io_pending(const struct ob_io *io);
int ob_io_tls_start(struct ob_io *io, SSL *ssl, int server, int timeout_ms);

#endif
