/*
 * NAME
 *	outbound_pipe - unit tests of the EHLO cache and pipe-connect
 * DESCRIPTION
 *	A scripted SMTP peer (a thread on a loopback port, STARTTLS with a
 *	self-signed certificate) plays the next hop; the real session code
 *	(session_out.c) delivers to it through outbound.relay_host, with the
 *	EHLO cache in an LMDB file of a temporary directory. The peer knows
 *	whether a command arrived before its banner: when it expects early
 *	input it waits for it (no timing), when it does not it gives the
 *	client 300 ms to misbehave before it sends the banner.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "outbound/ehlo_cache.h"
#include "outbound/pipe_connect.h"
#include "outbound/server_cert.h"
#include "outbound/session_out.h"
#include "outbound/txn.h"
#include "store/store.h"
#include "util/msg.h"
#include "t/tap.h"

enum { PEER_NORMAL, PEER_554_EARLY, PEER_CLOSE_EARLY };

struct peer {
    int lfd, port;
    volatile int stop;
    SSL_CTX *ctx;
    /* behaviour, set between deliveries */
    int advertise;		/* PIPECONNECT in EHLO */
    int pipe_word;		/* 0 PIPECONNECT, 1 X_PIPE_CONNECT */
    int starttls;		/* offer STARTTLS */
    int on_early;		/* PEER_* */
    int expect_early;		/* wait for early input before the banner */
    int no_size;		/* leave SIZE out of the EHLO reply */
    /* observations */
    int conns, early_conns, tls_conns, messages, rcpts;
    int resumed;		/* TLS handshakes that resumed a session */
    int early_starttls;		/* STARTTLS was among the early commands */
    int early_txn;		/* first flights with MAIL FROM, RCPT TO and DATA */
    int tls_txn;		/* EHLO after STARTTLS came with MAIL, RCPT and DATA */
    pthread_t thr;
};

struct pconn {
    int fd;
    SSL *ssl;
};

/* p_write - send a string */
static void p_write(struct pconn *c, const char *s)
{
    if (c->ssl)
	(void) SSL_write(c->ssl, s, (int) strlen(s));
    else
	(void) !write(c->fd, s, strlen(s));
}

/* p_line - one line, byte by byte (no read-ahead across STARTTLS); -1 eof */
static int p_line(struct pconn *c, char *line, size_t size)
{
    size_t n = 0;
    char ch;

    for (;;) {
	int r = c->ssl ? SSL_read(c->ssl, &ch, 1) : (int) read(c->fd, &ch, 1);

	if (r <= 0)
	    return -1;
	if (ch == '\n')
	    break;
	if (ch != '\r' && n + 1 < size)
	    line[n++] = ch;
    }
    line[n] = 0;
    return 0;
}

/* p_is_txn - does text hold a whole transaction's commands (MAIL, RCPT, DATA)? */
static int p_is_txn(const char *text)
{
    return strstr(text, "MAIL FROM:") && strstr(text, "RCPT TO:") && strstr(text, "DATA\r\n");
}

/* p_early - peek at the first flight: 1 STARTTLS in it, 2 a transaction in it */
static int p_early(int fd)
{
    char buf[2048];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_PEEK | MSG_DONTWAIT);

    if (n <= 0)
	return 0;
    buf[n] = 0;
    return (strstr(buf, "STARTTLS") != NULL) | (p_is_txn(buf) << 1);
}

/* p_tls_txn - after the EHLO line in TLS: is the transaction in the same record? */
static int p_tls_txn(SSL *ssl)
{
    char buf[2048];
    int n = SSL_pending(ssl) > 0 ? SSL_peek(ssl, buf, sizeof(buf) - 1) : 0;

    if (n <= 0)
	return 0;
    buf[n] = 0;
    return p_is_txn(buf);
}

