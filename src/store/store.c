/*
 * NAME
 *	store.c - dispatch of the store interface to its back ends
 * SYNOPSIS
 *	See store.h.
 * DESCRIPTION
 *	Parses the spec prefix ("lmdb:", "redis:") and forwards each call to
 *	the back end's operations table. Owns what both back ends share:
 *	the per-thread error message and the clock.
 * DIAGNOSTICS
 *	As store.h. A NULL store or key is a bug (msg_panic).
 * STANDARDS
 *	None.
 */
#include "config.h"
#include "store/store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/msg.h"
#include "util/xmalloc.h"

#define STORE_LMDB_DEFAULT_MB 256

/* Failures of every store of the process (store_set_error calls). */
static unsigned long long store_errors;

/* store_err_free - pthread key destructor of the per-thread error buffer */
static void store_err_free(void *p)
{
    struct buf *b = p;
    buf_free(b);
    free(b);
}

/* store_alloc - a store with an operations table; used by the back ends */
struct store *store_alloc(const struct store_ops *ops, void *impl)
{
    struct store *s = xcalloc(1, sizeof(*s));
    int rc;

    s->ops = ops;
    s->impl = impl;
    if ((rc = pthread_key_create(&s->err_key, store_err_free)) != 0)
	msg_fatal("store: pthread_key_create: %s", strerror(rc));
    return s;
}

/* store_set_error - remember why the last call failed, for this thread */
void store_set_error(struct store *s, const char *fmt, ...)
{
    struct buf *b = pthread_getspecific(s->err_key);
    va_list ap;
    char tmp[512];

    __atomic_fetch_add(&store_errors, 1, __ATOMIC_RELAXED);
    if (b == NULL) {
	b = xcalloc(1, sizeof(*b));
	pthread_setspecific(s->err_key, b);
    }
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    buf_reset(b);
    buf_puts(b, tmp);
}

/* store_error_count - failures of every store of the process (for metrics) */
unsigned long long store_error_count(void)
{
    return __atomic_load_n(&store_errors, __ATOMIC_RELAXED);
}

/* store_error - why the last failed call of this thread on s failed */
const char *store_error(struct store *s)
{
    struct buf *b = pthread_getspecific(s->err_key);
    return b && b->len ? b->data : "no error";
}

/* store_kind - "lmdb" or "redis" */
const char *store_kind(const struct store *s)
{
    return s->ops->kind;
}

/* store_now - the store's clock: time(NULL) unless a test installed one */
time_t store_now(struct store *s)
{
    return s->now ? s->now(s->now_ctx) : time(NULL);
}

/* store_set_clock - install a clock (tests use a fake one for expiry) */
void store_set_clock(struct store *s, time_t (*now)(void *ctx), void *ctx)
{
    s->now = now;
    s->now_ctx = ctx;
}

/* store_lmdb_spec - split "/path?map_size_mb=N" into path and size */
static char *store_lmdb_spec(const char *rest, size_t *mb_r, const char **why_r)
{
    const char *q = strchr(rest, '?');
    char *end;

    *mb_r = STORE_LMDB_DEFAULT_MB;
    if (q == NULL)
	return xstrdup(rest);
    if (strncmp(q + 1, "map_size_mb=", 12) != 0) {
	*why_r = "lmdb: unknown option (only map_size_mb=N)";
	return NULL;
    }
    errno = 0;
    unsigned long long mb = strtoull(q + 13, &end, 10);
    if (q[13] < '0' || q[13] > '9' || *end != 0 || errno || mb < 1 || mb > 1024 * 1024) {
	*why_r = "lmdb: map_size_mb must be 1..1048576";
	return NULL;
    }
    *mb_r = (size_t) mb;
    return xstrndup(rest, (size_t) (q - rest));
}

/* store_open - open a store from its spec ("lmdb:..." or "redis:...") */
struct store *store_open(const char *spec, const char **why_r)
{
    struct store *s = NULL;

