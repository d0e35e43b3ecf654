/*
 * NAME
 *	session_out.c - the next-hop SMTP client
 * DESCRIPTION
 *	See session_out.h. Host/address iteration is in ob_out_open; each
 *	protocol step is one out_* function that sets o->state.
 */
#include "config.h"
#include "outbound/session_out.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "outbound/conn_cache.h"
#include "outbound/tls_sess.h"
#include "outbound/events.h"
#include "outbound/mta_sts.h"
#include <openssl/x509.h>

#include "util/msg.h"
#include "util/xmalloc.h"

static const char *const state_names[] = {
    "new", "banner", "EHLO", "STARTTLS", "EHLO after STARTTLS", "MAIL FROM",
    "RCPT TO", "DATA", "end of DATA", "QUIT", "failed"
};

/* ob_out_state_name - printable state, also the "in reply to" text */
const char *ob_out_state_name(enum ob_out_state st)
{
    return state_names[st];
}

/* ob_now_ms - monotonic milliseconds */
long long ob_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ob_out_new - a conversation for one destination, not yet connected */
struct ob_out *ob_out_new(struct ob_settings *s, const char *domain, const char *queue_id,
			  enum ob_rtls rtls)
{
    struct ob_out *o = rtls == OB_RTLS_NOTLS ? NULL : ob_cache_take(s->cache, domain, rtls);

    if (o != NULL) {
	o->set = ob_settings_ref(s);
	o->reused = 1;
	o->naccepted = 0;
	o->state = OB_OUT_EHLO;
	memset(&o->fail, 0, sizeof(o->fail));
	snprintf(o->queue_id, sizeof(o->queue_id), "%s", queue_id);
	o->t_start = ob_now_ms();
	return o;
    }
    o = xcalloc(1, sizeof(*o));
    o->set = ob_settings_ref(s);
    o->domain = xstrdup(domain);
    o->rtls = rtls;
    snprintf(o->queue_id, sizeof(o->queue_id), "%s", queue_id);
    o->io.fd = -1;
    o->t_start = ob_now_ms();
    return o;
}

static void out_log_fail(struct ob_out *o);

/* out_fail - record our own failure for the current host */
static void out_fail(struct ob_out *o, enum ob_trouble t, const char *detail)
{
    char text[600];

    if (t == OB_TR_TLS_MISSING || t == OB_TR_TLS_FAIL || t == OB_TR_TLSA_FAIL || t == OB_TR_STS_MX)
	o->tls_refused = 1;
    /* a REQUIRETLS message: a TLS failure is a 4.7.30 that names the step */
    t = (enum ob_trouble) ob_rtls_trouble(o->rtls, t, detail, text, sizeof(text));
    ob_result_trouble(&o->fail, t, o->diag.host[0] ? &o->diag : NULL, text);
    out_log_fail(o);
}

/* out_log_fail - log o->fail and fire msg:host:defer for a temporary one */
static void out_log_fail(struct ob_out *o)
{
    char *nl;

    if (o->fail.code < 500 && o->diag.host[0])
	(void) ob_event(o, "msg:host:defer", o->fail.text, NULL, -1, NULL);
    nl = strchr(o->fail.text, '\n');
    msg_info("%s: outbound: %s: %d %s %.*s%s%s", o->queue_id, o->domain, o->fail.code,
	     o->fail.enh, nl ? (int) (nl - o->fail.text) : (int) strlen(o->fail.text),
	     o->fail.text, nl ? " " : "", nl ? nl + 1 : "");
}

/* out_fail_reply - the next hop refused at command cmd: keep and log its reply */
static void out_fail_reply(struct ob_out *o, const char *cmd)
{
    snprintf(o->diag.command, sizeof(o->diag.command), "%s", cmd);
    ob_result_from_reply(&o->fail, &o->reply, &o->diag);
    out_log_fail(o);
}

