/*
 * NAME
 *	event_bus.c - fire events: expand the matching actions, run or queue them
 * SYNOPSIS
 *	#include "event/event.h"
 *
 *	struct event_bus *event_bus_new(const struct conf *c,
 *					const struct fact_table *const *tables,
 *					struct buf *errors_r);
 *	void event_bus_free(struct event_bus **bp);
 *	int event_fire(struct event_bus *b, const char *name, const char *data,
 *		       struct facts *f, struct buf *result_r);
 *	void event_msg_end(struct event_bus *b, struct facts *f,
 *			   const struct verdict *v);
 *	void event_json(struct buf *out, const struct facts *f);
 *	void event_bus_stats(struct event_bus *b, struct event_stats *st);
 * DESCRIPTION
 *	One bus per config snapshot (the pipeline owns it): the compiled
 *	actions, a ring of at most events.queue_max jobs and one worker
 *	thread (started only when some action is asynchronous). Threads
 *	that fire events only expand templates and push a job: a dead or
 *	slow sink costs them nothing; when the ring is full the job is
 *	dropped and counted. The worker wakes at least once a minute to
 *	log the drops of the last minute.
 * DIAGNOSTICS
 *	See event.h.
 * STANDARDS
 *	Exim's event_action (spec chapter "Events").
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "event/event_int.h"
#include "metrics/metrics.h"
#include "pipeline/json.h"
#include "policy/verdict.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define EVENT_ARG_MAX		(1024 * 1024)	/* one expanded argument */
#define EVENT_DROP_LOG_MS	60000

struct event_bus {
    struct event_action *actions;
    size_t nactions;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct event_job **q;
    size_t cap, head, n;
    int stop;
    long long stop_at;
    int worker_started;
    pthread_t worker;
    struct event_stats st;
    unsigned long long unlogged;	/* drops not logged yet */
    long long last_drop_log;		/* ms; 0 = never */
};

/* event_now_ms - a monotonic clock in milliseconds */
static long long event_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* event_drop_report - log the drops once a minute at most (lock held) */
static void event_drop_report(struct event_bus *b, int force)
{
    long long now = event_now_ms();

    if (b->unlogged == 0
	|| (!force && b->last_drop_log && now - b->last_drop_log < EVENT_DROP_LOG_MS))
	return;
    msg_warn("events: %llu event(s) dropped: queue full (events.queue_max = %zu); "
	     "%llu dropped in all", b->unlogged, b->cap, b->st.dropped);
    b->unlogged = 0;
    b->last_drop_log = now;
}

/* event_worker - deliver queued jobs until stopped and drained */
static void *event_worker(void *arg)
{
    struct event_bus *b = arg;

    pthread_mutex_lock(&b->lock);
    for (;;) {
	struct event_job *j;
	int r;

	while (b->n == 0 && !b->stop) {
	    struct timespec ts;

	    clock_gettime(CLOCK_REALTIME, &ts);
	    ts.tv_sec += EVENT_DROP_LOG_MS / 1000;
	    pthread_cond_timedwait(&b->cond, &b->lock, &ts);
	    event_drop_report(b, 0);
	}
	if (b->n == 0)
	    break;
	if (b->stop && event_now_ms() >= b->stop_at) {
	    while (b->n > 0) {		/* out of time: drop the rest, counted */
		event_job_free(&b->q[b->head]);
		b->head = (b->head + 1) % b->cap;
		b->n--;
		b->st.dropped++;
		b->unlogged++;
		metrics_event_drop();
	    }
	    break;
	}
	j = b->q[b->head];
	b->q[b->head] = NULL;
	b->head = (b->head + 1) % b->cap;
	b->n--;
	metrics_event_queue((long) b->n);
	pthread_mutex_unlock(&b->lock);
	r = event_sink_run(j->a, j, NULL);
	event_job_free(&j);
	pthread_mutex_lock(&b->lock);
	if (r == 0)
	    b->st.done++;
	else
	    b->st.failed++;
	event_drop_report(b, 0);
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

/* event_bus_new - compile events.actions; NULL without actions or with errors */
struct event_bus *event_bus_new(const struct conf *c, const struct fact_table *const *tables,
				struct buf *errors_r)
{
    struct event_bus *b;
    struct event_action *actions;
    size_t n;
    int async = 0;

    if (event_actions_parse(c, tables, &actions, &n, errors_r) != 0 || n == 0)
	return NULL;
    b = xcalloc(1, sizeof(*b));
    b->actions = actions;
    b->nactions = n;
    b->cap = (size_t) conf_int(c, "events.queue_max");
    b->q = xcalloc(b->cap, sizeof(*b->q));
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
    for (size_t i = 0; i < n; i++)
	async |= !actions[i].sync;
    if (async) {
	if (pthread_create(&b->worker, NULL, event_worker, b) != 0)
	    msg_fatal("events: cannot start the worker thread");
	b->worker_started = 1;
    }
    return b;
}

/* event_bus_free - stop the worker (bounded drain), log the totals, free */
void event_bus_free(struct event_bus **bp)
{
    struct event_bus *b = *bp;

    if (b == NULL)
	return;
    *bp = NULL;
    pthread_mutex_lock(&b->lock);
    b->stop = 1;
    b->stop_at = event_now_ms() + EVENT_DRAIN_MS;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->lock);
    if (b->worker_started)
	pthread_join(b->worker, NULL);
    event_drop_report(b, 1);
    if (b->st.dropped || b->st.failed)
	msg_warn("events: totals: %llu queued, %llu delivered, %llu failed, %llu dropped",
		 b->st.queued, b->st.done, b->st.failed, b->st.dropped);
    event_actions_free(b->actions, b->nactions);
    free(b->q);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->cond);
    free(b);
}

