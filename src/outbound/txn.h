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
 * DESCRIPTION
 *	Recipients are grouped by destination (their domain, or one group
 *	when outbound.relay_host is set); each destination has one next-hop
 *	conversation (session_out.h), opened at its first recipient, so the
 *	reply to each RCPT is the next hop's own reply to that RCPT: the MTA
 *	never gets a 250 for a recipient the next hop has not accepted.
 *	In SMTP mode a transaction has one destination; a recipient of
 *	another gets 452 4.5.3 and the MTA sends it in a new transaction.
 *
 *	ob_txn_data() sends the spooled message to every destination with an
 *	accepted recipient, in parallel (one thread per extra destination),
 *	then queues the replies for the MTA: in LMTP one per accepted
 *	recipient, in order (RFC 2033 4.2); in SMTP the one destination's
 *	final reply. It logs one Postfix-style line per recipient.
 *
 *	ob_txn_end() closes the conversations: those that never reached the
 *	final dot (the MTA vanished, RSET, a failed DATA) are abandoned, so
 *	the next hop discards the transaction.
 * DIAGNOSTICS
 *	ob_txn_rcpt: 1 accepted, 0 not; *res is the reply for the MTA.
 * STANDARDS
 *	RFC 2033 (LMTP), RFC 5321 3.3, 4.5.3.1.8 (recipients per transaction).
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
};

void ob_txn_begin(struct ob_txn *t, struct ob_settings *s, int lmtp, const char *queue_id);
int ob_txn_rcpt(struct ob_txn *t, const char *addr, const char *params, struct ob_result *res);
void ob_txn_data(struct ob_txn *t, struct ob_spool *sp, struct ob_io *mta);
void ob_txn_end(struct ob_txn *t);

#endif
