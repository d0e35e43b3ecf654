/*
 * NAME
 *	conn.c - one SMTP connection through the pipeline (see pipeline.h)
 * SYNOPSIS
 *	#include "pipeline/pipeline.h"
 *
 *	pipeline_conn_new, pipeline_conn_free, pipeline_conn_set_pipeline,
 *	pipeline_conn_on_end, pipeline_connect, pipeline_helo, pipeline_tls,
 *	pipeline_mail, pipeline_queue_id, pipeline_rcpt, pipeline_header,
 *	pipeline_eoh, pipeline_body, pipeline_abort, pipeline_conn_facts
 *	(check.h) check_facts, check_view, check_data, check_body_register,
 *	check_controls, check_verdict_header, check_verdict_del_rcpt
 * DESCRIPTION
 *	Each stage function copies its data into the connection (facts and
 *	the check_view), runs the check modules' hook of the stage, then
 *	the rules of the stage. The message starts at pipeline_mail(): a
 *	message still in progress then is dropped as by pipeline_abort()
 *	(libmilter calls no abort after a verdict that ended it). A verdict
 *	other than VERDICT_CONTINUE at the mail stage ends the message (its
 *	summary is logged); at the rcpt stage a reject or tempfail refuses
 *	that recipient only and the message goes on, while accept, discard
 *	end the message. Headers are copied into the message's mail_hdrs
 *	(up to milter.max_message_size bytes and 100,000 fields; past that
 *	the message is oversize and header rules see only the fields
 *	before the limit) and Authentication-Results fields are looked at
 *	as they come, so a forged one past the header limits is still
 *	removed. Body bytes go to the consumers modules registered, never
 *	into a buffer; once the message exceeds milter.max_message_size
 *	they stop and view->oversize tells the checks.
 * DIAGNOSTICS
 *	See pipeline.h.
 * STANDARDS
 *	RFC 5321 3.3 (MAIL, RCPT, DATA), 4.1.1.5 (RSET).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/addr.h"
#include "mail/authres.h"
#include "mail/header.h"
#include "mail/msg.h"
#include "event/event.h"
#include "metrics/metrics.h"
#include "pipeline/pipeline_int.h"
#include "util/cidr.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/*
 * Header limits of a message: as many bytes as milter.max_message_size
 * (at most MAIL_MSG_MAX_SIZE), so header rules see every field of a message
 * that is not oversize; the count only bounds the index.
 */
#define PIPELINE_HDRS_MAX_COUNT	100000

/* pipeline_client_trusted - is addr inside milter.trusted_hosts? */
static int pipeline_client_trusted(const struct pipeline *p, const char *addr)
{
    struct cidr a;

    if (addr == NULL || *addr == 0 || cidr_addr_parse(addr, &a) != 0)
	return 0;
    for (size_t i = 0; i < p->ntrusted; i++)
	if (cidr_match(&p->trusted[i], &a))
	    return 1;
    return 0;
}

/* pipeline_conn_facts_init - the connection's core facts */
static void pipeline_conn_facts_init(struct pipeline_conn *pc)
{
    if (*pc->client_addr)
	facts_set(pc->facts, FACT_CONN, "sender_host_address", pc->client_addr);
    facts_set(pc->facts, FACT_CONN, "sender_host_name", pc->client_name);
    if (pc->client_port > 0)
	facts_setf(pc->facts, FACT_CONN, "sender_host_port", "%d", pc->client_port);
    facts_set(pc->facts, FACT_CONN, "trusted", pc->trusted ? "yes" : "no");
    facts_set(pc->facts, FACT_CONN, "tls_version", pc->tls_version);
    facts_set(pc->facts, FACT_CONN, "authserv_id", pc->p->authserv_id);
}

/* pipeline_conn_new - a connection of client on pipeline p (takes a reference) */
struct pipeline_conn *pipeline_conn_new(struct pipeline *p, const struct pipeline_client *client)
{
    struct pipeline_conn *pc = xcalloc(1, sizeof(*pc));
    const char *addr = client->addr ? client->addr : "";

