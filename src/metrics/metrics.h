/*
 * NAME
 *	metrics - counters, gauges and histograms of both daemons, Prometheus text
 * SYNOPSIS
 *	#include "metrics/metrics.h"
 *
 *	struct metric *metrics_get(enum metric_kind kind, const char *name,
 *				   const char *labels, const char *help);
 *	void metric_add(struct metric *m, long long n);
 *	void metric_set(struct metric *m, long long v);
 *	void metric_observe_us(struct metric *m, long long us);
 *	long long metric_value(const struct metric *m);
 *	void metrics_source(enum metric_kind kind, const char *name, const char *labels,
 *			    const char *help, double (*fn)(void));
 *	void metrics_render(struct buf *out);
 *	long long metrics_clock_us(void);
 *
 *	(both daemons, and mxguardd's hooks, metrics_mail.c)
 *	void metrics_common_init(void);
 *	void metrics_mail_init(void);
 *	void metrics_msg_end(const struct fact_table *const *tables,
 *			     const struct facts *f, enum verdict_action action);
 *	void metrics_check_time(const struct check_module *mod, int stage, long long t0_us);
 *	void metrics_milter_conn(int delta);
 *	void metrics_event_queue(long depth);
 *	void metrics_event_drop(void);
 *
 *	(mxguard-outbound's hooks, metrics_outbound.c)
 *	void metrics_outbound_init(void);
 *	void metrics_outbound_delivery(const char *status, const char *tls_cv, int reused,
 *			       const char *pipe_marker);
 *
 *	(the HTTP listener, metrics_http.c)
 *	int metrics_http_start(const char *prog, const char *listen, const char **why_r);
 *	int metrics_http_start_conf(const char *prog, const struct conf *c,
 *				    void (*init)(void));
 *	void metrics_http_stop(void);
 *	int metrics_http_parse(const char *req, size_t len, int *head_r);
 *	int metrics_http_addr(const char *spec, struct sockaddr_storage *ss,
 *			      socklen_t *len_r, const char **why_r);
 * DESCRIPTION
 *	One process-wide registry. A metric is a (name, labels) pair, e.g.
 *	("mxguard_messages_total", "verdict=\"accept\""); metrics_get()
 *	returns the same struct metric for the same pair every time, creating
 *	it on first use. Lookups take no lock: the registry is an
 *	open-addressing table whose slots are published with release stores
 *	and never change afterwards; only the creation of a new metric takes
 *	a mutex. Updates are relaxed atomic adds, so a hot path (a milter
 *	thread per SMTP connection) never waits for another. labels is the
 *	text between the braces, already quoted (values are the caller's
 *	fixed words or words from a fact table, never client input).
 *
 *	Counters only grow; gauges are set or moved by delta; histograms
 *	count observations (microseconds) into the fixed buckets
 *	METRICS_BUCKETS_US and keep their sum and count. metrics_source()
 *	registers a value read at render time (DNS and store counters kept
 *	by those modules, the process start time).
 *
 *	metrics_render() writes the Prometheus text exposition format 0.0.4:
 *	per name one "# HELP" and "# TYPE" line, then its samples; names in
 *	order of first registration. Histograms as NAME_bucket{le=...},
 *	NAME_sum (seconds) and NAME_count.
 *
 *	metrics_mail.c derives mxguardd's figures in one place:
 *	metrics_msg_end() (called once per message, from the summary line)
 *	counts the verdict and, for every result word fact (FACT_WORD of the
 *	check modules' tables: spf, spf_helo, spf_guess, dkim, arc_state,
 *	dmarc_status, dcc, ...) set for the message, one result; a word the
 *	table does not declare counts as "other". metrics_check_time() puts
 *	a check hook's run time into a histogram per (check, stage).
 *
 *	metrics_outbound.c counts mxguard-outbound's deliveries, one per
 *	recipient from its delivery log line: by status (sent, deferred,
 *	bounced), by TLS level reached (dane, verified, encrypted, none),
 *	over a reused cached connection, and by pipe-connect (the log's
 *	markers: "L*" used, "L." advertised by the cache but not used).
 *
 *	metrics_http_start_conf() calls the program's init (registering its
 *	metrics at 0) when metrics.listen is set; metrics_http_start()
 *	registers what both daemons show (start time, DNS, store).
 *
 *	metrics_http.c is the optional listener (metrics.listen): one thread,
 *	HTTP/1.0, GET or HEAD of /metrics only, one client at a time, a
 *	request of at most METRICS_HTTP_MAX bytes read within
 *	METRICS_HTTP_TIMEOUT_MS, then the answer and close.
 *	metrics_http_parse() is its request parser (pure, fuzzed).
 * DIAGNOSTICS
 *	metrics_get: never NULL; past METRICS_MAX metrics it returns a shared
 *	overflow metric (rendered nowhere) and logs that once.
 *	metrics_http_start: 0 listening (or listen empty: off), -1 with
 *	*why_r (static text) when the address is bad or cannot be bound.
 *	metrics_http_start_conf: 0, or exits through msg_fatal.
 *	metrics_http_addr (also for clients: mxguard status): 0, or -1 with
 *	*why_r when spec is not "IP:PORT" or "[IPv6]:PORT".
 *	metrics_http_parse: 0 when more bytes are needed, else the HTTP
 *	status of the answer: 200, 400, 404, 405, 413 (request too long),
 *	505; *head_r is 1 for HEAD.
 * STANDARDS
 *	Prometheus text exposition format 0.0.4; RFC 1945 (HTTP/1.0).
 */
#ifndef MXG_METRICS_METRICS_H
#define MXG_METRICS_METRICS_H
#include <stddef.h>
#include <sys/socket.h>

#include "policy/facts.h"
#include "policy/verdict.h"
#include "util/buf.h"

#define METRICS_MAX		1024
#define METRICS_HTTP_MAX	4096
#define METRICS_HTTP_TIMEOUT_MS	2000
#define METRICS_NBUCKETS	14
extern const long long METRICS_BUCKETS_US[METRICS_NBUCKETS];

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

struct metric;
struct conf;
struct check_module;

struct metric *metrics_get(enum metric_kind kind, const char *name, const char *labels,
			   const char *help);
void metric_add(struct metric *m, long long n);
void metric_set(struct metric *m, long long v);
void metric_observe_us(struct metric *m, long long us);
long long metric_value(const struct metric *m);
void metrics_source(enum metric_kind kind, const char *name, const char *labels,
		    const char *help, double (*fn)(void));
void metrics_render(struct buf *out);
long long metrics_clock_us(void);

void metrics_common_init(void);
void metrics_mail_init(void);
void metrics_msg_end(const struct fact_table *const *tables, const struct facts *f,
		     enum verdict_action action);
void metrics_check_time(const struct check_module *mod, int stage, long long t0_us);
void metrics_milter_conn(int delta);
void metrics_event_queue(long depth);
void metrics_event_drop(void);

void metrics_outbound_init(void);
void metrics_outbound_delivery(const char *status, const char *tls_cv, int reused,
			       const char *pipe_marker);

int metrics_http_start(const char *prog, const char *listen, const char **why_r);
int metrics_http_start_conf(const char *prog, const struct conf *c, void (*init)(void));
void metrics_http_stop(void);
int metrics_http_parse(const char *req, size_t len, int *head_r);
int metrics_http_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len_r,
		      const char **why_r);

#endif
