/*
 * NAME
 *	eom.c - end of message: checks, data rules, Authentication-Results, summary line
 * SYNOPSIS
 *	#include "pipeline/pipeline.h"
 *
 *	int pipeline_eom(struct pipeline_conn *pc, struct verdict *v);
 *	(pipeline_int.h) void pipeline_msg_summary(struct pipeline_conn *pc,
 *						   const struct verdict *v);
 * DESCRIPTION
 *	pipeline_eom() runs every module's on_eom hook, sets the data-stage
 *	core facts (recipients, message_size), evaluates rules.data, then
 *	writes the header changes in the order a front end applies them:
 *	first the removal of every incoming Authentication-Results field
 *	that claims our authserv-id, highest occurrence first (so each
 *	index still names the original field whether or not the MTA
 *	renumbers after a removal), then our Authentication-Results
 *	inserted at index 0 (built by mail_ar_build from every module's
 *	authres() results: "id; none" when there are none), then the
 *	modules' own header changes, then the rules' add_header and
 *	remove_header changes, then the fields of the modules' on_final
 *	hooks (DKIM signatures, ARC sets: they sign the header as
 *	delivered, see final.c). The message then ends: one summary line is
 *	logged and its memory is freed.
 *
 *	The summary line, Exim "<=" style, holds only what is known:
 *	"QUEUEID: mxguardd: <= SENDER H=NAME [IP] A=AUTHID R=RCPT,...
 *	S=SIZE RESULT=WORD... verdict=ACTION T=MSms", where RESULT=WORD
 *	are the result facts (FACT_WORD) of every check module that are
 *	set. Control characters of the sender are shown as '?'.
 * DIAGNOSTICS
 *	pipeline_eom: the verdict action; an internal error (a check
 *	failed, the header could not be built) gives the action of
 *	milter.on_internal_error for the client's trust class.
 * STANDARDS
 *	RFC 8601 5 (removing forged fields), 2.2 (no-result "none").
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mail/authres.h"
#include "mail/header.h"
#include "event/event.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline_int.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define PIPELINE_AR_MAX	32	/* results one message's A-R may carry */
#define PIPELINE_AR_NAME "Authentication-Results"

/* pipeline_ar_value - our Authentication-Results value; NULL with *why_r */
static char *pipeline_ar_value(struct pipeline_conn *pc, const char **why_r)
{
    struct mail_ar_result res[PIPELINE_AR_MAX];
    const struct pipeline *p = pc->p;
    size_t n = 0;
    char *value = NULL;

    memset(res, 0, sizeof(res));
    for (size_t i = 0; i < p->nmods && n < PIPELINE_AR_MAX; i++) {
	if (p->mods[i]->authres == NULL)
	    continue;
	pc->msg.cur = i;
	n += p->mods[i]->authres(p->states[i], &pc->msg, res + n, PIPELINE_AR_MAX - n);
    }
    if (n > PIPELINE_AR_MAX)
	n = PIPELINE_AR_MAX;
    if (mail_ar_build(p->authserv_id, res, n, "\n", &value, why_r) != 0)
	return NULL;
    return value;
}

/* pipeline_hdr_move - append the header changes of src to dst */
static void pipeline_hdr_move(struct verdict *dst, const struct verdict *src)
{
    for (size_t i = 0; i < src->nhdrs; i++)
	verdict_add_header(dst, src->hdrs[i].op, src->hdrs[i].name, src->hdrs[i].value,
			   src->hdrs[i].index);
}

/* pipeline_headers - our header changes first, then the rules' (in v) */
static int pipeline_headers(struct pipeline_conn *pc, struct verdict *v)
{
    struct check_msg *m = &pc->msg;
    struct verdict rules;
    const char *why = NULL;
    char *ar = pipeline_ar_value(pc, &why);

    if (ar == NULL) {
	msg_error("%s: pipeline: Authentication-Results: %s",
		  *pc->queue_id ? pc->queue_id : "NOQUEUE", why ? why : "cannot build");
	return -1;
    }
    rules = *v;				/* take the rules' changes out of v */
    rules.text = rules.quarantine_reason = rules.rule = NULL;
    rules.del_rcpts = NULL;
    rules.logs = NULL;
    rules.ndel_rcpts = rules.nlogs = rules.del_cap = rules.logs_cap = 0;
    v->hdrs = NULL;
    v->nhdrs = v->hdrs_cap = 0;
    for (size_t i = m->nclaimed; i > 0; i--)
	verdict_add_header(v, VERDICT_HDR_REMOVE, PIPELINE_AR_NAME, NULL, m->ar_claimed[i - 1]);
    verdict_add_header(v, VERDICT_HDR_INSERT, PIPELINE_AR_NAME, ar, 0);
    pipeline_hdr_move(v, &m->hdr_ops);
    for (size_t i = 0; i < m->hdr_ops.ndel_rcpts; i++)	/* check_verdict_del_rcpt */
	verdict_del_rcpt(v, m->hdr_ops.del_rcpts[i]);
    pipeline_hdr_move(v, &rules);
    verdict_clear(&rules);
    pipeline_final_hooks(pc, v);	/* signing and sealing see all of it */
    free(ar);
    return 0;
}

