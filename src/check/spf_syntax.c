/*
 * NAME
 *	spf_syntax - the strict RFC 7208 record check run before libspf2
 * SYNOPSIS
 *	#include "check/spf_int.h"
 *
 *	int spf_syntax_check(const char *record, const char **why_r);
 *	char *spf_syntax_rewrite(const char *record, int family);
 *	int spf_domain_valid(const char *domain);
 *	int spf_macro_syntax(const char *text, int exp, int *end_macro_r,
 *			     const char **why_r);
 * DESCRIPTION
 *	libspf2 1.2.10 accepts records the RFC calls invalid (domain-specs
 *	without a valid top label, bad CIDR lengths, unknown macro letters,
 *	"c", "r", "t" outside explanations, repeated redirect= or exp=),
 *	so every record is checked against the ABNF of RFC 7208 12 first;
 *	an invalid record is a permerror.
 *
 *	spf_syntax_rewrite returns a valid record as libspf2 must see it
 *	to evaluate it as the RFC says: unknown modifiers dropped (libspf2 refuses some valid ones),
 *	redirect= moved to the end and dropped when the record has "all"
 *	(RFC 7208 6.1), and zero CIDR lengths, which libspf2 refuses,
 *	expressed otherwise: "ip4:N/0" becomes "ip4:0.0.0.0/1
 *	ip4:128.0.0.0/1" (and the same for ip6); "a:D/0" and "mx:D/0" (for
 *	the client's address family) look up "D._mxg0" with a full-length
 *	CIDR, which spf_dns.c answers with the client's own address when D
 *	has any address, exactly what a zero length matches.
 *
 *	spf_domain_valid is the check of RFC 7208 4.3 on an identity or a
 *	target name: labels of 1 to 63 octets, at most 253 octets, at
 *	least two labels (one trailing dot allowed).
 *	spf_macro_syntax checks a whole macro-string (exp: explanation
 *	text, where spaces and the letters c, r, t are allowed).
 * DIAGNOSTICS
 *	spf_syntax_check, spf_macro_syntax: 0 valid, -1 with a static
 *	reason in *why_r.
 *	spf_domain_valid: 1 valid, 0 not.
 * STANDARDS
 *	RFC 7208 4.3, 4.6.1, 5, 6, 7.1 (macro syntax), 12 (ABNF).
 */
#include "config.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "check/spf_int.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* spf_domain_valid - RFC 7208 4.3 check of a domain name */
int spf_domain_valid(const char *domain)
{
    size_t len = strlen(domain), lab = 0, labels = 0, i;

    if (len > 0 && domain[len - 1] == '.')
	len--;
    if (len == 0 || len > 253)
	return 0;
    for (i = 0; i <= len; i++) {
	if (i == len || domain[i] == '.') {
	    if (lab == 0 || lab > 63)
		return 0;
	    labels++;
	    lab = 0;
	} else {
	    lab++;
	}
    }
    return labels >= 2;
}

/* spf_macro_check - one macro-string [s, e): 0 ok, -1 bad; *end_macro_r */
static int spf_macro_check(const char *s, const char *e, int exp, int *end_macro_r,
			   const char **why_r)
{
    *end_macro_r = 0;
    while (s < e) {
	if (*s != '%') {
	    if ((unsigned char) *s < (exp ? 0x20 : 0x21) || (unsigned char) *s > 0x7e) {
		*why_r = "invalid character";
		return -1;
	    }
	    *end_macro_r = 0;
	    s++;
	    continue;
	}
	if (s + 1 >= e) {
	    *why_r = "lone % at end";
	    return -1;
	}
	if (s[1] == '%' || s[1] == '_' || s[1] == '-') {
	    s += 2;
	    *end_macro_r = 1;
	    continue;
	}
	if (s[1] != '{') {
	    *why_r = "invalid % escape";
	    return -1;
	}
	s += 2;
	if (s >= e || !strchr("sSlLoOdDiIpPhHvVcCrRtT", *s) || *s == 0) {
	    *why_r = "invalid macro letter";
	    return -1;
	}
	if (!exp && strchr("cCrRtT", *s)) {
	    *why_r = "macro letter allowed only in explanations";
	    return -1;
	}
	s++;
	while (s < e && isdigit((unsigned char) *s))
	    s++;
	if (s < e && (*s == 'r' || *s == 'R'))
	    s++;
	while (s < e && strchr(".-+,/_=", *s) && *s)
	    s++;
	if (s >= e || *s != '}') {
	    *why_r = "invalid macro";
	    return -1;
	}
	s++;
	*end_macro_r = 1;
    }
    return 0;
}

