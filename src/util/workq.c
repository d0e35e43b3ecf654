/*
 * NAME
 *	workq.c - a bounded queue of work items and the one thread that runs them
 * SYNOPSIS
 *	#include "util/workq.h"
 * DESCRIPTION
 *	See workq.h. A singly linked list under one mutex; "cond" wakes
 *	the worker, "idle" wakes workq_flush when the list is empty and
 *	the worker is not running an item. In batch mode a push wakes the
 *	worker only for the first item (it waits untimed for one) and for
 *	a full batch (it lingers, timed, on CLOCK_MONOTONIC), so the
 *	pushes between cost no wake-up.
 * DIAGNOSTICS
 *	See workq.h.
 */
#include "config.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "util/msg.h"
#include "util/workq.h"
#include "util/xmalloc.h"

struct workq_node {
    void   *item;
    struct workq_node *next;
};

struct workq {
    void    (*run)(void *ctx, void *item);
    void    (*item_free)(void *item);
    void   *ctx;
    size_t  max, queued;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond, idle;
    struct workq_node *head, *tail;
    int     busy, stop, flushing;
    /* batch mode (workq_batch): run_batch != NULL */
    void    (*run_batch)(void *ctx, void **items, size_t n);
    unsigned linger_ms;
    size_t  batch_max;
};

/* workq_linger - (locked) wait until a batch is due: full, old enough, flush or stop */
static void workq_linger(struct workq *q)
{
    struct timespec until;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += (long) q->linger_ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    while (!q->stop && !q->flushing && q->queued < q->batch_max)
	if (pthread_cond_timedwait(&q->cond, &q->lock, &until) == ETIMEDOUT)
	    break;
}

/* workq_run_batch - (locked, returns locked) take up to batch_max items and run them */
static void workq_run_batch(struct workq *q)
{
    void  **items = xmalloc(q->batch_max * sizeof(*items));
    size_t  n = 0;

    workq_linger(q);
    while (q->head != NULL && n < q->batch_max) {
	struct workq_node *node = q->head;

	q->head = node->next;
	items[n++] = node->item;
	free(node);
    }
    if (q->head == NULL)
	q->tail = NULL;
    q->queued -= n;
    q->busy = 1;
    pthread_mutex_unlock(&q->lock);
    q->run_batch(q->ctx, items, n);
    for (size_t i = 0; i < n; i++)
	q->item_free(items[i]);
    free(items);
    pthread_mutex_lock(&q->lock);
    q->busy = 0;
}

/* workq_thread - run items until stopped and drained */
static void *workq_thread(void *arg)
{
    struct workq *q = arg;

    pthread_mutex_lock(&q->lock);
    for (;;) {
	struct workq_node *n;

	while (q->head == NULL && !q->stop) {
	    pthread_cond_broadcast(&q->idle);
	    pthread_cond_wait(&q->cond, &q->lock);
	}
	if (q->head == NULL)
	    break;
	if (q->run_batch) {
	    workq_run_batch(q);
	    continue;
	}
	n = q->head;
	q->head = n->next;
	if (q->head == NULL)
	    q->tail = NULL;
	q->queued--;
	q->busy = 1;
	pthread_mutex_unlock(&q->lock);
	q->run(q->ctx, n->item);
	q->item_free(n->item);
	free(n);
	pthread_mutex_lock(&q->lock);
	q->busy = 0;
    }
    pthread_cond_broadcast(&q->idle);
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* workq_new - a queue and its running worker */
struct workq *workq_new(const char *name, size_t max, void (*run)(void *ctx, void *item),
			void (*item_free)(void *item), void *ctx)
{
    struct workq *q = xcalloc(1, sizeof(*q));
    pthread_condattr_t ca;
    sigset_t all, old;
    int     err;

    q->run = run;
    q->item_free = item_free;
    q->ctx = ctx;
    q->max = max;
    pthread_mutex_init(&q->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);	/* workq_linger's deadline */
    pthread_cond_init(&q->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&q->idle, NULL);
    sigfillset(&all);		/* the mask is inherited by the new thread */
    pthread_sigmask(SIG_SETMASK, &all, &old);
    err = pthread_create(&q->thread, NULL, workq_thread, q);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0)
	msg_fatal("%s: cannot start the worker thread: %s", name, strerror(err));
    return q;
}

/* workq_batch - run items in groups (before the first push) */
void workq_batch(struct workq *q, unsigned linger_ms, size_t batch_max,
		 void (*run_batch)(void *ctx, void **items, size_t n))
{
    pthread_mutex_lock(&q->lock);
    q->linger_ms = linger_ms;
    q->batch_max = batch_max ? batch_max : 1;
    q->run_batch = run_batch;
    pthread_mutex_unlock(&q->lock);
}

/* workq_push - queue an item; -1 when full or stopping (the caller keeps it) */
int workq_push(struct workq *q, void *item)
{
    struct workq_node *n;

    pthread_mutex_lock(&q->lock);
    if (q->queued >= q->max || q->stop) {
	pthread_mutex_unlock(&q->lock);
	return -1;
    }
    n = xcalloc(1, sizeof(*n));
    n->item = item;
    if (q->tail)
	q->tail->next = n;
    else
	q->head = n;
    q->tail = n;
    q->queued++;
    /* a batching worker waits for a first item, then lingers for a full batch */
    if (q->run_batch == NULL || q->queued == 1 || q->queued == q->batch_max)
	pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

/* workq_flush - wait until every item pushed so far was run */
void workq_flush(struct workq *q)
{
    pthread_mutex_lock(&q->lock);
    q->flushing++;			/* no lingering meanwhile */
    pthread_cond_signal(&q->cond);
    while (q->head != NULL || q->busy)
	pthread_cond_wait(&q->idle, &q->lock);
    q->flushing--;
    pthread_mutex_unlock(&q->lock);
}

/* workq_free - run what is queued, stop the worker, free */
void workq_free(struct workq **qp)
{
    struct workq *q = *qp;

    if (q == NULL)
	return;
    pthread_mutex_lock(&q->lock);
    q->stop = 1;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    pthread_join(q->thread, NULL);
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->cond);
    pthread_cond_destroy(&q->idle);
    free(q);
    *qp = NULL;
}
