/*
 * NAME
 *	dmarc - DMARC evaluation: policy discovery, alignment, disposition
 * SYNOPSIS
 *	#include "check/dmarc.h"
 *
 *	struct dmarc_psl *dmarc_psl_load(const char *path, char **why_r);
 *	struct dmarc_psl *dmarc_psl_parse(const char *text, size_t len);
 *	void dmarc_psl_free(struct dmarc_psl **pp);
 *	const char *dmarc_psl_org(const struct dmarc_psl *psl, const char *domain);
 *
 *	int dmarc_record_parse(const char *domain, const char *txt, size_t len,
 *			       struct dmarc_record *rec, const char **why_r);
 *	void dmarc_record_clear(struct dmarc_record *rec);
 *	int dmarc_record_select(const struct dns_answer *a, const char **txt_r,
 *				const char **why_r);
 *
 *	int dmarc_eval(const struct dmarc_env *env, const struct dmarc_input *in,
 *		       struct dmarc_outcome *out);
 *	void dmarc_outcome_free(struct dmarc_outcome *out);
 *	const char *dmarc_status_name(enum dmarc_status st);
 *	const char *dmarc_policy_name(int p);
 *
 *	int dmarc_from_domain(const struct mail_hdrs *hdrs, char **domain_r,
 *			      const char **why_r);
 *	int dmarc_dkim_parse(const char *results, struct dmarc_dkim **dkim_r,
 *			     size_t *n_r);
 *	void dmarc_dkim_free(struct dmarc_dkim **dkim, size_t n);
 * DESCRIPTION
 *	The pure core of the DMARC check (dmarc_check.c is the pipeline
 *	module around it). dmarc_eval takes the RFC 5322.From domain, the
 *	SPF result and domain, and every DKIM result with its d=, fetches
 *	the DMARC record(s) through src/dns, and returns the disposition in
 *	Exim's words (accept, reject, quarantine, none, norecord, nofrom,
 *	temperror), the Authentication-Results word (pass, fail, none,
 *	temperror, permerror), the domain whose record was used, its
 *	policy, and a human readable text that says which identifiers
 *	aligned and which did not, and why.
 *
 *	Records are parsed by libopendmarc (opendmarc_policy_parse_dmarc:
 *	v, p, sp, adkim, aspf, pct, rua, ruf, fo, rf, ri); the RFC 9989
 *	tags libopendmarc 1.4.2 does not know (np, psd, t) are read here.
 *	Alignment and the policy decision are ours: libopendmarc finds the
 *	organizational domain with a process-wide suffix list that cannot
 *	be reloaded and has no tree walk, and it cannot express np=, t= or
 *	psd=. Organizational domains come from the public suffix list
 *	(DMARC_DISCOVERY_PSL, RFC 7489 3.2) or from the DNS tree walk of
 *	RFC 9989 4.10 (DMARC_DISCOVERY_TREEWALK).
 *
 *	dmarc_psl_org returns a pointer into domain (the organizational
 *	domain is always a suffix of it), or NULL when domain is itself a
 *	public suffix. dmarc_from_domain applies RFC 7489 6.6.1 to the
 *	header block (exactly one From with one mailbox with a domain).
 *	dmarc_dkim_parse reads the dkim_results fact ("RESULT:DOMAIN:SEL"
 *	tokens separated by blanks); malformed tokens are skipped.
 * DIAGNOSTICS
 *	dmarc_eval: 0; every DNS failure is the status temperror, never
 *	none. dmarc_record_parse: 0 ok, -1 invalid (*why_r static).
 *	dmarc_record_select: 1 one record, 0 none, -1 several (*why_r).
 *	dmarc_psl_load: NULL with *why_r (allocated) when the file cannot
 *	be read or has no rule.
 * STANDARDS
 *	RFC 7489 3.1 (alignment), 3.2 (organizational domain), 6.3 (tags),
 *	6.6.1 (From), 6.6.2, 6.6.3 (policy discovery), 6.7; RFC 9989
 *	(DMARCbis) 4.7 (tags np, psd, t), 4.10 (DNS tree walk).
 */
