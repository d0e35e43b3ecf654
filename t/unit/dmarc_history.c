/*
 * NAME
 *	t/unit/dmarc_history.c - the DMARC history writer's grouped commits
 * DESCRIPTION
 *	Queues records of two policy domains, interleaved, into a history
 *	writer on a real LMDB store and a history file, then flushes.
 *	Proves: each key holds its own lines in queue order (a batch's
 *	lines of one key are one append); the file holds every block in
 *	queue order; the counters say every record was written; free drains
 *	what is queued; a failing file write counts every record of the
 *	batch as failed.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "t/tap.h"
#include "check/dmarc_int.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/xmalloc.h"

static char dir[] = "/tmp/mxguard-hist-XXXXXX";

/* rec - a record of domain pdomain for queue id qid, at a fixed day */
static struct dmarc_hist_rec rec(const char *pdomain, const char *qid)
{
    struct dmarc_hist_rec r;

    memset(&r, 0, sizeof(r));
    r.when = 1700000000;		/* 2023-11-14 */
    r.queue_id = qid;
    r.reporter = "mx.test";
    r.ip = "192.0.2.1";
    r.from = r.pdomain = pdomain;
    r.mfrom = pdomain;
    r.p = 'n';
    r.disposition = 'n';
    r.result = "pass";
    r.spf_result = "pass";
    return r;
}

/* qids - the queue ids (field 21 of a version 2 line) of a key's lines, comma separated */
static const char *qids(struct store *s, const char *key, struct buf *out)
{
    struct buf v = BUF_INIT;
    char   *line, *save = NULL;

    buf_reset(out);
    if (store_get(s, key, &v) != 1)
	return "(absent)";
    for (line = strtok_r(buf_str(&v), "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
	const char *f = line;
	size_t  len;

	for (int i = 0; i < 20 && f; i++)
	    f = (f = strchr(f, '\t')) ? f + 1 : NULL;
	len = f ? strcspn(f, "\t") : 1;
	buf_printf(out, "%s%.*s", out->len ? "," : "", (int) len, f ? f : "?");
    }
    buf_free(&v);
    return buf_str(out);
}

/* file_jobs - the "job" lines of a history file, comma separated */
static const char *file_jobs(const char *path, struct buf *out)
{
    FILE   *f = fopen(path, "r");
    char    line[256];

    buf_reset(out);
    if (f == NULL)
	return "(absent)";
    while (fgets(line, sizeof(line), f))
	if (strncmp(line, "job ", 4) == 0) {
	    line[strcspn(line, "\n")] = 0;
	    buf_printf(out, "%s%s", out->len ? "," : "", line + 4);
	}
    fclose(f);
    return buf_str(out);
}

int main(void)
{
    static const char *const order[][2] = {
	{"a.test", "Q1"}, {"b.test", "Q2"}, {"a.test", "Q3"}, {"a.test", "Q4"}, {"b.test", "Q5"},
    };
    struct dmarc_history *h;
    struct store *s;
    struct buf b = BUF_INIT;
    unsigned long long w, f, d;
    const char *why;
    char   *db, *file;

    if (mkdtemp(dir) == NULL)
	return perror("mkdtemp"), 1;
    db = xasprintf("%s/h.mdb", dir);
    file = xasprintf("%s/history", dir);
    if ((s = store_open_lmdb(db, 0, &why)) == NULL)
	return fprintf(stderr, "store: %s\n", why), 1;

    h = dmarc_history_new(s, file);
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
	struct dmarc_hist_rec r = rec(order[i][0], order[i][1]);

	dmarc_history_add(h, &r);
    }
    dmarc_history_flush(h);
    is_str(qids(s, DMARC_HIST_PREFIX "2023-11-14:a.test", &b), "Q1,Q3,Q4",
	   "a.test's lines, in queue order, under its own key");
    is_str(qids(s, DMARC_HIST_PREFIX "2023-11-14:b.test", &b), "Q2,Q5",
	   "b.test's lines, in queue order, under its own key");
    is_str(file_jobs(file, &b), "Q1,Q2,Q3,Q4,Q5", "the history file has every block in queue order");
    dmarc_history_counts(h, &w, &f, &d);
    ok(w == 5 && f == 0 && d == 0, "counted 5 written, 0 failed, 0 dropped (got %llu %llu %llu)",
       w, f, d);

    /* a second batch appends behind the first; free drains it */
    {
	struct dmarc_hist_rec r = rec("a.test", "Q6");

	dmarc_history_add(h, &r);
    }
    dmarc_history_free(&h);
    is_str(qids(s, DMARC_HIST_PREFIX "2023-11-14:a.test", &b), "Q1,Q3,Q4,Q6",
	   "free writes what is still queued, behind the earlier lines");
    ok(h == NULL, "free clears the pointer");

    /* a file that cannot be opened: the whole batch counts as failed */
    {
	char   *bad = xasprintf("%s/no/such/dir/history", dir);
	struct dmarc_hist_rec r1 = rec("c.test", "Q7"), r2 = rec("c.test", "Q8");

	h = dmarc_history_new(NULL, bad);
	dmarc_history_add(h, &r1);
	dmarc_history_add(h, &r2);
	dmarc_history_flush(h);
	dmarc_history_counts(h, &w, &f, &d);
	ok(w == 0 && f == 2, "an unwritable file: both records of the batch failed (got %llu %llu)",
	   w, f);
	dmarc_history_free(&h);
	free(bad);
    }

    store_close(&s);
    buf_free(&b);
    unlink(file);
    unlink(db);
    {
	char   *lock = xasprintf("%s-lock", db);

	unlink(lock);
	free(lock);
    }
    rmdir(dir);
    free(db);
    free(file);
    return done_testing();
}
