/*
 * NAME
 *	dmarc_arc - the trusted ARC sealer override of a DMARC failure
 * SYNOPSIS
 *	#include "check/dmarc_int.h"
 *
 *	int dmarc_aar_vouches(const char *value, size_t len, const char *from_domain,
 *			      const char *from_org, int *instance_r);
 *	const char *dmarc_arc_override(const struct mail_hdrs *hdrs,
 *				       const char *arc_state, const char *arc_domains,
 *				       const char *const *trusted, size_t ntrusted,
 *				       const char *from_domain, const char *from_org,
 *				       char *sealer, size_t sealer_len);
 * DESCRIPTION
 *	RFC 8617 7.2.1: a receiver may use the Authentication-Results an
 *	intermediary recorded in its ARC set when the chain validates and it
 *	trusts that intermediary. dmarc_arc_override looks, from the newest
 *	instance down, for an instance sealed by a domain of trusted
 *	(arc_domains lists the sealers in instance order, as the ARC module
 *	sets it) whose ARC-Authentication-Results field vouches for the From
 *	domain: dmarc=pass, or spf=pass or dkim=pass for an identifier that
 *	is the From domain or lies under its organizational domain. Nothing
 *	is overridden unless arc_state is "pass".
 *
 *	dmarc_aar_vouches parses one ARC-Authentication-Results value
 *	("i=N; authserv-id; method=result ptype.prop=value ...; ..."):
 *	comments are dropped, quoted strings unquoted, and a method that
 *	names a header.from other than the From domain does not count.
 * DIAGNOSTICS
 *	dmarc_aar_vouches: 1 vouches, 0 does not, -1 unparsable (no i=).
 *	dmarc_arc_override: the sealer (copied into sealer) or NULL.
 * STANDARDS
 *	RFC 8617 4.1.1 (AAR), 7.2.1; RFC 8601 2.2 (resinfo syntax).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "check/dmarc_int.h"
#include "util/buf.h"
#include "util/xmalloc.h"

#define AAR_MAX_TOKENS	256

/* aar_clean - tokens of a value: comments dropped, quotes removed, ';' alone */
static size_t aar_tokens(const char *s, size_t len, struct buf *out, size_t *starts,
			 size_t max)
{
    size_t  n = 0, i = 0;
    int     in_tok = 0;

    while (i < len && n < max) {
	char    c = s[i];

	if (c == '(') {			/* comment, nested, with quoted pairs */
	    int     depth = 0;

	    for (; i < len; i++) {
		if (s[i] == '\\')
		    i++;
		else if (s[i] == '(')
		    depth++;
		else if (s[i] == ')' && --depth == 0)
		    break;
	    }
	    i++;
	    continue;
	}
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';') {
	    if (in_tok)
		buf_putc(out, 0), in_tok = 0;
	    if (c == ';') {
		starts[n++] = out->len;
		buf_append(out, ";", 2);
	    }
	    i++;
	    continue;
	}
	if (!in_tok) {
	    starts[n++] = out->len;
	    in_tok = 1;
	}
	if (c == '"') {
	    for (i++; i < len && s[i] != '"'; i++) {
		if (s[i] == '\\' && i + 1 < len)
		    i++;
		buf_putc(out, s[i]);
	    }
	    i++;
	    continue;
	}
	buf_putc(out, c);
	i++;
    }
    if (in_tok)
	buf_putc(out, 0);
    return n;
}

/* aar_domain_ok - is d (or the domain of an address) the From domain or under its org */
static int aar_domain_ok(const char *d, const char *from, const char *org)
{
    const char *at = strrchr(d, '@');
    size_t  dl, ol = strlen(org);

    if (at)
	d = at + 1;
    dl = strlen(d);
    if (strcasecmp(d, from) == 0 || strcasecmp(d, org) == 0)
	return 1;
    return dl > ol && d[dl - ol - 1] == '.' && strcasecmp(d + dl - ol, org) == 0;
}