/* out_fail_io - record an I/O failure (timeout or lost connection) */
static void out_fail_io(struct ob_out *o)
{
    snprintf(o->diag.command, sizeof(o->diag.command), "%s", ob_out_state_name(o->state));
    out_fail(o, strcmp(o->io.why, "timeout") == 0 ? OB_TR_TIMEOUT
	     : strcmp(o->io.why, "malformed reply line") == 0 ? OB_TR_PROTOCOL
	     : strncmp(o->io.why, "TLS", 3) == 0 ? OB_TR_TLS_FAIL : OB_TR_LOST, o->io.why);
}

/* out_presend_free - forget the commands written ahead */
static void out_presend_free(struct ob_presend *p)
{
    for (size_t i = 0; i < p->n; i++) {
	free(p->addrs[i]);
	free(p->params[i]);
    }
    free(p->addrs);
    free(p->params);
    memset(p, 0, sizeof(*p));
}

/* out_close - drop the current connection */
static void out_close(struct ob_out *o, int quit)
{
    if (!o->connected)
	return;
    (void) ob_event(o, "tcp:close", o->diag.host, NULL, -1, NULL);
    /* after a DATA that may have had its 354, QUIT would be message text */
    if (quit && !o->pre.data_open && !ob_pipe_unconfirmed(o)) {
	ob_io_printf(&o->io, "QUIT\r\n");
	if (ob_io_flush(&o->io, 5000) == 0)
	    (void) ob_reply_read(&o->io, &o->reply, 5000);
    }
    ob_io_close(&o->io);
    o->connected = 0;
    o->tls_on = 0;
    o->pending_rcpt = 0;
    out_presend_free(&o->pre);
}

/* out_command - send one command and read its reply; 1 reply, -1 I/O failure */
static int out_command(struct ob_out *o, enum ob_out_state st, int timeout_ms,
		       const char *verb, const char *arg)
{
    o->state = st;
    if (!ob_pipe_sent(o, verb))
	ob_io_printf(&o->io, "%s%s%s\r\n", verb, *arg ? " " : "", arg);
    if (ob_io_flush(&o->io, timeout_ms) < 0 || ob_reply_read(&o->io, &o->reply, timeout_ms) <= 0) {
	out_fail_io(o);
	return -1;
    }
    return 1;
}

/* out_event_refuses - fire name; a sync result refuses the host (1) */
static int out_event_refuses(struct ob_out *o, const char *name, const char *data)
{
    struct buf res = BUF_INIT;
    char where[100];
    int refused;

    if (data == NULL) {
	snprintf(where, sizeof(where), "%s:%d", o->diag.addr, o->diag.port);
	data = where;
    }
    refused = ob_event(o, name, data, NULL, -1, &res) == 1;
    if (refused) {
	char detail[300];

	snprintf(detail, sizeof(detail), "refused by the %s event: %s", name, buf_str(&res));
	out_fail(o, OB_TR_CONNECT, detail);
    }
    buf_free(&res);
    return refused;
}

/* out_connect - TCP connection to one address with a timeout */
static int out_connect(struct ob_out *o, const struct ob_host *h,
		       const struct sockaddr_storage *ss)
{
    socklen_t len = ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
	: sizeof(struct sockaddr_in);
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1, err = 0;
    socklen_t elen = sizeof(err);
    struct pollfd p;

    memset(&o->diag, 0, sizeof(o->diag));
    snprintf(o->diag.host, sizeof(o->diag.host), "%s", h->name);
    (void) inet_ntop(ss->ss_family, ss->ss_family == AF_INET6
		     ? (const void *) &((const struct sockaddr_in6 *) ss)->sin6_addr
		     : (const void *) &((const struct sockaddr_in *) ss)->sin_addr,
		     o->diag.addr, sizeof(o->diag.addr));
    o->diag.port = h->port;
    if (fd < 0) {
	out_fail(o, OB_TR_LOCAL, strerror(errno));
	return -1;
    }
    (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (o->pipe.early)		/* the first flight may ride in the SYN */
	(void) setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one, sizeof(one));
    if (out_event_refuses(o, "tcp:connect", NULL)) {
	(void) close(fd);
	return -1;
    }
    if (connect(fd, (const struct sockaddr *) ss, len) < 0 && errno != EINPROGRESS)
	err = errno;
    else {
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, o->set->connect_timeout_ms) <= 0)
	    err = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
	    err = errno;
    }
    if (err != 0) {
	char detail[300];

	(void) close(fd);
	snprintf(detail, sizeof(detail), "connect to %s[%s]:%d: %s", h->name, o->diag.addr,
		 h->port, strerror(err));
	out_fail(o, OB_TR_CONNECT, detail);
	return -1;
    }
    ob_io_init(&o->io, fd);
    o->connected = 1;
    o->t_connected = ob_now_ms();
    return 0;
}

