/*
 * t/fuzz/outbound_ahead.c - fuzz target: the MTA's pipelined commands
 * (ahead.h). The input is what an MTA could have sent after its current
 * RCPT. Every recipient found must be what the command loop accepts: a
 * non-empty local@domain without control characters, parameters only
 * NOTIFY=/ORCPT=; DATA only after complete lines; each line also goes
 * through ob_mta_rcpt_parse alone.
 */
#include "config.h"
#include "outbound/ahead.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check - the invariants of one scanned recipient */
static void check(const char *addr, const char *params)
{
    const char *at = strrchr(addr, '@');

    if (at == NULL || at[1] == 0)
	abort();
    for (const char *p = addr; *p; p++)
	if ((unsigned char) *p < ' ')
	    abort();
    for (const char *p = params; *p;) {
	size_t len = strcspn(p, " ");

	if (strncasecmp(p, "NOTIFY=", 7) != 0 && strncasecmp(p, "ORCPT=", 6) != 0)
	    abort();
	p += len;
	if (*p == ' ')
	    p++;
    }
}

/* LLVMFuzzerTestOneInput - scan, then each line alone */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ob_ahead a = { 0 };
    struct buf line = BUF_INIT, params = BUF_INIT, err = BUF_INIT;
    const char *p = (const char *) data, *end = p + size;

    ob_ahead_scan(p, size, 2048, &a);
    for (size_t i = 0; i < a.n; i++)
	check(a.addrs[i], a.params[i]);
    if (a.data && memchr(p, '\n', size) == NULL)
	abort();
    ob_ahead_free(&a);
    while (p < end) {
	const char *nl = memchr(p, '\n', (size_t) (end - p));
	size_t len = (size_t) ((nl ? nl : end) - p);
	char *addr = NULL;

	buf_reset(&line);
	buf_append(&line, p, len);
	buf_reset(&params);
	buf_reset(&err);
	if (ob_mta_rcpt_parse(buf_str(&line), &addr, &params, &err) == 0)
	    check(addr, buf_str(&params));
	else if (err.len == 0)
	    abort();		/* a refusal always has its reply */
	free(addr);
	p += len + (nl != NULL);
    }
    buf_free(&line);
    buf_free(&params);
    buf_free(&err);
    return 0;
}
