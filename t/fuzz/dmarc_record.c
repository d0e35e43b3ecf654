/*
 * NAME
 *	t/fuzz/dmarc_record.c - DMARC records, the suffix list, AAR values
 * DESCRIPTION
 *	The input is taken as the TXT answer of a _dmarc lookup (split into
 *	records at newlines) and goes the production path: record selection
 *	(v=DMARC1 first, exactly one), our tag reader (np, psd, t, rua, ruf,
 *	fo) and libopendmarc's opendmarc_policy_parse_dmarc. The same bytes
 *	are then parsed as a public suffix list, which is asked for the
 *	organizational domain of a few fixed names and of the input's first
 *	line, and read as an ARC-Authentication-Results value by the trusted
 *	sealer override.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "check/dmarc.h"
#include "check/dmarc_int.h"
#include "dns/dns.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* fuzz_answer - a TXT answer with one record per input line */
static struct dns_answer *fuzz_answer(const char *s, size_t len)
{
    struct dns_answer *a = xcalloc(1, sizeof(*a));
    size_t  cap = 0;

    a->status = DNS_FOUND;
    for (size_t i = 0; i <= len && a->count < 16;) {
	const char *nl = memchr(s + i, '\n', len - i);
	size_t  e = nl ? (size_t) (nl - s) : len;

	if (a->count == cap) {
	    cap = cap ? cap * 2 : 4;
	    a->rrs = xrealloc(a->rrs, cap * sizeof(*a->rrs));
	}
	memset(&a->rrs[a->count], 0, sizeof(a->rrs[0]));
	a->rrs[a->count].type = DNS_T_TXT;
	a->rrs[a->count].name = xstrdup("_dmarc.fuzz.example");
	a->rrs[a->count].u.txt.text = xstrndup(s + i, e - i);
	a->rrs[a->count].u.txt.len = strlen(a->rrs[a->count].u.txt.text);
	a->count++;
	i = e + 1;
    }
    return a;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *s = (const char *) data, *txt, *why;
    struct dns_answer *a = fuzz_answer(s, size);
    struct dmarc_record rec;
    struct dmarc_psl *psl;
    static const char *const names[] = {"a.b.example.com", "x.co.uk", "com", "a.b.c.d.e"};
    const char *nl = memchr(s, '\n', size);
    char   *first = xstrndup(s, nl ? (size_t) (nl - s) : size);
    int     inst;

    if (dmarc_record_select(a, &txt, &why) == 1
	&& dmarc_record_parse("fuzz.example", txt, strlen(txt), &rec, &why) == 0)
	dmarc_record_clear(&rec);
    for (size_t i = 0; i < a->count; i++)
	if (dmarc_record_parse("fuzz.example", a->rrs[i].u.txt.text, a->rrs[i].u.txt.len,
			       &rec, &why) == 0)
	    dmarc_record_clear(&rec);
    dns_answer_free(&a);
    psl = dmarc_psl_parse(s, size);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
	(void) dmarc_psl_org(psl, names[i]);
    if (*first && strlen(first) < 250)
	(void) dmarc_psl_org(psl, first);
    dmarc_psl_free(&psl);
    (void) dmarc_aar_vouches(s, size, "example.com", "example.com", &inst);
    free(first);
    return 0;
}
