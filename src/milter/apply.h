/*
 * NAME
 *	apply - turn a pipeline verdict into libmilter replies and actions
 * SYNOPSIS
 *	#include "milter/apply.h"
 *
 *	sfsistat milter_apply_stage(SMFICTX *ctx, struct milter_conn *conn,
 *				    const struct verdict *v, const char *stage);
 *	sfsistat milter_apply_eom(SMFICTX *ctx, struct milter_conn *conn,
 *				  const struct verdict *v);
 *	int milter_apply_reply(SMFICTX *ctx, const struct verdict *v);
 * DESCRIPTION
 *	milter_apply_stage() answers a stage before end of message (connect,
 *	helo, mail, rcpt, eoh) as pipeline.h defines the verdicts: CONTINUE
 *	goes on; ACCEPT at connect or helo passes the whole connection
 *	unchecked, at mail or rcpt this message (SMFIS_ACCEPT; no further
 *	callback, so no header changes); REJECT and TEMPFAIL set the SMTP reply and answer
 *	SMFIS_REJECT / SMFIS_TEMPFAIL (at rcpt that refuses that recipient
 *	only, as libmilter defines it); DISCARD discards the message (at
 *	connect or helo: every message of the connection, at its MAIL FROM);
 *	QUARANTINE is remembered and applied at end of message, the only
 *	stage where libmilter allows it.
 *
 *	milter_apply_eom() applies the end-of-message verdict: REJECT and
 *	TEMPFAIL reply as above (no header changes); DISCARD drops the
 *	message; otherwise the header operations, recipient deletions and a
 *	quarantine (this verdict's or one remembered from an earlier stage)
 *	are sent, then the message is accepted. Header operations are sent
 *	removals first, each name's occurrences from the highest index down,
 *	then changes, then additions and insertions in the verdict's order:
 *	so every removal index means the position among the headers the MTA
 *	sent, never one shifted by our own insertion (an inserted
 *	Authentication-Results at index 0 would otherwise become occurrence
 *	1 of that name). A removal with index 0 removes every occurrence the
 *	MTA sent (milter_conn counts them per name).
 *
 *	milter_apply_reply() sets the reply of a reject/tempfail verdict:
 *	smfi_setreply for one line, smfi_setmlreply when the text has
 *	several lines ('\n' separated, at most VERDICT_MAX_LINES).
 * DIAGNOSTICS
 *	A failing smfi_* call is logged; for a reply the MTA's default text
 *	is used, for a header action the message gets
 *	milter.on_internal_error. milter_apply_reply: 0 ok, -1 failed.
 * STANDARDS
 *	Sendmail milter API (smfi_setreply, smfi_setmlreply, smfi_insheader,
 *	smfi_addheader, smfi_chgheader, smfi_delrcpt, smfi_quarantine).
 *	RFC 5321 section 4.2 (replies), RFC 3463 (enhanced status codes).
 */
#ifndef MXG_MILTER_APPLY_H
#define MXG_MILTER_APPLY_H

#include <libmilter/mfapi.h>

#include "policy/verdict.h"

struct milter_conn;

sfsistat milter_apply_stage(SMFICTX *ctx, struct milter_conn *conn, const struct verdict *v,
			    const char *stage);
sfsistat milter_apply_eom(SMFICTX *ctx, struct milter_conn *conn, const struct verdict *v);
int milter_apply_reply(SMFICTX *ctx, const struct verdict *v);

#endif
