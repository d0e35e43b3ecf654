/*
 * NAME
 *	session.c - one thread per MTA connection instead of libmilter's worker pool
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	void milter_session_setup(int timeout_s, sfsistat (*close_cb)(SMFICTX *));
 *
 *	(libmilter internals this file provides; listener.c calls them)
 *	int mi_pool_controller_init(void);
 *	int mi_start_session(SMFICTX *ctx);
 * DESCRIPTION
 *	Debian's libmilter is built with _FFR_WORKERS_POOL: a controller
 *	thread polls every idle MTA connection and hands a readable one to a
 *	worker thread, which runs the pending commands and hands it back
 *	through a pipe: a pipe write, two thread wake-ups and a lock round
 *	per command the MTA waits for (perf: about 80% of mxguardd's CPU per
 *	message). mxguardd links libmilter statically and defines the two
 *	functions of the archive's worker.o itself, so worker.o is never
 *	linked: each connection gets a thread of its own (libmilter's
 *	classic model) that runs mi_engine() until the session ends.
 *	libmilter still reads, parses and answers the protocol.
 *
 *	mxguardd is linked with --wrap=poll, --wrap=read and --wrap=writev.
 *	The wrappers act only in a session thread, on that session's socket;
 *	every other call passes through unchanged:
 *	  __wrap_poll   In pool builds mi_engine() asks after each command,
 *	                with a 1 ms poll, whether the next one is there, and
 *	                returns when not; libmilter also polls, with
 *	                milter.timeout_s, before each read and write. All
 *	                are answered "ready" without a system call: the
 *	                socket has SO_RCVTIMEO and SO_SNDTIMEO of
 *	                milter.timeout_s instead, the blocking read() is the
 *	                one real wait, and a silent MTA still times out
 *	                (libmilter logs the failed read and closes).
 *	  __wrap_read   libmilter reads each packet in two calls (length,
 *	                then body) and Postfix sends a macro packet before
 *	                most commands: some 40 reads a message. They are
 *	                served from a per-connection buffer filled by one
 *	                read() of up to MILTER_SESSION_RBUF bytes: one system
 *	                call per burst the MTA sends.
 *	  __wrap_writev Action packets (header, recipient, quarantine
 *	                changes) are held and written together with the reply
 *	                that follows: the answer to one command is one write.
 *	Session threads block the asynchronous signals (mxguardd takes them
 *	in its own thread), so no read is cut short by EINTR.
 *
 *	After each reply, before the next wait, the thread sets TCP_QUICKACK
 *	on inet sockets: the kernel then acknowledges the MTA's next packet
 *	at once instead of delaying the ACK up to 40 ms. Postfix's milter
 *	client does not set TCP_NODELAY, so a command it sends without
 *	waiting for a reply (macros, DATA with SMFIP_NODATA, headers with
 *	SMFIP_NR_HDR) would hold its next write in Nagle's algorithm until
 *	our delayed ACK: the 40 ms stall per message of inet milter sockets
 *	(issue 10).
 *
 *	The connection's socket is the second member of libmilter's SMFICTX
 *	(struct smfi_str: ctx_id, then ctx_sd, the same in every libmilter
 *	since 8.12). It is checked to be a connected socket before use; if
 *	it is not (another layout), the thread logs it once and calls
 *	mi_engine() in a loop without the wrappers, its own 1 ms poll doing
 *	the waiting; a connection idle for milter.timeout_s is then closed
 *	as libmilter's pool closes it: the close callback, then the context
 *	is freed.
 *
 *	A message leaves the in-flight count (milter/live.h) only once the
 *	reply of the command that ended it has been written: a session
 *	thread defers message ends and flushes them at its next readiness
 *	poll (libmilter has sent the reply by then) or when the connection
 *	ends, so a SIGTERM drain never exits before that reply.
 *
 *	A thread whose connection ended waits up to MILTER_SESSION_IDLE_S
 *	seconds for the next one (at most MILTER_SESSION_MAX_IDLE threads
 *	wait), so a busy MTA does not pay a thread creation per SMTP
 *	session: one hand-off per connection, none per command.
 * DIAGNOSTICS
 *	mi_start_session: MI_SUCCESS, or MI_FAILURE when no thread can be
 *	started (logged; libmilter then closes the connection).
 * STANDARDS
 *	Sendmail libmilter 8.17 (engine.c, listener.c, worker.c); RFC 9293
 *	3.8.6.2 (Nagle), 4.2.3.2 (delayed ACK); tcp(7) TCP_QUICKACK.
 */
