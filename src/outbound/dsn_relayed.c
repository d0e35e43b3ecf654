/*
 * NAME
 *	dsn_relayed.c - "relayed" DSNs (RFC 3461 6.2) sent by the proxy
 * DESCRIPTION
 *	See dsn_relayed.h.
 */
#include "config.h"
#include "outbound/dsn_relayed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc/report.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define DSN_HEADER_MAX	(64 * 1024)	/* header bytes returned at most */

/* dsn_param - the value of NAME= in a parameter list, or NULL (len in *len_r) */
static const char *dsn_param(const char *params, const char *name, size_t *len_r)
{
    size_t nl = strlen(name);

    for (const char *p = params; p && *p;) {
	size_t len = strcspn(p, " ");

	if (len > nl && strncasecmp(p, name, nl) == 0) {
	    *len_r = len - nl;
	    return p + nl;
	}
	p += len;
	while (*p == ' ')
	    p++;
    }
    return NULL;
}

/* ob_dsn_relayed_wanted - delivered to a next hop without DSN, NOTIFY has SUCCESS */
int ob_dsn_relayed_wanted(const struct ob_rcpt *r)
{
    size_t len;
    const char *v = dsn_param(r->params, "NOTIFY=", &len);

    if (!r->accepted || r->res.code < 200 || r->res.code >= 300 || r->out == NULL
	|| (r->out->ehlo.flags & OB_EHLO_DSN) || v == NULL)
	return 0;
    while (len > 0) {
	size_t w = 0;

	while (w < len && v[w] != ',')
	    w++;
	if (w == 7 && strncasecmp(v, "SUCCESS", 7) == 0)
	    return 1;
	v += w < len ? w + 1 : w;
	len -= w < len ? w + 1 : w;
    }
    return 0;
}

/* dsn_put_safe - text from the MTA or a next hop as one header-safe line */
static void dsn_put_safe(struct buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len && s[i]; i++)
	buf_putc(out, (unsigned char) s[i] >= 32 && (unsigned char) s[i] < 127 ? s[i] : ' ');
}

/* dsn_date - RFC 5322 date */
static void dsn_date(struct buf *out, time_t t)
{
    struct tm tm;
    char d[64];

    (void) localtime_r(&t, &tm);
    (void) strftime(d, sizeof(d), "%a, %d %b %Y %H:%M:%S %z", &tm);
    buf_printf(out, "%s", d);
}

/* dsn_recipient - the per-recipient fields and the text line of one recipient */
static void dsn_recipient(const struct ob_rcpt *r, struct buf *fields, struct buf *text,
			  time_t now)
{
    const struct ob_diag *d = &r->out->diag;
    const char *nl = strchr(r->res.text, '\n');
    size_t tlen = nl ? (size_t) (nl - r->res.text) : strlen(r->res.text), olen;
    const char *orcpt = dsn_param(r->params, "ORCPT=", &olen);

    buf_printf(fields, "\r\n");
    if (orcpt != NULL) {
	buf_printf(fields, "Original-Recipient: ");
	dsn_put_safe(fields, orcpt, olen);
	buf_printf(fields, "\r\n");
    }
    buf_printf(fields, "Final-Recipient: rfc822; ");
    dsn_put_safe(fields, r->addr, strlen(r->addr));
    buf_printf(fields, "\r\nAction: relayed\r\nStatus: %s\r\nRemote-MTA: dns; ",
	       r->res.enh[0] ? r->res.enh : "2.0.0");
    dsn_put_safe(fields, d->host, strlen(d->host));
    buf_printf(fields, "\r\nDiagnostic-Code: smtp; %d %s ", r->res.code, r->res.enh);
    dsn_put_safe(fields, r->res.text, tlen);
    buf_printf(fields, "\r\nLast-Attempt-Date: ");
    dsn_date(fields, now);
    buf_printf(fields, "\r\n");

    buf_printf(text, "<");
    dsn_put_safe(text, r->addr, strlen(r->addr));
    buf_printf(text, ">: relayed to ");
    dsn_put_safe(text, d->host, strlen(d->host));
    buf_printf(text, "[%s]:%d, which said: %d %s ", d->addr, d->port, r->res.code, r->res.enh);
    dsn_put_safe(text, r->res.text, tlen);
    buf_printf(text, "\r\n");
}

