/*
 * NAME
 *	requiretls - REQUIRETLS (RFC 8689): which mail needs it, what a host must do
 * SYNOPSIS
 *	#include "outbound/requiretls.h"
 *
 *	unsigned ob_rtls_header_scan(const char *hdr, size_t len);
 *	unsigned ob_rtls_spool_scan(struct ob_spool *sp);
 *	enum ob_rtls ob_rtls_mode(int mail_param, unsigned hdr_flags,
 *				  int honour_require_header);
 *	enum ob_tls_level ob_rtls_level(enum ob_rtls mode, enum ob_tls_level l);
 *	enum ob_tls_level ob_rtls_host_level(enum ob_rtls mode,
 *					     enum ob_tls_level l, int tlsa_usable);
 *	int ob_rtls_trouble(enum ob_rtls mode, int t, const char *detail,
 *			    char *out, size_t outlen);
 *	const char *ob_rtls_name(enum ob_rtls mode);
 * DESCRIPTION
 *	A message is sent in one of three modes. OB_RTLS_REQUIRE: the MTA
 *	gave MAIL FROM:<...> REQUIRETLS inside our TLS session, or the
 *	message carries "Require-TLS-ESMTP: yes" and the site asked for that
 *	convention (outbound.requiretls_header). OB_RTLS_NOTLS: not
 *	REQUIRETLS and the message carries "TLS-Required: No" (RFC 8689 5):
 *	the TLS level is capped at may, no TLSA lookups, and the connection
 *	is never kept for other mail. OB_RTLS_NORMAL: everything else.
 *
 *	ob_rtls_header_scan() reads a header section (up to the first empty
 *	line or len; folded lines are joined, names and the words yes/no are
 *	compared without case, surrounding blanks and a trailing comment are
 *	ignored) and returns OB_RTLS_HDR_REQUIRE and/or OB_RTLS_HDR_NO.
 *	ob_rtls_spool_scan() does that on the first 64 KiB of a spooled
 *	message.
 *
 *	ob_rtls_level() is the TLS level a destination gets in a mode: may
 *	at most for NOTLS; for REQUIRE at least dane (so TLSA records are
 *	looked up for hosts with secure addresses). ob_rtls_host_level() is
 *	the level for one REQUIRE host once its TLSA state is known: with
 *	usable TLSA records DANE authenticates the peer (a DANE failure is
 *	never rescued by PKIX or MTA-STS); without them the certificate must
 *	verify against the CA store with the MX host name (verify).
 *
 *	ob_rtls_trouble() turns a host failure of a REQUIRE delivery at the
 *	TLS step (OB_TR_TLS_MISSING, OB_TR_TLS_FAIL) or the MTA-STS MX check
 *	(OB_TR_STS_MX) into OB_TR_RTLS_TEMP
 *	with the failed step named in out; other troubles are returned as
 *	they are (out gets detail).
 * STANDARDS
 *	RFC 8689 (SMTP Require TLS Option) 4.2.1, 5; RFC 7672 (DANE).
 */
#ifndef MXG_OUTBOUND_REQUIRETLS_H
#define MXG_OUTBOUND_REQUIRETLS_H

#include <stddef.h>
#include "outbound/outbound.h"

struct ob_spool;

enum ob_rtls { OB_RTLS_NORMAL, OB_RTLS_REQUIRE, OB_RTLS_NOTLS };

#define OB_RTLS_HDR_REQUIRE	1u	/* Require-TLS-ESMTP: yes */
#define OB_RTLS_HDR_NO		2u	/* TLS-Required: No */
#define OB_RTLS_SCAN_MAX	65536

unsigned ob_rtls_header_scan(const char *hdr, size_t len);
unsigned ob_rtls_spool_scan(struct ob_spool *sp);
enum ob_rtls ob_rtls_mode(int mail_param, unsigned hdr_flags, int honour_require_header);
enum ob_tls_level ob_rtls_level(enum ob_rtls mode, enum ob_tls_level l);
enum ob_tls_level ob_rtls_host_level(enum ob_rtls mode, enum ob_tls_level l, int tlsa_usable);
int ob_rtls_trouble(enum ob_rtls mode, int t, const char *detail, char *out, size_t outlen);
const char *ob_rtls_name(enum ob_rtls mode);

#endif