/* spf_macro_syntax - a whole macro-string; exp: explanation text */
int spf_macro_syntax(const char *text, int exp, int *end_macro_r, const char **why_r)
{
    return spf_macro_check(text, text + strlen(text), exp, end_macro_r, why_r);
}

/* spf_toplabel_ok - RFC 7208 toplabel: alnum and "-", not all digits */
static int spf_toplabel_ok(const char *s, size_t n)
{
    size_t i;
    int alpha = 0;

    if (n == 0 || s[0] == '-' || s[n - 1] == '-')
	return 0;
    for (i = 0; i < n; i++) {
	if (isalpha((unsigned char) s[i]) || s[i] == '-')
	    alpha = 1;
	else if (!isdigit((unsigned char) s[i]))
	    return 0;
    }
    return alpha;
}

/* spf_domain_spec_check - macro-string domain-end */
static int spf_domain_spec_check(const char *s, const char *e, const char **why_r)
{
    int end_macro;
    const char *dot, *te;

    if (s >= e) {
	*why_r = "empty domain-spec";
	return -1;
    }
    if (spf_macro_check(s, e, 0, &end_macro, why_r) < 0)
	return -1;
    if (end_macro)
	return 0;
    te = e;
    if (te[-1] == '.')
	te--;
    for (dot = te - 1; dot >= s && *dot != '.'; dot--)
	;
    if (dot < s || !spf_toplabel_ok(dot + 1, (size_t) (te - dot - 1))) {
	*why_r = "domain-spec without a valid top label";
	return -1;
    }
    return 0;
}

/* spf_cidr_num - "/N" without leading zeros, at most max */
static int spf_cidr_num(const char *s, const char *e, int max)
{
    int v = 0;

    if (s >= e || (*s == '0' && e - s > 1) || e - s > 3)
	return -1;
    for (; s < e; s++) {
	if (!isdigit((unsigned char) *s))
	    return -1;
	v = v * 10 + (*s - '0');
    }
    return v <= max ? v : -1;
}

/* spf_dual_cidr - split a trailing dual-cidr-length off [s, *e_r) */
static int spf_dual_cidr(const char *s, const char **e_r, const char **why_r)
{
    const char *e = *e_r, *p = e, *q;

    /* "//N" (ip6) last, then "/N" (ip4), both optional */
    while (p > s && isdigit((unsigned char) p[-1]))
	p--;
    if (p < e && p - s >= 2 && p[-1] == '/' && p[-2] == '/') {
	if (spf_cidr_num(p, e, 128) < 0)
	    goto bad;
	e = p - 2;
	p = e;
	while (p > s && isdigit((unsigned char) p[-1]))
	    p--;
    }
    if (p < e && p > s && p[-1] == '/') {
	q = p - 1;
	if (q > s && q[-1] == '/')
	    goto bad;
	if (spf_cidr_num(p, e, 32) < 0)
	    goto bad;
	e = q;
    }
    *e_r = e;
    return 0;
  bad:
    *why_r = "invalid CIDR length";
    return -1;
}

/* spf_ip4_ok - strict dotted quad (RFC 7208 ip4-network) */
static int spf_ip4_ok(const char *s, size_t n)
{
    int parts = 0, digits = 0, v = 0;
    size_t i;

    for (i = 0; i <= n; i++) {
	if (i == n || s[i] == '.') {
	    if (digits == 0 || v > 255)
		return 0;
	    parts++;
	    digits = v = 0;
	} else if (isdigit((unsigned char) s[i])) {
	    if (digits == 1 && v == 0)
		return 0;		/* leading zero */
	    v = v * 10 + (s[i] - '0');
	    if (v > 255)
		return 0;
	    digits++;
	} else {
	    return 0;
	}
    }
    return parts == 4;
}