    if (strncmp(spec, "lmdb:", 5) == 0) {
	size_t mb;
	char *path = store_lmdb_spec(spec + 5, &mb, why_r);
	if (path == NULL)
	    return NULL;
	store_lmdb_open(&s, path, mb, why_r);
	free(path);
	return s;
    }
    if (strncmp(spec, "redis:", 6) == 0) {
	store_redis_open(&s, spec + 6, why_r);
	return s;
    }
    *why_r = "store spec must start with \"lmdb:\" or \"redis:\"";
    return NULL;
}

/* store_open_lmdb - open an LMDB store with an explicit map size */
struct store *store_open_lmdb(const char *path, size_t map_size_mb, const char **why_r)
{
    struct store *s = NULL;

    if (map_size_mb == 0)
	map_size_mb = STORE_LMDB_DEFAULT_MB;
    store_lmdb_open(&s, path, map_size_mb, why_r);
    return s;
}

/* store_close - release a store; the pointer is set to NULL */
void store_close(struct store **sp)
{
    struct store *s = *sp;

    if (s == NULL)
	return;
    s->ops->close(s);
    struct buf *b = pthread_getspecific(s->err_key);
    if (b)
	store_err_free(b);
    pthread_key_delete(s->err_key);
    free(s);
    *sp = NULL;
}

/* store_key_ok - reject empty keys before they reach a back end */
static int store_key_ok(struct store *s, const char *key)
{
    if (key == NULL || *key == 0) {
	store_set_error(s, "%s: empty key", s->ops->kind);
	return 0;
    }
    return 1;
}

/* store_get - read a value: 1 found, 0 not found, -1 temporary */
int store_get(struct store *s, const char *key, struct buf *value_r)
{
    if (!store_key_ok(s, key))
	return -1;
    buf_reset(value_r);
    return s->ops->get(s, key, value_r);
}

/* store_put - write a value, with a time to live when ttl_s > 0 */
int store_put(struct store *s, const char *key, const void *val, size_t len, long ttl_s)
{
    if (!store_key_ok(s, key))
	return -1;
    if (ttl_s < 0) {
	store_set_error(s, "%s: negative ttl", s->ops->kind);
	return -1;
    }
    return s->ops->put(s, key, val, len, ttl_s);
}

/* store_delete - remove a key; removing an absent key is not an error */
int store_delete(struct store *s, const char *key)
{
    if (!store_key_ok(s, key))
	return -1;
    return s->ops->del(s, key);
}

/* store_append - add bytes at the end of a value (created when absent) */
int store_append(struct store *s, const char *key, const void *val, size_t len)
{
    if (!store_key_ok(s, key))
	return -1;
    return s->ops->append(s, key, val, len);
}

/* store_scan - call fn for each live key starting with prefix */
int store_scan(struct store *s, const char *prefix,
	       int (*fn)(void *ctx, const char *key, const void *val, size_t len), void *ctx)
{
    return s->ops->scan(s, prefix ? prefix : "", fn, ctx);
}

/* store_expire - delete expired values now (LMDB); Redis does it itself */
int store_expire(struct store *s)
{
    return s->ops->expire(s);
}

/* store_command - one raw command (Redis only), reply in *reply_r */
int store_command(struct store *s, int argc, const char *const *argv, const size_t *argvlen,
		  struct store_reply *reply_r)
{
    memset(reply_r, 0, sizeof(*reply_r));
    if (s->ops->command == NULL) {
	store_set_error(s, "%s: raw commands need a Redis store", s->ops->kind);
	return -1;
    }
    if (argc < 1) {
	store_set_error(s, "%s: empty command", s->ops->kind);
	return -1;
    }
    return s->ops->command(s, argc, argv, argvlen, reply_r);
}

/* store_reply_clear - release what store_command put in a reply */
void store_reply_clear(struct store_reply *r)
{
    buf_free(&r->str);
    for (size_t i = 0; i < r->nelem; i++)
	buf_free(&r->elem[i]);
    free(r->elem);
    memset(r, 0, sizeof(*r));
}