    pc->p = pipeline_ref(p);
    pc->facts = facts_alloc();
    pc->client_addr = xstrdup(addr);
    pc->client_name = client->name && *client->name ? xstrdup(client->name)
	: *addr ? xasprintf("[%s]", addr) : xstrdup("localhost");
    pc->client_port = client->port;
    pc->tls_version = client->tls_version ? xstrdup(client->tls_version) : NULL;
    pc->queue_id = xstrdup("");
    pc->trusted = pipeline_client_trusted(p, addr);
    pc->msg.pc = pc;
    pc->msg.data = xcalloc(p->nmods + 1, sizeof(void *));
    verdict_init(&pc->msg.hdr_ops);
    pipeline_conn_facts_init(pc);
    return pc;
}

/* pipeline_conn_free - end the connection (drops a message in progress) */
void pipeline_conn_free(struct pipeline_conn **cp)
{
    struct pipeline_conn *pc = *cp;

    if (pc == NULL)
	return;
    pipeline_abort(pc);
    event_fire(pc->p->events, "tcp:close", "", pc->facts, NULL);
    facts_free(&pc->facts);
    free(pc->msg.data);
    free(pc->client_name);
    free(pc->client_addr);
    free(pc->helo);
    free(pc->tls_version);
    free(pc->auth_authen);
    free(pc->queue_id);
    pipeline_unref(&pc->p);
    free(pc);
    *cp = NULL;
}

/* pipeline_conn_set_pipeline - use snapshot p from the next message on */
void pipeline_conn_set_pipeline(struct pipeline_conn *pc, struct pipeline *p)
{
    if (p == pc->p)
	return;
    pipeline_abort(pc);
    free(pc->msg.data);
    pipeline_unref(&pc->p);
    pc->p = pipeline_ref(p);
    pc->msg.data = xcalloc(p->nmods + 1, sizeof(void *));
    pc->trusted = pipeline_client_trusted(p, pc->client_addr);
    pipeline_conn_facts_init(pc);
}

/* pipeline_conn_on_end - call fn with the facts and verdict of each message's end */
void pipeline_conn_on_end(struct pipeline_conn *pc,
			  void (*fn)(void *ctx, const struct facts *f, const struct verdict *v),
			  void *ctx)
{
    pc->on_end = fn;
    pc->on_end_ctx = ctx;
}

/* pipeline_trust_class - authenticated, trusted host or other */
enum pipeline_trust pipeline_trust_class(const struct pipeline_conn *pc)
{
    if (pc->auth_authen)
	return PIPELINE_TRUST_AUTH;
    return pc->trusted ? PIPELINE_TRUST_TRUSTED : PIPELINE_TRUST_OTHER;
}

/* pipeline_internal_error - our own failure: milter.on_internal_error for the class */
int pipeline_internal_error(struct pipeline_conn *pc, const char *what, struct verdict *v)
{
    enum verdict_action a = pc->p->on_error[pipeline_trust_class(pc)];

    msg_error("%s: pipeline: internal error: %s; answering %s",
	      *pc->queue_id ? pc->queue_id : "NOQUEUE", what, verdict_action_name(a));
    verdict_reply(v, a, a == VERDICT_REJECT ? "550 5.3.0 Internal error"
		  : "451 4.3.0 Internal error, try again later");
    pc->msg.failed = 1;
    return a;
}

/* pipeline_rules - the rules of one stage */
static int pipeline_rules(struct pipeline_conn *pc, enum fact_stage st, const char *rcpt,
			  struct verdict *v)
{
    struct check_msg *m = &pc->msg;
    struct rule_input in = {pc->facts, rcpt, (const char *const *) m->rcpts, m->nrcpt,
	st == FACT_STAGE_DATA ? m->hdrs : NULL, m->controls};
    size_t nlogs = v->nlogs;
    int a = ruleset_eval(pc->p->rules, st, &in, v);

