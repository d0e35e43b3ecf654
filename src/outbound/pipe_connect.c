/*
 * NAME
 *	pipe_connect.c - early pipelining to next hops
 * DESCRIPTION
 *	See pipe_connect.h. The session (session_out.c) calls in at four
 *	places: after connect (start), when it would send EHLO or STARTTLS
 *	(sent), after each EHLO reply (ehlo_seen) and when the greeting
 *	phase of an address failed (retry).
 */
#include "config.h"
#include "outbound/pipe_connect.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "outbound/session_out.h"
#include "policy/lists.h"
#include "util/msg.h"

/* Extensions that shape the commands of an early transaction: the real EHLO
 * must still have the cached entry's, or those commands may be wrong. */
#define PIPE_TXN_FLAGS (OB_EHLO_PIPELINING | OB_EHLO_SIZE | OB_EHLO_8BITMIME \
			| OB_EHLO_SMTPUTF8 | OB_EHLO_DSN | OB_EHLO_STARTTLS)

/* ob_pipe_cache_open - the EHLO cache, or NULL (pipe-connect off) */
struct ob_ehlo_cache *ob_pipe_cache_open(struct conf *c)
{
    struct buf why = BUF_INIT;
    struct ob_ehlo_cache *ec = ob_ehlo_cache_open(c, &why);

    if (ec == NULL && conf_bool(c, "outbound.pipe_connect")
	&& conf_int(c, "outbound.ehlo_cache_expire_s") > 0)
	msg_warn("outbound: pipe_connect off: EHLO cache: %s", buf_str(&why));
    buf_free(&why);
    return ec;
}

/* pipe_host_allowed - is the host (name, then address) in outbound.pipe_connect_hosts? */
static int pipe_host_allowed(struct ob_settings *s, const char *host, const char *addr)
{
    int r;

    if (s->pipe_hosts == NULL)
	return 1;
    if ((r = list_lookup(s->pipe_hosts, host, NULL)) == 0)
	r = list_lookup(s->pipe_hosts, addr, NULL);
    return r == 1;		/* a failed lookup (-1): no early pipelining */
}

/* ob_pipe_prepare - before connect: look up the entries, decide on early pipelining */
int ob_pipe_prepare(struct ob_out *o, const char *host, const struct sockaddr_storage *ss,
		    int port)
{
    struct ob_ehlo_cache *ec = o->set->ehlo_cache;
    struct ob_pipe *p = &o->pipe;
    const unsigned need = OB_EHLO_PIPECONNECT | OB_EHLO_PIPELINING;
    char addr[64];

    p->early = p->txn = p->sent = p->valid = p->advertised = p->used = 0;
    p->tls_early = p->tls_valid = p->allowed = 0;
    p->have[0] = p->have[1] = 0;
    if (ec == NULL)
	return 0;
    (void) inet_ntop(ss->ss_family, ss->ss_family == AF_INET6
		     ? (const void *) &((const struct sockaddr_in6 *) ss)->sin6_addr
		     : (const void *) &((const struct sockaddr_in *) ss)->sin_addr, addr, sizeof(addr));
    p->have[0] = ob_ehlo_cache_get(ec, addr, port, 0, &p->cached[0]) == 1;
    p->have[1] = ob_ehlo_cache_get(ec, addr, port, 1, &p->cached[1]) == 1;
    p->allowed = !p->retried && (p->have[0] || p->have[1]) && pipe_host_allowed(o->set, host, addr);
    p->early = p->allowed && p->have[0] && (p->cached[0].flags & need) == need;
    return p->early;
}

/* ob_pipe_start - right after connect: the first flight, when prepared (not flushed) */
int ob_pipe_start(struct ob_out *o, int starttls_ok, int tls_needed)
{
    struct ob_pipe *p = &o->pipe;

    if (!p->early)
	return 0;
    ob_io_printf(&o->io, "EHLO %s\r\n", o->set->helo_name);
    p->sent = OB_PIPE_SENT_EHLO;
    if (starttls_ok && (p->cached[0].flags & OB_EHLO_STARTTLS)) {
	ob_io_printf(&o->io, "STARTTLS\r\n");
	p->sent |= OB_PIPE_SENT_STARTTLS;
	return 1;
    }
    if (tls_needed)		/* TLS required but not cached: never the mail in clear */
	return 1;
    p->txn = 1;
    return 2;
}

/* ob_pipe_tls_start - after the handshake: EHLO early when the post-TLS entry allows */
int ob_pipe_tls_start(struct ob_out *o)
{
    struct ob_pipe *p = &o->pipe;
    const unsigned need = OB_EHLO_PIPECONNECT | OB_EHLO_PIPELINING;

    if (!p->allowed || !p->have[1] || (p->cached[1].flags & need) != need)
	return 0;
    if (o->rtls == OB_RTLS_REQUIRE)	/* REQUIRETLS is checked in the EHLO reply first */
	return 0;
    ob_io_printf(&o->io, "EHLO %s\r\n", o->set->helo_name);
    p->sent |= OB_PIPE_SENT_EHLO;
    p->tls_early = 1;
    return 1;
}