/* aar_resinfo - does one resinfo (tokens from..to) vouch */
static int aar_resinfo(char *const *tok, size_t n, const char *from, const char *org)
{
    const char *eq = strchr(tok[0], '=');
    size_t  mlen;
    const char *want = NULL;

    if (eq == NULL || strcasecmp(eq + 1, "pass") != 0)
	return 0;
    mlen = (size_t) (eq - tok[0]);
    if (mlen == 5 && strncasecmp(tok[0], "dmarc", 5) == 0)
	want = "header.from=";
    else if (mlen == 3 && strncasecmp(tok[0], "spf", 3) == 0)
	want = "smtp.mailfrom=";
    else if (mlen == 4 && strncasecmp(tok[0], "dkim", 4) == 0)
	want = "header.d=";
    else
	return 0;
    for (size_t i = 1; i < n; i++) {
	size_t  wl = strlen(want);

	if (strncasecmp(tok[i], want, wl) == 0)
	    return want[0] == 'h' && want[7] == 'f'
		? strcasecmp(tok[i] + wl, from) == 0 : aar_domain_ok(tok[i] + wl, from, org);
    }
    return 0;
}

/* dmarc_aar_vouches - does an AAR value vouch for the From domain */
int dmarc_aar_vouches(const char *value, size_t len, const char *from_domain,
		      const char *from_org, int *instance_r)
{
    struct buf b = BUF_INIT;
    size_t  starts[AAR_MAX_TOKENS];
    char   *tok[AAR_MAX_TOKENS];
    size_t  n = aar_tokens(value, len, &b, starts, AAR_MAX_TOKENS), i = 0, semis = 0;
    int     vouch = 0;

    *instance_r = 0;
    for (size_t k = 0; k < n; k++)
	tok[k] = b.data + starts[k];
    if (n == 0 || strncasecmp(tok[0], "i=", 2) != 0 || (*instance_r = atoi(tok[0] + 2)) <= 0) {
	buf_free(&b);
	return -1;
    }
    while (i < n && semis < 2)		/* skip "i=N;" and "authserv-id [version];" */
	semis += strcmp(tok[i++], ";") == 0;
    while (i < n && !vouch) {
	size_t  j = i;

	while (j < n && strcmp(tok[j], ";") != 0)
	    j++;
	if (j > i)
	    vouch = aar_resinfo(tok + i, j - i, from_domain, from_org);
	i = j + 1;
    }
    buf_free(&b);
    return vouch;
}

/* arc_sealer_at - the sealer of instance i (1-based) in "d1:d2:..." */
static int arc_sealer_at(const char *domains, int inst, char *out, size_t outlen)
{
    const char *p = domains;

    for (int i = 1; i < inst && p; i++) {
	p = strchr(p, ':');
	if (p)
	    p++;
    }
    if (p == NULL)
	return -1;
    size_t  len = strcspn(p, ":");

    if (len == 0 || len >= outlen)
	return -1;
    memcpy(out, p, len);
    out[len] = 0;
    return 0;
}

/* dmarc_arc_override - the trusted sealer that vouches for the From domain */
const char *dmarc_arc_override(const struct mail_hdrs *hdrs, const char *arc_state,
			       const char *arc_domains, const char *const *trusted,
			       size_t ntrusted, const char *from_domain, const char *from_org,
			       char *sealer, size_t sealer_len)
{
    int     best = 0;

    if (hdrs == NULL || arc_state == NULL || strcmp(arc_state, "pass") != 0
	|| arc_domains == NULL || ntrusted == 0)
	return NULL;
    for (size_t h = 0; h < mail_hdrs_count(hdrs); h++) {
	const struct mail_hdr *hd = mail_hdrs_at(hdrs, h);
	char    who[256];
	int     inst;

	if (!mail_hdr_is(hd, "ARC-Authentication-Results")
	    || dmarc_aar_vouches(hd->value, hd->value_len, from_domain, from_org, &inst) != 1
	    || inst <= best || arc_sealer_at(arc_domains, inst, who, sizeof(who)) < 0)
	    continue;
	for (size_t t = 0; t < ntrusted; t++) {
	    if (strcasecmp(trusted[t], who) == 0 && strlen(who) < sealer_len) {
		strcpy(sealer, who);
		best = inst;
	    }
	}
    }
    return best ? sealer : NULL;
}