    m->controls = in.controls;
    for (size_t i = nlogs; i < v->nlogs; i++)	/* log_message lines, as they happen */
	msg_info("%s: mxguardd: %s", *pc->queue_id ? pc->queue_id : "NOQUEUE", v->logs[i]);
    if ((st == FACT_STAGE_MAIL || st == FACT_STAGE_RCPT) && a == VERDICT_CONTINUE)
	verdict_move_headers(&m->hdr_ops, v);	/* applied at end of message */
    return a;
}

/* pipeline_hooks - run a stage's hook of every module; 1 when one failed */
static int pipeline_hooks(struct pipeline_conn *pc, int stage, const char *rcpt)
{
    const struct pipeline *p = pc->p;

    for (size_t i = 0; i < p->nmods; i++) {
	const struct check_module *mod = p->mods[i];
	int r = 0;
	long long t0 = metrics_clock_us();

	pc->msg.cur = i;

	switch (stage) {
	case FACT_STAGE_HELO:
	    r = mod->on_helo ? mod->on_helo(p->states[i], &pc->msg) : 0;
	    break;
	case FACT_STAGE_MAIL:
	    r = mod->on_mail ? mod->on_mail(p->states[i], &pc->msg) : 0;
	    break;
	case FACT_STAGE_RCPT:
	    r = mod->on_rcpt ? mod->on_rcpt(p->states[i], &pc->msg, rcpt) : 0;
	    break;
	case -1:			/* end of headers */
	    r = mod->on_eoh ? mod->on_eoh(p->states[i], &pc->msg) : 0;
	    break;
	default:
	    r = mod->on_eom ? mod->on_eom(p->states[i], &pc->msg) : 0;
	    break;
	}
	metrics_check_time(mod, stage, t0);
	if (r < 0) {
	    msg_warn("%s: pipeline: check %s failed", *pc->queue_id ? pc->queue_id : "NOQUEUE",
		     mod->name);
	    return 1;
	}
    }
    return 0;
}

/* pipeline_stage_run - hooks then rules of a stage; the verdict action */
int pipeline_stage_run(struct pipeline_conn *pc, enum fact_stage st, int hook,
		       const char *rcpt, struct verdict *v)
{
    if (pipeline_hooks(pc, hook, rcpt))
	return pipeline_internal_error(pc, "a check failed", v);
    return pipeline_rules(pc, st, rcpt, v);
}

/* pipeline_connect - event smtp:connect (a sync result refuses), rules of the connect stage */
int pipeline_connect(struct pipeline_conn *pc, struct verdict *v)
{
    struct buf res = BUF_INIT;

    verdict_clear(v);
    if (event_fire(pc->p->events, "smtp:connect", pc->client_addr, pc->facts, &res)) {
	verdict_reply(v, VERDICT_REJECT, buf_str(&res));
	buf_free(&res);
	return VERDICT_REJECT;
    }
    return pipeline_rules(pc, FACT_STAGE_CONNECT, NULL, v);
}

/* pipeline_helo - HELO/EHLO: checks of the HELO identity, then rules */
int pipeline_helo(struct pipeline_conn *pc, const char *helo, struct verdict *v)
{
    verdict_clear(v);
    free(pc->helo);
    pc->helo = xstrdup(helo ? helo : "");
    pc->msg.view.helo = pc->helo;
    facts_set(pc->facts, FACT_CONN, "sender_helo_name", pc->helo);
    event_fire(pc->p->events, "smtp:helo", pc->helo, pc->facts, NULL);
    return pipeline_stage_run(pc, FACT_STAGE_HELO, FACT_STAGE_HELO, NULL, v);
}

/* pipeline_tls - the TLS version, known after STARTTLS */
void pipeline_tls(struct pipeline_conn *pc, const char *tls_version)
{
    free(pc->tls_version);
    pc->tls_version = tls_version && *tls_version ? xstrdup(tls_version) : NULL;
    pc->msg.view.tls_version = pc->tls_version;
    facts_set(pc->facts, FACT_CONN, "tls_version", pc->tls_version);
}

