/*
 * NAME
 *	store_int - what store.c shares with its back ends (not public)
 * DESCRIPTION
 *	Each back end fills a struct store_ops and keeps its own state in
 *	s->impl. Errors are reported with store_set_error(), which keeps
 *	one message per thread per store. Never pass a password to it.
 */
#ifndef MXG_STORE_STORE_INT_H
#define MXG_STORE_STORE_INT_H
#include <pthread.h>
#include "store/store.h"

struct store_ops {
    const char *kind;
    void (*close)(struct store *s);
    int (*get)(struct store *s, const char *key, struct buf *value_r);
    int (*put)(struct store *s, const char *key, const void *val, size_t len, long ttl_s);
    int (*del)(struct store *s, const char *key);
    int (*append)(struct store *s, const char *key, const void *val, size_t len);
    int (*scan)(struct store *s, const char *prefix,
		int (*fn)(void *ctx, const char *key, const void *val, size_t len), void *ctx);
    int (*expire)(struct store *s);
    int (*command)(struct store *s, int argc, const char *const *argv, const size_t *argvlen,
		   struct store_reply *reply_r);
};

struct store {
    const struct store_ops *ops;
    void *impl;
    pthread_key_t err_key;	/* per-thread struct buf with the last error */
    time_t (*now)(void *ctx);
    void *now_ctx;
};

struct store *store_alloc(const struct store_ops *ops, void *impl);
void store_set_error(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
time_t store_now(struct store *s);

int store_lmdb_open(struct store **s_r, const char *path, size_t map_size_mb, const char **why_r);
int store_redis_open(struct store **s_r, const char *spec, const char **why_r);

#endif
