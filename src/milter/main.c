/*
 * NAME
 *	mxguardd - the mxguard milter daemon: process-level work
 * SYNOPSIS
 *	mxguardd [-fhtvV] [-c FILE]
 * DESCRIPTION
 *	Startup order, and why:
 *	1. options, config (every error printed, exit 1), socket spec and
 *	   run user checked (-t stops here);
 *	2. smfi_register, smfi_setconn, smfi_opensocket(true) as root, so
 *	   privileged ports and root-owned socket directories work;
 *	3. the listener is found among our fds (milter/socket.h) and gets
 *	   TCP_NODELAY (inet) or owner/group/mode 0660 (unix);
 *	4. drop to milter.user, verified irreversible (milter/privs.h);
 *	5. detach unless -f (bind and privilege errors have already reached
 *	   the terminal and the exit status);
 *	6. smfi_main in its own thread; once libmilter's signal thread is
 *	   in place, SIGHUP is caught (milter/signals.h);
 *	7. pidfile and the startup log line: from here on signals are safe.
 *	SIGTERM/SIGINT handlers exist from the start (before step 2).
 *
 *	Signals: libmilter's own signal thread would STOP on SIGHUP; how
 *	mxguardd makes SIGHUP a reload is in milter/signals.h. SIGTERM and
 *	SIGINT stop: smfi_stop(), then the socket file and pidfile go.
 *
 *	The message pipeline (pipeline/pipeline.h) is built from the
 *	snapshot after the privilege drop, so -t, the startup and a reload
 *	all report rule and list errors the same way (every line).
 *
 *	Reload (SIGHUP) loads a new snapshot from the same file and builds a
 *	new pipeline from it; on any error the old snapshot and pipeline
 *	stay and every error line is logged. New messages take the new
 *	pipeline, messages in flight finish on theirs (milter/live.h).
 *
 *	Stop (SIGTERM, SIGINT) drains: new MAIL FROMs get 451 4.3.2,
 *	messages in flight get up to milter.timeout_s to finish, then
 *	libmilter is stopped and the process exits. Keys that only
 *	take effect at startup (socket, user, group, pidfile, timeout,
 *	backlog, log facility) are logged as needing a restart when changed.
 * DIAGNOSTICS
 *	Exit 0 after a clean stop or a good -t; 1 for any startup error.
 * STANDARDS
 *	Sendmail libmilter API (smfi_register, smfi_setconn,
 *	smfi_opensocket, smfi_main, smfi_stop).
 */
#include "config.h"

#include <errno.h>
#include <libmilter/mfapi.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "metrics/metrics.h"
#include "milter/callbacks.h"
#include "milter/daemon.h"
#include "milter/live.h"
#include "milter/privs.h"
#include "milter/session.h"
#include "milter/signals.h"
#include "milter/socket.h"
#include "pipeline/pipeline.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define PROG "mxguardd"
#define MXGUARDD_MAX_PACKET	(2 * 1024 * 1024)	/* largest milter packet accepted */

struct mxguardd {
    struct daemon_opts opts;
    struct milter_socket sock;
    struct privs privs;
    char *socket_spec;
    char *pidfile;
    int sig_fd;			/* read end of the self-pipe */
    int milter_status;		/* smfi_main's return */
    struct sockaddr_storage listen_addr;	/* to wake libmilter at stop */
    socklen_t listen_len;	/* 0 = unknown */
    struct stat sock_st;	/* the unix socket file we created */
    pthread_barrier_t go;	/* milter thread waits for the main thread */
    pthread_t milter_tid;
};

/* mxguardd_resolve - the socket's HOST must resolve (libmilter would only syslog it) */
static int mxguardd_resolve(const struct milter_socket *sock)
{
    struct addrinfo hints, *res = NULL;
    int err;

    if (sock->host[0] == 0)
	return 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = sock->kind == MILTER_SOCKET_INET6 ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if ((err = getaddrinfo(sock->host, NULL, &hints, &res)) != 0) {
	fprintf(stderr, "%s: milter.socket: cannot resolve %s as an IPv%d address: %s\n", PROG,
		sock->host, sock->kind == MILTER_SOCKET_INET6 ? 6 : 4, gai_strerror(err));
	return -1;
    }
    freeaddrinfo(res);
    return 0;
}

