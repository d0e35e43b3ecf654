/*
 * NAME
 *	ehlo_cache - next hops' EHLO capabilities remembered in the store
 * SYNOPSIS
 *	#include "outbound/ehlo_cache.h"
 *
 *	struct ob_ehlo_cache *ob_ehlo_cache_open(struct conf *c, struct buf *why_r);
 *	char *ob_store_spec(const struct conf *c, char **name_r);
 *	struct ob_ehlo_cache *ob_ehlo_cache_new(struct store *st, long expire_s);
 *	void ob_ehlo_cache_free(struct ob_ehlo_cache **cp);
 *	void ob_ehlo_caps_parse(const struct ob_reply *r, struct ob_ehlo_caps *c);
 *	void ob_ehlo_caps_encode(const struct ob_ehlo_caps *c, struct buf *out);
 *	int ob_ehlo_caps_decode(const char *s, size_t len, struct ob_ehlo_caps *c);
 *	int ob_ehlo_caps_equal(const struct ob_ehlo_caps *a,
 *			       const struct ob_ehlo_caps *b);
 *	int ob_ehlo_cache_get(struct ob_ehlo_cache *ec, const char *addr, int port,
 *			      int tls, struct ob_ehlo_caps *c_r);
 *	int ob_ehlo_cache_put(struct ob_ehlo_cache *ec, const char *addr, int port,
 *			      int tls, const struct ob_ehlo_caps *c);
 *	int ob_ehlo_cache_delete(struct ob_ehlo_cache *ec, const char *addr,
 *				 int port, int tls);
 * DESCRIPTION
 *	What a next hop said to EHLO, per IP address and port, once for the
 *	clear-text EHLO and once for the EHLO after STARTTLS (tls = 1): the
 *	extensions as a bitmask (reply.h's OB_EHLO_* plus OB_EHLO_PIPECONNECT,
 *	OB_EHLO_AUTH, OB_EHLO_LIMITS), the SIZE value, the AUTH mechanisms and
 *	the LIMITS parameters. pipe_connect.h uses it to send EHLO before the
 *	banner (Exim's early pipelining) to hosts that announced PIPECONNECT
 *	(or Exim 4.92-4.95's X_PIPE_CONNECT and PIPE_CONNECT).
 *
 *	Entries live in the store (store.h) under "ehlo:clear:ADDR:PORT" and
 *	"ehlo:tls:ADDR:PORT" as one text line ("v1 flags=HEX size=N
 *	auth=MECH,MECH limits=K=V,K=V") with outbound.ehlo_cache_expire_s
 *	as their time to live: store.redis when set (a fleet shares what it
 *	learned), else the LMDB file store.lmdb. ob_ehlo_cache_open() returns
 *	NULL (pipe-connect off, *why_r says why) when outbound.pipe_connect is
 *	false or the expiry is 0. The store itself is opened on first use,
 *	in a session thread, so after the daemon dropped privileges (a
 *	store created as root would lock out mxguardd running as its user)
 *	and never by -t; when it cannot be opened that is logged once and
 *	the cache stays off: mail still flows, only without early
 *	pipelining. ob_store_spec() is the store spec of a config (also for
 *	the MTA-STS policy cache), *name_r what logs call it.
 *
 *	Thread safe (the store is).
 * DIAGNOSTICS
 *	ob_ehlo_caps_decode: 0, or -1 for a malformed or foreign entry.
 *	ob_ehlo_cache_get: 1 found, 0 none (or malformed: it is deleted), -1
 *	store failure. put/delete: 0, or -1 (logged; nothing else changes).
 * STANDARDS
 *	RFC 5321 4.1.1.1 (EHLO); RFC 2920 (PIPELINING); RFC 9422 (LIMITS);
 *	RFC 4954 (AUTH); draft-harris-early-pipe (PIPECONNECT).
 */
#ifndef MXG_OUTBOUND_EHLO_CACHE_H
#define MXG_OUTBOUND_EHLO_CACHE_H

#include "conf/conf.h"
#include "outbound/reply.h"
#include "util/buf.h"

struct store;
struct ob_ehlo_cache;

enum {
    OB_EHLO_PIPECONNECT = 1 << 16,
    OB_EHLO_AUTH = 1 << 17,
    OB_EHLO_LIMITS = 1 << 18,
};

struct ob_ehlo_caps {
    unsigned flags;
    unsigned long long size;
    char auth[128];		/* "PLAIN,LOGIN" */
    char limits[128];		/* "RCPTMAX=100,MAILMAX=1000" */
};

struct ob_ehlo_cache *ob_ehlo_cache_open(struct conf *c, struct buf *why_r);
char *ob_store_spec(const struct conf *c, char **name_r);
struct ob_ehlo_cache *ob_ehlo_cache_new(struct store *st, long expire_s);
void ob_ehlo_cache_free(struct ob_ehlo_cache **cp);
void ob_ehlo_caps_parse(const struct ob_reply *r, struct ob_ehlo_caps *c);
void ob_ehlo_caps_encode(const struct ob_ehlo_caps *c, struct buf *out);
int ob_ehlo_caps_decode(const char *s, size_t len, struct ob_ehlo_caps *c);
int ob_ehlo_caps_equal(const struct ob_ehlo_caps *a, const struct ob_ehlo_caps *b);
int ob_ehlo_cache_get(struct ob_ehlo_cache *ec, const char *addr, int port, int tls,
		      struct ob_ehlo_caps *c_r);
int ob_ehlo_cache_put(struct ob_ehlo_cache *ec, const char *addr, int port, int tls,
		      const struct ob_ehlo_caps *c);
int ob_ehlo_cache_delete(struct ob_ehlo_cache *ec, const char *addr, int port, int tls);

#endif
