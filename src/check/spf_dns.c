/*
 * NAME
 *	spf_dns - a libspf2 DNS layer over src/dns, with the RFC 7208 limits
 * SYNOPSIS
 *	#include "check/spf_int.h"
 *
 *	void spf_dns_init(struct spf_dns_ctx *ctx, struct dns_resolver *r,
 *			  int time_budget_ms);
 *	SPF_dns_server_t *spf_dns_server(struct spf_dns_ctx *ctx);
 *	SPF_dns_rr_t *spf_dns_query(struct spf_dns_ctx *ctx, const char *domain,
 *				    ns_type type, int flags);
 * DESCRIPTION
 *	libspf2 asks its SPF_dns_server_t for records and reads the answer's
 *	herrno. This layer answers every query through dns_lookup, so the
 *	configured servers, timeouts and cache apply, and maps our
 *	tri-state to libspf2's h_errno words: DNS_FOUND NETDB_SUCCESS,
 *	NXDOMAIN HOST_NOT_FOUND, NODATA NO_DATA, DNS_TEMP TRY_AGAIN (libspf2
 *	ends with temperror on TRY_AGAIN in every mechanism, never none).
 *	Type SPF (99) is never asked (RFC 7208 3.1): NO_DATA at once.
 *
 *	Limits libspf2 lacks or gets wrong are enforced here. More than
 *	SPF_TERM_LIMIT DNS-querying terms in the whole evaluation (libspf2
 *	counts per record, so includes reset it), more than SPF_VOID_LIMIT
 *	void lookups, an MX answer of more than SPF_MX_LIMIT names, or the
 *	query cap set ctx->perm and answer TRY_AGAIN so that libspf2 stops
 *	at once; spf.c turns the outcome into permerror. A PTR answer is cut
 *	to its first SPF_PTR_LIMIT names; a failed PTR lookup makes "ptr"
 *	not match, and a failed address lookup of one of its names skips
 *	that name (RFC 7208 4.6.4, 5.5). Names
 *	longer than 253 octets lose left labels (7.3); names that cannot be
 *	in the DNS (one label, a bad top label, bytes src/dns refuses) are
 *	not found, without a query. A name ending in "._mxg0" comes from
 *	a zero CIDR length (spf_syntax_rewrite): its real lookup decides, and
 *	any address found is answered as the client's own (so that /32 or
 *	/128 matches, as /0 would). The time budget is the dns_budget
 *	deadline (temperror).
 *
 *	get_spf replaces libspf2's record selection: it fetches the TXT
 *	records, keeps those that are exactly "v=spf1" or start with
 *	"v=spf1 ", runs the strict syntax check (spf_syntax.c) and compiles
 *	the rewritten record, so a broken record is a permerror and not
 *	libspf2's "not SPF" (which would read as none). get_exp fetches the
 *	exp= text and expands it with spf_macro_expand (libspf2 mangles
 *	spaces); several records, non-ASCII text, bad macros or a failed
 *	lookup give SPF_EXP_DEFAULT_MARK, replaced by our default in spf.c
 *	(RFC 7208 6.2). spf_dns_query with SPF_Q_QUIET is for lookups whose
 *	failure must not change the result (explanations, %{p}).
 * DIAGNOSTICS
 *	get_spf returns SPF_E_SUCCESS, SPF_E_NOT_SPF (no record: none at the
 *	top, permerror inside include/redirect), SPF_E_DNS_ERROR
 *	(temperror) or a syntax error code (permerror).
 * STANDARDS
 *	RFC 7208 3.1, 4.4 (record lookup), 4.5 (selection), 4.6.4 (limits),
 *	5, 6.2 (exp), 7.3; RFC 7505 (null MX).
 */
#include "config.h"
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include <netdb.h>
#include "check/spf_int.h"
#include "util/buf.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/* spf_now_ms - CLOCK_MONOTONIC in milliseconds */
static long long spf_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* spf_dns_type - libspf2's ns_type to ours; 0 for types we never ask */
static enum dns_type spf_dns_type(ns_type t)
{
    switch (t) {
    case ns_t_a: return DNS_T_A;
    case ns_t_aaaa: return DNS_T_AAAA;
    case ns_t_mx: return DNS_T_MX;
    case ns_t_ptr: return DNS_T_PTR;
    case ns_t_txt: return DNS_T_TXT;
    default: return 0;
    }
}

