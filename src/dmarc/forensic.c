/*
 * NAME
 *	forensic.c - fo= options, which failures to report, the RFC 6591 report mail
 * SYNOPSIS
 *	#include "dmarc/forensic.h"
 *
 *	unsigned dmarc_fo_parse(const char *fo);
 *	unsigned dmarc_forensic_due(unsigned fo, const struct dmarc_forensic_in *in);
 *	void dmarc_forensic_build(const struct dmarc_forensic_in *in, unsigned failures,
 *				  const char *to, struct buf *out);
 *	void dmarc_forensic_put_headers(const struct mail_hdrs *hdrs, size_t max,
 *					struct buf *out);
 * DESCRIPTION
 *	See forensic.h. Pure functions (no I/O); the boundary of the
 *	multipart report has 16 random bytes, so no header line of the
 *	reported message can end the part early.
 * DIAGNOSTICS
 *	None.
 * STANDARDS
 *	RFC 6591 3.1, 3.2; RFC 5965 3.5 (field syntax), 3.2 (report parts);
 *	RFC 7489 6.3 (fo), 7.3; RFC 5322 3.3 (date).
 */
#include "config.h"
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <openssl/rand.h>
#include "check/dmarc.h"
#include "dmarc/forensic.h"
#include "mail/header.h"
#include "util/xmalloc.h"

#define FIELD_MAX	900	/* a report field's value from the message, at most */

/* dmarc_fo_parse - the fo= options as DMARC_FO_* bits */
unsigned dmarc_fo_parse(const char *fo)
{
    unsigned bits = 0;

    while (fo && *fo) {
	size_t  len = strcspn(fo, ":");
	const char *s = fo, *e = fo + len;

	while (s < e && isspace((unsigned char) *s))
	    s++;
	while (e > s && isspace((unsigned char) e[-1]))
	    e--;
	if (e - s == 1) {
	    switch (*s) {
	    case '0': bits |= DMARC_FO_0; break;
	    case '1': bits |= DMARC_FO_1; break;
	    case 'd': case 'D': bits |= DMARC_FO_D; break;
	    case 's': case 'S': bits |= DMARC_FO_S; break;
	    }
	}
	fo += len + (fo[len] == ':');
    }
    return bits ? bits : DMARC_FO_0;
}

/* word_is - s is one of the words */
static int word_is(const char *s, const char *const *words)
{
    for (; s && *words; words++)
	if (strcasecmp(s, *words) == 0)
	    return 1;
    return 0;
}

/* dkim_failed - the first DKIM signature that did not verify, or NULL */
static const struct dmarc_dkim *dkim_failed(const struct dmarc_forensic_in *in)
{
    static const char *const bad[] = {"fail", "permerror", "policy", "neutral", NULL};

    for (size_t i = 0; i < in->ndkim; i++)
	if (word_is(in->dkim[i].result, bad))
	    return &in->dkim[i];
    return NULL;
}

/* dmarc_forensic_due - the failures fo= asks a report for */
unsigned dmarc_forensic_due(unsigned fo, const struct dmarc_forensic_in *in)
{
    static const char *const spf_bad[] = {"fail", "softfail", "permerror", NULL};
    unsigned due = 0;

    if ((fo & DMARC_FO_0) && !in->spf_aligned && !in->dkim_aligned)
	due |= DMARC_AF_DMARC;
    if ((fo & DMARC_FO_1) && (!in->spf_aligned || !in->dkim_aligned))
	due |= DMARC_AF_DMARC;
    if ((fo & DMARC_FO_D) && dkim_failed(in))
	due |= DMARC_AF_DKIM;
    if ((fo & DMARC_FO_S) && word_is(in->spf_result, spf_bad))
	due |= DMARC_AF_SPF;
    return due;
}

/* put_value - a field value from outside: controls as spaces, at most FIELD_MAX bytes */
static void put_value(struct buf *b, const char *s)
{
    size_t  n = 0;

    for (; s && *s && n < FIELD_MAX; s++, n++)
	buf_putc(b, (unsigned char) *s < 0x20 || *s == 0x7f ? ' ' : *s);
}

