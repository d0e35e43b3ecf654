/*
 * NAME
 *	forensic - DMARC failure (forensic) reports, RFC 6591 format
 * SYNOPSIS
 *	#include "dmarc/forensic.h"
 *
 *	unsigned dmarc_fo_parse(const char *fo);
 *	unsigned dmarc_forensic_due(unsigned fo, const struct dmarc_forensic_in *in);
 *	void dmarc_forensic_build(const struct dmarc_forensic_in *in, unsigned failures,
 *				  const char *to, struct buf *out);
 *	void dmarc_forensic_put_headers(const struct mail_hdrs *hdrs, size_t max,
 *					struct buf *out);
 *
 *	struct dmarc_forensic *dmarc_forensic_new(const struct dmarc_forensic_conf *c);
 *	void dmarc_forensic_queue(struct dmarc_forensic *f, const struct dmarc_forensic_in *in,
 *				  unsigned failures, const char *ruf);
 *	void dmarc_forensic_flush(struct dmarc_forensic *f);
 *	void dmarc_forensic_counts(struct dmarc_forensic *f, struct dmarc_forensic_counts *r);
 *	void dmarc_forensic_free(struct dmarc_forensic **fp);
 * DESCRIPTION
 *	dmarc_fo_parse reads the fo= tag of a DMARC record (RFC 7489 6.3:
 *	a colon-separated list of 0, 1, d, s; white space around the
 *	options allowed, unknown options ignored) into DMARC_FO_* bits;
 *	NULL, an empty value or no known option is fo=0.
 *
 *	dmarc_forensic_due says which failures the record's fo= asks a
 *	report for: DMARC_AF_DMARC when fo=0 and neither SPF nor DKIM
 *	produced an aligned pass, or fo=1 and one of them did not;
 *	DMARC_AF_DKIM when fo=d and a DKIM signature did not verify
 *	(result fail, permerror, policy or neutral) whatever its d=;
 *	DMARC_AF_SPF when fo=s and SPF failed (fail, softfail, permerror)
 *	whatever the domain. 0: no report.
 *
 *	dmarc_forensic_build writes the report mail to one address (RFC
 *	6591, RFC 5965 2, RFC 7489 7.3): a multipart/report;
 *	report-type=feedback-report with a text/plain part, the
 *	message/feedback-report part (Feedback-Type: auth-failure,
 *	User-Agent, Version: 1, Original-Envelope-Id (the queue id),
 *	Original-Mail-From, Arrival-Date, Source-IP, Reported-Domain,
 *	Authentication-Results, one Auth-Failure field per failure
 *	(dmarc; signature for a DKIM failure, as RFC 6591 3.1 names it;
 *	spf), Identity-Alignment (none, dkim, spf or "dkim, spf"), and
 *	for a DKIM failure DKIM-Domain and DKIM-Selector), and the
 *	original header block as text/rfc822-headers, or with in->body the
 *	message as message/rfc822 (the header block, an empty line, the body
 *	with line ends as CRLF and NULs as spaces; a body cut at the
 *	configured size says so in the text part). Every field value
 *	taken from the message or the envelope has control characters
 *	replaced and is truncated, so a hostile message cannot add fields
 *	to the report. in->headers is already rendered (see
 *	dmarc_forensic_put_headers, which keeps the fields whole up to max
 *	bytes, CRLF line ends).
 *
 *	dmarc_forensic_new starts the sender: dmarc_forensic_queue builds
 *	one report per mailto: URI of ruf (after the record's own check
 *	that the URI parses) and queues it without waiting for any I/O
 *	(bounded queue, DMARC_FORENSIC_QUEUE reports); a thread checks the
 *	external destination authorization (RFC 7489 7.1, as for aggregate
 *	reports), the URI's !size limit, the per-destination rate limit
 *	(c->rate_limit reports per destination address per hour, counted in
 *	the store under "dmarc:ruf:HOUR:ADDRESS"; a store that cannot be
 *	read or written sends nothing, for a limit that cannot be checked
 *	is no limit), and pipes the report into c->sendmail with the
 *	envelope sender c->sender ("-f SENDER", "<>" for the null sender).
 *	Every outcome is counted (dmarc_forensic_counts) and failures are
 *	logged (the first, then every 100th). dmarc_forensic_free drains
 *	the queue and stops the thread.
 * DIAGNOSTICS
 *	None: failures are counted and logged, never returned to the mail.
 * STANDARDS
 *	RFC 6591 (auth-failure reports), RFC 5965 (ARF), RFC 7489 6.3 (fo,
 *	ruf), 7.1 (external destinations), 7.3 (failure reports); RFC 2046
 *	5.1, RFC 6522 (multipart/report), RFC 6522 text/rfc822-headers.
 */
