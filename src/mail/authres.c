/*
 * NAME
 *	authres.c - build and read Authentication-Results fields
 * DESCRIPTION
 *	See authres.h. Building is two steps: each resinfo becomes a list of
 *	clauses ("spf=pass", "(comment)", "reason=...", "smtp.mailfrom=...");
 *	a writer then lays clauses out, folding between clauses, and inside
 *	a long comment or quoted reason before one of its own spaces (so
 *	unfolding gives back the same text). Text is bounded before layout,
 *	which is what guarantees the 998-octet line limit.
 */
#include "config.h"
#include "mail/authres.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AR_FOLD_COL	78
#define AR_KEYWORD_MAX	64

struct ar_writer {
    struct buf *out;
    size_t  col;
    const char *eol;
};

/* mail_ar_is_token - RFC 2045 token: CHAR except SPACE, CTLs and tspecials */
int mail_ar_is_token(const char *s)
{
    if (*s == 0)
	return 0;
    for (; *s; s++) {
	unsigned char c = (unsigned char) *s;

	if (c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c) != NULL)
	    return 0;
    }
    return 1;
}

/* is_dot_atom - RFC 5322 dot-atom-text of [s, s+len) */
static int is_dot_atom(const char *s, size_t len)
{
    if (len == 0 || s[0] == '.' || s[len - 1] == '.')
	return 0;
    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) s[i];

	if (c == '.' && s[i + 1] == '.')
	    return 0;
	if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	      || (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL)))
	    return 0;
    }
    return 1;
}

/* is_addr_value - "[local-part@]domain" of dot-atoms, bare in a pvalue */
static int is_addr_value(const char *s)
{
    const char *at = strrchr(s, '@');

    if (at == NULL)
	return 0;
    return (at == s || is_dot_atom(s, (size_t) (at - s)))
	&& is_dot_atom(at + 1, strlen(at + 1));
}

/* is_keyword - method, result, ptype or property name */
static int is_keyword(const char *s)
{
    size_t len = s ? strlen(s) : 0;

    if (len == 0 || len > AR_KEYWORD_MAX)
	return 0;
    for (; *s; s++)
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
	      || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
	    return 0;
    return 1;
}

/* put_text - escaped free text, CTLs as spaces, at most max octets, whole UTF-8 */
static void put_text(struct buf *out, const char *s, const char *escape, size_t max)
{
    size_t used = 0, cut = 0, len = strlen(s);

    for (cut = 0; cut < len; cut++) {
	size_t need = strchr(escape, s[cut]) != NULL ? 2 : 1;

	if (used + need > max)
	    break;
	used += need;
    }
    if (cut < len)				/* do not split a UTF-8 sequence */
	while (cut > 0 && ((unsigned char) s[cut] & 0xC0) == 0x80)
	    cut--;
    for (size_t i = 0; i < cut; i++) {
	unsigned char c = (unsigned char) s[i];

	if (strchr(escape, c) != NULL)
	    buf_putc(out, '\\');
	buf_putc(out, (c < 32 || c == 127) ? ' ' : c);
    }
}

/* put_value - bare token (or address if allowed), else a quoted string */
static void put_value(struct buf *out, const char *s, int allow_addr)
{
    if (strlen(s) <= MAIL_AR_VALUE_MAX
	&& (mail_ar_is_token(s) || (allow_addr && is_addr_value(s)))) {
	buf_puts(out, s);
	return;
    }
    buf_putc(out, '"');
    put_text(out, s, "\"\\", MAIL_AR_VALUE_MAX);
    buf_putc(out, '"');
}

/* mail_ar_put_value - a pvalue: bare token or address, else a quoted string */
void mail_ar_put_value(struct buf *out, const char *s)
{
    put_value(out, s, 1);
}

/* ar_newline - fold: line end, then a tab */
static void ar_newline(struct ar_writer *w)
{
    buf_puts(w->out, w->eol);
    buf_putc(w->out, '\t');
    w->col = 1;
}

