/*
 * t/unit/store_lmdb.c - store (LMDB back end): round trip, overwrite, delete,
 * append, prefix scan, expiry with an injected clock, shared environments,
 * spec errors, and 8 threads x 1000 operations on one store.
 */
#include "config.h"
#include "store/store.h"
#include "util/xmalloc.h"
#include "t/tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/mxguard-store-XXXXXX";

static time_t fake_clock(void *ctx)
{
    return *(time_t *) ctx;
}

/* get - the value as a string, "(absent)" or "(temporary)" */
static const char *get(struct store *s, const char *key, struct buf *b)
{
    int rc = store_get(s, key, b);
    return rc > 0 ? buf_str(b) : rc == 0 ? "(absent)" : "(temporary)";
}

struct scan_ctx {
    struct buf keys;
    int stop_after;
    int seen;
};

static int collect(void *ctx, const char *key, const void *val, size_t len)
{
    struct scan_ctx *c = ctx;
    buf_printf(&c->keys, "%s=%.*s;", key, (int) len, (const char *) val);
    return ++c->seen == c->stop_after;
}

static void test_basics(struct store *s)
{
    struct buf b = BUF_INIT;

    is_str(get(s, "nokey", &b), "(absent)", "get of a missing key is not found (0)");
    is_int(store_put(s, "k1", "v1", 2, 0), 0, "put succeeds");
    is_str(get(s, "k1", &b), "v1", "get returns what put stored");
    is_int(store_put(s, "k1", "second", 6, 0), 0, "overwrite succeeds");
    is_str(get(s, "k1", &b), "second", "overwrite replaces the value");
    is_int(store_put(s, "bin", "a\0b", 3, 0), 0, "put of binary value");
    ok(store_get(s, "bin", &b) == 1 && b.len == 3 && memcmp(b.data, "a\0b", 3) == 0,
       "binary values keep their NUL bytes and length");
    is_int(store_put(s, "empty", "", 0, 0), 0, "put of an empty value");
    is_int(store_get(s, "empty", &b), 1, "an empty value is found (not absent)");
    is_int(b.len, 0, "an empty value has length 0");
    is_int(store_delete(s, "k1"), 0, "delete succeeds");
    is_str(get(s, "k1", &b), "(absent)", "deleted key is not found");
    is_int(store_delete(s, "k1"), 0, "deleting an absent key is not an error");
    is_int(store_append(s, "hist", "line1\n", 6), 0, "append creates a key");
    is_int(store_append(s, "hist", "line2\n", 6), 0, "append to an existing key");
    is_str(get(s, "hist", &b), "line1\nline2\n", "append adds at the end");
    is_int(store_put(s, "", "x", 1, 0), -1, "an empty key is refused");
    ok(strstr(store_error(s), "empty key") != NULL, "store_error says why: %s", store_error(s));
    is_int(store_put(s, "neg", "x", 1, -5), -1, "a negative ttl is refused");
    buf_free(&b);
}

static void test_scan(struct store *s)
{
    struct scan_ctx c = { BUF_INIT, 0, 0 };

    store_put(s, "dmarc:a.example", "1", 1, 0);
    store_put(s, "dmarc:b.example", "2", 1, 0);
    store_put(s, "dmarc;after", "x", 1, 0);
    store_put(s, "dmarb:before", "x", 1, 0);
    is_int(store_scan(s, "dmarc:", collect, &c), 0, "scan succeeds");
    is_str(buf_str(&c.keys), "dmarc:a.example=1;dmarc:b.example=2;",
	   "scan visits exactly the keys with the prefix, in order");
    buf_reset(&c.keys);
    c.seen = 0;
    c.stop_after = 1;
    store_scan(s, "dmarc:", collect, &c);
    is_str(buf_str(&c.keys), "dmarc:a.example=1;", "scan stops when the callback says so");
    buf_reset(&c.keys);
    c.seen = 0;
    c.stop_after = 0;
    store_scan(s, "zzz", collect, &c);
    is_int(c.seen, 0, "scan of an unused prefix visits nothing");
    buf_free(&c.keys);
}

static void test_expiry(struct store *s)
{
    time_t now = 1000000;
    struct buf b = BUF_INIT;
    struct scan_ctx c = { BUF_INIT, 0, 0 };

    store_set_clock(s, fake_clock, &now);
    store_put(s, "ttl:short", "s", 1, 10);
    store_put(s, "ttl:forever", "f", 1, 0);
    now += 9;
    is_str(get(s, "ttl:short", &b), "s", "a value is found before its ttl runs out");
    store_append(s, "ttl:short", "+", 1);
    now += 1;
    is_str(get(s, "ttl:short", &b), "(absent)", "a value is absent once its ttl ran out "
	   "(append kept the deadline)");
    is_str(get(s, "ttl:forever", &b), "f", "a value without ttl never expires");
    store_scan(s, "ttl:", collect, &c);
    is_str(buf_str(&c.keys), "ttl:forever=f;", "scan skips expired values");
    store_put(s, "ttl:other", "o", 1, 5);
    is_int(store_expire(s), 1, "store_expire removes the one expired value");
    now += 5;
    is_int(store_expire(s), 1, "store_expire removes values as they expire");
    is_int(store_expire(s), 0, "store_expire finds nothing more");
    store_append(s, "ttl:short", "new", 3);
    is_str(get(s, "ttl:short", &b), "new", "append to an expired key starts afresh");
    store_set_clock(s, NULL, NULL);
    buf_free(&b);
    buf_free(&c.keys);
}