/* put_field - "Name: value" CRLF, the value cleaned */
static void put_field(struct buf *b, const char *name, const char *value)
{
    buf_printf(b, "%s: ", name);
    put_value(b, value);
    buf_puts(b, "\r\n");
}

/* rfc5322_date - the date of t, UTC */
static void rfc5322_date(time_t t, char *out, size_t len)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* put_identity_alignment - the methods that produced an aligned pass */
static void put_identity_alignment(struct buf *b, const struct dmarc_forensic_in *in)
{
    buf_printf(b, "Identity-Alignment: %s\r\n",
	       in->dkim_aligned && in->spf_aligned ? "dkim, spf"
	       : in->dkim_aligned ? "dkim" : in->spf_aligned ? "spf" : "none");
}

/* put_feedback - the message/feedback-report part's fields */
static void put_feedback(struct buf *b, const struct dmarc_forensic_in *in, unsigned failures,
			 const char *date)
{
    const struct dmarc_dkim *bad = dkim_failed(in);

    buf_puts(b, "Feedback-Type: auth-failure\r\nUser-Agent: mxguard/" PACKAGE_VERSION "\r\n"
	     "Version: 1\r\n");
    if (in->queue_id && *in->queue_id)
	put_field(b, "Original-Envelope-Id", in->queue_id);
    buf_puts(b, "Original-Mail-From: <");
    put_value(b, in->mail_from);
    buf_puts(b, ">\r\n");
    put_field(b, "Arrival-Date", date);
    if (in->source_ip && *in->source_ip)
	put_field(b, "Source-IP", in->source_ip);
    put_field(b, "Reported-Domain", in->from_domain);
    if (in->authres && *in->authres)
	put_field(b, "Authentication-Results", in->authres);
    if (failures & DMARC_AF_DMARC)
	buf_puts(b, "Auth-Failure: dmarc\r\n");
    if ((failures & DMARC_AF_DKIM) && bad)
	buf_puts(b, "Auth-Failure: signature\r\n");
    if (failures & DMARC_AF_SPF)
	buf_puts(b, "Auth-Failure: spf\r\n");
    put_identity_alignment(b, in);
    if ((failures & DMARC_AF_DKIM) && bad) {
	put_field(b, "DKIM-Domain", bad->domain);
	if (bad->selector && *bad->selector)
	    put_field(b, "DKIM-Selector", bad->selector);
    }
}

/* failure_words - "DMARC, DKIM signature, SPF" for the text part */
static void failure_words(struct buf *b, unsigned failures)
{
    const char *sep = "";

    if (failures & DMARC_AF_DMARC) {
	buf_puts(b, "DMARC");
	sep = ", ";
    }
    if (failures & DMARC_AF_DKIM) {
	buf_printf(b, "%sDKIM signature", sep);
	sep = ", ";
    }
    if (failures & DMARC_AF_SPF)
	buf_printf(b, "%sSPF", sep);
}

/* has_8bit - a byte over 127 in s */
static int has_8bit(const char *s)
{
    for (; s && *s; s++)
	if ((unsigned char) *s > 0x7f)
	    return 1;
    return 0;
}

/* has_8bit_n - a byte over 127 in len bytes */
static int has_8bit_n(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
	if ((unsigned char) s[i] > 0x7f)
	    return 1;
    return 0;
}

/* put_body - the body with CRLF line ends, NULs and lone CRs as spaces, ending in CRLF */
static void put_body(struct buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
	if (s[i] == '\n')
	    buf_puts(out, "\r\n");
	else if (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n')
	    continue;
	else
	    buf_putc(out, s[i] == 0 || s[i] == '\r' ? ' ' : s[i]);
    }
    if (len && s[len - 1] != '\n')
	buf_puts(out, "\r\n");
}