/* spf_dns_put - append one record of len bytes to a libspf2 answer */
static void spf_dns_put(SPF_dns_rr_t *rr, const void *data, size_t len, int text)
{
    int n = rr->num_rr;

    if (SPF_dns_rr_buf_realloc(rr, n, len + (text ? 1 : 0)) != SPF_E_SUCCESS)
	msg_fatal("spf: out of memory");
    memcpy(rr->rr[n]->txt, data, len);
    if (text)
	rr->rr[n]->txt[len] = 0;
    rr->num_rr = n + 1;
}

/* spf_dns_fill - copy our records into a libspf2 answer; zero: "_mxg0" */
static void spf_dns_fill(struct spf_dns_ctx *ctx, SPF_dns_rr_t *rr,
			 const struct dns_answer *ans, int zero)
{
    size_t i, len;
    char *t;

    rr->num_rr = 0;
    for (i = 0; i < ans->count; i++) {
	const struct dns_rr *r = &ans->rrs[i];

	switch (r->type) {
	case DNS_T_A:
	case DNS_T_AAAA:
	    len = r->type == DNS_T_A ? 4 : 16;
	    if (zero) {
		/* a zero CIDR length matches any address of the family */
		if ((r->type == DNS_T_A) == (ctx->family == AF_INET))
		    spf_dns_put(rr, ctx->addr, len, 0);
		return;
	    }
	    spf_dns_put(rr, r->u.addr, len, 0);
	    break;
	case DNS_T_MX:
	    if (*r->u.mx.exchange == 0)
		break;			/* null MX (RFC 7505): no host */
	    if (ctx->nmx < SPF_MX_LIMIT)
		snprintf(ctx->mx[ctx->nmx++], sizeof(ctx->mx[0]), "%s", r->u.mx.exchange);
	    if (zero) {
		t = xasprintf("%s.%s", r->u.mx.exchange, SPF_CIDR0_LABEL);
		spf_dns_put(rr, t, strlen(t), 1);
		free(t);
	    } else {
		spf_dns_put(rr, r->u.mx.exchange, strlen(r->u.mx.exchange), 1);
	    }
	    break;
	case DNS_T_PTR:
	    if (rr->num_rr >= SPF_PTR_LIMIT)
		break;			/* RFC 7208 4.6.4: the rest is ignored */
	    spf_dns_put(rr, r->u.target, strlen(r->u.target), 1);
	    if (ctx->nptr < SPF_PTR_LIMIT)
		snprintf(ctx->ptr[ctx->nptr++], sizeof(ctx->ptr[0]), "%s", r->u.target);
	    break;
	case DNS_T_TXT:
	    /* a NUL inside a record must not cut it short: make it invalid */
	    t = xstrndup(r->u.txt.text, r->u.txt.len);
	    for (len = 0; len < r->u.txt.len; len++)
		if (t[len] == 0)
		    t[len] = 0x01;
	    spf_dns_put(rr, t, r->u.txt.len, 1);
	    free(t);
	    break;
	default:
	    break;
	}
    }
}

/* spf_target_ok - can this name be in the DNS at all (RFC 7208 4.3, 7.3)? */
static int spf_target_ok(const char *name)
{
    size_t len = strlen(name);
    const char *top;
    size_t i, n;
    int alpha = 0;

    /* names src/dns cannot ask for (dns.h: "bad name"): not found; a blank
     * (from a macro) is a label byte, asked for with dns_lookup_blanks */
    for (top = name; *top; top++)
	if ((unsigned char) *top < ' ' || (unsigned char) *top >= 0x7f || *top == '\\')
	    return 0;
    if (!spf_domain_valid(name))
	return 0;
    if (name[len - 1] == '.')
	len--;
    for (top = name + len; top > name && top[-1] != '.'; top--)
	;
    n = (size_t) (name + len - top);
    if (top[0] == '-' || top[n - 1] == '-')
	return 0;
    for (i = 0; i < n; i++) {
	if (isalpha((unsigned char) top[i]) || top[i] == '-')
	    alpha = 1;
	else if (!isdigit((unsigned char) top[i]))
	    return 0;
    }
    return alpha;
}

