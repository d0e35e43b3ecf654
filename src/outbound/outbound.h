/*
 * NAME
 *	outbound - what the parts of mxguard-outbound share
 * SYNOPSIS
 *	#include "outbound/outbound.h"
 *
 *	struct ob_settings *ob_settings_new(struct conf *c, int running,
 *					    struct buf *why_r);
 *	struct ob_settings *ob_settings_ref(struct ob_settings *s);
 *	void ob_settings_unref(struct ob_settings **sp);
 *	const char *ob_tls_level_name(enum ob_tls_level l);
 *	int ob_tls_level_parse(const char *name);
 *	enum ob_tls_level ob_tls_level_for(struct ob_settings *s,
 *					   const char *domain, int *temp_r);
 * DESCRIPTION
 *	An ob_settings is everything a session needs, built once from a
 *	config snapshot (resolver, TLS contexts, policy lists) and shared,
 *	reference counted, by the sessions that started with it; a reload
 *	(SIGHUP) builds a new one and new connections take it. running is
 *	0 for a check (mxguard-outbound -t, tests): then nothing is written,
 *	e.g. no STARTTLS certificate is kept in outbound.state_dir
 *	(server_cert.h).
 *
 *	TLS levels are ordered as in Postfix: none < may < encrypt < dane <
 *	dane-only < verify < secure. The level of a destination comes from
 *	the first of the named lists tls_secure, tls_verify, tls_dane_only,
 *	tls_dane, tls_encrypt, tls_may, tls_none (section lists; file, LMDB,
 *	Redis or inline) that contains the recipient domain; else from
 *	outbound.tls raised by outbound.dane (try: dane, require: dane-only).
 *	outbound.pipe_connect_hosts is opened the same way (one source, or
 *	inline entries) as s->pipe_hosts.
 *
 *	s->events is the bus of events.actions (src/event), compiled against
 *	the core facts and the outbound variables (events.h); NULL when no
 *	action is configured.
 * DIAGNOSTICS
 *	ob_settings_new: NULL with reasons appended to *why_r.
 *	ob_tls_level_parse: -1 for an unknown name.
 *	ob_tls_level_for: the level; *temp_r = 1 when a list lookup failed
 *	temporarily (the caller defers).
 */
#ifndef MXG_OUTBOUND_OUTBOUND_H
#define MXG_OUTBOUND_OUTBOUND_H

#include <stddef.h>
#include <openssl/ssl.h>

#include "conf/conf.h"
#include "util/buf.h"
#include "util/cidr.h"

struct dns_resolver;
struct list;
struct ob_cache;
struct event_bus;
struct ob_ehlo_cache;
struct ob_sts;
struct ob_tls_sess;

enum ob_tls_level {
    OB_TLS_NONE, OB_TLS_MAY, OB_TLS_ENCRYPT, OB_TLS_DANE, OB_TLS_DANE_ONLY,
    OB_TLS_VERIFY, OB_TLS_SECURE, OB_TLS_NLEVELS
};

/* Timeouts (ms) from RFC 5321 4.5.3.2, and our connect timeout. */
#define OB_T_CONNECT	30000
#define OB_T_GREETING	300000
#define OB_T_EHLO	300000
#define OB_T_MAIL	300000
#define OB_T_RCPT	300000
#define OB_T_DATA_INIT	120000
#define OB_T_DATA_BLOCK	180000
#define OB_T_DATA_TERM	600000
#define OB_T_SERVER	300000	/* we as server, waiting for a command */

struct ob_settings {
    int refs;
    struct conf *conf;
    struct dns_resolver *dns;
    SSL_CTX *client_ctx;	/* DANE enabled, CA paths loaded */
    SSL_CTX *server_ctx;	/* STARTTLS offered to the MTA */
    char helo_name[256];
    int port;
    char *relay_host;		/* "" = MX routing */
    enum ob_tls_level tls_default;
    int ocsp;			/* 0 no, 1 request, 2 require */
    const struct cidr *allowed;
    size_t nallowed;
    unsigned long long max_size;
    size_t spool_mem;
    char *tmpdir;
    int connect_timeout_ms;
    struct list *tls_lists[OB_TLS_NLEVELS];
    struct ob_cache *cache;	/* idle next-hop connections (conn_cache.h) */
    struct event_bus *events;	/* events.actions; NULL: none (events.h) */
    struct ob_ehlo_cache *ehlo_cache;	/* pipe-connect; NULL: off (pipe_connect.h) */
    int requiretls;		/* outbound.requiretls: offer and honour REQUIRETLS */
    int requiretls_header;	/* outbound.requiretls_header: Require-TLS-ESMTP: yes */
    int tls_required_no;	/* outbound.tls_required_header: honour TLS-Required: No */
    struct ob_sts *sts;		/* MTA-STS settings and policy cache (mta_sts.h) */
    struct ob_tls_sess *tls_sess;	/* TLS sessions to resume (tls_sess.h) */
    struct list *pipe_hosts;	/* outbound.pipe_connect_hosts; NULL: every host */
};

struct ob_settings *ob_settings_new(struct conf *c, int running, struct buf *why_r);
struct ob_settings *ob_settings_ref(struct ob_settings *s);
void ob_settings_unref(struct ob_settings **sp);
const char *ob_tls_level_name(enum ob_tls_level l);
int ob_tls_level_parse(const char *name);
enum ob_tls_level ob_tls_level_for(struct ob_settings *s, const char *domain, int *temp_r);

#endif