/* p_session - one SMTP conversation */
static void p_session(struct peer *p, int fd)
{
    struct pconn c = { fd, NULL };
    struct pollfd pf = { fd, POLLIN, 0 };
    char line[1024];
    int early = poll(&pf, 1, p->expect_early ? 10000 : 300) > 0;

    p->conns++;
    if (early) {
	p->early_conns++;
	int what;

	usleep(20000);		/* let the whole first flight arrive */
	what = p_early(fd);
	p->early_starttls |= what & 1;
	p->early_txn += what >> 1;
	if (p->on_early == PEER_554_EARLY) {
	    p_write(&c, "554 SMTP synchronization error\r\n");
	    return;
	}
	if (p->on_early == PEER_CLOSE_EARLY)
	    return;
    }
    p_write(&c, "220 peer.test ESMTP\r\n");
    while (p_line(&c, line, sizeof(line)) == 0) {
	if (strncasecmp(line, "EHLO", 4) == 0) {
	    char r[512];

	    if (c.ssl)
		p->tls_txn += p_tls_txn(c.ssl);
	    snprintf(r, sizeof(r), "250-peer.test\r\n%s250-PIPELINING\r\n%s250%sAUTH PLAIN LOGIN\r\n"
		     "%s", p->advertise ? p->pipe_word ? "250-X_PIPE_CONNECT\r\n"
		     : "250-PIPECONNECT\r\n" : "", p->starttls && !c.ssl ? "250-STARTTLS\r\n" : "",
		     p->no_size ? " " : "-", p->no_size ? "" : "250 SIZE 1000000\r\n");
	    p_write(&c, r);
	} else if (strcasecmp(line, "STARTTLS") == 0) {
	    p_write(&c, "220 go ahead\r\n");
	    c.ssl = SSL_new(p->ctx);
	    SSL_set_fd(c.ssl, fd);
	    if (SSL_accept(c.ssl) != 1)
		break;
	    p->tls_conns++;
	    p->resumed += SSL_session_reused(c.ssl) == 1;
	} else if (strncasecmp(line, "MAIL", 4) == 0 || strncasecmp(line, "RCPT", 4) == 0
		   || strcasecmp(line, "RSET") == 0) {
	    p->rcpts += strncasecmp(line, "RCPT", 4) == 0;
	    p_write(&c, "250 ok\r\n");
	} else if (strcasecmp(line, "DATA") == 0) {
	    p_write(&c, "354 go\r\n");
	    while (p_line(&c, line, sizeof(line)) == 0 && strcmp(line, ".") != 0)
		continue;
	    if (strcmp(line, ".") != 0)
		break;		/* no final dot: no message */
	    p->messages++;
	    p_write(&c, "250 2.0.0 queued\r\n");
	} else if (strcasecmp(line, "QUIT") == 0) {
	    p_write(&c, "221 bye\r\n");
	    break;
	} else {
	    p_write(&c, "500 what\r\n");
	}
    }
    if (c.ssl) {
	SSL_shutdown(c.ssl);
	SSL_free(c.ssl);
    }
}

/* p_main - accept connections until told to stop */
static void *p_main(void *arg)
{
    struct peer *p = arg;

    while (!p->stop) {
	struct pollfd pf = { p->lfd, POLLIN, 0 };
	int fd;

	if (poll(&pf, 1, 100) <= 0 || (fd = accept(p->lfd, NULL, NULL)) < 0)
	    continue;
	p_session(p, fd);
	close(fd);
    }
    return NULL;
}

/* p_start - listen on a free loopback port */
static void p_start(struct peer *p)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    struct buf why = BUF_INIT;
    int one = 1;

    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    (void) setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(p->lfd, (struct sockaddr *) &sin, sizeof(sin)) < 0 || listen(p->lfd, 8) < 0)
	msg_fatal("peer: bind: %m");
    (void) getsockname(p->lfd, (struct sockaddr *) &sin, &len);
    p->port = ntohs(sin.sin_port);
    if ((p->ctx = ob_tls_server_ctx(NULL, NULL, "peer.test", &why)) == NULL)
	msg_fatal("peer: TLS: %s", buf_str(&why));
    buf_free(&why);
    pthread_create(&p->thr, NULL, p_main, p);
}

/* How the next deliver() tells the session about the MTA's commands. */
static int ahead_rcpts = 0;	/* 0: no ahead (one recipient); N: N recipients and DATA */
static const char *wrong_rcpt;	/* the MTA's second RCPT differs from the one announced */
static int ahead_extra;		/* announce this many recipients the MTA will not send */
static int last_code;		/* the last reply deliver() got */
static struct ob_tls_info last_tls;	/* and its TLS details */
static const char *dest = "peer.test";	/* the destination domain */
static enum ob_rtls rtls_mode = OB_RTLS_NORMAL;

