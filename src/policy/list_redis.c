/*
 * NAME
 *	list_redis.c - redis: lists (a Redis command decides membership)
 * SYNOPSIS
 *	int list_redis_init(struct list *l, const char *cmd,
 *			    const struct list_env *env, struct buf *why_r);
 *	int list_redis_lookup(struct list *l, const struct list_value *v,
 *			      struct buf *result_r);
 *	void list_redis_free(struct list *l);
 * DESCRIPTION
 *	The command is split at white space once, at configuration time.
 *	For each lookup "$value" inside an argument is replaced by the
 *	normalized value, and the arguments go to Redis as a binary-safe
 *	argument vector, so a value with spaces, quotes or CRLF stays one
 *	argument and cannot add commands. How replies are read: lists.h.
 *
 *	SMEMBERS fetches the whole set on every lookup: that is what lets a
 *	set hold CIDRs, "*.domain" and "!negations". For big sets of plain
 *	values, "SISMEMBER set $value" is one O(1) round trip.
 * DIAGNOSTICS
 *	list_redis_lookup: 1 match, 0 no match, -1 temporary failure (dead
 *	server, timeout, error reply), logged with msg_warn.
 * STANDARDS
 *	None.
 */
#include "config.h"
#include "policy/lists_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define LIST_VALUE_VAR "$value"

/* list_redis_init - split the command, find the server */
int list_redis_init(struct list *l, const char *cmd, const struct list_env *env,
		    struct buf *why_r)
{
    char *copy = xstrdup(cmd), *save = NULL;
    const char *why;

    for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
	l->argv = xrealloc(l->argv, (size_t) (l->argc + 1) * sizeof(*l->argv));
	l->argv[l->argc++] = xstrdup(t);
	if (strstr(t, LIST_VALUE_VAR))
	    l->has_value = 1;
    }
    free(copy);
    if (l->argc == 0) {
	buf_printf(why_r, "list %s: empty Redis command\n", l->name);
	return -1;
    }
    if (env && env->redis) {
	l->store = env->redis;
    } else if (env && env->redis_spec) {
	if ((l->store = store_open(env->redis_spec, &why)) == NULL) {
	    buf_printf(why_r, "list %s: %s\n", l->name, why);
	    return -1;
	}
	l->own_store = 1;
    } else {
	buf_printf(why_r, "list %s: redis: list but no Redis server configured (store.redis)\n",
		   l->name);
	return -1;
    }
    if (strcmp(store_kind(l->store), "redis") != 0) {
	buf_printf(why_r, "list %s: redis: list needs a Redis store, not %s\n", l->name,
		   store_kind(l->store));
	return -1;
    }
    return 0;
}

/* list_redis_subst - one argument with every "$value" replaced */
static char *list_redis_subst(const char *arg, const char *value)
{
    struct buf b = BUF_INIT;
    const char *p, *hit;

    for (p = arg; (hit = strstr(p, LIST_VALUE_VAR)) != NULL; p = hit + strlen(LIST_VALUE_VAR)) {
	buf_append(&b, p, (size_t) (hit - p));
	buf_puts(&b, value);
    }
    buf_puts(&b, p);
    return buf_steal(&b);
}

/* list_redis_members - match v against a reply's members, as entries.
 * A set has no order, so "first match wins" cannot apply: a matching
 * negated member wins over any positive one. */
static int list_redis_members(const struct buf *elem, size_t n, const struct list_value *v,
			      struct buf *result_r)
{
    size_t hit_at = n;

    for (size_t i = 0; i < n; i++) {
	struct list_entry e;
	const char *why;
	int hit;

	if (list_entry_parse(buf_str(&elem[i]), &e, &why) == 0) {
	    hit = list_entry_match(&e, v);
	    int negated = e.negate;
	    list_entry_clear(&e);
	    if (hit && negated)
		return 0;
	} else {
	    hit = elem[i].len == v->len && memcmp(buf_str(&elem[i]), v->text, v->len) == 0;
	}
	if (hit && hit_at == n)
	    hit_at = i;
    }
    if (hit_at == n)
	return 0;
    if (result_r)
	buf_append(result_r, buf_str(&elem[hit_at]), elem[hit_at].len);
    return 1;
}

/* list_redis_eval - what a reply means for this list */
static int list_redis_eval(struct list *l, struct store_reply *r, const struct list_value *v,
			   struct buf *result_r)
{
    switch (r->type) {
    case STORE_REPLY_NIL:
	return 0;
    case STORE_REPLY_INT:
	if (result_r && r->integer)
	    buf_printf(result_r, "%lld", r->integer);
	return r->integer != 0;
    case STORE_REPLY_STR:
	if (l->has_value) {
	    if (result_r)
		buf_append(result_r, buf_str(&r->str), r->str.len);
	    return 1;
	}
	return list_redis_members(&r->str, 1, v, result_r);
    case STORE_REPLY_ARRAY:
	return list_redis_members(r->elem, r->nelem, v, result_r);
    }
    return 0;
}

/* list_redis_lookup - run the command for one value */
int list_redis_lookup(struct list *l, const struct list_value *v, struct buf *result_r)
{
    char **argv = xcalloc((size_t) l->argc, sizeof(*argv));
    size_t *lens = xcalloc((size_t) l->argc, sizeof(*lens));
    struct store_reply reply;
    int rc;

    for (int i = 0; i < l->argc; i++) {
	argv[i] = list_redis_subst(l->argv[i], v->text);
	lens[i] = strlen(argv[i]);
    }
    if (store_command(l->store, l->argc, (const char *const *) argv, lens, &reply) < 0) {
	msg_warn("list %s: %s", l->name, store_error(l->store));
	rc = -1;
    } else {
	rc = list_redis_eval(l, &reply, v, result_r);
    }
    store_reply_clear(&reply);
    for (int i = 0; i < l->argc; i++)
	free(argv[i]);
    free(argv);
    free(lens);
    return rc;
}

/* list_redis_free - release the command template */
void list_redis_free(struct list *l)
{
    for (int i = 0; i < l->argc; i++)
	free(l->argv[i]);
    free(l->argv);
    l->argv = NULL;
    l->argc = 0;
}
