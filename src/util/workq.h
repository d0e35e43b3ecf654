/*
 * NAME
 *	workq - a bounded queue of work items and the one thread that runs them
 * SYNOPSIS
 *	#include "util/workq.h"
 *
 *	struct workq *workq_new(const char *name, size_t max,
 *				void (*run)(void *ctx, void *item),
 *				void (*item_free)(void *item), void *ctx);
 *	void workq_batch(struct workq *q, unsigned linger_ms, size_t batch_max,
 *			 void (*run_batch)(void *ctx, void **items, size_t n));
 *	int workq_push(struct workq *q, void *item);
 *	void workq_flush(struct workq *q);
 *	void workq_free(struct workq **qp);
 * DESCRIPTION
 *	For work a mail thread hands off so that it never waits for I/O
 *	(DMARC history appends, failure reports). workq_new starts one
 *	worker thread with every signal blocked (the daemon's signals stay
 *	with its signal thread); it calls run(ctx, item) for each pushed
 *	item in order, then item_free(item). workq_push never blocks on the
 *	worker: it queues the item, or refuses it when max items are
 *	already waiting or the queue is stopping (the caller keeps and
 *	frees it). workq_flush waits until every item pushed so far has
 *	been run. workq_free runs what is queued, stops the thread and
 *	frees the queue.
 *
 *	workq_batch (before the first push) makes the worker run items in
 *	groups, for work whose cost is per call rather than per item (a
 *	store transaction and its fsync): once an item is queued the
 *	worker waits up to linger_ms for more, then calls
 *	run_batch(ctx, items, n) with up to batch_max items in queue order
 *	(then item_free for each). A full batch, workq_flush and workq_free
 *	end the wait early. Items then wait at most linger_ms longer.
 * DIAGNOSTICS
 *	workq_push: 0 queued, -1 refused. workq_new: msg_fatal when the
 *	thread cannot be started (name says whose).
 */
#ifndef MXG_UTIL_WORKQ_H
#define MXG_UTIL_WORKQ_H
#include <stddef.h>

struct workq;

struct workq *workq_new(const char *name, size_t max, void (*run)(void *ctx, void *item),
			void (*item_free)(void *item), void *ctx);
void workq_batch(struct workq *q, unsigned linger_ms, size_t batch_max,
		 void (*run_batch)(void *ctx, void **items, size_t n));
int workq_push(struct workq *q, void *item);
void workq_flush(struct workq *q);
void workq_free(struct workq **qp);

#endif
