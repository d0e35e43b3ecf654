/*
 * t/fuzz/list_entry.c - fuzz list_entry_parse and list_entry_match.
 * Input: "ENTRY\nVALUE" (no newline: the whole input is the entry and the
 * value). Oracles beyond "no crash": a parsed entry, formatted back as list
 * text, parses again to the same entry; a value always matches an entry
 * made from itself when that entry is a name or address.
 */
#include "config.h"
#include "policy/lists_int.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* same_entry - do two parsed entries mean the same thing? */
static int same_entry(const struct list_entry *a, const struct list_entry *b)
{
    if (a->kind != b->kind || a->negate != b->negate)
	return 0;
    if (a->kind == LIST_E_CIDR)
	return a->net.family == b->net.family && a->net.bits == b->net.bits
	    && memcmp(a->net.addr, b->net.addr, sizeof(a->net.addr)) == 0;
    return strcmp(a->text, b->text) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = xstrndup((const char *) data, size);
    char *nl = strchr(in, '\n');
    const char *value = nl ? nl + 1 : in;
    struct list_entry e, e2;
    struct list_value v;
    const char *why;

    if (nl)
	*nl = 0;
    if (list_entry_parse(in, &e, &why) == 0) {
	struct buf text = BUF_INIT;
	list_entry_format(&e, &text);
	if (list_entry_parse(buf_str(&text), &e2, &why) < 0 || !same_entry(&e, &e2))
	    abort();		/* format and parse disagree */
	list_entry_clear(&e2);
	buf_free(&text);
	list_value_init(&v, value);
	(void) list_entry_match(&e, &v);
	list_value_clear(&v);
	list_entry_clear(&e);
    } else if (why == NULL || *why == 0) {
	abort();		/* every refusal must say why */
    }
    /* A plain name or address must match itself (entries are trimmed,
     * values are not: only check values without white space). */
    if (list_value_init(&v, value) == 0 && strpbrk(value, " \t\r\n") == NULL
	&& list_entry_parse(value, &e, &why) == 0) {
	int self = e.kind == LIST_E_CIDR ? v.is_addr : e.kind == LIST_E_DOMAIN || e.kind == LIST_E_WORD;
	if (!e.negate && self && !list_entry_match(&e, &v))
	    abort();
	list_entry_clear(&e);
    }
    list_value_clear(&v);
    free(in);
    return 0;
}
