/*
 * t/fuzz/outbound_sts_txt.c - fuzz target: the _mta-sts TXT record parser
 * (mta_sts_parse.h). Checks: a valid record starts with v=STSv1 and has
 * an id of 1 to 32 letters and digits; input without v=STSv1 leaves id
 * empty.
 */
#include "config.h"
#include "outbound/mta_sts_parse.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one TXT record's text */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char id[33];
    size_t n;

    memset(id, 'x', sizeof(id));
    if (ob_sts_txt_parse((const char *) data, size, id) < 0) {
	if (id[0] != 0 && size >= 7 && memcmp(data, "v=STSv1", 7) != 0)
	    abort();
	return 0;
    }
    if (size < 7 || memcmp(data, "v=STSv1", 7) != 0)
	abort();
    n = strnlen(id, sizeof(id));
    if (n == 0 || n > 32)
	abort();
    for (size_t i = 0; i < n; i++)
	if (!isalnum((unsigned char) id[i]))
	    abort();
    return 0;
}