/* pipeline_path - an SMTP path without brackets; domain_r gets its domain or NULL */
static char *pipeline_path(const char *s, char **domain_r)
{
    struct mail_mailbox mb;
    const char *why;
    char *addr;

    *domain_r = NULL;
    if (mail_addr_envelope_parse(s ? s : "", &mb, &why) != 0) {
	size_t len = strlen(s ? s : "");

	if (len >= 2 && s[0] == '<' && s[len - 1] == '>')
	    return xstrndup(s + 1, len - 2);
	return xstrdup(s ? s : "");
    }
    addr = mb.domain ? xasprintf("%s@%s", mb.local, mb.domain) : xstrdup(mb.local);
    if (mb.domain && !mb.literal)
	*domain_r = xstrdup(mb.domain);
    mail_mailbox_clear(&mb);
    return addr;
}

/* pipeline_view_sync - point the view at the message's current data */
static void pipeline_view_sync(struct pipeline_conn *pc)
{
    struct check_view *w = &pc->msg.view;

    w->client_addr = pc->client_addr;
    w->client_name = pc->client_name;
    w->client_port = pc->client_port;
    w->helo = pc->helo;
    w->auth_authen = pc->auth_authen;
    w->trusted = pc->trusted;
    w->tls_version = pc->tls_version;
    w->queue_id = pc->queue_id;
    w->sender = pc->msg.sender ? pc->msg.sender : "";
    w->rcpts = (const char *const *) pc->msg.rcpts;
    w->nrcpt = pc->msg.nrcpt;
}

/* pipeline_mail - MAIL FROM: the message starts */
int pipeline_mail(struct pipeline_conn *pc, const char *sender, const char *auth_authen,
		  struct verdict *v)
{
    struct check_msg *m = &pc->msg;
    char *domain;
    int a;

    verdict_clear(v);
    if (m->active) {		/* ended without abort (a verdict before DATA) */
	char *qid = xstrdup(pc->queue_id);

	pipeline_abort(pc);
	pipeline_queue_id(pc, qid);	/* the front end may have set the new one already */
	free(qid);
    }
    m->active = 1;
    clock_gettime(CLOCK_MONOTONIC, &m->start);
    m->hdrs = mail_hdrs_alloc(PIPELINE_HDRS_MAX_COUNT,
			      pc->p->max_size > 0 && pc->p->max_size < MAIL_MSG_MAX_SIZE
			      ? (size_t) pc->p->max_size : MAIL_MSG_MAX_SIZE);
    m->sender = pipeline_path(sender, &domain);
    free(pc->auth_authen);
    pc->auth_authen = auth_authen && *auth_authen ? xstrdup(auth_authen) : NULL;
    pipeline_view_sync(pc);
    facts_set(pc->facts, FACT_CONN, "authenticated", pc->auth_authen ? "yes" : "no");
    facts_set(pc->facts, FACT_CONN, "authenticated_id", pc->auth_authen);
    facts_set(pc->facts, FACT_MSG, "sender_address", m->sender);
    facts_set(pc->facts, FACT_MSG, "sender_address_domain", domain);
    facts_set(pc->facts, FACT_MSG, "queue_id", pc->queue_id);
    free(domain);
    event_fire(pc->p->events, "msg:mail", m->sender, pc->facts, NULL);
    a = pipeline_stage_run(pc, FACT_STAGE_MAIL, FACT_STAGE_MAIL, NULL, v);
    if (a != VERDICT_CONTINUE) {
	pipeline_msg_summary(pc, v);
	pipeline_msg_end(pc);
    }
    return a;
}

/* pipeline_queue_id - the MTA's queue id, once known (macro i) */
void pipeline_queue_id(struct pipeline_conn *pc, const char *queue_id)
{
    if (queue_id == NULL || strcmp(queue_id, pc->queue_id) == 0)
	return;
    free(pc->queue_id);
    pc->queue_id = xstrdup(queue_id);
    pc->msg.view.queue_id = pc->queue_id;
    if (pc->msg.active)
	facts_set(pc->facts, FACT_MSG, "queue_id", pc->queue_id);
}

