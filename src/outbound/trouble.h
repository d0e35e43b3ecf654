/*
 * NAME
 *	trouble - every outcome of a delivery attempt as an SMTP reply
 * SYNOPSIS
 *	#include "outbound/trouble.h"
 *
 *	void ob_result_from_reply(struct ob_result *r, const struct ob_reply *rep,
 *				  const struct ob_diag *d);
 *	void ob_result_trouble(struct ob_result *r, enum ob_trouble t,
 *			       const struct ob_diag *d, const char *detail);
 *	void ob_result_put(struct ob_io *io, const struct ob_result *r);
 *	const char *ob_result_status(const struct ob_result *r);
 *	void ob_result_last_host(struct ob_result *r);
 * DESCRIPTION
 *	The one place that decides which code a failure gets. A next hop's
 *	reply keeps its code, enhanced code (class default X.0.0 when the
 *	server sent none) and text; our own failures map as follows:
 *	  OB_TR_DNS_TEMP     451 4.4.3  DNS lookup failed temporarily
 *	  OB_TR_NO_DOMAIN    550 5.4.4  domain or mail hosts do not exist
 *	  OB_TR_NULL_MX      556 5.1.10 the domain accepts no mail (RFC 7505)
 *	  OB_TR_CONNECT      451 4.4.1  no answer / connection refused
 *	  OB_TR_TIMEOUT      451 4.4.2  the next hop stopped answering
 *	  OB_TR_LOST         451 4.4.2  connection lost (also: after the final
 *	                                dot without a reply; may duplicate)
 *	  OB_TR_PROTOCOL     451 4.5.0  unparsable reply
 *	  OB_TR_TLS_MISSING  451 4.7.4  TLS required, STARTTLS not offered
 *	  OB_TR_TLS_FAIL     451 4.7.5  handshake or verification failed
 *	  OB_TR_TLSA_FAIL    451 4.7.5  TLSA lookup failed: host not used
 *	  OB_TR_POLICY_TEMP  451 4.3.0  TLS policy lookup failed
 *	  OB_TR_LOCAL        451 4.3.0  our own trouble (memory, temp file)
 *	  OB_TR_OTHER_DOMAIN 452 4.5.3  SMTP mode: one domain per transaction
 *	  OB_TR_RTLS_TEMP    451 4.7.30 REQUIRETLS support required (a host
 *	                                failed a step; more hosts to try)
 *	  OB_TR_RTLS         550 5.7.30 REQUIRETLS support required (no host
 *	                                qualifies; the detail names the step)
 *	  OB_TR_STS_MX       451 4.7.5  MX host not in the MTA-STS policy
 *	Every reply text ends with the DSN diagnostics of Exim's DSN_INFO:
 *	the remote host and address, the first line of its greeting and of
 *	its EHLO reply, and the command that failed, so the bounce the MTA
 *	writes says what happened where.
 *
 *	ob_result_put() queues the reply for the MTA (multi-line when the
 *	text has several lines). ob_result_status() is Postfix's status=
 *	word: sent, deferred or bounced. ob_result_last_host() is applied
 *	when every host of a destination failed: a 4.7.30 (a host could not
 *	carry REQUIRETLS mail) becomes 5.7.30, as RFC 8689 5 wants once the
 *	last MX was tried; other results stay.
 * STANDARDS
 *	RFC 5321 4.2, RFC 3463 (codes), RFC 7505 3.2 (5.1.10), RFC 7672 2.2,
 *	RFC 8689 5 (5.7.30), RFC 8461 5 (MTA-STS failures are TLS failures).
 */
#ifndef MXG_OUTBOUND_TROUBLE_H
#define MXG_OUTBOUND_TROUBLE_H

#include "outbound/io.h"
#include "outbound/reply.h"

enum ob_trouble {
    OB_TR_DNS_TEMP, OB_TR_NO_DOMAIN, OB_TR_NULL_MX, OB_TR_CONNECT, OB_TR_TIMEOUT,
    OB_TR_LOST, OB_TR_PROTOCOL, OB_TR_TLS_MISSING, OB_TR_TLS_FAIL, OB_TR_TLSA_FAIL,
    OB_TR_POLICY_TEMP, OB_TR_LOCAL, OB_TR_OTHER_DOMAIN, OB_TR_RTLS_TEMP, OB_TR_RTLS,
    OB_TR_STS_MX
};

struct ob_diag {
    char host[256];		/* "" before any connection */
    char addr[64];
    int port;
    char greeting[256];
    char ehlo[256];
    char command[32];		/* "RCPT TO", "end of DATA", ... */
};

struct ob_result {
    int code;			/* 0: no result yet */
    char enh[16];
    char text[1024];		/* lines separated by '\n' */
};

void ob_result_from_reply(struct ob_result *r, const struct ob_reply *rep,
			  const struct ob_diag *d);
void ob_result_trouble(struct ob_result *r, enum ob_trouble t, const struct ob_diag *d,
		       const char *detail);
void ob_result_put(struct ob_io *io, const struct ob_result *r);
const char *ob_result_status(const struct ob_result *r);
void ob_result_last_host(struct ob_result *r);

#endif
