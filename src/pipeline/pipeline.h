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
 *	int pipeline_connect(struct pipeline_conn *pc, struct verdict *v);
 *	int pipeline_helo(struct pipeline_conn *pc, const char *helo, struct verdict *v);
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
 *	A struct pipeline_conn is one SMTP connection in one thread. The
 *	front end calls the stage functions in SMTP order with copies of
 *	the data; each runs the checks for that stage, then the rules of the
 *	stage, and fills *v with the outcome (see verdict.h). At eom the
 *	pipeline also builds Authentication-Results (inserted at the top)
 *	and removes incoming ones that claim our authserv-id, and logs one
 *	summary line per message (queue id, client, sender, recipients,
 *	every result, verdict, milliseconds spent). pipeline_abort() drops
 *	the message (RSET, abort, close) and frees its memory.
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
int pipeline_connect(struct pipeline_conn *pc, struct verdict *v);
int pipeline_helo(struct pipeline_conn *pc, const char *helo, struct verdict *v);
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

#endif
