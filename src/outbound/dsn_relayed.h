/*
 * NAME
 *	dsn_relayed - the "relayed" DSN for next hops without DSN
 * SYNOPSIS
 *	#include "outbound/dsn_relayed.h"
 *
 *	int ob_dsn_relayed_wanted(const struct ob_rcpt *r);
 *	size_t ob_dsn_relayed_build(const struct ob_txn *t, struct ob_spool *sp,
 *				    time_t now, struct buf *out);
 *	void ob_dsn_relayed_send(const struct ob_txn *t, struct ob_spool *sp);
 * DESCRIPTION
 *	RFC 3461 4.2 and 6.2: a recipient whose NOTIFY contains SUCCESS,
 *	delivered to a next hop that does not announce DSN, gets a
 *	"relayed" notification from the relaying MTA. The MTA cannot send
 *	it: the proxy announced DSN to it (it cannot know the next hop at
 *	LHLO time), so Postfix drops SUCCESS from what it keeps, trusting
 *	the proxy to pass NOTIFY on. The proxy therefore sends it itself,
 *	once the next hop said 250 at the end of DATA.
 *
 *	ob_dsn_relayed_wanted() is true for such a recipient: final reply
 *	2xx, its destination without DSN, NOTIFY with SUCCESS.
 *
 *	ob_dsn_relayed_build() writes one RFC 3464 report for all such
 *	recipients of the transaction (multipart/report: a text part, the
 *	message/delivery-status part with Reporting-MTA, Original-Envelope-Id
 *	(ENVID as given), Arrival-Date, and per recipient Original-Recipient
 *	(ORCPT as given), Final-Recipient, Action: relayed, Status, Remote-MTA,
 *	Diagnostic-Code; then the message's header as text/rfc822-headers:
 *	only headers, as RFC 3461 4.3 asks of a notification without
 *	failure), From MAILER-DAEMON@ the helo name, To the envelope sender,
 *	Auto-Submitted: auto-replied. It returns the number of recipients
 *	reported (0: nothing written: no such recipient, or a null sender).
 *
 *	ob_dsn_relayed_send() pipes that report to outbound.dsn_sendmail with
 *	-f '<>' added (a null envelope sender: a notification never causes
 *	another), and logs one line per notice; a failure is logged (the
 *	mail itself is delivered: nothing else can be done).
 * STANDARDS
 *	RFC 3461 4.2, 4.3, 6.2; RFC 3464; RFC 3834 (Auto-Submitted).
 */
#ifndef MXG_OUTBOUND_DSN_RELAYED_H
#define MXG_OUTBOUND_DSN_RELAYED_H

#include <time.h>

#include "outbound/txn.h"

int ob_dsn_relayed_wanted(const struct ob_rcpt *r);
size_t ob_dsn_relayed_build(const struct ob_txn *t, struct ob_spool *sp, time_t now,
			    struct buf *out);
void ob_dsn_relayed_send(const struct ob_txn *t, struct ob_spool *sp);

#endif
