/*
 * NAME
 *	tls_dane - TLS contexts, DANE TLSA policy and peer verification
 * SYNOPSIS
 *	#include "outbound/tls_dane.h"
 *
 *	SSL_CTX *ob_tls_client_ctx(const char *ca_file, struct buf *why_r);
 *	void ob_tls_err(struct buf *why, const char *what);
 *	int ob_dane_lookup(struct dns_resolver *dns, const char *host, int port,
 *			   struct ob_tlsa *t, struct buf *why_r);
 *	void ob_tlsa_free(struct ob_tlsa *t);
 *	SSL *ob_tls_client_new(SSL_CTX *ctx, const char *host, const char *domain,
 *			       enum ob_tls_level level, const struct ob_tlsa *t,
 *			       int ocsp);
 *	int ob_tls_ocsp_check(SSL *ssl, int ocsp, struct ob_tls_info *info,
 *			      struct buf *why_r);
 *	int ob_tls_peer_check(SSL *ssl, enum ob_tls_level level,
 *			      const struct ob_tlsa *t, struct ob_tls_info *info,
 *			      struct buf *why_r);
 * DESCRIPTION
 *	ob_tls_client_ctx() makes the client context used for every next
 *	hop: SSL_CTX_dane_enable(), the system CA paths (or ca_file), no
 *	verification callback (results are read after the handshake, so
 *	opportunistic TLS still works with any certificate).
 *
 *	The STARTTLS context offered to the MTA is server_cert.h's.
 *	ob_tls_err() appends "what: " and OpenSSL's last error to why and
 *	clears the error queue.
 *
 *	ob_dane_lookup() is the DANE policy of one MX host (RFC 7672 2.2):
 *	TLSA records at _PORT._tcp.HOST, usages DANE-TA(2) and DANE-EE(3)
 *	with selectors 0/1 and matching types 0/1/2 kept. Call it only for a
 *	host whose address records were secure.
 *	  OB_DANE_USABLE    secure, at least one usable record: authenticated
 *	                    TLS is required for this host
 *	  OB_DANE_UNUSABLE  secure records, none usable: encrypt (TLS without
 *	                    authentication), RFC 7672 2.2
 *	  OB_DANE_NONE      insecure answer or secure denial: no DANE
 *	  OB_DANE_FAIL      SERVFAIL, bogus or timeout: do not use the host
 *
 *	ob_tls_client_new() prepares an SSL for one connection: SNI is the
 *	TLSA base domain (the MX host name); with usable TLSA records
 *	SSL_dane_enable(), SSL_dane_tlsa_add() per record and
 *	DANE_FLAG_NO_DANE_EE_NAMECHECKS (DANE-EE ignores names and dates;
 *	DANE-TA checks the host name, no partial wildcards); for verify the
 *	MX host name, for secure also the next-hop domain, are the names
 *	checked against a CA-verified chain.
 *
 *	With ocsp (outbound.ocsp: 1 request, 2 require) the client asks for
 *	a stapled OCSP response. ob_tls_ocsp_check() reads it after the
 *	handshake: verified against the peer's chain and the CA store, the
 *	leaf's status found and its validity checked (5 minutes of skew);
 *	info->ocsp becomes good, revoked, unknown, invalid or none. With
 *	require anything but good fails the host (4.7.5). The status stays
 *	with the connection while the connection cache keeps it, and with
 *	the TLS session for resumption (tls_sess.h: a resumed handshake has
 *	no stapled response, the remembered status stands).
 *
 *	ob_tls_peer_check() decides after the handshake whether the
 *	connection meets the level: dane with usable TLSA, dane-only, verify
 *	and secure need a verified peer (DANE when TLSA records exist: the CA
 *	options are then ignored, as Exim documents); may and encrypt take
 *	any certificate. info gets the protocol, cipher, CV= word (dane, yes,
 *	no) and the DANE usage mask (tls_out_tlsa_usage).
 * DIAGNOSTICS
 *	ob_tls_ocsp_check: 0 acceptable, -1 with *why_r (require only).
 *	contexts: NULL with *why_r. ob_dane_lookup: the state; *why_r for
 *	OB_DANE_FAIL. ob_tls_peer_check: 0 acceptable, -1 with *why_r.
 * STANDARDS
 *	RFC 7672 (SMTP DANE), RFC 7671 (DANE operations), RFC 6698 (TLSA),
 *	RFC 6125 (names), RFC 3207 (STARTTLS), RFC 6066 8 and RFC 6960
 *	(OCSP stapling).
 */
#ifndef MXG_OUTBOUND_TLS_DANE_H
#define MXG_OUTBOUND_TLS_DANE_H

#include <openssl/ssl.h>
#include "outbound/outbound.h"
#include "util/buf.h"

struct dns_resolver;

enum ob_dane_state { OB_DANE_NONE, OB_DANE_USABLE, OB_DANE_UNUSABLE, OB_DANE_FAIL };

struct ob_tlsa_rr {
    unsigned char usage, selector, mtype;
    unsigned char *data;
    size_t len;
};

struct ob_tlsa {
    enum ob_dane_state state;
    size_t count;
    struct ob_tlsa_rr *rrs;
};

struct ob_tls_info {
    char protocol[32];
    char cipher[64];
    char cv[8];			/* "dane", "yes", "no" */
    int dane;			/* authenticated by TLSA */
    int verified;		/* peer chain verified (DANE or CA) */
    unsigned usage_mask;	/* bit N set: a usage N record matched */
    char peer_cn[128];
    char ocsp[12];		/* "" not asked, none, good, revoked, unknown, invalid */
    int resumed;		/* a resumed session: the rest is what its full handshake found */
};

SSL_CTX *ob_tls_client_ctx(const char *ca_file, struct buf *why_r);
void ob_tls_err(struct buf *why, const char *what);
int ob_dane_lookup(struct dns_resolver *dns, const char *host, int port, struct ob_tlsa *t,
		   struct buf *why_r);
void ob_tlsa_free(struct ob_tlsa *t);
SSL *ob_tls_client_new(SSL_CTX *ctx, const char *host, const char *domain,
		       enum ob_tls_level level, const struct ob_tlsa *t, int ocsp);
int ob_tls_ocsp_check(SSL *ssl, int ocsp, struct ob_tls_info *info, struct buf *why_r);
int ob_tls_peer_check(SSL *ssl, enum ob_tls_level level, const struct ob_tlsa *t,
		      struct ob_tls_info *info, struct buf *why_r);

#endif
