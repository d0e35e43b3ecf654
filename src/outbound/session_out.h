/*
 * NAME
 *	session_out - one conversation with a next hop, as a state machine
 * SYNOPSIS
 *	#include "outbound/session_out.h"
 *
 *	struct ob_out *ob_out_new(struct ob_settings *s, const char *domain,
 *				  const char *queue_id, enum ob_rtls rtls);
 *	int ob_out_open(struct ob_out *o, const struct ob_env *env,
 *			const struct ob_ahead *ahead);
 *	void ob_out_mail(struct ob_out *o, unsigned flags);
 *	int ob_out_rcpt(struct ob_out *o, const char *rcpt, const char *params,
 *			struct ob_result *res);
 *	int ob_out_data(struct ob_out *o, struct ob_spool *sp, struct ob_result *res);
 *	void ob_out_quit(struct ob_out *o);
 *	void ob_out_release(struct ob_out **op);
 *	void ob_out_free(struct ob_out **op);
 *	const char *ob_out_state_name(enum ob_out_state st);
 * DESCRIPTION
 *	The states follow the conversation: OB_OUT_NEW, (route) OB_OUT_BANNER,
 *	OB_OUT_EHLO (HELO when EHLO is refused), OB_OUT_STARTTLS,
 *	OB_OUT_EHLO_TLS, OB_OUT_MAIL, OB_OUT_RCPT, OB_OUT_DATA, OB_OUT_DOT,
 *	OB_OUT_QUIT, and OB_OUT_FAILED (o->fail says why; the reply every
 *	recipient of this destination gets). One function drives each
 *	step, each with its RFC 5321 4.5.3.2 timeout.
 *
 *	ob_out_open() resolves the destination (route.h), and tries the hosts
 *	in MX order and each host's addresses until one accepts MAIL FROM: a
 *	connection failure, a 4xx/5xx greeting, a 4xx EHLO, a TLS failure or
 *	a TLSA lookup failure moves on to the next address or host; a reply
 *	to MAIL FROM is final. The TLS level of the destination decides
 *	STARTTLS: may uses it when offered; encrypt and above require it;
 *	a host with usable, secure TLSA records requires DANE authentication
 *	and never falls back to clear text or unauthenticated TLS.
 *
 *	rtls is the message's REQUIRETLS mode (requiretls.h). REQUIRE: the
 *	MX answer must be DNSSEC-secure (or the destination a configured
 *	"[relay]"); each host needs authenticated TLS (DANE when it has
 *	usable TLSA records, else PKIX with the host name) and REQUIRETLS
 *	in its EHLO after STARTTLS, else it is skipped (4.7.30, the step in
 *	the text); when no host is left the result becomes 5.7.30. MAIL
 *	FROM then carries REQUIRETLS. Nothing is ever sent in clear text.
 *	NOTLS: the level is capped at may, no TLSA lookups, and the
 *	connection is closed after the transaction (never cached). The
 *	connection cache hands out only connections opened in the same mode.
 *
 *	MTA-STS (mta_sts.h): for a REQUIRETLS message whose MX answer was
 *	not DNSSEC-validated, and for all mail with outbound.mta_sts, the
 *	domain's policy is looked up (not for TLS-Required: No mail nor with
 *	outbound.relay_host). With mode enforce (for REQUIRETLS also
 *	testing) a host that matches no mx pattern is skipped (4.7.5, for
 *	REQUIRETLS 4.7.30) and a matching one needs a certificate verified
 *	with its name, unless it has usable TLSA records: DANE always wins,
 *	and a host failing DANE is never rescued by MTA-STS.
 *
 *	MAIL FROM carries the MTA's parameters that the next hop announced
 *	(SIZE, BODY=8BITMIME, SMTPUTF8, RET/ENVID with DSN); RCPT TO its
 *	NOTIFY/ORCPT when the next hop has DSN. With PIPELINING the MAIL and
 *	the recipients of ahead (may be NULL: the current one is then the
 *	only one known) leave in one write, followed by DATA when ahead says
 *	that the MTA's DATA is already waiting (RFC 2920 3.1: DATA ends the
 *	group). ob_out_rcpt() then only reads the reply of a recipient that
 *	was sent this way, and ob_out_data() the reply to DATA. The order is
 *	checked: a recipient that differs from the one on the wire, or
 *	recipients on the wire that the MTA never gave, fail the conversation
 *	with 4.3.0 before the final dot (nothing is delivered that the MTA
 *	did not ask for). ob_out_mail() writes that group with the extensions
 *	in flags (an EHLO cache entry's, for pipe-connect's first flight:
 *	pipe_connect.h) without flushing.
 *
 *	ob_out_data() sends DATA, the spooled message with the final dot in
 *	the write of its last part,
 *	and reads the final reply. A connection that closes after the dot
 *	without a reply is a 4xx (the message may have been delivered: a
 *	duplicate is allowed, a loss is not). ob_out_quit() sends QUIT (or,
 *	in a transaction that did not finish, just closes: the next hop
 *	drops a transaction without a final dot).
 * DIAGNOSTICS
 *	ob_out_open: 0 ready for RCPT, -1 failed (o->fail).
 *	ob_out_rcpt: 1 accepted (250/251), 0 refused or failed; *res is the
 *	reply for the MTA. ob_out_data: 1 accepted, 0 not; *res the reply.
 * STANDARDS
 *	RFC 5321 3, 4.1, 4.5.3.2; RFC 2920 (PIPELINING); RFC 3207
 *	(STARTTLS); RFC 3461 (DSN); RFC 1870 (SIZE); RFC 6152 (8BITMIME);
 *	RFC 6531 (SMTPUTF8); RFC 7672 (DANE); RFC 8689 4.2.1 (REQUIRETLS);
 *	RFC 8461 4, 5 (MTA-STS).
 */
