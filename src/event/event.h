/*
 * NAME
 *	event - named events and the actions configured for them (log, redis, exec, lmdb)
 * SYNOPSIS
 *	#include "event/event.h"
 *
 *	extern const struct fact_table event_fact_table;
 *	int event_name_valid(const char *pattern);
 *
 *	struct event_bus *event_bus_new(const struct conf *c,
 *					const struct fact_table *const *tables,
 *					struct buf *errors_r);
 *	void event_bus_free(struct event_bus **bp);
 *	int event_fire(struct event_bus *b, const char *name, const char *data,
 *		       struct facts *f, struct buf *result_r);
 *	void event_msg_end(struct event_bus *b, struct facts *f,
 *			   const struct verdict *v);
 *	void event_json(struct buf *out, const struct facts *f);
 *	void event_bus_stats(struct event_bus *b, struct event_stats *st);
 * DESCRIPTION
 *	Events are named as in Exim: "smtp:connect", "msg:reject", ...
 *	(the milter's and the outbound proxy's names, see mxguard.conf(5)).
 *	events.actions is a list of groups, each with "on" (event names, or
 *	prefixes ending in ':' such as "msg:", or "*") and one sink:
 *	  log   = "template"              one line through msg_info
 *	  redis = "CMD arg $var ..." | [ "CMD", "arg", "$var", ... ]
 *	                                   each word or element is expanded
 *	                                   on its own and sent as ONE argument
 *	                                   (store_command: binary safe, so no
 *	                                   value can add or split arguments)
 *	  exec  = "/path" | [ "/path", "arg", ... ]
 *	                                   run with the event's variables in
 *	                                   its environment and $event_json on
 *	                                   standard input
 *	  lmdb  = "key template"           $event_json and a newline appended
 *	                                   to that key of store.lmdb
 *	and optionally timeout_ms (default 5000), sync (default false) and,
 *	for redis, server ("host:port[/db]", default store.redis).
 *	Templates are compiled once (expand.h) against tables plus
 *	event_fact_table ($event_name, $event_data, $event_json).
 *
 *	event_fire() expands every matching action in the calling thread
 *	(facts die with the message; the worker only does I/O). Actions
 *	with sync = false are queued for the bus's worker thread: a bounded
 *	queue (events.queue_max jobs); when it is full the job is dropped
 *	and counted, and the count is logged at the first drop and then at
 *	most once a minute, and at the end. Actions with sync = true run in
 *	the calling thread within their timeout_ms; the first non-empty
 *	result (exec: the first line of its output; redis: a string or
 *	integer reply) goes to *result_r and event_fire returns 1: for
 *	smtp:connect the caller refuses the connection with that text.
 *	A NULL bus fires nothing.
 *
 *	event_msg_end() fires the end-of-message events of the message's
 *	verdict v, in order: the check failures (spf:fail, dcc:fail,
 *	arc:fail, dmarc:fail: the fact spf, dcc, arc_state or dmarc is
 *	"fail"), dns:fail (some fact is "temperror"), msg:ACTION (accept,
 *	reject, tempfail, discard, quarantine; event_data the SMTP reply
 *	"550 5.7.1 text" or the quarantine reason) and msg:complete
 *	(event_data the action).
 *
 *	event_bus_free() stops the worker: it delivers what is queued for at
 *	most EVENT_DRAIN_MS more, drops the rest (counted), and logs the
 *	totals when anything was dropped or failed.
 * DIAGNOSTICS
 *	event_bus_new: NULL when events.actions has errors ("FILE:LINE:
 *	events.actions: what" lines appended to *errors_r), or when no
 *	action is configured (no error then).
 *	event_fire: 1 a sync action gave a result, 0 otherwise.
 *	event_name_valid: 1 a known name, prefix or "*", 0 not.
 * STANDARDS
 *	Exim's event_action (spec chapter "Events").
 */
#ifndef MXG_EVENT_EVENT_H
#define MXG_EVENT_EVENT_H
#include <stddef.h>
#include "policy/facts.h"
#include "util/buf.h"

#define EVENT_DRAIN_MS		5000
#define EVENT_DEFAULT_TIMEOUT_MS 5000

struct conf;
struct event_bus;

struct event_stats {
    unsigned long long queued;		/* jobs given to the worker */
    unsigned long long done;		/* delivered (async and sync) */
    unsigned long long failed;		/* a sink failed or timed out */
    unsigned long long dropped;		/* queue full or not delivered at the end */
};

extern const struct fact_table event_fact_table;
int event_name_valid(const char *pattern);

struct event_bus *event_bus_new(const struct conf *c, const struct fact_table *const *tables,
				struct buf *errors_r);
void event_bus_free(struct event_bus **bp);
int event_fire(struct event_bus *b, const char *name, const char *data, struct facts *f,
	       struct buf *result_r);
struct verdict;
void event_msg_end(struct event_bus *b, struct facts *f, const struct verdict *v);
void event_json(struct buf *out, const struct facts *f);
void event_bus_stats(struct event_bus *b, struct event_stats *st);

#endif