/* ob_pipe_sent - was verb sent early? (its reply is still to be read) */
int ob_pipe_sent(struct ob_out *o, const char *verb)
{
    int bit = strcasecmp(verb, "EHLO") == 0 ? OB_PIPE_SENT_EHLO
	: strcasecmp(verb, "STARTTLS") == 0 ? OB_PIPE_SENT_STARTTLS : 0;

    if (bit == 0 || !(o->pipe.sent & bit))
	return 0;
    o->pipe.sent &= ~bit;
    return 1;
}

/* ob_pipe_unconfirmed - early commands out, banner and EHLO not yet good */
int ob_pipe_unconfirmed(const struct ob_out *o)
{
    return (o->pipe.early && !o->pipe.valid) || (o->pipe.tls_early && !o->pipe.tls_valid);
}

/* ob_pipe_ehlo_seen - an EHLO reply: record it, note PIPECONNECT; -1 early commands wrong */
int ob_pipe_ehlo_seen(struct ob_out *o, int tls)
{
    struct ob_ehlo_cache *ec = o->set->ehlo_cache;
    struct ob_pipe *p = &o->pipe;
    struct ob_ehlo_caps seen;
    int txn = tls ? p->tls_early : p->txn, fits = 1;
    unsigned before = p->cached[tls].flags;

    ob_ehlo_caps_parse(&o->reply, &seen);
    if (o->reply.code == 250 && txn && ((seen.flags ^ before) & PIPE_TXN_FLAGS))
	fits = 0;		/* MAIL/RCPT/DATA went out for other extensions */
    if (!tls) {
	p->valid = o->reply.code == 250 && fits;
	p->used = p->early && p->valid;
    } else {
	p->tls_valid = o->reply.code == 250 && fits;
	p->used |= p->tls_early && p->tls_valid;
    }
    if (ec != NULL && o->reply.code != 250) {
	if (p->have[tls])
	    (void) ob_ehlo_cache_delete(ec, o->diag.addr, o->diag.port, tls);
	p->have[tls] = 0;
    } else if (ec != NULL) {
	if (!tls)
	    p->advertised = (seen.flags & OB_EHLO_PIPECONNECT) != 0;
	if (!p->have[tls] || !ob_ehlo_caps_equal(&seen, &p->cached[tls])) {
	    if (p->have[tls])
		msg_info("%s: outbound: %s[%s]:%d: EHLO%s changed, cache entry updated",
			 o->queue_id, o->diag.host, o->diag.addr, o->diag.port,
			 tls ? " after STARTTLS" : "");
	    if (ob_ehlo_cache_put(ec, o->diag.addr, o->diag.port, tls, &seen) == 0) {
		p->cached[tls] = seen;
		p->have[tls] = 1;
	    }
	}
    }
    if (fits)
	return 0;
    snprintf(o->io.why, sizeof(o->io.why), "EHLO%s extensions differ from the cached ones "
	     "the early transaction was written for", tls ? " after STARTTLS" : "");
    return -1;
}

/* ob_pipe_drop_starttls - read the reply to an early STARTTLS we won't use */
int ob_pipe_drop_starttls(struct ob_out *o)
{
    if (!ob_pipe_sent(o, "STARTTLS"))
	return 0;
    if (ob_reply_read(&o->io, &o->reply, OB_T_EHLO) <= 0)
	return -1;
    if (o->reply.code == 220) {		/* TLS would start now: cannot continue */
	snprintf(o->io.why, sizeof(o->io.why), "STARTTLS accepted but not offered");
	return -1;
    }
    return 0;
}

/* ob_pipe_retry - after an early failure: forget the entry, try again without */
int ob_pipe_retry(struct ob_out *o)
{
    struct ob_pipe *p = &o->pipe;

    if (!ob_pipe_unconfirmed(o) || p->retried)
	return 0;
    if (o->set->ehlo_cache != NULL) {
	(void) ob_ehlo_cache_delete(o->set->ehlo_cache, o->diag.addr, o->diag.port, 0);
	(void) ob_ehlo_cache_delete(o->set->ehlo_cache, o->diag.addr, o->diag.port, 1);
    }
    msg_info("%s: outbound: %s[%s]:%d: early pipelining failed (%d %s%s%s), cache entry "
	     "deleted, retrying without it", o->queue_id, o->diag.host, o->diag.addr,
	     o->diag.port, o->fail.code, o->fail.enh, o->io.why[0] ? " " : "", o->io.why);
    p->retried = 1;
    p->early = p->txn = p->tls_early = p->sent = 0;
    return 1;
}

/* ob_pipe_marker - Exim's log marker for this conversation */
const char *ob_pipe_marker(const struct ob_out *o)
{
    return o->pipe.used ? "L*" : o->pipe.advertised ? "L." : "";
}