#ifndef MXG_OUTBOUND_SESSION_OUT_H
#define MXG_OUTBOUND_SESSION_OUT_H

#include "outbound/io.h"
#include "outbound/mta_sts_parse.h"
#include "outbound/outbound.h"
#include "outbound/pipe_connect.h"
#include "outbound/reply.h"
#include "outbound/requiretls.h"
#include "outbound/route.h"
#include "outbound/spool.h"
#include "outbound/tls_dane.h"
#include "outbound/trouble.h"

enum ob_out_state {
    OB_OUT_NEW, OB_OUT_BANNER, OB_OUT_EHLO, OB_OUT_STARTTLS, OB_OUT_EHLO_TLS,
    OB_OUT_MAIL, OB_OUT_RCPT, OB_OUT_DATA, OB_OUT_DOT, OB_OUT_QUIT, OB_OUT_FAILED
};

/*
 * What the MTA already sent for one destination: the current recipient
 * first, then those of its pipelined RCPTs (same destination) that are
 * waiting in our input, and whether its DATA follows them (txn.h).
 */
struct ob_ahead {
    size_t n;
    char **addrs, **params;	/* params: NOTIFY=/ORCPT= as given, "" if none */
    int data;
};

/* Commands written ahead of their replies (RFC 2920 or pipe-connect). */
struct ob_presend {
    size_t n, next;		/* RCPTs written; next: the one whose reply is due */
    char **addrs, **params;
    int data;			/* DATA written, its reply not yet read */
    int data_open;		/* DATA written, final dot not (no QUIT then) */
};

/* The envelope as the MTA gave it. */
struct ob_env {
    const char *sender;		/* without <> */
    unsigned long long size;	/* SIZE=, 0 if none */
    int body_8bit;		/* BODY=8BITMIME */
    int smtputf8;
    const char *ret;		/* RET= value or NULL */
    const char *envid;		/* ENVID= value or NULL */
    int requiretls;		/* MAIL FROM ... REQUIRETLS (inside our TLS) */
};

struct ob_out {
    struct ob_settings *set;
    char *domain;
    char queue_id[32];
    enum ob_out_state state;
    enum ob_tls_level level;
    enum ob_tls_level dest_level;	/* the destination's, before per-host REQUIRETLS */
    enum ob_rtls rtls;		/* REQUIRETLS mode the connection was opened for */
    int sts_enforce;		/* hosts must match sts.mx, PKIX unless DANE */
    struct ob_sts_policy sts;	/* the destination's MTA-STS policy, when looked up */
    struct ob_route *route;
    struct ob_io io;
    int connected;
    struct ob_ehlo ehlo;
    struct ob_reply reply;
    struct ob_diag diag;
    struct ob_result fail;
    struct ob_tlsa tlsa;
    struct ob_tls_info tls;
    int tls_on;
    int tls_refused;		/* a host failed for TLS policy (TLS-Required: No may help) */
    int naccepted;
    int pending_rcpt;		/* MAIL sent, reply not read yet (pipelining) */
    int reusable;		/* the last transaction ended with 250: cacheable */
    int reused;			/* taken from the connection cache */
    int uses;			/* transactions on this connection, this one included */
    struct ob_pipe pipe;		/* early pipelining (pipe_connect.h) */
    struct ob_presend pre;	/* RCPT/DATA already on the wire */
    const struct ob_ahead *ahead;	/* during ob_out_open only */
    const struct ob_env *env;
    long long t_start, t_connected, t_ready, t_done;	/* ms, for delays= */
};

struct ob_out *ob_out_new(struct ob_settings *s, const char *domain, const char *queue_id,
			  enum ob_rtls rtls);
int ob_out_open(struct ob_out *o, const struct ob_env *env, const struct ob_ahead *ahead);
void ob_out_mail(struct ob_out *o, unsigned flags);
int ob_out_rcpt(struct ob_out *o, const char *rcpt, const char *params,
		struct ob_result *res);
int ob_out_data(struct ob_out *o, struct ob_spool *sp, struct ob_result *res);
void ob_out_quit(struct ob_out *o);
void ob_out_release(struct ob_out **op);
void ob_out_free(struct ob_out **op);
const char *ob_out_state_name(enum ob_out_state st);
long long ob_now_ms(void);

#endif