/* deliver - one message through the real session code; 1 delivered */
static int deliver(struct ob_settings *s, int *used_r, int *retried_r, char *marker, size_t size)
{
    struct ob_env env = { .sender = "a@client.test", .size = 20 };
    struct ob_spool *sp = ob_spool_new(65536, "/tmp");
    struct ob_result res;
    struct ob_out *o = ob_out_new(s, dest, "TESTQ", rtls_mode);
    struct ob_ahead ahead = { 0 };
    int ok = 0, n = ahead_rcpts ? ahead_rcpts : 1;
    char rcpt[64];

    for (int i = 0; i < n + ahead_extra && ahead_rcpts; i++) {
	snprintf(rcpt, sizeof(rcpt), "b%d@peer.test", i);
	ob_ahead_add(&ahead, rcpt, i == 0 ? "NOTIFY=NEVER" : NULL);
	ahead.data = 1;
    }
    (void) ob_spool_write(sp, "Subject: x\r\n\r\nbody\r\n", 20);
    if (ob_out_open(o, &env, ahead_rcpts ? &ahead : NULL) == 0) {
	ok = 1;
	for (int i = 0; i < n; i++) {
	    snprintf(rcpt, sizeof(rcpt), "b%d@peer.test", i);
	    if (ob_out_rcpt(o, i == 1 && wrong_rcpt ? wrong_rcpt : rcpt,
			    i == 0 && ahead_rcpts ? "NOTIFY=NEVER" : "", &res) != 1)
		ok = 0;
	}
	ok = ob_out_data(o, sp, &res) == 1 && ok;
    }
    last_code = ok ? 250 : res.code;
    ob_ahead_free(&ahead);
    last_tls = o->tls;
    *used_r = o->pipe.used;
    *retried_r = o->pipe.retried;
    snprintf(marker, size, "%s", ob_pipe_marker(o));
    ob_out_release(&o);
    ob_spool_free(&sp);
    return ok;
}

/* settings - outbound settings that relay to the peer */
static const char *hosts;	/* outbound.pipe_connect_hosts for settings(), or NULL */
static const char *ocsp = "no";	/* outbound.ocsp for settings() */

static struct ob_settings *settings(const char *dir, int port, const char *tls)
{
    char text[1024];
    struct buf errs = BUF_INIT;
    struct conf *c;
    struct ob_settings *s;

    snprintf(text, sizeof(text), "store: { lmdb = \"%s/state.mdb\"; };\n"
	     "outbound: { relay_host = \"[127.0.0.1]:%d\"; tls = \"%s\"; dane = \"no\";\n"
	     " connection_cache_s = 0; helo_name = \"client.test\"; ocsp = \"%s\";\n"
	     " pipe_connect_hosts = [ %s ]; };\n"
	     "lists: { tls_encrypt = [ \"enc.test\" ]; };\n", dir, port, tls, ocsp,
	     hosts ? hosts : "");
    if ((c = conf_load_string(text, "test", &errs)) == NULL)
	msg_fatal("conf: %s", buf_str(&errs));
    if ((s = ob_settings_new(c, 0, &errs)) == NULL)
	msg_fatal("settings: %s", buf_str(&errs));
    conf_unref(&c);
    buf_free(&errs);
    return s;
}

