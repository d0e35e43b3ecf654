/*
 * NAME
 *	mxguard-outbound - the synchronous outbound SMTP/LMTP proxy
 * SYNOPSIS
 *	mxguard-outbound [-fhtvV] [-c FILE]
 * DESCRIPTION
 *	Startup: options and config (every error printed, exit 1), the
 *	outbound.listen entries and the run user checked (-t stops here,
 *	after also building the TLS contexts and lists); listeners bound as
 *	root; privileges dropped to outbound.user (verified irreversible);
 *	detach unless -f; settings built (resolver, TLS contexts, policy
 *	lists); pidfile; accept loop (listen.h).
 *
 *	Signals arrive through a self-pipe: SIGHUP reloads the config into
 *	new settings that new sessions use (a bad file keeps the old ones and
 *	logs every error); SIGTERM and SIGINT stop accepting and give
 *	running sessions up to 30 s.
 *
 *	Keys that need a restart (listen, user, group, pidfile) are read at
 *	start only.
 * DIAGNOSTICS
 *	Exit 0 after a stop or a good -t; 1 for any startup error.
 * STANDARDS
 *	RFC 5321 (SMTP), RFC 2033 (LMTP).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "metrics/metrics.h"
#include "milter/daemon.h"
#include "milter/privs.h"
#include "outbound/listen.h"
#include "outbound/outbound.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define PROG "mxguard-outbound"

struct outbound {
    struct daemon_opts opts;
    struct privs privs;
    struct ob_listener *ls;
    size_t nls;
    pthread_mutex_t lock;
    struct ob_settings *set;	/* current; sessions hold their own reference */
};

static int sig_pipe[2] = { -1, -1 };

/* outbound_sig - async-signal-safe: pass the signal to the main loop */
static void outbound_sig(int signo)
{
    unsigned char b = (unsigned char) signo;
    int saved = errno;

    (void) !write(sig_pipe[1], &b, 1);
    errno = saved;
}

/* outbound_check - outbound.* beyond the key table; 0 or -1 after printing */
static int outbound_check(struct outbound *d, const struct conf *c)
{
    const char *const *items;
    size_t n = conf_list(c, "outbound.listen", &items);
    struct buf errs = BUF_INIT;
    const char *why;
    int ret = 0;

    if (n == 0) {
	fprintf(stderr, "%s: outbound.listen: no listen address configured\n", PROG);
	ret = -1;
    }
    d->ls = xcalloc(n ? n : 1, sizeof(*d->ls));
    d->nls = n;
    for (size_t i = 0; i < n; i++) {
	if (ob_listen_parse(items[i], &d->ls[i], &why) < 0) {
	    fprintf(stderr, "%s: outbound.listen: \"%s\": %s\n", PROG, items[i], why);
	    ret = -1;
	}
    }
    if (*conf_str(c, "outbound.pidfile") && *conf_str(c, "outbound.pidfile") != '/') {
	fprintf(stderr, "%s: outbound.pidfile \"%s\": must be an absolute path\n", PROG,
		conf_str(c, "outbound.pidfile"));
	ret = -1;
    }
    if (privs_resolve(conf_str(c, "outbound.user"), conf_str(c, "outbound.group"),
		      &d->privs, &errs) < 0) {
	fprintf(stderr, "%s: %s\n", PROG, buf_str(&errs));
	ret = -1;
    }
    buf_free(&errs);
    return ret;
}

/* outbound_settings - settings from c (running: 0 for -t); errors to stderr or the log */
static struct ob_settings *outbound_settings(struct conf *c, int running, int to_stderr)
{
    struct buf why = BUF_INIT;
    struct ob_settings *s = ob_settings_new(c, running, &why);

    if (s == NULL) {
	char *save, *ln = strtok_r(why.data ? why.data : (char *) "", "\n", &save);

	for (; ln; ln = strtok_r(NULL, "\n", &save)) {
	    if (to_stderr)
		fprintf(stderr, "%s: %s\n", PROG, ln);
	    else
		msg_error("%s: %s", PROG, ln);
	}
    }
    buf_free(&why);
    return s;
}

/* outbound_current - a reference to the current settings (accept loop) */
static struct ob_settings *outbound_current(void *ctx)
{
    struct outbound *d = ctx;
    struct ob_settings *s;

    pthread_mutex_lock(&d->lock);
    s = ob_settings_ref(d->set);
    pthread_mutex_unlock(&d->lock);
    return s;
}

