/*
 * NAME
 *	server_cert - the certificate mxguard-outbound offers the MTA with STARTTLS
 * SYNOPSIS
 *	#include "outbound/server_cert.h"
 *
 *	SSL_CTX *ob_tls_server_ctx(const char *cert, const char *key,
 *				   const char *name, struct buf *why_r);
 *	SSL_CTX *ob_server_cert_ctx(const struct conf *c, const char *name,
 *				    int may_write, struct buf *why_r);
 * DESCRIPTION
 *	ob_tls_server_ctx() makes a server context with the certificate
 *	chain in cert and the private key in key (or in cert when key is
 *	empty); with both empty, with a fresh self-signed EC P-256
 *	certificate for name made in memory. A key file readable or
 *	writable by group or other is refused (crypto_privkey_load).
 *
 *	ob_server_cert_ctx() is the context of a config:
 *	outbound.tls_cert_file/tls_key_file when set; else the certificate
 *	kept in outbound.state_dir: starttls-key.pem (mode 0600) and
 *	starttls-cert.pem, made at the first start (self-signed, EC P-256,
 *	name as subject CN and DNS name, 10 years) and reused on later
 *	starts and reloads, so the MTA sees the same certificate (and can
 *	pin it) across restarts. The files are written by the running
 *	daemon, after the privilege drop, so they belong to outbound.user;
 *	each is written to a temporary name and renamed into place. A pair
 *	that no longer fits (unreadable PEM, key and certificate that do not
 *	match, another name, expired or expiring within 30 days) is replaced
 *	with a log line, when may_write; without may_write (mxguard-outbound
 *	-t) nothing is written. A state key file readable by group or other
 *	is refused: an error, never replaced silently. When state_dir is
 *	empty, missing, not writable, or writable by group or other, the
 *	certificate is made in memory for this run, with a warning (no
 *	warning without may_write).
 * DIAGNOSTICS
 *	NULL with reasons appended to *why_r.
 * STANDARDS
 *	RFC 3207 (STARTTLS), RFC 5280.
 */
#ifndef MXG_OUTBOUND_SERVER_CERT_H
#define MXG_OUTBOUND_SERVER_CERT_H

#include <openssl/ssl.h>

#include "conf/conf.h"
#include "util/buf.h"

#define OB_STARTTLS_KEY		"starttls-key.pem"
#define OB_STARTTLS_CERT	"starttls-cert.pem"

SSL_CTX *ob_tls_server_ctx(const char *cert, const char *key, const char *name,
			   struct buf *why_r);
SSL_CTX *ob_server_cert_ctx(const struct conf *c, const char *name, int may_write,
			    struct buf *why_r);

#endif
