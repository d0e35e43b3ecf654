/*
 * NAME
 *	dcc.c - the DCC check module: ask dccifd about each message
 * SYNOPSIS
 *	#include "check/dcc.h"
 *
 *	extern const struct check_module dcc_check_module;
 * DESCRIPTION
 *	Enabled by dcc.enabled. At end of headers the module registers a
 *	body consumer that copies the body into one per-message buffer
 *	(bounded by milter.max_message_size: the pipeline stops the body
 *	there and marks the message oversize, and an oversize message is
 *	not sent). The headers are not copied: the pipeline keeps them.
 *	Buffering the body, rather than streaming it to dccifd as it
 *	arrives, keeps the whole conversation inside dcc.timeout_ms at end
 *	of message whatever the speed of the SMTP client, and holds no
 *	dccifd connection (one of its worker threads) during a slow DATA.
 *
 *	At end of message: the envelope (dcc_request_envelope: dcc.options;
 *	the client address, replaced by the dcc.client_ip_override entry of
 *	the HELO name when there is one; the verified client name; HELO;
 *	sender; recipients with their local parts as user names), then the
 *	lines of $acl_m_dcc_add_header as extra header lines (unchecked,
 *	as Exim does), the message headers and the body go to dccifd.
 *	Facts, as Exim: dcc = accept (A, S), fail (R, G) or defer (T),
 *	dcc_result (the letter), dcc_header ("Name: value" of the X-DCC
 *	header, unfolded). With dcc.direct_add_header the header is added
 *	at the end of the header (a milter can only add at the end or
 *	insert at an index; see mxguard.conf(5)). With dcc.per_recipient
 *	and the answer S, every recipient whose letter is R or G is
 *	removed from the message (logged one line per recipient); when
 *	that would remove all of them, the result is fail.
 *
 *	dccifd unreachable, too slow (dcc.timeout_ms) or answering garbage:
 *	dcc = defer (a rule tempfails the message), or with dcc.defer_ok
 *	the check is skipped (no dcc fact) and the reason logged.
 *
 *	dcc.client_ip_override is "file:/path" with lines "helo-name: address"
 *	(or "helo-name address"; '#' comments), read at each config load.
 * DIAGNOSTICS
 *	Hooks return 0 (dccifd's failures are facts, never internal errors).
 *	init: NULL with "FILE:LINE: dcc.KEY: why" lines for bad settings.
 * STANDARDS
 *	dccifd(8); Exim's experimental DCC support (spec chapter "DCC").
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libconfig.h>

#include "check/dcc.h"
#include "conf/conf.h"
#include "mail/header.h"
#include "pipeline/check.h"
#include "pipeline/pipeline.h"
#include "util/cidr.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static const char *const dcc_words[] = {"accept", "fail", "defer", NULL};

static const struct fact_def dcc_defs[] = {
    {"dcc", FACT_WORD, FACT_STAGE_DATA, dcc_words,
     "DCC result: accept (dccifd A or S), fail (R or G), defer (T, or dccifd failed)"},
    {"dcc_result", FACT_TEXT, FACT_STAGE_DATA, NULL, "dccifd's overall result letter"},
    {"dcc_header", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "the X-DCC header field dccifd returned, unfolded"},
};

static const struct fact_table dcc_fact_table = {"dcc", dcc_defs,
    sizeof(dcc_defs) / sizeof(dcc_defs[0])};

struct dcc_override {
    char *helo;
    char *addr;
};

struct dcc_state {
    struct dcc_addr addr;
    char *options;
    int timeout_ms;
    int defer_ok;
    int add_header;
    int per_rcpt;
    struct dcc_override *ov;
    size_t nov;
};

struct dcc_msg {
    struct buf body;
};

/* dcc_conf_error - "FILE:LINE: key: why" */
static void dcc_conf_error(const struct conf *c, const char *key, const char *why,
			   struct buf *errors_r)
{
    const config_setting_t *set = conf_setting(c, key);
    const char *file = set ? config_setting_source_file(set) : NULL;

    buf_printf(errors_r, "%s:%u: %s: %s\n", file ? file : conf_path(c) ? conf_path(c) : "config",
	       set ? config_setting_source_line(set) : 0, key, why);
}

