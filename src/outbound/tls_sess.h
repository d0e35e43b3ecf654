/*
 * NAME
 *	tls_sess - TLS session resumption for next-hop connections
 * SYNOPSIS
 *	#include "outbound/tls_sess.h"
 *
 *	struct ob_tls_sess *ob_tls_sess_new(size_t max, long ttl_s);
 *	void ob_tls_sess_free(struct ob_tls_sess **cp);
 *	void ob_tls_sess_key(struct buf *key, const char *host, const char *addr,
 *			     int port, int level, const struct ob_tlsa *t,
 *			     int mode);
 *	SSL_SESSION *ob_tls_sess_get(struct ob_tls_sess *c, const char *key,
 *				     struct ob_tls_info *info_r);
 *	void ob_tls_sess_put(struct ob_tls_sess *c, const char *key, SSL *ssl,
 *			     const struct ob_tls_info *info);
 * DESCRIPTION
 *	A small in-memory cache of client TLS sessions, so that the next
 *	connection to a next hop resumes (RFC 8446 2.2, RFC 5077) instead of
 *	a full handshake. The key (ob_tls_sess_key) is the destination and
 *	its TLS policy: MX host name (the SNI and the name checked), address,
 *	port, TLS level, the DANE state with a SHA-256 digest of the usable
 *	TLSA records, and the message's REQUIRETLS mode: a session made
 *	under one policy is never offered under another. The caller never
 *	stores or looks up sessions for "TLS-Required: No" mail.
 *
 *	A session is stored (ob_tls_sess_put) only after a full handshake
 *	passed every check of its policy (DANE or CA verification, OCSP,
 *	the tls:cert events), together with what those checks found (struct
 *	ob_tls_info: CV=, DANE usages, OCSP status): a resumed handshake
 *	carries no certificate checks and no stapled OCSP response, so that
 *	remembered result is what the resumed connection reports
 *	(ob_tls_sess_get fills *info_r). Entries live at most ttl_s seconds
 *	and no longer than the session's own lifetime; at most max are kept
 *	(the oldest goes). Sessions that cannot be resumed are not stored.
 *
 *	Thread safe (one mutex); ob_tls_sess_get returns a reference the
 *	caller frees with SSL_SESSION_free after SSL_set_session.
 * DIAGNOSTICS
 *	ob_tls_sess_get: a session or NULL.
 * STANDARDS
 *	RFC 8446 2.2 (resumption), RFC 5077 (tickets), RFC 7672 (DANE).
 */
#ifndef MXG_OUTBOUND_TLS_SESS_H
#define MXG_OUTBOUND_TLS_SESS_H

#include <stddef.h>
#include <openssl/ssl.h>

#include "outbound/tls_dane.h"
#include "util/buf.h"

struct ob_tls_sess;

struct ob_tls_sess *ob_tls_sess_new(size_t max, long ttl_s);
void ob_tls_sess_free(struct ob_tls_sess **cp);
void ob_tls_sess_key(struct buf *key, const char *host, const char *addr, int port, int level,
		     const struct ob_tlsa *t, int mode);
SSL_SESSION *ob_tls_sess_get(struct ob_tls_sess *c, const char *key, struct ob_tls_info *info_r);
void ob_tls_sess_put(struct ob_tls_sess *c, const char *key, SSL *ssl,
		     const struct ob_tls_info *info);

#endif