/* dsn_headers - the message's header section (up to the empty line), CRLF lines */
static void dsn_headers(struct ob_spool *sp, struct buf *out)
{
    char chunk[4096];
    size_t off = 0, start = out->len;
    ssize_t n;

    while (off < DSN_HEADER_MAX && (n = ob_spool_pread(sp, chunk, sizeof(chunk), off)) > 0) {
	if (off == 0 && (chunk[0] == '\n' || (n > 1 && chunk[0] == '\r' && chunk[1] == '\n')))
	    return;		/* an empty header section */
	buf_append(out, chunk, (size_t) n);
	off += (size_t) n;
	for (size_t i = start; i + 1 < out->len; i++)
	    if (out->data[i] == '\n' && (out->data[i + 1] == '\r' || out->data[i + 1] == '\n')) {
		out->len = i + 1;
		out->data[out->len] = 0;
		return;
	    }
    }
    if (out->len > start && out->data[out->len - 1] != '\n')
	buf_printf(out, "\r\n");
}

/* ob_dsn_relayed_build - the report for the transaction's relayed recipients */
size_t ob_dsn_relayed_build(const struct ob_txn *t, struct ob_spool *sp, time_t now,
			    struct buf *out)
{
    struct buf fields = BUF_INIT, text = BUF_INIT;
    const char *helo = t->set->helo_name;
    size_t n = 0;

    if (t->env.sender == NULL || *t->env.sender == 0)
	return 0;
    for (size_t i = 0; i < t->nrcpts; i++)
	if (ob_dsn_relayed_wanted(&t->rcpts[i])) {
	    dsn_recipient(&t->rcpts[i], &fields, &text, now);
	    n++;
	}
    if (n > 0) {
	buf_printf(out, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\nTo: <", helo);
	dsn_put_safe(out, t->env.sender, strlen(t->env.sender));
	buf_printf(out, ">\r\nSubject: Delivery Status Notification (relayed)\r\nDate: ");
	dsn_date(out, now);
	buf_printf(out, "\r\nMessage-ID: <%s.%lld.relayed@%s>\r\nAuto-Submitted: auto-replied\r\n"
		   "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
		   "report-type=delivery-status;\r\n\tboundary=\"%s.relayed/%s\"\r\n\r\n",
		   t->queue_id, (long long) now, helo, t->queue_id, helo);
	buf_printf(out, "--%s.relayed/%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
		   "This is mxguard-outbound at %s.\r\n\r\n"
		   "Your message was relayed to a mail server that does not offer delivery\r\n"
		   "status notifications (DSN): no further notice of its delivery will come\r\n"
		   "for these recipients.\r\n\r\n%s\r\n", t->queue_id, helo, helo, buf_str(&text));
	buf_printf(out, "--%s.relayed/%s\r\nContent-Type: message/delivery-status\r\n\r\n"
		   "Reporting-MTA: dns; %s\r\n", t->queue_id, helo, helo);
	if (t->env.envid != NULL) {
	    buf_printf(out, "Original-Envelope-Id: ");
	    dsn_put_safe(out, t->env.envid, strlen(t->env.envid));
	    buf_printf(out, "\r\n");
	}
	buf_printf(out, "Arrival-Date: ");
	dsn_date(out, now - (ob_now_ms() - t->t_start) / 1000);
	buf_printf(out, "\r\n%s\r\n--%s.relayed/%s\r\nContent-Type: text/rfc822-headers\r\n\r\n",
		   buf_str(&fields), t->queue_id, helo);
	dsn_headers(sp, out);
	buf_printf(out, "\r\n--%s.relayed/%s--\r\n", t->queue_id, helo);
    }
    buf_free(&fields);
    buf_free(&text);
    return n;
}

/* ob_dsn_relayed_send - build the report and pipe it to outbound.dsn_sendmail */
void ob_dsn_relayed_send(const struct ob_txn *t, struct ob_spool *sp)
{
    const char *cmd = conf_str(t->set->conf, "outbound.dsn_sendmail");
    struct buf msg = BUF_INIT;
    char *full, *why = NULL;
    size_t n = ob_dsn_relayed_build(t, sp, time(NULL), &msg);

    if (n == 0) {
	buf_free(&msg);
	return;
    }
    if (*cmd == 0) {
	msg_warn("%s: outbound: relayed DSN for <%s> (%zu recipient(s)) not sent: "
		 "outbound.dsn_sendmail is empty", t->queue_id, t->env.sender, n);
	buf_free(&msg);
	return;
    }
    full = xasprintf("%s -f '<>'", cmd);
    if (dmarc_report_pipe(full, &msg, &why) == 0) {
	msg_info("%s: outbound: relayed DSN sent to <%s> for %zu recipient(s): the next hop "
		 "has no DSN", t->queue_id, t->env.sender, n);
    } else {
	msg_warn("%s: outbound: relayed DSN to <%s> not sent: %s", t->queue_id, t->env.sender,
		 why ? why : "failed");
	free(why);
    }
    free(full);
    buf_free(&msg);
}