#include "config.h"
#include "milter/session.h"

#include <errno.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "milter/live.h"
#include "util/buf.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/* libmilter internals (libmilter.h is not installed) */
#define MILTER_MI_CONTINUE	1
int mi_engine(SMFICTX *ctx);
void mi_clr_ctx(SMFICTX *ctx);
int mi_pool_controller_init(void);
int mi_start_session(SMFICTX *ctx);

/* The head of libmilter's struct smfi_str. */
struct milter_session_head {
    pthread_t ctx_id;
    int ctx_sd;
};

/* The connection of this thread, for __wrap_poll. */
static __thread int milter_session_tls_fd = -1;
static __thread int milter_session_tls_inet;
static __thread int milter_session_tls_replied;	/* wrote since the last quickack */

/* Bytes read from the MTA at once (a packet longer than this is read directly). */
#define MILTER_SESSION_RBUF	16384

/* What the MTA sent that libmilter has not read yet. */
struct milter_session_rbuf {
    size_t off;
    size_t len;
    unsigned char data[MILTER_SESSION_RBUF];
};

/* The read buffer of this thread's connection (NULL: no wrapping). */
static __thread struct milter_session_rbuf *milter_session_tls_rbuf;

/* Action packets waiting for the reply they belong to. */
static __thread struct buf milter_session_tls_wbuf;

/* Packet commands that are actions, not replies (libmilter's SMFIR_*). */
#define MILTER_SESSION_ACTIONS	"+-2bhimeq"


/* Idle session threads kept, and for how long, for the next connections. */
#define MILTER_SESSION_MAX_IDLE	64
#define MILTER_SESSION_IDLE_S	30

/* An idle session thread, waiting on its own condition for a connection. */
struct milter_session_idle {
    struct milter_session_idle *next;
    SMFICTX *ctx;
    pthread_cond_t cond;
};

static pthread_mutex_t milter_session_lock = PTHREAD_MUTEX_INITIALIZER;
static struct milter_session_idle *milter_session_idle_list;
static int milter_session_nidle;

/* Signals mxguardd takes in its signal thread, never in a session. */
static const int milter_session_async[] = {
    SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGCHLD, SIGPIPE
};

/* Set once by main before the listener starts. */
static int milter_session_timeout_ms = 7200 * 1000;
static sfsistat (*milter_session_close_cb)(SMFICTX *);
static int milter_session_layout_warned;

/* milter_session_setup - idle timeout and close callback, before smfi_main */
void milter_session_setup(int timeout_s, sfsistat (*close_cb)(SMFICTX *))
{
    milter_session_timeout_ms = timeout_s * 1000;
    milter_session_close_cb = close_cb;
}

/* milter_session_fd - the connection's socket, or -1 when the layout is not libmilter's */
static int milter_session_fd(SMFICTX *ctx, int *inet_r)
{
    int fd = ((const struct milter_session_head *) (void *) ctx)->ctx_sd;
    int domain = -1, listening = -1;
    socklen_t len = sizeof(int);

    *inet_r = 0;
    /* a socket (ENOTSOCK otherwise) that is not a listener */
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0
	|| (len = sizeof(int), getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
	|| listening != 0)
	return -1;
    *inet_r = domain == AF_INET || domain == AF_INET6;
    return fd;
}

/* milter_session_timeouts - the socket's own timeouts replace libmilter's polls; 0 or -1 */
static int milter_session_timeouts(int fd)
{
    struct timeval tv = {.tv_sec = milter_session_timeout_ms / 1000 };

    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0
	|| setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
	return -1;
    return 0;
}

/* milter_session_quickack - leave delayed-ACK mode before waiting for the MTA */
static void milter_session_quickack(int fd)
{
    int one = 1;

    (void) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);