/* event_bus_stats - the counters so far */
void event_bus_stats(struct event_bus *b, struct event_stats *st)
{
    pthread_mutex_lock(&b->lock);
    *st = b->st;
    pthread_mutex_unlock(&b->lock);
}

/* event_json_one - "name":"value" */
static void event_json_one(void *ctx, const char *name, const char *value)
{
    struct buf *out = ctx;

    if (out->len > 1)
	buf_putc(out, ',');
    pipeline_json_cstr(out, name);
    buf_putc(out, ':');
    pipeline_json_cstr(out, value);
}

/* event_json - every fact as one JSON object */
void event_json(struct buf *out, const struct facts *f)
{
    struct buf b = BUF_INIT;

    buf_putc(&b, '{');
    facts_each(f, event_json_one, &b);
    buf_putc(&b, '}');
    buf_append(out, b.data, b.len);
    buf_free(&b);
}

struct event_env_ctx {
    char **env;
    size_t n, cap;
};

/* event_env_one - "name=value" for exec's environment */
static void event_env_one(void *ctx, const char *name, const char *value)
{
    struct event_env_ctx *e = ctx;

    if (strcmp(name, "event_json") == 0)	/* it comes on standard input */
	return;
    if (e->n + 2 >= e->cap) {
	e->cap = e->cap ? 2 * e->cap : 32;
	e->env = xrealloc(e->env, e->cap * sizeof(char *));
    }
    e->env[e->n++] = xasprintf("%s=%s", name, value);
    e->env[e->n] = NULL;
}

/* event_job_new - the action expanded for this event */
static struct event_job *event_job_new(struct event_action *a, const char *name,
				       const struct facts *f, const char *json)
{
    struct event_job *j = xcalloc(1, sizeof(*j));

    j->a = a;
    j->name = xstrdup(name);
    j->argc = a->nargs;
    j->argv = xcalloc(a->nargs + 1, sizeof(char *));
    j->argvlen = xcalloc(a->nargs + 1, sizeof(size_t));
    for (size_t i = 0; i < a->nargs; i++) {
	struct buf b = BUF_INIT;

	expand_run(a->args[i], f, 0, EVENT_ARG_MAX, &b);
	j->argvlen[i] = b.len;
	j->argv[i] = b.data ? buf_steal(&b) : xstrdup("");
    }
    if (a->sink == EVENT_SINK_EXEC) {
	struct event_env_ctx e = {NULL, 0, 0};

	event_env_one(&e, "PATH", "/usr/local/bin:/usr/bin:/bin");
	facts_each(f, event_env_one, &e);
	j->env = e.env;
    }
    if (a->sink == EVENT_SINK_EXEC || a->sink == EVENT_SINK_LMDB)
	j->json = xstrdup(json ? json : "{}");
    return j;
}