/* test_caps - parse, encode and decode of cache entries */
static void test_caps(void)
{
    static const char *const lines[] = {
	"250-mx.test hello", "250-X_PIPE_CONNECT", "250-PIPELINING", "250-AUTH PLAIN  LOGIN",
	"250-LIMITS RCPTMAX=100 MAILMAX=5", "250-SIZE 52428800", "250 STARTTLS"
    };
    struct ob_reply r = { 0 };
    struct ob_ehlo_caps c, d;
    struct buf enc = BUF_INIT;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
	(void) ob_reply_add_line(&r, lines[i], strlen(lines[i]));
    ob_ehlo_caps_parse(&r, &c);
    ok((c.flags & OB_EHLO_PIPECONNECT) && (c.flags & OB_EHLO_PIPELINING)
       && (c.flags & OB_EHLO_STARTTLS), "X_PIPE_CONNECT (Exim 4.92-4.95) counts as PIPECONNECT");
    is_str(c.auth, "PLAIN,LOGIN", "AUTH mechanisms are kept");
    is_str(c.limits, "RCPTMAX=100,MAILMAX=5", "LIMITS parameters are kept");
    is_int((long long) c.size, 52428800, "SIZE value is kept");
    ob_ehlo_caps_encode(&c, &enc);
    ok(ob_ehlo_caps_decode(enc.data, enc.len, &d) == 0 && ob_ehlo_caps_equal(&c, &d),
       "an entry decodes to what was encoded: %s", buf_str(&enc));
    ok(ob_ehlo_caps_decode("v2 flags=1", 10, &d) < 0, "a foreign entry version is refused");
    ok(ob_ehlo_caps_decode("v1 flags=zz size=1 auth= limits=", 32, &d) < 0,
       "a malformed flags field is refused");
    ob_reply_reset(&r);
    (void) ob_reply_add_line(&r, "250-mx.test", 11);
    (void) ob_reply_add_line(&r, "250 PIPE_CONNECT", 16);
    ob_ehlo_caps_parse(&r, &c);
    ok(c.flags & OB_EHLO_PIPECONNECT, "PIPE_CONNECT counts as PIPECONNECT");
    ob_reply_reset(&r);
    (void) ob_reply_add_line(&r, "250-mx.test", 11);
    (void) ob_reply_add_line(&r, "250 PIPECONNECTION", 18);
    ob_ehlo_caps_parse(&r, &c);
    ok(!(c.flags & OB_EHLO_PIPECONNECT), "a longer keyword is not PIPECONNECT");
    ob_reply_free(&r);
    buf_free(&enc);
}

static time_t fake_now;

/* fake_clock - the test's clock for expiry */
static time_t fake_clock(void *ctx)
{
    (void) ctx;
    return fake_now;
}

/* test_expiry - entries expire after outbound.ehlo_cache_expire_s */
static void test_expiry(const char *dir)
{
    char path[600];
    const char *why;
    struct store *st;
    struct ob_ehlo_cache *ec;
    struct ob_ehlo_caps c = { .flags = OB_EHLO_PIPECONNECT }, d;

    snprintf(path, sizeof(path), "lmdb:%s/expiry.mdb", dir);
    if ((st = store_open(path, &why)) == NULL)
	msg_fatal("%s: %s", path, why);
    fake_now = 1000000;
    store_set_clock(st, fake_clock, NULL);
    ec = ob_ehlo_cache_new(st, 3600);
    is_int(ob_ehlo_cache_put(ec, "192.0.2.1", 25, 0, &c), 0, "put an entry");
    is_int(ob_ehlo_cache_get(ec, "192.0.2.1", 25, 0, &d), 1, "found before expiry");
    is_int(ob_ehlo_cache_get(ec, "192.0.2.1", 25, 1, &d), 0,
	   "the post-TLS entry is separate from the clear-text one");
    is_int(ob_ehlo_cache_get(ec, "192.0.2.1", 587, 0, &d), 0, "entries are per port");
    fake_now += 3601;
    is_int(ob_ehlo_cache_get(ec, "192.0.2.1", 25, 0, &d), 0, "gone after expiry");
    ob_ehlo_cache_free(&ec);
}

