/*
 * NAME
 *	session_in.c - SMTP/LMTP server for the MTA
 * DESCRIPTION
 *	See session_in.h. One command per in_* function; in_loop dispatches.
 */
#include "config.h"
#include "outbound/session_in.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "outbound/dsn_relayed.h"
#include "outbound/ahead.h"
#include "outbound/io.h"
#include "outbound/proxy_proto.h"
#include "outbound/spool.h"
#include "outbound/txn.h"
#include "util/cidr.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define IN_LINE_MAX	2048		/* command lines (RFC 5321 4.5.3.1.4: 512) */
#define IN_DATA_LINE_MAX (1 << 20)	/* message lines; longer: refused */
#define IN_PROXY_TIMEOUT 30000		/* ms for a PROXY header */

struct ob_in {
    struct ob_settings *set;
    struct ob_io io;
    int lmtp;
    int helo;			/* HELO/EHLO/LHLO seen */
    int in_txn;
    char client[64];
    char ident[32];		/* XFORWARD IDENT: the MTA's queue id, for our logs */
    struct ob_txn txn;
    struct buf line;
    int quit;
};

/* in_reply - queue one reply line */
static void in_reply(struct ob_in *in, const char *text)
{
    ob_io_printf(&in->io, "%s\r\n", text);
}

/* in_queue_id - a fresh id for a transaction: 10 hex digits */
static void in_queue_id(char *out, size_t len)
{
    unsigned char r[5];

    if (getrandom(r, sizeof(r), 0) != (ssize_t) sizeof(r))
	memset(r, 0, sizeof(r));
    snprintf(out, len, "%02X%02X%02X%02X%02X", r[0], r[1], r[2], r[3], r[4]);
}

/* in_txn_reset - forget the current transaction (and its XFORWARD IDENT) */
static void in_txn_reset(struct ob_in *in)
{
    if (in->in_txn)
	ob_txn_end(&in->txn);
    in->in_txn = 0;
    in->ident[0] = 0;
}

/* in_xforward - XFORWARD (Postfix): keep IDENT, the MTA's queue id, for the logs */
static void in_xforward(struct ob_in *in, const char *arg)
{
    const char *p = arg;

    if (in->in_txn) {
	in_reply(in, "503 5.5.1 Error: MAIL transaction in progress");
	return;
    }
    while (*p) {
	size_t len = strcspn(p, " ");

	if (len > 6 && strncasecmp(p, "IDENT=", 6) == 0) {
	    size_t n = 0;

	    /* a queue id is letters and digits; anything else is dropped */
	    for (size_t i = 6; i < len && n < sizeof(in->ident) - 1; i++)
		if (isalnum((unsigned char) p[i]))
		    in->ident[n++] = p[i];
	    in->ident[n] = 0;
	}
	p += len;
	while (*p == ' ')
	    p++;
    }
    in_reply(in, "250 2.0.0 Ok");
}

/* in_ehlo - EHLO/LHLO with our extensions, or HELO */
static void in_ehlo(struct ob_in *in, const char *verb, const char *arg)
{
    int extended = strcasecmp(verb, "HELO") != 0;

    if (*arg == 0) {
	in_reply(in, "501 5.5.4 Syntax: EHLO hostname");
	return;
    }
    in_txn_reset(in);
    in->helo = 1;
    if (!extended) {
	ob_io_printf(&in->io, "250 %s\r\n", in->set->helo_name);
	return;
    }
    /* REQUIRETLS only inside TLS (RFC 8689 4.1) */
    ob_io_printf(&in->io, "250-%s\r\n250-PIPELINING\r\n250-SIZE %llu\r\n250-8BITMIME\r\n"
		 "250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n%s%s250-XFORWARD NAME ADDR PROTO "
		 "HELO IDENT SOURCE\r\n250 DSN\r\n",
		 in->set->helo_name, in->set->max_size,
		 in->io.ssl == NULL && in->set->server_ctx ? "250-STARTTLS\r\n" : "",
		 in->io.ssl != NULL && in->set->requiretls ? "250-REQUIRETLS\r\n" : "");
}

