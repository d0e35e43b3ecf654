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
 *	The callbacks only copy what the MTA sends into the connection and
 *	message context (ctx.h) and let every message through: the checks of
 *	the pipeline (a later issue) plug in at eom. Negotiation asks for
 *	the actions later stages need (add/change headers, quarantine), turns
 *	off the steps we never use (DATA, unknown commands), asks for no
 *	per-header reply (SMFIP_NR_HDR: one round trip less per header),
 *	for header values with their leading space (SMFIP_HDR_LEADSPC, which
 *	DKIM "simple" canonicalization needs) and for SMFIS_SKIP (stop the
 *	body once a message passes milter.max_message_size), each only when
 *	the MTA offers it, and it names the macros wanted per stage with
 *	smfi_setsymlist().
 *
 *	milter_internal_error() maps milter.on_internal_error (accept,
 *	tempfail, reject) to the reply for a failure of our own, e.g. a
 *	callback without its context.
 * DIAGNOSTICS
 *	Callbacks reply SMFIS_CONTINUE (SMFIS_NOREPLY for headers when
 *	negotiated, SMFIS_SKIP for the body of an oversize message).
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