/* dcc_override_load - "helo: address" lines; 0 ok, -1 with errors */
static int dcc_override_load(struct dcc_state *s, const char *spec, struct buf *why)
{
    FILE *fp;
    char line[1024];
    unsigned lineno = 0;

    if (*spec == 0)
	return 0;
    if (strncmp(spec, "file:", 5) != 0) {
	buf_puts(why, "must be \"file:/path\"");
	return -1;
    }
    if ((fp = fopen(spec + 5, "r")) == NULL) {
	buf_printf(why, "cannot open %s", spec + 5);
	return -1;
    }
    while (fgets(line, sizeof(line), fp)) {
	char *p = line, *name, *addr, *end;
	struct cidr a;

	lineno++;
	p[strcspn(p, "#\r\n")] = 0;
	p += strspn(p, " \t");
	if (*p == 0)
	    continue;
	name = p;
	p += strcspn(p, " \t:");
	if (*p == ' ' || *p == '\t') {	/* "name address" or "name : address" */
	    *p++ = 0;
	    p += strspn(p, " \t");
	}
	if (*p == ':')
	    *p++ = 0;
	p += strspn(p, " \t");
	addr = p;
	end = addr + strcspn(addr, " \t");
	if (*name == 0 || *addr == 0 || end[strspn(end, " \t")] != 0) {
	    buf_printf(why, "%s:%u: expected \"helo-name: address\"", spec + 5, lineno);
	    fclose(fp);
	    return -1;
	}
	*end = 0;
	if (cidr_addr_parse(addr, &a) != 0) {
	    buf_printf(why, "%s:%u: not an IP address: %s", spec + 5, lineno, addr);
	    fclose(fp);
	    return -1;
	}
	s->ov = xrealloc(s->ov, (s->nov + 1) * sizeof(*s->ov));
	s->ov[s->nov].helo = xstrdup(name);
	s->ov[s->nov++].addr = xstrdup(addr);
    }
    fclose(fp);
    return 0;
}

/* dcc_fini - free the state */
static void dcc_fini(void *state)
{
    struct dcc_state *s = state;

    for (size_t i = 0; i < s->nov; i++) {
	free(s->ov[i].helo);
	free(s->ov[i].addr);
    }
    free(s->ov);
    free(s->options);
    free(s);
}

/* dcc_init - settings of a config snapshot; NULL when disabled */
static void *dcc_init(const struct conf *c, struct pipeline_env *env, struct buf *errors_r)
{
    struct dcc_state *s;
    const char *why = NULL;
    struct buf ov = BUF_INIT;
    size_t before = errors_r->len;

    (void) env;
    if (!conf_bool(c, "dcc.enabled"))
	return NULL;
    s = xcalloc(1, sizeof(*s));
    if (dcc_addr_parse(conf_str(c, "dcc.address"), &s->addr, &why) != 0)
	dcc_conf_error(c, "dcc.address", why, errors_r);
    if (dcc_options_check(conf_str(c, "dcc.options"), &why) != 0)
	dcc_conf_error(c, "dcc.options", why, errors_r);
    if (dcc_override_load(s, conf_str(c, "dcc.client_ip_override"), &ov) != 0)
	dcc_conf_error(c, "dcc.client_ip_override", buf_str(&ov), errors_r);
    buf_free(&ov);
    s->options = xstrdup(conf_str(c, "dcc.options"));
    s->timeout_ms = (int) conf_int(c, "dcc.timeout_ms");
    s->defer_ok = conf_bool(c, "dcc.defer_ok");
    s->add_header = conf_bool(c, "dcc.direct_add_header");
    s->per_rcpt = conf_bool(c, "dcc.per_recipient");
    if (errors_r->len != before) {
	dcc_fini(s);
	return NULL;
    }
    return s;
}

/* dcc_needs - recipients may be removed */
static unsigned dcc_needs(void *state)
{
    const struct dcc_state *s = state;

    return s->per_rcpt ? PIPELINE_NEED_DELRCPT : 0;
}

/* dcc_body - one body chunk into the message's buffer */
static void dcc_body(void *ctx, const unsigned char *data, size_t len)
{
    struct dcc_msg *d = ctx;

    buf_append(&d->body, data, len);
}

/* dcc_eoh - start buffering the body */
static int dcc_eoh(void *state, struct check_msg *m)
{
    struct dcc_msg *d = xcalloc(1, sizeof(*d));

    (void) state;
    *check_data(m) = d;
    check_body_register(m, dcc_body, d);
    return 0;
}

/* dcc_client_ip - the address sent: the override of the HELO name, or the client's */
static const char *dcc_client_ip(const struct dcc_state *s, const struct check_view *v)
{
    for (size_t i = 0; v->helo && i < s->nov; i++)
	if (strcasecmp(s->ov[i].helo, v->helo) == 0)
	    return s->ov[i].addr;
    return v->client_addr;
}

