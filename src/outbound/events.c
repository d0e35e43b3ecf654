/*
 * NAME
 *	events.c - outbound events: variables and the one firing function
 * DESCRIPTION
 *	See events.h.
 */
#include "config.h"
#include "outbound/events.h"

#include <stdio.h>
#include <string.h>

#include "event/event.h"
#include "outbound/session_out.h"

static const struct fact_def ob_defs[] = {
    {"host", FACT_DOMAIN, FACT_STAGE_RCPT, NULL, "outbound: the next hop's host name"},
    {"host_address", FACT_ADDR, FACT_STAGE_RCPT, NULL, "outbound: the next hop's IP address"},
    {"host_port", FACT_TEXT, FACT_STAGE_RCPT, NULL, "outbound: the next hop's port"},
    {"tls_out_version", FACT_TEXT, FACT_STAGE_RCPT, NULL, "outbound: TLS protocol used"},
    {"tls_out_cipher", FACT_TEXT, FACT_STAGE_RCPT, NULL, "outbound: TLS cipher used"},
    {"tls_out_dane", FACT_BOOL, FACT_STAGE_RCPT, NULL,
     "outbound: yes when the next hop was authenticated by DANE"},
    {"tls_out_tlsa_usage", FACT_TEXT, FACT_STAGE_RCPT, NULL,
     "outbound: bit N set when a usage-N TLSA record matched"},
    {"tls_out_cert_depth", FACT_TEXT, FACT_STAGE_RCPT, NULL,
     "outbound, tls:cert: the certificate's depth in the chain"},
    {"tls_out_cert_subject", FACT_TEXT, FACT_STAGE_RCPT, NULL,
     "outbound, tls:cert: the certificate's subject"},
    {"delivery_reply", FACT_TEXT, FACT_STAGE_DATA, NULL,
     "outbound: the reply given to the MTA for the recipient"},
};

const struct fact_table ob_fact_table = { "outbound", ob_defs,
    sizeof(ob_defs) / sizeof(ob_defs[0]) };

/* ob_event - fire one event with the conversation's variables */
int ob_event(struct ob_out *o, const char *name, const char *data, const char *rcpt,
	     int depth, struct buf *result_r)
{
    struct facts *f;
    const char *at;
    int r;

    if (o->set == NULL || o->set->events == NULL)
	return 0;
    f = facts_alloc();
    facts_set(f, FACT_MSG, "queue_id", o->queue_id);
    if (o->env != NULL)
	facts_set(f, FACT_MSG, "sender_address", o->env->sender);
    if (rcpt != NULL) {
	facts_set(f, FACT_MSG, "recipient", rcpt);
	if ((at = strrchr(rcpt, '@')) != NULL)
	    facts_set(f, FACT_MSG, "recipient_domain", at + 1);
    }
    if (o->diag.host[0]) {
	facts_set(f, FACT_MSG, "host", o->diag.host);
	facts_set(f, FACT_MSG, "host_address", o->diag.addr);
	facts_setf(f, FACT_MSG, "host_port", "%d", o->diag.port);
    }
    if (o->tls_on) {
	facts_set(f, FACT_MSG, "tls_out_version", o->tls.protocol);
	facts_set(f, FACT_MSG, "tls_out_cipher", o->tls.cipher);
	facts_set(f, FACT_MSG, "tls_out_dane", o->tls.dane ? "yes" : "no");
	facts_setf(f, FACT_MSG, "tls_out_tlsa_usage", "%u", o->tls.usage_mask);
    }
    if (depth >= 0) {
	facts_setf(f, FACT_MSG, "tls_out_cert_depth", "%d", depth);
	facts_set(f, FACT_MSG, "tls_out_cert_subject", data);
    }
    if (strncmp(name, "msg:", 4) == 0 && rcpt != NULL)
	facts_set(f, FACT_MSG, "delivery_reply", data);
    r = event_fire(o->set->events, name, data, f, result_r);
    facts_free(&f);
    return r;
}
