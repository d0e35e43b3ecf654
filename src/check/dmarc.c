/*
 * NAME
 *	dmarc - DMARC policy discovery, alignment and disposition
 * SYNOPSIS
 *	#include "check/dmarc.h"
 *
 *	int dmarc_eval(const struct dmarc_env *env, const struct dmarc_input *in,
 *		       struct dmarc_outcome *out);
 *	void dmarc_outcome_free(struct dmarc_outcome *out);
 *	const char *dmarc_status_name(enum dmarc_status st);
 *	const char *dmarc_policy_name(int p);
 * DESCRIPTION
 *	Policy discovery. DMARC_DISCOVERY_PSL (RFC 7489 6.6.3): the record
 *	at _dmarc.FROM, else at _dmarc.ORG where ORG is the organizational
 *	domain from the public suffix list. DMARC_DISCOVERY_TREEWALK (RFC
 *	9989 4.10.1): _dmarc.FROM, then each parent, shortened first to 7
 *	labels, up to and including the TLD; the first valid record wins.
 *	A temporary DNS failure on any of these lookups is temperror (never
 *	none: a receiver must not fail open on a SERVFAIL). More than one
 *	record, or one that does not parse, at the From domain is a
 *	permanent error: disposition none, with the reason.
 *
 *	Organizational domains. PSL mode: the suffix list. Tree walk mode
 *	(RFC 9989 4.10.2): the walk from the domain up; the first record
 *	with psd=n names it, a record with psd=y names the domain one label
 *	below it, otherwise the record with the fewest labels does; with no
 *	record the domain is its own organizational domain.
 *
 *	Alignment (RFC 7489 3.1): strict means equal domains, relaxed equal
 *	organizational domains. An SPF pass aligns through the MAIL FROM
 *	domain (HELO for the null sender), a DKIM pass through its d=.
 *	Policy: p= when the record is the From domain's own, else np= when
 *	the From domain does not exist (NXDOMAIN) and np= is set, else sp=,
 *	else p=. t=y lowers the applied disposition one step (reject to
 *	quarantine, quarantine to none); pct= is tolerated and not applied
 *	(RFC 9989 removed it, and OpenDMARC ignores it too).
 * DIAGNOSTICS
 *	dmarc_eval returns 0; the outcome says what happened.
 * STANDARDS
 *	RFC 7489 3.1, 6.6.2, 6.6.3, 11.2 (A-R results); RFC 9989 4.7, 4.10.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "check/dmarc.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define TW_MAX_NAMES	8	/* the From domain and at most 7 parents */

/* one DMARC lookup */
struct dm_rec {
    int     st;			/* 1 record, 0 none, -1 temporary, -2 invalid */
    char   *name;		/* the domain (without _dmarc.) */
    struct dmarc_record rec;
    char   *why;		/* -1, -2: the reason */
};

/* dmarc_status_name - Exim's word for a status */
const char *dmarc_status_name(enum dmarc_status st)
{
    static const char *const w[] = {"accept", "reject", "quarantine", "none", "norecord",
	"nofrom", "temperror", "off"};

    return (unsigned) st < sizeof(w) / sizeof(w[0]) ? w[st] : "temperror";
}

/* dmarc_policy_name - "none", "quarantine", "reject" or "" */
const char *dmarc_policy_name(int p)
{
    return p == 'n' ? "none" : p == 'q' ? "quarantine" : p == 'r' ? "reject" : "";
}

/* dm_rec_clear - free one lookup's data */
static void dm_rec_clear(struct dm_rec *r)
{
    free(r->name);
    free(r->why);
    dmarc_record_clear(&r->rec);
    memset(r, 0, sizeof(*r));
}