/* out_ehlo - EHLO, or HELO when EHLO is refused with 5xx; 0 ok, -1 next host */
static int out_ehlo(struct ob_out *o, enum ob_out_state st)
{
    if (out_command(o, st, OB_T_EHLO, "EHLO", o->set->helo_name) < 0)
	return -1;
    if (o->reply.code >= 500 && st == OB_OUT_EHLO && !ob_pipe_unconfirmed(o)) {
	if (out_command(o, st, OB_T_EHLO, "HELO", o->set->helo_name) < 0)
	    return -1;
	memset(&o->ehlo, 0, sizeof(o->ehlo));
    } else {
	(void) ob_ehlo_parse(&o->reply, &o->ehlo);
	if (ob_pipe_ehlo_seen(o, st == OB_OUT_EHLO_TLS) < 0) {
	    snprintf(o->diag.command, sizeof(o->diag.command), "%s", ob_out_state_name(st));
	    out_fail(o, OB_TR_PROTOCOL, o->io.why);
	    return -1;
	}
    }
    if (st == OB_OUT_EHLO)
	snprintf(o->diag.ehlo, sizeof(o->diag.ehlo), "%s", o->reply.first);
    if (o->reply.code != 250) {
	out_fail_reply(o, ob_out_state_name(st));
	return -1;
    }
    return 0;
}

/* out_cert_events - tls:cert per certificate, deepest first; -1 refused */
static int out_cert_events(struct ob_out *o, SSL *ssl, struct buf *why_r)
{
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    int n = chain ? sk_X509_num(chain) : 0;

    if (o->set->events == NULL)
	return 0;
    for (int i = n - 1; i >= 0; i--) {
	char subject[256];
	struct buf res = BUF_INIT;

	X509_NAME_oneline(X509_get_subject_name(sk_X509_value(chain, i)), subject,
			  sizeof(subject));
	if (ob_event(o, "tls:cert", subject, NULL, i, &res) == 1) {
	    buf_printf(why_r, "certificate at depth %d refused by the tls:cert event: %s", i,
		       buf_str(&res));
	    buf_free(&res);
	    return -1;
	}
	buf_free(&res);
    }
    return 0;
}

