/*
 * NAME
 *	ahead.c - RCPT arguments and the MTA's pipelined commands
 * DESCRIPTION
 *	See ahead.h. Pure functions: session_in.c uses them on its input
 *	buffer, t/fuzz/outbound_ahead.c on anything.
 */
#include "config.h"
#include "outbound/ahead.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xmalloc.h"

/* ob_mta_path - parse "<addr>" after FROM:/TO:; returns the rest (params) or NULL */
const char *ob_mta_path(const char *arg, char **addr_r)
{
    const char *lt, *gt;

    while (*arg == ' ')
	arg++;
    if (*arg != '<' || (gt = strchr(arg, '>')) == NULL)
	return NULL;
    lt = arg + 1;
    /* A source route "@a,@b:user@dom" is accepted and ignored (RFC 5321 4.1.2). */
    if (*lt == '@' && memchr(lt, ':', (size_t) (gt - lt)) != NULL)
	lt = (const char *) memchr(lt, ':', (size_t) (gt - lt)) + 1;
    for (const char *p = lt; p < gt; p++)
	if ((unsigned char) *p <= ' ' && *p != ' ')
	    return NULL;
    *addr_r = xstrndup(lt, (size_t) (gt - lt));
    gt++;
    while (*gt == ' ')
	gt++;
    return gt;
}

/* mta_rcpt_params - check NOTIFY=/ORCPT= and return them for the next hop */
static int mta_rcpt_params(const char *params, struct buf *out, struct buf *err_r)
{
    while (*params) {
	size_t len = strcspn(params, " ");

	if ((len > 7 && strncasecmp(params, "NOTIFY=", 7) == 0)
	    || (len > 6 && strncasecmp(params, "ORCPT=", 6) == 0)) {
	    if (out->len)
		buf_putc(out, ' ');
	    buf_append(out, params, len);
	} else {
	    buf_printf(err_r, "555 5.5.4 Unsupported option: %.*s", (int) (len > 64 ? 64 : len),
		       params);
	    return -1;
	}
	params += len;
	while (*params == ' ')
	    params++;
    }
    return 0;
}

/* ob_mta_rcpt_parse - the argument of RCPT: address and parameters, or the error reply */
int ob_mta_rcpt_parse(const char *arg, char **addr_r, struct buf *params, struct buf *err_r)
{
    const char *rest;

    *addr_r = NULL;
    if (strncasecmp(arg, "TO:", 3) != 0 || (rest = ob_mta_path(arg + 3, addr_r)) == NULL) {
	buf_printf(err_r, "501 5.5.4 Syntax: RCPT TO:<address>");
	return -1;
    }
    if (strchr(*addr_r, '@') == NULL || strrchr(*addr_r, '@')[1] == 0) {
	buf_printf(err_r, "501 5.1.3 Recipient address needs a domain");
	return -1;
    }
    return mta_rcpt_params(rest, params, err_r);
}

/* ob_ahead_scan - complete RCPT lines (and DATA) at the start of data */
void ob_ahead_scan(const char *data, size_t len_all, size_t line_max, struct ob_ahead *a)
{
    const char *p = data, *end = data + len_all;
    const char *nl;
    struct buf line = BUF_INIT, params = BUF_INIT, err = BUF_INIT;

    while (p < end && (nl = memchr(p, '\n', (size_t) (end - p))) != NULL) {
	size_t len = (size_t) (nl - p);
	char *addr = NULL, *arg;
	int bad;

	if (len > 0 && p[len - 1] == '\r')
	    len--;
	if (len >= line_max)
	    break;
	buf_reset(&line);
	buf_append(&line, p, len);
	p = nl + 1;
	arg = line.data + strcspn(line.data, " ");
	if (*arg)
	    *arg++ = 0;
	if (strcasecmp(line.data, "DATA") == 0) {
	    a->data = 1;
	    break;
	}
	if (strcasecmp(line.data, "RCPT") != 0)
	    break;
	buf_reset(&params);
	bad = ob_mta_rcpt_parse(arg, &addr, &params, &err) < 0;
	if (!bad)
	    ob_ahead_add(a, addr, buf_str(&params));
	free(addr);
	if (bad)
	    break;
    }
    buf_free(&line);
    buf_free(&params);
    buf_free(&err);
}
