/*
 * NAME
 *	ehlo_cache.c - next hops' EHLO capabilities in the store
 * DESCRIPTION
 *	See ehlo_cache.h. Parsing adds to ob_ehlo_parse() (reply.c) the
 *	keywords only pipe-connect needs; values are kept as announced,
 *	cut to fit, with only [A-Za-z0-9=,_-] so an entry is one safe line.
 */
#include "config.h"

#include <pthread.h>
#include "outbound/ehlo_cache.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"

struct ob_ehlo_cache {
    struct store *store;	/* NULL until first use (ob_ehlo_cache_open) */
    long expire_s;
    char *spec;			/* store spec to open on first use; NULL when given */
    char *name;			/* for the log: store.redis or the LMDB path */
    int failed;			/* the store could not be opened: cache off */
    pthread_mutex_t lock;	/* guards store, failed */
};

/* ob_ehlo_cache_new - a cache over an open store (taken over) */
struct ob_ehlo_cache *ob_ehlo_cache_new(struct store *st, long expire_s)
{
    struct ob_ehlo_cache *ec = xcalloc(1, sizeof(*ec));

    ec->store = st;
    ec->expire_s = expire_s;
    pthread_mutex_init(&ec->lock, NULL);
    return ec;
}

/* cache_store - the store, opened on first use (after the daemon dropped privileges) */
static struct store *cache_store(struct ob_ehlo_cache *ec)
{
    struct store *st;
    const char *why = NULL;

    pthread_mutex_lock(&ec->lock);
    if (ec->store == NULL && ec->spec != NULL && !ec->failed) {
	if ((ec->store = store_open(ec->spec, &why)) == NULL) {
	    ec->failed = 1;
	    msg_warn("outbound: pipe_connect off: EHLO cache: %s: %s", ec->name, why);
	}
    }
    st = ec->store;
    pthread_mutex_unlock(&ec->lock);
    return st;
}

/* ob_store_spec - the store spec of a config (store.redis, else store.lmdb); *name_r for logs */
char *ob_store_spec(const struct conf *c, char **name_r)
{
    const char *redis = conf_str(c, "store.redis");

    if (*redis) {
	const char *pw = conf_str(c, "store.redis_password");
	long long ms = conf_int(c, "store.redis_timeout_ms");

	*name_r = xstrdup("store.redis");
	return xasprintf("redis:%s?connect_timeout_ms=%lld&timeout_ms=%lld%s%s", redis, ms, ms,
			 *pw ? "&password=" : "", pw);
    }
    *name_r = xstrdup(conf_str(c, "store.lmdb"));
    return xasprintf("lmdb:%s?map_size_mb=%lld", conf_str(c, "store.lmdb"),
		     conf_int(c, "store.lmdb_map_size_mb"));
}

/* ob_ehlo_cache_open - the cache the config asks for, or NULL (off); the store opens on first use */
struct ob_ehlo_cache *ob_ehlo_cache_open(struct conf *c, struct buf *why_r)
{
    long expire = (long) conf_int(c, "outbound.ehlo_cache_expire_s");
    struct ob_ehlo_cache *ec;

    if (!conf_bool(c, "outbound.pipe_connect") || expire <= 0) {
	buf_printf(why_r, "disabled by configuration");
	return NULL;
    }
    ec = ob_ehlo_cache_new(NULL, expire);
    ec->spec = ob_store_spec(c, &ec->name);
    return ec;
}

/* ob_ehlo_cache_free - close the store */
void ob_ehlo_cache_free(struct ob_ehlo_cache **cp)
{
    struct ob_ehlo_cache *ec = *cp;

    if (ec == NULL)
	return;
    store_close(&ec->store);
    if (ec->spec) {
	memset(ec->spec, 0, strlen(ec->spec));	/* may hold the Redis password */
	free(ec->spec);
    }
    free(ec->name);
    pthread_mutex_destroy(&ec->lock);
    free(ec);
    *cp = NULL;
}

/* caps_copy_value - keep a parameter list, separators turned into ',' */
static void caps_copy_value(char *dst, size_t size, const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len && n + 1 < size; i++) {
	unsigned char ch = (unsigned char) s[i];

	if (ch == ' ' || ch == '\t') {
	    if (n > 0 && dst[n - 1] != ',')
		dst[n++] = ',';
	} else if (isalnum(ch) || ch == '=' || ch == '-' || ch == '_') {
	    dst[n++] = (char) ch;
	}
    }
    while (n > 0 && dst[n - 1] == ',')
	n--;
    dst[n] = 0;
}

/* caps_keyword - the keywords reply.c does not know */
static void caps_keyword(struct ob_ehlo_caps *c, const char *s, size_t len)
{
    static const char *const pipe_words[] = { "PIPECONNECT", "X_PIPE_CONNECT", "PIPE_CONNECT" };
    size_t kw = 0;

    while (kw < len && (isalnum((unsigned char) s[kw]) || s[kw] == '-' || s[kw] == '_'))
	kw++;
    if (kw == 0 || (kw < len && s[kw] != ' '))
	return;
    for (size_t i = 0; i < sizeof(pipe_words) / sizeof(pipe_words[0]); i++)
	if (strlen(pipe_words[i]) == kw && strncasecmp(pipe_words[i], s, kw) == 0)
	    c->flags |= OB_EHLO_PIPECONNECT;
    if (kw == 4 && strncasecmp(s, "AUTH", 4) == 0) {
	c->flags |= OB_EHLO_AUTH;
	caps_copy_value(c->auth, sizeof(c->auth), s + kw, len - kw);
    } else if (kw == 6 && strncasecmp(s, "LIMITS", 6) == 0) {
	c->flags |= OB_EHLO_LIMITS;
	caps_copy_value(c->limits, sizeof(c->limits), s + kw, len - kw);
    }
}

