/*
 * NAME
 *	spf - SPF (RFC 7208) and best-guess evaluation through libspf2
 * SYNOPSIS
 *	#include "check/spf.h"
 *
 *	int spf_eval(struct dns_resolver *r, const struct spf_request *req,
 *		     struct spf_outcome *out, const char **why_r);
 *	void spf_outcome_free(struct spf_outcome *out);
 *	const char *spf_result_word(enum spf_result res);
 *	int spf_lookup(struct dns_resolver *r, const char *addr, const char *ip,
 *		       int time_budget_ms, enum spf_result *res_r);
 *
 *	extern const struct check_module spf_check_module;  (spf_check.c)
 *	extern const struct fact_table spf_fact_table;
 * DESCRIPTION
 *	spf_eval runs check_host() for one identity: the MAIL FROM address
 *	(SPF_ID_MAILFROM; the null sender "" uses postmaster@HELO as RFC
 *	7208 2.4 says) or the HELO name (SPF_ID_HELO). libspf2 is the
 *	engine; every DNS query goes through the resolver r (spf_dns.c) and
 *	each record passes the strict syntax check (spf_syntax.c) first.
 *	With req->guess set and no SPF record published, the guess record
 *	is evaluated for the domain instead (Exim's spf_guess) and
 *	out->guessed is set.
 *
 *	The outcome holds Exim's result word, the checked identity and
 *	domain, the header comment ($spf_header_comment), the explanation
 *	of a fail ($spf_smtp_comment: printable ASCII only, safe in an SMTP
 *	reply), the reason of a permerror/temperror (problem) and the
 *	value of a Received-SPF field (RFC 7208 9.1) without the name.
 *
 *	spf_lookup is the rule condition: the result word for an address
 *	and an IP (IPv4 or IPv6), like Exim's ${lookup{addr}spf{ip}}.
 *
 *	libspf2 gives a loopback client (127.0.0.0/8, ::1) "pass" without
 *	looking at DNS (SPF_REASON_LOCALHOST); mxguardd sees such clients
 *	only as trusted hosts.
 * DIAGNOSTICS
 *	spf_eval and spf_lookup: 0 done (even for temperror/permerror), -1
 *	for bad input (not an IP address, no identity) with *why_r.
 * STANDARDS
 *	RFC 7208 (SPF), 2.4 (identities), 4.3 (initial processing), 9.1
 *	(Received-SPF).
 */
#ifndef MXG_CHECK_SPF_H
#define MXG_CHECK_SPF_H

struct dns_resolver;

enum spf_result {
    SPF_RES_NONE, SPF_RES_NEUTRAL, SPF_RES_PASS, SPF_RES_FAIL,
    SPF_RES_SOFTFAIL, SPF_RES_TEMPERROR, SPF_RES_PERMERROR,
};

enum spf_identity { SPF_ID_MAILFROM, SPF_ID_HELO };

struct spf_request {
    const char *ip;		/* client address, IPv4 or IPv6 */
    const char *sender;		/* MAIL FROM without <>, "" null sender */
    const char *helo;		/* NULL when unknown */
    enum spf_identity identity;
    const char *guess;		/* NULL, or the best-guess record */
    const char *receiver;	/* our host name for comments, or NULL */
    int time_budget_ms;		/* <= 0: none */
};

struct spf_outcome {
    enum spf_result result;
    int guessed;		/* the guess record gave the result */
    char *identity;		/* "user@domain" checked */
    char *domain;
    char *header_comment;
    char *explanation;		/* fail only, else NULL */
    int explanation_default;	/* ours: the domain published none usable */
    char *problem;		/* permerror/temperror reason, else NULL */
    char *received;		/* Received-SPF value */
};

int spf_eval(struct dns_resolver *r, const struct spf_request *req,
	     struct spf_outcome *out, const char **why_r);
void spf_outcome_free(struct spf_outcome *out);
const char *spf_result_word(enum spf_result res);
int spf_lookup(struct dns_resolver *r, const char *addr, const char *ip,
	       int time_budget_ms, enum spf_result *res_r);

struct check_module;
struct fact_table;
extern const struct check_module spf_check_module;	/* spf_check.c */
extern const struct fact_table spf_fact_table;

#endif
