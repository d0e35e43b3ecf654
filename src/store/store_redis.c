/*
 * NAME
 *	store_redis.c - the Redis back end of the store interface (hiredis)
 * SYNOPSIS
 *	int store_redis_open(struct store **s_r, const char *spec,
 *			     const char **why_r);
 * DESCRIPTION
 *	spec (without "redis:") is "host:port[/db]", "[v6]:port[/db]" or
 *	"unix:/path/sock[/db]", then optional "?opt=v&opt=v" (password,
 *	connect_timeout_ms, timeout_ms). Connections come from a small pool
 *	guarded by a mutex: a thread takes one for one call and gives it back,
 *	so no connection is ever used by two threads at once and threads that
 *	come and go (libmilter) leave nothing behind.
 *
 *	Failure handling: a failed connect puts the server "down" for a
 *	backoff (100 ms, doubling to 5 s); calls fail fast (-1) meanwhile. A
 *	pooled connection that fails with EOF or a reset before any reply
 *	(the server restarted) is dropped and the call retried once on a new
 *	connection. Timeouts are not retried (the command may have run).
 *	The password is sent with AUTH and appears in no message.
 * DIAGNOSTICS
 *	As store.h; every failure is -1 with a store_error() reason.
 * STANDARDS
 *	Redis protocol (RESP) via hiredis.
 */
#include "config.h"
#include "store/store_int.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/msg.h"
#include "util/xmalloc.h"

#define REDIS_POOL_MAX 32
#define REDIS_BACKOFF_MIN_MS 100
#define REDIS_BACKOFF_MAX_MS 5000

struct redis_conn {
    redisContext *c;
    struct redis_conn *next;
};

struct redis_be {
    char *host;			/* NULL for a unix socket */
    int port;
    char *unix_path;
    int db;
    char *password;
    int connect_ms;
    int timeout_ms;
    char *where;		/* "host:port/db" for messages, no password */
    pthread_mutex_t lock;	/* guards everything below */
    struct redis_conn *idle;
    int nidle;
    long long down_until_ms;	/* monotonic; 0 = up */
    long backoff_ms;
};

/* redis_now_ms - monotonic milliseconds, for the backoff */
static long long redis_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* redis_opt_int - parse a positive millisecond option */
static int redis_opt_int(const char *v, size_t len, int *r)
{
    long n = 0;
    if (len == 0 || len > 7)
	return -1;
    for (size_t i = 0; i < len; i++) {
	if (v[i] < '0' || v[i] > '9')
	    return -1;
	n = n * 10 + (v[i] - '0');
    }
    if (n < 1)
	return -1;
    *r = (int) n;
    return 0;
}

/* redis_parse_opts - "password=..&timeout_ms=.." after the '?' */
static int redis_parse_opts(struct redis_be *r, const char *p, const char **why_r)
{
    while (*p) {
	if (strncmp(p, "password=", 9) == 0) {
	    /* The password runs to the end: it may contain '&'. */
	    r->password = xstrdup(p + 9);
	    return 0;
	}
	const char *amp = strchr(p, '&');
	size_t len = amp ? (size_t) (amp - p) : strlen(p);
	if (len > 19 && strncmp(p, "connect_timeout_ms=", 19) == 0) {
	    if (redis_opt_int(p + 19, len - 19, &r->connect_ms) < 0) {
		*why_r = "redis: connect_timeout_ms must be a positive number";
		return -1;
	    }
	} else if (len > 11 && strncmp(p, "timeout_ms=", 11) == 0) {
	    if (redis_opt_int(p + 11, len - 11, &r->timeout_ms) < 0) {
		*why_r = "redis: timeout_ms must be a positive number";
		return -1;
	    }
	} else {
	    *why_r = "redis: unknown option (password, connect_timeout_ms, timeout_ms)";
	    return -1;
	}
	p += len + (amp != NULL);
    }
    return 0;
}

