/*
 * NAME
 *	t/fuzz/dmarc_forensic.c - fo= and ruf= of a DMARC record, the failure report builder
 * DESCRIPTION
 *	The input's first line is the record's fo= value (dmarc_fo_parse),
 *	its second line the ruf= list, split at commas into URIs as the
 *	failure report sender does (dmarc_report_uri: "mailto:addr!size");
 *	the rest is parsed as a header block whose fields, Subject and
 *	envelope sender go into a report (dmarc_forensic_due,
 *	dmarc_forensic_put_headers, dmarc_forensic_build). Checks that the
 *	report's own header block (up to the first empty line) has exactly
 *	the fields the builder writes: no input can add one.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "check/dmarc.h"
#include "dmarc/forensic.h"
#include "dmarc/report.h"
#include "mail/header.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* line - the next line of the input (NUL-terminated copy), advancing *p */
static char *line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t) (end - *p));
    const char *e = nl ? nl : end;
    char   *s = xstrndup(*p, (size_t) (e - *p));

    *p = nl ? nl + 1 : end;
    return s;
}

/* count_fields - the header fields of the report before its first empty line */
static size_t count_fields(const char *msg)
{
    size_t  n = 0;

    for (const char *p = msg; *p && !(p[0] == '\r' && p[1] == '\n'); ) {
	if (*p != ' ' && *p != '\t')
	    n++;
	p = strstr(p, "\r\n");
	if (p == NULL)
	    abort();
	p += 2;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *p = (const char *) data, *end = p + size;
    char   *fo = line(&p, end), *ruf = line(&p, end);
    struct mail_hdrs *h = mail_hdrs_alloc(0, 0);
    struct dmarc_forensic_in in = {0};
    struct dmarc_dkim dk = {"fail", "d.example", "s"};
    const struct mail_hdr *subj;
    struct buf hdrs = BUF_INIT, msg = BUF_INIT;
    size_t  used = 0;
    const char *why = NULL;
    unsigned fob = dmarc_fo_parse(fo);

    if (fob == 0 || (fob & ~(DMARC_FO_0 | DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S)))
	abort();
    for (const char *u = ruf; *u;) {
	size_t  ul = strcspn(u, ",");
	char   *addr = NULL;
	unsigned long long max = 0;

	if (dmarc_report_uri(u, ul, &addr, &max) == 0 && (addr == NULL || *addr == 0))
	    abort();
	free(addr);
	u += ul + (u[ul] == ',');
    }
    (void) mail_hdrs_parse(h, p, (size_t) (end - p), &used, &why);
    dmarc_forensic_put_headers(h, 512, &hdrs);
    subj = mail_hdrs_find(h, "Subject", 0);
    in.arrival = 1700000000;
    in.from = "Mail Delivery System <MAILER-DAEMON@mx.example>";
    in.reporter = fo;
    in.queue_id = ruf;
    in.mail_from = ruf;
    in.source_ip = fo;
    in.from_domain = fo;
    in.policy_domain = ruf;
    in.authres = ruf;
    in.subject = subj ? subj->unfolded : NULL;
    in.spf_result = "fail";
    in.dkim = &dk;
    in.ndkim = 1;
    in.headers = buf_str(&hdrs);
    dmarc_forensic_build(&in, dmarc_forensic_due(fob, &in) | DMARC_AF_DMARC, fo, &msg);
    /* From To Subject Date Message-ID Auto-Submitted MIME-Version Content-Type */
    if (count_fields(buf_str(&msg)) != 8)
	abort();
    buf_free(&msg);
    buf_free(&hdrs);
    mail_hdrs_free(&h);
    free(fo);
    free(ruf);
    return 0;
}
