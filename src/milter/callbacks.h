/*
 * NAME
 *	callbacks - mxguardd's libmilter callbacks
 * SYNOPSIS
 *	#include "milter/callbacks.h"
 *
 *	void milter_callbacks_desc(struct smfiDesc *r);
 *	sfsistat milter_internal_error(const struct conf *c);
 * DESCRIPTION
 *	milter_callbacks_desc() fills the descriptor for smfi_register().
 *	The callbacks only copy what the MTA sends into the pipeline
 *	(pipeline/pipeline.h) and apply its verdicts (milter/apply.h):
 *	connect -> pipeline_conn_new + pipeline_connect, helo, MAIL FROM
 *	(sender without <>, {auth_authen}, queue id i when the MTA sent it),
 *	each RCPT TO (a refusal refuses that recipient only), every header,
 *	end of headers, body chunks (SMFIS_SKIP once the message passed
 *	milter.max_message_size, when the MTA offers SKIP), end of message
 *	(headers, recipients, quarantine, reply), abort and close.
 *
 *	A connection takes the current pipeline (milter/live.h) when it
 *	opens and again at each MAIL FROM: after a reload the next message
 *	runs on the new pipeline (connect and HELO are replayed on it), while
 *	a message in flight finishes on the one it started with. While
 *	draining (SIGTERM) a new MAIL FROM gets 451 4.3.2, so the MTA keeps
 *	the message.
 *
 *	Negotiation (from pipeline_needs() of the pipeline current at that
 *	moment): SMFIF_ADDHDRS and SMFIF_CHGHDRS always (Authentication-
 *	Results is inserted, forged ones removed), SMFIF_QUARANTINE and
 *	SMFIF_DELRCPT only when rules use them; the HELO, RCPT and body
 *	steps are turned off when nothing needs them (headers never: forged
 *	A-R removal reads them), DATA and unknown commands always;
 *	SMFIP_NR_HDR (no reply per header), SMFIP_NR_EOH (no reply at end of
 *	headers), SMFIP_NR_BODY (no reply per body chunk, when the body is
 *	needed), SMFIP_HDR_LEADSPC (values keep their leading space, as
 *	DKIM "simple" needs) and SMFIP_SKIP are taken when offered;
 *	smfi_setsymlist() names the macros wanted per stage. Without those
 *	replies the MTA sends headers, end of headers, body and end of
 *	message without waiting: one round trip per message instead of
 *	three. A failure at end of headers (an internal error) is then
 *	answered at end of message, with the same action and text, and the
 *	message is dropped from the pipeline; chunks of a message past
 *	milter.max_message_size are read and ignored instead of skipped.
 *	A connection negotiated before a reload keeps its actions: a new rule
 *	needing quarantine or recipient deletion applies to new connections.
 *
 *	milter_internal_error() maps milter.on_internal_error (accept,
 *	tempfail, reject) to the reply for a failure of our own: a callback
 *	without its context, a pipeline call reporting an internal error, an
 *	action the MTA refused.
 * DIAGNOSTICS
 *	Callbacks answer what the verdict says (SMFIS_CONTINUE to go on;
 *	SMFIS_NOREPLY for headers, end of headers and body chunks when
 *	negotiated, SMFIS_SKIP for the body of an oversize message
 *	otherwise).
 * STANDARDS
 *	Sendmail milter protocol version 6 (libmilter 8.14+).
 */
#ifndef MXG_MILTER_CALLBACKS_H
#define MXG_MILTER_CALLBACKS_H

#include <libmilter/mfapi.h>

struct conf;

void milter_callbacks_desc(struct smfiDesc *r);
sfsistat milter_internal_error(const struct conf *c);

#endif
