/*
 * t/fuzz/outbound_proxy.c - fuzz target: PROXY protocol v1/v2 headers
 * (proxy_proto.h), fed as the daemon reads them: from the first byte,
 * growing to what the parser asks for. Checks the invariants: a header
 * is never longer than its version's limit nor than the input; an
 * incomplete answer asks for more than it was given; a refusal has a
 * reason; parsed addresses are INET or INET6.
 */
#include "config.h"
#include "outbound/proxy_proto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - the input is the first bytes of a connection */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ob_proxy_hdr h;
    const char *why;
    size_t len = size ? 1 : 0, need = 0;
    int r = 0;

    while (len <= size) {
	unsigned char *copy = malloc(len ? len : 1);	/* exact size: ASan sees overreads */

	memcpy(copy, data, len);
	r = ob_proxy_parse(copy, len, &h, &need, &why);
	free(copy);
	if (r != 0)
	    break;
	if (need <= len)
	    abort();
	if (need > 16 + OB_PROXY_V2_MAX)
	    abort();
	len = need;
    }
    if (r > 0) {
	if ((size_t) r > len || (h.version == 1 && r > OB_PROXY_V1_MAX)
	    || (h.version == 2 && r > 16 + OB_PROXY_V2_MAX))
	    abort();
	if (!h.local && (h.src.ss_family != h.dst.ss_family
			 || (h.src.ss_family != AF_INET && h.src.ss_family != AF_INET6)))
	    abort();
    } else if (r < 0 && (why == NULL || *why == 0)) {
	abort();
    }
    return 0;
}
