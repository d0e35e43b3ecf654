/*
 * t/fuzz/mail_addr.c - fuzz target: RFC 5322 address lists, RFC 5321
 * paths, domain normalisation and the DMARC From-domain rule. Checks
 * that every mailbox has a local-part and that normalised domains are
 * stable (normalising again gives the same text).
 */
#include "config.h"
#include "mail/addr.h"
#include "mail/header.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_domain - a normalised domain normalises to itself */
static void check_domain(const char *d)
{
    char *again;
    const char *why;

    if (mail_domain_normalize(d, strlen(d), &again, &why) < 0 || strcmp(again, d) != 0)
	abort();
    free(again);
}

/* LLVMFuzzerTestOneInput - one fuzz input through the checks above */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mail_addr_list *list;
    struct mail_hdrs *hdrs;
    struct mail_mailbox mb;
    const char *why;
    char *str = xstrndup((const char *) data, size), *dom;

    if (mail_addr_list_parse((const char *) data, size, &list, &why) == 0) {
	for (size_t i = 0; i < list->count; i++) {
	    if (list->mb[i].local == NULL)
		abort();
	    if (list->mb[i].domain && !list->mb[i].literal)
		check_domain(list->mb[i].domain);
	}
	mail_addr_list_free(&list);
    } else if (why == NULL || list != NULL)
	abort();
    if (mail_addr_envelope_parse(str, &mb, &why) == 0) {
	if (mb.local == NULL)
	    abort();
	if (mb.domain && !mb.literal)
	    check_domain(mb.domain);
	mail_mailbox_clear(&mb);
    }
    if (mail_domain_normalize((const char *) data, size, &dom, &why) == 0) {
	check_domain(dom);
	free(dom);
    }
    hdrs = mail_hdrs_alloc(0, 0);
    (void) mail_hdrs_add_raw(hdrs, "From", 4, (const char *) data, size, &why);
    if (mail_addr_from_domain(hdrs, &dom, &why) == 0) {
	check_domain(dom);
	free(dom);
    } else if (dom != NULL || why == NULL)
	abort();
    mail_hdrs_free(&hdrs);
    free(str);
    return 0;
}