/* dm_fetch - look up and parse _dmarc.NAME */
static void dm_fetch(const struct dmarc_env *env, const char *name, struct dm_rec *r)
{
    struct dns_answer *a = NULL;
    char   *q = xasprintf("_dmarc.%s", name);
    const char *txt, *why = NULL;
    int     st = dns_lookup(env->resolver, q, DNS_T_TXT, NULL, &a);

    memset(r, 0, sizeof(*r));
    r->name = xstrdup(name);
    if (st == DNS_FOUND) {
	int     n = dmarc_record_select(a, &txt, &why);

	if (n < 0)
	    r->st = -2;
	else if (n == 0)
	    r->st = 0;
	else
	    r->st = dmarc_record_parse(name, txt, strlen(txt), &r->rec, &why) == 0 ? 1 : -2;
	if (r->st == -2)
	    r->why = xasprintf("%s: %s", q, why);
    } else if (st == DNS_NOTFOUND) {
	r->st = 0;
    } else {
	r->st = -1;
	r->why = xasprintf("%s: %s", q, a && a->reason ? a->reason : "DNS failure");
    }
    dns_answer_free(&a);
    free(q);
}

/* dm_labels - number of labels of a domain */
static size_t dm_labels(const char *d)
{
    size_t  n = 1;

    for (; *d; d++)
	n += *d == '.';
    return n;
}

/* dm_suffix - the rightmost k labels of d */
static const char *dm_suffix(const char *d, size_t k)
{
    size_t  n = dm_labels(d);

    while (n > k) {
	d = strchr(d, '.') + 1;
	n--;
    }
    return d;
}

/* tw_names - the names a tree walk queries, longest first */
static size_t tw_names(const char *d, const char **names)
{
    size_t  n = dm_labels(d), k, cnt = 0;

    names[cnt++] = d;
    for (k = n - 1 < 7 ? n - 1 : 7; k >= 1; k--)
	names[cnt++] = dm_suffix(d, k);
    return cnt;
}

/* tw_org - the organizational domain by tree walk; -1 temporary */
static int tw_org(const struct dmarc_env *env, const char *d, char **org_r, char **why_r)
{
    const char *names[TW_MAX_NAMES];
    size_t  cnt = tw_names(d, names);
    const char *best = NULL;

    for (size_t i = 0; i < cnt; i++) {
	struct dm_rec r;

	dm_fetch(env, names[i], &r);
	if (r.st == -1) {
	    *why_r = r.why;
	    r.why = NULL;
	    dm_rec_clear(&r);
	    return -1;
	}
	if (r.st == 1 && r.rec.psd == 0) {
	    best = names[i];
	    dm_rec_clear(&r);
	    break;
	}
	if (r.st == 1 && r.rec.psd == 1) {
	    best = i == 0 ? names[0] : dm_suffix(d, dm_labels(names[i]) + 1);
	    dm_rec_clear(&r);
	    break;
	}
	if (r.st == 1)
	    best = names[i];
	dm_rec_clear(&r);
    }
    *org_r = xstrdup(best ? best : d);
    return 0;
}

/* dm_org - the organizational domain in the configured mode; -1 temporary */
static int dm_org(const struct dmarc_env *env, const char *d, char **org_r, char **why_r)
{
    const char *o;

    if (env->discovery == DMARC_DISCOVERY_TREEWALK)
	return tw_org(env, d, org_r, why_r);
    o = env->psl ? dmarc_psl_org(env->psl, d) : NULL;
    *org_r = xstrdup(o ? o : d);
    return 0;
}

/* dm_discover - the policy record of the From domain */
static void dm_discover(const struct dmarc_env *env, const char *from, const char *org,
			struct dm_rec *r)
{
    const char *names[TW_MAX_NAMES];
    size_t  cnt;

    dm_fetch(env, from, r);
    if (r->st != 0)
	return;
    if (env->discovery == DMARC_DISCOVERY_PSL) {
	if (strcasecmp(org, from) != 0) {
	    dm_rec_clear(r);
	    dm_fetch(env, org, r);
	    if (r->st == -2)		/* a broken parent record: no policy */
		r->st = 0;
	}
	return;
    }
    cnt = tw_names(from, names);
    for (size_t i = 1; i < cnt; i++) {
	dm_rec_clear(r);
	dm_fetch(env, names[i], r);
	if (r->st == -2)
	    r->st = 0;			/* invalid records are skipped in the walk */
	if (r->st != 0)
	    return;
    }
}