/* out_starttls - STARTTLS, handshake, policy check; 0 ok, 1 stay in clear, -1 next */
static int out_starttls(struct ob_out *o, int need, int dane)
{
    struct buf why = BUF_INIT, key = BUF_INIT;
    struct ob_tls_info saved;
    SSL_SESSION *sess;
    SSL *ssl;
    int r;

    if (!(o->ehlo.flags & OB_EHLO_STARTTLS)) {
	if (ob_pipe_drop_starttls(o) < 0) {
	    out_fail_io(o);
	    return -1;
	}
	if (!need)
	    return 1;
	out_fail(o, OB_TR_TLS_MISSING, dane ? "host has usable TLSA records" : NULL);
	return -1;
    }
    if (out_command(o, OB_OUT_STARTTLS, OB_T_EHLO, "STARTTLS", "") < 0)
	return -1;
    if (o->reply.code != 220) {
	if (!need)
	    return 1;
	snprintf(o->diag.command, sizeof(o->diag.command), "STARTTLS");
	out_fail(o, OB_TR_TLS_MISSING, o->reply.first);
	return -1;
    }
    ssl = ob_tls_client_new(o->set->client_ctx, o->diag.host, o->domain, o->level, &o->tlsa,
			    o->set->ocsp);
    if (ssl != NULL && o->rtls != OB_RTLS_NOTLS) {	/* never for TLS-Required: No mail */
	ob_tls_sess_key(&key, o->diag.host, o->diag.addr, o->diag.port, o->level, &o->tlsa,
			o->rtls);
	if ((sess = ob_tls_sess_get(o->set->tls_sess, buf_str(&key), &saved)) != NULL) {
	    (void) SSL_set_session(ssl, sess);
	    SSL_SESSION_free(sess);
	}
    }
    if (ssl == NULL || ob_io_tls_start(&o->io, ssl, 0, OB_T_EHLO) < 0) {
	buf_free(&key);
	if (ssl == NULL)
	    snprintf(o->io.why, sizeof(o->io.why), "TLS setup failed");
	snprintf(o->diag.command, sizeof(o->diag.command), "STARTTLS");
	out_fail(o, OB_TR_TLS_FAIL, o->io.why);
	return -1;
    }
    o->tls_on = 1;
    if (SSL_session_reused(ssl)) {	/* checked when it was made: keep what they found */
	o->tls = saved;
	snprintf(o->tls.protocol, sizeof(o->tls.protocol), "%s", SSL_get_version(ssl));
	snprintf(o->tls.cipher, sizeof(o->tls.cipher), "%s", SSL_get_cipher_name(ssl));
	o->tls.resumed = 1;
    } else if (ob_tls_peer_check(ssl, o->level, &o->tlsa, &o->tls, &why) < 0
	|| ob_tls_ocsp_check(ssl, o->set->ocsp, &o->tls, &why) < 0
	|| out_cert_events(o, ssl, &why) < 0) {
	snprintf(o->diag.command, sizeof(o->diag.command), "STARTTLS");
	out_fail(o, OB_TR_TLS_FAIL, buf_str(&why));
	buf_free(&why);
	buf_free(&key);
	return -1;
    }
    buf_free(&why);
    if (ob_pipe_tls_start(o))	/* pipe-connect: EHLO and the transaction at once */
	ob_out_mail(o, o->pipe.cached[1].flags);
    r = out_ehlo(o, OB_OUT_EHLO_TLS);
    /* after the EHLO reply: TLS 1.3 tickets arrive after the handshake */
    if (r == 0 && key.len > 0 && !o->tls.resumed)
	ob_tls_sess_put(o->set->tls_sess, buf_str(&key), ssl, &o->tls);
    buf_free(&key);
    return r;
}

/* out_rcpt_line - write one RCPT TO with the parameters the extensions allow */
static void out_rcpt_line(struct ob_out *o, unsigned flags, const char *rcpt, const char *params)
{
    ob_io_printf(&o->io, "RCPT TO:<%s>", rcpt);
    if (params != NULL && *params && (flags & OB_EHLO_DSN))
	ob_io_printf(&o->io, " %s", params);
    ob_io_printf(&o->io, "\r\n");
}

/* ob_out_mail - write MAIL FROM, and with PIPELINING the known RCPTs and DATA */
void ob_out_mail(struct ob_out *o, unsigned flags)
{
    const struct ob_env *e = o->env;
    const struct ob_ahead *a = o->ahead;
    struct ob_presend *p = &o->pre;

    o->state = OB_OUT_MAIL;
    ob_io_printf(&o->io, "MAIL FROM:<%s>", e->sender);
    if (e->size > 0 && (flags & OB_EHLO_SIZE))
	ob_io_printf(&o->io, " SIZE=%llu", e->size);
    if (e->body_8bit && (flags & OB_EHLO_8BITMIME))
	ob_io_printf(&o->io, " BODY=8BITMIME");
    if (e->smtputf8 && (flags & OB_EHLO_SMTPUTF8))
	ob_io_printf(&o->io, " SMTPUTF8");
    if (o->rtls == OB_RTLS_REQUIRE)	/* checked: the host advertised it, in TLS */
	ob_io_printf(&o->io, " REQUIRETLS");
    if (flags & OB_EHLO_DSN) {
	if (e->ret != NULL)
	    ob_io_printf(&o->io, " RET=%s", e->ret);
	if (e->envid != NULL)
	    ob_io_printf(&o->io, " ENVID=%s", e->envid);
    }
    ob_io_printf(&o->io, "\r\n");
    o->pending_rcpt = 1;
    out_presend_free(p);
    if (a == NULL || a->n == 0 || !(flags & OB_EHLO_PIPELINING))
	return;
    p->addrs = xcalloc(a->n, sizeof(*p->addrs));
    p->params = xcalloc(a->n, sizeof(*p->params));
    for (size_t i = 0; i < a->n; i++) {
	out_rcpt_line(o, flags, a->addrs[i], a->params[i]);
	p->addrs[i] = xstrdup(a->addrs[i]);
	p->params[i] = xstrdup(a->params[i] ? a->params[i] : "");
    }
    p->n = a->n;
    if (a->data) {
	ob_io_printf(&o->io, "DATA\r\n");
	p->data = p->data_open = 1;
    }
}