#ifndef MXG_CHECK_DMARC_H
#define MXG_CHECK_DMARC_H
#include <stddef.h>
#include "dns/dns.h"
#include "mail/header.h"

enum dmarc_status {
    DMARC_ST_ACCEPT, DMARC_ST_REJECT, DMARC_ST_QUARANTINE, DMARC_ST_NONE,
    DMARC_ST_NORECORD, DMARC_ST_NOFROM, DMARC_ST_TEMPERROR, DMARC_ST_OFF,
};

enum dmarc_discovery { DMARC_DISCOVERY_PSL, DMARC_DISCOVERY_TREEWALK };

/* policies as libopendmarc writes them: 'n', 'q', 'r', 0 = unspecified */
struct dmarc_record {
    int     p, sp, np;
    int     adkim, aspf;	/* 's' or 'r' */
    int     pct;		/* tolerated, not applied (RFC 9989 removed it) */
    int     psd;		/* -1 absent, 0 n, 1 y */
    int     testing;		/* t=y */
    char   *rua;		/* comma-separated URIs as published, or NULL */
    char   *ruf;
    char   *fo;
};

struct dmarc_dkim {
    char   *result;		/* "pass", "fail", ... */
    char   *domain;
    char   *selector;
};

struct dmarc_input {
    const char *from_domain;	/* normalized; NULL = nofrom */
    const char *spf_result;	/* "pass", ... or NULL */
    const char *spf_domain;	/* MAIL FROM domain (HELO for the null sender) */
    const struct dmarc_dkim *dkim;
    size_t  ndkim;
};

struct dmarc_psl;

struct dmarc_env {
    struct dns_resolver *resolver;
    const struct dmarc_psl *psl;
    enum dmarc_discovery discovery;
};

struct dmarc_outcome {
    enum dmarc_status status;
    const char *ar_result;	/* pass fail none temperror permerror */
    char   *used_domain;	/* where the record was found, else the From domain */
    char   *org_domain;		/* the From domain's organizational domain */
    int     domain_policy;	/* published policy that applies: 'n' 'q' 'r', 0 none */
    const char *policy_tag;	/* "p", "sp", "np" or NULL */
    int     disposition;	/* applied: 'n' 'q' 'r' (t=y lowers it), 0 */
    int     has_record;
    struct dmarc_record rec;
    int     spf_aligned, dkim_aligned;
    char   *aligned_dkim_domain;	/* NULL unless dkim_aligned */
    char   *text;		/* the reason, human readable */
};

struct dmarc_psl *dmarc_psl_load(const char *path, char **why_r);
struct dmarc_psl *dmarc_psl_parse(const char *text, size_t len);
void dmarc_psl_free(struct dmarc_psl **pp);
const char *dmarc_psl_org(const struct dmarc_psl *psl, const char *domain);

int dmarc_record_parse(const char *domain, const char *txt, size_t len,
		       struct dmarc_record *rec, const char **why_r);
void dmarc_record_clear(struct dmarc_record *rec);
int dmarc_record_select(const struct dns_answer *a, const char **txt_r, const char **why_r);

int dmarc_eval(const struct dmarc_env *env, const struct dmarc_input *in,
	       struct dmarc_outcome *out);
void dmarc_outcome_free(struct dmarc_outcome *out);
const char *dmarc_status_name(enum dmarc_status st);
const char *dmarc_policy_name(int p);

int dmarc_from_domain(const struct mail_hdrs *hdrs, char **domain_r, const char **why_r);
int dmarc_dkim_parse(const char *results, struct dmarc_dkim **dkim_r, size_t *n_r);
void dmarc_dkim_free(struct dmarc_dkim **dkim, size_t n);

#endif
