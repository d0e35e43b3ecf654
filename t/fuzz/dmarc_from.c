/*
 * NAME
 *	t/fuzz/dmarc_from.c - the From domain and the dkim_results fact
 * DESCRIPTION
 *	The input is a header block (LF or CRLF lines) as a message brings
 *	it: parsed by mail_hdrs_parse, then the DMARC From rule (exactly one
 *	From with one mailbox with a domain, RFC 7489 6.6.1) picks the
 *	domain or the nofrom reason; OpenDMARC crashed here on "From:"
 *	values without a domain (CVE-2021-34555). The same bytes are parsed
 *	as a dkim_results fact ("RESULT:DOMAIN:SELECTOR" tokens).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "check/dmarc.h"
#include "mail/header.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct mail_hdrs *h = mail_hdrs_alloc(256, 65536);
    const char *why = NULL;
    char   *dom = NULL, *text;
    struct dmarc_dkim *k = NULL;
    size_t  n = 0, used = 0;

    (void) mail_hdrs_parse(h, (const char *) data, size, &used, &why);
    if (dmarc_from_domain(h, &dom, &why) == 0 && (dom == NULL || *dom == 0))
	abort();			/* success must give a domain */
    free(dom);
    mail_hdrs_free(&h);
    text = xstrndup((const char *) data, size);
    dmarc_dkim_parse(text, &k, &n);
    for (size_t i = 0; i < n; i++)
	if (k[i].result == NULL || k[i].domain == NULL || k[i].selector == NULL)
	    abort();
    dmarc_dkim_free(&k, n);
    free(text);
    return 0;
}