/* ar_clause - lay out one clause after a space, folding before it if needed */
static void ar_clause(struct ar_writer *w, const char *text, int splittable)
{
    const char *p = text;
    size_t first = splittable ? strcspn(text, " ") : strlen(text);

    if (w->col > 1 && w->col + 1 + first > AR_FOLD_COL)
	ar_newline(w);
    else if (w->col > 1) {
	buf_putc(w->out, ' ');
	w->col++;
    }
    buf_append(w->out, p, first);
    w->col += first;
    p += first;
    while (*p) {				/* " word" pieces of long text */
	size_t piece = 1 + strcspn(p + 1, " ");

	if (w->col + piece > AR_FOLD_COL && w->col > 1) {
	    buf_puts(w->out, w->eol);		/* the piece's space starts the line */
	    w->col = 0;
	}
	buf_append(w->out, p, piece);
	w->col += piece;
	p += piece;
    }
}

/* ar_clauses - a result as clause texts: method=result, comment, reason, props */
static size_t ar_clauses(const struct mail_ar_result *r, struct buf *cl, int *split)
{
    size_t n = 0, nprops = r->nprops < MAIL_AR_MAX_PROPS ? r->nprops : MAIL_AR_MAX_PROPS;

    buf_printf(&cl[n], "%s=%s", r->method, r->result);
    split[n++] = 0;
    if (r->comment) {
	buf_putc(&cl[n], '(');
	put_text(&cl[n], r->comment, "()\\", MAIL_AR_TEXT_MAX);
	buf_putc(&cl[n], ')');
	split[n++] = 1;
    }
    if (r->reason) {
	buf_puts(&cl[n], "reason=\"");
	put_text(&cl[n], r->reason, "\"\\", MAIL_AR_TEXT_MAX);
	buf_putc(&cl[n], '"');
	split[n++] = 1;
    }
    for (size_t k = 0; k < nprops; k++) {
	const struct mail_ar_prop *pr = r->props + k;

	buf_printf(&cl[n], "%s.%s=", pr->ptype, pr->property);
	mail_ar_put_value(&cl[n], pr->value ? pr->value : "");
	split[n] = strchr(cl[n].data, '"') != NULL;
	n++;
    }
    return n;
}

/* ar_resinfo - lay out one method result on a new line; ";" ends all but the last */
static int ar_resinfo(struct ar_writer *w, const struct mail_ar_result *r, int last,
		      const char **why_r)
{
    struct buf cl[3 + MAIL_AR_MAX_PROPS];
    int split[3 + MAIL_AR_MAX_PROPS];
    size_t n;

    if (!is_keyword(r->method) || !is_keyword(r->result)) {
	*why_r = "method or result is not a keyword";
	return -1;
    }
    for (size_t k = 0; k < r->nprops && k < MAIL_AR_MAX_PROPS; k++)
	if (!is_keyword(r->props[k].ptype) || !is_keyword(r->props[k].property)) {
	    *why_r = "property type or name is not a keyword";
	    return -1;
	}
    memset(cl, 0, sizeof(cl));
    n = ar_clauses(r, cl, split);
    if (!last)
	buf_putc(&cl[n - 1], ';');
    ar_newline(w);
    for (size_t k = 0; k < n; k++) {
	ar_clause(w, cl[k].data, split[k]);
	buf_free(&cl[k]);
    }
    return 0;
}

/* mail_ar_build - the value of one Authentication-Results field */
int mail_ar_build(const char *authserv_id, const struct mail_ar_result *res, size_t n,
		  const char *eol, char **value_r, const char **why_r)
{
    struct buf out = BUF_INIT;
    struct ar_writer w = { &out, 0, eol ? eol : "\r\n" };

    *value_r = NULL;
    buf_putc(&out, ' ');
    put_value(&out, authserv_id, 0);		/* authserv-id is a value, not a pvalue */
    buf_putc(&out, ';');
    w.col = MAIL_AR_NAME_COL + out.len - 1;
    if (n == 0)
	ar_clause(&w, "none", 0);
    for (size_t i = 0; i < n; i++) {
	if (ar_resinfo(&w, res + i, i + 1 == n, why_r) < 0) {
	    buf_free(&out);
	    return -1;
	}
    }
    *value_r = buf_steal(&out);
    return 0;
}