/* in_mail_param - one MAIL FROM parameter; 0 ok, -1 with a reply queued */
static int in_mail_param(struct ob_in *in, const char *p, size_t len)
{
    struct ob_env *e = &in->txn.env;

#define IS(k) (len >= sizeof(k) - 1 && strncasecmp(p, k, sizeof(k) - 1) == 0)
    if (IS("SIZE=")) {
	e->size = strtoull(p + 5, NULL, 10);
	if (in->set->max_size > 0 && e->size > in->set->max_size) {
	    in_reply(in, "552 5.3.4 Message size exceeds fixed limit");
	    return -1;
	}
    } else if (IS("BODY=8BITMIME")) {
	e->body_8bit = 1;
    } else if (IS("BODY=7BIT")) {
	e->body_8bit = 0;
    } else if (len == 8 && strncasecmp(p, "SMTPUTF8", 8) == 0) {
	e->smtputf8 = 1;
    } else if (IS("RET=") && len <= 8) {
	free(in->txn.ret);
	e->ret = in->txn.ret = xstrndup(p + 4, len - 4);
    } else if (IS("ENVID=") && len <= 6 + 100) {
	free(in->txn.envid);
	e->envid = in->txn.envid = xstrndup(p + 6, len - 6);
    } else if (len == 10 && strncasecmp(p, "REQUIRETLS", 10) == 0 && in->set->requiretls) {
	if (in->io.ssl == NULL) {	/* RFC 8689 4.1: only inside TLS */
	    in_reply(in, "530 5.7.10 REQUIRETLS needs a TLS session: STARTTLS first");
	    return -1;
	}
	e->requiretls = 1;
    } else if (IS("AUTH=")) {
	/* an MTA's AUTH= is about its own client: not ours to pass on */
    } else {
	ob_io_printf(&in->io, "555 5.5.4 Unsupported option: %.*s\r\n", (int) (len > 64 ? 64 : len), p);
	return -1;
    }
#undef IS
    return 0;
}

static void in_ahead(void *ctx, struct ob_ahead *a);

/* in_mail - MAIL FROM: start a transaction */
static void in_mail(struct ob_in *in, const char *arg)
{
    char qid[32], *sender = NULL;
    const char *params;

    if (!in->helo) {
	in_reply(in, in->lmtp ? "503 5.5.1 Send LHLO first" : "503 5.5.1 Send EHLO/HELO first");
	return;
    }
    if (in->in_txn) {
	in_reply(in, "503 5.5.1 Nested MAIL command");
	return;
    }
    if (strncasecmp(arg, "FROM:", 5) != 0 || (params = ob_mta_path(arg + 5, &sender)) == NULL) {
	in_reply(in, "501 5.5.4 Syntax: MAIL FROM:<address>");
	return;
    }
    if (in->ident[0])
	snprintf(qid, sizeof(qid), "%s", in->ident);
    else
	in_queue_id(qid, sizeof(qid));
    ob_txn_begin(&in->txn, in->set, in->lmtp, qid);
    in->txn.ahead = in_ahead;	/* the MTA's pipelined RCPTs and DATA */
    in->txn.ahead_ctx = in;
    in->txn.sender = sender;
    in->txn.env.sender = sender;
    in->in_txn = 1;
    while (*params) {
	size_t len = strcspn(params, " ");

	if (in_mail_param(in, params, len) < 0) {
	    in_txn_reset(in);
	    return;
	}
	params += len;
	while (*params == ' ')
	    params++;
    }
    msg_info("%s: client=%s, from=<%s>%s", qid, in->client, sender,
	     in->txn.env.requiretls ? ", requiretls=yes" : "");
    in_reply(in, "250 2.1.0 Ok");
}

/* in_ahead - the MTA's pipelined RCPTs (and DATA) already in our input */
static void in_ahead(void *ctx, struct ob_ahead *a)
{
    struct ob_in *in = ctx;

    ob_ahead_scan(in->io.rbuf + in->io.rpos, in->io.rlen - in->io.rpos, IN_LINE_MAX, a);
}

/* in_rcpt - RCPT TO: the next hop decides */
static void in_rcpt(struct ob_in *in, const char *arg)
{
    struct buf params = BUF_INIT, err = BUF_INIT;
    struct ob_result res;
    char *addr = NULL;

    if (!in->in_txn) {
	in_reply(in, "503 5.5.1 Need MAIL command");
	return;
    }
    if (ob_mta_rcpt_parse(arg, &addr, &params, &err) < 0) {
	in_reply(in, buf_str(&err));
    } else if (in->txn.nrcpts >= OB_TXN_MAX_RCPTS) {
	in_reply(in, "452 4.5.3 Too many recipients");
    } else {
	/* The next hop may take a while: send replies already queued. */
	(void) ob_io_flush(&in->io, OB_T_SERVER);
	(void) ob_txn_rcpt(&in->txn, addr, buf_str(&params), &res);
	ob_result_put(&in->io, &res);
    }
    buf_free(&params);
    buf_free(&err);
    free(addr);
}