/* redis_parse_db - split a trailing "/N" off addr into r->db */
static int redis_parse_db(struct redis_be *r, char *addr, const char **why_r)
{
    char *slash = strrchr(addr, '/');
    if (slash == NULL || slash[1] == 0 || strspn(slash + 1, "0123456789") != strlen(slash + 1))
	return 0;
    if (strlen(slash + 1) > 5 || (r->db = atoi(slash + 1)) > 65535) {
	*why_r = "redis: bad database number";
	return -1;
    }
    *slash = 0;
    return 0;
}

/* redis_parse_hostport - "host:port", "[v6]:port" or "host" */
static int redis_parse_hostport(struct redis_be *r, char *addr, const char **why_r)
{
    char *port = NULL;

    if (addr[0] == '[') {
	char *end = strchr(addr, ']');
	if (end == NULL || (end[1] != 0 && end[1] != ':')) {
	    *why_r = "redis: bad [IPv6] address";
	    return -1;
	}
	*end = 0;
	port = end[1] == ':' ? end + 2 : NULL;
	r->host = xstrdup(addr + 1);
    } else {
	if ((port = strchr(addr, ':')) != NULL)
	    *port++ = 0;
	r->host = xstrdup(addr);
    }
    r->port = 6379;
    if (port && redis_opt_int(port, strlen(port), &r->port) < 0) {
	*why_r = "redis: bad port";
	return -1;
    }
    if (*r->host == 0 || r->port > 65535) {
	*why_r = *r->host ? "redis: bad port" : "redis: empty host";
	return -1;
    }
    return 0;
}

/* redis_parse - fill r from the spec; NULL reason on success */
static int redis_parse(struct redis_be *r, const char *spec, const char **why_r)
{
    const char *q = strchr(spec, '?');
    char *addr = xstrndup(spec, q ? (size_t) (q - spec) : strlen(spec));
    int rc = -1;

    r->connect_ms = 1000;
    r->timeout_ms = 2000;
    if (q && redis_parse_opts(r, q + 1, why_r) < 0)
	goto out;
    if (redis_parse_db(r, addr, why_r) < 0)
	goto out;
    if (strncmp(addr, "unix:", 5) == 0) {
	if (addr[5] != '/') {
	    *why_r = "redis: unix socket path must be absolute";
	    goto out;
	}
	r->unix_path = xstrdup(addr + 5);
	r->where = xasprintf("unix:%s/%d", r->unix_path, r->db);
    } else {
	if (redis_parse_hostport(r, addr, why_r) < 0)
	    goto out;
	r->where = xasprintf("%s:%d/%d", r->host, r->port, r->db);
    }
    rc = 0;
out:
    free(addr);
    return rc;
}

/* redis_tv - milliseconds as a struct timeval */
static struct timeval redis_tv(int ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    return tv;
}

/* redis_setup - AUTH and SELECT on a fresh connection; 0 ok */
static int redis_setup(struct store *s, struct redis_be *r, redisContext *c)
{
    redisReply *rep;
    char dbs[16];

    if (r->password) {
	const char *argv[2] = { "AUTH", r->password };
	rep = redisCommandArgv(c, 2, argv, NULL);
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
	    /* The server's words ("WRONGPASS ...") never echo the password. */
	    store_set_error(s, "redis: %s: AUTH failed: %s", r->where,
			    rep ? rep->str : c->errstr);
	    if (rep)
		freeReplyObject(rep);
	    return -1;
	}
	freeReplyObject(rep);
    }
    if (r->db != 0) {
	snprintf(dbs, sizeof(dbs), "%d", r->db);
	const char *argv[2] = { "SELECT", dbs };
	rep = redisCommandArgv(c, 2, argv, NULL);
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
	    store_set_error(s, "redis: %s: SELECT failed: %s", r->where, rep ? rep->str : c->errstr);
	    if (rep)
		freeReplyObject(rep);
	    return -1;
	}
	freeReplyObject(rep);
    }
    return 0;
}

/* redis_mark - after a connect attempt: reset or extend the backoff */
static void redis_mark(struct redis_be *r, int up)
{
    pthread_mutex_lock(&r->lock);
    if (up) {
	r->backoff_ms = 0;
	r->down_until_ms = 0;
    } else {
	r->backoff_ms = r->backoff_ms ? r->backoff_ms * 2 : REDIS_BACKOFF_MIN_MS;
	if (r->backoff_ms > REDIS_BACKOFF_MAX_MS)
	    r->backoff_ms = REDIS_BACKOFF_MAX_MS;
	r->down_until_ms = redis_now_ms() + r->backoff_ms;
    }
    pthread_mutex_unlock(&r->lock);
}

