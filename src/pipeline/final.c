/*
 * NAME
 *	final.c - the header block as delivered, for the checks that sign it
 * SYNOPSIS
 *	#include "pipeline/check.h"
 *
 *	const struct mail_hdrs *check_final_hdrs(struct check_msg *m);
 *	void *check_shared(struct check_msg *m, const char *name,
 *			   void *(*make)(struct check_msg *m),
 *			   void (*destroy)(void *obj));
 *	(pipeline_int.h) void pipeline_final_hooks(struct pipeline_conn *pc,
 *						   struct verdict *v);
 *	void pipeline_shared_free(struct check_msg *m);
 * DESCRIPTION
 *	Signing and sealing happen after everything else changed the
 *	header: our Authentication-Results, the modules' fields and the
 *	rules' changes. pipeline_final_hooks() (eom, once the header changes
 *	are in v) runs every module's on_final hook in module order; a
 *	hook reads check_final_hdrs(): the received header block with the
 *	changes made so far applied in the order a milter front end applies
 *	them (removals by occurrence among the received fields, then
 *	changes, then additions and insertions in order), and the fields
 *	earlier on_final hooks added (so an ARC seal covers a DKIM
 *	signature made just before it). The view is built on first use and
 *	rebuilt after a hook added a field.
 *
 *	check_shared() gives the modules of one message a common object
 *	(the body hashes DKIM and ARC share): the first caller's make(m)
 *	creates it (and may register it as a body consumer), later
 *	callers get the same pointer; destroy runs at the end of the
 *	message, after every module's msg_end.
 * DIAGNOSTICS
 *	check_final_hdrs: NULL outside on_final. check_shared: the object.
 * STANDARDS
 *	RFC 6376 5.4 (the signer signs the message as sent), RFC 8617 5.1.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/header.h"
#include "pipeline/pipeline_int.h"
#include "util/xmalloc.h"

struct pipeline_shared {
    const char *name;
    void *obj;
    void (*destroy)(void *obj);
};

struct final_field {
    const char *name;
    const char *value;			/* raw value */
    size_t value_len;
};

/* final_nth - index of the nth (1-based) field named name, or -1 */
static long final_nth(const struct final_field *f, size_t n, const char *name, int nth)
{
    for (size_t i = 0; i < n; i++)
	if (f[i].name && strcasecmp(f[i].name, name) == 0 && --nth == 0)
	    return (long) i;
    return -1;
}

/* final_remove - a removal: one occurrence, or every one (index 0) */
static void final_remove(struct final_field *f, size_t n, const struct verdict_hdr *h)
{
    long i;

    if (h->index > 0) {
	if ((i = final_nth(f, n, h->name, h->index)) >= 0)
	    f[i].name = NULL;		/* gone; later occurrences keep their numbers */
	return;
    }
    for (size_t k = 0; k < n; k++)
	if (f[k].name && strcasecmp(f[k].name, h->name) == 0)
	    f[k].name = NULL;
}

/* final_build - received fields with the changes of ops applied */
static struct mail_hdrs *final_build(const struct mail_hdrs *in, const struct verdict *ops)
{
    size_t n = mail_hdrs_count(in), cap = n + ops->nhdrs + 1, k;
    struct final_field *f = xcalloc(cap, sizeof(*f));
    struct mail_hdrs *out = mail_hdrs_alloc((size_t) -1, (size_t) -1);
    const char *why;
    long i;