/* ar_skip_cfws - skip white space and complete comments; -1 if one is open */
static int ar_skip_cfws(const char *s, size_t len, size_t *pos)
{
    size_t i = *pos;

    for (;;) {
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
	    i++;
	if (i >= len || s[i] != '(')
	    break;
	size_t depth = 0, k = i;

	for (; k < len; k++) {
	    if (s[k] == '\\')
		k++;
	    else if (s[k] == '(')
		depth++;
	    else if (s[k] == ')' && --depth == 0)
		break;
	}
	if (k >= len)
	    return -1;
	i = k + 1;
    }
    *pos = i;
    return 0;
}

/* ar_quoted - decode the quoted string at pos; NULL if unterminated or bad */
static char *ar_quoted(const char *s, size_t len, size_t *pos)
{
    struct buf out = BUF_INIT;

    for (size_t i = *pos + 1; i < len; i++) {
	if (s[i] == '\\' && i + 1 < len && s[i + 1] != 0)
	    i++;
	else if (s[i] == '"') {
	    *pos = i + 1;
	    if (out.len == 0)
		break;
	    return buf_steal(&out);
	} else if (s[i] == 0)
	    break;
	if (s[i] != '\r' && s[i] != '\n')
	    buf_putc(&out, s[i]);
    }
    buf_free(&out);
    return NULL;
}

/* mail_ar_parse_id - the authserv-id (and version) of a received field */
int mail_ar_parse_id(const char *value, size_t len, char **id_r, int *version_r)
{
    size_t i = 0, start;
    char *id = NULL;
    int version = 1;

    *id_r = NULL;
    if (ar_skip_cfws(value, len, &i) < 0 || i >= len)
	return -1;
    if (value[i] == '"') {
	if ((id = ar_quoted(value, len, &i)) == NULL)
	    return -1;
    } else {
	for (start = i; i < len; i++) {
	    unsigned char c = (unsigned char) value[i];

	    if (c <= 32 || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c) != NULL)
		break;
	}
	if (i == start)
	    return -1;
	id = xstrndup(value + start, i - start);
    }
    if (ar_skip_cfws(value, len, &i) < 0)
	goto garbage;
    if (i < len && value[i] >= '0' && value[i] <= '9') {
	for (version = 0; i < len && value[i] >= '0' && value[i] <= '9'; i++)
	    version = version < 100000 ? version * 10 + (value[i] - '0') : version;
	if (ar_skip_cfws(value, len, &i) < 0)
	    goto garbage;
    }
    if (i < len && value[i] != ';')
	goto garbage;
    *id_r = id;
    if (version_r)
	*version_r = version;
    return 0;

  garbage:
    free(id);
    return -1;
}

/* prefix_is - does [s, s+len) begin with id, case-insensitively? */
static int prefix_is(const char *s, size_t len, const char *id)
{
    size_t n = strlen(id);

    return n > 0 && n <= len && strncasecmp(s, id, n) == 0;
}

/* mail_ar_claims_id - must this received field go because it claims our id? */
int mail_ar_claims_id(const char *value, size_t len, const char *our_id)
{
    char *id;
    size_t i = 0;
    int claims;

    if (mail_ar_parse_id(value, len, &id, NULL) == 0) {
	claims = strcasecmp(id, our_id) == 0;
	free(id);
	return claims;
    }
    (void) ar_skip_cfws(value, len, &i);	/* stops at an open comment */
    if (prefix_is(value + i, len - i, our_id))
	return 1;
    return i < len && value[i] == '"' && prefix_is(value + i + 1, len - i - 1, our_id);
}
