/*
 * t/fuzz/outbound_reply.c - fuzz target: SMTP replies from a next hop
 * (reply.h) and the EHLO keyword parser, fed line by line as a server
 * would send them. Checks the invariants: a complete reply has a code
 * of 200-599, an enhanced code of the same class when any, text within
 * its bound; adding to a complete reply is refused.
 */
#include "config.h"
#include "outbound/reply.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - the invariants of a complete reply */
static void check(const struct ob_reply *r)
{
    struct ob_ehlo e;

    if (r->code < 200 || r->code > 599)
	abort();
    if (r->enh[0] && r->enh[0] - '0' != r->code / 100)
	abort();
    if (r->text.len > OB_REPLY_MAX_TEXT || r->lines > OB_REPLY_MAX_LINES)
	abort();
    if (ob_reply_add_line((struct ob_reply *) r, "250 x", 5) != -1)
	abort();
    if (ob_ehlo_parse(r, &e) != (r->code == 250 ? 0 : -1))
	abort();
    if (r->code != 250 && e.flags != 0)
	abort();
}

/* LLVMFuzzerTestOneInput - lines separated by LF (CR kept, as on the wire) */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ob_reply r = { 0 };
    const char *p = (const char *) data, *end = p + size;

    while (p < end) {
	const char *nl = memchr(p, '\n', (size_t) (end - p));
	size_t len = (size_t) ((nl ? nl : end) - p);
	int st = ob_reply_add_line(&r, p, len);

	if (st == 1) {
	    check(&r);
	    ob_reply_reset(&r);
	} else if (st < 0) {
	    ob_reply_reset(&r);
	}
	p = nl ? nl + 1 : end;
    }
    ob_reply_free(&r);
    return 0;
}