/* dmarc_forensic_build - the report mail to one address */
void dmarc_forensic_build(const struct dmarc_forensic_in *in, unsigned failures,
			  const char *to, struct buf *out)
{
    unsigned char rnd[16];
    char    bnd[64], date[64], now[64];

    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
	memset(rnd, 0x5a, sizeof(rnd));
    strcpy(bnd, "=_dmarcfr_");
    for (size_t i = 0; i < sizeof(rnd); i++)
	snprintf(bnd + 10 + 2 * i, 3, "%02x", rnd[i]);
    rfc5322_date(in->arrival, date, sizeof(date));
    rfc5322_date(time(NULL), now, sizeof(now));
    put_field(out, "From", in->from);
    put_field(out, "To", to);
    buf_printf(out, "Subject: DMARC failure report for ");
    put_value(out, in->from_domain);
    if (in->subject) {
	buf_puts(out, ": ");
	put_value(out, in->subject);
    }
    buf_printf(out, "\r\nDate: %s\r\nMessage-ID: <%s@", now, bnd + 2);
    put_value(out, in->reporter);
    buf_printf(out, ">\r\nAuto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
	       "Content-Type: multipart/report; report-type=feedback-report;\r\n"
	       "\tboundary=\"%s\"\r\n\r\n", bnd);
    buf_printf(out, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
	       "This is an authentication failure report (RFC 6591) for a message\r\n"
	       "with the From domain ", bnd);
    put_value(out, in->from_domain);
    buf_puts(out, " (DMARC policy of ");
    put_value(out, in->policy_domain);
    buf_puts(out, "),\r\nreceived from ");
    put_value(out, in->source_ip && *in->source_ip ? in->source_ip : "an unknown address");
    buf_printf(out, " on %s by ", date);
    put_value(out, in->reporter);
    buf_puts(out, ".\r\nFailed: ");
    failure_words(out, failures);
    buf_puts(out, ".\r\n");
    if (in->body && in->body_truncated)
	buf_printf(out, "The message's body is cut after %zu bytes.\r\n", in->body_len);
    buf_printf(out, "\r\n--%s\r\nContent-Type: message/feedback-report\r\n\r\n", bnd);
    put_feedback(out, in, failures, date);
    buf_printf(out, "\r\n--%s\r\nContent-Type: %s\r\n", bnd,
	       in->body ? "message/rfc822" : "text/rfc822-headers");
    if (has_8bit(in->headers) || (in->body && has_8bit_n(in->body, in->body_len)))
	buf_puts(out, "Content-Transfer-Encoding: 8bit\r\n");
    buf_puts(out, "\r\n");
    if (in->headers)
	buf_puts(out, in->headers);
    if (in->body) {
	buf_puts(out, "\r\n");
	put_body(out, in->body, in->body_len);
    }
    buf_printf(out, "\r\n--%s--\r\n", bnd);
}

/* dmarc_forensic_put_headers - whole fields up to max bytes, CRLF, NULs as spaces */
void dmarc_forensic_put_headers(const struct mail_hdrs *hdrs, size_t max, struct buf *out)
{
    size_t  start = out->len;

    for (size_t i = 0; hdrs && i < mail_hdrs_count(hdrs); i++) {
	const struct mail_hdr *h = mail_hdrs_at(hdrs, i);
	size_t  mark = out->len;

	if (!h->has_colon)
	    continue;			/* not a field: could pose as a boundary */
	for (size_t k = 0; k < h->raw_len; k++) {
	    char    c = h->raw[k];

	    if (c == '\n')
		buf_puts(out, "\r\n");
	    else if (c == '\r' && k + 1 < h->raw_len && h->raw[k + 1] == '\n')
		continue;
	    else
		buf_putc(out, c == 0 || c == '\r' ? ' ' : c);
	}
	buf_puts(out, "\r\n");
	if (max && out->len - start > max) {
	    out->len = mark;		/* the field that does not fit, and the rest, left out */
	    out->data[out->len] = 0;
	    break;
	}
    }
}
