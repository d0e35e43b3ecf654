/*
 * NAME
 *	expand.c - compile and expand $variable templates
 * SYNOPSIS
 *	See expand.h.
 * DESCRIPTION
 *	A compiled template is an array of parts, each either literal text
 *	or a variable name, so expansion is a walk with one facts_get() per
 *	variable and no parsing at message time.
 * DIAGNOSTICS
 *	See expand.h.
 * STANDARDS
 *	None.
 */
#include "config.h"
#include "policy/expand.h"

#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define EXPAND_NAME_MAX	64

struct expand_part {
    char *lit;			/* literal text, or NULL */
    char *var;			/* variable name, or NULL */
};

struct expand_tmpl {
    char *source;
    struct expand_part *parts;
    size_t nparts, nvars;
};

/* is_name_char - may c appear in a variable name? */
static int is_name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	|| c == '_';
}

/* add_part - append a literal (len bytes) or a variable part */
static void add_part(struct expand_tmpl *t, const char *s, size_t len, int is_var)
{
    struct expand_part *p;

    if (!is_var && len == 0)
	return;
    if (!is_var && t->nparts > 0 && t->parts[t->nparts - 1].lit) {
	/* glue literals ("$$" splits them) */
	p = &t->parts[t->nparts - 1];
	size_t old = strlen(p->lit);
	p->lit = xrealloc(p->lit, old + len + 1);
	memcpy(p->lit + old, s, len);
	p->lit[old + len] = 0;
	return;
    }
    t->parts = xrealloc(t->parts, (t->nparts + 1) * sizeof(*t->parts));
    p = &t->parts[t->nparts++];
    p->lit = is_var ? NULL : xstrndup(s, len);
    p->var = is_var ? xstrndup(s, len) : NULL;
    if (is_var)
	t->nvars++;
}

/* check_var - is name a variable usable at stage? */
static int check_var(const char *name, const struct fact_table *const *tables,
		     enum fact_stage stage, struct buf *why_r)
{
    const struct fact_def *def;

    if (strncmp(name, "acl_m_", 6) == 0 && name[6] != 0)
	return 0;
    if ((def = fact_def_find(tables, name)) == NULL) {
	buf_printf(why_r, "unknown variable $%s", name);
	return -1;
    }
    if (def->stage > stage) {
	buf_printf(why_r, "variable $%s is not known before the %s stage", name,
		   fact_stage_name(def->stage));
	return -1;
    }
    return 0;
}

/* scan_var - parse the variable after a '$' at *pp; length in *len_r */
static const char *scan_var(const char **pp, size_t *len_r, struct buf *why_r)
{
    const char *p = *pp, *name;
    size_t len = 0;

    if (*p == '{') {
	name = ++p;
	while (is_name_char((unsigned char) p[len]))
	    len++;
	if (p[len] != '}') {
	    buf_puts(why_r, p[len] ? "bad character in ${...} variable name"
		     : "unterminated ${");
	    return NULL;
	}
	*pp = p + len + 1;
    } else {
	name = p;
	while (is_name_char((unsigned char) p[len]))
	    len++;
	*pp = p + len;
    }
    if (len == 0 || (name[0] >= '0' && name[0] <= '9')) {
	buf_puts(why_r, "\"$\" is not followed by a variable name (write $$ for a dollar sign)");
	return NULL;
    }
    if (len > EXPAND_NAME_MAX) {
	buf_printf(why_r, "variable name longer than %d characters", EXPAND_NAME_MAX);
	return NULL;
    }
    *len_r = len;
    return name;
}

/* expand_compile - parse text into a template, checking every variable */
struct expand_tmpl *expand_compile(const char *text, const struct fact_table *const *tables,
				   enum fact_stage stage, struct buf *why_r)
{
    struct expand_tmpl *t = xcalloc(1, sizeof(*t));
    const char *p = text, *lit = text;

    t->source = xstrdup(text);
    while ((p = strchr(p, '$')) != NULL) {
	add_part(t, lit, (size_t) (p - lit), 0);
	if (p[1] == '$') {
	    add_part(t, "$", 1, 0);
	    lit = p += 2;
	    continue;
	}
	p++;
	size_t len;
	const char *name = scan_var(&p, &len, why_r);
	if (name == NULL)
	    goto bad;
	add_part(t, name, len, 1);
	if (check_var(t->parts[t->nparts - 1].var, tables, stage, why_r) < 0)
	    goto bad;
	lit = p;
    }
    add_part(t, lit, strlen(lit), 0);
    return t;
  bad:
    expand_free(&t);
    return NULL;
}

/* expand_free - free a template and NULL the pointer */
void expand_free(struct expand_tmpl **tp)
{
    struct expand_tmpl *t = *tp;

    if (t == NULL)
	return;
    for (size_t i = 0; i < t->nparts; i++) {
	free(t->parts[i].lit);
	free(t->parts[i].var);
    }
    free(t->parts);
    free(t->source);
    free(t);
    *tp = NULL;
}

/* put_part - append s cleaned, at most *room bytes, UTF-8 safe; 0 when full */
static int put_part(struct buf *out, const char *s, int keep_nl, size_t *room)
{
    size_t len = strlen(s), full = 0;

    if (len > *room) {
	len = *room;
	while (len > 0 && ((unsigned char) s[len] & 0xC0) == 0x80)
	    len--;
	full = 1;
    }
    for (size_t i = 0; i < len; i++) {
	unsigned char c = (unsigned char) s[i];
	if ((c < 0x20 && !(c == '\n' && keep_nl)) || c == 0x7f)
	    c = ' ';
	buf_putc(out, (char) c);
    }
    *room -= len;
    return !full;
}

/* expand_run - append the expansion of t over facts f to out */
void expand_run(const struct expand_tmpl *t, const struct facts *f, unsigned flags, size_t max,
		struct buf *out)
{
    size_t room = max;

    for (size_t i = 0; i < t->nparts; i++) {
	const struct expand_part *p = &t->parts[i];
	int more;

	if (p->lit) {
	    more = put_part(out, p->lit, (flags & EXPAND_KEEP_NL) != 0, &room);
	} else {
	    const char *v = facts_get(f, p->var);
	    more = put_part(out, v ? v : "", 0, &room);
	}
	if (!more)
	    break;
    }
}

/* expand_source - the text the template was compiled from */
const char *expand_source(const struct expand_tmpl *t)
{
    return t->source;
}

/* expand_var_count - how many variable references the template holds */
size_t expand_var_count(const struct expand_tmpl *t)
{
    return t->nvars;
}