/* test_session - deliveries through the scripted peer */
static void test_session(const char *dir, const char *tls, int starttls)
{
    struct peer p = { .advertise = 1, .starttls = starttls };
    struct ob_settings *s;
    struct ob_ehlo_caps c;
    char m[8];
    int used, retried, conns;

    p_start(&p);
    s = settings(dir, p.port, tls);
    diag("%s, peer STARTTLS %s", tls, starttls ? "offered" : "not offered");
    ok(deliver(s, &used, &retried, m, sizeof(m)) && !used && p.early_conns == 0,
       "[%s] first delivery: no cache entry, no early pipelining", tls);
    is_str(m, "L.", "[%s] first delivery is logged L. (advertised, not used)", tls);
    ok(ob_ehlo_cache_get(s->ehlo_cache, "127.0.0.1", p.port, 0, &c) == 1
       && (c.flags & OB_EHLO_PIPECONNECT), "[%s] the clear-text EHLO is cached", tls);
    if (starttls)
	ok(ob_ehlo_cache_get(s->ehlo_cache, "127.0.0.1", p.port, 1, &c) == 1
	   && !(c.flags & OB_EHLO_STARTTLS), "[%s] the EHLO after STARTTLS is cached apart", tls);
    p.expect_early = 1;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && used && p.early_conns == 1,
       "[%s] second delivery: EHLO sent before the banner", tls);
    is_str(m, "L*", "[%s] it is logged L*", tls);
    is_int(p.early_starttls, starttls, "[%s] STARTTLS %s in the first flight", tls,
	   starttls ? "is" : "is not");
    is_int(p.tls_conns, starttls ? 2 : 0, "[%s] connections with TLS: %d", tls, starttls ? 2 : 0);
    /* the peer restarted without PIPECONNECT: Exim answers early input with 554 */
    p.advertise = 0;
    p.on_early = PEER_554_EARLY;
    conns = p.conns;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && retried && !used,
       "[%s] stale entry, 554 to early input: delivered on the same attempt", tls);
    is_int(p.conns - conns, 2, "[%s] by a second connection to the same host", tls);
    ok(ob_ehlo_cache_get(s->ehlo_cache, "127.0.0.1", p.port, 0, &c) == 1
       && !(c.flags & OB_EHLO_PIPECONNECT), "[%s] the entry now lacks PIPECONNECT", tls);
    p.expect_early = 0;
    conns = p.conns;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && !used && p.conns - conns == 1
       && !retried, "[%s] next delivery: one connection, no early pipelining", tls);
    is_str(m, "", "[%s] and no marker", tls);
    /* advertised again, and a peer that closes on early input */
    p.advertise = 1;
    p.pipe_word = 1;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && !used, "[%s] X_PIPE_CONNECT relearned", tls);
    p.expect_early = 1;
    p.on_early = PEER_CLOSE_EARLY;
    conns = p.conns;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && retried && p.conns - conns == 2,
       "[%s] a peer closing on early input: retried without it, delivered", tls);
    is_int(p.messages, 6, "[%s] the peer got every message once", tls);
    p.stop = 1;
    pthread_join(p.thr, NULL);
    close(p.lfd);
    SSL_CTX_free(p.ctx);
    ob_settings_unref(&s);
}

/* test_flights - MAIL, RCPT and DATA in the early flights; their safety; the host list */
static void test_flights(const char *dir, const char *tls, int starttls)
{
    struct peer p = { .advertise = 1, .starttls = starttls };
    struct ob_settings *s;
    char m[8];
    int used, retried, conns;

    p_start(&p);
    s = settings(dir, p.port, tls);
    diag("early transactions: %s, peer STARTTLS %s", tls, starttls ? "offered" : "not offered");
    ahead_rcpts = 2;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && !used,
       "[%s] two recipients and DATA announced: first delivery learns the EHLO", tls);
    p.expect_early = 1;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && used && p.early_conns == 1,
       "[%s] second delivery uses pipe-connect", tls);
    if (!starttls) {
	is_int(p.early_txn, 1, "[%s] MAIL FROM, both RCPT TO and DATA were in the first flight, "
	       "before the banner", tls);
    } else {
	is_int(p.early_txn, 0, "[%s] no mail command in clear text: the first flight is EHLO "
	       "and STARTTLS", tls);
	is_int(p.tls_txn, 1, "[%s] EHLO, MAIL FROM, both RCPT TO and DATA in one flight right "
	       "after the handshake", tls);
    }
    is_int(p.rcpts, 4, "[%s] the peer got both recipients of both messages", tls);
    /* stale entry: Exim's 554 to early input, now with a whole transaction in it */
    p.advertise = 0;
    p.on_early = PEER_554_EARLY;
    conns = p.conns;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && retried && !used && p.conns - conns == 2,
       "[%s] stale entry, transaction in the early flight refused: delivered on the same "
       "attempt by a second connection", tls);
    is_int(p.messages, 3, "[%s] each message arrived once (no bounce, no duplicate)", tls);
    /* the peer still takes early input but its EHLO changed: commands may not fit */
    p.advertise = 1;
    p.on_early = PEER_NORMAL;
    p.expect_early = 0;
    (void) deliver(s, &used, &retried, m, sizeof(m));	/* relearn */
    p.expect_early = 1;
    p.no_size = 1;
    conns = p.conns;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && retried && p.conns - conns == 2,
       "[%s] EHLO lost SIZE after the early MAIL FROM SIZE=: connection dropped before the "
       "message, retried at once, delivered", tls);
    is_int(p.messages, 5, "[%s] each message arrived once", tls);
    p.no_size = 0;
    p.expect_early = 0;
    (void) deliver(s, &used, &retried, m, sizeof(m));	/* relearn */
    p.expect_early = 1;
    if (!starttls) {
	wrong_rcpt = "x@peer.test";
	ok(!deliver(s, &used, &retried, m, sizeof(m)) && last_code == 451,
	   "[%s] a recipient out of step with the pipelined ones: 451, not delivered", tls);
	wrong_rcpt = NULL;
	ahead_extra = 1;
	ok(!deliver(s, &used, &retried, m, sizeof(m)) && last_code == 451,
	   "[%s] a pipelined recipient the MTA never sent: 451 before the final dot", tls);
	ahead_extra = 0;
	is_int(p.messages, 6, "[%s] neither reached the peer as a message", tls);
    }
    ob_settings_unref(&s);
    /* outbound.pipe_connect_hosts */
    hosts = "\"192.0.2.1\", \"!127.0.0.2\"";
    s = settings(dir, p.port, tls);
    p.expect_early = 0;
    conns = p.early_conns;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && !used && p.early_conns == conns,
       "[%s] a host outside pipe_connect_hosts: no early pipelining despite the entry", tls);
    ob_settings_unref(&s);
    hosts = "\"!192.0.2.1\", \"127.0.0.0/8\"";
    s = settings(dir, p.port, tls);
    p.expect_early = 1;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && used && p.early_conns == conns + 1,
       "[%s] a host inside pipe_connect_hosts (CIDR): early pipelining", tls);
    hosts = NULL;
    ahead_rcpts = 0;
    p.stop = 1;
    pthread_join(p.thr, NULL);
    close(p.lfd);
    SSL_CTX_free(p.ctx);
    ob_settings_unref(&s);
}

