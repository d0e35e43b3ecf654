/*
 * NAME
 *	txn.c - recipients to destinations, parallel DATA, replies and logs
 * DESCRIPTION
 *	See txn.h.
 */
#include "config.h"
#include "outbound/txn.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "outbound/events.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/* ob_txn_begin - an empty transaction; env/sender are filled by the caller */
void ob_txn_begin(struct ob_txn *t, struct ob_settings *s, int lmtp, const char *queue_id)
{
    memset(t, 0, sizeof(*t));
    t->set = s;
    t->lmtp = lmtp;
    snprintf(t->queue_id, sizeof(t->queue_id), "%s", queue_id);
    t->t_start = ob_now_ms();
}

/* txn_dest_key - the destination of addr: its domain, or the relay host */
static char *txn_dest_key(const struct ob_txn *t, const char *addr)
{
    const char *at = strrchr(addr, '@');
    char *key;

    if (*t->set->relay_host)
	return xstrdup(t->set->relay_host);
    key = xstrdup(at != NULL ? at + 1 : "");
    for (char *p = key; *p; p++)
	*p = (char) tolower((unsigned char) *p);
    return key;
}

/* txn_log - the Postfix-style delivery line for one recipient */
static void txn_log(const struct ob_txn *t, const struct ob_rcpt *r)
{
    const struct ob_out *o = r->out;
    long long now = ob_now_ms();
    char relay[400] = "none", tls[160] = "", use[32] = "";
    double conn = 0, xfer = 0;
    const char *nl = strchr(r->res.text, '\n');

    if (o != NULL && o->diag.host[0]) {
	snprintf(relay, sizeof(relay), "%s[%s]:%d", o->diag.host, o->diag.addr, o->diag.port);
	conn = o->t_ready > o->t_start ? (o->t_ready - o->t_start) / 1000.0 : 0;
	xfer = o->t_ready > 0 ? (now - o->t_ready) / 1000.0 : 0;
    }
    if (o != NULL && o->tls.protocol[0])
	snprintf(tls, sizeof(tls), ", tls=%s cipher=%s CV=%s%s%s%s", o->tls.protocol,
		 o->tls.cipher, o->tls.cv, o->tls.ocsp[0] ? " OCSP=" : "", o->tls.ocsp,
		 o->tls.resumed ? " resumed" : "");
    if (o != NULL && o->rtls == OB_RTLS_REQUIRE && r->res.code < 300)
	snprintf(tls + strlen(tls), sizeof(tls) - strlen(tls), ", requiretls=yes");
    if (o != NULL && o->uses > 1)
	snprintf(use, sizeof(use), ", conn_use=%d", o->uses);
    if (o != NULL && *ob_pipe_marker(o))
	snprintf(use + strlen(use), sizeof(use) - strlen(use), ", %s", ob_pipe_marker(o));
    msg_info("%s: to=<%s>, relay=%s%s, delay=%.2f, delays=%.2f/%.2f, dsn=%s, status=%s "
	     "(%d %s %.*s)%s", t->queue_id, r->addr, relay, use, (now - t->t_start) / 1000.0,
	     conn, xfer, r->res.enh, ob_result_status(&r->res), r->res.code, r->res.enh,
	     nl ? (int) (nl - r->res.text) : (int) strlen(r->res.text), r->res.text, tls);
    metrics_outbound_delivery(ob_result_status(&r->res),
			      o && o->tls.protocol[0] ? o->tls.cv : NULL, o && o->reused,
			      o ? ob_pipe_marker(o) : NULL);
    if (o != NULL && (r->res.code < 300 || r->res.code >= 500)) {
	char reply[1100];

	snprintf(reply, sizeof(reply), "%d %s %s", r->res.code, r->res.enh, r->res.text);
	(void) ob_event(r->out, r->res.code < 300 ? "msg:delivery" : "msg:fail:delivery", reply,
			r->addr, -1, NULL);
    }
}

/* ob_ahead_add - one more recipient the MTA sent */
void ob_ahead_add(struct ob_ahead *a, const char *addr, const char *params)
{
    a->addrs = xrealloc(a->addrs, (a->n + 1) * sizeof(*a->addrs));
    a->params = xrealloc(a->params, (a->n + 1) * sizeof(*a->params));
    a->addrs[a->n] = xstrdup(addr);
    a->params[a->n] = xstrdup(params ? params : "");
    a->n++;
}

/* ob_ahead_free - release the lists */
void ob_ahead_free(struct ob_ahead *a)
{
    for (size_t i = 0; i < a->n; i++) {
	free(a->addrs[i]);
	free(a->params[i]);
    }
    free(a->addrs);
    free(a->params);
    memset(a, 0, sizeof(*a));
}

/* txn_ahead - the recipients of key that the MTA has sent, from addr on */
static void txn_ahead(struct ob_txn *t, const char *key, const char *addr, const char *params,
		      struct ob_ahead *mine)
{
    struct ob_ahead all = { 0 };
    size_t count = t->nrcpts + 1, i;

