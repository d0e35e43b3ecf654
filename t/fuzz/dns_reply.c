/*
 * NAME
 *	dns_reply - fuzz target for dns_reply_parse()
 * DESCRIPTION
 *	The first byte picks the query type (A AAAA MX TXT PTR CNAME TLSA),
 *	the rest is a reply. It is parsed twice: accepting its own question
 *	(qname NULL, the deepest path) and against a fixed name. Every field
 *	of every record is touched so the sanitizers see bad pointers.
 */
#include "config.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum dns_type types[] = {
    DNS_T_A, DNS_T_AAAA, DNS_T_MX, DNS_T_TXT, DNS_T_PTR, DNS_T_CNAME, DNS_T_TLSA,
};

/* touch - read every byte the answer points to */
static size_t touch(const struct dns_answer *a)
{
    size_t n = strlen(a->canonical ? a->canonical : "") + strlen(a->reason ? a->reason : "");

    for (size_t i = 0; i < a->count; i++) {
	const struct dns_rr *rr = &a->rrs[i];
	n += strlen(rr->name);
	switch (rr->type) {
	case DNS_T_CNAME:
	case DNS_T_PTR:
	    n += strlen(rr->u.target);
	    break;
	case DNS_T_MX:
	    n += strlen(rr->u.mx.exchange) + rr->u.mx.pref;
	    break;
	case DNS_T_TXT:
	    for (size_t j = 0; j <= rr->u.txt.len; j++)
		n += (unsigned char) rr->u.txt.text[j];
	    break;
	case DNS_T_TLSA:
	    for (size_t j = 0; j < rr->u.tlsa.len; j++)
		n += rr->u.tlsa.data[j];
	    break;
	default:
	    n += rr->u.addr[0] + rr->u.addr[15];
	    break;
	}
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_answer *a = NULL;
    volatile size_t sink = 0;

    if (size < 1)
	return 0;
    enum dns_type t = types[data[0] % (sizeof(types) / sizeof(types[0]))];
    dns_reply_parse(data + 1, size - 1, NULL, t, &a);
    sink += touch(a);
    dns_answer_free(&a);
    dns_reply_parse(data + 1, size - 1, "example.test", t, &a);
    sink += touch(a);
    dns_answer_free(&a);
    (void) sink;
    return 0;
}