/* spf_truncate_left - drop left labels until the name fits 253 octets (7.3) */
static void spf_truncate_left(char *name)
{
    size_t len = strlen(name);
    char *p = name;

    if (len > 0 && name[len - 1] == '.')
	name[--len] = 0;
    while (len > 253 && (p = strchr(p, '.')) != NULL) {
	p++;
	len = strlen(p);
    }
    if (p != name && p != NULL)
	memmove(name, p, len + 1);
}

/* spf_is_ptr_name - a name from the client's PTR answer? */
static int spf_is_ptr_name(const struct spf_dns_ctx *ctx, const char *name)
{
    for (int i = 0; i < ctx->nptr; i++)
	if (strcasecmp(ctx->ptr[i], name) == 0)
	    return 1;
    return 0;
}

/* spf_is_mx_name - a name from the last MX answer? */
static int spf_is_mx_name(const struct spf_dns_ctx *ctx, const char *name)
{
    for (int i = 0; i < ctx->nmx; i++)
	if (strcasecmp(ctx->mx[i], name) == 0)
	    return 1;
    return 0;
}

/* spf_count_term - count a DNS-querying term; 0 ok, -1 over the limit */
static int spf_count_term(struct spf_dns_ctx *ctx, const char *name, enum dns_type dt)
{
    /* the address lookups of an MX or PTR answer belong to its term */
    if ((dt == DNS_T_A || dt == DNS_T_AAAA)
	&& (spf_is_ptr_name(ctx, name) || spf_is_mx_name(ctx, name)))
	return 0;
    if (dt == DNS_T_MX)
	ctx->nmx = 0;
    if (++ctx->terms <= SPF_TERM_LIMIT)
	return 0;
    ctx->perm = 1;
    snprintf(ctx->problem, sizeof(ctx->problem), "more than %d DNS-querying terms",
	     SPF_TERM_LIMIT);
    return -1;
}

/* spf_dns_fail - note a temporary or permanent trouble (unless quiet) */
static void spf_dns_fail(struct spf_dns_ctx *ctx, int flags, int perm, const char *domain,
			 enum dns_type dt, const char *reason)
{
    if (flags & SPF_Q_QUIET)
	return;
    if (perm)
	ctx->perm = 1;
    else
	ctx->temp = 1;
    snprintf(ctx->problem, sizeof(ctx->problem), "%s %s: %s", domain, dns_type_name(dt),
	     reason ? reason : "DNS failure");
}

/* spf_dns_query - dns_lookup with the limits of RFC 7208 4.6.4 */
SPF_dns_rr_t *spf_dns_query(struct spf_dns_ctx *ctx, const char *domain, ns_type type,
			    int flags)
{
    SPF_dns_server_t *layer = &ctx->layer;
    enum dns_type dt = spf_dns_type(type);
    struct dns_answer *ans = NULL;
    size_t n = strlen(domain), ml = strlen("." SPF_CIDR0_LABEL);
    char *name;
    SPF_dns_rr_t *rr;
    int herrno = TRY_AGAIN, zero, st;

    if (dt == 0)
	return SPF_dns_rr_new_init(layer, domain, type, 0, NO_DATA);
    if (ctx->perm)
	return SPF_dns_rr_new_init(layer, domain, type, 0, TRY_AGAIN);
    zero = n > ml && strcasecmp(domain + n - ml, "." SPF_CIDR0_LABEL) == 0;
    name = zero ? xstrndup(domain, n - ml) : xstrdup(domain);
    spf_truncate_left(name);
    if (!spf_target_ok(name)) {
	free(name);			/* no DNS server holds it: no query */
	return SPF_dns_rr_new_init(layer, domain, type, 0, HOST_NOT_FOUND);
    }
    if ((flags & SPF_Q_VOID) && dt != DNS_T_TXT && spf_count_term(ctx, name, dt) < 0) {
	free(name);
	return SPF_dns_rr_new_init(layer, domain, type, 0, TRY_AGAIN);
    }
    /* a macro may bring blanks into the name (the suite's macro-mania-in-domain) */
    st = (strchr(name, ' ') ? dns_lookup_blanks : dns_lookup)(ctx->resolver, name, dt,
							      &ctx->budget, &ans);
    if (st == DNS_FOUND && dt == DNS_T_MX && ans->count > SPF_MX_LIMIT) {
	herrno = TRY_AGAIN;		/* RFC 7208 4.6.4: permerror */
	spf_dns_fail(ctx, flags, 1, name, dt, "more than 10 MX records");
    } else if (st == DNS_FOUND) {
	herrno = NETDB_SUCCESS;
    } else if (st == DNS_NOTFOUND) {
	herrno = ans->nxdomain ? HOST_NOT_FOUND : NO_DATA;
	if ((flags & SPF_Q_VOID) && ++ctx->void_lookups > SPF_VOID_LIMIT) {
	    herrno = TRY_AGAIN;
	    spf_dns_fail(ctx, flags, 1, name, dt, "more than 2 void lookups");
	}
    } else if (dt == DNS_T_PTR || ((dt == DNS_T_A || dt == DNS_T_AAAA)
				    && spf_is_ptr_name(ctx, name))) {
	herrno = HOST_NOT_FOUND;	/* RFC 7208 5.5: no match, skip that name */
    } else if (st == DNS_PERM && ans->reason && strstr(ans->reason, "budget")) {
	spf_dns_fail(ctx, flags, 1, name, dt, "too many DNS lookups");
    } else if (st == DNS_PERM && ans->reason
	       && (strstr(ans->reason, "bad name") || strstr(ans->reason, "cannot make"))) {
	herrno = HOST_NOT_FOUND;	/* a name no DNS server holds */
    } else {
	spf_dns_fail(ctx, flags, 0, name, dt, ans->reason);
    }
    rr = SPF_dns_rr_new_init(layer, domain, type, (int) ans->ttl, herrno);
    if (rr == NULL)
	msg_fatal("spf: out of memory");
    if (herrno == NETDB_SUCCESS)
	spf_dns_fill(ctx, rr, ans, zero);
    if (herrno == NETDB_SUCCESS && rr->num_rr == 0)
	rr->herrno = NO_DATA;
    dns_answer_free(&ans);
    free(name);
    return rr;
}

