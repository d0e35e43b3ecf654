/*
 * NAME
 *	t/fuzz/event_conf.c - the events.actions parser
 * DESCRIPTION
 *	The input is a whole configuration text: conf_load_string (libconfig
 *	and the key table), then event_bus_new, which checks and compiles
 *	events.actions (members, event names, sinks, templates) exactly as
 *	mxguardd does at start, then the bus is freed. No event is fired:
 *	an input may name any program as an exec sink.
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "conf/conf.h"
#include "event/event.h"
#include "util/msg.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static const struct fact_table *const tables[] = {&fact_table_core, NULL};
    struct buf errs = BUF_INIT;
    char *text = malloc(size + 1);
    struct conf *c;
    struct event_bus *b;

    memcpy(text, data, size);
    text[size] = 0;
    c = conf_load_string(text, "fuzz.conf", &errs);
    if (c != NULL) {
	b = event_bus_new(c, tables, &errs);
	event_bus_free(&b);
	conf_unref(&c);
    }
    buf_free(&errs);
    free(text);
    return 0;
}