/* out_diag_unused - diagnostics for host h, skipped before any connection */
static void out_diag_unused(struct ob_out *o, const struct ob_host *h)
{
    memset(&o->diag, 0, sizeof(o->diag));
    snprintf(o->diag.host, sizeof(o->diag.host), "%s", h->name);
    snprintf(o->diag.addr, sizeof(o->diag.addr), "unused");
    o->diag.port = h->port;
}

/* out_host_dane - the DANE state of host h; -1 means skip the host */
static int out_host_dane(struct ob_out *o, const struct ob_host *h)
{
    struct buf why = BUF_INIT;

    ob_tlsa_free(&o->tlsa);
    memset(&o->tlsa, 0, sizeof(o->tlsa));
    o->level = o->dest_level;
    if (o->level != OB_TLS_DANE && o->level != OB_TLS_DANE_ONLY)
	return 0;
    if (h->addr_secure && ob_dane_lookup(o->set->dns, h->name, h->port, &o->tlsa, &why)
	== OB_DANE_FAIL) {
	out_diag_unused(o, h);
	out_fail(o, OB_TR_TLSA_FAIL, buf_str(&why));
	buf_free(&why);
	return -1;
    }
    buf_free(&why);
    if (o->level == OB_TLS_DANE_ONLY && o->tlsa.state != OB_DANE_USABLE) {
	out_fail(o, OB_TR_TLS_FAIL, "dane-only: no secure usable TLSA records");
	return -1;
    }
    o->level = ob_rtls_host_level(o->rtls, o->level, o->tlsa.state == OB_DANE_USABLE);
    return 0;
}

/* out_rtls_check - a REQUIRETLS host must advertise REQUIRETLS in TLS; -1 skip it */
static int out_rtls_check(struct ob_out *o)
{
    if (o->rtls != OB_RTLS_REQUIRE || (o->tls_on && (o->ehlo.flags & OB_EHLO_REQUIRETLS)))
	return 0;
    snprintf(o->diag.command, sizeof(o->diag.command), "%s", ob_out_state_name(OB_OUT_EHLO_TLS));
    out_fail(o, OB_TR_RTLS_TEMP, o->tls_on ? "the next hop does not advertise REQUIRETLS "
	     "after STARTTLS" : "no TLS session");
    out_close(o, 1);
    return -1;
}

/* out_greet - banner, EHLO, STARTTLS on a new connection; 0 ok, -1 failed */
static int out_greet(struct ob_out *o, int need)
{
    int clear_txn = o->pending_rcpt;	/* the first flight had the transaction */

    o->state = OB_OUT_BANNER;
    if (ob_reply_read(&o->io, &o->reply, OB_T_GREETING) <= 0) {
	out_fail_io(o);
	out_close(o, 0);
	return -1;
    }
    snprintf(o->diag.greeting, sizeof(o->diag.greeting), "%s", o->reply.first);
    if (o->reply.code != 220) {
	out_fail_reply(o, "greeting");
	out_close(o, !ob_pipe_unconfirmed(o));
	return -1;
    }
    if (out_event_refuses(o, "smtp:connect", o->reply.first)) {
	out_close(o, 1);
	return -1;
    }
    if (out_ehlo(o, OB_OUT_EHLO) < 0) {
	out_close(o, o->connected && o->io.why[0] == 0 && !ob_pipe_unconfirmed(o));
	return -1;
    }
    if (o->level >= OB_TLS_MAY && !clear_txn
	&& out_starttls(o, need, o->tlsa.state == OB_DANE_USABLE) < 0) {
	out_close(o, o->tls_on);
	return -1;
    }
    return 0;
}