/* spf_dns_lookup - the layer's lookup, as libspf2 calls it */
static SPF_dns_rr_t *spf_dns_lookup(SPF_dns_server_t *layer, const char *domain,
				    ns_type type, int should_cache)
{
    (void) should_cache;
    return spf_dns_query(layer->hook, domain, type, SPF_Q_VOID);
}

/* spf_dns_get_exp - the explanation text of exp=DOMAIN, expanded (6.2) */
static SPF_errcode_t spf_dns_get_exp(SPF_server_t *server, const char *domain,
				     char **bufp, size_t *buflenp)
{
    struct spf_dns_ctx *ctx = server->resolver->hook;
    struct buf text = BUF_INIT;
    SPF_dns_rr_t *rr;
    const char *t, *why;
    int ok = 0, end_macro;

    rr = spf_dns_query(ctx, domain, ns_t_txt, SPF_Q_QUIET);
    if (rr->herrno == NETDB_SUCCESS && rr->num_rr == 1) {
	for (t = rr->rr[0]->txt; *t && (unsigned char) *t >= 0x20 && (unsigned char) *t < 0x7f; t++)
	    ;
	ok = *t == 0 && spf_macro_syntax(rr->rr[0]->txt, 1, &end_macro, &why) == 0
	    && spf_macro_expand(ctx, rr->rr[0]->txt, &text) == 0;
    }
    SPF_dns_rr_free(rr);
    if (!ok) {
	buf_reset(&text);
	buf_puts(&text, SPF_EXP_DEFAULT_MARK);
    }
    if (*buflenp < text.len + 1) {
	*bufp = xrealloc(*bufp, text.len + 1);
	*buflenp = text.len + 1;
    }
    memcpy(*bufp, buf_str(&text), text.len + 1);
    buf_free(&text);
    return SPF_E_SUCCESS;
}

/* spf_is_record - is this TXT string an SPF version 1 record? */
static int spf_is_record(const char *txt)
{
    return strncasecmp(txt, "v=spf1", 6) == 0 && (txt[6] == 0 || txt[6] == ' ');
}

/* spf_get_fail - record a get_spf failure and return its code */
static SPF_errcode_t spf_get_fail(SPF_response_t *resp, SPF_result_t result,
				  SPF_errcode_t code, const char *why, const char *domain)
{
    resp->result = result;
    resp->reason = SPF_REASON_FAILURE;
    resp->err = code;
    return SPF_response_add_error(resp, code, "%s: %s", domain, why);
}

