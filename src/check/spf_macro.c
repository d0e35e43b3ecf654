/*
 * NAME
 *	spf_macro - macro expansion of explanation text (RFC 7208 7)
 * SYNOPSIS
 *	#include "check/spf_int.h"
 *
 *	int spf_macro_expand(struct spf_dns_ctx *ctx, const char *text,
 *			     struct buf *out);
 * DESCRIPTION
 *	libspf2 1.2.10 mangles explanation strings (spaces come back as
 *	"%", macros after the first space stay unexpanded), so the text of
 *	exp= is expanded here, from the request libspf2 is evaluating
 *	(ctx->req: sender, current domain, HELO) and the client address.
 *	The text has passed spf_macro_syntax (explanation letters allowed).
 *	%{p} does its PTR and address lookups through the DNS layer,
 *	quietly (a failure there gives "unknown", never an error).
 * DIAGNOSTICS
 *	0 expanded, -1 a macro that cannot be expanded.
 * STANDARDS
 *	RFC 7208 7.1-7.4, 6.2; RFC 3986 2.3 (unreserved characters).
 */
#include "config.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <arpa/inet.h>
#include "check/spf_int.h"
#include "util/xmalloc.h"

/* spf_macro_ip - %{i}: dotted quad, or dotted nibbles for IPv6 */
static void spf_macro_ip(const struct spf_dns_ctx *ctx, struct buf *b)
{
    static const char hex[] = "0123456789abcdef";

    if (ctx->family == AF_INET) {
	buf_printf(b, "%u.%u.%u.%u", ctx->addr[0], ctx->addr[1], ctx->addr[2], ctx->addr[3]);
	return;
    }
    for (int i = 0; i < 16; i++)
	buf_printf(b, "%s%c.%c", i ? "." : "", hex[ctx->addr[i] >> 4], hex[ctx->addr[i] & 15]);
}

/* spf_macro_p - %{p}: a validated name of the client, or "unknown" */
static void spf_macro_p(struct spf_dns_ctx *ctx, struct buf *b)
{
    char rev[80], *first = NULL, *best = NULL;
    const char *dom = ctx->req->cur_dom;
    ns_type t = ctx->family == AF_INET ? ns_t_a : ns_t_aaaa;
    size_t alen = ctx->family == AF_INET ? 4 : 16, dl = strlen(dom), nl;
    SPF_dns_rr_t *ptr, *a;

    if (dns_reverse_name(ctx->family, ctx->addr, rev, sizeof(rev)) < 0) {
	buf_puts(b, "unknown");
	return;
    }
    ptr = spf_dns_query(ctx, rev, ns_t_ptr, SPF_Q_QUIET);
    for (int i = 0; ptr->herrno == NETDB_SUCCESS && i < ptr->num_rr && best == NULL; i++) {
	a = spf_dns_query(ctx, ptr->rr[i]->ptr, t, SPF_Q_QUIET);
	for (int j = 0; a->herrno == NETDB_SUCCESS && j < a->num_rr; j++) {
	    if (memcmp(a->rr[j], ctx->addr, alen) != 0)
		continue;
	    nl = strlen(ptr->rr[i]->ptr);
	    if (strcasecmp(ptr->rr[i]->ptr, dom) == 0
		|| (nl > dl && ptr->rr[i]->ptr[nl - dl - 1] == '.'
		    && strcasecmp(ptr->rr[i]->ptr + nl - dl, dom) == 0))
		best = ptr->rr[i]->ptr;
	    else if (first == NULL)
		first = ptr->rr[i]->ptr;
	    break;
	}
	SPF_dns_rr_free(a);
    }
    buf_puts(b, best ? best : first ? first : "unknown");
    SPF_dns_rr_free(ptr);
}

