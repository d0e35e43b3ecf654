/*
 * NAME
 *	txn - one mail transaction from the MTA, fanned out to next hops
 * SYNOPSIS
 *	#include "outbound/txn.h"
 *
 *	void ob_txn_begin(struct ob_txn *t, struct ob_settings *s, int lmtp,
 *			  const char *queue_id);
 *	int ob_txn_rcpt(struct ob_txn *t, const char *addr, const char *params,
 *			struct ob_result *res);
 *	void ob_txn_data(struct ob_txn *t, struct ob_spool *sp, struct ob_io *mta);
 *	void ob_txn_end(struct ob_txn *t);
 *
 *	void ob_ahead_add(struct ob_ahead *a, const char *addr, const char *params);
 *	void ob_ahead_free(struct ob_ahead *a);
 * DESCRIPTION
 *	Recipients are grouped by destination (their domain, or one group
 *	when outbound.relay_host is set); each destination has one next-hop
 *	conversation (session_out.h), opened at its first recipient, so the
 *	reply to each RCPT is the next hop's own reply to that RCPT: the MTA
 *	never gets a 250 for a recipient the next hop has not accepted.
 *	In SMTP mode a transaction has one destination; a recipient of
 *	another gets 452 4.5.3 and the MTA sends it in a new transaction.
 *
 *	When the MTA pipelines (RFC 2920), its next RCPTs and DATA may
 *	already wait in our input when a destination's conversation opens:
 *	t->ahead (set by the caller, may be NULL) lists them (ob_ahead_add).
 *	The destination's recipients among them, up to the first that would
 *	exceed OB_TXN_MAX_RCPTS, and DATA go to the next hop in the same write
 *	as MAIL FROM (session_out.h), so a message costs the round trips of
 *	MAIL..DATA once instead of one per recipient plus one for DATA.
 *
 *	ob_txn_data() sends the spooled message to every destination with an
 *	accepted recipient, in parallel (one thread per extra destination),
 *	then queues the replies for the MTA: in LMTP one per accepted
 *	recipient, in order (RFC 2033 4.2); in SMTP the one destination's
 *	final reply. It logs one Postfix-style line per recipient.
 *
 *	A message's REQUIRETLS mode (requiretls.h) comes from MAIL FROM
 *	REQUIRETLS, known at the first RCPT, or from its header, known only
 *	after DATA (Require-TLS-ESMTP: yes when outbound.requiretls_header
 *	is set, TLS-Required: No). When the header changes the mode of a
 *	destination whose conversation was opened in another mode, that
 *	conversation is abandoned and the destination opened again in the
 *	message's mode, with its accepted recipients sent again; one that is
 *	refused then gets that refusal as its final reply (in SMTP mode the
 *	one reply: permanent only if every recipient was refused so).
 *
 *	TLS-Required: No (with outbound.tls_required_header) matters for a
 *	destination whose hosts all failed on TLS policy (STARTTLS missing,
 *	handshake or authentication failure, TLSA lookup failure), which
 *	would defer the message at RCPT time, before its header is known. So
 *	such a recipient of a message without MAIL FROM REQUIRETLS is
 *	answered "250 2.1.5 pending" and the reply after DATA decides: the
 *	destination's failure, or, when the header has TLS-Required: No, the
 *	result of a new connection with TLS capped at may. The MTA's queue
 *	still holds the message until that reply (LMTP: one per recipient).
 *
 *	ob_txn_end() closes the conversations: those that never reached the
 *	final dot (the MTA vanished, RSET, a failed DATA) are abandoned, so
 *	the next hop discards the transaction.
 * DIAGNOSTICS
 *	ob_txn_rcpt: 1 accepted, 0 not; *res is the reply for the MTA.
 * STANDARDS
 *	RFC 2033 (LMTP), RFC 5321 3.3, 4.5.3.1.8 (recipients per transaction),
 *	RFC 8689 4.2.1, 5 (REQUIRETLS, TLS-Required).
 */
#ifndef MXG_OUTBOUND_TXN_H
#define MXG_OUTBOUND_TXN_H

#include "outbound/session_out.h"

#define OB_TXN_MAX_RCPTS 1000

struct ob_rcpt {
    char *addr;
    char *params;		/* NOTIFY=/ORCPT= as given */
    struct ob_out *out;
    struct ob_result res;	/* the RCPT reply, later the final one */
    int accepted;
    int late;			/* refused when its destination was reopened for the
				   message's REQUIRETLS mode: res is that refusal */
    int pending;		/* the destination failed on TLS policy: accepted until
				   the header says whether TLS-Required: No applies */
};

struct ob_txn {
    struct ob_settings *set;
    int lmtp;
    char queue_id[32];
    struct ob_env env;
    char *sender, *ret, *envid;
    struct ob_rcpt *rcpts;
    size_t nrcpts, naccepted;
    struct ob_out **outs;
    size_t nouts;
    long long t_start;
    /* the MTA's RCPTs (and DATA) after the current one, already received */
    void (*ahead)(void *ctx, struct ob_ahead *a_r);
    void *ahead_ctx;
};

void ob_txn_begin(struct ob_txn *t, struct ob_settings *s, int lmtp, const char *queue_id);
int ob_txn_rcpt(struct ob_txn *t, const char *addr, const char *params, struct ob_result *res);
void ob_txn_data(struct ob_txn *t, struct ob_spool *sp, struct ob_io *mta);
void ob_txn_end(struct ob_txn *t);
void ob_ahead_add(struct ob_ahead *a, const char *addr, const char *params);
void ob_ahead_free(struct ob_ahead *a);

#endif
