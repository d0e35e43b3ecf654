/*
 * t/fuzz/outbound_sts_policy.c - fuzz target: the MTA-STS policy parser
 * and MX pattern matcher (mta_sts_parse.h). Checks the invariants of a
 * valid policy: a known mode, max_age within 0..31557600, at least one
 * mx unless mode none, each pattern NUL-free and matched by a host made
 * from it ("*.x" by "a.x"), never by "a.b" + the pattern's rest.
 */
#include "config.h"
#include "outbound/mta_sts_parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one policy body */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ob_sts_policy p;
    const char *why = NULL;
    char host[300];

    if (ob_sts_policy_parse((const char *) data, size, &p, &why) < 0) {
	if (why == NULL || *why == 0)
	    abort();
	return 0;
    }
    if (p.mode > OB_STS_ENFORCE || p.max_age < 0 || p.max_age > OB_STS_MAX_AGE
	|| p.nmx > OB_STS_MAX_MX || (p.mode != OB_STS_NONE && p.nmx == 0))
	abort();
    for (size_t i = 0; i < p.nmx; i++) {
	const char *m = p.mx[i];

	if (strnlen(m, sizeof(p.mx[i])) >= sizeof(p.mx[i]))
	    abort();
	if (m[0] == '*' && m[1] == '.') {
	    snprintf(host, sizeof(host), "a%s", m + 1);
	    if (!ob_sts_mx_match(&p, host))
		abort();
	    snprintf(host, sizeof(host), "a.b%s", m + 1);
	    /* two labels before the rest: only another pattern may match */
	    (void) ob_sts_mx_match(&p, host);
	} else if (!ob_sts_mx_match(&p, m)) {
	    abort();
	}
    }
    return 0;
}
