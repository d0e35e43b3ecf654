/*
 * NAME
 *	signals.c - mxguardd's signal handling beside libmilter (see signals.h)
 */
#include "config.h"
#include "milter/signals.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/msg.h"

/*
 * The self-pipe's write end. Set once in milter_signals_init() before any
 * thread exists, then only read, by the async-signal-safe handler.
 */
static int milter_signals_fd = -1;

/* milter_signals_handler - async-signal-safe: hand the signal to the main loop */
static void milter_signals_handler(int sig)
{
    unsigned char c = (unsigned char) sig;
    int saved = errno;

    if (write(milter_signals_fd, &c, 1) < 0) {
	/* pipe full: signals of this burst are queued already */
    }
    errno = saved;
}

/* milter_signals_catch - install our handler for sig, never deferred */
static void milter_signals_catch(int sig)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = milter_signals_handler;
    sigemptyset(&sa.sa_mask);
    /* SA_NODEFER: the main thread must not block these even in the handler */
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    if (sigaction(sig, &sa, NULL) < 0)
	msg_fatal("mxguardd: sigaction %d: %s", sig, strerror(errno));
}

/* milter_signals_init - self-pipe, TERM/INT handlers, HUP ignored for now */
void milter_signals_init(int *read_fd_r)
{
    int p[2];

    if (pipe2(p, O_CLOEXEC) < 0)
	msg_fatal("mxguardd: pipe: %s", strerror(errno));
    milter_signals_fd = p[1];
    *read_fd_r = p[0];
    milter_signals_catch(SIGTERM);
    milter_signals_catch(SIGINT);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
}

/* milter_signals_enable_reload - from now on SIGHUP reaches the main loop */
void milter_signals_enable_reload(void)
{
    milter_signals_catch(SIGHUP);
}

/* milter_signals_notify - wake the main loop with a 0 byte */
void milter_signals_notify(void)
{
    milter_signals_handler(0);
}

/* milter_signals_in_sigwait - is one of our threads asleep in rt_sigtimedwait? */
static int milter_signals_in_sigwait(void)
{
    DIR *dir = opendir("/proc/self/task");
    struct dirent *de;
    char path[64], line[32];
    int found = 0, readable = 0;

    if (dir == NULL)
	return -1;
    while (!found && (de = readdir(dir)) != NULL) {
	FILE *fp;

	if (de->d_name[0] == '.')
	    continue;
	snprintf(path, sizeof(path), "/proc/self/task/%.20s/syscall", de->d_name);
	if ((fp = fopen(path, "re")) == NULL)
	    continue;
	readable = 1;
	if (fgets(line, sizeof(line), fp) != NULL && atol(line) == SYS_rt_sigtimedwait
	    && line[0] >= '0' && line[0] <= '9')
	    found = 1;
	fclose(fp);
    }
    closedir(dir);
    return found ? 1 : readable ? 0 : -1;
}

/* milter_signals_libmilter_ready - wait until libmilter's signal thread sleeps */
int milter_signals_libmilter_ready(int timeout_ms)
{
    struct timespec ms = { 0, 1000000 };
    int r = 0, dumpable = prctl(PR_GET_DUMPABLE);

    /*
     * After setuid() the process is not dumpable and /proc/self/task/N
     * files belong to root: allow reading our own files for this moment
     * only (same uid only, and no core can be written meanwhile).
     */
    if (dumpable == 0)
	(void) prctl(PR_SET_DUMPABLE, 1);
    for (int i = 0; i <= timeout_ms; i++) {
	if ((r = milter_signals_in_sigwait()) != 0)
	    break;
	nanosleep(&ms, NULL);
    }
    if (dumpable == 0)
	(void) prctl(PR_SET_DUMPABLE, 0);
    return r;
}