/* spf_ip_term - ip4:/ip6: network and optional CIDR length */
static int spf_ip_term(const char *s, const char *e, int six, const char **why_r)
{
    const char *slash = memchr(s, '/', (size_t) (e - s));
    const char *ae = slash ? slash : e;
    char addr[64];
    unsigned char bin[16];

    if (slash && spf_cidr_num(slash + 1, e, six ? 128 : 32) < 0) {
	*why_r = "invalid CIDR length";
	return -1;
    }
    if ((size_t) (ae - s) >= sizeof(addr)) {
	*why_r = "invalid IP address";
	return -1;
    }
    memcpy(addr, s, (size_t) (ae - s));
    addr[ae - s] = 0;
    if (six ? inet_pton(AF_INET6, addr, bin) != 1 : !spf_ip4_ok(addr, strlen(addr))) {
	*why_r = six ? "invalid IPv6 address" : "invalid IPv4 address";
	return -1;
    }
    return 0;
}

/* spf_word_is - case-insensitive compare of [s, e) with a word */
static int spf_word_is(const char *s, const char *e, const char *w)
{
    return (size_t) (e - s) == strlen(w) && strncasecmp(s, w, (size_t) (e - s)) == 0;
}

/* spf_mech_check - one directive without its qualifier */
static int spf_mech_check(const char *s, const char *e, const char **why_r)
{
    const char *n = s, *ne;

    while (n < e && *n != ':' && *n != '/')
	n++;
    ne = n;
    if (spf_word_is(s, ne, "all"))
	return ne == e ? 0 : (*why_r = "all takes no argument", -1);
    if (spf_word_is(s, ne, "ip4") || spf_word_is(s, ne, "ip6")) {
	if (ne == e || *ne != ':')
	    return (*why_r = "ip4/ip6 need an address", -1);
	return spf_ip_term(ne + 1, e, s[2] == '6', why_r);
    }
    if (spf_word_is(s, ne, "include") || spf_word_is(s, ne, "exists")) {
	if (ne == e || *ne != ':')
	    return (*why_r = "include/exists need a domain", -1);
	return spf_domain_spec_check(ne + 1, e, why_r);
    }
    if (spf_word_is(s, ne, "a") || spf_word_is(s, ne, "mx") || spf_word_is(s, ne, "ptr")) {
	int ptr = spf_word_is(s, ne, "ptr");
	const char *de = e;

	if (!ptr && spf_dual_cidr(ne, &de, why_r) < 0)
	    return -1;
	if (de == ne)
	    return 0;
	if (*ne != ':')
	    return (*why_r = ptr ? "ptr takes no CIDR length" : "invalid CIDR length", -1);
	return spf_domain_spec_check(ne + 1, de, why_r);
    }
    *why_r = "unknown mechanism";
    return -1;
}

/* spf_term_check - a directive or a modifier; counts redirect/exp */
static int spf_term_check(const char *s, const char *e, int *redirects, int *exps,
			  const char **why_r)
{
    const char *n = s;
    int end_macro;

    while (n < e && (isalnum((unsigned char) *n) || *n == '-' || *n == '_' || *n == '.'))
	n++;
    if (n < e && *n == '=' && n > s && isalpha((unsigned char) *s)) {
	if (spf_word_is(s, n, "redirect")) {
	    (*redirects)++;
	    return spf_domain_spec_check(n + 1, e, why_r);
	}
	if (spf_word_is(s, n, "exp")) {
	    (*exps)++;
	    return spf_domain_spec_check(n + 1, e, why_r);
	}
	return spf_macro_check(n + 1, e, 0, &end_macro, why_r);
    }
    if (*s == '+' || *s == '-' || *s == '?' || *s == '~')
	s++;
    if (s == e)
	return (*why_r = "qualifier without mechanism", -1);
    return spf_mech_check(s, e, why_r);
}

/* spf_syntax_check - the whole record against RFC 7208 12 */
int spf_syntax_check(const char *record, const char **why_r)
{
    const char *p, *e;
    int redirects = 0, exps = 0;

    if (strncasecmp(record, "v=spf1", 6) != 0 || (record[6] != 0 && record[6] != ' ')) {
	*why_r = "not an SPF version 1 record";
	return -1;
    }
    for (p = record + 6; *p;) {
	while (*p == ' ')
	    p++;
	if (*p == 0)
	    break;
	for (e = p; *e && *e != ' '; e++)
	    ;
	if (spf_term_check(p, e, &redirects, &exps, why_r) < 0)
	    return -1;
	p = e;
    }
    if (redirects > 1 || exps > 1) {
	*why_r = redirects > 1 ? "more than one redirect=" : "more than one exp=";
	return -1;
    }
    return 0;
}

