/*
 * NAME
 *	conn_cache - idle next-hop connections kept for the next transaction
 * SYNOPSIS
 *	#include "outbound/conn_cache.h"
 *
 *	struct ob_cache *ob_cache_new(size_t max, int idle_ms);
 *	void ob_cache_free(struct ob_cache **cp);
 *	int ob_cache_put(struct ob_cache *c, struct ob_out *o);
 *	struct ob_out *ob_cache_take(struct ob_cache *c, const char *key, int rtls);
 * DESCRIPTION
 *	After a transaction that ended with 250 at the final dot, the
 *	conversation (TCP, TLS with its verified DANE or CA status, EHLO
 *	extensions) can carry the next transaction for the same destination
 *	(domain, or the relay host) without a new connection, greeting,
 *	EHLO, STARTTLS and DNS lookups, as Postfix's connection cache does.
 *	Connections idle longer than idle_ms are closed with QUIT when the
 *	cache is next used; at most max are kept. A connection is only
 *	handed out for mail of the REQUIRETLS mode (requiretls.h) it was
 *	opened for, rtls; TLS-Required: No connections are never kept.
 *	ob_cache_take() removes an entry (so one thread owns it) and skips
 *	connections the server has closed or written to meanwhile (poll). Cached conversations hold no
 *	reference to the settings that own the cache.
 *
 *	Thread safe (one mutex).
 * DIAGNOSTICS
 *	ob_cache_put: 1 kept, 0 not (cache disabled or full: the caller
 *	closes it). ob_cache_take: a conversation ready for MAIL FROM, or
 *	NULL.
 */
#ifndef MXG_OUTBOUND_CONN_CACHE_H
#define MXG_OUTBOUND_CONN_CACHE_H

#include <stddef.h>

struct ob_out;
struct ob_cache;

struct ob_cache *ob_cache_new(size_t max, int idle_ms);
void ob_cache_free(struct ob_cache **cp);
int ob_cache_put(struct ob_cache *c, struct ob_out *o);
struct ob_out *ob_cache_take(struct ob_cache *c, const char *key, int rtls);

#endif
