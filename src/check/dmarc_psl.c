/*
 * NAME
 *	dmarc_psl - organizational domains from the public suffix list
 * SYNOPSIS
 *	#include "check/dmarc.h"
 *
 *	struct dmarc_psl *dmarc_psl_load(const char *path, char **why_r);
 *	struct dmarc_psl *dmarc_psl_parse(const char *text, size_t len);
 *	void dmarc_psl_free(struct dmarc_psl **pp);
 *	const char *dmarc_psl_org(const struct dmarc_psl *psl, const char *domain);
 * DESCRIPTION
 *	The list (publicsuffix.org format: one rule per line, "//"
 *	comments, "*." wildcards, "!" exceptions) is loaded once per config
 *	snapshot into two sorted arrays searched with bsearch, read-only
 *	afterwards, so threads share it without locks and a reload swaps it.
 *
 *	dmarc_psl_org follows the list's algorithm: the longest matching
 *	rule wins, an exception rule beats the wildcard it exempts, and an
 *	unlisted TLD is a public suffix (the implicit "*" rule). The
 *	organizational domain is the public suffix plus one label (RFC 7489
 *	3.2). Rules written as U-labels never match (our domains are
 *	A-labels); that only matters for internationalized suffixes.
 * DIAGNOSTICS
 *	dmarc_psl_load: NULL with *why_r (allocated) when the file cannot be
 *	read or holds no rule. dmarc_psl_org: a pointer into domain, or
 *	NULL when domain is a public suffix itself.
 * STANDARDS
 *	RFC 7489 3.2; https://publicsuffix.org/list/ (format and algorithm).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "check/dmarc.h"
#include "util/buf.h"
#include "util/xmalloc.h"

struct dmarc_psl {
    char  **rules;		/* "com", "co.uk", "*.ck" */
    size_t  nrules;
    char  **exc;		/* exceptions without "!": "www.ck" */
    size_t  nexc;
};

/* psl_cmp - qsort/bsearch order of two rule pointers */
static int psl_cmp(const void *a, const void *b)
{
    return strcasecmp(*(char *const *) a, *(char *const *) b);
}

/* psl_push - append a rule to an array */
static void psl_push(char ***arr, size_t *n, size_t *cap, const char *s, size_t len)
{
    if (*n == *cap) {
	*cap = *cap ? *cap * 2 : 1024;
	*arr = xrealloc(*arr, *cap * sizeof(**arr));
    }
    (*arr)[(*n)++] = xstrndup(s, len);
}

/* dmarc_psl_parse - rules from the text of a list */
struct dmarc_psl *dmarc_psl_parse(const char *text, size_t len)
{
    struct dmarc_psl *psl = xcalloc(1, sizeof(*psl));
    size_t cap_r = 0, cap_e = 0;
    const char *p = text, *end = text + len;

    while (p < end) {
	const char *nl = memchr(p, '\n', (size_t) (end - p));
	const char *le = nl ? nl : end, *w = p;

	while (w < le && (*w == ' ' || *w == '\t'))
	    w++;
	const char *we = w;

	while (we < le && *we != ' ' && *we != '\t' && *we != '\r')
	    we++;
	if (we > w && !(we - w >= 2 && w[0] == '/' && w[1] == '/')) {
	    if (*w == '!' && we - w > 1)
		psl_push(&psl->exc, &psl->nexc, &cap_e, w + 1, (size_t) (we - w - 1));
	    else if (*w != '!')
		psl_push(&psl->rules, &psl->nrules, &cap_r, w, (size_t) (we - w));
	}
	p = nl ? nl + 1 : end;
    }
    if (psl->nrules)
	qsort(psl->rules, psl->nrules, sizeof(char *), psl_cmp);
    if (psl->nexc)
	qsort(psl->exc, psl->nexc, sizeof(char *), psl_cmp);
    return psl;
}

/* dmarc_psl_load - read and parse a list file */
struct dmarc_psl *dmarc_psl_load(const char *path, char **why_r)
{
    FILE   *fp = fopen(path, "r");
    struct buf b = BUF_INIT;
    char    chunk[8192];
    size_t  n;
    struct dmarc_psl *psl;

    if (fp == NULL) {
	*why_r = xstrdup(strerror(errno));
	return NULL;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
	buf_append(&b, chunk, n);
    if (ferror(fp)) {
	*why_r = xstrdup(strerror(errno ? errno : EIO));
	fclose(fp);
	buf_free(&b);
	return NULL;
    }
    fclose(fp);
    psl = dmarc_psl_parse(buf_str(&b), b.len);
    buf_free(&b);
    if (psl->nrules == 0) {
	dmarc_psl_free(&psl);
	*why_r = xstrdup("no public suffix rule in the file");
	return NULL;
    }
    return psl;
}

/* dmarc_psl_free - free a list */
void dmarc_psl_free(struct dmarc_psl **pp)
{
    struct dmarc_psl *psl = *pp;

    if (psl == NULL)
	return;
    for (size_t i = 0; i < psl->nrules; i++)
	free(psl->rules[i]);
    for (size_t i = 0; i < psl->nexc; i++)
	free(psl->exc[i]);
    free(psl->rules);
    free(psl->exc);
    free(psl);
    *pp = NULL;
}

/* psl_has - is s one of the sorted rules */
static int psl_has(char *const *arr, size_t n, const char *s)
{
    return n > 0 && bsearch(&s, arr, n, sizeof(char *), psl_cmp) != NULL;
}

/* psl_suffix - where the public suffix of domain begins */
static const char *psl_suffix(const struct dmarc_psl *psl, const char *domain)
{
    char    wild[300];

    for (const char *s = domain; s; ) {
	const char *parent = strchr(s, '.');

	if (psl_has(psl->exc, psl->nexc, s))
	    return parent ? parent + 1 : s;
	if (psl_has(psl->rules, psl->nrules, s))
	    return s;
	if (parent && (size_t) snprintf(wild, sizeof(wild), "*.%s", parent + 1) < sizeof(wild)
	    && psl_has(psl->rules, psl->nrules, wild))
	    return s;
	if (parent == NULL)
	    return s;			/* the implicit "*" rule: the TLD */
	s = parent + 1;
    }
    return domain;
}

/* dmarc_psl_org - the organizational domain: public suffix plus one label */
const char *dmarc_psl_org(const struct dmarc_psl *psl, const char *domain)
{
    const char *ps = psl_suffix(psl, domain);
    const char *org;

    if (ps == domain)
	return NULL;			/* a public suffix itself */
    org = ps - 1;			/* the dot before the suffix */
    while (org > domain && org[-1] != '.')
	org--;
    return org;
}
