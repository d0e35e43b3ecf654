/*
 * NAME
 *	t/fuzz/dcc_reply.c - dccifd's answer parser
 * DESCRIPTION
 *	The first input byte (mod 8) is the number of recipients sent; the
 *	rest is dccifd's answer, given to dcc_reply_parse as the check module
 *	does. A parsed answer must be self-consistent: one of A R S G T, one
 *	letter per recipient out of A R G, a header name without blanks.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "check/dcc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct dcc_reply r;
    const char *why = NULL;
    size_t nrcpt;
    char *copy;

    if (size == 0)
	return 0;
    nrcpt = data[0] % 8;
    copy = malloc(size);		/* exact size: ASan sees any over-read */
    memcpy(copy, data + 1, size - 1);
    if (dcc_reply_parse(copy, size - 1, nrcpt, &r, &why) == 0) {
	if (strchr("ARSGT", r.result) == NULL || r.result == 0
	    || strlen(r.rcpt_letters) != nrcpt
	    || strspn(r.rcpt_letters, "ARG") != nrcpt
	    || (r.hdr_name && strpbrk(r.hdr_name, " \t\r\n:") != NULL))
	    abort();
	dcc_reply_free(&r);
    } else if (why == NULL)
	abort();
    free(copy);
    return 0;
}