/* dcc_head - envelope, extra header lines, message header, empty line */
static void dcc_head(const struct dcc_state *s, struct check_msg *m, struct buf *head)
{
    const struct check_view *v = check_view(m);
    const char **users = xcalloc(v->nrcpt + 1, sizeof(char *));
    char **owned = xcalloc(v->nrcpt + 1, sizeof(char *));
    const char *extra = facts_get(check_facts(m), "acl_m_dcc_add_header");
    struct dcc_request req = {s->options, dcc_client_ip(s, v),
	v->client_name && v->client_name[0] != '[' ? v->client_name : NULL,
	v->helo ? v->helo : "", v->sender, v->rcpts, users, v->nrcpt};

    for (size_t i = 0; i < v->nrcpt; i++) {
	const char *at = strrchr(v->rcpts[i], '@');

	owned[i] = at ? xstrndup(v->rcpts[i], (size_t) (at - v->rcpts[i])) : NULL;
	users[i] = owned[i];
    }
    dcc_request_envelope(head, &req);
    for (size_t i = 0; i < v->nrcpt; i++)
	free(owned[i]);
    free(owned);
    free(users);
    if (extra && *extra) {		/* unchecked, as Exim: each line ends in CRLF */
	size_t n = strlen(extra);

	buf_append(head, extra, n);
	if (extra[n - 1] != '\n')
	    buf_puts(head, "\r\n");
    }
    for (size_t i = 0; v->hdrs && i < mail_hdrs_count(v->hdrs); i++)
	mail_hdr_raw_crlf(mail_hdrs_at(v->hdrs, i), head);
    buf_puts(head, "\r\n");
}

/* dcc_apply - facts, header and recipient removals of a parsed answer */
static void dcc_apply(const struct dcc_state *s, struct check_msg *m, const struct dcc_reply *r)
{
    const struct check_view *v = check_view(m);
    struct facts *f = check_facts(m);
    const char *qid = *v->queue_id ? v->queue_id : "NOQUEUE";
    char letter = r->result;
    size_t nbad = 0;

    for (size_t i = 0; i < v->nrcpt; i++)
	nbad += r->rcpt_letters[i] != 'A';
    if (letter == 'S' && s->per_rcpt && nbad == v->nrcpt && nbad > 0)
	letter = 'R';			/* nobody left to deliver to */
    facts_setf(f, FACT_MSG, "dcc_result", "%c", r->result);
    facts_set(f, FACT_MSG, "dcc", dcc_result_word(letter));
    msg_info("%s: dcc: dccifd answered %c (%s) recipients=%s", qid, r->result,
	     dcc_result_word(letter), r->rcpt_letters);
    if (r->hdr_name) {
	char *unf = mail_hdr_unfold(r->hdr_value, strlen(r->hdr_value));

	facts_setf(f, FACT_MSG, "dcc_header", "%s: %s", r->hdr_name, unf);
	free(unf);
	if (s->add_header) {		/* the blank after the colon is ours to give */
	    char *val = xasprintf(" %s", r->hdr_value);

	    check_verdict_header(m, VERDICT_HDR_ADD, r->hdr_name, val, 0);
	    free(val);
	}
    }
    if (letter != 'S' || !s->per_rcpt)
	return;
    for (size_t i = 0; i < v->nrcpt; i++)
	if (r->rcpt_letters[i] != 'A') {
	    msg_info("%s: dcc: recipient %s removed (dccifd: %c)", qid, v->rcpts[i],
		     r->rcpt_letters[i]);
	    check_verdict_del_rcpt(m, v->rcpts[i]);
	}
}

/* dcc_eom - the conversation with dccifd, then the facts */
static int dcc_eom(void *state, struct check_msg *m)
{
    const struct dcc_state *s = state;
    const struct check_view *v = check_view(m);
    struct dcc_msg *d = *check_data(m);
    const char *qid = *v->queue_id ? v->queue_id : "NOQUEUE", *why = NULL;
    struct buf head = BUF_INIT, reply = BUF_INIT;
    struct dcc_reply r;

    if (d == NULL || v->oversize) {
	msg_info("%s: dcc: message over milter.max_message_size: not sent to dccifd", qid);
	return 0;
    }
    dcc_head(s, m, &head);
    if (dcc_talk(&s->addr, s->timeout_ms, &head, &d->body, &reply, &why) == 0
	&& dcc_reply_parse(reply.data ? reply.data : "", reply.len, v->nrcpt, &r, &why) == 0) {
	dcc_apply(s, m, &r);
	dcc_reply_free(&r);
    } else if (s->defer_ok) {
	msg_warn("%s: dcc: dccifd %s: %s: check skipped (dcc.defer_ok)", qid, s->addr.text, why);
    } else {
	msg_warn("%s: dcc: dccifd %s: %s: dcc=defer", qid, s->addr.text, why);
	facts_set(check_facts(m), FACT_MSG, "dcc", "defer");
    }
    buf_free(&head);
    buf_free(&reply);
    buf_free(&d->body);		/* not needed any more */
    return 0;
}

/* dcc_msg_end - free the message's data */
static void dcc_msg_end(void *state, struct check_msg *m)
{
    struct dcc_msg *d = *check_data(m);

    (void) state;
    if (d == NULL)
	return;
    buf_free(&d->body);
    free(d);
    *check_data(m) = NULL;
}

const struct check_module dcc_check_module = {
    .name = "dcc",
    .facts = &dcc_fact_table,
    .init = dcc_init,
    .fini = dcc_fini,
    .on_eoh = dcc_eoh,
    .on_eom = dcc_eom,
    .msg_end = dcc_msg_end,
    .needs = dcc_needs,
};
