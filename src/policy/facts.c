/*
 * NAME
 *	facts.c - per-connection facts and the core fact table
 * SYNOPSIS
 *	See facts.h.
 * DESCRIPTION
 *	A struct facts is a small array of (scope, name, value) in insertion
 *	order: a message has a few dozen facts, so a linear search is both
 *	simpler and faster than hashing. Setting a fact again replaces its
 *	value in place (its position, and so facts_each order, stays). The
 *	struct belongs to one connection's thread and takes no lock.
 *
 *	fact_table_core declares the connection and envelope facts the
 *	pipeline sets; the rule engine always knows them, in addition to the
 *	tables given in its rule_env.
 * DIAGNOSTICS
 *	See facts.h. Allocation failure is fatal (xmalloc).
 * STANDARDS
 *	None.
 */
#include "config.h"
#include "policy/facts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* The connection and envelope facts; the pipeline sets them. */
static const struct fact_def core_defs[] = {
    {"sender_host_address", FACT_ADDR, FACT_STAGE_CONNECT, NULL,
     "the client's IP address (\"\" for a non-IP connection)"},
    {"sender_host_name", FACT_DOMAIN, FACT_STAGE_CONNECT, NULL,
     "the client's verified reverse name, or \"[address]\""},
    {"sender_host_port", FACT_TEXT, FACT_STAGE_CONNECT, NULL, "the client's TCP port"},
    {"sender_helo_name", FACT_DOMAIN, FACT_STAGE_HELO, NULL, "the HELO/EHLO name"},
    {"authenticated", FACT_BOOL, FACT_STAGE_MAIL, NULL,
     "yes when the client authenticated (SMTP AUTH)"},
    {"authenticated_id", FACT_TEXT, FACT_STAGE_MAIL, NULL, "the SMTP AUTH user name"},
    {"trusted", FACT_BOOL, FACT_STAGE_CONNECT, NULL,
     "yes when the client is in milter.trusted_hosts"},
    {"tls_version", FACT_TEXT, FACT_STAGE_CONNECT, NULL,
     "the TLS protocol of the client connection, \"\" without TLS"},
    {"sender_address", FACT_TEXT, FACT_STAGE_MAIL, NULL,
     "the envelope sender address, \"\" for the null sender"},
    {"sender_address_domain", FACT_DOMAIN, FACT_STAGE_MAIL, NULL,
     "the domain of the envelope sender"},
    {"recipient", FACT_TEXT, FACT_STAGE_RCPT, NULL,
     "the recipient being added (rcpt stage)"},
    {"recipient_domain", FACT_DOMAIN, FACT_STAGE_RCPT, NULL,
     "the domain of the recipient being added (rcpt stage)"},
    {"recipients", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "all recipients of the message, comma separated"},
    {"message_size", FACT_TEXT, FACT_STAGE_DATA, NULL, "the message size in bytes"},
    {"queue_id", FACT_TEXT, FACT_STAGE_MAIL, NULL, "the MTA's queue id (may be empty)"},
    {"authserv_id", FACT_TEXT, FACT_STAGE_CONNECT, NULL,
     "our authserv-id (milter.authserv_id)"},
};

const struct fact_table fact_table_core = {
    "core", core_defs, sizeof(core_defs) / sizeof(core_defs[0]),
};

struct fact {
    enum fact_scope scope;
    char *name;
    char *value;
};

struct facts {
    struct fact *v;
    size_t n, cap;
};

/* fact_def_find - the declaration of name in a NULL-terminated table list */
const struct fact_def *fact_def_find(const struct fact_table *const *tables, const char *name)
{
    if (tables == NULL || name == NULL)
	return NULL;
    for (; *tables; tables++)
	for (size_t i = 0; i < (*tables)->count; i++)
	    if (strcmp((*tables)->defs[i].name, name) == 0)
		return &(*tables)->defs[i];
    return NULL;
}

/* fact_stage_name - the config word of a stage (rules.STAGE) */
const char *fact_stage_name(enum fact_stage stage)
{
    static const char *const names[] = {"connect", "helo", "mail", "rcpt", "data"};

    return (unsigned) stage < sizeof(names) / sizeof(names[0]) ? names[stage] : "unknown";
}

/* facts_alloc - an empty fact set */
struct facts *facts_alloc(void)
{
    return xcalloc(1, sizeof(struct facts));
}

/* facts_free - free a fact set and NULL the pointer */
void facts_free(struct facts **fp)
{
    struct facts *f = *fp;

    if (f == NULL)
	return;
    for (size_t i = 0; i < f->n; i++) {
	free(f->v[i].name);
	free(f->v[i].value);
    }
    free(f->v);
    free(f);
    *fp = NULL;
}

/* facts_index - position of name, or -1 */
static long facts_index(const struct facts *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
	if (strcmp(f->v[i].name, name) == 0)
	    return (long) i;
    return -1;
}

/* facts_set - set or replace one fact (value NULL removes it) */
void facts_set(struct facts *f, enum fact_scope scope, const char *name, const char *value)
{
    long i = facts_index(f, name);

    if (value == NULL) {
	if (i >= 0) {
	    free(f->v[i].name);
	    free(f->v[i].value);
	    memmove(f->v + i, f->v + i + 1, (f->n - (size_t) i - 1) * sizeof(*f->v));
	    f->n--;
	}
	return;
    }
    if (i >= 0) {
	char *old = f->v[i].value;
	f->v[i].value = xstrdup(value);	/* value may point into old */
	f->v[i].scope = scope;
	free(old);
	return;
    }
    if (f->n == f->cap) {
	f->cap = f->cap ? 2 * f->cap : 32;
	f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
    }
    f->v[f->n].scope = scope;
    f->v[f->n].name = xstrdup(name);
    f->v[f->n].value = xstrdup(value);
    f->n++;
}

/* facts_setf - facts_set with a printf format */
void facts_setf(struct facts *f, enum fact_scope scope, const char *name, const char *fmt, ...)
{
    va_list ap, aq;
    char *value;
    int len;

    va_start(ap, fmt);
    va_copy(aq, ap);
    len = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    value = xmalloc(len < 0 ? 1 : (size_t) len + 1);
    if (len < 0)
	value[0] = 0;
    else
	vsnprintf(value, (size_t) len + 1, fmt, ap);
    va_end(ap);
    facts_set(f, scope, name, value);
    free(value);
}

/* facts_get - the value of a fact, NULL when unset */
const char *facts_get(const struct facts *f, const char *name)
{
    long i;

    if (f == NULL || name == NULL)
	return NULL;
    i = facts_index(f, name);
    return i < 0 ? NULL : f->v[i].value;
}

/* facts_reset_msg - forget the per-message facts, keep the connection's */
void facts_reset_msg(struct facts *f)
{
    size_t keep = 0;

    for (size_t i = 0; i < f->n; i++) {
	if (f->v[i].scope == FACT_MSG) {
	    free(f->v[i].name);
	    free(f->v[i].value);
	} else {
	    f->v[keep++] = f->v[i];
	}
    }
    f->n = keep;
}

/* facts_each - call fn for every fact, in the order they were first set */
void facts_each(const struct facts *f, void (*fn)(void *ctx, const char *name, const char *value),
		void *ctx)
{
    for (size_t i = 0; i < f->n; i++)
	fn(ctx, f->v[i].name, f->v[i].value);
}
