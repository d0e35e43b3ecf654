/*
 * NAME
 *	list_entry.c - parse and match one list entry
 * SYNOPSIS
 *	#include "policy/lists.h"
 *
 *	int list_entry_parse(const char *line, struct list_entry *e,
 *			     const char **why_r);
 *	void list_entry_clear(struct list_entry *e);
 *	int list_value_init(struct list_value *v, const char *value);
 *	void list_value_clear(struct list_value *v);
 *	int list_entry_match(const struct list_entry *e,
 *			     const struct list_value *v);
 * DESCRIPTION
 *	An entry is, after optional surrounding white space and an optional
 *	leading "!": an IPv4/IPv6 address or CIDR network; "*.domain"
 *	(strict subdomains); ".domain" (the domain and its subdomains); a
 *	domain name (labels of letters, digits, '-' and '_'); a single-label
 *	word; or an address "local@domain" / "@domain" / "local@" (a word,
 *	matched exactly). Names are lower-cased and a trailing dot dropped.
 *
 *	A value is prepared once per lookup (list_value_init): lower-cased,
 *	trailing dot dropped, parsed as an address when it is one.
 * DIAGNOSTICS
 *	list_entry_parse: 0, or -1 with *why_r a static reason.
 *	list_entry_match: 1 the entry covers the value, 0 it does not (the
 *	negation flag is the caller's business).
 * STANDARDS
 *	RFC 1035 section 2.3.4 (name and label lengths).
 */
#include "config.h"
#include "policy/lists.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define LIST_NAME_MAX 253
#define LIST_LABEL_MAX 63

/* list_domain_check - validate a domain (no wildcard); NULL when fine */
static const char *list_domain_check(const char *d, size_t len)
{
    size_t label = 0;

    if (len == 0)
	return "empty domain name";
    if (len > LIST_NAME_MAX)
	return "name longer than 253 characters";
    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) d[i];
	if (c == '.') {
	    if (label == 0)
		return "empty label (\"..\" or a leading dot)";
	    label = 0;
	    continue;
	}
	if (c == '*')
	    return "a wildcard is only allowed as a leading \"*.\"";
	if (!isalnum(c) && c != '-' && c != '_')
	    return "bad character in domain name";
	if (++label > LIST_LABEL_MAX)
	    return "label longer than 63 characters";
    }
    return NULL;
}

/* list_local_check - validate the local part of an address entry */
static const char *list_local_check(const char *p, size_t len)
{
    if (len > 64)
	return "local part longer than 64 characters";
    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) p[i];
	if (c <= 0x20 || c >= 0x7f || strchr("\"\\,;<>()[]@", c))
	    return "bad character in address local part";
    }
    return NULL;
}

/* list_looks_like_ip - text that can only be meant as an address */
static int list_looks_like_ip(const char *t)
{
    if (strchr(t, '/') || strchr(t, ':') || t[0] == '[')
	return 1;
    return strspn(t, "0123456789.") == strlen(t) && strchr(t, '.') != NULL;
}

/* list_cidr_unmap - ::ffff:a.b.c.d/96+N becomes a.b.c.d/N, because
 * cidr_match compares mapped addresses as IPv4 */
static void list_cidr_unmap(struct cidr *c)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

    if (c->family == AF_INET6 && c->bits >= 96 && memcmp(c->addr, mapped, 12) == 0) {
	memmove(c->addr, c->addr + 12, 4);
	memset(c->addr + 4, 0, 12);
	c->family = AF_INET;
	c->bits -= 96;
    }
}

/* list_entry_name - parse a non-IP entry body into e */
static int list_entry_name(const char *t, struct list_entry *e, const char **why_r)
{
    const char *at = strchr(t, '@');
    const char *why;

    if (at) {
	const char *dom = at + 1;
	if ((why = list_local_check(t, (size_t) (at - t))) != NULL
	    || (*dom && (why = list_domain_check(dom, strlen(dom))) != NULL)) {
	    *why_r = why;
	    return -1;
	}
	if (at == t && *dom == 0) {
	    *why_r = "\"@\" alone is not an address";
	    return -1;
	}
	e->kind = LIST_E_WORD;
    } else if (t[0] == '*') {
	if (t[1] != '.') {
	    *why_r = "a wildcard is only allowed as a leading \"*.\"";
	    return -1;
	}
	t += 2;
	e->kind = LIST_E_SUBDOMAINS;
    } else if (t[0] == '.') {
	t += 1;
	e->kind = LIST_E_DOMAIN_TREE;
    } else {
	e->kind = strchr(t, '.') ? LIST_E_DOMAIN : LIST_E_WORD;
    }
    if (!at && (why = list_domain_check(t, strlen(t))) != NULL) {
	*why_r = why;
	return -1;
    }
    e->text = xstrdup(t);
    for (char *p = e->text; *p; p++)
	*p = (char) tolower((unsigned char) *p);
    return 0;
}

