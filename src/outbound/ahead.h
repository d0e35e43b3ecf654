/*
 * NAME
 *	ahead - the MTA's commands: RCPT arguments and pipelined look-ahead
 * SYNOPSIS
 *	#include "outbound/ahead.h"
 *
 *	const char *ob_mta_path(const char *arg, char **addr_r);
 *	int ob_mta_rcpt_parse(const char *arg, char **addr_r, struct buf *params,
 *			      struct buf *err_r);
 *	void ob_ahead_scan(const char *data, size_t len, size_t line_max,
 *			   struct ob_ahead *a);
 * DESCRIPTION
 *	ob_mta_path() parses "<addr>" after FROM:/TO: (a source route is
 *	accepted and dropped, RFC 5321 4.1.2) and returns the rest (the
 *	parameters), or NULL for a syntax error; *addr_r is allocated.
 *
 *	ob_mta_rcpt_parse() is the argument of RCPT: "TO:<local@domain>" and
 *	only NOTIFY= and ORCPT= parameters, copied to params joined by single
 *	spaces; otherwise the MTA's error reply goes to *err_r.
 *
 *	ob_ahead_scan() reads input the MTA already sent (pipelining, RFC
 *	2920) and has not been processed: the complete lines at the start of
 *	data that are RCPT commands which ob_mta_rcpt_parse() accepts, added
 *	to a in order (txn.h ob_ahead_add), and a->data = 1 when a DATA line
 *	follows them. It stops at the first other line, an incomplete one, or
 *	one of line_max bytes or more: those are left to the command loop, so
 *	the list never holds a recipient the loop would refuse.
 * DIAGNOSTICS
 *	ob_mta_rcpt_parse: 0 ok, -1 with *err_r (*addr_r may be set: free it).
 * STANDARDS
 *	RFC 5321 4.1.1.3, 4.1.2; RFC 3461 (NOTIFY, ORCPT); RFC 2920.
 */
#ifndef MXG_OUTBOUND_AHEAD_H
#define MXG_OUTBOUND_AHEAD_H

#include <stddef.h>
#include "outbound/txn.h"
#include "util/buf.h"

const char *ob_mta_path(const char *arg, char **addr_r);
int ob_mta_rcpt_parse(const char *arg, char **addr_r, struct buf *params, struct buf *err_r);
void ob_ahead_scan(const char *data, size_t len, size_t line_max, struct ob_ahead *a);

#endif
