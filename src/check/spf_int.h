/*
 * NAME
 *	spf_int - internals shared by spf.c, spf_dns.c and spf_syntax.c
 * SYNOPSIS
 *	#include "check/spf_int.h"
 *
 *	void spf_dns_init(struct spf_dns_ctx *ctx, struct dns_resolver *r,
 *			  int time_budget_ms);
 *	SPF_dns_server_t *spf_dns_server(struct spf_dns_ctx *ctx);
 *	int spf_syntax_check(const char *record, const char **why_r);
 *	char *spf_syntax_rewrite(const char *record);
 * DESCRIPTION
 *	struct spf_dns_ctx is the state of one SPF evaluation: the libspf2
 *	DNS layer (its hook points back to the context), the query budget
 *	and the RFC 7208 4.6.4 counters. It lives on the caller's stack for
 *	the duration of one evaluation, so nothing is shared between
 *	threads.
 * DIAGNOSTICS
 *	spf_syntax_check: 0 valid, -1 invalid with *why_r.
 * STANDARDS
 *	RFC 7208 4.6.4 (limits), 12 (syntax).
 */
#ifndef MXG_CHECK_SPF_INT_H
#define MXG_CHECK_SPF_INT_H
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include "dns/dns.h"

#define SPF_VOID_LIMIT		2	/* RFC 7208 4.6.4 */
#define SPF_PTR_LIMIT		10	/* names of a PTR answer looked at */
#define SPF_QUERY_CAP		150	/* all DNS queries of one evaluation */

struct spf_dns_ctx {
    SPF_dns_server_t layer;	/* layer.hook == this context */
    struct dns_resolver *resolver;
    struct dns_budget budget;
    int void_lookups;
    int perm;			/* a limit was exceeded: the result is permerror */
    int temp;			/* a temporary DNS failure was seen */
    char problem[160];		/* why perm/temp, for the header */
};

void spf_dns_init(struct spf_dns_ctx *ctx, struct dns_resolver *r, int time_budget_ms);
SPF_dns_server_t *spf_dns_server(struct spf_dns_ctx *ctx);
int spf_syntax_check(const char *record, const char **why_r);
char *spf_syntax_rewrite(const char *record);
int spf_domain_valid(const char *domain);

#endif
