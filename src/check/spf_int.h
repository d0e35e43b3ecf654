/*
 * NAME
 *	spf_int - internals shared by spf.c, spf_dns.c and spf_syntax.c
 * SYNOPSIS
 *	#include "check/spf_int.h"
 *
 *	void spf_dns_init(struct spf_dns_ctx *ctx, struct dns_resolver *r,
 *			  int time_budget_ms);
 *	SPF_dns_server_t *spf_dns_server(struct spf_dns_ctx *ctx);
 *	SPF_dns_rr_t *spf_dns_query(struct spf_dns_ctx *ctx, const char *domain, ns_type type,
 *			    int flags);
 *	int spf_syntax_check(const char *record, const char **why_r);
 *	int spf_macro_syntax(const char *text, int exp, int *end_macro_r, const char **why_r);
 *	int spf_macro_expand(struct spf_dns_ctx *ctx, const char *text, struct buf *out);
 *	char *spf_syntax_rewrite(const char *record, int family);
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
#include <sys/types.h>
#include <netinet/in.h>
#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include "dns/dns.h"
#include "util/buf.h"

#define SPF_VOID_LIMIT		2	/* RFC 7208 4.6.4 */
#define SPF_PTR_LIMIT		10	/* names of a PTR answer looked at */
#define SPF_MX_LIMIT		10	/* more MX names: permerror */
#define SPF_TERM_LIMIT		10	/* DNS-querying terms (4.6.4) */
#define SPF_QUERY_CAP		150	/* all DNS queries of one evaluation */
#define SPF_CIDR0_LABEL		"_mxg0"	/* marks a zero CIDR length */

#define SPF_Q_VOID		1	/* a term's lookup: count it if void */
#define SPF_Q_QUIET		2	/* failures do not change the result */
#define SPF_EXP_DEFAULT_MARK	"mxguard-default-explanation"

struct spf_dns_ctx {
    SPF_dns_server_t layer;	/* layer.hook == this context */
    struct dns_resolver *resolver;
    SPF_request_t *req;		/* for macros in explanations */
    const char *receiver;	/* %{r} */
    int family;			/* client: AF_INET (also v4-mapped) or AF_INET6 */
    unsigned char addr[16];	/* 4 or 16 bytes */
    char ptr[SPF_PTR_LIMIT][256];	/* names of the client's PTR answer */
    int nptr;
    char mx[SPF_MX_LIMIT][256];	/* names of the last MX answer */
    int nmx;
    int terms;			/* DNS-querying terms so far */
    int records;		/* records fetched (the first is no term) */
    struct dns_budget budget;
    int void_lookups;
    int perm;			/* a limit was exceeded: the result is permerror */
    int temp;			/* a temporary DNS failure was seen */
    char problem[160];		/* why perm/temp, for the header */
};

void spf_dns_init(struct spf_dns_ctx *ctx, struct dns_resolver *r, int time_budget_ms);
SPF_dns_server_t *spf_dns_server(struct spf_dns_ctx *ctx);
SPF_dns_rr_t *spf_dns_query(struct spf_dns_ctx *ctx, const char *domain, ns_type type,
			    int flags);
int spf_syntax_check(const char *record, const char **why_r);
int spf_macro_syntax(const char *text, int exp, int *end_macro_r, const char **why_r);
int spf_macro_expand(struct spf_dns_ctx *ctx, const char *text, struct buf *out);
char *spf_syntax_rewrite(const char *record, int family);
int spf_domain_valid(const char *domain);

#endif
