/*
 * NAME
 *	dmarc_record - DMARC records, the From domain and DKIM results as inputs
 * SYNOPSIS
 *	#include "check/dmarc.h"
 *
 *	int dmarc_record_select(const struct dns_answer *a, const char **txt_r,
 *				const char **why_r);
 *	int dmarc_record_parse(const char *domain, const char *txt, size_t len,
 *			       struct dmarc_record *rec, const char **why_r);
 *	void dmarc_record_clear(struct dmarc_record *rec);
 *	int dmarc_from_domain(const struct mail_hdrs *hdrs, char **domain_r,
 *			      const char **why_r);
 *	int dmarc_dkim_parse(const char *results, struct dmarc_dkim **dkim_r,
 *			     size_t *n_r);
 *	void dmarc_dkim_free(struct dmarc_dkim **dkim, size_t n);
 * DESCRIPTION
 *	dmarc_record_select keeps the TXT records that begin with
 *	"v=DMARC1" (RFC 7489 6.6.3 step 3: others are discarded, case
 *	matters for the version only as far as the RFC's ABNF: "v" and
 *	"DMARC1" are compared exactly, spaces around "=" allowed).
 *
 *	dmarc_record_parse hands the record to libopendmarc
 *	(opendmarc_policy_parse_dmarc on a private context, so it is
 *	thread safe) for v, p, sp, adkim, aspf, pct, rua, ruf, fo, and reads
 *	the RFC 9989 tags itself: np (ignored when invalid), psd (y, n, u)
 *	and t (y, n). A record without a valid p= but with a rua= URI acts
 *	as p=none (RFC 7489 6.6.3); otherwise a record libopendmarc refuses
 *	is invalid. Records longer than 2048 octets are refused before the
 *	library sees them.
 * DIAGNOSTICS
 *	See dmarc.h.
 * STANDARDS
 *	RFC 7489 6.3, 6.4 (ABNF), 6.6.1, 6.6.3; RFC 9989 4.7.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <opendmarc/dmarc.h>
#include "check/dmarc.h"
#include "mail/addr.h"
#include "util/xmalloc.h"

#define DMARC_RECORD_MAX 2048

/* record_is_dmarc1 - does a TXT record begin with v=DMARC1 */
static int record_is_dmarc1(const char *s, size_t len)
{
    size_t  i = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t'))
	i++;
    if (i + 1 >= len || s[i] != 'v')
	return 0;
    i++;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
	i++;
    if (i >= len || s[i++] != '=')
	return 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
	i++;
    if (len - i < 6 || memcmp(s + i, "DMARC1", 6) != 0)
	return 0;
    i += 6;
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
	i++;
    return i == len || s[i] == ';';
}

/* dmarc_record_select - the one DMARC record of a TXT answer */
int dmarc_record_select(const struct dns_answer *a, const char **txt_r, const char **why_r)
{
    int     found = 0;

    *txt_r = NULL;
    for (size_t i = 0; a && i < a->count; i++) {
	if (a->rrs[i].type != DNS_T_TXT
	    || !record_is_dmarc1(a->rrs[i].u.txt.text, a->rrs[i].u.txt.len))
	    continue;
	if (found++) {
	    *txt_r = NULL;
	    *why_r = "more than one DMARC record";
	    return -1;
	}
	*txt_r = a->rrs[i].u.txt.text;
    }
    return found;
}

/* tag_value - the value of tag name in a tag list, allocated, or NULL */
static char *tag_value(const char *txt, size_t len, const char *name)
{
    const char *p = txt, *end = txt + len;
    size_t  nlen = strlen(name);

    while (p < end) {
	const char *semi = memchr(p, ';', (size_t) (end - p));
	const char *te = semi ? semi : end, *eq;

	while (p < te && (*p == ' ' || *p == '\t'))
	    p++;
	eq = memchr(p, '=', (size_t) (te - p));
	if (eq) {
	    const char *ne = eq, *v = eq + 1, *ve = te;

	    while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
		ne--;
	    while (v < ve && (*v == ' ' || *v == '\t'))
		v++;
	    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	    if ((size_t) (ne - p) == nlen && strncasecmp(p, name, nlen) == 0)
		return xstrndup(v, (size_t) (ve - v));
	}
	p = semi ? semi + 1 : end;
    }
    return NULL;
}

/* policy_word - 'n', 'q', 'r' of a policy word, 0 if invalid */
static int policy_word(const char *v)
{
    if (v == NULL)
	return 0;
    if (strcasecmp(v, "none") == 0)
	return 'n';
    if (strcasecmp(v, "quarantine") == 0)
	return 'q';
    if (strcasecmp(v, "reject") == 0)
	return 'r';
    return 0;
}

/* record_bis_tags - np, psd, t, and the URIs as published */
static void record_bis_tags(const char *txt, size_t len, struct dmarc_record *rec)
{
    char   *v;

    v = tag_value(txt, len, "np");
    rec->np = policy_word(v);
    free(v);
    v = tag_value(txt, len, "psd");
    rec->psd = v && strcasecmp(v, "y") == 0 ? 1 : v && strcasecmp(v, "n") == 0 ? 0 : -1;
    free(v);
    v = tag_value(txt, len, "t");
    rec->testing = v && strcasecmp(v, "y") == 0;
    free(v);
    rec->rua = tag_value(txt, len, "rua");
    rec->ruf = tag_value(txt, len, "ruf");
    rec->fo = tag_value(txt, len, "fo");
}