    ob_ahead_add(mine, addr, params);
    if (t->ahead == NULL)
	return;
    t->ahead(t->ahead_ctx, &all);
    for (i = 0; i < all.n && count < OB_TXN_MAX_RCPTS; i++) {
	char *k = txn_dest_key(t, all.addrs[i]);

	if (strcmp(k, key) == 0)
	    ob_ahead_add(mine, all.addrs[i], all.params[i]);
	if (strcmp(k, key) == 0 || t->lmtp)	/* SMTP: other domains are not counted */
	    count++;
	free(k);
    }
    mine->data = all.data && i == all.n;	/* no refused recipient before DATA */
    ob_ahead_free(&all);
}

/* txn_out_for - the conversation for key, opened on first use */
static struct ob_out *txn_out_for(struct ob_txn *t, const char *key, const char *addr,
				  const char *params, struct ob_result *res)
{
    struct ob_ahead ahead = { 0 };
    struct ob_out *o;

    for (size_t i = 0; i < t->nouts; i++)
	if (strcmp(t->outs[i]->domain, key) == 0)
	    return t->outs[i];
    if (!t->lmtp && t->nouts > 0) {
	ob_result_trouble(res, OB_TR_OTHER_DOMAIN, NULL, NULL);
	return NULL;
    }
    o = ob_out_new(t->set, key, t->queue_id, t->env.requiretls ? OB_RTLS_REQUIRE : OB_RTLS_NORMAL);
    txn_ahead(t, key, addr, params, &ahead);
    (void) ob_out_open(o, &t->env, &ahead);
    ob_ahead_free(&ahead);
    t->outs = xrealloc(t->outs, (t->nouts + 1) * sizeof(*t->outs));
    t->outs[t->nouts++] = o;
    return o;
}

/* ob_txn_rcpt - route one recipient and relay the next hop's reply */
int ob_txn_rcpt(struct ob_txn *t, const char *addr, const char *params, struct ob_result *res)
{
    char *key = txn_dest_key(t, addr);
    struct ob_out *o = txn_out_for(t, key, addr, params, res);
    struct ob_rcpt *r;

    free(key);
    if (o == NULL)
	return 0;
    t->rcpts = xrealloc(t->rcpts, (t->nrcpts + 1) * sizeof(*t->rcpts));
    r = &t->rcpts[t->nrcpts++];
    memset(r, 0, sizeof(*r));
    r->addr = xstrdup(addr);
    r->params = xstrdup(params ? params : "");
    r->out = o;
    r->accepted = ob_out_rcpt(o, addr, r->params, &r->res);
    if (!r->accepted && o->state == OB_OUT_FAILED && o->tls_refused && o->rtls == OB_RTLS_NORMAL
	&& t->set->tls_required_no) {
	r->accepted = r->pending = 1;	/* the header may say TLS-Required: No */
	r->res.code = 250;
	snprintf(r->res.enh, sizeof(r->res.enh), "2.1.5");
	snprintf(r->res.text, sizeof(r->res.text), "Recipient pending: the destination's TLS "
		 "policy failed (%.*s); the reply after DATA decides (RFC 8689 TLS-Required)",
		 (int) strcspn(o->fail.text, "\n"), o->fail.text);
    }
    *res = r->res;
    if (r->accepted)
	t->naccepted++;
    else
	txn_log(t, r);
    return r->accepted;
}

struct txn_job {
    struct ob_out *out;
    struct ob_spool *sp;
    struct ob_result res;
    pthread_t tid;
    int started;
};

/* txn_job_run - one destination's DATA, in its own thread */
static void *txn_job_run(void *arg)
{
    struct txn_job *j = arg;

    (void) ob_out_data(j->out, j->sp, &j->res);
    return NULL;
}

/* txn_data_all - DATA to every destination with recipients, in parallel */
static struct txn_job *txn_data_all(struct ob_txn *t, struct ob_spool *sp)
{
    struct txn_job *jobs = xcalloc(t->nouts, sizeof(*jobs));
    size_t last = t->nouts;

    for (size_t i = 0; i < t->nouts; i++) {
	jobs[i].out = t->outs[i];
	jobs[i].sp = sp;
	jobs[i].res = t->outs[i]->fail;
	if (t->outs[i]->naccepted > 0)
	    last = i;
    }
    for (size_t i = 0; i < t->nouts; i++) {
	if (t->outs[i]->naccepted == 0 || i == last)
	    continue;
	jobs[i].started = pthread_create(&jobs[i].tid, NULL, txn_job_run, &jobs[i]) == 0;
	if (!jobs[i].started)
	    (void) txn_job_run(&jobs[i]);
    }
    if (last < t->nouts)
	(void) txn_job_run(&jobs[last]);
    for (size_t i = 0; i < t->nouts; i++)
	if (jobs[i].started)
	    (void) pthread_join(jobs[i].tid, NULL);
    return jobs;
}

