/*
 * NAME
 *	session - mxguardd serves each MTA connection in a thread of its own
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	void milter_session_setup(int timeout_s, sfsistat (*close_cb)(SMFICTX *));
 * DESCRIPTION
 *	session.c replaces libmilter's worker pool (see there why).
 *	milter_session_setup() gives it the idle timeout (milter.timeout_s)
 *	and the close callback for idle connections; call it once before
 *	smfi_main().
 * DIAGNOSTICS
 *	None.
 * STANDARDS
 *	Sendmail libmilter.
 */
#ifndef MXG_MILTER_SESSION_H
#define MXG_MILTER_SESSION_H
#include <libmilter/mfapi.h>

void milter_session_setup(int timeout_s, sfsistat (*close_cb)(SMFICTX *));

#endif
