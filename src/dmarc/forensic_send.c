/*
 * NAME
 *	forensic_send.c - the failure report sender: queue, destinations, rate limit
 * SYNOPSIS
 *	#include "dmarc/forensic.h"
 *
 *	struct dmarc_forensic *dmarc_forensic_new(const struct dmarc_forensic_conf *c);
 *	void dmarc_forensic_queue(struct dmarc_forensic *f, const struct dmarc_forensic_in *in,
 *				  unsigned failures, const char *ruf);
 *	void dmarc_forensic_flush(struct dmarc_forensic *f);
 *	void dmarc_forensic_counts(struct dmarc_forensic *f, struct dmarc_forensic_counts *r);
 *	void dmarc_forensic_free(struct dmarc_forensic **fp);
 * DESCRIPTION
 *	See forensic.h. The mail thread only formats and queues; the
 *	worker thread of a workq (util/workq.h) does the DNS lookup of the authorization record, the store
 *	I/O of the rate limit and runs the command. The rate limit counter
 *	is read then written (get, put with a two-hour expiry), not atomic:
 *	several mxguardd hosts on one Redis may together send a few more
 *	than the limit in one hour.
 * DIAGNOSTICS
 *	See forensic.h.
 * STANDARDS
 *	RFC 7489 7.1, 7.3.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dmarc/forensic.h"
#include "dmarc/report.h"
#include "store/store.h"
#include "util/msg.h"
#include "util/workq.h"
#include "util/xmalloc.h"

#define RUF_PREFIX	"dmarc:ruf:"
#define RUF_TTL		7200L

struct fr_job {
    char   *addr;
    unsigned long long max;	/* the URI's !size, 0: none */
    char   *policy_domain;
    char   *msg;
    size_t  len;
};

struct dmarc_forensic {
    char   *cmd;		/* sendmail -f SENDER */
    long    rate_limit;
    struct store *store;
    struct dns_resolver *resolver;
    const struct dmarc_psl *psl;
    struct workq *q;
    struct dmarc_forensic_counts n;
};

/* fr_count - count an outcome; with why, log it (the first, then every 100th) */
static void fr_count(unsigned long long *counter, const char *addr, const char *why)
{
    unsigned long long v = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);

    if (why && (v == 1 || v % 100 == 0))
	msg_warn("dmarc: failure report to %s not sent: %s (%llu so far)", addr, why, v);
}

/* fr_shell_quote - s in single quotes for /bin/sh */
static void fr_shell_quote(struct buf *b, const char *s)
{
    buf_putc(b, '\'');
    for (; *s; s++) {
	if (*s == '\'')
	    buf_puts(b, "'\\''");
	else
	    buf_putc(b, *s);
    }
    buf_putc(b, '\'');
}

/* fr_rate_ok - count one report for addr this hour; 1 within the limit, 0 over, -1 store failure */
static int fr_rate_ok(struct dmarc_forensic *f, const char *addr, const char **why_r)
{
    struct buf v = BUF_INIT;
    char    hour[32], num[32];
    time_t  now = time(NULL);
    struct tm tm;
    char   *key;
    long    n = 0;
    int     st, rc;

    gmtime_r(&now, &tm);
    strftime(hour, sizeof(hour), "%Y%m%d%H", &tm);
    key = xasprintf("%s%s:%s", RUF_PREFIX, hour, addr);
    st = store_get(f->store, key, &v);
    if (st == 1)
	n = atol(buf_str(&v));
    if (st < 0) {
	*why_r = store_error(f->store);
	rc = -1;
    } else if (n >= f->rate_limit) {
	rc = 0;
    } else {
	snprintf(num, sizeof(num), "%ld", n + 1);
	rc = store_put(f->store, key, num, strlen(num), RUF_TTL) == 0 ? 1 : -1;
	if (rc < 0)
	    *why_r = store_error(f->store);
    }
    buf_free(&v);
    free(key);
    return rc;
}

