/*
 * NAME
 *	feed.c - feed a message file to a connection (mxguard check, tests, fuzzing)
 * SYNOPSIS
 *	#include "pipeline/pipeline.h"
 *
 *	int pipeline_message(struct pipeline_conn *pc, const char *data, size_t len,
 *			     const char **stage_r, struct verdict *v);
 * DESCRIPTION
 *	After MAIL and RCPT, pipeline_message() gives the pipeline a whole
 *	message (RFC 5322 bytes, CRLF or LF line ends) the way an MTA gives
 *	it to a milter: each header field with its value as received but
 *	with LF line ends (a value is cut at a NUL byte, as libmilter's C
 *	strings are), lines without a colon left out, end of headers, the
 *	body in 64 KiB chunks, end of message. The header block is split
 *	without limits; the pipeline applies its own, as in the daemon.
 * DIAGNOSTICS
 *	The action of the stage that decided (eoh or eom); *stage_r names
 *	it ("eoh" or "eom").
 * STANDARDS
 *	RFC 5322 2.1 and 2.2.
 */
#include "config.h"

#include <stdlib.h>

#include "mail/header.h"
#include "pipeline/pipeline.h"
#include "util/xmalloc.h"

#define PIPELINE_CHUNK	65536

/* pipeline_value_lf - a raw value as a milter gets it: CRLF as LF, up to a NUL */
static char *pipeline_value_lf(const struct mail_hdr *h)
{
    char *out = xmalloc(h->value_len + 1), *o = out;

    for (size_t i = 0; i < h->value_len && h->value[i]; i++)
	if (!(h->value[i] == '\r' && i + 1 < h->value_len && h->value[i + 1] == '\n'))
	    *o++ = h->value[i];
    *o = 0;
    return out;
}

/* pipeline_message - headers, body and end of message from a message file */
int pipeline_message(struct pipeline_conn *pc, const char *data, size_t len,
		     const char **stage_r, struct verdict *v)
{
    struct mail_hdrs *hdrs = mail_hdrs_alloc((size_t) -1, (size_t) -1);
    const char *why = NULL;
    size_t used = 0;
    int a;

    (void) mail_hdrs_parse(hdrs, data, len, &used, &why);	/* no limits: never fails */
    for (size_t i = 0; i < mail_hdrs_count(hdrs); i++) {
	const struct mail_hdr *h = mail_hdrs_at(hdrs, i);
	char *value;

	if (!h->has_colon)
	    continue;			/* not a field: an MTA would not pass it on */
	value = pipeline_value_lf(h);
	(void) pipeline_header(pc, h->name, value);
	free(value);
    }
    mail_hdrs_free(&hdrs);
    *stage_r = "eoh";
    if ((a = pipeline_eoh(pc, v)) != VERDICT_CONTINUE)
	return a;
    for (size_t off = used; off < len; off += PIPELINE_CHUNK)
	(void) pipeline_body(pc, (const unsigned char *) data + off,
			     len - off < PIPELINE_CHUNK ? len - off : PIPELINE_CHUNK);
    *stage_r = "eom";
    return pipeline_eom(pc, v);
}