/* mxguardd_check - everything -t verifies; errors on stderr */
static int mxguardd_check(struct mxguardd *d, const struct conf *c)
{
    const char *why = NULL;
    struct buf errs = BUF_INIT;
    int ret = 0;

    if (milter_socket_parse(conf_str(c, "milter.socket"), &d->sock, &why) < 0) {
	fprintf(stderr, "%s: milter.socket \"%s\": %s\n", PROG, conf_str(c, "milter.socket"), why);
	ret = -1;
    }
    if (ret == 0 && d->sock.kind != MILTER_SOCKET_UNIX && mxguardd_resolve(&d->sock) < 0)
	ret = -1;
    if (*conf_str(c, "milter.pidfile") && *conf_str(c, "milter.pidfile") != '/') {
	fprintf(stderr, "%s: milter.pidfile \"%s\": must be an absolute path\n", PROG,
		conf_str(c, "milter.pidfile"));
	ret = -1;
    }
    if (privs_resolve(conf_str(c, "milter.user"), conf_str(c, "milter.group"),
		      &d->privs, &errs) < 0) {
	fprintf(stderr, "%s: %s\n", PROG, buf_str(&errs));
	ret = -1;
    }
    buf_free(&errs);
    return ret;
}

/* mxguardd_log_errors - one log line per error line, with a prefix */
static void mxguardd_log_errors(const char *prefix, const struct buf *errs, int to_stderr)
{
    const char *p = buf_str(errs);

    while (*p) {
	size_t n = strcspn(p, "\n");

	if (n > 0 && to_stderr)
	    fprintf(stderr, "%s: %s%.*s\n", PROG, prefix, (int) n, p);
	else if (n > 0)
	    msg_error("%s: %s%.*s", PROG, prefix, (int) n, p);
	p += n + (p[n] == '\n');
    }
}

/* mxguardd_pipeline - the pipeline of snapshot c, or NULL with every error reported */
static struct pipeline *mxguardd_pipeline(struct conf *c, const char *prefix, int to_stderr)
{
    struct buf errs = BUF_INIT;
    struct pipeline *p = pipeline_new(c, &errs);

    if (p == NULL) {
	mxguardd_log_errors(prefix, &errs, to_stderr);
	if (errs.len == 0) {
	    if (to_stderr)
		fprintf(stderr, "%s: %scannot build the message pipeline\n", PROG, prefix);
	    else
		msg_error("%s: %scannot build the message pipeline", PROG, prefix);
	}
    }
    buf_free(&errs);
    return p;
}

/* mxguardd_listen - bind as root, then TCP_NODELAY or unix ownership */
static void mxguardd_listen(struct mxguardd *d, const struct conf *c)
{
    struct smfiDesc desc;
    int fd = -1, found;
    mode_t old_umask;

    milter_callbacks_desc(&desc);
    milter_session_setup((int) conf_int(c, "milter.timeout_s"), desc.xxfi_close);
    if (smfi_register(desc) != MI_SUCCESS)
	msg_fatal("%s: smfi_register failed", PROG);
    /*
     * libmilter drops the connection on a packet over 64 KiB by default,
     * but Postfix sends a header field in one packet up to its
     * header_size_limit (100 KiB by default, often raised): allow 2 MiB.
     */
    (void) smfi_setmaxdatasize(MXGUARDD_MAX_PACKET);
    if (smfi_setconn(d->socket_spec) != MI_SUCCESS)
	msg_fatal("%s: milter.socket \"%s\": libmilter refused it", PROG, d->socket_spec);
    if (smfi_settimeout((int) conf_int(c, "milter.timeout_s")) != MI_SUCCESS
	|| smfi_setbacklog((int) conf_int(c, "milter.backlog")) != MI_SUCCESS)
	msg_fatal("%s: cannot set milter timeout/backlog", PROG);
    old_umask = umask(0117);
    errno = 0;
    if (smfi_opensocket(true) != MI_SUCCESS)
	msg_fatal("%s: cannot listen on %s: %s", PROG, d->socket_spec,
		  errno ? strerror(errno) : "see libmilter's log");
    umask(old_umask);
    found = milter_socket_find_fd(&d->sock, &fd);
    d->listen_len = sizeof(d->listen_addr);
    if (found != 1 || getsockname(fd, (struct sockaddr *) &d->listen_addr, &d->listen_len) < 0)
	d->listen_len = 0;
    if (d->sock.kind == MILTER_SOCKET_UNIX) {
	if (milter_socket_unix_perms(d->sock.path, d->privs.change ? d->privs.uid : (uid_t) -1,
				     d->privs.have_gid ? d->privs.gid : (gid_t) -1, 0660) < 0)
	    msg_fatal("%s: socket %s: cannot set owner and mode 0660: %s",
		      PROG, d->sock.path, strerror(errno));
	if (stat(d->sock.path, &d->sock_st) < 0)
	    msg_fatal("%s: socket %s: %s", PROG, d->sock.path, strerror(errno));
	msg_debug("%s: socket: %s mode 0660", PROG, d->sock.path);
	return;
    }
    if (found != 1)
	msg_fatal("%s: cannot find the listening socket for %s among our descriptors"
		  " (%s)", PROG, d->socket_spec, found < 0 ? strerror(errno) : "none matched");
    if (milter_socket_nodelay(fd) < 0)
	msg_fatal("%s: socket: TCP_NODELAY on fd %d: %s", PROG, fd, strerror(errno));
    msg_debug("%s: socket: TCP_NODELAY set on fd %d", PROG, fd);
}

