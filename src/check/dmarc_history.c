/*
 * NAME
 *	dmarc_history - DMARC history records for aggregate reports
 * SYNOPSIS
 *	#include "check/dmarc_int.h"
 *
 *	struct dmarc_history *dmarc_history_new(struct store *store, const char *file);
 *	void dmarc_history_free(struct dmarc_history **hp);
 *	void dmarc_history_add(struct dmarc_history *h, const struct dmarc_hist_rec *r);
 *	void dmarc_history_counts(struct dmarc_history *h, unsigned long long *written_r,
 *				  unsigned long long *failed_r, unsigned long long *dropped_r);
 *	void dmarc_history_flush(struct dmarc_history *h);
 *	void dmarc_history_line(const struct dmarc_hist_rec *r, struct buf *out);
 *	void dmarc_history_opendmarc(const struct dmarc_hist_rec *r, struct buf *out);
 * DESCRIPTION
 *	Every evaluated message with a DMARC record leaves one record: a
 *	line appended to the store value DMARC_HIST_PREFIX "DAY:DOMAIN"
 *	(DAY is the UTC date YYYY-MM-DD, DOMAIN the policy domain), the
 *	input of `mxguard dmarc-report`; and, when dmarc.history_file is
 *	set, a block in OpenDMARC's history file format (job, reporter,
 *	received, ipaddr, from, mfrom, spf, dkim, pdomain, policy, rua, pct,
 *	adkim, aspf, p, sp, align_dkim, align_spf, arc, arc_policy, action),
 *	so that opendmarc-import keeps working.
 *
 *	Appends never block mail: dmarc_history_add formats the record and
 *	queues it (bounded, DMARC_HIST_QUEUE records); one writer thread
 *	per config snapshot (a workq, util/workq.h) does the store and
 *	file I/O. A full queue drops
 *	the record, a failed write loses it; both are counted and logged
 *	(the first time, then every 1000th). dmarc_history_free drains the
 *	queue and stops the thread. Several mxguardd hosts may append to
 *	one Redis: APPEND is atomic, each record is one line.
 *
 *	The writer commits in groups (workq_batch): it collects records for
 *	up to DMARC_HIST_LINGER_MS (or DMARC_HIST_BATCH records), then
 *	appends the lines of each key with one store_append (one LMDB
 *	transaction and fsync instead of one per message: that was about
 *	half of mxguardd's CPU per message in `make bench`) and writes the
 *	file blocks with one write(). Records wait that much longer in
 *	memory, as they already waited in the queue.
 *
 *	The store line (version 2) has tab-separated fields: "2", time,
 *	client IP, From domain, MAIL FROM domain, policy domain, p, sp,
 *	adkim, aspf, pct, applied disposition, DMARC result, DKIM aligned
 *	(pass/fail), SPF aligned (pass/fail), SPF result, SPF domain, DKIM
 *	results ("d:s:result" comma separated, "-" for none), override
 *	reason ("-"), rua ("-"), queue id ("-"), then (what RFC 9990
 *	reports add) np ("-"), t= (y/n), fo ("-"), discovery method
 *	(psl/treewalk) and the policy that applied to the From domain
 *	(p=, sp= or np=; "-" for none). Version 1 lines (the first 21
 *	fields) are still read by dmarc-report. Tabs and newlines in
 *	values become spaces.
 * DIAGNOSTICS
 *	None: failures are counted and logged.
 * STANDARDS
 *	RFC 7489 7.2 (what an aggregate report needs).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check/dmarc_int.h"
#include "store/store.h"
#include "util/msg.h"
#include "util/workq.h"
#include "util/xmalloc.h"

#define DMARC_HIST_QUEUE	10000
#define DMARC_HIST_LINGER_MS	250	/* a batch collects records this long */
#define DMARC_HIST_BATCH	256	/* or until this many are queued */

struct hist_item {
    char   *key;		/* store key, or NULL */
    char   *line;
    char   *block;		/* history file text, or NULL */
};

struct dmarc_history {
    struct store *store;
    char   *file;
    struct workq *q;
    unsigned long long written, failed, dropped;
};