    for (k = 0; k < n; k++) {
	const struct mail_hdr *h = mail_hdrs_at(in, k);

	if (h->has_colon) {
	    f[k].name = h->name;
	    f[k].value = h->value;
	    f[k].value_len = h->value_len;
	}
    }
    for (k = 0; k < ops->nhdrs; k++)	/* removals count among received fields */
	if (ops->hdrs[k].op == VERDICT_HDR_REMOVE)
	    final_remove(f, n, &ops->hdrs[k]);
    for (k = 0; k < ops->nhdrs; k++) {
	const struct verdict_hdr *h = &ops->hdrs[k];

	if (h->op == VERDICT_HDR_CHANGE
	    && (i = final_nth(f, n, h->name, h->index > 0 ? h->index : 1)) >= 0) {
	    f[i].value = h->value ? h->value : "";
	    f[i].value_len = strlen(f[i].value);
	}
    }
    for (k = 0; k < ops->nhdrs; k++) {
	const struct verdict_hdr *h = &ops->hdrs[k];
	size_t at = n, live = 0;

	if (h->op != VERDICT_HDR_ADD && h->op != VERDICT_HDR_INSERT)
	    continue;
	if (h->op == VERDICT_HDR_INSERT)	/* index counts the fields still there */
	    for (at = 0; at < n && (live < (size_t) h->index || f[at].name == NULL); at++)
		live += f[at].name != NULL;
	memmove(f + at + 1, f + at, (n - at) * sizeof(*f));
	f[at].name = h->name;
	f[at].value = h->value ? h->value : "";
	f[at].value_len = strlen(f[at].value);
	n++;
    }
    for (k = 0; k < n; k++)
	if (f[k].name)
	    (void) mail_hdrs_add_raw(out, f[k].name, strlen(f[k].name), f[k].value,
				     f[k].value_len, &why);	/* no limits */
    free(f);
    return out;
}

/* check_final_hdrs - the header block as it will be delivered (on_final only) */
const struct mail_hdrs *check_final_hdrs(struct check_msg *m)
{
    if (m->final_ops == NULL || m->hdrs == NULL)
	return NULL;
    if (m->final == NULL)
	m->final = final_build(m->hdrs, m->final_ops);
    return m->final;
}

/* pipeline_final_hooks - every module's on_final; their fields join v */
void pipeline_final_hooks(struct pipeline_conn *pc, struct verdict *v)
{
    const struct pipeline *p = pc->p;
    struct check_msg *m = &pc->msg;

    m->final_ops = v;
    for (size_t i = 0; i < p->nmods; i++) {
	size_t before = m->hdr_ops.nhdrs;

	if (p->mods[i]->on_final == NULL)
	    continue;
	m->cur = i;
	(void) p->mods[i]->on_final(p->states[i], m);
	for (size_t k = before; k < m->hdr_ops.nhdrs; k++)
	    verdict_add_header(v, m->hdr_ops.hdrs[k].op, m->hdr_ops.hdrs[k].name,
			       m->hdr_ops.hdrs[k].value, m->hdr_ops.hdrs[k].index);
	if (m->hdr_ops.nhdrs != before)
	    mail_hdrs_free(&m->final);	/* rebuilt with the new fields */
    }
    m->final_ops = NULL;
    mail_hdrs_free(&m->final);
}

/* check_shared - the message's object called name, made by the first caller */
void *check_shared(struct check_msg *m, const char *name, void *(*make)(struct check_msg *m),
		   void (*destroy)(void *obj))
{
    struct pipeline_shared *s;

    for (size_t i = 0; i < m->nshared; i++)
	if (strcmp(m->shared[i].name, name) == 0)
	    return m->shared[i].obj;
    m->shared = xrealloc(m->shared, (m->nshared + 1) * sizeof(*m->shared));
    s = &m->shared[m->nshared++];
    s->name = name;
    s->destroy = destroy;
    s->obj = NULL;
    s->obj = make(m);
    return s->obj;
}

/* pipeline_shared_free - destroy the message's shared objects */
void pipeline_shared_free(struct check_msg *m)
{
    for (size_t i = 0; i < m->nshared; i++)
	if (m->shared[i].destroy && m->shared[i].obj)
	    m->shared[i].destroy(m->shared[i].obj);
    free(m->shared);
    m->shared = NULL;
    m->nshared = 0;
    mail_hdrs_free(&m->final);
}
