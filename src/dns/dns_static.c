/*
 * NAME
 *	dns_static - the dns.static overrides file, answered before the network
 * SYNOPSIS
 *	#include "dns/dns_int.h"
 *
 *	struct dns_static *dns_static_load(const char *path, char **why_r);
 *	void dns_static_free(struct dns_static **sp);
 *	struct dns_answer *dns_static_lookup(const struct dns_static *s,
 *					     const char *name, enum dns_type type);
 * DESCRIPTION
 *	A zone-file-like list, one record a line:
 *
 *	    name. [TTL] [IN] TYPE rdata      ; comment   # comment
 *
 *	Types and rdata: A and AAAA an address; MX "PREF EXCHANGE" ("." is
 *	a null MX); TXT one or more "quoted strings" (joined, \" \\ \DDD
 *	escapes) or bare words; PTR and CNAME a name; TLSA "USAGE SELECTOR
 *	MTYPE HEX" (the hex may be split by blanks). Names are absolute
 *	(the trailing dot is optional); TTL defaults to 3600.
 *
 *	A name that appears in the file is answered from the file only (a
 *	type it lacks is NODATA); its CNAMEs are followed like the network's.
 *	Other names go to the network. Answers are never secure (no AD).
 *	The table is immutable once loaded, so threads share it unlocked.
 * DIAGNOSTICS
 *	dns_static_load: NULL with every error in *why_r ("FILE:LINE: what",
 *	one per line, malloc'ed). dns_static_lookup: NULL when the name is
 *	not in the file.
 */
#include "config.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/xmalloc.h"
#include "util/buf.h"
#include "dns/dns_int.h"

#define STATIC_TTL 3600
#define MAX_TOKENS 64

struct dns_static {
    size_t count;
    struct dns_rr *rrs;			/* sorted by name */
};

struct token {
    char *text;				/* unescaped when quoted */
    size_t len;
    int quoted;
};

