/*
 * NAME
 *	t/unit/workq_batch.c - util/workq's batch mode (workq_batch)
 * DESCRIPTION
 *	Proves: with a long linger, items pushed and then flushed reach
 *	run_batch in one call, in push order, and each is freed once; with
 *	batch_max 2, five items come in calls of at most two, in order;
 *	workq_free runs what is still queued without waiting for the linger
 *	to end (the linger is an hour: the test would hang otherwise).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "t/tap.h"
#include "util/buf.h"
#include "util/workq.h"

struct seen {
    struct buf order;		/* items as run, "1,2,3" */
    size_t  calls, biggest, freed;
};

static void run_one(void *ctx, void *item)
{
    (void) ctx;
    (void) item;
}

static void run_batch(void *ctx, void **items, size_t n)
{
    struct seen *s = ctx;

    s->calls++;
    if (n > s->biggest)
	s->biggest = n;
    for (size_t i = 0; i < n; i++)
	buf_printf(&s->order, "%s%d", s->order.len ? "," : "", *(int *) items[i]);
}

static struct seen *freed_to;

static void item_free(void *item)
{
    freed_to->freed++;
    free(item);
}

/* push - queue the numbers 1..n */
static void push(struct workq *q, int n)
{
    for (int i = 1; i <= n; i++) {
	int    *p = malloc(sizeof(*p));

	*p = i;
	if (workq_push(q, p) != 0)
	    free(p);
    }
}

int main(void)
{
    struct seen s;
    struct workq *q;

    memset(&s, 0, sizeof(s));
    freed_to = &s;
    q = workq_new("test", 100, run_one, item_free, &s);
    workq_batch(q, 3600 * 1000, 100, run_batch);
    push(q, 5);
    workq_flush(q);
    is_str(buf_str(&s.order), "1,2,3,4,5", "flush: every item run, in push order");
    is_int(s.calls, 1, "in one run_batch call");
    is_int(s.freed, 5, "each item freed once");
    workq_free(&q);
    buf_free(&s.order);

    memset(&s, 0, sizeof(s));
    q = workq_new("test", 100, run_one, item_free, &s);
    workq_batch(q, 3600 * 1000, 2, run_batch);
    push(q, 5);
    workq_flush(q);
    is_str(buf_str(&s.order), "1,2,3,4,5", "batch_max 2: every item run, in push order");
    ok(s.biggest <= 2 && s.calls >= 3, "in calls of at most 2 items (%zu calls, biggest %zu)",
       s.calls, s.biggest);
    workq_free(&q);
    buf_free(&s.order);

    memset(&s, 0, sizeof(s));
    q = workq_new("test", 100, run_one, item_free, &s);
    workq_batch(q, 3600 * 1000, 100, run_batch);
    push(q, 3);
    workq_free(&q);
    is_str(buf_str(&s.order), "1,2,3", "free runs what is queued (no hour-long linger)");
    is_int(s.freed, 3, "and frees it");
    buf_free(&s.order);
    return done_testing();
}
