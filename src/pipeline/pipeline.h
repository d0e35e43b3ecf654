/*
 * NAME
 *	pipeline - the message pipeline shared by mxguardd and `mxguard check`
 * SYNOPSIS
 *	#include "pipeline/pipeline.h"
 *
 *	struct pipeline *pipeline_new(struct conf *c, struct buf *errors_r);
 *	struct pipeline *pipeline_ref(struct pipeline *p);
 *	void pipeline_unref(struct pipeline **pp);
 *	unsigned pipeline_needs(const struct pipeline *p);
 *
 *	struct pipeline_conn *pipeline_conn_new(struct pipeline *p,
 *						const struct pipeline_client *client);
 *	void pipeline_conn_free(struct pipeline_conn **cp);
 *	void pipeline_conn_set_pipeline(struct pipeline_conn *pc, struct pipeline *p);
 *	void pipeline_conn_on_end(struct pipeline_conn *pc,
 *				  void (*fn)(void *ctx, const struct facts *f,
 *					     const struct verdict *v), void *ctx);
 *	int pipeline_connect(struct pipeline_conn *pc, struct verdict *v);
 *	int pipeline_helo(struct pipeline_conn *pc, const char *helo, struct verdict *v);
 *	void pipeline_tls(struct pipeline_conn *pc, const char *tls_version);
 *	int pipeline_mail(struct pipeline_conn *pc, const char *sender,
 *			  const char *auth_authen, struct verdict *v);
 *	void pipeline_queue_id(struct pipeline_conn *pc, const char *queue_id);
 *	int pipeline_rcpt(struct pipeline_conn *pc, const char *rcpt, struct verdict *v);
 *	int pipeline_header(struct pipeline_conn *pc, const char *name, const char *value);
 *	int pipeline_eoh(struct pipeline_conn *pc, struct verdict *v);
 *	int pipeline_body(struct pipeline_conn *pc, const unsigned char *data, size_t len);
 *	int pipeline_eom(struct pipeline_conn *pc, struct verdict *v);
 *	void pipeline_abort(struct pipeline_conn *pc);
 *	const struct facts *pipeline_conn_facts(const struct pipeline_conn *pc);
 *	int pipeline_message(struct pipeline_conn *pc, const char *data, size_t len,
 *			     const char **stage_r, struct verdict *v);
 * DESCRIPTION
 *	A struct pipeline is everything built from one config snapshot: the
 *	check modules' states, the named lists, the ruleset, the resolver
 *	and the store. It is reference counted: mxguardd builds a new one on
 *	reload and installs it; a connection takes the current one at each
 *	new message (MAIL FROM), so in-flight messages finish on the
 *	snapshot they started with.
 *
 *	pipeline_needs() says which SMTP stages and data the enabled checks
 *	and rules need (PIPELINE_NEED_*), so the milter negotiates away the
 *	rest.
 *
 *	pipeline_new() collects every error ("FILE:LINE: what", one line
 *	each) of the lists, the resolver, the check modules' init and the
 *	rules. The state store is opened on first use (see check.h), so a
 *	store that cannot be opened does not stop mxguardd while nothing
 *	needs it.
 *
 *	A struct pipeline_conn is one SMTP connection in one thread; it
 *	holds a reference to its pipeline. pipeline_conn_set_pipeline()
 *	moves it to another snapshot (mxguardd: the current one, before
 *	pipeline_mail(); a message in progress is dropped). The
 *	front end calls the stage functions in SMTP order with copies of
 *	the data; each runs the checks for that stage, then the rules of the
 *	stage, and fills *v with the outcome (see verdict.h). At eom the
 *	pipeline also builds Authentication-Results (inserted at the top)
 *	and removes incoming ones that claim our authserv-id, and logs one
 *	summary line per message (queue id, client, sender, recipients,
 *	every result, verdict, milliseconds spent). pipeline_abort() drops
 *	the message (RSET, abort, close) and frees its memory; a
 *	pipeline_mail() while a message is in progress drops it first.
 *	pipeline_conn_on_end() installs a function called when a message
 *	ends with a verdict (eom, or a deciding verdict at mail or rcpt),
 *	with its facts and verdict, before they are freed (`mxguard check`
 *	prints them).
 *
 *	pipeline_tls() records the TLS version once the MTA knows it (after
 *	STARTTLS, macro {tls_version} at HELO) when pipeline_client had
 *	none; NULL means no TLS.
 *
 *	pipeline_message() (feed.c) plays the header, eoh, body and eom
 *	stages from a message file, as an MTA would (`mxguard check`,
 *	fuzzing).
 *
 *	What a stage's verdict means for the front end:
 *	  connect, helo  REJECT/TEMPFAIL refuse the connection (every later
 *	                 command); ACCEPT lets the whole connection pass
 *	                 unchecked; DISCARD and QUARANTINE cannot occur.
 *	  mail           REJECT/TEMPFAIL refuse this MAIL FROM; ACCEPT and
 *	                 DISCARD decide the message now (no further stage is
 *	                 called for it, so it gets no Authentication-Results).
 *	  rcpt           REJECT/TEMPFAIL refuse this recipient only (it is
 *	                 not added; the message goes on with the others);
 *	                 ACCEPT and DISCARD decide the message as at mail.
 *	  eoh            CONTINUE, or the internal-error action.
 *	  eom            apply v->hdrs in order (our removals carry the
 *	                 1-based occurrence among fields of that name as
 *	                 received, highest first; index 0 removes every
 *	                 occurrence; the insert is index 0), then the
 *	                 action: CONTINUE/ACCEPT deliver, REJECT/TEMPFAIL
 *	                 refuse the message (no header changes then),
 *	                 DISCARD drops it, QUARANTINE holds it with
 *	                 v->quarantine_reason.
 *	A deciding verdict at mail, rcpt (other than a refused recipient)
 *	or eom ends the message: its summary is logged and its memory
 *	freed. v is cleared by each stage function first.
 * DIAGNOSTICS
 *	Stage functions return the verdict action (VERDICT_CONTINUE to go
 *	on). An internal error becomes the action milter.on_internal_error
 *	chooses for the client's trust class; never a pass.
 *	pipeline_header/body: 0 ok, 1 the message just became oversize.
 */
