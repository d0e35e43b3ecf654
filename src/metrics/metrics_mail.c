/*
 * NAME
 *	metrics_mail.c - mxguardd's figures (verdicts, check results and
 *	latency, milter connections) and those of both daemons (events, DNS,
 *	store, start time)
 * SYNOPSIS
 *	See metrics.h.
 * DESCRIPTION
 *	The hooks the pipeline and the milter front end call, each a one-line
 *	call there. Results are derived from the facts in one place
 *	(metrics_msg_end, at the end of each message) rather than counted by
 *	each check module, so a new module's result words are counted
 *	without code here. Names:
 *	  mxguard_messages_total{verdict}
 *	  mxguard_check_results_total{check,result}
 *	  mxguard_check_duration_seconds{check,stage}   (histogram; stage
 *	  helo, mail, rcpt, eoh or eom: the hook that ran)
 *	  mxguard_milter_connections (in flight), mxguard_milter_connections_total
 *	  mxguard_event_queue_depth, mxguard_event_drops_total
 *	  mxguard_dns_lookups_total, mxguard_dns_queries_total,
 *	  mxguard_dns_cache_hits_total, mxguard_dns_cache_hit_ratio,
 *	  mxguard_dns_errors_total, mxguard_dns_timeouts_total
 *	  mxguard_store_errors_total, mxguard_start_time_seconds
 * DIAGNOSTICS
 *	None.
 * STANDARDS
 *	None.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dns/dns.h"
#include "metrics/metrics.h"
#include "pipeline/check.h"
#include "store/store.h"

#define M_MSGS	"mxguard_messages_total"
#define M_RES	"mxguard_check_results_total"
#define M_DUR	"mxguard_check_duration_seconds"
#define M_CONN	"mxguard_milter_connections"

static pthread_once_t metrics_common_once = PTHREAD_ONCE_INIT;
static pthread_once_t metrics_mail_once = PTHREAD_ONCE_INIT;
static double metrics_start_time;

/* metrics_dns - the DNS counters (sources read at render time) */
static double metrics_dns_lookups(void)
{
    struct dns_stats s;
    dns_stats_get(&s);
    return (double) s.lookups;
}

/* metrics_dns_queries - queries sent to the network */
static double metrics_dns_queries(void)
{
    struct dns_stats s;
    dns_stats_get(&s);
    return (double) s.queries;
}

/* metrics_dns_hits - lookups answered by the cache */
static double metrics_dns_hits(void)
{
    struct dns_stats s;
    dns_stats_get(&s);
    return (double) s.cache_hits;
}

/* metrics_dns_ratio - cache hits / (hits + network queries), 0 before any */
static double metrics_dns_ratio(void)
{
    struct dns_stats s;
    dns_stats_get(&s);
    return s.cache_hits + s.queries ? (double) s.cache_hits / (double) (s.cache_hits + s.queries) : 0;
}

/* metrics_dns_errors - network answers that were temporary or permanent errors */
static double metrics_dns_errors(void)
{
    struct dns_stats s;
    dns_stats_get(&s);
    return (double) s.errors;
}

/* metrics_dns_timeouts - attempts without a reply in time */
static double metrics_dns_timeouts(void)
{
    struct dns_stats s;
    dns_stats_get(&s);
    return (double) s.timeouts;
}

/* metrics_store_errors - store failures of the process */
static double metrics_store_errors(void)
{
    return (double) store_error_count();
}

/* metrics_start - the process start time (Unix seconds) */
static double metrics_start(void)
{
    return metrics_start_time;
}

/* metrics_common_setup - what both daemons show: start time, DNS, store */
static void metrics_common_setup(void)
{
    metrics_start_time = (double) time(NULL);
    metrics_source(METRIC_GAUGE, "mxguard_start_time_seconds", "",
		   "start time of the process since the Unix epoch", metrics_start);
    metrics_source(METRIC_COUNTER, "mxguard_dns_lookups_total", "",
		   "DNS lookups (name and type) asked of the resolver", metrics_dns_lookups);
    metrics_source(METRIC_COUNTER, "mxguard_dns_queries_total", "",
		   "DNS queries sent to the name servers", metrics_dns_queries);
    metrics_source(METRIC_COUNTER, "mxguard_dns_cache_hits_total", "",
		   "DNS lookups answered from the cache", metrics_dns_hits);
    metrics_source(METRIC_GAUGE, "mxguard_dns_cache_hit_ratio", "",
		   "cache hits / (cache hits + queries sent)", metrics_dns_ratio);
    metrics_source(METRIC_COUNTER, "mxguard_dns_errors_total", "",
		   "DNS queries that ended in a temporary or permanent error", metrics_dns_errors);
    metrics_source(METRIC_COUNTER, "mxguard_dns_timeouts_total", "",
		   "DNS query attempts without an answer in time", metrics_dns_timeouts);
    metrics_source(METRIC_COUNTER, "mxguard_store_errors_total", "",
		   "failed store operations (LMDB, Redis)", metrics_store_errors);
}