/* pipeline_rcpt - RCPT TO: a reject or tempfail refuses this recipient only */
int pipeline_rcpt(struct pipeline_conn *pc, const char *rcpt, struct verdict *v)
{
    struct check_msg *m = &pc->msg;
    char *domain, *addr;
    int a;

    verdict_clear(v);
    if (!m->active)
	return pipeline_internal_error(pc, "RCPT outside a message", v);
    addr = pipeline_path(rcpt, &domain);
    facts_set(pc->facts, FACT_MSG, "recipient", addr);
    facts_set(pc->facts, FACT_MSG, "recipient_domain", domain);
    free(domain);
    a = pipeline_stage_run(pc, FACT_STAGE_RCPT, FACT_STAGE_RCPT, addr, v);
    if (a == VERDICT_REJECT || a == VERDICT_TEMPFAIL) {
	msg_info("%s: mxguardd: rcpt %s: %s %s %s", *pc->queue_id ? pc->queue_id : "NOQUEUE",
		 addr, verdict_action_name(a), v->rcode, v->xcode);
	free(addr);
	return a;
    }
    if (m->nrcpt == m->rcpt_cap) {
	m->rcpt_cap = m->rcpt_cap ? 2 * m->rcpt_cap : 4;
	m->rcpts = xrealloc(m->rcpts, (m->rcpt_cap + 1) * sizeof(*m->rcpts));
    }
    m->rcpts[m->nrcpt++] = addr;
    m->rcpts[m->nrcpt] = NULL;
    pipeline_view_sync(pc);
    event_fire(pc->p->events, "msg:rcpt", addr, pc->facts, NULL);
    if (a != VERDICT_CONTINUE) {
	pipeline_msg_summary(pc, v);
	pipeline_msg_end(pc);
    }
    return a;
}

/* pipeline_count - add n bytes to the message size; 1 when it just became oversize */
static int pipeline_count(struct pipeline_conn *pc, unsigned long long n)
{
    struct check_msg *m = &pc->msg;

    m->size += n;
    if (m->view.oversize || pc->p->max_size <= 0 || m->size <= (unsigned long long) pc->p->max_size)
	return 0;
    m->view.oversize = 1;
    msg_info("%s: pipeline: message over milter.max_message_size (%lld bytes): "
	     "body checks skipped", *pc->queue_id ? pc->queue_id : "NOQUEUE", pc->p->max_size);
    return 1;
}

/* pipeline_header - one header field (value as the MTA sent it) */
int pipeline_header(struct pipeline_conn *pc, const char *name, const char *value)
{
    struct check_msg *m = &pc->msg;
    const char *why = NULL;
    int became;

    if (!m->active || name == NULL)
	return 0;
    if (value == NULL)
	value = "";
    if (strcasecmp(name, "Authentication-Results") == 0) {
	m->nar++;
	if (mail_ar_claims_id(value, strlen(value), pc->p->authserv_id)) {
	    if (m->nclaimed == m->claimed_cap) {
		m->claimed_cap = m->claimed_cap ? 2 * m->claimed_cap : 4;
		m->ar_claimed = xrealloc(m->ar_claimed, m->claimed_cap * sizeof(int));
	    }
	    m->ar_claimed[m->nclaimed++] = (int) m->nar;
	}
    }
    became = pipeline_count(pc, strlen(name) + strlen(value) + 4);	/* logs once */
    if (!m->hdrs_full && mail_hdrs_add(m->hdrs, name, value, &why) != 0) {
	m->hdrs_full = 1;
	if (!m->view.oversize) {	/* the field count limit */
	    m->view.oversize = became = 1;
	    msg_info("%s: pipeline: %s: header checks see the fields before it",
		     *pc->queue_id ? pc->queue_id : "NOQUEUE", why ? why : "header limit");
	}
    }
    return became;
}

/* pipeline_eoh - end of headers: checks register their body consumers */
int pipeline_eoh(struct pipeline_conn *pc, struct verdict *v)
{
    struct check_msg *m = &pc->msg;

    verdict_clear(v);
    if (!m->active)
	return pipeline_internal_error(pc, "end of headers outside a message", v);
    (void) pipeline_count(pc, 2);
    m->view.hdrs = m->hdrs;
    event_fire(pc->p->events, "msg:data", pc->queue_id, pc->facts, NULL);
    if (pipeline_hooks(pc, -1, NULL))
	return pipeline_internal_error(pc, "a check failed at end of headers", v);
    return VERDICT_CONTINUE;
}

