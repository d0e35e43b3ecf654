/*
 * t/fuzz/outbound_rtls_header.c - fuzz target: the REQUIRETLS header
 * scanner (requiretls.h), fed any bytes as a message header section.
 * Checks the invariants: only the two known flags come back; a scan
 * never looks past the first empty line (appending anything after an
 * added empty line changes nothing); the mode follows the flags
 * (REQUIRETLS wins over TLS-Required: No).
 */
#include "config.h"
#include "outbound/requiretls.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one header section */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned f = ob_rtls_header_scan((const char *) data, size);
    char *more;

    if (f & ~(OB_RTLS_HDR_REQUIRE | OB_RTLS_HDR_NO))
	abort();
    if (ob_rtls_mode(1, f, 1) != OB_RTLS_REQUIRE)
	abort();
    if (ob_rtls_mode(0, f, 0) != ((f & OB_RTLS_HDR_NO) ? OB_RTLS_NOTLS : OB_RTLS_NORMAL))
	abort();
    /* the header ends at the empty line: the body cannot add a tag */
    if (size > 0 && data[size - 1] == '\n') {
	static const char body[] = "\nTLS-Required: No\nRequire-TLS-ESMTP: yes\n";

	more = malloc(size + sizeof(body));
	if (more == NULL)
	    return 0;
	memcpy(more, data, size);
	memcpy(more + size, body, sizeof(body) - 1);
	if (ob_rtls_header_scan(more, size + sizeof(body) - 1) != f)
	    abort();
	free(more);
    }
    return 0;
}