#ifndef MXG_PIPELINE_PIPELINE_H
#define MXG_PIPELINE_PIPELINE_H
#include <stddef.h>
#include "policy/facts.h"
#include "policy/verdict.h"
#include "util/buf.h"

struct conf;

#define PIPELINE_NEED_HELO	(1u << 0)
#define PIPELINE_NEED_MAIL	(1u << 1)
#define PIPELINE_NEED_RCPT	(1u << 2)
#define PIPELINE_NEED_HEADERS	(1u << 3)
#define PIPELINE_NEED_BODY	(1u << 4)
#define PIPELINE_NEED_DELRCPT	(1u << 5)
#define PIPELINE_NEED_QUARANTINE (1u << 6)
#define PIPELINE_NEED_CHGHDRS	(1u << 7)

struct pipeline_client {
    const char *name;		/* verified reverse name or "[addr]"; "localhost" for a pipe */
    const char *addr;		/* "" when not an IP connection */
    int port;
    const char *mta_name;	/* macro j */
    const char *daemon_name;	/* macro {daemon_name} */
    const char *tls_version;	/* NULL = no TLS */
    const char *cipher;
};

struct pipeline;
struct pipeline_conn;

struct pipeline *pipeline_new(struct conf *c, struct buf *errors_r);
struct pipeline *pipeline_ref(struct pipeline *p);
void pipeline_unref(struct pipeline **pp);
unsigned pipeline_needs(const struct pipeline *p);

struct pipeline_conn *pipeline_conn_new(struct pipeline *p, const struct pipeline_client *client);
void pipeline_conn_free(struct pipeline_conn **cp);
void pipeline_conn_set_pipeline(struct pipeline_conn *pc, struct pipeline *p);
void pipeline_conn_on_end(struct pipeline_conn *pc,
			  void (*fn)(void *ctx, const struct facts *f, const struct verdict *v),
			  void *ctx);
int pipeline_connect(struct pipeline_conn *pc, struct verdict *v);
int pipeline_helo(struct pipeline_conn *pc, const char *helo, struct verdict *v);
void pipeline_tls(struct pipeline_conn *pc, const char *tls_version);
int pipeline_mail(struct pipeline_conn *pc, const char *sender, const char *auth_authen,
		  struct verdict *v);
void pipeline_queue_id(struct pipeline_conn *pc, const char *queue_id);
int pipeline_rcpt(struct pipeline_conn *pc, const char *rcpt, struct verdict *v);
int pipeline_header(struct pipeline_conn *pc, const char *name, const char *value);
int pipeline_eoh(struct pipeline_conn *pc, struct verdict *v);
int pipeline_body(struct pipeline_conn *pc, const unsigned char *data, size_t len);
int pipeline_eom(struct pipeline_conn *pc, struct verdict *v);
void pipeline_abort(struct pipeline_conn *pc);
const struct facts *pipeline_conn_facts(const struct pipeline_conn *pc);
int pipeline_message(struct pipeline_conn *pc, const char *data, size_t len,
		     const char **stage_r, struct verdict *v);

#endif
