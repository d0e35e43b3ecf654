/*
 * NAME
 *	store - key/value state behind one small interface (LMDB or Redis)
 * SYNOPSIS
 *	#include "store/store.h"
 *
 *	struct store *store_open(const char *spec, const char **why_r);
 *	void store_close(struct store **sp);
 *	int store_get(struct store *s, const char *key, struct buf *value_r);
 *	int store_put(struct store *s, const char *key, const void *val, size_t len,
 *		      long ttl_s);
 *	int store_delete(struct store *s, const char *key);
 *	int store_append(struct store *s, const char *key, const void *val, size_t len);
 *	int store_scan(struct store *s, const char *prefix,
 *		       int (*fn)(void *ctx, const char *key, const void *val, size_t len),
 *		       void *ctx);
 *	int store_expire(struct store *s);
 *	const char *store_error(struct store *s);
 * DESCRIPTION
 *	spec is "lmdb:/path/state.mdb" (a directory-less LMDB file, created on
 *	first use) or "redis:host:port/db", "redis:unix:/path/sock/db", with an
 *	optional password as "redis:host:port/db?password=..." (never logged).
 *	A struct store is shared by threads: LMDB uses one environment with
 *	read/write transactions per call; Redis keeps one connection per thread
 *	(reconnect with backoff, connect/command timeouts).
 *	ttl_s > 0 makes the value expire (Redis EXPIRE; LMDB stores the
 *	deadline with the value and store_get treats expired values as absent;
 *	store_expire() deletes them). append adds to the end of a value
 *	(Redis APPEND), used for DMARC history lines.
 * DIAGNOSTICS
 *	store_get: 1 found, 0 not found, -1 temporary failure.
 *	others: 0 ok, -1 failure; store_error() says why (per thread).
 *	store_scan: fn returns non-zero to stop; result 0, or -1.
 */
#ifndef MXG_STORE_STORE_H
#define MXG_STORE_STORE_H
#include <stddef.h>
#include "util/buf.h"

struct store;

struct store *store_open(const char *spec, const char **why_r);
void store_close(struct store **sp);
int store_get(struct store *s, const char *key, struct buf *value_r);
int store_put(struct store *s, const char *key, const void *val, size_t len, long ttl_s);
int store_delete(struct store *s, const char *key);
int store_append(struct store *s, const char *key, const void *val, size_t len);
int store_scan(struct store *s, const char *prefix,
	       int (*fn)(void *ctx, const char *key, const void *val, size_t len), void *ctx);
int store_expire(struct store *s);
const char *store_error(struct store *s);

#endif