/* outbound_reload - SIGHUP: new settings, or keep the old ones */
static void outbound_reload(struct outbound *d)
{
    struct buf errs = BUF_INIT;
    struct conf *c = conf_open(d->opts.config, &errs);
    struct ob_settings *s = NULL, *old;

    if (c == NULL) {
	char *save, *ln = strtok_r(errs.data ? errs.data : (char *) "", "\n", &save);

	for (; ln; ln = strtok_r(NULL, "\n", &save))
	    msg_error("%s: reload: %s", PROG, ln);
	msg_error("%s: reload failed: keeping the old configuration", PROG);
	buf_free(&errs);
	return;
    }
    buf_free(&errs);
    if ((s = outbound_settings(c, 1, 0)) == NULL) {
	msg_error("%s: reload failed: keeping the old configuration", PROG);
	conf_unref(&c);
	return;
    }
    pthread_mutex_lock(&d->lock);
    old = d->set;
    d->set = s;
    pthread_mutex_unlock(&d->lock);
    ob_settings_unref(&old);
    conf_unref(&c);
    msg_info("%s: reloaded %s", PROG, daemon_conf_name(s->conf));
}

/* outbound_on_signal - 1 to stop */
static int outbound_on_signal(void *ctx, int signo)
{
    if (signo == SIGHUP) {
	outbound_reload(ctx);
	return 0;
    }
    msg_info("%s: stopping on signal %d", PROG, signo);
    return 1;
}

/* outbound_signals - self-pipe and handlers */
static void outbound_signals(void)
{
    struct sigaction sa;

    if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
	msg_fatal("%s: pipe: %s", PROG, strerror(errno));
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = outbound_sig;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* outbound_listen - bind every listener; exit 1 on failure */
static void outbound_listen(struct outbound *d)
{
    struct buf why = BUF_INIT;

    for (size_t i = 0; i < d->nls; i++) {
	if (ob_listen_open(&d->ls[i], &why) < 0) {
	    fprintf(stderr, "%s: cannot listen on %s: %s\n", PROG, d->ls[i].host, buf_str(&why));
	    exit(1);
	}
    }
    buf_free(&why);
}

int main(int argc, char **argv)
{
    struct outbound d;
    struct conf *c;
    struct buf why = BUF_INIT;
    char *abs_config = NULL;
    const char *pidfile;

    memset(&d, 0, sizeof(d));
    pthread_mutex_init(&d.lock, NULL);
    daemon_opts_parse(argc, argv, PROG, "the mxguard outbound SMTP/LMTP proxy", &d.opts);
    if (d.opts.config != NULL && (abs_config = realpath(d.opts.config, NULL)) != NULL)
	d.opts.config = abs_config;
    if ((c = daemon_conf_load(PROG, d.opts.config)) == NULL || outbound_check(&d, c) < 0)
	exit(1);
    if (d.opts.test) {
	if ((d.set = outbound_settings(c, 0, 1)) == NULL)
	    exit(1);
	printf("%s: configuration %s is valid\n", PROG, daemon_conf_name(c));
	ob_settings_unref(&d.set);
	conf_unref(&c);
	free(d.ls);
	free(abs_config);
	exit(0);
    }
    daemon_log_open(PROG, &d.opts, c);
    outbound_signals();
    outbound_listen(&d);
    if (privs_drop(&d.privs, &why) < 0)
	msg_fatal("%s: %s", PROG, buf_str(&why));
    if (!d.privs.change && geteuid() == 0)
	msg_warn("%s: running as root because outbound.user is empty:"
		 " set outbound.user outside of tests", PROG);
    if (!d.opts.foreground && daemon(0, 0) < 0)
	msg_fatal("%s: cannot detach: %s", PROG, strerror(errno));
    if ((d.set = outbound_settings(c, 1, d.opts.foreground)) == NULL)
	exit(1);
    metrics_http_start_conf(PROG, c, metrics_outbound_init);
    pidfile = conf_str(c, "outbound.pidfile");
    if (*pidfile && daemon_pidfile_write(pidfile, &why) < 0)
	msg_fatal("%s: %s", PROG, buf_str(&why));
    msg_info("%s: starting: version %s, %zu listener(s), config %s, tls %s", PROG,
	     PACKAGE_VERSION, d.nls, daemon_conf_name(c), ob_tls_level_name(d.set->tls_default));
    (void) ob_listen_run(d.ls, d.nls, sig_pipe[0], outbound_current, &d, outbound_on_signal,
			 (size_t) conf_int(c, "outbound.max_sessions"));
    metrics_http_stop();
    if (*pidfile)
	daemon_pidfile_remove(pidfile);
    msg_info("%s: stopped", PROG);
    ob_settings_unref(&d.set);
    conf_unref(&c);
    free(d.ls);
    free(abs_config);
    buf_free(&why);
    return 0;
}
