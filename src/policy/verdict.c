/*
 * NAME
 *	verdict.c - the outcome of a stage: action, SMTP reply, header changes
 * SYNOPSIS
 *	See verdict.h.
 * DESCRIPTION
 *	verdict_reply() owns the rules for SMTP replies, so every producer
 *	(rules, the pipeline's internal-error path) gets the same
 *	guarantees: a reject answers 5xx and a tempfail 4xx whatever the
 *	text says, enhanced status codes agree with the reply code class,
 *	the text holds no CR or control characters, each line fits an SMTP
 *	reply line (RFC 5321 4.5.3.1.5: 512 octets with code and CRLF) and
 *	there are at most VERDICT_MAX_LINES lines (libmilter's
 *	smfi_setmlreply limit).
 * DIAGNOSTICS
 *	None: allocation failure is fatal.
 * STANDARDS
 *	RFC 5321 4.2 and 4.5.3.1.5; RFC 3463; RFC 2034.
 */
#include "config.h"
#include "policy/verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail/dsn.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* verdict_init - an empty verdict: continue, no reply, no changes */
void verdict_init(struct verdict *v)
{
    memset(v, 0, sizeof(*v));
    v->action = VERDICT_CONTINUE;
}

/* verdict_clear - free everything a verdict holds and re-initialize it */
void verdict_clear(struct verdict *v)
{
    free(v->text);
    free(v->quarantine_reason);
    free(v->rule);
    for (size_t i = 0; i < v->nhdrs; i++) {
	free(v->hdrs[i].name);
	free(v->hdrs[i].value);
    }
    free(v->hdrs);
    for (size_t i = 0; i < v->ndel_rcpts; i++)
	free(v->del_rcpts[i]);
    free(v->del_rcpts);
    for (size_t i = 0; i < v->nlogs; i++)
	free(v->logs[i]);
    free(v->logs);
    verdict_init(v);
}

/* put_clean - append len bytes, control characters as spaces, UTF-8 safe cut */
static void put_clean(struct buf *b, const char *s, size_t len, size_t max)
{
    if (len > max) {
	len = max;
	/* do not cut a UTF-8 sequence in half */
	while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80)
	    len--;
    }
    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) s[i];
	buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : (char) c);
    }
}

/* reply_lines - text cleaned into at most VERDICT_MAX_LINES capped lines */
static char *reply_lines(const char *text, const char *deftext)
{
    struct buf b = BUF_INIT;
    size_t nlines = 0;

    while (*text && nlines < VERDICT_MAX_LINES) {
	size_t len = strcspn(text, "\n");
	size_t end = len;

	while (end > 0 && (text[end - 1] == '\r' || text[end - 1] == ' '))
	    end--;			/* CRLF line ends and trailing blanks */
	if (nlines++)
	    buf_putc(&b, '\n');
	put_clean(&b, text, end, VERDICT_LINE_MAX);
	text += len;
	if (*text == '\n')
	    text++;
    }
    if (b.len == 0)
	buf_puts(&b, deftext);
    return buf_steal(&b);
}

/* set_reply - the codes and text of a reject or tempfail */
static void set_reply(struct verdict *v, int cls, const char *text)
{
    const char *defcode = cls == 5 ? "550" : "451";
    const char *defx = cls == 5 ? "5.7.1" : "4.7.1";
    const char *deftext = cls == 5 ? "Rejected by policy" : "Try again later";
    struct mail_dsn_reply r;
    const char *why;

    snprintf(v->rcode, sizeof(v->rcode), "%s", defcode);
    snprintf(v->xcode, sizeof(v->xcode), "%s", defx);
    if (text == NULL)
	text = "";
    if (mail_dsn_reply_split(text, &r, &why) == 0) {
	/* a code of the wrong class is replaced: a reject never says 4xx */
	if (r.code && r.code / 100 == cls)
	    snprintf(v->rcode, sizeof(v->rcode), "%d", r.code);
	if (r.has_enh && r.enh.class_ == cls && strlen(r.enh.text) < sizeof(v->xcode))
	    memcpy(v->xcode, r.enh.text, strlen(r.enh.text) + 1);
	text = r.text;
    }
    free(v->text);
    v->text = reply_lines(text, deftext);
}