/* mxguardd_unlink_socket - remove our unix socket file (libmilter does not) */
static void mxguardd_unlink_socket(const struct mxguardd *d)
{
    struct stat st;

    if (d->sock.kind != MILTER_SOCKET_UNIX || lstat(d->sock.path, &st) < 0)
	return;
    /* only the file we created, not one a newer instance put there */
    if (!S_ISSOCK(st.st_mode) || st.st_ino != d->sock_st.st_ino || st.st_dev != d->sock_st.st_dev)
	return;
    if (unlink(d->sock.path) < 0)
	msg_warn("%s: cannot remove socket %s: %s", PROG, d->sock.path, strerror(errno));
}

/* mxguardd_restart_keys - warn about changes that need a restart */
static void mxguardd_restart_keys(const struct conf *old, const struct conf *nc)
{
    static const char *const strs[] = {
	"milter.socket", "milter.user", "milter.group", "milter.pidfile", "log.facility",
    };
    static const char *const ints[] = { "milter.timeout_s", "milter.backlog" };

    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
	if (strcmp(conf_str(old, strs[i]), conf_str(nc, strs[i])) != 0)
	    msg_warn("%s: reload: %s changed: takes effect after a restart", PROG, strs[i]);
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
	if (conf_int(old, ints[i]) != conf_int(nc, ints[i]))
	    msg_warn("%s: reload: %s changed: takes effect after a restart", PROG, ints[i]);
}

/* mxguardd_reload - SIGHUP: install a new snapshot and pipeline, or keep the old ones */
static void mxguardd_reload(struct mxguardd *d)
{
    struct buf errs = BUF_INIT;
    struct conf *nc = conf_open(d->opts.config, &errs);
    struct conf *old = conf_current();
    struct pipeline *np = NULL;
    int verbose;

    if (nc == NULL)
	mxguardd_log_errors("reload: ", &errs, 0);
    else if ((np = mxguardd_pipeline(nc, "reload: ", 0)) == NULL)
	conf_unref(&nc);
    if (nc == NULL) {
	msg_error("%s: reload failed: keeping the configuration from %s",
		  PROG, daemon_conf_name(old));
    } else {
	mxguardd_restart_keys(old, nc);
	verbose = (int) conf_int(nc, "log.verbose");
	msg_set_verbose(d->opts.verbose > verbose ? d->opts.verbose : verbose);
	msg_info("%s: reload: configuration reloaded from %s", PROG, daemon_conf_name(nc));
	conf_install(nc);
	/* new messages take it; messages in flight keep their own reference */
	milter_live_install(np);
    }
    conf_unref(&old);
    buf_free(&errs);
}

/* mxguardd_milter_thread - run libmilter; tell the main loop when it ends */
static void *mxguardd_milter_thread(void *arg)
{
    struct mxguardd *d = arg;

    pthread_barrier_wait(&d->go);
    d->milter_status = smfi_main();
    milter_signals_notify();
    return NULL;
}

/* mxguardd_stopper - smfi_stop() blocks until libmilter's listener lets go */
static void *mxguardd_stopper(void *arg)
{
    (void) arg;
    smfi_stop();
    return NULL;
}