/* dmarc_record_parse - parse one record (libopendmarc + RFC 9989 tags) */
int dmarc_record_parse(const char *domain, const char *txt, size_t len,
		       struct dmarc_record *rec, const char **why_r)
{
    DMARC_POLICY_T *pctx;
    char   *copy;
    int     st, v = 0;

    memset(rec, 0, sizeof(*rec));
    rec->psd = -1;
    if (len > DMARC_RECORD_MAX || memchr(txt, 0, len) != NULL) {
	*why_r = len > DMARC_RECORD_MAX ? "record longer than 2048 octets"
	    : "record contains a NUL octet";
	return -1;
    }
    if ((pctx = opendmarc_policy_connect_init((u_char *) "0.0.0.0", 0)) == NULL) {
	*why_r = "libopendmarc: out of memory";
	return -1;
    }
    copy = xstrndup(txt, len);
    st = opendmarc_policy_parse_dmarc(pctx, (u_char *) (domain && *domain ? domain : "."),
				      (u_char *) copy);
    free(copy);
    record_bis_tags(txt, len, rec);
    if (st == DMARC_PARSE_OKAY) {
	opendmarc_policy_fetch_p(pctx, &v);
	rec->p = v;
	v = 0;
	opendmarc_policy_fetch_sp(pctx, &v);
	rec->sp = v;
	v = 0;
	opendmarc_policy_fetch_adkim(pctx, &v);
	rec->adkim = v == 's' ? 's' : 'r';
	v = 0;
	opendmarc_policy_fetch_aspf(pctx, &v);
	rec->aspf = v == 's' ? 's' : 'r';
	v = 100;
	opendmarc_policy_fetch_pct(pctx, &v);
	rec->pct = v;
    } else if ((st == DMARC_PARSE_ERROR_NO_REQUIRED_P || st == DMARC_PARSE_ERROR_BAD_VALUE)
	       && record_is_dmarc1(txt, len) && rec->rua && strstr(rec->rua, "mailto:")) {
	/* RFC 7489 6.6.3: no valid p= but a valid rua: act as p=none */
	rec->p = 'n';
	rec->adkim = rec->aspf = 'r';
	rec->pct = 100;
    } else {
	*why_r = opendmarc_policy_status_to_str(st);
	opendmarc_policy_connect_shutdown(pctx);
	dmarc_record_clear(rec);
	return -1;
    }
    opendmarc_policy_connect_shutdown(pctx);
    return 0;
}

/* dmarc_record_clear - free what a record holds */
void dmarc_record_clear(struct dmarc_record *rec)
{
    free(rec->rua);
    free(rec->ruf);
    free(rec->fo);
    memset(rec, 0, sizeof(*rec));
    rec->psd = -1;
}

/* dmarc_from_domain - the RFC 5322.From domain (RFC 7489 6.6.1) */
int dmarc_from_domain(const struct mail_hdrs *hdrs, char **domain_r, const char **why_r)
{
    *domain_r = NULL;
    if (hdrs == NULL) {
	*why_r = "no header";
	return -1;
    }
    return mail_addr_from_domain(hdrs, domain_r, why_r);
}

/* dkim_token - one "RESULT:DOMAIN:SELECTOR" token; 0 ok, -1 malformed */
static int dkim_token(const char *s, size_t len, struct dmarc_dkim *d)
{
    const char *c1 = memchr(s, ':', len), *c2;
    char   *dom;
    const char *why;

    if (c1 == NULL || c1 == s)
	return -1;
    c2 = memchr(c1 + 1, ':', (size_t) (s + len - c1 - 1));
    if (c2 == NULL)
	c2 = s + len;
    if (mail_domain_normalize(c1 + 1, (size_t) (c2 - c1 - 1), &dom, &why) != 0)
	return -1;
    d->result = xstrndup(s, (size_t) (c1 - s));
    d->domain = dom;
    d->selector = c2 < s + len ? xstrndup(c2 + 1, (size_t) (s + len - c2 - 1)) : xstrdup("");
    return 0;
}

/* dmarc_dkim_parse - the dkim_results fact as an array */
int dmarc_dkim_parse(const char *results, struct dmarc_dkim **dkim_r, size_t *n_r)
{
    struct dmarc_dkim *arr = NULL;
    size_t  n = 0, cap = 0;
    const char *p = results ? results : "";

    while (*p) {
	size_t  len;

	while (*p == ' ' || *p == '\t' || *p == ',')
	    p++;
	len = strcspn(p, " \t,");
	if (len == 0)
	    break;
	if (n == cap) {
	    cap = cap ? cap * 2 : 4;
	    arr = xrealloc(arr, cap * sizeof(*arr));
	}
	if (n < 64 && dkim_token(p, len, &arr[n]) == 0)
	    n++;
	p += len;
    }
    *dkim_r = arr;
    *n_r = n;
    return 0;
}

/* dmarc_dkim_free - free a parsed dkim_results array */
void dmarc_dkim_free(struct dmarc_dkim **dkim, size_t n)
{
    for (size_t i = 0; *dkim && i < n; i++) {
	free((*dkim)[i].result);
	free((*dkim)[i].domain);
	free((*dkim)[i].selector);
    }
    free(*dkim);
    *dkim = NULL;
}
