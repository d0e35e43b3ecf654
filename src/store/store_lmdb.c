/*
 * NAME
 *	store_lmdb.c - the embedded LMDB back end of the store interface
 * SYNOPSIS
 *	int store_lmdb_open(struct store **s_r, const char *path,
 *			    size_t map_size_mb, const char **why_r);
 * DESCRIPTION
 *	One directory-less LMDB file (MDB_NOSUBDIR), created on first use.
 *	LMDB must not be opened twice in one process (its locks are per
 *	process), so environments live in a registry keyed by device and
 *	inode, reference counted; the registry is the only shared mutable
 *	state and its mutex guards it. MDB_NOTLS lets any thread run a read
 *	transaction regardless of other threads; LMDB serializes writers.
 *
 *	Every value starts with an 8-byte big-endian deadline (seconds since
 *	the epoch, 0 = never), followed by the caller's bytes.
 * DIAGNOSTICS
 *	As store.h; errors carry mdb_strerror() text and the key.
 * STANDARDS
 *	None.
 */
#include "config.h"
#include "store/store_int.h"

#include <errno.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/msg.h"
#include "util/xmalloc.h"

#define LMDB_HDR 8
#define LMDB_MAX_READERS 1024

struct lmdb_env {
    dev_t dev;
    ino_t ino;
    MDB_env *env;
    MDB_dbi dbi;
    int refs;
    struct lmdb_env *next;
};

/* The process-wide registry of open environments (a guarded cache). */
static pthread_mutex_t lmdb_registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lmdb_env *lmdb_registry;

/* lmdb_hdr_get - the deadline stored in a value's header */
static uint64_t lmdb_hdr_get(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < LMDB_HDR; i++)
	v = (v << 8) | p[i];
    return v;
}

/* lmdb_hdr_put - write a deadline into a value's header */
static void lmdb_hdr_put(unsigned char *p, uint64_t v)
{
    for (int i = LMDB_HDR - 1; i >= 0; i--, v >>= 8)
	p[i] = (unsigned char) (v & 0xff);
}

/* lmdb_live - 1 when a stored value is well formed and not expired */
static int lmdb_live(struct store *s, const MDB_val *v)
{
    if (v->mv_size < LMDB_HDR)
	return 0;
    uint64_t deadline = lmdb_hdr_get(v->mv_data);
    return deadline == 0 || (uint64_t) store_now(s) < deadline;
}

/* lmdb_env_create - open a new environment and its main database */
static struct lmdb_env *lmdb_env_create(const char *path, size_t map_size_mb, const char **why_r)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    struct stat st;
    int rc;

    if ((rc = mdb_env_create(&env)) != 0) {
	*why_r = mdb_strerror(rc);
	return NULL;
    }
    if ((rc = mdb_env_set_mapsize(env, map_size_mb * 1024 * 1024)) != 0
	|| (rc = mdb_env_set_maxreaders(env, LMDB_MAX_READERS)) != 0
	|| (rc = mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOTLS, 0640)) != 0
	|| (rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0) {
	*why_r = mdb_strerror(rc);
	mdb_env_close(env);
	return NULL;
    }
    /* Free reader slots left by processes that died (MDB_READERS_FULL). */
    mdb_reader_check(env, NULL);
    if ((rc = mdb_dbi_open(txn, NULL, 0, &dbi)) != 0 || (rc = mdb_txn_commit(txn)) != 0) {
	if (rc != 0)
	    *why_r = mdb_strerror(rc);
	mdb_env_close(env);
	return NULL;
    }
    if (stat(path, &st) < 0) {
	*why_r = "cannot stat the LMDB file after opening it";
	mdb_env_close(env);
	return NULL;
    }
    struct lmdb_env *e = xcalloc(1, sizeof(*e));
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->env = env;
    e->dbi = dbi;
    e->refs = 1;
    return e;
}

/* lmdb_env_get - the process's environment for path, opened if needed */
static struct lmdb_env *lmdb_env_get(const char *path, size_t map_size_mb, const char **why_r)
{
    struct lmdb_env *e;
    struct stat st;

    pthread_mutex_lock(&lmdb_registry_lock);
    if (stat(path, &st) == 0) {
	for (e = lmdb_registry; e; e = e->next) {
	    if (e->dev == st.st_dev && e->ino == st.st_ino) {
		e->refs++;
		pthread_mutex_unlock(&lmdb_registry_lock);
		return e;
	    }
	}
    }
    if ((e = lmdb_env_create(path, map_size_mb, why_r)) != NULL) {
	e->next = lmdb_registry;
	lmdb_registry = e;
    }
    pthread_mutex_unlock(&lmdb_registry_lock);
    return e;
}

