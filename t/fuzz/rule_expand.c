/*
 * t/fuzz/rule_expand.c - fuzz the $variable template compiler and expander
 *
 * Input: byte 0 picks the stage, flags and cap; then the template up to
 * the first newline; then "name=value" lines that become facts (values
 * may hold any byte but NUL and LF; "\r" is there to be tried).
 * Properties:
 *  - compile either succeeds or explains itself in one line;
 *  - expansion appends at most the cap, never a CR or control byte, and
 *    a '\n' only with EXPAND_KEEP_NL and only where the template text has
 *    one (values never add lines);
 *  - a template without '$' expands to itself (control bytes as spaces).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/expand.h"
#include "util/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const words[] = {"pass", "fail", "none", NULL};
static const struct fact_def defs[] = {
    {"spf", FACT_WORD, FACT_STAGE_MAIL, words, "x"},
    {"spf_smtp_comment", FACT_TEXT, FACT_STAGE_MAIL, NULL, "x"},
    {"dmarc_used_domain", FACT_DOMAIN, FACT_STAGE_DATA, NULL, "x"},
};
static const struct fact_table tab = {"fuzz", defs, 3};
static const struct fact_table *const tables[] = {&fact_table_core, &tab, NULL};

/* count_nl - newlines in s */
static size_t count_nl(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
	n += s[i] == '\n';
    return n;
}

/* add_facts - "name=value" lines */
static void add_facts(struct facts *f, char *p)
{
    while (p && *p) {
	char *nl = strchr(p, '\n'), *eq;

	if (nl)
	    *nl = 0;
	if ((eq = strchr(p, '=')) != NULL) {
	    *eq = 0;
	    facts_set(f, FACT_MSG, p, eq + 1);
	}
	p = nl ? nl + 1 : NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
	return 0;
    unsigned ctl = data[0];
    enum fact_stage stage = (enum fact_stage) (ctl % 5);
    unsigned flags = ctl & 0x08 ? EXPAND_KEEP_NL : 0;
    size_t max = (ctl >> 4) * 40 + 1;
    char *text = xstrndup((const char *) data + 1, size - 1);
    char *nl = strchr(text, '\n');
    struct facts *f = facts_alloc();
    struct buf why = BUF_INIT, out = BUF_INIT;
    struct expand_tmpl *t;

    if (nl) {
	*nl = 0;
	add_facts(f, nl + 1);
    }
    /* a literal newline in a template needs the two bytes "\n": use 0x1f */
    for (char *p = text; *p; p++)
	if (*p == 0x1f)
	    *p = '\n';
    t = expand_compile(text, tables, stage, &why);
    if (t == NULL) {
	if (why.len == 0 || memchr(why.data, '\n', why.len))
	    abort();
    } else {
	buf_puts(&out, "prefix");
	expand_run(t, f, flags, max, &out);
	const char *o = out.data + 6;
	size_t olen = out.len - 6;
	if (olen > max)
	    abort();
	for (size_t i = 0; i < olen; i++)
	    if (((unsigned char) o[i] < 0x20 && o[i] != '\n') || o[i] == 0x7f)
		abort();
	if (count_nl(o, olen) > (flags ? count_nl(text, strlen(text)) : 0))
	    abort();			/* a value added a line */
	if (strchr(text, '$') == NULL && olen == strlen(text)) {
	    for (size_t i = 0; i < olen; i++) {
		unsigned char c = (unsigned char) text[i];
		char want = (c < 0x20 && !(c == '\n' && flags)) || c == 0x7f ? ' ' : (char) c;
		if (o[i] != want)
		    abort();
	    }
	}
	if (strcmp(expand_source(t), text) != 0)
	    abort();
    }
    expand_free(&t);
    facts_free(&f);
    buf_free(&why);
    buf_free(&out);
    free(text);
    return 0;
}