/* hist_put - append a value with tabs and newlines as spaces, "-" when empty */
static void hist_put(struct buf *out, const char *s)
{
    if (s == NULL || *s == 0) {
	buf_putc(out, '-');
	return;
    }
    for (; *s; s++)
	buf_putc(out, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* policy_char - a policy as one letter, "-" when unspecified */
static const char *policy_letter(int p)
{
    return p == 'n' ? "none" : p == 'q' ? "quarantine" : p == 'r' ? "reject" : "-";
}

/* dmarc_history_line - the store line of a record */
void dmarc_history_line(const struct dmarc_hist_rec *r, struct buf *out)
{
    const char *f[] = {r->ip, r->from, r->mfrom, r->pdomain};

    buf_printf(out, "2\t%lld", (long long) r->when);
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
	buf_putc(out, '\t');
	hist_put(out, f[i]);
    }
    buf_printf(out, "\t%s\t%s\t%c\t%c\t%d\t%s\t%s\t%s\t%s\t", policy_letter(r->p),
	       policy_letter(r->sp), r->adkim ? r->adkim : 'r', r->aspf ? r->aspf : 'r',
	       r->pct, policy_letter(r->disposition), r->result,
	       r->dkim_aligned ? "pass" : "fail", r->spf_aligned ? "pass" : "fail");
    hist_put(out, r->spf_result);
    buf_putc(out, '\t');
    hist_put(out, r->spf_domain);
    buf_putc(out, '\t');
    hist_put(out, r->dkim);
    buf_putc(out, '\t');
    hist_put(out, r->reason);
    buf_putc(out, '\t');
    hist_put(out, r->rua);
    buf_putc(out, '\t');
    hist_put(out, r->queue_id);
    buf_printf(out, "\t%s\t%c\t", policy_letter(r->np), r->testing ? 'y' : 'n');
    hist_put(out, r->fo);
    buf_printf(out, "\t%s\t%s\n", r->treewalk ? "treewalk" : "psl",
	       policy_letter(r->domain_policy));
}

/* ares_code - OpenDMARC's (ARES_RESULT_*) number for a result word */
static int ares_code(const char *w)
{
    static const char *const words[] = {"pass", "", "softfail", "neutral", "temperror",
	"permerror", "none", "fail", "policy"};

    for (int i = 0; w && i < (int) (sizeof(words) / sizeof(words[0])); i++)
	if (*words[i] && strcmp(w, words[i]) == 0)
	    return i;
    return -1;
}

/* dmarc_history_opendmarc - the record in OpenDMARC's history file format */
void dmarc_history_opendmarc(const struct dmarc_hist_rec *r, struct buf *out)
{
    /* DMARC_POLICY_* of libopendmarc; DMARC_RESULT_* of opendmarc(8) */
    int     policy = r->disposition == 0 ? 14 : strcmp(r->result, "pass") == 0 ? 15
	: r->disposition == 'r' ? 16 : r->disposition == 'q' ? 17 : 18;
    int     action = r->disposition == 'r' ? 0 : r->disposition == 'q' ? 4 : 2;
    const char *d = r->dkim;

    buf_printf(out, "job %s\nreporter %s\nreceived %lld\nipaddr %s\nfrom %s\nmfrom %s\n",
	       r->queue_id && *r->queue_id ? r->queue_id : "-", r->reporter,
	       (long long) r->when, r->ip && *r->ip ? r->ip : "-", r->from,
	       r->mfrom && *r->mfrom ? r->mfrom : "-");
    if (r->spf_result)
	buf_printf(out, "spf %d\n", ares_code(r->spf_result));
    while (d && *d) {			/* "d:s:result,..." -> "dkim d s code" */
	size_t  len = strcspn(d, ",");
	char   *tok = xstrndup(d, len), *c1 = strchr(tok, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

	if (c1 && c2) {
	    *c1 = *c2 = 0;
	    buf_printf(out, "dkim %s %s %d\n", tok, c1 + 1, ares_code(c2 + 1));
	}
	free(tok);
	d += len + (d[len] == ',');
    }
    buf_printf(out, "pdomain %s\npolicy %d\nrua %s\npct %d\nadkim %d\naspf %d\np %d\nsp %d\n"
	       "align_dkim %d\nalign_spf %d\narc %d\narc_policy %d json:[]\naction %d\n",
	       r->pdomain, policy, r->rua && *r->rua ? r->rua : "-", r->pct, r->adkim,
	       r->aspf, r->p, r->sp, r->dkim_aligned ? 4 : 5, r->spf_aligned ? 4 : 5,
	       r->arc_pass ? 0 : 7, r->arc_pass ? 0 : 2, action);
}

/* hist_count_failure - count n failures and log (the first, then every 1000th) */
static void hist_count_failure(unsigned long long *counter, unsigned long long n,
			       const char *what, const char *why)
{
    unsigned long long was = __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);

    if (was == 0 || was / 1000 != (was + n) / 1000)
	msg_warn("dmarc: history: %s: %s (%llu so far)", what, why, was + n);
}

/* hist_write_store - each key's lines of a batch in one append, in queue order (writer) */
static void hist_write_store(struct dmarc_history *h, struct hist_item **it, size_t n,
			     char *failed)
{
    struct buf lines = BUF_INIT;
    char   *done = xcalloc(n, 1);

    for (size_t i = 0; i < n; i++) {
	size_t  k = 0;

	if (done[i] || it[i]->key == NULL)
	    continue;
	buf_reset(&lines);
	for (size_t j = i; j < n; j++)
	    if (!done[j] && it[j]->key && (j == i || strcmp(it[j]->key, it[i]->key) == 0)) {
		buf_append(&lines, it[j]->line, strlen(it[j]->line));
		done[j] = 1;	/* 1: in this group, 2: in an earlier one */
		k++;
	    }
	if (store_append(h->store, it[i]->key, lines.data, lines.len) != 0) {
	    for (size_t j = i; j < n; j++)
		if (done[j] == 1)
		    failed[j] = 1;
	    hist_count_failure(&h->failed, k, "store append failed", store_error(h->store));
	}
	for (size_t j = i; j < n; j++)
	    if (done[j] == 1)
		done[j] = 2;
    }
    free(done);
    buf_free(&lines);
}

/* hist_write_file - a batch's history file blocks in one write() (writer) */
static void hist_write_file(struct dmarc_history *h, struct hist_item **it, size_t n,
			    char *failed)
{
    struct buf all = BUF_INIT;
    unsigned long long k = 0;
    int     fd;

    for (size_t i = 0; i < n; i++)
	if (it[i]->block) {
	    buf_append(&all, it[i]->block, strlen(it[i]->block));
	    k++;
	}
    if (k > 0) {
	fd = open(h->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	/* one write() per batch: O_APPEND keeps records of several writers whole */
	if (fd < 0 || write(fd, all.data, all.len) != (ssize_t) all.len) {
	    hist_count_failure(&h->failed, k, h->file, strerror(errno));
	    for (size_t i = 0; i < n; i++)
		if (it[i]->block)
		    failed[i] = 1;
	}
	if (fd >= 0)
	    close(fd);
    }
    buf_free(&all);
}

/* hist_write - a batch of records' I/O (writer thread) */
static void hist_write(void *ctx, void **items, size_t n)
{
    struct dmarc_history *h = ctx;
    struct hist_item **it = (struct hist_item **) items;
    char   *failed = xcalloc(n, 1);
    unsigned long long ok = 0;

    if (h->store)
	hist_write_store(h, it, n, failed);
    if (h->file)
	hist_write_file(h, it, n, failed);
    for (size_t i = 0; i < n; i++)
	ok += !failed[i];
    __atomic_add_fetch(&h->written, ok, __ATOMIC_RELAXED);
    free(failed);
}

/* hist_write_one - the writer's per-item entry (unused: the queue runs batches) */
static void hist_write_one(void *ctx, void *item)
{
    hist_write(ctx, &item, 1);
}

/* hist_item_free - free a queued record */
static void hist_item_free(void *item)
{
    struct hist_item *it = item;

    free(it->key);
    free(it->line);
    free(it->block);
    free(it);
}

/* dmarc_history_new - a writer for a store and/or a file; NULL when neither */
struct dmarc_history *dmarc_history_new(struct store *store, const char *file)
{
    struct dmarc_history *h;

    if (store == NULL && (file == NULL || *file == 0))
	return NULL;
    h = xcalloc(1, sizeof(*h));
    h->store = store;
    h->file = file && *file ? xstrdup(file) : NULL;
    h->q = workq_new("dmarc: history", DMARC_HIST_QUEUE, hist_write_one, hist_item_free, h);
    workq_batch(h->q, DMARC_HIST_LINGER_MS, DMARC_HIST_BATCH, hist_write);
    return h;
}

/* dmarc_history_add - queue a record; never waits for I/O */
void dmarc_history_add(struct dmarc_history *h, const struct dmarc_hist_rec *r)
{
    struct hist_item *it;
    struct buf b = BUF_INIT;
    struct tm tm;
    char    day[16];

    if (h == NULL)
	return;
    it = xcalloc(1, sizeof(*it));
    gmtime_r(&r->when, &tm);
    strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    if (h->store)
	it->key = xasprintf("%s%s:%s", DMARC_HIST_PREFIX, day, r->pdomain);
    dmarc_history_line(r, &b);
    it->line = buf_steal(&b);
    if (h->file) {
	dmarc_history_opendmarc(r, &b);
	it->block = buf_steal(&b);
    }
    if (workq_push(h->q, it) != 0) {
	hist_count_failure(&h->dropped, 1, "queue full, record dropped", r->pdomain);
	hist_item_free(it);
    }
}

/* dmarc_history_flush - wait until every queued record was written */
void dmarc_history_flush(struct dmarc_history *h)
{
    if (h)
	workq_flush(h->q);
}

/* dmarc_history_counts - records written, failed and dropped so far */
void dmarc_history_counts(struct dmarc_history *h, unsigned long long *written_r,
			  unsigned long long *failed_r, unsigned long long *dropped_r)
{
    *written_r = h ? __atomic_load_n(&h->written, __ATOMIC_RELAXED) : 0;
    *failed_r = h ? __atomic_load_n(&h->failed, __ATOMIC_RELAXED) : 0;
    *dropped_r = h ? __atomic_load_n(&h->dropped, __ATOMIC_RELAXED) : 0;
}

/* dmarc_history_free - drain the queue, stop the writer, free */
void dmarc_history_free(struct dmarc_history **hp)
{
    struct dmarc_history *h = *hp;

    if (h == NULL)
	return;
    workq_free(&h->q);
    if (h->failed || h->dropped)
	msg_warn("dmarc: history: %llu records written, %llu failed, %llu dropped",
		 h->written, h->failed, h->dropped);
    free(h->file);
    free(h);
    *hp = NULL;
}