/* lmdb_env_release - drop a reference; the last one closes the file */
static void lmdb_env_release(struct lmdb_env *e)
{
    pthread_mutex_lock(&lmdb_registry_lock);
    if (--e->refs == 0) {
	for (struct lmdb_env **pp = &lmdb_registry; *pp; pp = &(*pp)->next) {
	    if (*pp == e) {
		*pp = e->next;
		break;
	    }
	}
	mdb_env_close(e->env);
	free(e);
    }
    pthread_mutex_unlock(&lmdb_registry_lock);
}

/* lmdb_fail - record an LMDB error for this thread; always -1 */
static int lmdb_fail(struct store *s, const char *what, const char *key, int rc)
{
    if (rc == MDB_MAP_FULL)
	store_set_error(s, "lmdb: %s %s: map full (raise map_size_mb)", what, key);
    else
	store_set_error(s, "lmdb: %s %s: %s", what, key, mdb_strerror(rc));
    return -1;
}

/* lmdb_key - an MDB_val for a C string key (no trailing NUL stored) */
static MDB_val lmdb_key(const char *key)
{
    MDB_val k = { strlen(key), (void *) key };
    return k;
}

/* lmdb_get - 1 found (live), 0 absent or expired, -1 error */
static int lmdb_get(struct store *s, const char *key, struct buf *value_r)
{
    struct lmdb_env *e = s->impl;
    MDB_txn *txn;
    MDB_val k = lmdb_key(key), v;
    int rc, found;

    if ((rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn)) != 0)
	return lmdb_fail(s, "get", key, rc);
    rc = mdb_get(txn, e->dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
	found = 0;
    } else if (rc != 0) {
	mdb_txn_abort(txn);
	return lmdb_fail(s, "get", key, rc);
    } else if (v.mv_size < LMDB_HDR) {
	mdb_txn_abort(txn);
	store_set_error(s, "lmdb: get %s: value without expiry header (not written by mxguard?)", key);
	return -1;
    } else if ((found = lmdb_live(s, &v)) != 0) {
	buf_append(value_r, (char *) v.mv_data + LMDB_HDR, v.mv_size - LMDB_HDR);
    }
    mdb_txn_abort(txn);
    return found;
}

/* lmdb_write - put header + data (+ extra) under key inside txn */
static int lmdb_write(MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t deadline,
		      const void *d1, size_t l1, const void *d2, size_t l2)
{
    MDB_val k = lmdb_key(key), v;
    int rc;

    v.mv_size = LMDB_HDR + l1 + l2;
    v.mv_data = NULL;
    if ((rc = mdb_put(txn, dbi, &k, &v, MDB_RESERVE)) != 0)
	return rc;
    lmdb_hdr_put(v.mv_data, deadline);
    if (l1)
	memcpy((char *) v.mv_data + LMDB_HDR, d1, l1);
    if (l2)
	memcpy((char *) v.mv_data + LMDB_HDR + l1, d2, l2);
    return 0;
}

/* lmdb_put - store a value with an optional time to live */
static int lmdb_put(struct store *s, const char *key, const void *val, size_t len, long ttl_s)
{
    struct lmdb_env *e = s->impl;
    MDB_txn *txn;
    int rc;
    uint64_t deadline = ttl_s > 0 ? (uint64_t) store_now(s) + (uint64_t) ttl_s : 0;

    if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)) != 0)
	return lmdb_fail(s, "put", key, rc);
    if ((rc = lmdb_write(txn, e->dbi, key, deadline, val, len, NULL, 0)) != 0) {
	mdb_txn_abort(txn);
	return lmdb_fail(s, "put", key, rc);
    }
    if ((rc = mdb_txn_commit(txn)) != 0)
	return lmdb_fail(s, "put", key, rc);
    return 0;
}

/* lmdb_del - remove a key (absent is fine) */
static int lmdb_del(struct store *s, const char *key)
{
    struct lmdb_env *e = s->impl;
    MDB_txn *txn;
    MDB_val k = lmdb_key(key);
    int rc;

    if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)) != 0)
	return lmdb_fail(s, "delete", key, rc);
    rc = mdb_del(txn, e->dbi, &k, NULL);
    if (rc != 0 && rc != MDB_NOTFOUND) {
	mdb_txn_abort(txn);
	return lmdb_fail(s, "delete", key, rc);
    }
    if ((rc = mdb_txn_commit(txn)) != 0)
	return lmdb_fail(s, "delete", key, rc);
    return 0;
}