/* metrics_common_init - register the metrics of both daemons (once) */
void metrics_common_init(void)
{
    pthread_once(&metrics_common_once, metrics_common_setup);
}

/* metrics_mail_setup - register mxguardd's fixed metrics, so they show as 0 */
static void metrics_mail_setup(void)
{
    static const char *const verdicts[] = {"accept", "reject", "tempfail", "discard", "quarantine"};
    char labels[64];

    metrics_common_init();
    for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
	snprintf(labels, sizeof(labels), "verdict=\"%s\"", verdicts[i]);
	metrics_get(METRIC_COUNTER, M_MSGS, labels, "messages by final verdict");
    }
    metrics_get(METRIC_GAUGE, M_CONN, "", "milter connections in flight");
    metrics_get(METRIC_COUNTER, M_CONN "_total", "", "milter connections opened");
    metrics_get(METRIC_GAUGE, "mxguard_event_queue_depth", "", "events waiting in the queue");
    metrics_get(METRIC_COUNTER, "mxguard_event_drops_total", "",
		"events dropped because the queue was full");
}

/* metrics_mail_init - register mxguardd's metrics (once; any thread) */
void metrics_mail_init(void)
{
    pthread_once(&metrics_mail_once, metrics_mail_setup);
}

/* metrics_word_known - is word one of def's declared words */
static int metrics_word_known(const struct fact_def *def, const char *word)
{
    for (const char *const *w = def->words; w && *w; w++)
	if (strcmp(*w, word) == 0)
	    return 1;
    return 0;
}

/* metrics_msg_end - count one message's verdict and its check results */
void metrics_msg_end(const struct fact_table *const *tables, const struct facts *f,
		     enum verdict_action action)
{
    char labels[160];

    metrics_mail_init();
    if (action == VERDICT_CONTINUE)
	action = VERDICT_ACCEPT;
    snprintf(labels, sizeof(labels), "verdict=\"%s\"", verdict_action_name(action));
    metric_add(metrics_get(METRIC_COUNTER, M_MSGS, labels, "messages by final verdict"), 1);
    for (; tables && *tables; tables++) {
	if (*tables == &fact_table_core)
	    continue;
	for (size_t i = 0; i < (*tables)->count; i++) {
	    const struct fact_def *def = &(*tables)->defs[i];
	    const char *val;

	    if (def->kind != FACT_WORD || (val = facts_get(f, def->name)) == NULL || *val == 0)
		continue;
	    snprintf(labels, sizeof(labels), "check=\"%.60s\",result=\"%.40s\"", def->name,
		     metrics_word_known(def, val) ? val : "other");
	    metric_add(metrics_get(METRIC_COUNTER, M_RES, labels,
				   "results by check (result fact) and result word"), 1);
	}
    }
}

/* metrics_hook_exists - does mod have a hook for this pipeline stage */
static int metrics_hook_exists(const struct check_module *mod, int stage)
{
    switch (stage) {
    case FACT_STAGE_HELO:
	return mod->on_helo != NULL;
    case FACT_STAGE_MAIL:
	return mod->on_mail != NULL;
    case FACT_STAGE_RCPT:
	return mod->on_rcpt != NULL;
    case -1:
	return mod->on_eoh != NULL;
    default:
	return mod->on_eom != NULL;
    }
}

/* metrics_check_time - one check hook's run time since t0_us */
void metrics_check_time(const struct check_module *mod, int stage, long long t0_us)
{
    char labels[128];

    if (!metrics_hook_exists(mod, stage))
	return;
    snprintf(labels, sizeof(labels), "check=\"%.60s\",stage=\"%s\"", mod->name,
	     stage == -1 ? "eoh" : stage == FACT_STAGE_HELO ? "helo"
	     : stage == FACT_STAGE_MAIL ? "mail" : stage == FACT_STAGE_RCPT ? "rcpt" : "eom");
    metric_observe_us(metrics_get(METRIC_HISTOGRAM, M_DUR, labels,
				  "run time of a check's hook per stage"),
		      metrics_clock_us() - t0_us);
}

/* metrics_milter_conn - a milter connection opened (+1) or closed (-1) */
void metrics_milter_conn(int delta)
{
    metrics_mail_init();
    metric_add(metrics_get(METRIC_GAUGE, M_CONN, "", "milter connections in flight"), delta);
    if (delta > 0)
	metric_add(metrics_get(METRIC_COUNTER, M_CONN "_total", "", "milter connections opened"),
		   delta);
}

/* metrics_event_queue - the event queue's depth now */
void metrics_event_queue(long depth)
{
    metric_set(metrics_get(METRIC_GAUGE, "mxguard_event_queue_depth", "",
			   "events waiting in the queue"), depth);
}

/* metrics_event_drop - one event dropped (queue full) */
void metrics_event_drop(void)
{
    metric_add(metrics_get(METRIC_COUNTER, "mxguard_event_drops_total", "",
			   "events dropped because the queue was full"), 1);
}