/* dm_aligned - is id aligned with the From domain; -1 temporary */
static int dm_aligned(const struct dmarc_env *env, int mode, const char *from,
		      const char *from_org, const char *id, struct buf *text)
{
    char   *org = NULL, *why = NULL;
    size_t  il = strlen(id), ol = strlen(from_org);
    int     ok;

    if (strcasecmp(id, from) == 0)
	return 1;
    if (mode == 's') {
	buf_printf(text, " (strict: %s is not %s)", id, from);
	return 0;
    }
    /* relaxed: only a domain at or under the From's org domain can match */
    if (!(il == ol && strcasecmp(id, from_org) == 0)
	&& !(il > ol && id[il - ol - 1] == '.' && strcasecmp(id + il - ol, from_org) == 0)) {
	buf_printf(text, " (relaxed: %s is not under %s)", id, from_org);
	return 0;
    }
    if (dm_org(env, id, &org, &why) < 0) {
	buf_printf(text, " (organizational domain of %s: %s)", id, why);
	free(why);
	return -1;
    }
    ok = strcasecmp(org, from_org) == 0;
    if (!ok)
	buf_printf(text, " (relaxed: organizational domain %s is not %s)", org, from_org);
    free(org);
    return ok;
}

/* dm_align_all - SPF and DKIM alignment, with the reasons in text */
static int dm_align_all(const struct dmarc_env *env, const struct dmarc_input *in,
			struct dmarc_outcome *out, struct buf *text)
{
    int     temp = 0, r;
    const char *spf = in->spf_result ? in->spf_result : "none";

    buf_printf(text, "; SPF %s", spf);
    if (in->spf_domain && *in->spf_domain) {
	buf_printf(text, " for %s", in->spf_domain);
	if (strcmp(spf, "pass") == 0) {
	    r = dm_aligned(env, out->rec.aspf, in->from_domain, out->org_domain,
			   in->spf_domain, text);
	    out->spf_aligned = r == 1;
	    temp |= r < 0;
	    buf_puts(text, r == 1 ? " aligned" : " not aligned");
	}
    }
    if (in->ndkim == 0)
	buf_puts(text, "; no DKIM signature");
    for (size_t i = 0; i < in->ndkim; i++) {
	const struct dmarc_dkim *k = &in->dkim[i];

	buf_printf(text, "; DKIM %s for %s", k->result, k->domain);
	if (strcmp(k->result, "pass") != 0)
	    continue;
	r = dm_aligned(env, out->rec.adkim, in->from_domain, out->org_domain, k->domain, text);
	temp |= r < 0;
	buf_puts(text, r == 1 ? " aligned" : " not aligned");
	if (r == 1 && !out->dkim_aligned) {
	    out->dkim_aligned = 1;
	    out->aligned_dkim_domain = xstrdup(k->domain);
	}
    }
    return temp ? -1 : 0;
}

/* dm_nonexistent - does the From domain not exist (NXDOMAIN) */
static int dm_nonexistent(const struct dmarc_env *env, const char *d)
{
    struct dns_answer *a = NULL;
    int     st = dns_lookup(env->resolver, d, DNS_T_A, NULL, &a);
    int     nx = st == DNS_NOTFOUND && a && a->nxdomain;

    dns_answer_free(&a);
    return nx;
}

/* dm_policy - which published policy applies to the From domain */
static void dm_policy(const struct dmarc_env *env, const struct dmarc_input *in,
		      struct dmarc_outcome *out)
{
    const struct dmarc_record *rec = &out->rec;
    int     at_author = strcasecmp(out->used_domain, in->from_domain) == 0;

    if (at_author || (rec->psd == 1 && strcasecmp(out->org_domain, in->from_domain) == 0)) {
	out->domain_policy = rec->p;
	out->policy_tag = "p";
    } else if (rec->np && dm_nonexistent(env, in->from_domain)) {
	out->domain_policy = rec->np;
	out->policy_tag = "np";
    } else if (rec->sp) {
	out->domain_policy = rec->sp;
	out->policy_tag = "sp";
    } else {
	out->domain_policy = rec->p;
	out->policy_tag = "p";
    }
}

/* dm_set - status, A-R word and text */
static void dm_set(struct dmarc_outcome *out, enum dmarc_status st, const char *ar,
		   struct buf *text)
{
    out->status = st;
    out->ar_result = ar;
    out->text = buf_steal(text);
}