/* list_entry_parse - one entry (see the file header) into *e */
int list_entry_parse(const char *line, struct list_entry *e, const char **why_r)
{
    size_t len;
    char *t;
    int rc;

    memset(e, 0, sizeof(*e));
    while (*line == ' ' || *line == '\t')
	line++;
    if (*line == '!') {
	e->negate = 1;
	line++;
	while (*line == ' ' || *line == '\t')
	    line++;
    }
    len = strlen(line);
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'
		       || line[len - 1] == '\n'))
	len--;
    if (len == 0) {
	*why_r = e->negate ? "nothing after \"!\"" : "empty entry";
	return -1;
    }
    if (len > LIST_NAME_MAX + 1 + 64) {
	*why_r = "entry longer than 318 characters";
	return -1;
    }
    t = xstrndup(line, len);
    if (strlen(t) != len) {
	*why_r = "NUL byte in entry";
	rc = -1;
    } else if (strpbrk(t, " \t\r\n\v\f")) {
	*why_r = "embedded white space";
	rc = -1;
    } else if (t[0] == '!') {
	*why_r = "double negation";
	rc = -1;
    } else if (len > 1 && t[len - 1] == '.' && t[len - 2] != '.' && strcmp(t, "*.") != 0
	       && !list_looks_like_ip(t)) {
	t[len - 1] = 0;		/* a fully qualified name: drop the root dot */
	rc = list_entry_name(t, e, why_r);
    } else if (list_looks_like_ip(t)) {
	e->kind = LIST_E_CIDR;
	if ((rc = cidr_parse(t, &e->net, why_r)) == 0)
	    list_cidr_unmap(&e->net);
    } else {
	rc = list_entry_name(t, e, why_r);
    }
    free(t);
    if (rc < 0)
	list_entry_clear(e);
    return rc;
}

/* list_entry_clear - free what list_entry_parse allocated */
void list_entry_clear(struct list_entry *e)
{
    free(e->text);
    e->text = NULL;
}

/* list_value_init - normalize a looked-up value once; -1 if empty */
int list_value_init(struct list_value *v, const char *value)
{
    size_t len = strlen(value);

    memset(v, 0, sizeof(*v));
    if (cidr_addr_parse(value, &v->addr) == 0) {
	char canon[INET6_ADDRSTRLEN + 8];
	/* One spelling per address, for keys in LMDB and Redis. */
	cidr_format(&v->addr, canon, sizeof(canon));
	v->is_addr = 1;
	v->text = xstrdup(canon);
	v->len = strlen(canon);
	return 0;
    }
    if (len > 1 && value[len - 1] == '.')
	len--;
    v->text = xstrndup(value, len);
    for (char *p = v->text; *p; p++)
	*p = (char) tolower((unsigned char) *p);
    v->len = len;
    return len ? 0 : -1;
}

/* list_value_clear - free a prepared value */
void list_value_clear(struct list_value *v)
{
    free(v->text);
    v->text = NULL;
}

/* list_suffix_of - 1 when v ends in "." + dom (a strict subdomain) */
static int list_subdomain_of(const struct list_value *v, const char *dom)
{
    size_t dlen = strlen(dom);
    return v->len > dlen + 1 && v->text[v->len - dlen - 1] == '.'
	&& memcmp(v->text + v->len - dlen, dom, dlen) == 0;
}

/* list_entry_match - does entry e cover value v (ignoring negation)? */
int list_entry_match(const struct list_entry *e, const struct list_value *v)
{
    switch (e->kind) {
    case LIST_E_CIDR:
	return v->is_addr && cidr_match(&e->net, &v->addr);
    case LIST_E_DOMAIN:
    case LIST_E_WORD:
	return !v->is_addr && strcmp(e->text, v->text) == 0;
    case LIST_E_SUBDOMAINS:
	return !v->is_addr && list_subdomain_of(v, e->text);
    case LIST_E_DOMAIN_TREE:
	return !v->is_addr && (strcmp(e->text, v->text) == 0 || list_subdomain_of(v, e->text));
    }
    return 0;
}
