/*
 * NAME
 *	store - key/value state behind one small interface (LMDB or Redis)
 * SYNOPSIS
 *	#include "store/store.h"
 *
 *	struct store *store_open(const char *spec, const char **why_r);
 *	struct store *store_open_lmdb(const char *path, size_t map_size_mb,
 *				      const char **why_r);
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
 *	unsigned long long store_error_count(void);
 *	const char *store_kind(const struct store *s);
 *	void store_set_clock(struct store *s, time_t (*now)(void *ctx), void *ctx);
 *
 *	int store_command(struct store *s, int argc, const char *const *argv,
 *			  const size_t *argvlen, struct store_reply *reply_r);
 *	void store_reply_clear(struct store_reply *r);
 * DESCRIPTION
 *	spec is one of
 *	  "lmdb:/path/state.mdb[?map_size_mb=N]"
 *		a directory-less LMDB file (MDB_NOSUBDIR, lock file
 *		"/path/state.mdb-lock"), created on first use; map size
 *		default 256 MB. One MDB_env per file per process, shared by
 *		every store_open() of that file (LMDB forbids two).
 *	  "redis:host:port[/db][?opts]", "redis:[v6addr]:port[/db][?opts]",
 *	  "redis:unix:/path/sock[/db][?opts]"
 *		opts, separated by '&': password=SECRET (sent with AUTH,
 *		never logged nor put in store_error()), connect_timeout_ms=N
 *		(default 1000), timeout_ms=N (command timeout, default 2000).
 *		The password is the last option when it contains '&'.
 *	A struct store is shared by threads. LMDB: MDB_NOTLS, one read or
 *	write transaction per call (LMDB serializes writers). Redis: a small
 *	pool of connections, one used by one thread at a time; after a
 *	failed connect the back end waits (backoff 100 ms doubling to 5 s)
 *	before trying again and fails fast meanwhile; a pooled connection
 *	that the server closed is replaced once, transparently.
 *
 *	ttl_s > 0 makes the value expire (Redis SET EX; LMDB stores the
 *	deadline in an 8-byte header before the value, store_get and
 *	store_scan treat expired values as absent and store_expire()
 *	deletes them). append adds to the end of a value (Redis APPEND) and
 *	keeps its deadline; used for DMARC history lines. The clock is
 *	time(NULL) unless store_set_clock() installs another (tests).
 *
 *	store_command() sends one raw Redis command (binary safe: each
 *	argv element is one argument, spaces and CRLF included). It is what
 *	redis: lists use. The LMDB back end does not support it.
 * DIAGNOSTICS
 *	store_open: NULL with *why_r set to a static reason.
 *	store_get: 1 found, 0 not found, -1 temporary failure (a dead Redis is
 *	never "not found").
 *	store_expire: number of values removed (LMDB), 0 (Redis), or -1.
 *	store_command: 0 reply in *reply_r (NIL included), -1 failure (also
 *	for a Redis error reply).
 *	others: 0 ok, -1 failure; store_error() says why (per thread, valid
 *	until the next call on that store in the same thread).
 *	store_scan: fn returns non-zero to stop; result 0, or -1.
 *	store_error_count: how many failures (store_error reasons) every
 *	store of the process had so far; an atomic counter for metrics.
 */
#ifndef MXG_STORE_STORE_H
#define MXG_STORE_STORE_H
#include <stddef.h>
#include <time.h>
#include "util/buf.h"

struct store;

enum store_reply_type { STORE_REPLY_NIL, STORE_REPLY_INT, STORE_REPLY_STR, STORE_REPLY_ARRAY };

struct store_reply {
    enum store_reply_type type;
    long long integer;		/* STORE_REPLY_INT */
    struct buf str;		/* STORE_REPLY_STR (also status replies) */
    size_t nelem;		/* STORE_REPLY_ARRAY: elements as strings */
    struct buf *elem;		/* (integers formatted, nil/nested are "") */
};

struct store *store_open(const char *spec, const char **why_r);
struct store *store_open_lmdb(const char *path, size_t map_size_mb, const char **why_r);
void store_close(struct store **sp);
int store_get(struct store *s, const char *key, struct buf *value_r);
int store_put(struct store *s, const char *key, const void *val, size_t len, long ttl_s);
int store_delete(struct store *s, const char *key);
int store_append(struct store *s, const char *key, const void *val, size_t len);
int store_scan(struct store *s, const char *prefix,
	       int (*fn)(void *ctx, const char *key, const void *val, size_t len), void *ctx);
int store_expire(struct store *s);
const char *store_error(struct store *s);
unsigned long long store_error_count(void);
const char *store_kind(const struct store *s);
void store_set_clock(struct store *s, time_t (*now)(void *ctx), void *ctx);
int store_command(struct store *s, int argc, const char *const *argv, const size_t *argvlen,
		  struct store_reply *reply_r);
void store_reply_clear(struct store_reply *r);

#endif
