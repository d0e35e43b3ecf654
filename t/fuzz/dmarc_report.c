/*
 * NAME
 *	t/fuzz/dmarc_report.c - history lines into aggregate reports
 * DESCRIPTION
 *	The input is taken as one day's history of a policy domain (the
 *	store value dmarc-report reads: lines of version 1 or 2) and built
 *	into a report in both formats, RFC 7489 and RFC 9990
 *	(dmarc_report_build: line splitting, grouping, DKIM ordering, IPv6
 *	expansion, XML escaping). Checks that the XML never holds a control
 *	character and that the counts of its records add up to the lines
 *	used.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "dmarc/report.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* check - the invariants of a built report */
static void check(const struct dmarc_report *r)
{
    unsigned long long sum = 0;

    for (size_t i = 0; i < r->xml_len; i++)
	if ((unsigned char) r->xml[i] < 0x20 && r->xml[i] != '\n')
	    abort();
    for (const char *p = r->xml; (p = strstr(p, "<count>")) != NULL; p += 7)
	sum += strtoull(p + 7, NULL, 10);
    if (sum != r->messages)
	abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct dmarc_report_opts o = {0};
    struct dmarc_report r;
    const char *why = NULL;

    o.org_name = "fuzz";
    o.email = "reports@fuzz.example";
    o.receiver = "fuzz.example";
    o.day = "2026-01-01";
    o.begin = 1767225600;
    o.end = o.begin + 86399;
    for (int fmt = 0; fmt < 2; fmt++) {
	o.rfc9990 = fmt;
	if (dmarc_report_build("example.com", (const char *) data, size, &o, &r, &why) == 0)
	    check(&r);
	dmarc_report_clear(&r);
    }
    return 0;
}