/* caps_keyword_cb - caps_keyword as an ob_ehlo_each_keyword callback */
static void caps_keyword_cb(void *ctx, const char *s, size_t len)
{
    caps_keyword(ctx, s, len);
}

/* ob_ehlo_caps_parse - everything the cache keeps from a 250 EHLO reply */
void ob_ehlo_caps_parse(const struct ob_reply *r, struct ob_ehlo_caps *c)
{
    struct ob_ehlo e;

    memset(c, 0, sizeof(*c));
    if (ob_ehlo_parse(r, &e) < 0)
	return;
    c->flags = e.flags;
    c->size = e.size;
    ob_ehlo_each_keyword(r, caps_keyword_cb, c);
}

/* ob_ehlo_caps_encode - the one-line store form */
void ob_ehlo_caps_encode(const struct ob_ehlo_caps *c, struct buf *out)
{
    buf_printf(out, "v1 flags=%x size=%llu auth=%s limits=%s", c->flags, c->size, c->auth,
	       c->limits);
}

/* caps_field - copy "name=" value up to the next space; -1 when absent */
static int caps_field(const char *s, size_t len, const char *name, char *dst, size_t size)
{
    size_t nl = strlen(name), i = 0;

    while (i < len) {
	size_t j = i;

	while (j < len && s[j] != ' ')
	    j++;
	if (j - i > nl && memcmp(s + i, name, nl) == 0 && s[i + nl] == '=') {
	    size_t vl = j - i - nl - 1;

	    if (vl >= size)
		return -1;
	    memcpy(dst, s + i + nl + 1, vl);
	    dst[vl] = 0;
	    return 0;
	}
	if (j - i == nl + 1 && memcmp(s + i, name, nl) == 0 && s[i + nl] == '=') {
	    dst[0] = 0;
	    return 0;
	}
	i = j + 1;
    }
    return -1;
}

/* ob_ehlo_caps_decode - parse the store form; -1 malformed */
int ob_ehlo_caps_decode(const char *s, size_t len, struct ob_ehlo_caps *c)
{
    char num[32], *end;
    unsigned long v;

    memset(c, 0, sizeof(*c));
    if (len < 3 || memcmp(s, "v1 ", 3) != 0)
	return -1;
    if (caps_field(s, len, "flags", num, sizeof(num)) < 0 || num[0] == 0)
	return -1;
    v = strtoul(num, &end, 16);
    if (*end != 0 || v > 0xffffffffUL)
	return -1;
    c->flags = (unsigned) v;
    if (caps_field(s, len, "size", num, sizeof(num)) < 0 || num[0] < '0' || num[0] > '9')
	return -1;
    c->size = strtoull(num, &end, 10);
    if (*end != 0)
	return -1;
    if (caps_field(s, len, "auth", c->auth, sizeof(c->auth)) < 0
	|| caps_field(s, len, "limits", c->limits, sizeof(c->limits)) < 0)
	return -1;
    return 0;
}

/* ob_ehlo_caps_equal - the same capabilities? */
int ob_ehlo_caps_equal(const struct ob_ehlo_caps *a, const struct ob_ehlo_caps *b)
{
    return a->flags == b->flags && a->size == b->size && strcmp(a->auth, b->auth) == 0
	&& strcmp(a->limits, b->limits) == 0;
}

/* cache_key - "ehlo:clear:ADDR:PORT" */
static char *cache_key(const char *addr, int port, int tls)
{
    return xasprintf("ehlo:%s:%s:%d", tls ? "tls" : "clear", addr, port);
}

/* ob_ehlo_cache_get - the entry for (addr, port, tls) */
int ob_ehlo_cache_get(struct ob_ehlo_cache *ec, const char *addr, int port, int tls,
		      struct ob_ehlo_caps *c_r)
{
    struct buf val = BUF_INIT;
    struct store *st = cache_store(ec);
    char *key;
    int r;

    if (st == NULL)
	return -1;
    key = cache_key(addr, port, tls);
    if ((r = store_get(st, key, &val)) < 0)
	msg_warn("outbound: EHLO cache: get %s: %s", key, store_error(st));
    if (r == 1 && ob_ehlo_caps_decode(val.data, val.len, c_r) < 0) {
	msg_warn("outbound: EHLO cache: malformed entry %s deleted", key);
	(void) store_delete(st, key);
	r = 0;
    }
    buf_free(&val);
    free(key);
    return r;
}

/* ob_ehlo_cache_put - remember what (addr, port, tls) announced */
int ob_ehlo_cache_put(struct ob_ehlo_cache *ec, const char *addr, int port, int tls,
		      const struct ob_ehlo_caps *c)
{
    struct buf val = BUF_INIT;
    struct store *st = cache_store(ec);
    char *key;
    int r;

    if (st == NULL)
	return -1;
    key = cache_key(addr, port, tls);
    ob_ehlo_caps_encode(c, &val);
    if ((r = store_put(st, key, val.data, val.len, ec->expire_s)) < 0)
	msg_warn("outbound: EHLO cache: put %s: %s", key, store_error(st));
    buf_free(&val);
    free(key);
    return r;
}

/* ob_ehlo_cache_delete - forget (addr, port, tls) */
int ob_ehlo_cache_delete(struct ob_ehlo_cache *ec, const char *addr, int port, int tls)
{
    struct store *st = cache_store(ec);
    char *key;
    int r;

    if (st == NULL)
	return -1;
    key = cache_key(addr, port, tls);
    if ((r = store_delete(st, key)) < 0)
	msg_warn("outbound: EHLO cache: delete %s: %s", key, store_error(st));
    free(key);
    return r;
}
