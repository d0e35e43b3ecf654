/*
 * NAME
 *	dmarc_int - internals shared by the DMARC check's files
 * SYNOPSIS
 *	#include "check/dmarc_int.h"
 *
 *	int dmarc_aar_vouches(const char *value, size_t len, const char *from_domain,
 *			      const char *from_org, int *instance_r);
 *	const char *dmarc_arc_override(const struct mail_hdrs *hdrs,
 *				       const char *arc_state, const char *arc_domains,
 *				       const char *const *trusted, size_t ntrusted,
 *				       const char *from_domain, const char *from_org,
 *				       char *sealer, size_t sealer_len);
 * DESCRIPTION
 *	See dmarc_arc.c.
 */
#ifndef MXG_CHECK_DMARC_INT_H
#define MXG_CHECK_DMARC_INT_H
#include <stddef.h>
#include "check/dmarc.h"
#include "mail/header.h"

int dmarc_aar_vouches(const char *value, size_t len, const char *from_domain,
		      const char *from_org, int *instance_r);
const char *dmarc_arc_override(const struct mail_hdrs *hdrs, const char *arc_state,
			       const char *arc_domains, const char *const *trusted,
			       size_t ntrusted, const char *from_domain, const char *from_org,
			       char *sealer, size_t sealer_len);

#endif
