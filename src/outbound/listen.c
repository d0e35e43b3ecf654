/*
 * NAME
 *	listen.c - sockets and session threads of mxguard-outbound
 * DESCRIPTION
 *	See listen.h.
 */
#include "config.h"
#include "outbound/listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "outbound/session_in.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define LISTEN_STACK	(512 * 1024)	/* per session thread: 500 sessions = 256 MB virtual */

static size_t listen_sessions;		/* running session threads */

struct listen_job {
    struct ob_settings *set;
    int fd;
    int lmtp;
    struct sockaddr_storage peer;
};

/* ob_listen_parse - split one outbound.listen entry */
int ob_listen_parse(const char *spec, struct ob_listener *l, const char **why_r)
{
    const char *hp, *colon;
    char *end;
    long port;

    memset(l, 0, sizeof(*l));
    l->fd = -1;
    if (strncmp(spec, "smtp:", 5) != 0 && strncmp(spec, "lmtp:", 5) != 0) {
	*why_r = "expected smtp:HOST:PORT or lmtp:HOST:PORT";
	return -1;
    }
    l->lmtp = spec[0] == 'l';
    hp = spec + 5;
    if (strncmp(hp, "unix:/", 6) == 0) {
	l->is_unix = 1;
	snprintf(l->host, sizeof(l->host), "%s", hp + 5);
	return 0;
    }
    if (*hp == '[') {
	colon = strchr(hp, ']');
	if (colon == NULL || colon == hp + 1 || colon[1] != ':') {
	    *why_r = "expected [IPv6-ADDRESS]:PORT";
	    return -1;
	}
	snprintf(l->host, sizeof(l->host), "%.*s", (int) (colon - hp - 1), hp + 1);
	colon++;
    } else {
	colon = strrchr(hp, ':');
	if (colon == NULL || colon == hp || memchr(hp, ':', (size_t) (colon - hp)) != NULL) {
	    *why_r = "expected HOST:PORT (write IPv6 addresses as [ADDRESS]:PORT)";
	    return -1;
	}
	snprintf(l->host, sizeof(l->host), "%.*s", (int) (colon - hp), hp);
    }
    port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != 0 || port < 1 || port > 65535) {
	*why_r = "port must be a number from 1 to 65535";
	return -1;
    }
    l->port = (int) port;
    return 0;
}

/* listen_unix - bind a unix socket, replacing a stale one */
static int listen_unix(struct ob_listener *l, struct buf *why_r)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX };

    if (strlen(l->host) >= sizeof(sun.sun_path)) {
	buf_printf(why_r, "%s: path too long", l->host);
	return -1;
    }
    strcpy(sun.sun_path, l->host);
    (void) unlink(l->host);
    l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->fd < 0 || bind(l->fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
	buf_printf(why_r, "%s: %s", l->host, strerror(errno));
	return -1;
    }
    (void) chmod(l->host, 0666);
    return 0;
}

/* ob_listen_open - bind and listen */
int ob_listen_open(struct ob_listener *l, struct buf *why_r)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai = NULL;
    char port[8];
    int one = 1, e;

    if (l->is_unix) {
	if (listen_unix(l, why_r) < 0)
	    return -1;
    } else {
	snprintf(port, sizeof(port), "%d", l->port);
	if ((e = getaddrinfo(l->host, port, &hints, &ai)) != 0) {
	    buf_printf(why_r, "%s: %s", l->host, gai_strerror(e));
	    return -1;
	}
	l->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd >= 0) {
	    (void) setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	    (void) setsockopt(l->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (l->fd < 0 || bind(l->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
	    buf_printf(why_r, "%s:%d: %s", l->host, l->port, strerror(errno));
	    freeaddrinfo(ai);
	    return -1;
	}
	freeaddrinfo(ai);
    }
    if (listen(l->fd, 1024) < 0) {
	buf_printf(why_r, "listen %s: %s", l->host, strerror(errno));
	return -1;
    }
    return 0;
}

/* ob_listen_sessions - how many sessions run now */
size_t ob_listen_sessions(void)
{
    return __atomic_load_n(&listen_sessions, __ATOMIC_SEQ_CST);
}

/* listen_thread - run one session, then account for its end */
static void *listen_thread(void *arg)
{
    struct listen_job *j = arg;

    ob_in_run(j->set, j->fd, j->lmtp, (struct sockaddr *) &j->peer);
    ob_settings_unref(&j->set);
    free(j);
    __atomic_sub_fetch(&listen_sessions, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* listen_accept - accept one connection and start its thread */
static void listen_accept(struct ob_listener *l, struct ob_settings *s, size_t max_sessions,
			  pthread_attr_t *attr)
{
    struct listen_job *j = xcalloc(1, sizeof(*j));
    socklen_t len = sizeof(j->peer);
    pthread_t tid;

    j->fd = accept4(l->fd, (struct sockaddr *) &j->peer, &len, SOCK_CLOEXEC);
    if (j->fd < 0) {
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
	    msg_warn("outbound: accept: %s", strerror(errno));
	free(j);
	ob_settings_unref(&s);
	return;
    }
    if (ob_listen_sessions() >= max_sessions) {
	static const char busy[] = "421 4.3.2 Too many sessions, try again later\r\n";

	(void) !write(j->fd, busy, sizeof(busy) - 1);
	(void) close(j->fd);
	free(j);
	ob_settings_unref(&s);
	return;
    }
    j->set = s;
    j->lmtp = l->lmtp;
    __atomic_add_fetch(&listen_sessions, 1, __ATOMIC_SEQ_CST);
    if (pthread_create(&tid, attr, listen_thread, j) != 0) {
	msg_warn("outbound: cannot start a session thread: %s", strerror(errno));
	__atomic_sub_fetch(&listen_sessions, 1, __ATOMIC_SEQ_CST);
	(void) close(j->fd);
	ob_settings_unref(&j->set);
	free(j);
    }
}

/* ob_listen_run - the accept loop until a signal says stop */
int ob_listen_run(struct ob_listener *ls, size_t n, int signal_fd,
		  struct ob_settings *(*current)(void *), void *ctx,
		  int (*on_signal)(void *, int), size_t max_sessions)
{
    struct pollfd *p = xcalloc(n + 1, sizeof(*p));
    pthread_attr_t attr;
    int stop = 0;

    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, LISTEN_STACK);
    for (size_t i = 0; i < n; i++) {
	p[i].fd = ls[i].fd;
	p[i].events = POLLIN;
    }
    p[n].fd = signal_fd;
    p[n].events = POLLIN;
    while (!stop) {
	if (poll(p, n + 1, -1) < 0) {
	    if (errno == EINTR)
		continue;
	    msg_fatal("outbound: poll: %s", strerror(errno));
	}
	if (p[n].revents & POLLIN) {
	    unsigned char sig;

	    if (read(signal_fd, &sig, 1) == 1)
		stop = on_signal(ctx, sig);
	}
	for (size_t i = 0; i < n && !stop; i++)
	    if (p[i].revents & POLLIN)
		listen_accept(&ls[i], current(ctx), max_sessions, &attr);
    }
    for (size_t i = 0; i < n; i++) {
	(void) close(ls[i].fd);
	if (ls[i].is_unix)
	    (void) unlink(ls[i].host);
    }
    for (int i = 0; i < 300 && ob_listen_sessions() > 0; i++)
	usleep(100000);
    pthread_attr_destroy(&attr);
    free(p);
    return 0;
}