/* redis_connect - a new, authenticated connection, or NULL */
static struct redis_conn *redis_connect(struct store *s, struct redis_be *r)
{
    struct timeval ctv = redis_tv(r->connect_ms);
    redisContext *c = r->unix_path ? redisConnectUnixWithTimeout(r->unix_path, ctv)
	: redisConnectWithTimeout(r->host, r->port, ctv);

    if (c == NULL) {
	store_set_error(s, "redis: %s: cannot allocate a connection", r->where);
    } else if (c->err) {
	store_set_error(s, "redis: %s: connect: %s", r->where, c->errstr);
    } else if (redisSetTimeout(c, redis_tv(r->timeout_ms)) != REDIS_OK) {
	store_set_error(s, "redis: %s: cannot set the command timeout", r->where);
    } else if (redis_setup(s, r, c) == 0) {
	struct redis_conn *rc = xcalloc(1, sizeof(*rc));
	rc->c = c;
	redis_mark(r, 1);
	return rc;
    }
    if (c)
	redisFree(c);
    redis_mark(r, 0);
    return NULL;
}

/* redis_take - an idle pooled connection, a new one, or NULL (down) */
static struct redis_conn *redis_take(struct store *s, struct redis_be *r, int *pooled_r)
{
    struct redis_conn *rc;
    long long wait;

    pthread_mutex_lock(&r->lock);
    if ((rc = r->idle) != NULL) {
	r->idle = rc->next;
	r->nidle--;
    }
    wait = r->down_until_ms ? r->down_until_ms - redis_now_ms() : 0;
    pthread_mutex_unlock(&r->lock);
    *pooled_r = rc != NULL;
    if (rc)
	return rc;
    if (wait > 0) {
	store_set_error(s, "redis: %s: server unavailable, next attempt in %lld ms",
			r->where, wait);
	return NULL;
    }
    return redis_connect(s, r);
}

/* redis_give - return a healthy connection to the pool, or close it */
static void redis_give(struct redis_be *r, struct redis_conn *rc, int healthy)
{
    if (healthy) {
	pthread_mutex_lock(&r->lock);
	if (r->nidle < REDIS_POOL_MAX) {
	    rc->next = r->idle;
	    r->idle = rc;
	    r->nidle++;
	    rc = NULL;
	}
	pthread_mutex_unlock(&r->lock);
    }
    if (rc) {
	redisFree(rc->c);
	free(rc);
    }
}

/* redis_flush_idle - close every idle connection (the server restarted,
 * so they are all dead; the retry must not pick another one) */
static void redis_flush_idle(struct redis_be *r)
{
    struct redis_conn *rc, *next;

    pthread_mutex_lock(&r->lock);
    rc = r->idle;
    r->idle = NULL;
    r->nidle = 0;
    pthread_mutex_unlock(&r->lock);
    for (; rc; rc = next) {
	next = rc->next;
	redisFree(rc->c);
	free(rc);
    }
}

/* redis_stale - did a pooled connection die before answering? */
static int redis_stale(const redisContext *c)
{
    return c->err == REDIS_ERR_EOF
	|| (c->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE));
}

/* redis_run - one command; NULL reply (-1) with the reason set */
static redisReply *redis_run(struct store *s, int argc, const char **argv, const size_t *lens)
{
    struct redis_be *r = s->impl;
    struct redis_conn *rc;
    redisReply *rep;
    int pooled;

    for (int attempt = 0; attempt < 2; attempt++) {
	if ((rc = redis_take(s, r, &pooled)) == NULL)
	    return NULL;
	rep = redisCommandArgv(rc->c, argc, argv, lens);
	if (rep != NULL) {
	    redis_give(r, rc, 1);
	    if (rep->type == REDIS_REPLY_ERROR) {
		store_set_error(s, "redis: %s: %s: %s", r->where, argv[0], rep->str);
		freeReplyObject(rep);
		return NULL;
	    }
	    return rep;
	}
	int retry = pooled && redis_stale(rc->c);
	store_set_error(s, "redis: %s: %s: %s", r->where, argv[0],
			rc->c->errstr[0] ? rc->c->errstr : "connection lost");
	redis_give(r, rc, 0);
	if (!retry)
	    return NULL;
	redis_flush_idle(r);
    }
    return NULL;
}