#ifndef MXG_DMARC_FORENSIC_H
#define MXG_DMARC_FORENSIC_H
#include <stddef.h>
#include <time.h>
#include "util/buf.h"

struct dmarc_dkim;
struct mail_hdrs;
struct store;
struct dns_resolver;
struct dmarc_psl;

#define DMARC_FO_0	(1u << 0)
#define DMARC_FO_1	(1u << 1)
#define DMARC_FO_D	(1u << 2)
#define DMARC_FO_S	(1u << 3)

#define DMARC_AF_DMARC	(1u << 0)
#define DMARC_AF_DKIM	(1u << 1)
#define DMARC_AF_SPF	(1u << 2)

#define DMARC_FORENSIC_QUEUE	1000

struct dmarc_forensic_in {
    time_t  arrival;
    const char *from;		/* From: of the report */
    const char *reporter;	/* our host name (Message-ID, text) */
    const char *queue_id;	/* "" or NULL: unknown */
    const char *mail_from;	/* the envelope sender, "" for <> */
    const char *source_ip;
    const char *from_domain;	/* RFC 5322.From domain: Reported-Domain */
    const char *policy_domain;	/* the domain whose record asked for the report */
    const char *authres;	/* the Authentication-Results value */
    const char *subject;	/* of the message, or NULL */
    int     spf_aligned, dkim_aligned;
    const char *spf_result;	/* NULL: none */
    const struct dmarc_dkim *dkim;
    size_t  ndkim;
    const char *headers;	/* the header block, rendered */
    const char *body;		/* NULL: headers only; else body_len bytes */
    size_t  body_len;
    int     body_truncated;	/* the body was longer than what is kept */
};

struct dmarc_forensic_conf {
    const char *sendmail;	/* command, reads the message (-t) */
    const char *sender;		/* envelope sender, "" for <> */
    long    rate_limit;		/* per address and hour */
    struct store *store;	/* NULL: nothing is sent (no rate limit) */
    struct dns_resolver *resolver;
    const struct dmarc_psl *psl;
};

struct dmarc_forensic_counts {
    unsigned long long sent, failed, dropped, limited, refused;
};

struct dmarc_forensic;

unsigned dmarc_fo_parse(const char *fo);
unsigned dmarc_forensic_due(unsigned fo, const struct dmarc_forensic_in *in);
void dmarc_forensic_build(const struct dmarc_forensic_in *in, unsigned failures,
			  const char *to, struct buf *out);
void dmarc_forensic_put_headers(const struct mail_hdrs *hdrs, size_t max, struct buf *out);

struct dmarc_forensic *dmarc_forensic_new(const struct dmarc_forensic_conf *c);
void dmarc_forensic_queue(struct dmarc_forensic *f, const struct dmarc_forensic_in *in,
			  unsigned failures, const char *ruf);
void dmarc_forensic_flush(struct dmarc_forensic *f);
void dmarc_forensic_counts(struct dmarc_forensic *f, struct dmarc_forensic_counts *r);
void dmarc_forensic_free(struct dmarc_forensic **fp);

#endif