/* pipeline_data_facts - recipients and message_size */
static void pipeline_data_facts(struct pipeline_conn *pc)
{
    struct check_msg *m = &pc->msg;
    struct buf b = BUF_INIT;

    for (size_t i = 0; i < m->nrcpt; i++) {
	if (i)
	    buf_putc(&b, ',');
	buf_puts(&b, m->rcpts[i]);
    }
    facts_set(pc->facts, FACT_MSG, "recipients", buf_str(&b));
    facts_setf(pc->facts, FACT_MSG, "message_size", "%llu", m->size);
    buf_free(&b);
}

/* pipeline_eom - end of message: checks, rules, headers, summary */
int pipeline_eom(struct pipeline_conn *pc, struct verdict *v)
{
    int a;

    verdict_clear(v);
    if (!pc->msg.active)
	return pipeline_internal_error(pc, "end of message outside a message", v);
    pipeline_data_facts(pc);
    a = pipeline_stage_run(pc, FACT_STAGE_DATA, FACT_STAGE_DATA, NULL, v);
    if (a != VERDICT_REJECT && a != VERDICT_TEMPFAIL && !pc->msg.failed
	&& pipeline_headers(pc, v) != 0)
	a = pipeline_internal_error(pc, "Authentication-Results", v);
    pipeline_msg_summary(pc, v);
    pipeline_msg_end(pc);
    return a;
}

/* pipeline_put_clean - append s with control characters as '?' */
static void pipeline_put_clean(struct buf *b, const char *s)
{
    for (; *s; s++)
	buf_putc(b, (unsigned char) *s < 0x20 || *s == 0x7f ? '?' : *s);
}

/* pipeline_result_facts - " name=word" for every module result that is set */
static void pipeline_result_facts(const struct pipeline_conn *pc, struct buf *b)
{
    for (size_t t = 1; pc->p->tables[t]; t++) {
	const struct fact_table *tab = pc->p->tables[t];

	for (size_t i = 0; i < tab->count; i++) {
	    const char *val;

	    if (tab->defs[i].kind != FACT_WORD
		|| (val = facts_get(pc->facts, tab->defs[i].name)) == NULL)
		continue;
	    buf_printf(b, " %s=", tab->defs[i].name);
	    pipeline_put_clean(b, val);
	}
    }
}

/* pipeline_msg_summary - the one line per message; then the front end's hook */
void pipeline_msg_summary(struct pipeline_conn *pc, const struct verdict *v)
{
    struct check_msg *m = &pc->msg;
    struct buf b = BUF_INIT;
    struct timespec now;
    long long ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (now.tv_sec - m->start.tv_sec) * 1000LL + (now.tv_nsec - m->start.tv_nsec) / 1000000;
    buf_printf(&b, "%s: mxguardd: <= ", *pc->queue_id ? pc->queue_id : "NOQUEUE");
    pipeline_put_clean(&b, m->sender && *m->sender ? m->sender : "<>");
    buf_puts(&b, " H=");
    if (*pc->client_addr && pc->client_name[0] == '[')
	buf_printf(&b, "[%s]", pc->client_addr);	/* no verified name */
    else {
	pipeline_put_clean(&b, pc->client_name);
	if (*pc->client_addr)
	    buf_printf(&b, " [%s]", pc->client_addr);
    }
    if (pc->auth_authen) {
	buf_puts(&b, " A=");
	pipeline_put_clean(&b, pc->auth_authen);
    }
    if (m->nrcpt) {
	buf_puts(&b, " R=");
	for (size_t i = 0; i < m->nrcpt; i++) {
	    if (i)
		buf_putc(&b, ',');
	    pipeline_put_clean(&b, m->rcpts[i]);
	}
    }
    if (m->size)
	buf_printf(&b, " S=%llu", m->size);
    pipeline_result_facts(pc, &b);
    buf_printf(&b, " verdict=%s", verdict_action_name(v->action == VERDICT_CONTINUE
						       ? VERDICT_ACCEPT : v->action));
    if (v->rule)
	buf_printf(&b, " rule=%s", v->rule);
    buf_printf(&b, " T=%lldms", ms);
    msg_info("%s", buf_str(&b));
    buf_free(&b);
    event_msg_end(pc->p->events, pc->facts, v);
    metrics_msg_end(pc->p->tables, pc->facts, v->action);
    if (pc->on_end)
	pc->on_end(pc->on_end_ctx, pc->facts, v);
}
