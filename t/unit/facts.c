/*
 * t/unit/facts.c - facts: set, replace, remove, scopes, order; fact tables
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/facts.h"
#include "t/tap.h"
#include "util/buf.h"
#include "util/msg.h"

/* collect - facts_each callback: "name=value;" */
static void collect(void *ctx, const char *name, const char *value)
{
    buf_printf(ctx, "%s=%s;", name, value);
}

static void test_set_get(void)
{
    struct facts *f = facts_alloc();
    struct buf b = BUF_INIT;
    const char *v;

    ok(facts_get(f, "spf") == NULL, "an unset fact is NULL");
    facts_set(f, FACT_MSG, "spf", "pass");
    is_str(facts_get(f, "spf"), "pass", "a set fact reads back");
    facts_set(f, FACT_MSG, "spf", "temperror");
    is_str(facts_get(f, "spf"), "temperror", "setting again replaces the value");
    v = facts_get(f, "spf");
    facts_set(f, FACT_MSG, "spf", v + 4);
    is_str(facts_get(f, "spf"), "error", "a fact can be set from its own value");
    facts_setf(f, FACT_CONN, "sender_host_port", "%d", 2525);
    is_str(facts_get(f, "sender_host_port"), "2525", "facts_setf formats");
    facts_set(f, FACT_CONN, "sender_host_address", "192.0.2.1");
    facts_set(f, FACT_MSG, "acl_m_x", "1");
    facts_each(f, collect, &b);
    is_str(buf_str(&b), "spf=error;sender_host_port=2525;sender_host_address=192.0.2.1;acl_m_x=1;",
	   "facts_each visits facts in the order they were first set");
    facts_reset_msg(f);
    buf_reset(&b);
    facts_each(f, collect, &b);
    is_str(buf_str(&b), "sender_host_port=2525;sender_host_address=192.0.2.1;",
	   "facts_reset_msg keeps only the connection's facts");
    facts_set(f, FACT_CONN, "sender_host_port", NULL);
    ok(facts_get(f, "sender_host_port") == NULL, "setting NULL removes a fact");
    is_str(facts_get(f, "sender_host_address"), "192.0.2.1", "... and only that one");
    for (int i = 0; i < 100; i++)
	facts_setf(f, FACT_MSG, "acl_m_n", "%d", i), facts_setf(f, FACT_MSG, "x", "%d", i);
    is_str(facts_get(f, "acl_m_n"), "99", "many replacements keep the last value");
    facts_free(&f);
    ok(f == NULL, "facts_free NULLs the pointer");
    facts_free(&f);
    ok(1, "facts_free(NULL) is harmless");
    buf_free(&b);
}

static void test_tables(void)
{
    static const char *const words[] = {"pass", "fail", NULL};
    static const struct fact_def defs[] = {{"spf", FACT_WORD, FACT_STAGE_MAIL, words, "x"}};
    static const struct fact_table spf = {"spf", defs, 1};
    const struct fact_table *const tables[] = {&fact_table_core, &spf, NULL};
    const struct fact_def *d;

    d = fact_def_find(tables, "spf");
    ok(d != NULL && d->kind == FACT_WORD && d->stage == FACT_STAGE_MAIL, "a check's fact is found");
    d = fact_def_find(tables, "sender_host_address");
    ok(d != NULL && d->kind == FACT_ADDR && d->stage == FACT_STAGE_CONNECT,
       "the core table declares the client address (connect stage)");
    d = fact_def_find(tables, "recipient_domain");
    ok(d != NULL && d->kind == FACT_DOMAIN && d->stage == FACT_STAGE_RCPT,
       "the core table declares the recipient domain (rcpt stage)");
    d = fact_def_find(tables, "authenticated");
    ok(d != NULL && d->kind == FACT_BOOL, "authenticated is a boolean");
    ok(fact_def_find(tables, "nosuch") == NULL, "an undeclared name is not found");
    ok(fact_def_find(NULL, "spf") == NULL, "no tables, no facts");
    for (size_t i = 0; i < fact_table_core.count; i++)
	if (fact_table_core.defs[i].doc == NULL || fact_table_core.defs[i].words != NULL)
	    ok(0, "core fact %s has a doc line and no words", fact_table_core.defs[i].name);
    ok(fact_table_core.count >= 16, "the core table has every connection and envelope fact");
    is_str(fact_stage_name(FACT_STAGE_RCPT), "rcpt", "stage names are the config words");
    is_str(fact_stage_name((enum fact_stage) 42), "unknown", "an out-of-range stage has a name too");
}

int main(void)
{
    msg_open("test_facts", MSG_STDERR, 0);
    test_set_get();
    test_tables();
    return done_testing();
}
