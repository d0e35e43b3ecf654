/*
 * NAME
 *	mta_sts_parse.c - MTA-STS record and policy parsers
 * DESCRIPTION
 *	See mta_sts_parse.h. Pure functions: no I/O, no allocation.
 */
#include "config.h"
#include "outbound/mta_sts_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* is_wsp - SP or HTAB */
static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* sts_ext_ok - an extension field NAME=VALUE of RFC 8461 3.1 */
static int sts_ext_ok(const char *f, size_t len)
{
    const char *eq = memchr(f, '=', len);
    size_t n;

    if (eq == NULL || eq == f || (size_t) (eq - f) > 32 || !isalnum((unsigned char) f[0]))
	return 0;
    for (n = 1; f + n < eq; n++)
	if (!isalnum((unsigned char) f[n]) && f[n] != '_' && f[n] != '-' && f[n] != '.')
	    return 0;
    if (eq + 1 == f + len)
	return 0;		/* 1*(value chars) */
    for (const char *p = eq + 1; p < f + len; p++)
	if (*p < 0x21 || *p > 0x7e || *p == ';' || *p == '=')
	    return 0;
    return 1;
}

/* ob_sts_txt_parse - one _mta-sts TXT record; 0 valid (id in id_r) */
int ob_sts_txt_parse(const char *txt, size_t len, char *id_r)
{
    size_t i = 7;
    int have_id = 0;

    id_r[0] = 0;
    if (len < 7 || memcmp(txt, "v=STSv1", 7) != 0)
	return -1;
    while (i < len) {
	size_t start, end;

	while (i < len && is_wsp(txt[i]))
	    i++;
	if (i >= len || txt[i] != ';')
	    return -1;
	i++;
	while (i < len && is_wsp(txt[i]))
	    i++;
	if (i >= len)
	    break;		/* a final ";" */
	start = i;
	while (i < len && txt[i] != ';' && !is_wsp(txt[i]))
	    i++;
	end = i;
	if (end - start > 3 && memcmp(txt + start, "id=", 3) == 0) {
	    size_t n = end - start - 3;

	    if (n > 32)
		return -1;
	    for (size_t k = 0; k < n; k++)
		if (!isalnum((unsigned char) txt[start + 3 + k]))
		    return -1;
	    if (!have_id) {
		memcpy(id_r, txt + start + 3, n);
		id_r[n] = 0;
		have_id = 1;
	    }
	} else if (!sts_ext_ok(txt + start, end - start)) {
	    return -1;
	}
    }
    return have_id ? 0 : -1;
}

/* host_ok - a host name of a policy: LDH labels separated by dots */
static int host_ok(const char *h, size_t len)
{
    size_t label = 0;

    if (len == 0 || len > 253)
	return 0;
    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) h[i];

	if (c == '.') {
	    if (label == 0)
		return 0;
	    label = 0;
	} else if (isalnum(c) || c == '-' || c == '_' || c >= 0x80) {
	    if (++label > 63)
		return 0;
	} else {
	    return 0;
	}
    }
    return label > 0;
}