/* out_try_addr - one address: connect, greeting (early or not), MAIL; 0 ok, -1 next */
static int out_try_addr(struct ob_out *o, const struct ob_host *h,
			const struct sockaddr_storage *ss)
{
    int need = o->level >= OB_TLS_ENCRYPT || o->tlsa.state == OB_DANE_USABLE
	|| o->tlsa.state == OB_DANE_UNUSABLE;

    if (o->level == OB_TLS_DANE && o->tlsa.state == OB_DANE_NONE)
	need = 0;		/* dane without TLSA records: opportunistic */
    if (o->rtls == OB_RTLS_REQUIRE)
	need = 1;		/* never in clear text */
    o->pipe.retried = 0;
    do {
	(void) ob_pipe_prepare(o, h->name, ss, h->port);
	if (out_connect(o, h, ss) < 0)
	    return -1;
	if (ob_pipe_start(o, o->level >= OB_TLS_MAY, need) == 2)
	    ob_out_mail(o, o->pipe.cached[0].flags);	/* clear text: all in the first flight */
	(void) ob_io_flush(&o->io, OB_T_EHLO);	/* a failure shows when reading */
	if (out_greet(o, need) == 0) {
	    if (out_rtls_check(o) < 0)
		return -1;
	    if (!o->pending_rcpt)
		ob_out_mail(o, o->ehlo.flags);
	    o->t_ready = ob_now_ms();
	    return 0;
	}
    } while (ob_pipe_retry(o));	/* never fail a host for our early pipelining */
    return -1;
}

/* out_sts - MTA-STS where it applies (RFC 8461, RFC 8689 4.2.1); -1 the destination fails */
static int out_sts(struct ob_out *o)
{
    int rtls_needs = o->rtls == OB_RTLS_REQUIRE && !o->route->mx_secure;

    o->sts_enforce = 0;
    if (o->set->relay_host[0] == '[')
	return 0;		/* a configured smarthost: no MX lookup to protect */
    if (o->set->relay_host[0] == 0 && o->rtls != OB_RTLS_NOTLS
	&& (rtls_needs || ob_sts_enforce_all(o->set->sts))
	&& ob_sts_lookup(o->set->sts, o->set->dns, o->domain, &o->sts) == 1)
	o->sts_enforce = o->sts.mode == OB_STS_ENFORCE
	    || (rtls_needs && o->sts.mode == OB_STS_TESTING);
    if (rtls_needs && !o->sts_enforce) {
	out_fail(o, OB_TR_RTLS, "MX lookup not DNSSEC-validated and no MTA-STS policy "
		 "covers the MX hosts");
	return -1;
    }
    return 0;
}

static int out_open(struct ob_out *o);

/* ob_out_open - route, then the first host that takes MAIL FROM */
int ob_out_open(struct ob_out *o, const struct ob_env *env, const struct ob_ahead *ahead)
{
    int r;

    o->env = env;
    o->ahead = ahead;
    r = out_open(o);
    o->ahead = NULL;		/* the caller's: not valid after the call */
    return r;
}