/* in_data_read - the message into sp; 1 complete, 0 MTA gone, 2 too big */
static int in_data_read(struct ob_in *in, struct ob_spool *sp)
{
    int big = 0;

    for (;;) {
	int r = ob_io_read_line(&in->io, &in->line, IN_DATA_LINE_MAX, OB_T_SERVER);

	if (r <= 0)
	    return 0;
	if (in->line.len == 1 && in->line.data[0] == '.')
	    return big ? 2 : 1;
	if (in->io.overlong)
	    big = 1;
	if (big)
	    continue;
	buf_append(&in->line, "\r\n", 2);
	if (ob_spool_write(sp, in->line.data, in->line.len) < 0) {
	    msg_warn("%s: outbound: cannot write the spool in %s", in->txn.queue_id,
		     in->set->tmpdir);
	    big = 3;
	}
	if (in->set->max_size > 0 && ob_spool_size(sp) > in->set->max_size + 65536)
	    big = 2;
    }
}

/* in_data - DATA: read the message, deliver, reply */
static void in_data(struct ob_in *in)
{
    struct ob_spool *sp;
    int r;

    if (!in->in_txn || in->txn.naccepted == 0) {
	in_reply(in, in->in_txn ? "554 5.5.1 No valid recipients" : "503 5.5.1 Need RCPT command");
	return;
    }
    in_reply(in, "354 End data with <CR><LF>.<CR><LF>");
    if (ob_io_flush(&in->io, OB_T_SERVER) < 0) {
	in->quit = 1;
	return;
    }
    sp = ob_spool_new(in->set->spool_mem, in->set->tmpdir);
    r = in_data_read(in, sp);
    if (r == 0) {
	msg_info("%s: outbound: lost connection with the MTA during DATA: "
		 "next-hop transactions abandoned", in->txn.queue_id);
	in->quit = 1;
    } else if (r == 2 || r == 3) {
	size_t n = in->lmtp ? in->txn.naccepted : 1;

	for (size_t i = 0; i < n; i++)
	    in_reply(in, r == 2 ? "552 5.3.4 Message size exceeds fixed limit"
		     : "451 4.3.0 Local error: cannot store the message");
    } else {
	ob_txn_data(&in->txn, sp, &in->io);
    }
    /* The replies first: the MTA need not wait for our QUITs to the next hops. */
    if (!in->quit && ob_io_flush(&in->io, OB_T_SERVER) < 0)
	in->quit = 1;
    if (r == 1)
	ob_dsn_relayed_send(&in->txn, sp);	/* RFC 3461 6.2, see dsn_relayed.h */
    ob_spool_free(&sp);
    in_txn_reset(in);
}

/* in_starttls - STARTTLS from the MTA */
static void in_starttls(struct ob_in *in)
{
    SSL *ssl;

    if (in->io.ssl != NULL || in->set->server_ctx == NULL) {
	in_reply(in, "503 5.5.1 TLS already active");
	return;
    }
    in_reply(in, "220 2.0.0 Ready to start TLS");
    if (ob_io_flush(&in->io, OB_T_SERVER) < 0 || (ssl = SSL_new(in->set->server_ctx)) == NULL
	|| ob_io_tls_start(&in->io, ssl, 1, OB_T_SERVER) < 0) {
	msg_info("outbound: STARTTLS from %s failed: %s", in->client, in->io.why);
	in->quit = 1;
	return;
    }
    in_txn_reset(in);
    in->helo = 0;
}

/* in_command - dispatch one command line */
static void in_command(struct ob_in *in, char *line)
{
    char *arg = line + strcspn(line, " ");
    const char *verb = line;

    if (*arg)
	*arg++ = 0;
    if (in->io.overlong)
	in_reply(in, "500 5.5.2 Line too long");
    else if (strcasecmp(verb, in->lmtp ? "LHLO" : "EHLO") == 0
	     || (!in->lmtp && strcasecmp(verb, "HELO") == 0))
	in_ehlo(in, verb, arg);
    else if (strcasecmp(verb, "MAIL") == 0)
	in_mail(in, arg);
    else if (strcasecmp(verb, "RCPT") == 0)
	in_rcpt(in, arg);
    else if (strcasecmp(verb, "DATA") == 0)
	in_data(in);
    else if (strcasecmp(verb, "RSET") == 0) {
	in_txn_reset(in);
	in_reply(in, "250 2.0.0 Ok");
    } else if (strcasecmp(verb, "NOOP") == 0)
	in_reply(in, "250 2.0.0 Ok");
    else if (strcasecmp(verb, "QUIT") == 0) {
	in_reply(in, "221 2.0.0 Bye");
	in->quit = 1;
    } else if (strcasecmp(verb, "STARTTLS") == 0)
	in_starttls(in);
    else if (strcasecmp(verb, "XFORWARD") == 0)
	in_xforward(in, arg);
    else if (strcasecmp(verb, "VRFY") == 0)
	in_reply(in, "252 2.5.2 Cannot VRFY, send mail");
    else
	in_reply(in, "500 5.5.2 Command not recognized");
}