/* event_enqueue - give a job to the worker, or drop it when the ring is full */
static void event_enqueue(struct event_bus *b, struct event_job *j)
{
    pthread_mutex_lock(&b->lock);
    if (b->n == b->cap || b->stop) {
	b->st.dropped++;
	b->unlogged++;
	metrics_event_drop();
	event_drop_report(b, 0);	/* the first drop at once, then once a minute */
	pthread_mutex_unlock(&b->lock);
	event_job_free(&j);
	return;
    }
    b->q[(b->head + b->n) % b->cap] = j;
    b->n++;
    metrics_event_queue((long) b->n);
    b->st.queued++;
    pthread_cond_signal(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

/* event_run_sync - a sync action now; 1 when it gave a (first) result */
static int event_run_sync(struct event_bus *b, struct event_job *j, struct buf *result_r,
			  int have_result)
{
    struct buf res = BUF_INIT;
    int r = event_sink_run(j->a, j, &res), got = 0;

    pthread_mutex_lock(&b->lock);
    if (r == 0)
	b->st.done++;
    else
	b->st.failed++;
    pthread_mutex_unlock(&b->lock);
    if (r == 0 && res.len > 0 && !have_result) {
	msg_info("event %s: %s: sync result: %.*s", j->name, j->a->where,
		 res.len > 200 ? 200 : (int) res.len, res.data);
	if (result_r)
	    buf_append(result_r, res.data, res.len);
	got = 1;
    }
    buf_free(&res);
    return got;
}

/* event_fire - run or queue every action that wants the event */
int event_fire(struct event_bus *b, const char *name, const char *data, struct facts *f,
	       struct buf *result_r)
{
    int any = 0, json = 0, got = 0;
    struct buf js = BUF_INIT;

    if (b == NULL)
	return 0;
    for (size_t i = 0; i < b->nactions; i++)
	if (event_action_matches(&b->actions[i], name)) {
	    any = 1;
	    json |= b->actions[i].wants_json;
	}
    if (!any)
	return 0;
    facts_set(f, FACT_MSG, "event_name", name);
    facts_set(f, FACT_MSG, "event_data", data ? data : "");
    if (json) {
	event_json(&js, f);
	facts_set(f, FACT_MSG, "event_json", buf_str(&js));
    }
    for (size_t i = 0; i < b->nactions; i++) {
	struct event_action *a = &b->actions[i];
	struct event_job *j;

	if (!event_action_matches(a, name))
	    continue;
	j = event_job_new(a, name, f, buf_str(&js));
	if (a->sync) {
	    got |= event_run_sync(b, j, result_r, got);
	    event_job_free(&j);
	} else
	    event_enqueue(b, j);
    }
    facts_set(f, FACT_MSG, "event_json", NULL);
    facts_set(f, FACT_MSG, "event_data", NULL);
    facts_set(f, FACT_MSG, "event_name", NULL);
    buf_free(&js);
    return got;
}

/* event_temperror_one - collect the facts whose value is temperror */
static void event_temperror_one(void *ctx, const char *name, const char *value)
{
    struct buf *b = ctx;

    if (strcmp(value, "temperror") != 0)
	return;
    if (b->len)
	buf_putc(b, ',');
    buf_puts(b, name);
}

/* event_msg_end - check failures, dns:fail, msg:ACTION, msg:complete */
void event_msg_end(struct event_bus *b, struct facts *f, const struct verdict *v)
{
    const char *action = verdict_action_name(v->action == VERDICT_CONTINUE ? VERDICT_ACCEPT
					     : v->action);
    struct buf reply = BUF_INIT;
    static const char *const fails[][3] = {	/* fact, event, event_data's fact */
	{"spf", "spf:fail", "spf_smtp_comment"},
	{"dcc", "dcc:fail", "dcc_result"},
	{"arc_state", "arc:fail", "arc_state_reason"},
	{"dmarc", "dmarc:fail", "dmarc_used_domain"},
    };
    struct buf tmp = BUF_INIT;
    char ev[64];

    if (b == NULL)
	return;
    for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
	const char *res = facts_get(f, fails[i][0]);

	if (res && strcmp(res, "fail") == 0) {
	    const char *d = facts_get(f, fails[i][2]);

	    buf_reset(&tmp);
	    buf_puts(&tmp, d ? d : "");		/* a copy: firing changes facts */
	    event_fire(b, fails[i][1], buf_str(&tmp), f, NULL);
	}
    }
    buf_reset(&tmp);
    facts_each(f, event_temperror_one, &tmp);
    if (tmp.len)
	event_fire(b, "dns:fail", buf_str(&tmp), f, NULL);
    if (v->rcode[0])
	buf_printf(&reply, "%s%s%s%s%s", v->rcode, v->xcode[0] ? " " : "", v->xcode,
		   v->text ? " " : "", v->text ? v->text : "");
    else if (v->action == VERDICT_QUARANTINE && v->quarantine_reason)
	buf_puts(&reply, v->quarantine_reason);
    snprintf(ev, sizeof(ev), "msg:%s", action);
    event_fire(b, ev, buf_str(&reply), f, NULL);
    event_fire(b, "msg:complete", action, f, NULL);
    buf_free(&reply);
    buf_free(&tmp);
}
