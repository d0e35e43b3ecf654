/*
 * NAME
 *	metrics.c - the lock-free registry and the Prometheus text rendering
 * SYNOPSIS
 *	See metrics.h.
 * DESCRIPTION
 *	slots[] is an open-addressing hash table of METRICS_SLOTS pointers
 *	(twice METRICS_MAX, so probes stay short). A reader hashes
 *	(name, labels), walks the probe sequence with acquire loads and
 *	stops at the first NULL: a slot, once set, never changes, so a
 *	reader that finds the metric needs no lock. A writer takes the
 *	mutex, probes again (another thread may have created it meanwhile),
 *	fills a new metric and publishes it with a release store; order[]
 *	keeps the creation order for rendering, its length published last.
 *	Metrics live until the process ends.
 * DIAGNOSTICS
 *	See metrics.h.
 * STANDARDS
 *	Prometheus text exposition format 0.0.4.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics/metrics.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define METRICS_SLOTS	(2 * METRICS_MAX)

const long long METRICS_BUCKETS_US[METRICS_NBUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
    250000, 500000, 1000000, 5000000,
};

struct metric {
    enum metric_kind kind;
    char *name;
    char *labels;
    char *help;
    double (*fn)(void);		/* a source: read at render time */
    long long value;		/* counter, gauge; histogram: count */
    long long sum_us;		/* histogram */
    long long buckets[METRICS_NBUCKETS];	/* histogram, not cumulative */
};

static struct metric *slots[METRICS_SLOTS];
static struct metric *order[METRICS_MAX];
static size_t norder;
static pthread_mutex_t metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metric overflow = { .kind = METRIC_COUNTER, .name = (char *) "overflow" };

/* metrics_hash - FNV-1a of name, a separator and labels */
static size_t metrics_hash(const char *name, const char *labels)
{
    unsigned long long h = 1469598103934665603ULL;

    for (const char *p = name; *p; p++)
	h = (h ^ (unsigned char) *p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = labels; *p; p++)
	h = (h ^ (unsigned char) *p) * 1099511628211ULL;
    return (size_t) (h % METRICS_SLOTS);
}

/* metrics_probe - the metric or NULL; *slot_r the slot where it is or would go */
static struct metric *metrics_probe(const char *name, const char *labels, size_t *slot_r)
{
    size_t i = metrics_hash(name, labels);

    for (size_t n = 0; n < METRICS_SLOTS; n++, i = (i + 1) % METRICS_SLOTS) {
	struct metric *m = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);

	if (m == NULL) {
	    *slot_r = i;
	    return NULL;
	}
	if (strcmp(m->name, name) == 0 && strcmp(m->labels, labels) == 0)
	    return m;
    }
    *slot_r = METRICS_SLOTS;
    return NULL;
}