/* redis_run2 - a command with two or three C string arguments */
static redisReply *redis_run_str(struct store *s, const char *cmd, const char *key,
				 const void *val, size_t len, const char *extra1, const char *extra2)
{
    const char *argv[5] = { cmd, key, val, extra1, extra2 };
    size_t lens[5] = { strlen(cmd), strlen(key), len, extra1 ? strlen(extra1) : 0,
	extra2 ? strlen(extra2) : 0 };
    int argc = val == NULL ? 2 : extra1 == NULL ? 3 : 5;
    return redis_run(s, argc, argv, lens);
}

/* redis_get - GET: 1 found, 0 nil, -1 failure (never 0 for a dead server) */
static int redis_get(struct store *s, const char *key, struct buf *value_r)
{
    redisReply *rep = redis_run_str(s, "GET", key, NULL, 0, NULL, NULL);
    int found;

    if (rep == NULL)
	return -1;
    if (rep->type == REDIS_REPLY_NIL) {
	found = 0;
    } else if (rep->type == REDIS_REPLY_STRING) {
	buf_append(value_r, rep->str, rep->len);
	found = 1;
    } else {
	store_set_error(s, "redis: GET %s: unexpected reply type %d", key, rep->type);
	found = -1;
    }
    freeReplyObject(rep);
    return found;
}

/* redis_simple - run and discard the reply; 0 ok, -1 failure */
static int redis_simple(redisReply *rep)
{
    if (rep == NULL)
	return -1;
    freeReplyObject(rep);
    return 0;
}

/* redis_put - SET key value [EX ttl] */
static int redis_put(struct store *s, const char *key, const void *val, size_t len, long ttl_s)
{
    char ttl[32];

    if (ttl_s <= 0)
	return redis_simple(redis_run_str(s, "SET", key, val ? val : "", len, NULL, NULL));
    snprintf(ttl, sizeof(ttl), "%ld", ttl_s);
    return redis_simple(redis_run_str(s, "SET", key, val ? val : "", len, "EX", ttl));
}

/* redis_del - DEL key */
static int redis_del(struct store *s, const char *key)
{
    return redis_simple(redis_run_str(s, "DEL", key, NULL, 0, NULL, NULL));
}

/* redis_append - APPEND key value (keeps the key's TTL) */
static int redis_append(struct store *s, const char *key, const void *val, size_t len)
{
    return redis_simple(redis_run_str(s, "APPEND", key, val ? val : "", len, NULL, NULL));
}

/* redis_glob_escape - a SCAN MATCH pattern that means "starts with prefix" */
static void redis_glob_escape(struct buf *b, const char *prefix)
{
    for (const char *p = prefix; *p; p++) {
	if (strchr("*?[]\\", *p))
	    buf_putc(b, '\\');
	buf_putc(b, *p);
    }
    buf_putc(b, '*');
}

/* redis_scan_keys - call fn for each key of one SCAN batch that has a value */
static int redis_scan_keys(struct store *s, redisReply *keys, int *stop_r,
			   int (*fn)(void *ctx, const char *key, const void *val, size_t len),
			   void *ctx)
{
    struct buf v = BUF_INIT;
    int rc = 0;

    for (size_t i = 0; i < keys->elements && !*stop_r; i++) {
	redisReply *k = keys->element[i];
	if (k->type != REDIS_REPLY_STRING)
	    continue;
	buf_reset(&v);
	int found = redis_get(s, k->str, &v);
	if (found < 0 && strstr(store_error(s), "WRONGTYPE") == NULL
	    && strstr(store_error(s), "unexpected reply") == NULL) {
	    rc = -1;
	    break;
	}
	if (found > 0 && fn(ctx, k->str, v.data ? v.data : "", v.len) != 0)
	    *stop_r = 1;
    }
    buf_free(&v);
    return rc;
}

