/*
 * NAME
 *	spf_dns - a libspf2 DNS layer over src/dns, with the RFC 7208 limits
 * SYNOPSIS
 *	#include "check/spf_int.h"
 *
 *	void spf_dns_init(struct spf_dns_ctx *ctx, struct dns_resolver *r,
 *			  int time_budget_ms);
 *	SPF_dns_server_t *spf_dns_server(struct spf_dns_ctx *ctx);
 * DESCRIPTION
 *	libspf2 asks its SPF_dns_server_t for records and reads the answer's
 *	herrno. This layer answers every query through dns_lookup, so the
 *	configured servers, timeouts and cache apply, and maps our
 *	tri-state to libspf2's h_errno words: DNS_FOUND NETDB_SUCCESS,
 *	NXDOMAIN HOST_NOT_FOUND, NODATA NO_DATA, DNS_TEMP TRY_AGAIN (libspf2
 *	ends with temperror on TRY_AGAIN in every mechanism, never none).
 *
 *	Limits libspf2 lacks are enforced here: more than SPF_VOID_LIMIT
 *	void lookups (NXDOMAIN or NODATA), or the query cap, set ctx->perm
 *	and answer TRY_AGAIN so that libspf2 stops at once; spf.c turns the
 *	outcome into permerror. A PTR answer is cut to its first
 *	SPF_PTR_LIMIT names (RFC 7208 4.6.4: the others are ignored, not an
 *	error). The time budget is the dns_budget deadline (temperror).
 *
 *	get_spf replaces libspf2's record selection: it fetches the TXT
 *	records, keeps those that are exactly "v=spf1" or start with
 *	"v=spf1 ", runs the strict syntax check (spf_syntax.c) and compiles
 *	the record, so a broken record is a permerror and not libspf2's
 *	"not SPF" (which would read as none).
 * DIAGNOSTICS
 *	get_spf returns SPF_E_SUCCESS, SPF_E_NOT_SPF (no record: none at the
 *	top, permerror inside include/redirect), SPF_E_DNS_ERROR
 *	(temperror) or a syntax error code (permerror).
 * STANDARDS
 *	RFC 7208 4.4 (record lookup), 4.5 (selection), 4.6.4 (limits), 5.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include <netdb.h>
#include "check/spf_int.h"
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

/* spf_dns_fill - copy our records into a libspf2 answer */
static void spf_dns_fill(SPF_dns_rr_t *rr, const struct dns_answer *ans)
{
    size_t i;
    int n = 0;

    for (i = 0; i < ans->count; i++) {
	const struct dns_rr *r = &ans->rrs[i];
	const char *s = NULL;
	size_t len;

	if (r->type == DNS_T_PTR && n >= SPF_PTR_LIMIT)
	    break;
	switch (r->type) {
	case DNS_T_A: len = sizeof(struct in_addr); break;
	case DNS_T_AAAA: len = sizeof(struct in6_addr); break;
	case DNS_T_MX: s = r->u.mx.exchange; len = strlen(s) + 1; break;
	case DNS_T_PTR: s = r->u.target; len = strlen(s) + 1; break;
	case DNS_T_TXT: s = r->u.txt.text; len = strlen(s) + 1; break;
	default: continue;
	}
	if (r->type == DNS_T_MX && *s == 0)
	    continue;			/* null MX (RFC 7505): no host */
	if (SPF_dns_rr_buf_realloc(rr, n, len) != SPF_E_SUCCESS)
	    msg_fatal("spf: out of memory");
	if (s)
	    memcpy(rr->rr[n]->txt, s, len);
	else
	    memcpy(rr->rr[n], r->u.addr, len);
	n++;
    }
    rr->num_rr = n;
}

/* spf_dns_query - dns_lookup with the limits; count_void: a term's lookup */
static SPF_dns_rr_t *spf_dns_query(SPF_dns_server_t *layer, const char *domain,
				   ns_type type, int count_void)
{
    struct spf_dns_ctx *ctx = layer->hook;
    enum dns_type dt = spf_dns_type(type);
    struct dns_answer *ans = NULL;
    SPF_dns_rr_t *rr;
    int herrno = TRY_AGAIN;
    int st;

    if (dt == 0)
	return SPF_dns_rr_new_init(layer, domain, type, 0, NO_DATA);
    if (ctx->perm)
	return SPF_dns_rr_new_init(layer, domain, type, 0, TRY_AGAIN);
    st = dns_lookup(ctx->resolver, domain, dt, &ctx->budget, &ans);
    switch (st) {
    case DNS_FOUND:
	herrno = NETDB_SUCCESS;
	break;
    case DNS_NOTFOUND:
	herrno = ans->nxdomain ? HOST_NOT_FOUND : NO_DATA;
	if (count_void && ++ctx->void_lookups > SPF_VOID_LIMIT) {
	    ctx->perm = 1;
	    snprintf(ctx->problem, sizeof(ctx->problem),
		     "more than %d void lookups", SPF_VOID_LIMIT);
	    herrno = TRY_AGAIN;
	}
	break;
    case DNS_PERM:
	if (ans->reason && strstr(ans->reason, "lookup budget")) {
	    ctx->perm = 1;
	    snprintf(ctx->problem, sizeof(ctx->problem), "too many DNS lookups");
	} else if (ans->reason && strstr(ans->reason, "bad name")) {
	    herrno = HOST_NOT_FOUND;	/* a name no DNS server holds */
	    break;
	} else {
	    ctx->temp = 1;
	    snprintf(ctx->problem, sizeof(ctx->problem), "%s %s: %s", domain,
		     dns_type_name(dt), ans->reason ? ans->reason : "bad answer");
	}
	break;
    default:
	ctx->temp = 1;
	snprintf(ctx->problem, sizeof(ctx->problem), "%s %s: %s", domain,
		 dns_type_name(dt), ans->reason ? ans->reason : "temporary failure");
	break;
    }
    rr = SPF_dns_rr_new_init(layer, domain, type, (int) ans->ttl, herrno);
    if (rr == NULL)
	msg_fatal("spf: out of memory");
    if (herrno == NETDB_SUCCESS)
	spf_dns_fill(rr, ans);
    dns_answer_free(&ans);
    return rr;
}

/* spf_dns_lookup - the layer's lookup, as libspf2 calls it */
static SPF_dns_rr_t *spf_dns_lookup(SPF_dns_server_t *layer, const char *domain,
				    ns_type type, int should_cache)
{
    (void) should_cache;
    return spf_dns_query(layer, domain, type, 1);
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
    if (!spf_domain_valid(domain))
	return spf_get_fail(resp, SPF_RESULT_NONE, SPF_E_NOT_SPF, "not a domain name", domain);
    rr = spf_dns_query(server->resolver, domain, ns_t_txt, 0);
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
    fixed = spf_syntax_rewrite(found);
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
    ctx->layer.name = "mxguard";
    ctx->layer.hook = ctx;
}

/* spf_dns_server - the libspf2 view of the context */
SPF_dns_server_t *spf_dns_server(struct spf_dns_ctx *ctx)
{
    return &ctx->layer;
}
