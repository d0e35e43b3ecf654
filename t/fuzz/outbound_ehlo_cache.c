/*
 * t/fuzz/outbound_ehlo_cache.c - fuzz target: EHLO cache entries
 * (ehlo_cache.h). The input is tried twice: as a stored entry (decode;
 * what decodes must encode and decode to the same capabilities) and as
 * an EHLO reply, line by line (parse; the result must survive the
 * store form unchanged).
 */
#include "config.h"
#include "outbound/ehlo_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* roundtrip - encode and decode must give c back */
static void roundtrip(const struct ob_ehlo_caps *c)
{
    struct buf enc = BUF_INIT;
    struct ob_ehlo_caps d;

    ob_ehlo_caps_encode(c, &enc);
    if (ob_ehlo_caps_decode(enc.data, enc.len, &d) != 0 || !ob_ehlo_caps_equal(c, &d))
	abort();
    buf_free(&enc);
}

/* LLVMFuzzerTestOneInput - an entry, then an EHLO reply */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *) data, *end = p + size;
    struct ob_ehlo_caps c;
    struct ob_reply r = { 0 };

    if (ob_ehlo_caps_decode(p, size, &c) == 0)
	roundtrip(&c);
    while (p < end) {
	const char *nl = memchr(p, '\n', (size_t) (end - p));
	size_t len = (size_t) ((nl ? nl : end) - p);
	int st = ob_reply_add_line(&r, p, len);

	if (st == 1) {
	    ob_ehlo_caps_parse(&r, &c);
	    roundtrip(&c);
	    ob_reply_reset(&r);
	} else if (st < 0) {
	    ob_reply_reset(&r);
	}
	p += len + (nl != NULL);
    }
    ob_reply_free(&r);
    return 0;
}
