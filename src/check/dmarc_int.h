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
 *
 *	struct dmarc_history *dmarc_history_new(struct store *store, const char *file);
 *	void dmarc_history_free(struct dmarc_history **hp);
 *	void dmarc_history_add(struct dmarc_history *h, const struct dmarc_hist_rec *r);
 *	void dmarc_history_flush(struct dmarc_history *h);
 *	void dmarc_history_counts(struct dmarc_history *h, unsigned long long *written_r,
 *				  unsigned long long *failed_r, unsigned long long *dropped_r);
 *	void dmarc_history_line(const struct dmarc_hist_rec *r, struct buf *out);
 *	void dmarc_history_opendmarc(const struct dmarc_hist_rec *r, struct buf *out);
 * DESCRIPTION
 *	See dmarc_arc.c and dmarc_history.c.
 */
#ifndef MXG_CHECK_DMARC_INT_H
#define MXG_CHECK_DMARC_INT_H
#include <stddef.h>
#include "check/dmarc.h"
#include <time.h>
#include "mail/header.h"
#include "util/buf.h"

#define DMARC_HIST_PREFIX	"dmarc:rec:"	/* + "YYYY-MM-DD:domain" */

/* one message's history record */
struct dmarc_hist_rec {
    time_t  when;
    const char *queue_id, *reporter;
    const char *ip, *from, *mfrom, *pdomain;
    int     p, sp, adkim, aspf, pct;	/* as in struct dmarc_record */
    int     disposition;		/* applied: 'n' 'q' 'r' */
    const char *result;			/* "pass" or "fail" */
    int     dkim_aligned, spf_aligned, arc_pass;
    const char *spf_result, *spf_domain;
    const char *dkim;			/* "d:s:result,..." or NULL */
    const char *reason;			/* override, or NULL */
    const char *rua;
    int     np;				/* as in struct dmarc_record */
    int     testing;			/* t=y */
    const char *fo;			/* as published, or NULL */
    int     treewalk;			/* found by the RFC 9989 tree walk */
    int     domain_policy;		/* the policy that applied: 'n' 'q' 'r', 0 */
};

struct store;
struct dmarc_history;

int dmarc_aar_vouches(const char *value, size_t len, const char *from_domain,
		      const char *from_org, int *instance_r);
const char *dmarc_arc_override(const struct mail_hdrs *hdrs, const char *arc_state,
			       const char *arc_domains, const char *const *trusted,
			       size_t ntrusted, const char *from_domain, const char *from_org,
			       char *sealer, size_t sealer_len);

struct dmarc_history *dmarc_history_new(struct store *store, const char *file);
void dmarc_history_free(struct dmarc_history **hp);
void dmarc_history_add(struct dmarc_history *h, const struct dmarc_hist_rec *r);
void dmarc_history_flush(struct dmarc_history *h);
void dmarc_history_counts(struct dmarc_history *h, unsigned long long *written_r,
			  unsigned long long *failed_r, unsigned long long *dropped_r);
void dmarc_history_line(const struct dmarc_hist_rec *r, struct buf *out);
void dmarc_history_opendmarc(const struct dmarc_hist_rec *r, struct buf *out);

#endif