/* __wrap_poll - libmilter's "next command pending?" poll answered without a system call */
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    if (n != 1 || milter_session_tls_fd < 0 || fds[0].fd != milter_session_tls_fd)
	return __real_poll(fds, n, timeout);
    if (fds[0].events == POLLOUT) {	/* libmilter is about to send a reply */
	milter_session_tls_replied = 1;
	fds[0].revents = POLLOUT;
	return 1;
    } else if (timeout == 1 && fds[0].events == POLLIN) {
	/* our reply re-entered delayed-ACK mode: leave it (after macros: still out) */
	if (milter_session_tls_inet && milter_session_tls_replied)
	    milter_session_quickack(fds[0].fd);
	milter_session_tls_replied = 0;
	milter_live_flush();	/* the reply has been written */
	fds[0].revents = POLLIN;
	return 1;
    } else if ((fds[0].events & POLLIN) && timeout == milter_session_timeout_ms) {
	fds[0].revents = POLLIN;	/* mi_rd_cmd: read() waits, SO_RCVTIMEO */
	return 1;
    }
    return __real_poll(fds, n, timeout);
}

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);

/* __wrap_read - the session's socket read through its buffer; other reads unchanged */
ssize_t __wrap_read(int fd, void *buf, size_t n)
{
    struct milter_session_rbuf *b = milter_session_tls_rbuf;
    ssize_t got;
    size_t k;

    if (b == NULL || fd != milter_session_tls_fd)
	return __real_read(fd, buf, n);
    if (b->off == b->len) {
	if (n >= sizeof(b->data))
	    return __real_read(fd, buf, n);
	if ((got = __real_read(fd, b->data, sizeof(b->data))) <= 0)
	    return got;
	b->off = 0;
	b->len = (size_t) got;
    }
    k = n < b->len - b->off ? n : b->len - b->off;
    memcpy(buf, b->data + b->off, k);
    b->off += k;
    return (ssize_t) k;
}

ssize_t __real_writev(int fd, const struct iovec *iov, int n);
ssize_t __wrap_writev(int fd, const struct iovec *iov, int n);

/* milter_session_write_all - write the whole buffer; 0 or -1 */
static int milter_session_write_all(int fd, const char *p, size_t len)
{
    struct iovec one;
    ssize_t w;

    while (len > 0) {
	one.iov_base = (void *) p;
	one.iov_len = len;
	if ((w = __real_writev(fd, &one, 1)) < 0) {
	    if (errno == EINTR)
		continue;
	    return -1;
	}
	p += w;
	len -= (size_t) w;
    }
    return 0;
}

/*
 * __wrap_writev - the session's action packets held back and sent with the
 * next reply; other writes unchanged. libmilter writes one packet per call:
 * iov[0] is its length and command.
 */
ssize_t __wrap_writev(int fd, const struct iovec *iov, int n)
{
    struct buf *b = &milter_session_tls_wbuf;
    size_t total = 0;
    int action;

    if (milter_session_tls_rbuf == NULL || fd != milter_session_tls_fd || n < 1
	|| iov[0].iov_len != 5)
	return __real_writev(fd, iov, n);
    action = strchr(MILTER_SESSION_ACTIONS, ((const char *) iov[0].iov_base)[4]) != NULL;
    if (!action && b->len == 0)
	return __real_writev(fd, iov, n);
    for (int i = 0; i < n; i++) {
	buf_append(b, iov[i].iov_base, iov[i].iov_len);
	total += iov[i].iov_len;
    }
    if (!action) {
	int r = milter_session_write_all(fd, b->data, b->len);

	buf_reset(b);
	if (r < 0)
	    return -1;
    }
    return (ssize_t) total;
}