/* spf_macro_value - the raw value of one macro letter */
static int spf_macro_value(struct spf_dns_ctx *ctx, int letter, struct buf *b)
{
    SPF_request_t *r = ctx->req;
    char ip[INET6_ADDRSTRLEN];

    switch (tolower(letter)) {
    case 's': buf_puts(b, r->env_from ? r->env_from : ""); break;
    case 'l': buf_puts(b, r->env_from_lp ? r->env_from_lp : "postmaster"); break;
    case 'o': buf_puts(b, r->env_from_dp ? r->env_from_dp : ""); break;
    case 'd': buf_puts(b, r->cur_dom ? r->cur_dom : ""); break;
    case 'h': buf_puts(b, r->helo_dom ? r->helo_dom : "unknown"); break;
    case 'i': spf_macro_ip(ctx, b); break;
    case 'v': buf_puts(b, ctx->family == AF_INET ? "in-addr" : "ip6"); break;
    case 'p': spf_macro_p(ctx, b); break;
    case 'r': buf_puts(b, ctx->receiver && *ctx->receiver ? ctx->receiver : "unknown"); break;
    case 't': buf_printf(b, "%lld", (long long) time(NULL)); break;
    case 'c':
	inet_ntop(ctx->family, ctx->addr, ip, sizeof(ip));
	buf_puts(b, ip);
	break;
    default:
	return -1;
    }
    return 0;
}

/* spf_macro_transform - split, reverse, keep the rightmost N, join with "." */
static void spf_macro_transform(const char *v, int keep, int reverse, const char *delims,
				int upper, struct buf *out)
{
    char *copy = xstrdup(v), *parts[128], *p, *save = NULL;
    int n = 0, first, i;

    for (p = strtok_r(copy, delims, &save); p && n < 128; p = strtok_r(NULL, delims, &save))
	parts[n++] = p;
    if (reverse)
	for (i = 0; i < n / 2; i++) {
	    p = parts[i];
	    parts[i] = parts[n - 1 - i];
	    parts[n - 1 - i] = p;
	}
    first = keep > 0 && keep < n ? n - keep : 0;
    for (i = first; i < n; i++) {
	if (i > first)
	    buf_putc(out, '.');
	for (p = parts[i]; *p; p++) {
	    if (upper && !(isalnum((unsigned char) *p) || strchr("-._~", *p)))
		buf_printf(out, "%%%02X", (unsigned char) *p);
	    else
		buf_putc(out, *p);
	}
    }
    free(copy);
}

/* spf_macro_expand - expand an explanation macro-string into out */
int spf_macro_expand(struct spf_dns_ctx *ctx, const char *text, struct buf *out)
{
    struct buf val = BUF_INIT;
    char delims[8];
    const char *s = text;
    int letter, keep, reverse, nd;

    while (*s) {
	if (*s != '%') {
	    buf_putc(out, *s++);
	    continue;
	}
	switch (s[1]) {
	case '%': buf_putc(out, '%'); s += 2; continue;
	case '_': buf_putc(out, ' '); s += 2; continue;
	case '-': buf_puts(out, "%20"); s += 2; continue;
	case '{': break;
	default: buf_free(&val); return -1;
	}
	if ((letter = s[2]) == 0) {
	    buf_free(&val);
	    return -1;			/* "%{" at the end */
	}
	s += 3;
	for (keep = 0; isdigit((unsigned char) *s); s++)
	    if (keep <= 128)
		keep = keep * 10 + (*s - '0');
	reverse = (*s == 'r' || *s == 'R') ? (s++, 1) : 0;
	for (nd = 0; *s && *s != '}' && nd < (int) sizeof(delims) - 1; s++)
	    delims[nd++] = *s;
	delims[nd] = 0;
	if (*s != '}' || keep > 128) {
	    buf_free(&val);
	    return -1;
	}
	s++;
	buf_reset(&val);
	if (spf_macro_value(ctx, letter, &val) < 0) {
	    buf_free(&val);
	    return -1;
	}
	spf_macro_transform(buf_str(&val), keep, reverse, nd ? delims : ".",
			    isupper((unsigned char) letter), out);
    }
    buf_free(&val);
    return 0;
}
