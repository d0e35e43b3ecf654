/*
 * NAME
 *	events - the events mxguard-outbound emits (src/event)
 * SYNOPSIS
 *	#include "outbound/events.h"
 *
 *	extern const struct fact_table ob_fact_table;
 *	int ob_event(struct ob_out *o, const char *name, const char *data,
 *		     const char *rcpt, int depth, struct buf *result_r);
 * DESCRIPTION
 *	ob_event() fires one event of events.actions for a next-hop
 *	conversation, with these variables (besides the core queue_id,
 *	sender_address, recipient, recipient_domain and $event_data):
 *	  host, host_address, host_port   the next hop being talked to
 *	  tls_out_version, tls_out_cipher  after STARTTLS
 *	  tls_out_dane                    yes when DANE authenticated it
 *	  tls_out_tlsa_usage              bit N set: a usage-N TLSA record
 *	                                  matched (8 = DANE-EE, 4 = DANE-TA)
 *	  tls_out_cert_depth, tls_out_cert_subject   tls:cert only
 *	  delivery_reply                  the reply given to the MTA
 *	The events and their data:
 *	  tcp:connect        IP:port before connecting; a sync result means
 *	                     do not connect (next address)
 *	  smtp:connect       the greeting; a sync result closes (next host)
 *	  tls:cert           once per certificate of the chain, deepest
 *	                     first; a sync result refuses the connection
 *	  msg:delivery       per recipient the next hop took (final reply)
 *	  msg:fail:delivery  per recipient refused for good (5xx)
 *	  msg:host:defer     a host failed temporarily (the reason)
 *	  tcp:close          the connection closes
 *	Without events.actions (bus NULL) nothing is built.
 * DIAGNOSTICS
 *	1 when a sync action returned a non-empty result (in *result_r,
 *	which may be NULL), else 0.
 */
#ifndef MXG_OUTBOUND_EVENTS_H
#define MXG_OUTBOUND_EVENTS_H

#include "policy/facts.h"
#include "util/buf.h"

struct ob_out;

extern const struct fact_table ob_fact_table;

int ob_event(struct ob_out *o, const char *name, const char *data, const char *rcpt,
	     int depth, struct buf *result_r);

#endif
