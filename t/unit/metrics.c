/*
 * t/unit/metrics.c - src/metrics: the registry (same metric for the same
 * name and labels, exact counts from several threads at once), the
 * Prometheus text (HELP/TYPE once per name, cumulative histogram
 * buckets), the results derived from facts at the end of a message, the
 * HTTP request parser and the listener address syntax.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "pipeline/check.h"
#include "t/tap.h"

#define THREADS	4
#define ADDS	100000

/* has_line - does text hold line as a whole line */
static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
	if ((p == text || p[-1] == '\n') && p[n] == '\n')
	    return 1;
    return 0;
}

/* count_str - occurrences of s in text */
static int count_str(const char *text, const char *s)
{
    int n = 0;

    for (const char *p = text; (p = strstr(p, s)) != NULL; p += strlen(s))
	n++;
    return n;
}

/* adder - a thread that looks its counter up and adds ADDS times */
static void *adder(void *arg)
{
    (void) arg;
    for (int i = 0; i < ADDS; i++)
	metric_add(metrics_get(METRIC_COUNTER, "t_threads_total", "", "h"), 1);
    return NULL;
}

static void test_registry(void)
{
    struct metric *a = metrics_get(METRIC_COUNTER, "t_total", "k=\"a\"", "a test counter");
    struct metric *b = metrics_get(METRIC_COUNTER, "t_total", "k=\"b\"", "ignored");
    pthread_t th[THREADS];

    ok(a == metrics_get(METRIC_COUNTER, "t_total", "k=\"a\"", NULL),
       "the same name and labels give the same metric");
    ok(a != b, "other labels give another metric");
    metric_add(a, 2);
    metric_add(a, 3);
    is_int(metric_value(a), 5, "a counter adds");
    is_int(metric_value(b), 0, "its sibling is untouched");
    for (int i = 0; i < THREADS; i++)
	pthread_create(&th[i], NULL, adder, NULL);
    for (int i = 0; i < THREADS; i++)
	pthread_join(th[i], NULL);
    is_int(metric_value(metrics_get(METRIC_COUNTER, "t_threads_total", "", NULL)),
	   THREADS * ADDS, "%d threads adding %d times at once lose nothing", THREADS, ADDS);
}

static double forty_two(void)
{
    return 42;
}

static void test_render(void)
{
    struct metric *g = metrics_get(METRIC_GAUGE, "t_gauge", "", "a gauge");
    struct metric *h = metrics_get(METRIC_HISTOGRAM, "t_seconds", "c=\"x\"", "a histogram");
    struct buf out = BUF_INIT;

    metric_set(g, 7);
    metric_add(g, -2);
    metric_observe_us(h, 50);		/* <= 0.0001 */
    metric_observe_us(h, 3000);		/* <= 0.005 */
    metric_observe_us(h, 9000000);	/* only +Inf */
    metrics_source(METRIC_COUNTER, "t_source_total", "", "a source", forty_two);
    metrics_render(&out);
    is_int(count_str(buf_str(&out), "# HELP t_total "), 1, "HELP once for a name with two label sets");
    ok(has_line(buf_str(&out), "# TYPE t_total counter"), "TYPE counter");
    ok(has_line(buf_str(&out), "t_total{k=\"a\"} 5") && has_line(buf_str(&out), "t_total{k=\"b\"} 0"),
       "both label sets are rendered");
    ok(has_line(buf_str(&out), "# TYPE t_gauge gauge") && has_line(buf_str(&out), "t_gauge 5"),
       "a gauge set to 7 then moved by -2 shows 5");
    ok(has_line(buf_str(&out), "t_seconds_bucket{c=\"x\",le=\"0.0001\"} 1"), "first bucket: 1");
    ok(has_line(buf_str(&out), "t_seconds_bucket{c=\"x\",le=\"0.005\"} 2"),
       "buckets are cumulative (2 at 5 ms)");
    ok(has_line(buf_str(&out), "t_seconds_bucket{c=\"x\",le=\"5\"} 2"), "2 at the last bound");
    ok(has_line(buf_str(&out), "t_seconds_bucket{c=\"x\",le=\"+Inf\"} 3"), "+Inf holds all 3");
    ok(has_line(buf_str(&out), "t_seconds_count{c=\"x\"} 3"), "count 3");
    ok(has_line(buf_str(&out), "t_seconds_sum{c=\"x\"} 9.003050"), "sum in seconds");
    ok(has_line(buf_str(&out), "t_source_total 42"), "a source is read at render time");
    buf_free(&out);
}

