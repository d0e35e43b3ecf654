/*
 * NAME
 *	live.c - mxguardd's current pipeline and in-flight messages (see live.h)
 */
#include "config.h"
#include "milter/live.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "pipeline/pipeline.h"

/*
 * Guarded by live_lock: the installed pipeline, the number of messages
 * between MAIL FROM and their end, and the draining flag.
 */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_idle = PTHREAD_COND_INITIALIZER;
static struct pipeline *live_pipe;
static unsigned live_msgs;
static int live_draining;

/* milter_live_install - make p current (reference taken over); drop the old one */
void milter_live_install(struct pipeline *p)
{
    struct pipeline *old;

    pthread_mutex_lock(&live_lock);
    old = live_pipe;
    live_pipe = p;
    pthread_mutex_unlock(&live_lock);
    /* outside the lock: the last unref frees a whole pipeline */
    if (old)
	pipeline_unref(&old);
}

/* milter_live_pipeline - a new reference to the current pipeline, or NULL */
struct pipeline *milter_live_pipeline(void)
{
    struct pipeline *p = NULL;

    pthread_mutex_lock(&live_lock);
    if (live_pipe)
	p = pipeline_ref(live_pipe);
    pthread_mutex_unlock(&live_lock);
    return p;
}

/* milter_live_msg_begin - count one more message, unless draining */
int milter_live_msg_begin(void)
{
    int ret = 0;

    pthread_mutex_lock(&live_lock);
    if (live_draining)
	ret = -1;
    else
	live_msgs++;
    pthread_mutex_unlock(&live_lock);
    return ret;
}

/* milter_live_msg_end - one message less; wake a drain when none is left */
void milter_live_msg_end(void)
{
    pthread_mutex_lock(&live_lock);
    if (live_msgs > 0 && --live_msgs == 0)
	pthread_cond_broadcast(&live_idle);
    pthread_mutex_unlock(&live_lock);
}

/* This thread's deferral of message ends (see live.h). */
static __thread int live_defer_on;
static __thread unsigned live_deferred;

/* milter_live_msg_end_after_reply - one message less, once its reply is out */
void milter_live_msg_end_after_reply(void)
{
    if (live_defer_on)
	live_deferred++;
    else
	milter_live_msg_end();
}

/* milter_live_defer - keep this thread's message ends until milter_live_flush */
void milter_live_defer(int on)
{
    live_defer_on = on;
}

/* milter_live_flush - count this thread's kept message ends now */
void milter_live_flush(void)
{
    for (; live_deferred > 0; live_deferred--)
	milter_live_msg_end();
}

/* milter_live_drain_start - refuse new messages from now on */
void milter_live_drain_start(void)
{
    pthread_mutex_lock(&live_lock);
    live_draining = 1;
    pthread_mutex_unlock(&live_lock);
}

/* milter_live_draining - are we refusing new messages? */
int milter_live_draining(void)
{
    int d;

    pthread_mutex_lock(&live_lock);
    d = live_draining;
    pthread_mutex_unlock(&live_lock);
    return d;
}

/* milter_live_wait - wait until no message is in flight, at most timeout_ms */
unsigned milter_live_wait(int timeout_ms)
{
    struct timespec until;
    unsigned left;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
	until.tv_sec++;
	until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&live_lock);
    while (live_msgs > 0)
	if (pthread_cond_timedwait(&live_idle, &live_lock, &until) == ETIMEDOUT)
	    break;
    left = live_msgs;
    pthread_mutex_unlock(&live_lock);
    return left;
}