/* lmdb_append - read-modify-write in one write transaction */
static int lmdb_append(struct store *s, const char *key, const void *val, size_t len)
{
    struct lmdb_env *e = s->impl;
    MDB_txn *txn;
    MDB_val k = lmdb_key(key), v;
    struct buf old = BUF_INIT;
    uint64_t deadline = 0;
    int rc;

    if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)) != 0)
	return lmdb_fail(s, "append", key, rc);
    rc = mdb_get(txn, e->dbi, &k, &v);
    if (rc != 0 && rc != MDB_NOTFOUND) {
	mdb_txn_abort(txn);
	return lmdb_fail(s, "append", key, rc);
    }
    if (rc == 0 && lmdb_live(s, &v)) {
	deadline = lmdb_hdr_get(v.mv_data);
	/* Copy: MDB_RESERVE below may move the page under v. */
	buf_append(&old, (char *) v.mv_data + LMDB_HDR, v.mv_size - LMDB_HDR);
    }
    rc = lmdb_write(txn, e->dbi, key, deadline, old.data, old.len, val, len);
    buf_free(&old);
    if (rc != 0) {
	mdb_txn_abort(txn);
	return lmdb_fail(s, "append", key, rc);
    }
    if ((rc = mdb_txn_commit(txn)) != 0)
	return lmdb_fail(s, "append", key, rc);
    return 0;
}

/* lmdb_scan - walk keys from prefix on (MDB_SET_RANGE) while they match */
static int lmdb_scan(struct store *s, const char *prefix,
		     int (*fn)(void *ctx, const char *key, const void *val, size_t len), void *ctx)
{
    struct lmdb_env *e = s->impl;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k = lmdb_key(prefix), v;
    struct buf kb = BUF_INIT;
    size_t plen = strlen(prefix);
    int rc, op = plen ? MDB_SET_RANGE : MDB_FIRST;

    if ((rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn)) != 0)
	return lmdb_fail(s, "scan", prefix, rc);
    if ((rc = mdb_cursor_open(txn, e->dbi, &cur)) != 0) {
	mdb_txn_abort(txn);
	return lmdb_fail(s, "scan", prefix, rc);
    }
    while ((rc = mdb_cursor_get(cur, &k, &v, (MDB_cursor_op) op)) == 0) {
	op = MDB_NEXT;
	if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
	    break;
	if (!lmdb_live(s, &v))
	    continue;
	buf_reset(&kb);
	buf_append(&kb, k.mv_data, k.mv_size);
	if (fn(ctx, kb.data, (char *) v.mv_data + LMDB_HDR, v.mv_size - LMDB_HDR) != 0)
	    break;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    buf_free(&kb);
    if (rc != 0 && rc != MDB_NOTFOUND)
	return lmdb_fail(s, "scan", prefix, rc);
    return 0;
}

/* lmdb_expire - delete every expired value; returns how many */
static int lmdb_expire(struct store *s)
{
    struct lmdb_env *e = s->impl;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, v;
    int rc, n = 0, op = MDB_FIRST;

    if ((rc = mdb_txn_begin(e->env, NULL, 0, &txn)) != 0)
	return lmdb_fail(s, "expire", "*", rc);
    if ((rc = mdb_cursor_open(txn, e->dbi, &cur)) != 0) {
	mdb_txn_abort(txn);
	return lmdb_fail(s, "expire", "*", rc);
    }
    while ((rc = mdb_cursor_get(cur, &k, &v, (MDB_cursor_op) op)) == 0) {
	op = MDB_NEXT;
	if (v.mv_size >= LMDB_HDR && !lmdb_live(s, &v)) {
	    if ((rc = mdb_cursor_del(cur, 0)) != 0)
		break;
	    n++;
	}
    }
    mdb_cursor_close(cur);
    if (rc != MDB_NOTFOUND) {
	mdb_txn_abort(txn);
	return lmdb_fail(s, "expire", "*", rc);
    }
    if ((rc = mdb_txn_commit(txn)) != 0)
	return lmdb_fail(s, "expire", "*", rc);
    return n;
}

/* lmdb_close - release this store's reference on the environment */
static void lmdb_close(struct store *s)
{
    lmdb_env_release(s->impl);
}

static const struct store_ops lmdb_ops = {
    "lmdb", lmdb_close, lmdb_get, lmdb_put, lmdb_del, lmdb_append, lmdb_scan, lmdb_expire, NULL,
};

/* store_lmdb_open - open (or share) the environment of path */
int store_lmdb_open(struct store **s_r, const char *path, size_t map_size_mb, const char **why_r)
{
    struct lmdb_env *e;

    if (*path != '/') {
	*why_r = "lmdb: path must be absolute";
	return -1;
    }
    if ((e = lmdb_env_get(path, map_size_mb, why_r)) == NULL)
	return -1;
    *s_r = store_alloc(&lmdb_ops, e);
    return 0;
}
