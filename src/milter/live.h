/*
 * NAME
 *	live - mxguardd's current pipeline and its in-flight message count
 * SYNOPSIS
 *	#include "milter/live.h"
 *
 *	void milter_live_install(struct pipeline *p);
 *	struct pipeline *milter_live_pipeline(void);
 *	int milter_live_msg_begin(void);
 *	void milter_live_msg_end(void);
 *	void milter_live_msg_end_after_reply(void);
 *	void milter_live_defer(int on);
 *	void milter_live_flush(void);
 *	void milter_live_drain_start(void);
 *	int milter_live_draining(void);
 *	unsigned milter_live_wait(int timeout_ms);
 * DESCRIPTION
 *	milter_live_msg_end_after_reply() is what callbacks call: a message
 *	must leave the count only once the reply of the command that ended
 *	it has been written, or a drain that sees no message left would exit
 *	the process before that reply. In a thread that called
 *	milter_live_defer(1) (mxguardd's session threads, milter/session.h)
 *	the end is kept until that thread calls milter_live_flush() (after
 *	each reply, and when its connection ends); elsewhere it counts at
 *	once.
 *
 *	The one piece of shared mutable state of the milter threads, behind
 *	one mutex. milter_live_install() makes p (whose reference it takes
 *	over; NULL drops the current one) the pipeline new messages use; a
 *	reload installs a new one, and connections already in a message
 *	keep the reference they took, so in-flight messages finish on the
 *	snapshot they started with. milter_live_pipeline() returns a new
 *	reference to the current pipeline, or NULL when none is installed.
 *
 *	Draining (SIGTERM): milter_live_msg_begin() counts a message from
 *	MAIL FROM to its end (eom, abort, close), milter_live_msg_end()
 *	uncounts it. After milter_live_drain_start() no new message may
 *	begin (the callback answers 4xx so the MTA keeps the message), and
 *	milter_live_wait() waits until no message is in flight or timeout_ms
 *	passed.
 * DIAGNOSTICS
 *	milter_live_msg_begin: 0 counted, -1 refused because draining.
 *	milter_live_wait: the number of messages still in flight (0 = all
 *	done).
 */
#ifndef MXG_MILTER_LIVE_H
#define MXG_MILTER_LIVE_H

struct pipeline;

void milter_live_install(struct pipeline *p);
struct pipeline *milter_live_pipeline(void);
int milter_live_msg_begin(void);
void milter_live_msg_end(void);
void milter_live_msg_end_after_reply(void);
void milter_live_defer(int on);
void milter_live_flush(void);
void milter_live_drain_start(void);
int milter_live_draining(void);
unsigned milter_live_wait(int timeout_ms);

#endif
