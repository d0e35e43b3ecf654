/*
 * NAME
 *	session_in - the SMTP/LMTP server side that the MTA talks to
 * SYNOPSIS
 *	#include "outbound/session_in.h"
 *
 *	void ob_in_run(struct ob_settings *s, int fd, int lmtp,
 *		       const struct sockaddr *peer);
 * DESCRIPTION
 *	Runs one connection from the MTA to its end, in the calling thread.
 *	A client outside outbound.allowed_clients gets "554 5.7.1" as its
 *	greeting and nothing else (never an open relay, RFC 5321 3.1).
 *	A client in outbound.proxy_hosts (a load balancer) must first send a
 *	PROXY protocol v1 or v2 header (proxy_proto.h) within 30 s: the
 *	address in it is then the client, checked and logged; a missing or
 *	malformed header is logged and the connection closed without a
 *	word. From other clients "PROXY" is an unknown command (500).
 *	Others get ESMTP (SMTP: EHLO/HELO) or LMTP (LHLO) with PIPELINING,
 *	SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, DSN and STARTTLS.
 *	Replies to pipelined commands are sent together when the input
 *	buffer is empty (RFC 2920 3.2).
 *
 *	After STARTTLS, REQUIRETLS is offered too (outbound.requiretls):
 *	MAIL FROM:<...> REQUIRETLS tags the message (requiretls.h); outside
 *	TLS that parameter gets "530 5.7.10" (RFC 8689 4.1).
 *
 *	MAIL FROM parameters SIZE, BODY, SMTPUTF8, RET, ENVID, REQUIRETLS and
 *	RCPT TO parameters NOTIFY, ORCPT are checked and passed on; others
 *	get 555.
 *	The message (DATA) is read into one spool (spool.h) with bare LF
 *	lines made CRLF and dot-stuffing kept; over outbound.max_message_size
 *	it is read to its end and refused with 552 5.3.4. If the MTA goes
 *	away before the final dot, the next-hop transactions are abandoned.
 * STANDARDS
 *	RFC 5321, RFC 2033 (LMTP), RFC 1870, RFC 2920, RFC 2034, RFC 3207,
 *	RFC 3461, RFC 6152, RFC 6531, RFC 8689; the PROXY protocol v1/v2 (haproxy).
 */
#ifndef MXG_OUTBOUND_SESSION_IN_H
#define MXG_OUTBOUND_SESSION_IN_H

#include <sys/socket.h>
#include "outbound/outbound.h"

void ob_in_run(struct ob_settings *s, int fd, int lmtp, const struct sockaddr *peer);

#endif