/* dm_decide - the disposition once the record is known */
static void dm_decide(const struct dmarc_env *env, const struct dmarc_input *in,
		      struct dmarc_outcome *out, struct buf *text)
{
    struct buf why = BUF_INIT;
    int     temp = dm_align_all(env, in, out, &why);
    int     d;

    dm_policy(env, in, out);
    if (out->spf_aligned || out->dkim_aligned) {
	out->disposition = 'n';
	buf_printf(text, "pass: %s aligned with %s%s", out->dkim_aligned ? "DKIM" : "SPF",
		   in->from_domain, buf_str(&why));
	dm_set(out, DMARC_ST_ACCEPT, "pass", text);
    } else if (temp) {
	buf_printf(text, "temperror: no identifier aligned with %s and an alignment "
		   "lookup failed%s", in->from_domain, buf_str(&why));
	dm_set(out, DMARC_ST_TEMPERROR, "temperror", text);
    } else {
	d = out->domain_policy;
	if (out->rec.testing && d == 'r')
	    d = 'q';
	else if (out->rec.testing && d == 'q')
	    d = 'n';
	out->disposition = d;
	buf_printf(text, "fail: no identifier aligned with %s; policy %s (%s= of _dmarc.%s)%s%s",
		   in->from_domain, dmarc_policy_name(out->domain_policy), out->policy_tag,
		   out->used_domain, out->rec.testing && d != out->domain_policy
		   ? ", t=y: applied as " : "", out->rec.testing && d != out->domain_policy
		   ? dmarc_policy_name(d) : "");
	buf_puts(text, buf_str(&why));
	dm_set(out, d == 'r' ? DMARC_ST_REJECT : d == 'q' ? DMARC_ST_QUARANTINE
	       : DMARC_ST_NONE, "fail", text);
    }
    buf_free(&why);
}

/* dmarc_eval - evaluate DMARC for one message */
int dmarc_eval(const struct dmarc_env *env, const struct dmarc_input *in,
	       struct dmarc_outcome *out)
{
    struct buf text = BUF_INIT;
    struct dm_rec r;
    char   *why = NULL;

    memset(out, 0, sizeof(*out));
    out->rec.psd = -1;
    if (in->from_domain == NULL || *in->from_domain == 0) {
	buf_puts(&text, "nofrom: no usable From domain");
	dm_set(out, DMARC_ST_NOFROM, "permerror", &text);
	return 0;
    }
    out->used_domain = xstrdup(in->from_domain);
    if (dm_org(env, in->from_domain, &out->org_domain, &why) < 0) {
	buf_printf(&text, "temperror: %s", why);
	free(why);
	dm_set(out, DMARC_ST_TEMPERROR, "temperror", &text);
	return 0;
    }
    dm_discover(env, in->from_domain, out->org_domain, &r);
    if (r.st == -1) {
	buf_printf(&text, "temperror: %s", r.why);
	dm_set(out, DMARC_ST_TEMPERROR, "temperror", &text);
    } else if (r.st == -2) {
	buf_printf(&text, "none: invalid DMARC record: %s", r.why);
	dm_set(out, DMARC_ST_NONE, "permerror", &text);
    } else if (r.st == 0) {
	buf_printf(&text, "norecord: no DMARC record for %s", in->from_domain);
	if (strcasecmp(out->org_domain, in->from_domain) != 0)
	    buf_printf(&text, " nor its organizational domain %s", out->org_domain);
	dm_set(out, DMARC_ST_NORECORD, "none", &text);
    } else {
	free(out->used_domain);
	out->used_domain = xstrdup(r.name);
	out->rec = r.rec;
	memset(&r.rec, 0, sizeof(r.rec));
	out->has_record = 1;
	dm_decide(env, in, out, &text);
    }
    dm_rec_clear(&r);
    buf_free(&text);
    return 0;
}

/* dmarc_outcome_free - free an outcome's data */
void dmarc_outcome_free(struct dmarc_outcome *out)
{
    free(out->used_domain);
    free(out->org_domain);
    free(out->aligned_dkim_domain);
    free(out->text);
    dmarc_record_clear(&out->rec);
    memset(out, 0, sizeof(*out));
}