/* out_open - ob_out_open with o->ahead set */
static int out_open(struct ob_out *o)
{
    struct buf why = BUF_INIT;
    int temp = 0, r;

    if (o->reused) {
	o->uses++;
	ob_out_mail(o, o->ehlo.flags);
	o->t_ready = ob_now_ms();
	return 0;
    }
    o->level = o->dest_level = ob_rtls_level(o->rtls, ob_tls_level_for(o->set, o->domain, &temp));
    if (temp) {
	out_fail(o, OB_TR_POLICY_TEMP, o->domain);
	goto failed;
    }
    r = ob_route_lookup(o->set->dns, o->domain, o->set->relay_host, o->set->port, &o->route,
			&why);
    if (r != 1) {
	out_fail(o, r == 0 ? OB_TR_NULL_MX : r == -1 ? OB_TR_DNS_TEMP : OB_TR_NO_DOMAIN,
		 buf_str(&why));
	buf_free(&why);
	goto failed;
    }
    if (out_sts(o) < 0)
	goto failed;
    for (int i = 0; i < o->route->nhosts; i++) {
	const struct ob_host *h = &o->route->hosts[i];

	if (h->naddrs == 0) {
	    out_fail(o, OB_TR_DNS_TEMP, h->name);
	    continue;
	}
	if (o->sts_enforce && !ob_sts_mx_match(&o->sts, h->name)) {
	    out_diag_unused(o, h);
	    out_fail(o, OB_TR_STS_MX, o->domain);
	    continue;
	}
	if (out_host_dane(o, h) < 0)
	    continue;
	if (o->sts_enforce && o->tlsa.state != OB_DANE_USABLE && o->level < OB_TLS_VERIFY)
	    o->level = OB_TLS_VERIFY;	/* MTA-STS: PKIX with the MX name; DANE wins */
	for (int a = 0; a < h->naddrs; a++)
	    if (out_try_addr(o, h, &h->addrs[a]) == 0) {
		o->uses = 1;
		return 0;
	    }
    }
  failed:
    ob_result_last_host(&o->fail);	/* 4.7.30 after the last MX: 5.7.30 */
    o->state = OB_OUT_FAILED;
    return -1;
}

/* out_rcpt_reply - read the pending MAIL reply, then one RCPT reply */
static int out_rcpt_reply(struct ob_out *o, struct ob_result *res)
{
    if (o->pending_rcpt) {
	o->pending_rcpt = 0;
	if (ob_reply_read(&o->io, &o->reply, OB_T_MAIL) <= 0) {
	    o->state = OB_OUT_MAIL;
	    out_fail_io(o);
	    goto failed;
	}
	if (o->reply.code != 250) {
	    snprintf(o->diag.command, sizeof(o->diag.command), "MAIL FROM");
	    ob_result_from_reply(&o->fail, &o->reply, &o->diag);
	    (void) ob_reply_read(&o->io, &o->reply, OB_T_RCPT);	/* the RCPT's 503 */
	    goto failed;
	}
    }
    o->state = OB_OUT_RCPT;
    if (ob_reply_read(&o->io, &o->reply, OB_T_RCPT) <= 0) {
	out_fail_io(o);
	goto failed;
    }
    snprintf(o->diag.command, sizeof(o->diag.command), "RCPT TO");
    ob_result_from_reply(res, &o->reply, &o->diag);
    return o->reply.code == 250 || o->reply.code == 251;
  failed:
    o->state = OB_OUT_FAILED;
    *res = o->fail;
    out_close(o, 0);
    return 0;
}

/* ob_out_rcpt - one recipient */
int ob_out_rcpt(struct ob_out *o, const char *rcpt, const char *params, struct ob_result *res)
{
    struct ob_presend *p = &o->pre;

    if (o->state == OB_OUT_FAILED) {
	*res = o->fail;
	return 0;
    }
    if (p->next < p->n) {	/* on the wire already: it must be this one */
	if (strcmp(p->addrs[p->next], rcpt) != 0 || strcmp(p->params[p->next], params ? params : "")) {
	    out_fail(o, OB_TR_LOCAL, "pipelined recipients out of step with the MTA's");
	    goto failed;
	}
	p->next++;
    } else if (p->data) {		/* DATA was sent: no more recipients */
	out_fail(o, OB_TR_LOCAL, "recipient after a pipelined DATA");
	goto failed;
    } else {
	out_rcpt_line(o, o->ehlo.flags, rcpt, params);
    }
    if (ob_io_flush(&o->io, OB_T_RCPT) < 0) {
	o->state = o->pending_rcpt ? OB_OUT_MAIL : OB_OUT_RCPT;
	out_fail_io(o);
	goto failed;
    }
    if (out_rcpt_reply(o, res) != 1)
	return 0;
    o->naccepted++;
    return 1;
  failed:
    o->state = OB_OUT_FAILED;
    *res = o->fail;
    out_close(o, 0);
    return 0;
}