/* spf_dns_get_spf - fetch, select, check and compile the record of cur_dom */
static SPF_errcode_t spf_dns_get_spf(SPF_server_t *server, SPF_request_t *req,
				     SPF_response_t *resp, SPF_record_t **recp)
{
    struct spf_dns_ctx *ctx = server->resolver->hook;
    const char *domain = req->cur_dom;
    SPF_dns_rr_t *rr;
    const char *found = NULL, *why;
    char *fixed;
    SPF_errcode_t err;
    int i, n = 0;

    *recp = NULL;
    if (ctx->records++ > 0 && ++ctx->terms > SPF_TERM_LIMIT) {
	ctx->perm = 1;			/* include: or redirect= */
	snprintf(ctx->problem, sizeof(ctx->problem), "more than %d DNS-querying terms",
		 SPF_TERM_LIMIT);
	return spf_get_fail(resp, SPF_RESULT_PERMERROR, SPF_E_BIG_DNS, "too many terms", domain);
    }
    if (domain == NULL || !spf_domain_valid(domain))
	return spf_get_fail(resp, SPF_RESULT_NONE, SPF_E_NOT_SPF, "not a domain name",
			    domain ? domain : "(none)");
    rr = spf_dns_query(ctx, domain, ns_t_txt, 0);
    if (rr->herrno == HOST_NOT_FOUND || rr->herrno == NO_DATA) {
	SPF_dns_rr_free(rr);
	return spf_get_fail(resp, SPF_RESULT_NONE, SPF_E_NOT_SPF, "no SPF record", domain);
    }
    if (rr->herrno != NETDB_SUCCESS) {
	SPF_dns_rr_free(rr);
	return spf_get_fail(resp, SPF_RESULT_TEMPERROR, SPF_E_DNS_ERROR,
			    "temporary DNS failure", domain);
    }
    for (i = 0; i < rr->num_rr; i++)
	if (spf_is_record(rr->rr[i]->txt)) {
	    found = rr->rr[i]->txt;
	    n++;
	}
    if (n == 0) {
	SPF_dns_rr_free(rr);
	return spf_get_fail(resp, SPF_RESULT_NONE, SPF_E_NOT_SPF, "no SPF record", domain);
    }
    if (n > 1) {
	SPF_dns_rr_free(rr);
	return spf_get_fail(resp, SPF_RESULT_PERMERROR, SPF_E_MULTIPLE_RECORDS,
			    "multiple SPF records", domain);
    }
    if (spf_syntax_check(found, &why) < 0) {
	snprintf(ctx->problem, sizeof(ctx->problem), "%s: %s", domain, why);
	SPF_dns_rr_free(rr);
	return spf_get_fail(resp, SPF_RESULT_PERMERROR, SPF_E_SYNTAX, why, domain);
    }
    fixed = spf_syntax_rewrite(found, ctx->family);
    SPF_dns_rr_free(rr);
    err = SPF_record_compile(server, resp, recp, fixed);
    free(fixed);
    if (err != SPF_E_SUCCESS) {
	if (*recp)
	    SPF_record_free(*recp);
	*recp = NULL;
	snprintf(ctx->problem, sizeof(ctx->problem), "%s: %s", domain, SPF_strerror(err));
	return spf_get_fail(resp, SPF_RESULT_PERMERROR, err, "bad SPF record", domain);
    }
    return SPF_E_SUCCESS;
}

/* spf_dns_init - prepare the DNS layer of one evaluation */
void spf_dns_init(struct spf_dns_ctx *ctx, struct dns_resolver *r, int time_budget_ms)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->resolver = r;
    ctx->budget.queries_left = SPF_QUERY_CAP;
    ctx->budget.deadline_ms = time_budget_ms > 0 ? spf_now_ms() + time_budget_ms : 0;
    ctx->layer.lookup = spf_dns_lookup;
    ctx->layer.get_spf = spf_dns_get_spf;
    ctx->layer.get_exp = spf_dns_get_exp;
    ctx->layer.name = "mxguard";
    ctx->layer.hook = ctx;
}

/* spf_dns_server - the libspf2 view of the context */
SPF_dns_server_t *spf_dns_server(struct spf_dns_ctx *ctx)
{
    return &ctx->layer;
}