/* redis_scan - SCAN cursor MATCH prefix* COUNT 500, then GET each key */
static int redis_scan(struct store *s, const char *prefix,
		      int (*fn)(void *ctx, const char *key, const void *val, size_t len), void *ctx)
{
    struct buf pat = BUF_INIT;
    char cursor[32] = "0";
    int rc = 0, stop = 0;

    redis_glob_escape(&pat, prefix);
    do {
	const char *argv[6] = { "SCAN", cursor, "MATCH", pat.data, "COUNT", "500" };
	redisReply *rep = redis_run(s, 6, argv, NULL);
	if (rep == NULL) {
	    rc = -1;
	    break;
	}
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2
	    || rep->element[0]->type != REDIS_REPLY_STRING
	    || rep->element[1]->type != REDIS_REPLY_ARRAY) {
	    store_set_error(s, "redis: SCAN: unexpected reply");
	    freeReplyObject(rep);
	    rc = -1;
	    break;
	}
	snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
	rc = redis_scan_keys(s, rep->element[1], &stop, fn, ctx);
	freeReplyObject(rep);
    } while (rc == 0 && !stop && strcmp(cursor, "0") != 0);
    buf_free(&pat);
    return rc;
}

/* redis_expire - Redis expires keys itself */
static int redis_expire(struct store *s)
{
    (void) s;
    return 0;
}

/* redis_reply_copy - flatten a hiredis reply into a struct store_reply */
static void redis_reply_copy(const redisReply *rep, struct store_reply *r)
{
    switch (rep->type) {
    case REDIS_REPLY_INTEGER:
	r->type = STORE_REPLY_INT;
	r->integer = rep->integer;
	break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
	r->type = STORE_REPLY_STR;
	buf_append(&r->str, rep->str, rep->len);
	break;
    case REDIS_REPLY_ARRAY:
	r->type = STORE_REPLY_ARRAY;
	r->nelem = rep->elements;
	r->elem = xcalloc(rep->elements ? rep->elements : 1, sizeof(*r->elem));
	for (size_t i = 0; i < rep->elements; i++) {
	    const redisReply *e = rep->element[i];
	    if (e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS)
		buf_append(&r->elem[i], e->str, e->len);
	    else if (e->type == REDIS_REPLY_INTEGER)
		buf_printf(&r->elem[i], "%lld", e->integer);
	    else
		buf_puts(&r->elem[i], "");
	}
	break;
    default:
	r->type = STORE_REPLY_NIL;
	break;
    }
}

/* redis_command - one raw command for redis: lists */
static int redis_command(struct store *s, int argc, const char *const *argv,
			 const size_t *argvlen, struct store_reply *reply_r)
{
    redisReply *rep = redis_run(s, argc, (const char **) argv, argvlen);

    if (rep == NULL)
	return -1;
    redis_reply_copy(rep, reply_r);
    freeReplyObject(rep);
    return 0;
}

/* redis_free - release the back end and its pooled connections */
static void redis_free(struct redis_be *r)
{
    struct redis_conn *rc, *next;

    for (rc = r->idle; rc; rc = next) {
	next = rc->next;
	redisFree(rc->c);
	free(rc);
    }
    if (r->password) {
	explicit_bzero(r->password, strlen(r->password));
	free(r->password);
    }
    free(r->host);
    free(r->unix_path);
    free(r->where);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* redis_close - the store's close operation */
static void redis_close(struct store *s)
{
    redis_free(s->impl);
}

static const struct store_ops redis_ops = {
    "redis", redis_close, redis_get, redis_put, redis_del, redis_append, redis_scan,
    redis_expire, redis_command,
};

/* store_redis_open - parse the spec; connections are made on first use */
int store_redis_open(struct store **s_r, const char *spec, const char **why_r)
{
    struct redis_be *r = xcalloc(1, sizeof(*r));

    pthread_mutex_init(&r->lock, NULL);
    if (redis_parse(r, spec, why_r) < 0) {
	redis_free(r);
	return -1;
    }
    *s_r = store_alloc(&redis_ops, r);
    return 0;
}
