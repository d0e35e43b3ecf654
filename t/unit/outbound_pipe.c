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
    /* observations */
    int conns, early_conns, tls_conns, messages;
    int early_starttls;		/* STARTTLS was among the early commands */
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

/* p_early_starttls - peek whether STARTTLS is already waiting after EHLO */
static int p_early_starttls(int fd)
{
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_PEEK | MSG_DONTWAIT);

    if (n <= 0)
	return 0;
    buf[n] = 0;
    return strstr(buf, "STARTTLS") != NULL;
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
	usleep(20000);		/* let the whole first flight arrive */
	p->early_starttls |= p_early_starttls(fd);
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

	    snprintf(r, sizeof(r), "250-peer.test\r\n%s250-PIPELINING\r\n%s250-AUTH PLAIN LOGIN\r\n"
		     "250 SIZE 1000000\r\n", p->advertise ? p->pipe_word ? "250-X_PIPE_CONNECT\r\n"
		     : "250-PIPECONNECT\r\n" : "", p->starttls && !c.ssl ? "250-STARTTLS\r\n" : "");
	    p_write(&c, r);
	} else if (strcasecmp(line, "STARTTLS") == 0) {
	    p_write(&c, "220 go ahead\r\n");
	    c.ssl = SSL_new(p->ctx);
	    SSL_set_fd(c.ssl, fd);
	    if (SSL_accept(c.ssl) != 1)
		break;
	    p->tls_conns++;
	} else if (strncasecmp(line, "MAIL", 4) == 0 || strncasecmp(line, "RCPT", 4) == 0
		   || strcasecmp(line, "RSET") == 0) {
	    p_write(&c, "250 ok\r\n");
	} else if (strcasecmp(line, "DATA") == 0) {
	    p_write(&c, "354 go\r\n");
	    while (p_line(&c, line, sizeof(line)) == 0 && strcmp(line, ".") != 0)
		continue;
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

/* deliver - one message through the real session code; 1 delivered */
static int deliver(struct ob_settings *s, int *used_r, int *retried_r, char *marker, size_t size)
{
    struct ob_env env = { .sender = "a@client.test" };
    struct ob_spool *sp = ob_spool_new(65536, "/tmp");
    struct ob_result res;
    struct ob_out *o = ob_out_new(s, "peer.test", "TESTQ", OB_RTLS_NORMAL);
    int ok = 0;

    (void) ob_spool_write(sp, "Subject: x\r\n\r\nbody\r\n", 20);
    if (ob_out_open(o, &env) == 0 && ob_out_rcpt(o, "b@peer.test", NULL, &res) == 1)
	ok = ob_out_data(o, sp, &res) == 1;
    *used_r = o->pipe.used;
    *retried_r = o->pipe.retried;
    snprintf(marker, size, "%s", ob_pipe_marker(o));
    ob_out_release(&o);
    ob_spool_free(&sp);
    return ok;
}

/* settings - outbound settings that relay to the peer */
static struct ob_settings *settings(const char *dir, int port, const char *tls)
{
    char text[1024];
    struct buf errs = BUF_INIT;
    struct conf *c;
    struct ob_settings *s;

    snprintf(text, sizeof(text), "store: { lmdb = \"%s/state.mdb\"; };\n"
	     "outbound: { relay_host = \"[127.0.0.1]:%d\"; tls = \"%s\"; dane = \"no\";\n"
	     " connection_cache_s = 0; helo_name = \"client.test\"; ocsp = \"no\"; };\n",
	     dir, port, tls);
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
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void) !system(cmd);
    return done_testing();
}