/* txn_reopen - destination k again in mode: new conversation, recipients again */
static void txn_reopen(struct ob_txn *t, size_t k, enum ob_rtls mode)
{
    struct ob_out *old = t->outs[k], *o;

    msg_info("%s: outbound: %s: the message header asks for %s: new connection", t->queue_id,
	     old->domain, ob_rtls_name(mode));
    o = ob_out_new(t->set, old->domain, t->queue_id, mode);
    (void) ob_out_open(o, &t->env, NULL);	/* recipients one by one: not pipelined */
    for (size_t i = 0; i < t->nrcpts; i++) {
	struct ob_rcpt *r = &t->rcpts[i];

	if (r->out != old || !r->accepted)
	    continue;
	r->out = o;
	r->late = !ob_out_rcpt(o, r->addr, r->params, &r->res);
    }
    ob_out_release(&old);	/* mid-transaction: QUIT, never cached */
    t->outs[k] = o;
}

/* txn_smtp_late - SMTP mode: one reply for all; a late refusal fails the lot */
static void txn_smtp_late(struct ob_txn *t)
{
    struct ob_rcpt *first = NULL;
    int all_perm = 1;

    for (size_t i = 0; i < t->nrcpts; i++) {
	struct ob_rcpt *r = &t->rcpts[i];

	if (!r->accepted)
	    continue;
	if (r->late && first == NULL)
	    first = r;
	all_perm &= r->late && r->res.code >= 500;
    }
    if (first == NULL)
	return;
    if (!all_perm && first->res.code >= 500) {	/* others could be delivered: retry */
	first->res.code = 451;
	first->res.enh[0] = '4';
    }
    for (size_t i = 0; i < t->nrcpts; i++)
	if (t->rcpts[i].accepted) {
	    t->rcpts[i].res = first->res;
	    t->rcpts[i].late = 1;
	}
    for (size_t j = 0; j < t->nouts; j++)
	t->outs[j]->naccepted = 0;	/* no DATA: the transaction is abandoned */
}

/* txn_has_rcpts - does o carry an accepted (or pending) recipient? */
static int txn_has_rcpts(const struct ob_txn *t, const struct ob_out *o)
{
    for (size_t i = 0; i < t->nrcpts; i++)
	if (t->rcpts[i].out == o && t->rcpts[i].accepted)
	    return 1;
    return 0;
}

/* txn_retag - the header's REQUIRETLS mode; reopen destinations opened otherwise */
static void txn_retag(struct ob_txn *t, struct ob_spool *sp)
{
    unsigned flags;
    enum ob_rtls mode;

    if (!t->set->requiretls && !t->set->tls_required_no)
	return;
    flags = ob_rtls_spool_scan(sp);
    if (!t->set->tls_required_no)
	flags &= ~OB_RTLS_HDR_NO;
    mode = ob_rtls_mode(t->env.requiretls, flags, t->set->requiretls_header);
    if (mode == OB_RTLS_REQUIRE)
	t->env.requiretls = 1;
    for (size_t k = 0; k < t->nouts; k++) {
	struct ob_out *o = t->outs[k];

	if (txn_has_rcpts(t, o) && ((mode == OB_RTLS_REQUIRE && o->rtls != mode)
				    || (mode == OB_RTLS_NOTLS && o->state == OB_OUT_FAILED)))
	    txn_reopen(t, k, mode);
    }
    if (!t->lmtp)
	txn_smtp_late(t);
}

/* ob_txn_data - deliver the message, reply to the MTA, log */
void ob_txn_data(struct ob_txn *t, struct ob_spool *sp, struct ob_io *mta)
{
    struct txn_job *jobs;
    int smtp_done = 0;

    txn_retag(t, sp);
    jobs = txn_data_all(t, sp);
    for (size_t i = 0; i < t->nrcpts; i++) {
	struct ob_rcpt *r = &t->rcpts[i];

	if (!r->accepted)
	    continue;
	for (size_t j = 0; j < t->nouts && !r->late; j++)
	    if (jobs[j].out == r->out)
		r->res = jobs[j].res;
	txn_log(t, r);
	if (t->lmtp)
	    ob_result_put(mta, &r->res);
	else if (!smtp_done++)
	    ob_result_put(mta, &r->res);
    }
    free(jobs);
}

/* ob_txn_end - close every conversation and free the transaction */
void ob_txn_end(struct ob_txn *t)
{
    for (size_t i = 0; i < t->nouts; i++) {
	ob_out_release(&t->outs[i]);
    }
    for (size_t i = 0; i < t->nrcpts; i++) {
	free(t->rcpts[i].addr);
	free(t->rcpts[i].params);
    }
    free(t->rcpts);
    free(t->outs);
    free(t->sender);
    free(t->ret);
    free(t->envid);
    memset(t, 0, sizeof(*t));
}
