/*
 * t/fuzz/outbound_dsn_relayed.c - fuzz target: the "relayed" DSN
 * (dsn_relayed.h) from what the MTA controls. Input: the RCPT parameters
 * (NOTIFY=, ORCPT=) up to the first newline, the ENVID up to the second,
 * the rest is the message. Checks: a report is written exactly when the
 * recipient's NOTIFY has SUCCESS; everything before the returned header
 * is 7-bit text in CRLF lines (no control character from the input gets
 * into the report's fields).
 */
#include "config.h"
#include "outbound/dsn_relayed.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* field - the bytes up to the next newline, as a string; *p moves past it */
static char *field(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t) (end - *p));
    const uint8_t *stop = nl ? nl : end;
    char *s = xstrndup((const char *) *p, (size_t) (stop - *p));

    *p = nl ? nl + 1 : end;
    return s;
}

/* LLVMFuzzerTestOneInput - one transaction, one recipient delivered to a next hop without DSN */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    struct ob_settings set;
    struct ob_out out;
    struct ob_rcpt r;
    struct ob_txn t;
    struct ob_spool *sp = ob_spool_new(1 << 20, NULL);
    struct buf rep = BUF_INIT;
    size_t n, cut;
    const char *hdr;

    memset(&set, 0, sizeof(set));
    memset(&out, 0, sizeof(out));
    memset(&r, 0, sizeof(r));
    memset(&t, 0, sizeof(t));
    strcpy(set.helo_name, "out.fuzz.test");
    strcpy(out.diag.host, "mx.fuzz.test");
    strcpy(out.diag.addr, "192.0.2.1");
    out.diag.port = 25;
    r.params = field(&p, end);
    t.env.envid = field(&p, end);
    r.addr = xstrdup("rcpt@fuzz.test");
    r.out = &out;
    r.accepted = 1;
    r.res.code = 250;
    strcpy(r.res.enh, "2.0.0");
    strcpy(r.res.text, "Ok");
    t.set = &set;
    t.env.sender = "sender@fuzz.test";
    strcpy(t.queue_id, "FUZZ1");
    t.rcpts = &r;
    t.nrcpts = 1;
    (void) ob_spool_write(sp, p, (size_t) (end - p));
    n = ob_dsn_relayed_build(&t, sp, 0, &rep);
    if (n != (size_t) ob_dsn_relayed_wanted(&r))
	abort();
    hdr = n ? strstr(rep.data, "Content-Type: text/rfc822-headers\r\n") : NULL;
    if (n && hdr == NULL)
	abort();
    cut = hdr ? (size_t) (hdr - rep.data) : 0;
    for (size_t i = 0; i < cut; i++) {
	unsigned char c = (unsigned char) rep.data[i];

	if (c >= 127 || (c < 32 && c != '\r' && c != '\n' && c != '\t'))
	    abort();
	if ((c == '\n') != (i > 0 && rep.data[i - 1] == '\r' && c == '\n'))
	    abort();
	if (c == '\r' && (i + 1 >= rep.len || rep.data[i + 1] != '\n'))
	    abort();
    }
    buf_free(&rep);
    ob_spool_free(&sp);
    free(r.params);
    free(r.addr);
    free((char *) t.env.envid);
    return 0;
}