/* metrics_create - find or create (name, labels) under the lock */
static struct metric *metrics_create(enum metric_kind kind, const char *name,
				     const char *labels, const char *help, double (*fn)(void))
{
    static int warned;
    struct metric *m;
    size_t slot;

    pthread_mutex_lock(&metrics_lock);
    if ((m = metrics_probe(name, labels, &slot)) == NULL) {
	if (norder >= METRICS_MAX || slot >= METRICS_SLOTS) {
	    if (!warned++)
		msg_warn("metrics: more than %d metrics: %s{%s} and later ones are not kept",
			 METRICS_MAX, name, labels);
	    pthread_mutex_unlock(&metrics_lock);
	    return &overflow;
	}
	m = xcalloc(1, sizeof(*m));
	m->kind = kind;
	m->name = xstrdup(name);
	m->labels = xstrdup(labels);
	m->help = xstrdup(help ? help : "");
	m->fn = fn;
	order[norder] = m;
	__atomic_store_n(&norder, norder + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&slots[slot], m, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&metrics_lock);
    return m;
}

/* metrics_get - the metric (name, labels), created on first use */
struct metric *metrics_get(enum metric_kind kind, const char *name, const char *labels,
			   const char *help)
{
    struct metric *m;
    size_t slot;

    if (labels == NULL)
	labels = "";
    if ((m = metrics_probe(name, labels, &slot)) != NULL)
	return m;
    return metrics_create(kind, name, labels, help, NULL);
}

/* metrics_source - a metric whose value fn() gives at render time */
void metrics_source(enum metric_kind kind, const char *name, const char *labels,
		    const char *help, double (*fn)(void))
{
    (void) metrics_create(kind, name, labels ? labels : "", help, fn);
}

/* metric_add - add n to a counter or gauge */
void metric_add(struct metric *m, long long n)
{
    __atomic_fetch_add(&m->value, n, __ATOMIC_RELAXED);
}

/* metric_set - set a gauge */
void metric_set(struct metric *m, long long v)
{
    __atomic_store_n(&m->value, v, __ATOMIC_RELAXED);
}

/* metric_observe_us - one observation of us microseconds */
void metric_observe_us(struct metric *m, long long us)
{
    size_t b = 0;

    if (us < 0)
	us = 0;
    while (b < METRICS_NBUCKETS && us > METRICS_BUCKETS_US[b])
	b++;
    if (b < METRICS_NBUCKETS)
	__atomic_fetch_add(&m->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->sum_us, us, __ATOMIC_RELAXED);
    __atomic_fetch_add(&m->value, 1, __ATOMIC_RELAXED);
}

/* metric_value - a counter's or gauge's value, a histogram's count */
long long metric_value(const struct metric *m)
{
    return __atomic_load_n(&m->value, __ATOMIC_RELAXED);
}

/* metrics_clock_us - a monotonic clock in microseconds */
long long metrics_clock_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* metrics_sample - one line NAME{LABELS[,extra]} VALUE */
static void metrics_sample(struct buf *out, const char *name, const char *suffix,
			   const char *labels, const char *extra, const char *value)
{
    buf_printf(out, "%s%s", name, suffix);
    if (*labels || *extra)
	buf_printf(out, "{%s%s%s}", labels, *labels && *extra ? "," : "", extra);
    buf_printf(out, " %s\n", value);
}

/* metrics_render_one - the samples of one metric */
static void metrics_render_one(struct buf *out, const struct metric *m)
{
    char v[64], le[48];
    long long cum = 0;

    if (m->fn) {
	snprintf(v, sizeof(v), "%.17g", m->fn());
	metrics_sample(out, m->name, "", m->labels, "", v);
	return;
    }
    if (m->kind != METRIC_HISTOGRAM) {
	snprintf(v, sizeof(v), "%lld", metric_value(m));
	metrics_sample(out, m->name, "", m->labels, "", v);
	return;
    }
    for (size_t b = 0; b < METRICS_NBUCKETS; b++) {
	cum += __atomic_load_n(&m->buckets[b], __ATOMIC_RELAXED);
	snprintf(le, sizeof(le), "le=\"%g\"", (double) METRICS_BUCKETS_US[b] / 1e6);
	snprintf(v, sizeof(v), "%lld", cum);
	metrics_sample(out, m->name, "_bucket", m->labels, le, v);
    }
    snprintf(v, sizeof(v), "%lld", metric_value(m));
    metrics_sample(out, m->name, "_bucket", m->labels, "le=\"+Inf\"", v);
    snprintf(v, sizeof(v), "%.6f", (double) __atomic_load_n(&m->sum_us, __ATOMIC_RELAXED) / 1e6);
    metrics_sample(out, m->name, "_sum", m->labels, "", v);
    snprintf(v, sizeof(v), "%lld", metric_value(m));
    metrics_sample(out, m->name, "_count", m->labels, "", v);
}

/* metrics_render - every metric in the Prometheus text format */
void metrics_render(struct buf *out)
{
    static const char *const types[] = {"counter", "gauge", "histogram"};
    size_t n = __atomic_load_n(&norder, __ATOMIC_ACQUIRE);

    for (size_t i = 0; i < n; i++) {
	int first = 1;

	for (size_t j = 0; j < i && first; j++)
	    if (strcmp(order[j]->name, order[i]->name) == 0)
		first = 0;
	if (!first)
	    continue;			/* rendered with its name's first metric */
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", order[i]->name, order[i]->help,
		   order[i]->name, types[order[i]->kind]);
	for (size_t j = i; j < n; j++)
	    if (strcmp(order[j]->name, order[i]->name) == 0)
		metrics_render_one(out, order[j]);
    }
}