/* policy_field - one "key: value" line into p; -1 with *why_r */
static int policy_field(const char *k, size_t klen, const char *v, size_t vlen,
			struct ob_sts_policy *p, unsigned *seen, const char **why_r)
{
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
    if (KEY("version") && !(*seen & 1)) {
	*seen |= 1;
	if (vlen != 5 || memcmp(v, "STSv1", 5) != 0)
	    return *why_r = "version is not STSv1", -1;
    } else if (KEY("mode") && !(*seen & 2)) {
	*seen |= 2;
	if (vlen == 7 && memcmp(v, "enforce", 7) == 0)
	    p->mode = OB_STS_ENFORCE;
	else if (vlen == 7 && memcmp(v, "testing", 7) == 0)
	    p->mode = OB_STS_TESTING;
	else if (vlen == 4 && memcmp(v, "none", 4) == 0)
	    p->mode = OB_STS_NONE;
	else
	    return *why_r = "mode is not enforce, testing or none", -1;
    } else if (KEY("max_age") && !(*seen & 4)) {
	long age = 0;

	*seen |= 4;
	if (vlen == 0 || vlen > 10)
	    return *why_r = "max_age is not 1 to 10 digits", -1;
	for (size_t i = 0; i < vlen; i++) {
	    if (!isdigit((unsigned char) v[i]))
		return *why_r = "max_age is not a number", -1;
	    if (age <= OB_STS_MAX_AGE)
		age = age * 10 + (v[i] - '0');
	}
	p->max_age = age > OB_STS_MAX_AGE ? OB_STS_MAX_AGE : age;
    } else if (KEY("mx")) {
	size_t off = vlen > 2 && v[0] == '*' && v[1] == '.' ? 2 : 0;

	if (!host_ok(v + off, vlen - off))
	    return *why_r = "mx is not a host name or *.host pattern", -1;
	if (p->nmx < OB_STS_MAX_MX && vlen < sizeof(p->mx[0])) {
	    memcpy(p->mx[p->nmx], v, vlen);
	    p->mx[p->nmx][vlen] = 0;
	    p->nmx++;
	}
    }
#undef KEY
    return 0;
}

/* ob_sts_policy_parse - a policy body; 0 valid */
int ob_sts_policy_parse(const char *text, size_t len, struct ob_sts_policy *p,
			const char **why_r)
{
    unsigned seen = 0;
    size_t i = 0;

    memset(p, 0, sizeof(*p));
    *why_r = "";
    if (len > OB_STS_POLICY_MAX)
	return *why_r = "policy too large", -1;
    while (i < len) {
	const char *nl = memchr(text + i, '\n', len - i);
	size_t end = nl ? (size_t) (nl - text) : len, next = nl ? end + 1 : len;
	const char *line = text + i, *colon;
	size_t llen = end - i, vstart;

	if (llen > 0 && line[llen - 1] == '\r')
	    llen--;
	i = next;
	while (llen > 0 && is_wsp(line[llen - 1]))
	    llen--;
	if (llen == 0)
	    continue;		/* an empty line (also the final terminator) */
	if ((colon = memchr(line, ':', llen)) == NULL || colon == line)
	    return *why_r = "a line is not key: value", -1;
	vstart = (size_t) (colon + 1 - line);
	while (vstart < llen && is_wsp(line[vstart]))
	    vstart++;
	if (memchr(line, '\0', llen) != NULL)
	    return *why_r = "NUL byte in the policy", -1;
	if (policy_field(line, (size_t) (colon - line), line + vstart, llen - vstart, p, &seen,
			 why_r) < 0)
	    return -1;
    }
    if ((seen & 7) != 7)
	return *why_r = "version, mode or max_age missing", -1;
    if (p->mode != OB_STS_NONE && p->nmx == 0)
	return *why_r = "no mx in a policy that is not mode none", -1;
    return 0;
}

/* ob_sts_mx_match - does host match one of the policy's mx patterns? */
int ob_sts_mx_match(const struct ob_sts_policy *p, const char *host)
{
    size_t hlen = strlen(host);

    if (hlen > 0 && host[hlen - 1] == '.')
	hlen--;
    for (size_t i = 0; i < p->nmx; i++) {
	const char *pat = p->mx[i];
	size_t plen = strlen(pat);

	if (plen > 0 && pat[plen - 1] == '.')
	    plen--;
	if (plen > 2 && pat[0] == '*' && pat[1] == '.') {
	    const char *dot = memchr(host, '.', hlen);

	    /* exactly one label before ".REST" */
	    if (dot != NULL && dot != host && (size_t) (host + hlen - dot) == plen - 1
		&& strncasecmp(dot, pat + 1, plen - 1) == 0)
		return 1;
	} else if (plen == hlen && strncasecmp(host, pat, hlen) == 0) {
	    return 1;
	}
    }
    return 0;
}

/* ob_sts_mode_name - the mode's word */
const char *ob_sts_mode_name(enum ob_sts_mode m)
{
    return m == OB_STS_ENFORCE ? "enforce" : m == OB_STS_TESTING ? "testing" : "none";
}
