/*
 * NAME
 *	apply.c - pipeline verdicts as libmilter replies and actions (see apply.h)
 */
#include "config.h"
#include "milter/apply.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "milter/callbacks.h"
#include "milter/ctx.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define QID(conn)	((conn)->msg.queue_id ? (conn)->msg.queue_id : "NOQUEUE")

/* milter_apply_reply - smfi_setreply or smfi_setmlreply for the verdict's text */
int milter_apply_reply(SMFICTX *ctx, const struct verdict *v)
{
    char *lines[VERDICT_MAX_LINES + 1];
    char *copy, *p;
    const char *x;
    size_t n = 0;
    int r;

    if (v->rcode[0] == 0)
	return 0;
    x = v->xcode[0] ? v->xcode : NULL;
    copy = xstrdup(v->text ? v->text : "");
    for (p = copy; n < VERDICT_MAX_LINES; n++) {
	lines[n] = p;
	if ((p = strchr(p, '\n')) == NULL) {
	    n++;
	    break;
	}
	*p++ = 0;
    }
    if (n <= 1) {
	r = smfi_setreply(ctx, (char *) v->rcode, (char *) x, lines[0]);
    } else {
	/* libmilter stops at the first NULL: pass every slot, NULL past n */
	for (size_t i = n; i <= VERDICT_MAX_LINES; i++)
	    lines[i] = NULL;
	r = smfi_setmlreply(ctx, v->rcode, x, lines[0], lines[1], lines[2], lines[3], lines[4],
			    lines[5], lines[6], lines[7], lines[8], lines[9], lines[10],
			    lines[11], lines[12], lines[13], lines[14], lines[15], lines[16],
			    lines[17], lines[18], lines[19], lines[20], lines[21], lines[22],
			    lines[23], lines[24], lines[25], lines[26], lines[27], lines[28],
			    lines[29], lines[30], lines[31], (char *) NULL);
    }
    free(copy);
    if (r != MI_SUCCESS) {
	msg_warn("mxguardd: reply: libmilter refused \"%s %s %s\": the MTA's own text is used",
		 v->rcode, x ? x : "", v->text ? v->text : "");
	return -1;
    }
    return 0;
}

/* milter_apply_stage - answer a stage before end of message */
sfsistat milter_apply_stage(SMFICTX *ctx, struct milter_conn *conn, const struct verdict *v,
			    const char *stage)
{
    switch (v->action) {
    case VERDICT_CONTINUE:
	return SMFIS_CONTINUE;
    case VERDICT_ACCEPT:
	/* connect/helo: the whole connection; mail/rcpt: this message */
	return strcmp(stage, "eoh") == 0 ? SMFIS_CONTINUE : SMFIS_ACCEPT;
    case VERDICT_REJECT:
	(void) milter_apply_reply(ctx, v);
	return SMFIS_REJECT;
    case VERDICT_TEMPFAIL:
	(void) milter_apply_reply(ctx, v);
	return SMFIS_TEMPFAIL;
    case VERDICT_DISCARD:
	if (strcmp(stage, "connect") == 0 || strcmp(stage, "helo") == 0) {
	    conn->discard_all = 1;	/* libmilter discards messages, not connections */
	    return SMFIS_CONTINUE;
	}
	return SMFIS_DISCARD;
    case VERDICT_QUARANTINE:
	milter_ctx_set(&conn->msg.quarantine,
		       v->quarantine_reason && *v->quarantine_reason ? v->quarantine_reason
		       : "quarantined by policy");
	return SMFIS_CONTINUE;
    }
    msg_error("%s: mxguardd: %s: internal error: unknown verdict action %d", QID(conn),
	      stage, (int) v->action);
    return milter_internal_error(conn->conf);
}

/* milter_apply_cmp_remove - order removals by name, then index descending */
static int milter_apply_cmp_remove(const void *a, const void *b)
{
    const struct verdict_hdr *x = *(const struct verdict_hdr *const *) a;
    const struct verdict_hdr *y = *(const struct verdict_hdr *const *) b;
    int c = strcasecmp(x->name, y->name);

    return c ? c : (y->index > x->index) - (y->index < x->index);
}

/* milter_apply_remove - one removal: one occurrence, or every one (index 0) */
static int milter_apply_remove(SMFICTX *ctx, struct milter_conn *conn,
			       const struct verdict_hdr *h)
{
    int last = h->index > 0 ? h->index : (int) milter_msg_count_header(&conn->msg, h->name);
    int first = h->index > 0 ? h->index : 1;

    for (int i = last; i >= first; i--)
	if (smfi_chgheader(ctx, h->name, i, NULL) != MI_SUCCESS)
	    return -1;
    return 0;
}