/* in_allowed - is the client in outbound.allowed_clients? */
static int in_allowed(struct ob_in *in, const struct sockaddr *peer)
{
    struct cidr addr;

    if (peer->sa_family == AF_UNIX) {
	snprintf(in->client, sizeof(in->client), "local");
	return 1;
    }
    if (cidr_from_sockaddr(peer, &addr) < 0)
	return 0;
    cidr_format(&addr, in->client, sizeof(in->client));
    for (size_t i = 0; i < in->set->nallowed; i++)
	if (cidr_match(&in->set->allowed[i], &addr))
	    return 1;
    return 0;
}

/* in_proxy_host - is the peer in outbound.proxy_hosts (it must send a PROXY header)? */
static int in_proxy_host(struct ob_in *in, const struct sockaddr *peer)
{
    const struct cidr *hosts;
    struct cidr addr;
    size_t n;

    if (peer->sa_family == AF_UNIX || cidr_from_sockaddr(peer, &addr) < 0)
	return 0;
    hosts = conf_cidrs(in->set->conf, "outbound.proxy_hosts", &n);
    for (size_t i = 0; i < n; i++)
	if (cidr_match(&hosts[i], &addr))
	    return 1;
    return 0;
}

/* in_proxy - read the PROXY header of a proxy host; 0 ok (*src_r set), -1 closed */
static int in_proxy(struct ob_in *in, const struct sockaddr *peer, struct sockaddr_storage *src_r)
{
    unsigned char hdr[16 + OB_PROXY_V2_MAX];
    struct ob_proxy_hdr h;
    struct cidr addr;
    char proxy[64] = "?";
    const char *why = "";
    size_t len = 0, need = 1;
    int r = 0;

    if (cidr_from_sockaddr(peer, &addr) == 0)
	cidr_format(&addr, proxy, sizeof(proxy));
    while (r == 0) {
	if (ob_io_read(&in->io, hdr + len, need - len, IN_PROXY_TIMEOUT) <= 0) {
	    why = len ? "truncated header" : "no PROXY header";
	    r = -1;
	    break;
	}
	len = need;
	r = ob_proxy_parse(hdr, len, &h, &need, &why);
    }
    if (r < 0) {
	msg_warn("outbound: proxy host %s: bad PROXY protocol header: %s; connection closed",
		 proxy, why);
	return -1;
    }
    if (h.local) {
	memcpy(src_r, peer, peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	       : sizeof(struct sockaddr_in));
	msg_info("outbound: proxy host %s: PROXY v%d without addresses: its own address stands",
		 proxy, h.version);
	return 0;
    }
    *src_r = h.src;
    if (cidr_from_sockaddr((struct sockaddr *) &h.src, &addr) == 0) {
	char client[64];

	cidr_format(&addr, client, sizeof(client));
	msg_info("outbound: client %s via proxy host %s (PROXY v%d)", client, proxy, h.version);
    }
    return 0;
}

/* ob_in_run - one MTA connection from greeting to close */
void ob_in_run(struct ob_settings *s, int fd, int lmtp, const struct sockaddr *peer)
{
    struct ob_in *in = xcalloc(1, sizeof(*in));
    struct sockaddr_storage proxied;

    in->set = s;
    in->lmtp = lmtp;
    ob_io_init(&in->io, fd);
    if (in_proxy_host(in, peer)) {
	if (in_proxy(in, peer, &proxied) < 0) {
	    in->quit = 1;
	    goto done;
	}
	peer = (const struct sockaddr *) &proxied;
    }
    if (!in_allowed(in, peer)) {
	msg_warn("outbound: refused client %s: not in outbound.allowed_clients", in->client);
	ob_io_printf(&in->io, "554 5.7.1 %s: client not allowed to use this relay\r\n",
		     in->client);
	(void) ob_io_flush(&in->io, 5000);
	in->quit = 1;
    } else {
	ob_io_printf(&in->io, "220 %s %s mxguard-outbound\r\n", s->helo_name,
		     lmtp ? "LMTP" : "ESMTP");
    }
    while (!in->quit) {
	if (!ob_io_pending(&in->io) && ob_io_flush(&in->io, OB_T_SERVER) < 0)
	    break;
	if (ob_io_read_line(&in->io, &in->line, IN_LINE_MAX, OB_T_SERVER) <= 0)
	    break;
	in_command(in, in->line.data);
    }
  done:
    (void) ob_io_flush(&in->io, 5000);
    in_txn_reset(in);
    ob_io_close(&in->io);
    buf_free(&in->line);
    free(in);
}