/* out_send_spool - the message body, the final dot in the same write as its end */
static int out_send_spool(struct ob_out *o, struct ob_spool *sp)
{
    char chunk[65536];
    size_t off = 0, size = ob_spool_size(sp);
    ssize_t n;

    while ((n = ob_spool_pread(sp, chunk, sizeof(chunk), off)) > 0) {
	ob_io_put(&o->io, chunk, (size_t) n);
	off += (size_t) n;
	if (off < size && ob_io_flush(&o->io, OB_T_DATA_BLOCK) < 0)
	    return -1;
    }
    if (n < 0) {
	snprintf(o->io.why, sizeof(o->io.why), "spool read: %s", strerror(errno));
	return -1;
    }
    ob_io_printf(&o->io, ".\r\n");
    return ob_io_flush(&o->io, OB_T_DATA_BLOCK);
}

/* ob_out_data - DATA, message, dot; the final reply in *res */
int ob_out_data(struct ob_out *o, struct ob_spool *sp, struct ob_result *res)
{
    if (o->state == OB_OUT_FAILED || o->naccepted == 0) {
	*res = o->fail;
	return 0;
    }
    if (o->pre.next < o->pre.n) {	/* recipients on the wire that the MTA never gave */
	out_fail(o, OB_TR_LOCAL, "pipelined recipients the MTA did not send");
	goto failed;
    }
    if (o->pre.data) {		/* pipelined: only its reply is due */
	o->state = OB_OUT_DATA;
	o->pre.data = 0;
	if (ob_reply_read(&o->io, &o->reply, OB_T_DATA_INIT) <= 0) {
	    out_fail_io(o);
	    goto failed;
	}
    } else if (out_command(o, OB_OUT_DATA, OB_T_DATA_INIT, "DATA", "") < 0)
	goto failed;
    if (o->reply.code != 354)
	o->pre.data_open = 0;	/* the next hop is not reading a message */
    if (o->reply.code != 354) {
	snprintf(o->diag.command, sizeof(o->diag.command), "DATA");
	ob_result_from_reply(res, &o->reply, &o->diag);
	return 0;
    }
    o->state = OB_OUT_DOT;
    o->pre.data_open = 0;
    if (out_send_spool(o, sp) < 0 || ob_reply_read(&o->io, &o->reply, OB_T_DATA_TERM) <= 0) {
	out_fail_io(o);
	goto failed;
    }
    snprintf(o->diag.command, sizeof(o->diag.command), "end of DATA");
    ob_result_from_reply(res, &o->reply, &o->diag);
    o->t_done = ob_now_ms();
    o->reusable = o->reply.code == 250;
    return o->reply.code == 250;
  failed:
    o->state = OB_OUT_FAILED;
    *res = o->fail;
    out_close(o, 0);
    return 0;
}

/* ob_out_quit - end the conversation; a pending transaction is abandoned */
void ob_out_quit(struct ob_out *o)
{
    out_close(o, o->state != OB_OUT_FAILED);
    o->state = OB_OUT_QUIT;
}

/* ob_out_release - into the connection cache when reusable, else quit and free */
void ob_out_release(struct ob_out **op)
{
    struct ob_out *o = *op;
    struct ob_settings *s;

    if (o == NULL)
	return;
    *op = NULL;
    if (o->reusable && o->connected && o->state == OB_OUT_DOT && o->rtls != OB_RTLS_NOTLS) {
	o->reusable = o->reused = 0;
	s = o->set;
	o->set = NULL;		/* from here on another thread may own o */
	if (ob_cache_put(s->cache, o)) {
	    ob_settings_unref(&s);
	    return;
	}
	o->set = s;
    }
    ob_out_quit(o);
    ob_out_free(&o);
}

/* ob_out_free - release everything */
void ob_out_free(struct ob_out **op)
{
    struct ob_out *o = *op;

    if (o == NULL)
	return;
    if (o->connected)
	ob_io_close(&o->io);
    out_presend_free(&o->pre);
    ob_route_free(&o->route);
    ob_tlsa_free(&o->tlsa);
    ob_reply_free(&o->reply);
    ob_settings_unref(&o->set);
    free(o->domain);
    free(o);
    *op = NULL;
}