/* test_resume - TLS sessions resumed per destination and policy */
static void test_resume(const char *dir)
{
    struct peer p = { .starttls = 1 };
    struct ob_settings *s;
    char m[8];
    int used, retried;

    p_start(&p);
    ocsp = "request";
    s = settings(dir, p.port, "may");
    ok(deliver(s, &used, &retried, m, sizeof(m)) && p.resumed == 0 && !last_tls.resumed,
       "first TLS connection: full handshake");
    ok(deliver(s, &used, &retried, m, sizeof(m)) && p.resumed == 1 && last_tls.resumed,
       "second connection to the same MX, same policy: the session is resumed "
       "(SSL_session_reused on both sides)");
    is_str(last_tls.ocsp, "none", "the resumed connection reports the OCSP status "
	   "remembered with the session (no staple on resumption)");
    dest = "enc.test";		/* same host, TLS level encrypt (tls_encrypt list) */
    ok(deliver(s, &used, &retried, m, sizeof(m)) && p.resumed == 1 && !last_tls.resumed,
       "another TLS policy (encrypt) to the same host: full handshake, no resumption");
    ok(deliver(s, &used, &retried, m, sizeof(m)) && p.resumed == 2 && last_tls.resumed,
       "and that policy's own session is resumed next time");
    dest = "peer.test";
    rtls_mode = OB_RTLS_NOTLS;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && deliver(s, &used, &retried, m, sizeof(m))
       && p.resumed == 2 && !last_tls.resumed,
       "TLS-Required: No mail: never resumed, never stored");
    rtls_mode = OB_RTLS_NORMAL;
    ok(deliver(s, &used, &retried, m, sizeof(m)) && p.resumed == 3 && last_tls.resumed,
       "normal mail resumes its session again");
    is_int(p.messages, 7, "every message arrived once");
    ocsp = "no";
    p.stop = 1;
    pthread_join(p.thr, NULL);
    close(p.lfd);
    SSL_CTX_free(p.ctx);
    ob_settings_unref(&s);
}

int main(void)
{
    char dir[] = "/tmp/mxg-pipe-XXXXXX", cmd[64];

    msg_open("test_outbound_pipe", MSG_STDERR, 0);
    if (mkdtemp(dir) == NULL)
	msg_fatal("mkdtemp: %m");
    test_caps();
    test_expiry(dir);
    test_session(dir, "none", 0);
    snprintf(cmd, sizeof(cmd), "rm -f %s/state.mdb*", dir);
    (void) !system(cmd);
    test_session(dir, "may", 1);
    (void) !system(cmd);
    test_flights(dir, "none", 0);
    (void) !system(cmd);
    test_flights(dir, "may", 1);
    test_resume(dir);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void) !system(cmd);
    return done_testing();
}