/* milter_session_serve - one connection, start to end, in this thread */
static void milter_session_serve(SMFICTX *ctx)
{
    int inet, fd = milter_session_fd(ctx, &inet);
    long idle_ms = 0;

    if (fd >= 0 && milter_session_timeouts(fd) < 0) {
	msg_warn("mxguardd: cannot set socket timeouts: %s", strerror(errno));
	fd = -1;
    }
    if (fd < 0 && !__atomic_exchange_n(&milter_session_layout_warned, 1, __ATOMIC_RELAXED))
	msg_error("mxguardd: libmilter's connection context has an unknown layout:"
		  " connections are served by polling (slower)");
    milter_session_tls_fd = fd;
    milter_session_tls_inet = inet;
    milter_session_tls_replied = 0;
    milter_live_defer(fd >= 0);	/* flushed by the readiness poll */
    milter_session_tls_rbuf->off = milter_session_tls_rbuf->len = 0;
    /*
     * With the wrappers mi_engine() returns only at the end of the
     * session (its readiness poll always says "ready"; an idle MTA times
     * the read out). Without them it returns MI_CONTINUE after each idle
     * millisecond: count them against milter.timeout_s.
     */
    while (mi_engine(ctx) == MILTER_MI_CONTINUE) {
	if (++idle_ms < milter_session_timeout_ms)
	    continue;
	msg_info("mxguardd: closing a connection idle for %d s", milter_session_timeout_ms / 1000);
	if (milter_session_close_cb)
	    (void) milter_session_close_cb(ctx);
	break;
    }
    milter_live_flush();
    milter_session_tls_fd = -1;
    buf_reset(&milter_session_tls_wbuf);
    mi_clr_ctx(ctx);
}

/* milter_session_next - wait as an idle thread for the next connection; NULL: exit */
static SMFICTX *milter_session_next(void)
{
    struct milter_session_idle me = {.next = NULL,.ctx = NULL };
    struct timespec until;
    int err = 0;

    pthread_cond_init(&me.cond, NULL);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += MILTER_SESSION_IDLE_S;
    pthread_mutex_lock(&milter_session_lock);
    if (milter_session_nidle < MILTER_SESSION_MAX_IDLE) {
	me.next = milter_session_idle_list;
	milter_session_idle_list = &me;
	milter_session_nidle++;
	while (me.ctx == NULL && err != ETIMEDOUT)
	    err = pthread_cond_timedwait(&me.cond, &milter_session_lock, &until);
	if (me.ctx == NULL) {		/* still listed: take it off */
	    struct milter_session_idle **pp = &milter_session_idle_list;

	    while (*pp != &me)
		pp = &(*pp)->next;
	    *pp = me.next;
	    milter_session_nidle--;
	}
    }
    pthread_mutex_unlock(&milter_session_lock);
    pthread_cond_destroy(&me.cond);
    return me.ctx;
}

/* milter_session_thread - serve connections until none comes for a while */
static void *milter_session_thread(void *arg)
{
    SMFICTX *ctx = arg;
    sigset_t async;

    sigemptyset(&async);
    for (size_t i = 0; i < sizeof(milter_session_async) / sizeof(milter_session_async[0]); i++)
	sigaddset(&async, milter_session_async[i]);
    pthread_sigmask(SIG_BLOCK, &async, NULL);
    milter_session_tls_rbuf = xmalloc(sizeof(*milter_session_tls_rbuf));
    do
	milter_session_serve(ctx);
    while ((ctx = milter_session_next()) != NULL);
    free(milter_session_tls_rbuf);
    milter_session_tls_rbuf = NULL;
    buf_free(&milter_session_tls_wbuf);
    return NULL;
}

/* mi_pool_controller_init - libmilter's pool start: nothing to start */
int mi_pool_controller_init(void)
{
    return MI_SUCCESS;
}

/* mi_start_session - libmilter's listener accepted a connection: give it a thread */
int mi_start_session(SMFICTX *ctx)
{
    struct milter_session_idle *w;
    pthread_attr_t attr;
    pthread_t tid;
    int err;

    pthread_mutex_lock(&milter_session_lock);
    if ((w = milter_session_idle_list) != NULL) {
	milter_session_idle_list = w->next;
	milter_session_nidle--;
	w->ctx = ctx;
	pthread_cond_signal(&w->cond);
    }
    pthread_mutex_unlock(&milter_session_lock);
    if (w != NULL)
	return MI_SUCCESS;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    err = pthread_create(&tid, &attr, milter_session_thread, ctx);
    pthread_attr_destroy(&attr);
    if (err != 0) {
	msg_error("mxguardd: cannot start a thread for a connection: %s", strerror(err));
	return MI_FAILURE;
    }
    return MI_SUCCESS;
}
