/*
 * NAME
 *	t/fuzz/event_conf.c - the events.actions parser
 * DESCRIPTION
 *	The input is a whole configuration text: conf_load_string (libconfig
 *	and the key table), then event_bus_new, which checks and compiles
 *	events.actions (members, event names, sinks, templates) exactly as
 *	mxguardd does at start, then the bus is freed. No event is fired:
 *	an input may name any program as an exec sink. Inputs with @include
 *	are skipped (they would read arbitrary files). Property: a refused
 *	events.actions explains itself, one "fuzz.conf:LINE: ..." line per
 *	error, none with control characters.
 *
 *	libconfig 1.5's own scanner leak is suppressed (see conf_value.c).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "conf/conf.h"
#include "event/event.h"
#include "util/msg.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
const char *__lsan_default_suppressions(void);

/* __lsan_default_suppressions - LeakSanitizer: ignore libconfig 1.5's own leak */
const char *__lsan_default_suppressions(void)
{
    return "leak:strbuf_append\nleak:libconfig_yylex\nleak:libconfig_yyparse\n";
}

/* check_errors - one well-formed line per error */
static void check_errors(const struct buf *errs)
{
    const char *p = buf_str(errs);

    if (*p == 0)
	abort();
    while (*p) {
	const char *nl = strchr(p, '\n');

	if (nl == NULL || strncmp(p, "fuzz.conf:", 10) != 0)
	    abort();
	for (const char *q = p; q < nl; q++)
	    if ((unsigned char) *q < 0x20 && *q != '\t')
		abort();
	p = nl + 1;
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static const struct fact_table *const tables[] = {&fact_table_core, NULL};
    struct buf errs = BUF_INIT;
    char *text = malloc(size + 1);
    struct conf *c;
    struct event_bus *b;

    memcpy(text, data, size);
    text[size] = 0;
    if (strstr(text, "@include") == NULL
	&& (c = conf_load_string(text, "fuzz.conf", &errs)) != NULL) {
	b = event_bus_new(c, tables, &errs);
	if (b == NULL && errs.len)
	    check_errors(&errs);
	event_bus_free(&b);
	conf_unref(&c);
    }
    buf_free(&errs);
    free(text);
    return 0;
}