/*
 * milter_apply_value - a header value as the MTA wants it: with
 * SMFIP_HDR_LEADSPC negotiated the MTA writes "Name:" and the value as
 * given, so the value must bring its own space; without it the MTA adds
 * ": " itself, so one leading space is dropped. Returns value or *copy_r.
 */
static const char *milter_apply_value(const struct milter_conn *conn, const char *value,
				      char **copy_r)
{
    int lead = value[0] == ' ' || value[0] == '\t';

    *copy_r = NULL;
    if (conn->proto & SMFIP_HDR_LEADSPC)
	return lead || value[0] == 0 ? value : (*copy_r = xasprintf(" %s", value));
    return value[0] == ' ' ? value + 1 : value;
}

/* milter_apply_headers - removals (highest index first), changes, additions */
static int milter_apply_headers(SMFICTX *ctx, struct milter_conn *conn,
				const struct verdict *v)
{
    const struct verdict_hdr **rm = xcalloc(v->nhdrs + 1, sizeof(*rm));
    size_t nrm = 0;
    int r = 0;

    for (size_t i = 0; i < v->nhdrs; i++)
	if (v->hdrs[i].op == VERDICT_HDR_REMOVE)
	    rm[nrm++] = &v->hdrs[i];
    qsort(rm, nrm, sizeof(*rm), milter_apply_cmp_remove);
    for (size_t i = 0; r == 0 && i < nrm; i++)
	r = milter_apply_remove(ctx, conn, rm[i]);
    free(rm);
    /* changes refer to fields as received: before any insert shifts them */
    for (int pass = 0; pass < 2; pass++)
	for (size_t i = 0; r == 0 && i < v->nhdrs; i++) {
	    const struct verdict_hdr *h = &v->hdrs[i];
	    char *copy, *val;

	    if (h->op == VERDICT_HDR_REMOVE || (h->op == VERDICT_HDR_CHANGE) != (pass == 0))
		continue;
	    val = (char *) milter_apply_value(conn, h->value ? h->value : "", &copy);
	    if (h->op == VERDICT_HDR_CHANGE)
		r = smfi_chgheader(ctx, h->name, h->index > 0 ? h->index : 1, val);
	    else if (h->op == VERDICT_HDR_ADD)
		r = smfi_addheader(ctx, h->name, val);
	    else
		r = smfi_insheader(ctx, h->index, h->name, val);
	    r = r == MI_SUCCESS ? 0 : -1;
	    free(copy);
	}
    return r;
}

/* milter_apply_eom - apply the end-of-message verdict */
sfsistat milter_apply_eom(SMFICTX *ctx, struct milter_conn *conn, const struct verdict *v)
{
    const char *reason;

    switch (v->action) {
    case VERDICT_REJECT:
    case VERDICT_TEMPFAIL:
    case VERDICT_DISCARD:
	return milter_apply_stage(ctx, conn, v, "eom");
    case VERDICT_CONTINUE:
    case VERDICT_ACCEPT:
    case VERDICT_QUARANTINE:
	break;
    }
    if (milter_apply_headers(ctx, conn, v) < 0) {
	msg_error("%s: mxguardd: eom: the MTA refused a header change"
		  " (was SMFIF_ADDHDRS/CHGHDRS negotiated?)", QID(conn));
	return milter_internal_error(conn->conf);
    }
    for (size_t i = 0; i < v->ndel_rcpts; i++)
	if (smfi_delrcpt(ctx, v->del_rcpts[i]) != MI_SUCCESS) {
	    msg_error("%s: mxguardd: eom: the MTA refused to delete recipient %s",
		      QID(conn), v->del_rcpts[i]);
	    return milter_internal_error(conn->conf);
	}
    reason = v->action == VERDICT_QUARANTINE
	? (v->quarantine_reason && *v->quarantine_reason ? v->quarantine_reason
	   : "quarantined by policy") : conn->msg.quarantine;
    if (reason != NULL && smfi_quarantine(ctx, (char *) reason) != MI_SUCCESS) {
	msg_error("%s: mxguardd: eom: the MTA refused to quarantine the message", QID(conn));
	return milter_internal_error(conn->conf);
    }
    return SMFIS_CONTINUE;
}