/* unescape - \X and \DDD in a quoted string, in place; -1 bad */
static int unescape(char *s, size_t *len_r)
{
    size_t o = 0;

    for (size_t i = 0; s[i]; i++) {
	if (s[i] != '\\') {
	    s[o++] = s[i];
	    continue;
	}
	if (isdigit((unsigned char) s[i + 1])) {
	    if (!isdigit((unsigned char) s[i + 2]) || !isdigit((unsigned char) s[i + 3]))
		return -1;
	    int v = (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
	    if (v > 255)
		return -1;
	    s[o++] = (char) v;
	    i += 3;
	} else if (s[i + 1]) {
	    s[o++] = s[++i];
	} else {
	    return -1;
	}
    }
    s[o] = 0;
    *len_r = o;
    return 0;
}

/* tokenize - split a line in place; quotes and comments; -1 bad quoting */
static int tokenize(char *line, struct token *t, int *n_r)
{
    int n = 0;
    char *p = line;

    for (;;) {
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
	    p++;
	if (*p == 0 || *p == ';' || *p == '#')
	    break;
	if (n == MAX_TOKENS)
	    return -1;
	if (*p == '"') {
	    char *start = ++p;
	    while (*p && *p != '"')
		p += (*p == '\\' && p[1]) ? 2 : 1;
	    if (*p != '"')
		return -1;
	    *p++ = 0;
	    t[n].text = start;
	    t[n].quoted = 1;
	    if (unescape(start, &t[n].len) < 0)
		return -1;
	} else {
	    t[n].text = p;
	    while (*p && !strchr(" \t\r\n;#\"", *p))
		p++;
	    t[n].len = (size_t) (p - t[n].text);
	    t[n].quoted = 0;
	    if (*p == '"')
		return -1;
	    if (*p && *p != ';' && *p != '#')
		*p++ = 0;
	    else if (*p) {
		*p = 0;			/* comment right after a token */
		n++;
		break;
	    }
	}
	n++;
    }
    *n_r = n;
    return 0;
}

/* target_name - a name rdata, normalized; -1 bad */
static int target_name(const struct token *t, char **out_r)
{
    char name[DNS_NAME_MAX];

    if (t->quoted || dns_name_norm(t->text, name, sizeof(name)) < 0)
	return -1;
    *out_r = xstrdup(name);
    return 0;
}

/* rdata_parse - parse the rdata tokens of one line into rr; NULL or why */
static const char *rdata_parse(struct token *t, int n, struct dns_rr *rr)
{
    struct buf b = BUF_INIT;
    char *end;

    switch (rr->type) {
    case DNS_T_A:
    case DNS_T_AAAA:
	if (n != 1 || inet_pton(rr->type == DNS_T_A ? AF_INET : AF_INET6, t[0].text,
				rr->u.addr) != 1)
	    return rr->type == DNS_T_A ? "bad IPv4 address" : "bad IPv6 address";
	return NULL;
    case DNS_T_CNAME:
    case DNS_T_PTR:
	return n != 1 || target_name(&t[0], &rr->u.target) < 0 ? "bad target name" : NULL;
    case DNS_T_MX:{
	    unsigned long pref = n == 2 ? strtoul(t[0].text, &end, 10) : 0;
	    if (n != 2 || !isdigit((unsigned char) t[0].text[0]) || *end || pref > 65535)
		return "MX wants PREFERENCE EXCHANGE";
	    rr->u.mx.pref = (uint16_t) pref;
	    return target_name(&t[1], &rr->u.mx.exchange) < 0 ? "bad MX exchange" : NULL;
	}
    case DNS_T_TXT:
	if (n < 1)
	    return "TXT wants at least one string";
	for (int i = 0; i < n; i++)
	    buf_append(&b, t[i].text, t[i].len);
	rr->u.txt.len = b.len;
	buf_append(&b, "", 1);
	rr->u.txt.text = buf_steal(&b);
	return NULL;
    case DNS_T_TLSA:{
	    unsigned long v[3];
	    for (int i = 0; i < 3 && i < n; i++) {
		v[i] = strtoul(t[i].text, &end, 10);
		if (!isdigit((unsigned char) t[i].text[0]) || *end || v[i] > 255)
		    return "TLSA wants USAGE SELECTOR MTYPE HEX";
	    }
	    if (n < 4)
		return "TLSA wants USAGE SELECTOR MTYPE HEX";
	    for (int i = 3; i < n; i++) {
		for (size_t j = 0; j < t[i].len; j += 2) {
		    unsigned x;
		    char hx[3] = {t[i].text[j], t[i].text[j + 1], 0};
		    if (!isxdigit((unsigned char) hx[0]) || !isxdigit((unsigned char) hx[1])
			|| sscanf(hx, "%2x", &x) != 1) {
			buf_free(&b);
			return "bad TLSA hex data";
		    }
		    buf_putc(&b, (int) x);
		}
	    }
	    rr->u.tlsa.usage = (uint8_t) v[0];
	    rr->u.tlsa.selector = (uint8_t) v[1];
	    rr->u.tlsa.mtype = (uint8_t) v[2];
	    rr->u.tlsa.len = b.len;
	    rr->u.tlsa.data = b.len ? (unsigned char *) buf_steal(&b) : xmalloc(1);
	    return NULL;
	}
    }
    return "unsupported type";
}

/* line_parse - one non-empty line into rr; NULL or why */
static const char *line_parse(struct token *t, int n, struct dns_rr *rr)
{
    char name[DNS_NAME_MAX];
    int i = 1, type;

    memset(rr, 0, sizeof(*rr));
    if (t[0].quoted || dns_name_norm(t[0].text, name, sizeof(name)) < 0)
	return "bad owner name";
    rr->ttl = STATIC_TTL;
    if (i < n && isdigit((unsigned char) t[i].text[0])) {
	char *end;
	errno = 0;
	unsigned long ttl = strtoul(t[i].text, &end, 10);
	if (*end || errno || ttl > 0x7fffffff)
	    return "bad TTL";
	rr->ttl = (uint32_t) ttl;
	i++;
    }
    if (i < n && !t[i].quoted && strcasecmp(t[i].text, "IN") == 0)
	i++;
    if (i >= n || t[i].quoted || (type = dns_type_parse(t[i].text)) < 0)
	return i >= n ? "missing type" : "unknown type";
    rr->type = (enum dns_type) type;
    const char *why = rdata_parse(t + i + 1, n - i - 1, rr);
    if (why != NULL) {
	dns_rr_clear(rr);
	return why;
    }
    rr->name = xstrdup(name);
    return NULL;
}

/* rr_cmp - order by name for bsearch */
static int rr_cmp(const void *a, const void *b)
{
    return strcmp(((const struct dns_rr *) a)->name, ((const struct dns_rr *) b)->name);
}

/* dns_static_load - read the file; NULL with all errors in *why_r */
struct dns_static *dns_static_load(const char *path, char **why_r)
{
    FILE *fp = fopen(path, "r");
    struct dns_static *s;
    struct buf errs = BUF_INIT;
    struct token t[MAX_TOKENS];
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    int lineno = 0, n;

    *why_r = NULL;
    if (fp == NULL) {
	*why_r = xasprintf("%s: %m", path);
	return NULL;
    }
    s = xcalloc(1, sizeof(*s));
    while (getline(&line, &cap, fp) >= 0) {
	lineno++;
	if (tokenize(line, t, &n) < 0) {
	    buf_printf(&errs, "%s:%d: bad quoting or too many fields\n", path, lineno);
	    continue;
	}
	if (n == 0)
	    continue;
	if (s->count == alloc)
	    s->rrs = xrealloc(s->rrs, (alloc = alloc ? 2 * alloc : 16) * sizeof(*s->rrs));
	const char *why = line_parse(t, n, &s->rrs[s->count]);
	if (why != NULL)
	    buf_printf(&errs, "%s:%d: %s\n", path, lineno, why);
	else
	    s->count++;
    }
    free(line);
    fclose(fp);
    if (errs.len > 0) {
	errs.data[--errs.len] = 0;	/* no final newline */
	*why_r = buf_steal(&errs);
	dns_static_free(&s);
	return NULL;
    }
    if (s->count)
	qsort(s->rrs, s->count, sizeof(*s->rrs), rr_cmp);
    return s;
}

/* dns_static_free - free the table and NULL the pointer */
void dns_static_free(struct dns_static **sp)
{
    struct dns_static *s = *sp;

    if (s == NULL)
	return;
    for (size_t i = 0; i < s->count; i++)
	dns_rr_clear(&s->rrs[i]);
    free(s->rrs);
    free(s);
    *sp = NULL;
}

/* find_name - [first, end) of the records owned by name; 0 when none */
static int find_name(const struct dns_static *s, const char *name, size_t *first, size_t *end)
{
    struct dns_rr key = {.name = (char *) name};
    const struct dns_rr *hit;

    if (s->count == 0 || (hit = bsearch(&key, s->rrs, s->count, sizeof(key), rr_cmp)) == NULL)
	return 0;
    *first = *end = (size_t) (hit - s->rrs);
    while (*first > 0 && strcmp(s->rrs[*first - 1].name, name) == 0)
	(*first)--;
    while (*end < s->count && strcmp(s->rrs[*end].name, name) == 0)
	(*end)++;
    return 1;
}

/* dns_static_lookup - answer from the file, or NULL when name is not in it */
struct dns_answer *dns_static_lookup(const struct dns_static *s, const char *name,
				     enum dns_type type)
{
    struct dns_answer *a;
    size_t first, end;
    const char *cur = name;

    if (s == NULL || !find_name(s, name, &first, &end))
	return NULL;
    a = dns_answer_new(DNS_NOTFOUND);
    a->rcode = 0;
    for (int hops = 0; type != DNS_T_CNAME; hops++) {
	size_t i;
	for (i = first; i < end && s->rrs[i].type != DNS_T_CNAME; i++)
	    ;
	if (i == end)
	    break;
	if (hops == DNS_CNAME_MAX) {
	    a->status = DNS_PERM;
	    dns_answer_reason(a, "CNAME chain longer than %d (loop?) in dns.static", DNS_CNAME_MAX);
	    return a;
	}
	cur = s->rrs[i].u.target;
	if (!find_name(s, cur, &first, &end)) {
	    a->canonical = xstrdup(cur);	/* the caller asks the network */
	    return a;
	}
    }
    a->canonical = xstrdup(cur);
    for (size_t i = first; i < end; i++) {
	if (s->rrs[i].type != type)
	    continue;
	if (a->count == 0)
	    a->rrs = xcalloc(end - first, sizeof(*a->rrs));
	dns_rr_copy(&a->rrs[a->count++], &s->rrs[i]);
    }
    if (a->count)
	a->status = DNS_FOUND;
    return a;
}