/* mxguardd_wake_listener - connect to our own socket to end libmilter's poll */
static void mxguardd_wake_listener(const struct mxguardd *d)
{
    struct sockaddr_storage ss = d->listen_addr;
    int fd;

    if (d->listen_len == 0)
	return;
    if (ss.ss_family == AF_INET) {
	struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

	if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
	    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else if (ss.ss_family == AF_INET6) {
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

	if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
	    sin6->sin6_addr = in6addr_loopback;
    }
    if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
	return;
    (void) connect(fd, (struct sockaddr *) &ss, d->listen_len);
    close(fd);
}

/* mxguardd_stop - stop libmilter now, not after its 5 s poll timeout */
static void mxguardd_stop(struct mxguardd *d)
{
    struct pollfd pfd = { .fd = d->sig_fd, .events = POLLIN };
    pthread_t tid;
    unsigned char c;
    int err;

    /*
     * libmilter's listener holds a mutex while it polls the listening
     * socket for up to 5 s, and smfi_stop() waits for that mutex after
     * setting the stop flag. So smfi_stop() runs in its own thread, and
     * the main thread connects to the socket until the listener wakes,
     * sees the flag and returns from smfi_main (byte 0 on the pipe).
     */
    if ((err = pthread_create(&tid, NULL, mxguardd_stopper, NULL)) != 0) {
	msg_warn("%s: stop thread: %s: stopping the slow way", PROG, strerror(err));
	smfi_stop();
	return;
    }
    for (int i = 0; i < 100; i++) {
	mxguardd_wake_listener(d);
	if (poll(&pfd, 1, 100) > 0 && read(d->sig_fd, &c, 1) == 1 && c == 0)
	    break;
    }
    pthread_join(tid, NULL);
}

/* mxguardd_start - run libmilter in its own thread; then catch SIGHUP */
static void mxguardd_start(struct mxguardd *d)
{
    pthread_attr_t attr;
    sigset_t set;
    int err;

    /*
     * The milter thread starts with the signals blocked (its threads,
     * libmilter's signal thread included, inherit that); the main thread's
     * mask is not touched. It waits at a barrier until pthread_create()
     * returned here, because glibc blocks every signal in the caller while
     * it clones: a SIGTERM raised then is delivered to our handler when the
     * mask is restored, before libmilter starts.
     */
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if ((err = pthread_barrier_init(&d->go, NULL, 2)) != 0
	|| (err = pthread_attr_init(&attr)) != 0
	|| (err = pthread_attr_setsigmask_np(&attr, &set)) != 0
	|| (err = pthread_create(&d->milter_tid, &attr, mxguardd_milter_thread, d)) != 0)
	msg_fatal("%s: cannot start the milter thread: %s", PROG, strerror(err));
    pthread_attr_destroy(&attr);
    pthread_barrier_wait(&d->go);
    switch (milter_signals_libmilter_ready(2000)) {
    case 1:
	break;
    case 0:
	msg_warn("%s: libmilter's signal thread not seen within 2 s:"
		 " a SIGHUP in the next moments could stop the milter", PROG);
	break;
    default:
	msg_warn("%s: cannot inspect /proc/self/task: a SIGHUP during startup"
		 " could stop the milter", PROG);
	break;
    }
    milter_signals_enable_reload();
}

/* mxguardd_drain - let messages in flight finish, up to milter.timeout_s */
static void mxguardd_drain(struct mxguardd *d)
{
    struct conf *c = conf_current();
    int secs = c ? (int) conf_int(c, "milter.timeout_s") : 300;
    unsigned left;

    if (c)
	conf_unref(&c);
    (void) d;
    /*
     * Before smfi_stop(): once stopped, libmilter's session handling ends
     * too (Debian builds its worker pool, whose controller polls sessions
     * only while not stopping), so the MTA would time out on a message in
     * flight. The listener stays open meanwhile, but every new MAIL FROM
     * gets 451 4.3.2 (callbacks.c): no new message starts.
     */
    if ((left = milter_live_wait(0)) == 0)
	return;
    msg_info("%s: stopping: waiting up to %d s for %u message%s in flight", PROG, secs, left,
	     left == 1 ? "" : "s");
    if ((left = milter_live_wait(secs * 1000)) == 0)
	msg_info("%s: stopping: every message in flight finished", PROG);
    else
	msg_warn("%s: stopping: %u message%s still in flight after %d s: the MTA applies"
		 " its milter_default_action", PROG, left, left == 1 ? "" : "s", secs);
}

/* mxguardd_serve - serve signals until stop; the milter's exit status */
static int mxguardd_serve(struct mxguardd *d)
{
    unsigned char c;
    ssize_t n;
    int stopped = 0;

    for (;;) {
	n = read(d->sig_fd, &c, 1);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n <= 0 || c == 0)
	    break;
	if (c == SIGHUP) {
	    mxguardd_reload(d);
	} else {
	    msg_info("%s: stopping on signal %s", PROG, c == SIGTERM ? "TERM" : "INT");
	    stopped = 1;
	    milter_live_drain_start();
	    mxguardd_drain(d);
	    mxguardd_stop(d);
	    break;
	}
    }
    pthread_join(d->milter_tid, NULL);
    pthread_barrier_destroy(&d->go);
    if (d->milter_status != MI_SUCCESS) {
	msg_error("%s: libmilter stopped with an error", PROG);
	return 1;
    }
    if (!stopped)
	msg_info("%s: libmilter stopped", PROG);
    return 0;
}