/* pipeline_body - a body chunk, streamed to the registered consumers */
int pipeline_body(struct pipeline_conn *pc, const unsigned char *data, size_t len)
{
    struct check_msg *m = &pc->msg;

    if (!m->active || m->view.oversize) {
	m->size += len;
	return 0;
    }
    if (pipeline_count(pc, len))
	return 1;
    m->view.body_bytes += len;
    for (size_t i = 0; i < m->nbody; i++)
	m->body_fns[i].fn(m->body_fns[i].ctx, data, len);
    return 0;
}

/* pipeline_abort - drop the message in progress, if any */
void pipeline_abort(struct pipeline_conn *pc)
{
    if (!pc->msg.active)
	return;
    msg_debug("%s: pipeline: message aborted", *pc->queue_id ? pc->queue_id : "NOQUEUE");
    pipeline_msg_end(pc);
}

/* pipeline_msg_end - free everything of the message */
void pipeline_msg_end(struct pipeline_conn *pc)
{
    struct check_msg *m = &pc->msg;
    void **data = m->data;

    for (size_t i = 0; i < pc->p->nmods; i++)
	if (pc->p->mods[i]->msg_end) {
	    m->cur = i;
	    pc->p->mods[i]->msg_end(pc->p->states[i], m);
	}
    for (size_t i = 0; i < m->nrcpt; i++)
	free(m->rcpts[i]);
    free(m->rcpts);
    free(m->sender);
    free(m->ar_claimed);
    free(m->body_fns);
    pipeline_shared_free(m);
    mail_hdrs_free(&m->hdrs);
    verdict_clear(&m->hdr_ops);
    memset(data, 0, (pc->p->nmods + 1) * sizeof(void *));
    memset(m, 0, sizeof(*m));
    m->pc = pc;
    m->data = data;
    verdict_init(&m->hdr_ops);
    facts_reset_msg(pc->facts);
    free(pc->queue_id);
    pc->queue_id = xstrdup("");
    pipeline_view_sync(pc);
}

/* pipeline_conn_facts - the connection's facts (the message's until it ends) */
const struct facts *pipeline_conn_facts(const struct pipeline_conn *pc)
{
    return pc->facts;
}

/* check_facts - where a module writes its results */
struct facts *check_facts(struct check_msg *m)
{
    return m->pc->facts;
}

/* check_view - what a module may read */
const struct check_view *check_view(const struct check_msg *m)
{
    return &m->view;
}

/* check_data - the calling module's per-message slot */
void **check_data(struct check_msg *m)
{
    return &m->data[m->cur];
}

/* check_body_register - stream the body to fn from now on */
void check_body_register(struct check_msg *m,
			 void (*fn)(void *ctx, const unsigned char *data, size_t len), void *ctx)
{
    if (m->nbody == m->body_cap) {
	m->body_cap = m->body_cap ? 2 * m->body_cap : 4;
	m->body_fns = xrealloc(m->body_fns, m->body_cap * sizeof(*m->body_fns));
    }
    m->body_fns[m->nbody].fn = fn;
    m->body_fns[m->nbody++].ctx = ctx;
}

/* check_controls - enum rule_control bits set by rules so far */
unsigned check_controls(const struct check_msg *m)
{
    return m->controls;
}

/* check_verdict_header - a header change for the end of message */
void check_verdict_header(struct check_msg *m, enum verdict_hdr_op op, const char *name,
			  const char *value, int index)
{
    verdict_add_header(&m->hdr_ops, op, name, value, index);
}

/* check_verdict_del_rcpt - remove a recipient at end of message */
void check_verdict_del_rcpt(struct check_msg *m, const char *rcpt)
{
    verdict_del_rcpt(&m->hdr_ops, rcpt);
}