static const char *const t_words[] = {"pass", "fail", NULL};
static const struct fact_def t_defs[] = {
    {"tcheck", FACT_WORD, FACT_STAGE_DATA, t_words, "a test result"},
    {"tcheck_text", FACT_TEXT, FACT_STAGE_DATA, NULL, "not a result word"},
};
static const struct fact_table t_table = {"tcheck", t_defs, 2};

static void test_msg_end(void)
{
    const struct fact_table *tables[] = {&fact_table_core, &t_table, NULL};
    struct facts *f = facts_alloc();
    const char *pass = "mxguard_check_results_total", *lp = "check=\"tcheck\",result=\"pass\"";
    const char *lo = "check=\"tcheck\",result=\"other\"";

    facts_set(f, FACT_MSG, "tcheck", "pass");
    facts_set(f, FACT_MSG, "tcheck_text", "whatever");
    metrics_msg_end(tables, f, VERDICT_CONTINUE);
    metrics_msg_end(tables, f, VERDICT_REJECT);
    facts_set(f, FACT_MSG, "tcheck", "bogus");
    metrics_msg_end(tables, f, VERDICT_ACCEPT);
    is_int(metric_value(metrics_get(METRIC_COUNTER, "mxguard_messages_total",
				    "verdict=\"accept\"", NULL)), 2,
	   "CONTINUE at the end counts as accept");
    is_int(metric_value(metrics_get(METRIC_COUNTER, "mxguard_messages_total",
				    "verdict=\"reject\"", NULL)), 1, "one reject");
    is_int(metric_value(metrics_get(METRIC_COUNTER, pass, lp, NULL)), 2, "result word pass twice");
    is_int(metric_value(metrics_get(METRIC_COUNTER, pass, lo, NULL)), 1,
	   "an undeclared word counts as other, never as a new label");
    facts_free(&f);
}

static void test_parse(void)
{
    static const struct { const char *req; int status, head; const char *name; } t[] = {
	{"GET /metrics HTTP/1.0\r\n\r\n", 200, 0, "GET /metrics"},
	{"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", 200, 0, "HTTP/1.1 with headers"},
	{"GET /metrics?x=1 HTTP/1.0\n\n", 200, 0, "a query string, bare LF lines"},
	{"HEAD /metrics HTTP/1.0\r\n\r\n", 200, 1, "HEAD"},
	{"GET / HTTP/1.0\r\n\r\n", 404, 0, "another path"},
	{"GET /metricsx HTTP/1.0\r\n\r\n", 404, 0, "a longer path"},
	{"POST /metrics HTTP/1.0\r\n\r\n", 405, 0, "POST"},
	{"GET /metrics HTTP/2.0\r\n\r\n", 505, 0, "HTTP/2.0"},
	{"GET /metrics\r\n\r\n", 400, 0, "no version"},
	{"GET metrics HTTP/1.0\r\n\r\n", 400, 0, "a path without /"},
	{"GET /met\x01rics HTTP/1.0\r\n\r\n", 400, 0, "a control character"},
	{"GET /metrics HTTP/1.0\r\nHost: x\r\n", 0, 0, "headers not ended: more"},
	{"GET /metrics HTTP/1.0\r\n", 0, 0, "request line only: more"},
	{"", 0, 0, "nothing yet: more"},
    };
    char big[METRICS_HTTP_MAX];
    int head;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
	is_int(metrics_http_parse(t[i].req, strlen(t[i].req), &head), t[i].status,
	       "parse: %s", t[i].name);
	is_int(head, t[i].head, "parse: %s: head flag", t[i].name);
    }
    memset(big, 'a', sizeof(big));
    memcpy(big, "GET /metrics HTTP/1.0\r\nX: ", 26);
    is_int(metrics_http_parse(big, sizeof(big), &head), 413,
	   "a full buffer without the end of the headers is 413");
}

static void test_addr(void)
{
    static const struct { const char *spec; int r; } t[] = {
	{"127.0.0.1:9893", 0}, {"[::1]:9893", 0}, {"0.0.0.0:1", 0},
	{"localhost:9893", -1}, {"127.0.0.1", -1}, {"127.0.0.1:0", -1},
	{"127.0.0.1:65536", -1}, {"[::1]9893", -1}, {"127.0.0.1:9x", -1},
    };
    struct sockaddr_storage ss;
    socklen_t len;
    const char *why;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	is_int(metrics_http_addr(t[i].spec, &ss, &len, &why), t[i].r, "address \"%s\"", t[i].spec);
    why = NULL;
    metrics_http_start("test", "", &why);
    ok(why == NULL, "an empty metrics.listen starts nothing");
    is_int(metrics_http_start("test", "localhost:1", &why), -1, "a name is refused at start");
}

int main(void)
{
    test_registry();
    test_render();
    test_msg_end();
    test_parse();
    test_addr();
    return done_testing();
}