/* mxguardd_become - drop privileges, build the pipeline, detach; the pipeline or NULL */
static struct pipeline *mxguardd_become(struct mxguardd *d, struct conf *c)
{
    struct buf why = BUF_INIT;
    struct pipeline *p;

    /* drop first: a failure still reaches the terminal and the exit status */
    if (privs_drop(&d->privs, &why) < 0)
	msg_fatal("%s: %s", PROG, buf_str(&why));
    if (!d->privs.change && geteuid() == 0)
	msg_warn("%s: running as root because milter.user is empty:"
		 " set milter.user outside of tests", PROG);
    /*
     * Build the pipeline once as the final user, with errors on the
     * terminal and in the exit status; before daemon() it is dropped
     * (threads a pipeline may own do not survive fork) and built again
     * by the caller.
     */
    if ((p = mxguardd_pipeline(c, "", 1)) == NULL)
	exit(1);
    buf_free(&why);
    if (d->opts.foreground)
	return p;
    pipeline_unref(&p);
    if (daemon(0, 0) < 0)
	msg_fatal("%s: cannot detach: %s", PROG, strerror(errno));
    return NULL;
}

int main(int argc, char **argv)
{
    struct mxguardd d;
    struct conf *c;
    struct buf why = BUF_INIT;
    char *abs_config = NULL;
    struct pipeline *pipe;
    int status;

    memset(&d, 0, sizeof(d));
    daemon_opts_parse(argc, argv, PROG, "the mxguard milter daemon", &d.opts);
    /* absolute, so that a reload after daemon()'s chdir("/") finds it */
    if (d.opts.config != NULL && (abs_config = realpath(d.opts.config, NULL)) != NULL)
	d.opts.config = abs_config;
    if ((c = daemon_conf_load(PROG, d.opts.config)) == NULL)
	exit(1);
    if (mxguardd_check(&d, c) < 0)
	exit(1);
    if (d.opts.test) {
	if ((pipe = mxguardd_pipeline(c, "", 1)) == NULL)
	    exit(1);
	pipeline_unref(&pipe);
	printf("%s: configuration %s is valid\n", PROG, daemon_conf_name(c));
	conf_unref(&c);
	exit(0);
    }
    daemon_log_open(PROG, &d.opts, c);
    d.socket_spec = xstrdup(conf_str(c, "milter.socket"));
    d.pidfile = xstrdup(conf_str(c, "milter.pidfile"));
    milter_signals_init(&d.sig_fd);
    mxguardd_listen(&d, c);
    if ((pipe = mxguardd_become(&d, c)) == NULL
	&& (pipe = mxguardd_pipeline(c, "", 0)) == NULL)
	msg_fatal("%s: cannot build the message pipeline", PROG);
    conf_install(c);
    milter_live_install(pipe);
    metrics_http_start_conf(PROG, c, metrics_mail_init);
    mxguardd_start(&d);
    msg_info("%s: starting: version %s, socket %s, config %s, user %s", PROG,
	     PACKAGE_VERSION, d.socket_spec, daemon_conf_name(c),
	     d.privs.change ? d.privs.user : geteuid() == 0 ? "root" : "(unchanged)");
    if (*d.pidfile && daemon_pidfile_write(d.pidfile, &why) < 0)
	msg_fatal("%s: %s", PROG, buf_str(&why));
    buf_free(&why);
    status = mxguardd_serve(&d);
    metrics_http_stop();
    mxguardd_unlink_socket(&d);
    if (*d.pidfile)
	daemon_pidfile_remove(d.pidfile);
    msg_info("%s: stopped", PROG);
    milter_live_install(NULL);
    conf_install(NULL);
    free(d.socket_spec);
    free(d.pidfile);
    free(abs_config);
    return status;
}