/* verdict_reply - set the action, with its SMTP reply or quarantine reason */
void verdict_reply(struct verdict *v, enum verdict_action action, const char *text)
{
    v->action = action;
    v->rcode[0] = v->xcode[0] = 0;
    free(v->text);
    v->text = NULL;
    switch (action) {
    case VERDICT_REJECT:
	set_reply(v, 5, text);
	break;
    case VERDICT_TEMPFAIL:
	set_reply(v, 4, text);
	break;
    case VERDICT_QUARANTINE:{
	    struct buf b = BUF_INIT;

	    if (text && *text)
		put_clean(&b, text, strlen(text), VERDICT_LINE_MAX);
	    free(v->quarantine_reason);
	    v->quarantine_reason = b.len ? buf_steal(&b) : xstrdup("quarantined by policy");
	    buf_free(&b);
	    break;
	}
    default:
	break;
    }
}

/* verdict_add_header - queue one header operation, in order */
void verdict_add_header(struct verdict *v, enum verdict_hdr_op op, const char *name,
			const char *value, int index)
{
    if (v->nhdrs == v->hdrs_cap) {
	v->hdrs_cap = v->hdrs_cap ? 2 * v->hdrs_cap : 8;
	v->hdrs = xrealloc(v->hdrs, v->hdrs_cap * sizeof(*v->hdrs));
    }
    v->hdrs[v->nhdrs].op = op;
    v->hdrs[v->nhdrs].name = xstrdup(name);
    v->hdrs[v->nhdrs].value = op == VERDICT_HDR_REMOVE || value == NULL ? NULL : xstrdup(value);
    v->hdrs[v->nhdrs].index = index;
    v->nhdrs++;
}

/* push_str - append a copy of s to a string array */
/* verdict_move_headers - append src's header changes to dst and take them out of src */
void verdict_move_headers(struct verdict *dst, struct verdict *src)
{
    for (size_t i = 0; i < src->nhdrs; i++) {
	verdict_add_header(dst, src->hdrs[i].op, src->hdrs[i].name, src->hdrs[i].value,
			   src->hdrs[i].index);
	free(src->hdrs[i].name);
	free(src->hdrs[i].value);
    }
    src->nhdrs = 0;
}

static void push_str(char ***arr, size_t *n, size_t *cap, const char *s)
{
    if (*n == *cap) {
	*cap = *cap ? 2 * *cap : 4;
	*arr = xrealloc(*arr, *cap * sizeof(**arr));
    }
    (*arr)[(*n)++] = xstrdup(s);
}

/* verdict_del_rcpt - remove one recipient from the message */
void verdict_del_rcpt(struct verdict *v, const char *rcpt)
{
    push_str(&v->del_rcpts, &v->ndel_rcpts, &v->del_cap, rcpt);
}

/* verdict_log - one log_message line, control characters as spaces */
void verdict_log(struct verdict *v, const char *line)
{
    struct buf b = BUF_INIT;

    put_clean(&b, line, strlen(line), VERDICT_LOG_MAX);
    push_str(&v->logs, &v->nlogs, &v->logs_cap, buf_str(&b));
    buf_free(&b);
}

/* verdict_action_name - "continue", "accept", "reject", ... */
const char *verdict_action_name(enum verdict_action a)
{
    switch (a) {
    case VERDICT_CONTINUE:
	return "continue";
    case VERDICT_ACCEPT:
	return "accept";
    case VERDICT_REJECT:
	return "reject";
    case VERDICT_TEMPFAIL:
	return "tempfail";
    case VERDICT_DISCARD:
	return "discard";
    case VERDICT_QUARANTINE:
	return "quarantine";
    }
    return "unknown";
}