/* spf_is_modifier - is [p, e) a modifier (name "=" ...)? */
static int spf_is_modifier(const char *p, const char *e, const char *name)
{
    const char *n = p;

    while (n < e && (isalnum((unsigned char) *n) || *n == '-' || *n == '_' || *n == '.'))
	n++;
    if (n == e || *n != '=' || n == p)
	return 0;
    return name == NULL || spf_word_is(p, n, name);
}

/* spf_cidr_len - the number after "/" at c, -1 when absent */
static int spf_cidr_len(const char *c)
{
    return c ? atoi(c) : -1;
}

/* spf_rewrite_cidr0 - "a:D/0" as "a:D._mxg0/32" (see spf_dns.c) */
static int spf_rewrite_cidr0(struct buf *b, const char *p, const char *m, const char *e,
			     int family)
{
    const char *ne = m, *de = e, *why, *v4 = NULL, *v6 = NULL, *c;
    int l4, l6, mine;

    while (ne < e && *ne != ':' && *ne != '/')
	ne++;
    if (!spf_word_is(m, ne, "mx") && !spf_word_is(m, ne, "a"))
	return 0;
    if (spf_dual_cidr(ne, &de, &why) < 0)
	return 0;
    for (c = de; c < e; c++)
	if (*c == '/' && c + 1 < e && c[1] == '/') {
	    v6 = c + 2;
	    break;
	} else if (*c == '/' && v4 == NULL) {
	    v4 = c + 1;
	}
    l4 = spf_cidr_len(v4);
    l6 = spf_cidr_len(v6);
    if (l4 != 0 && l6 != 0)
	return 0;
    /* only the client's family's length matters; libspf2 refuses 0 */
    mine = family == AF_INET ? l4 : l6;
    buf_append(b, p, (size_t) (de - p));
    if (mine == 0) {
	if (de == ne)
	    buf_puts(b, ":%{d}");
	buf_puts(b, de > ne && de[-1] == '.' ? SPF_CIDR0_LABEL : "." SPF_CIDR0_LABEL);
	buf_puts(b, family == AF_INET ? "/32" : "//128");
    } else if (mine > 0) {
	buf_printf(b, family == AF_INET ? "/%d" : "//%d", mine);
    }
    return 1;
}

/* spf_syntax_rewrite - a valid record as libspf2 evaluates it right */
char *spf_syntax_rewrite(const char *record, int family)
{
    struct buf b = BUF_INIT;
    const char *p, *e, *m, *redirect = NULL, *redirect_e = NULL;
    int has_all = 0;

    buf_puts(&b, "v=spf1");
    record += 6;			/* spf_syntax_check passed: "v=spf1" */
    for (p = record; *p; p = e) {
	while (*p == ' ')
	    p++;
	for (e = p; *e && *e != ' '; e++)
	    ;
	m = p;
	if (*m == '+' || *m == '-' || *m == '?' || *m == '~')
	    m++;
	if (spf_word_is(m, e, "all"))
	    has_all = 1;
    }
    for (p = record; *p; p = e) {
	while (*p == ' ')
	    p++;
	for (e = p; *e && *e != ' '; e++)
	    ;
	if (p == e)
	    break;
	m = p;
	if (*m == '+' || *m == '-' || *m == '?' || *m == '~')
	    m++;
	if (spf_is_modifier(p, e, "redirect")) {
	    /* ignored when the record has "all" (RFC 7208 6.1); else last */
	    if (!has_all) {
		redirect = p;
		redirect_e = e;
	    }
	    continue;
	}
	if (spf_is_modifier(p, e, NULL) && !spf_is_modifier(p, e, "exp"))
	    continue;			/* unknown modifiers are ignored (6) */
	buf_putc(&b, ' ');
	if (e - m > 6 && strncasecmp(m, "ip", 2) == 0 && (m[2] == '4' || m[2] == '6')
	    && m[3] == ':' && e[-2] == '/' && e[-1] == '0') {
	    buf_append(&b, p, (size_t) (m - p + 4));
	    if (m[2] == '4')
		buf_printf(&b, "0.0.0.0/1 %.*sip4:128.0.0.0/1", (int) (m - p), p);
	    else
		buf_printf(&b, "::/1 %.*sip6:8000::/1", (int) (m - p), p);
	} else if (!spf_rewrite_cidr0(&b, p, m, e, family)) {
	    buf_append(&b, p, (size_t) (e - p));
	}
    }
    if (redirect) {
	buf_putc(&b, ' ');
	buf_append(&b, redirect, (size_t) (redirect_e - redirect));
    }
    return buf_steal(&b);
}