/* fr_send - one job: authorization, size, rate limit, the command (worker thread) */
static void fr_send(void *ctx, void *item)
{
    struct dmarc_forensic *f = ctx;
    const struct fr_job *j = item;
    const char *why = NULL;
    char   *why2 = NULL;
    struct buf msg = {j->msg, j->len, j->len + 1};
    int     a;

    if ((a = dmarc_report_authorized(f->resolver, f->psl, j->policy_domain, j->addr, &why))
	!= 1)
	fr_count(a < 0 ? &f->n.failed : &f->n.refused, j->addr, why);
    else if (j->max && j->len > j->max)
	fr_count(&f->n.refused, j->addr, "over the ruf URI's !size limit");
    else if (f->store == NULL)
	fr_count(&f->n.failed, j->addr, "no store for the rate limit");
    else if ((a = fr_rate_ok(f, j->addr, &why)) == 0)
	fr_count(&f->n.limited, j->addr, "over dmarc.forensic.rate_limit this hour");
    else if (a < 0)
	fr_count(&f->n.failed, j->addr, why ? why : "the rate limit's store failed");
    else if (dmarc_report_pipe(f->cmd, &msg, &why2) != 0)
	fr_count(&f->n.failed, j->addr, why2);
    else {
	fr_count(&f->n.sent, j->addr, NULL);
	msg_info("dmarc: failure report for %s sent to %s", j->policy_domain, j->addr);
    }
    free(why2);
}

/* fr_job_free - free a job */
static void fr_job_free(void *item)
{
    struct fr_job *j = item;

    free(j->addr);
    free(j->policy_domain);
    free(j->msg);
    free(j);
}

/* dmarc_forensic_new - start the sender */
struct dmarc_forensic *dmarc_forensic_new(const struct dmarc_forensic_conf *c)
{
    struct dmarc_forensic *f = xcalloc(1, sizeof(*f));
    struct buf cmd = BUF_INIT;

    buf_printf(&cmd, "%s -f ", c->sendmail);
    fr_shell_quote(&cmd, c->sender && *c->sender ? c->sender : "<>");
    f->cmd = buf_steal(&cmd);
    f->rate_limit = c->rate_limit;
    f->store = c->store;
    f->resolver = c->resolver;
    f->psl = c->psl;
    f->q = workq_new("dmarc: failure reports", DMARC_FORENSIC_QUEUE, fr_send, fr_job_free, f);
    return f;
}

/* dmarc_forensic_queue - one report per mailto: URI of ruf; never waits for I/O */
void dmarc_forensic_queue(struct dmarc_forensic *f, const struct dmarc_forensic_in *in,
			  unsigned failures, const char *ruf)
{
    if (f == NULL || failures == 0 || ruf == NULL)
	return;
    for (const char *u = ruf; *u;) {
	size_t  ul = strcspn(u, ",");
	char   *addr = NULL;
	unsigned long long max = 0;

	if (dmarc_report_uri(u, ul, &addr, &max) == 0) {
	    struct fr_job *j = xcalloc(1, sizeof(*j));
	    struct buf b = BUF_INIT;

	    dmarc_forensic_build(in, failures, addr, &b);
	    j->len = b.len;
	    j->msg = buf_steal(&b);
	    j->addr = addr;
	    j->max = max;
	    j->policy_domain = xstrdup(in->policy_domain);
	    if (workq_push(f->q, j) != 0) {
		fr_count(&f->n.dropped, j->addr, "the queue is full");
		fr_job_free(j);
	    }
	} else {
	    char   *bad = xstrndup(u, ul);

	    fr_count(&f->n.refused, bad, "the ruf URI is not a mailto: address");
	    free(bad);
	}
	u += ul + (u[ul] == ',');
    }
}

/* dmarc_forensic_flush - wait until every queued report was handled */
void dmarc_forensic_flush(struct dmarc_forensic *f)
{
    if (f)
	workq_flush(f->q);
}

/* dmarc_forensic_counts - the outcomes so far */
void dmarc_forensic_counts(struct dmarc_forensic *f, struct dmarc_forensic_counts *r)
{
    memset(r, 0, sizeof(*r));
    if (f == NULL)
	return;
    r->sent = __atomic_load_n(&f->n.sent, __ATOMIC_RELAXED);
    r->failed = __atomic_load_n(&f->n.failed, __ATOMIC_RELAXED);
    r->dropped = __atomic_load_n(&f->n.dropped, __ATOMIC_RELAXED);
    r->limited = __atomic_load_n(&f->n.limited, __ATOMIC_RELAXED);
    r->refused = __atomic_load_n(&f->n.refused, __ATOMIC_RELAXED);
}

/* dmarc_forensic_free - drain, stop the thread, free */
void dmarc_forensic_free(struct dmarc_forensic **fp)
{
    struct dmarc_forensic *f = *fp;

    if (f == NULL)
	return;
    workq_free(&f->q);
    if (f->n.failed || f->n.dropped || f->n.limited || f->n.refused)
	msg_warn("dmarc: failure reports: %llu sent, %llu failed, %llu dropped, "
		 "%llu over the rate limit, %llu refused", f->n.sent, f->n.failed,
		 f->n.dropped, f->n.limited, f->n.refused);
    free(f->cmd);
    free(f);
    *fp = NULL;
}