struct worker {
    struct store *s;
    int id;
    int failures;
};

#define NTHREADS 8
#define NOPS 1000

static void *work(void *arg)
{
    struct worker *w = arg;
    struct buf b = BUF_INIT;
    char key[64], val[64];

    for (int i = 0; i < NOPS; i++) {
	snprintf(key, sizeof(key), "t%d:%d", w->id, i);
	snprintf(val, sizeof(val), "value-%d-%d", w->id, i);
	if (store_put(w->s, key, val, strlen(val), 0) < 0)
	    w->failures++;
	/* Read another thread's key: found or not yet, never an error. */
	snprintf(key, sizeof(key), "t%d:%d", (w->id + 1) % NTHREADS, i);
	if (store_get(w->s, key, &b) < 0)
	    w->failures++;
	if (store_append(w->s, "shared-log", "x", 1) < 0)
	    w->failures++;
    }
    buf_free(&b);
    return NULL;
}

static void test_threads(struct store *s)
{
    pthread_t th[NTHREADS];
    struct worker w[NTHREADS];
    struct buf b = BUF_INIT;
    char key[64], val[64];
    int failures = 0, missing = 0;

    store_delete(s, "shared-log");
    for (int i = 0; i < NTHREADS; i++) {
	w[i] = (struct worker) { s, i, 0 };
	pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
	pthread_join(th[i], NULL);
	failures += w[i].failures;
    }
    is_int(failures, 0, "%d threads x %d put/get/append: no failures", NTHREADS, NOPS);
    for (int t = 0; t < NTHREADS; t++) {
	for (int i = 0; i < NOPS; i++) {
	    snprintf(key, sizeof(key), "t%d:%d", t, i);
	    snprintf(val, sizeof(val), "value-%d-%d", t, i);
	    if (store_get(s, key, &b) != 1 || strcmp(buf_str(&b), val) != 0)
		missing++;
	}
    }
    is_int(missing, 0, "every value written by every thread is found afterwards");
    store_get(s, "shared-log", &b);
    is_int((long long) b.len, NTHREADS * NOPS, "concurrent appends lose nothing (serialized writers)");
    buf_free(&b);
}

/* refused - 1 when store_open(spec) fails with a reason (shown) */
static int refused(const char *spec)
{
    const char *why = NULL;
    struct store *s = store_open(spec, &why);

    if (s != NULL) {
	store_close(&s);
	return 0;
    }
    diag("  %s: %s", spec, why ? why : "(no reason)");
    return why != NULL;
}

static void test_open_errors(void)
{
    char *spec;

    ok(refused("bogus:/x"), "unknown spec prefix is refused");
    ok(refused("lmdb:relative.mdb"), "relative LMDB path is refused");
    spec = xasprintf("lmdb:%s/m.mdb?map_size_mb=0", dir);
    ok(refused(spec), "map_size_mb=0 is refused");
    free(spec);
    spec = xasprintf("lmdb:%s/m.mdb?color=red", dir);
    ok(refused(spec), "unknown LMDB option is refused");
    free(spec);
    spec = xasprintf("lmdb:%s/no/such/dir/m.mdb", dir);
    ok(refused(spec), "LMDB file in a missing directory fails");
    free(spec);
}

int main(void)
{
    const char *why = NULL;
    struct buf b = BUF_INIT;
    struct stat st;

    if (mkdtemp(dir) == NULL)
	return 1;
    char *spec = xasprintf("lmdb:%s/state.mdb?map_size_mb=64", dir);
    char *path = xasprintf("%s/state.mdb", dir);
    struct store *s = store_open(spec, &why);
    ok(s != NULL, "store_open creates a new LMDB file (%s)", s ? "ok" : why);
    if (s == NULL)
	return done_testing();
    ok(stat(path, &st) == 0 && S_ISREG(st.st_mode), "the store is one file (MDB_NOSUBDIR)");
    is_str(store_kind(s), "lmdb", "store_kind is lmdb");
    test_basics(s);
    test_scan(s);
    test_expiry(s);

    struct store *s2 = store_open_lmdb(path, 0, &why);
    ok(s2 != NULL, "a second store_open of the same file succeeds (shared environment)");
    store_put(s2, "from-s2", "hello", 5, 0);
    is_str(get(s, "from-s2", &b), "hello", "a write through one handle is seen by the other");
    store_close(&s2);
    ok(s2 == NULL, "store_close sets the pointer to NULL");
    is_str(get(s, "from-s2", &b), "hello", "closing one handle leaves the other working");

    test_threads(s);
    ok(store_command(s, 1, (const char *const[]) { "PING" }, NULL, &(struct store_reply) {0}) < 0,
       "raw commands are refused by the LMDB back end");
    store_close(&s);

    s = store_open(spec, &why);
    is_str(get(s, "from-s2", &b), "hello", "values persist after close and reopen");
    store_close(&s);
    test_open_errors();

    buf_free(&b);
    free(spec);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
	diag("could not remove %s", dir);
    free(cmd);
    free(path);
    return done_testing();
}
