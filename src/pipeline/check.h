/*
 * NAME
 *	check - the interface every check module (spf, dkim, arc, dmarc, dcc) implements
 * SYNOPSIS
 *	#include "pipeline/check.h"
 *
 *	struct check_module { name, facts, init, fini, hooks..., lookups };
 *	extern const struct check_module *const check_modules[];  (checks.c, NULL-terminated)
 *
 *	(what a hook may use, from pipeline.c)
 *	struct facts *check_facts(struct check_msg *m);
 *	const struct check_view *check_view(const struct check_msg *m);
 *	void **check_data(struct check_msg *m);
 *	void check_body_register(struct check_msg *m,
 *				 void (*fn)(void *ctx, const unsigned char *data, size_t len),
 *				 void *ctx);
 *	unsigned check_controls(const struct check_msg *m);
 *	void check_verdict_header(struct check_msg *m, enum verdict_hdr_op op,
 *				  const char *name, const char *value, int index);
 *	void check_verdict_del_rcpt(struct check_msg *m, const char *rcpt);
 *	const struct mail_hdrs *check_final_hdrs(struct check_msg *m);
 *	void *check_shared(struct check_msg *m, const char *name,
 *			   void *(*make)(struct check_msg *m),
 *			   void (*destroy)(void *obj));
 *
 *	(what init() may use, from pipeline.c)
 *	const struct conf *pipeline_env_conf(const struct pipeline_env *env);
 *	struct dns_resolver *pipeline_env_resolver(const struct pipeline_env *env);
 *	struct store *pipeline_env_store(struct pipeline_env *env, const char **why_r);
 *	struct list *pipeline_env_list(const struct pipeline_env *env, const char *name);
 * DESCRIPTION
 *	A check is a pure module over the message: it reads the connection
 *	and message data through a read-only view, and writes facts (its
 *	results and variables, declared in its fact_table). It never talks to
 *	libmilter and never decides the verdict: rules do.
 *
 *	init() runs once per config snapshot (at start and each reload) and
 *	returns the module's state (keys, caches, settings), or NULL when the
 *	module is disabled by the config; on a config error it appends
 *	"FILE:LINE: key: what" lines to errors_r and returns NULL. The hooks
 *	run in the SMTP connection's thread; the state is shared read-only
 *	between threads (anything mutable inside it must be locked).
 *
 *	Hooks are called at the stage where their data is complete: on_helo
 *	(HELO identity), on_mail (MAIL FROM identity), on_rcpt, on_eoh (all
 *	headers known: register body hash contexts with
 *	check_body_register, so the body is hashed once as it streams and
 *	never buffered), on_eom (compute results), and msg_end (free
 *	per-message data kept in *check_data(m); also after an abort).
 *	authres() adds the module's clauses to Authentication-Results.
 *	needs() (may be NULL) returns extra PIPELINE_NEED_* bits the
 *	module's state requires (PIPELINE_NEED_DELRCPT for a module that
 *	calls check_verdict_del_rcpt, which removes a recipient at eom).
 *	on_final runs at end of message once Authentication-Results and
 *	every other header change (modules', rules') are decided, in
 *	module order: it signs or seals check_final_hdrs(), the header
 *	block as it will be delivered, and adds its fields with
 *	check_verdict_header (final.c). check_shared() gives the modules
 *	of a message one common object (DKIM and ARC share body hashes).
 *	The pipeline_env gives init() the snapshot's shared services: the
 *	resolver (every DNS query goes through it), the state store
 *	(store.redis when set, else store.lmdb, opened on first use so
 *	that a store nobody needs never stops the daemon; NULL with *why_r
 *	when it cannot be opened) and the named lists. They live as long as
 *	the pipeline; a module keeps the pointers in its state.
 *	lookups declares rule conditions the module answers (spf_lookup,
 *	rules.h struct rule_lookup), like its fact table: the rule engine
 *	knows them whether or not the module is enabled, and calls them
 *	with a struct pipeline_env * as ctx (the snapshot's resolver and
 *	config, pipeline_env_resolver / pipeline_env_conf).
 *	A hook that hits a temporary failure sets its result fact to
 *	"temperror"; an internal error (a bug, out of a resource) returns -1
 *	and the pipeline applies milter.on_internal_error.
 * DIAGNOSTICS
 *	Hooks: 0 done, -1 internal error.
 */
#ifndef MXG_PIPELINE_CHECK_H
#define MXG_PIPELINE_CHECK_H
#include <stddef.h>
#include "policy/facts.h"
#include "policy/verdict.h"
#include "util/buf.h"

struct conf;
struct mail_hdrs;
struct mail_ar_result;
struct check_msg;
struct rule_lookup;
struct pipeline_env;

/* What a check may read about the connection and the message. */
struct check_view {
    const char *client_addr;	/* "192.0.2.1", "" for a non-IP client */
    const char *client_name;	/* reverse name as the MTA verified it, or "[addr]" */
    int client_port;
    const char *helo;		/* NULL before HELO */
    const char *auth_authen;	/* NULL = not authenticated */
    int trusted;		/* client in milter.trusted_hosts */
    const char *tls_version;	/* NULL = no TLS */
    const char *queue_id;	/* "" until known */
    const char *sender;		/* MAIL FROM address without <>, "" for the null sender */
    const char *const *rcpts;	/* without <> */
    size_t nrcpt;
    const struct mail_hdrs *hdrs;	/* NULL before end of headers */
    unsigned long long body_bytes;
    int oversize;		/* over milter.max_message_size: body not complete */
};

struct check_module {
    const char *name;
    const struct fact_table *facts;
    void *(*init)(const struct conf *c, struct pipeline_env *env, struct buf *errors_r);
    void (*fini)(void *state);
    int (*on_helo)(void *state, struct check_msg *m);
    int (*on_mail)(void *state, struct check_msg *m);
    int (*on_rcpt)(void *state, struct check_msg *m, const char *rcpt);
    int (*on_eoh)(void *state, struct check_msg *m);
    int (*on_eom)(void *state, struct check_msg *m);
    void (*msg_end)(void *state, struct check_msg *m);
    size_t (*authres)(void *state, struct check_msg *m, struct mail_ar_result *out, size_t max);
    unsigned (*needs)(void *state);
    int (*on_final)(void *state, struct check_msg *m);
    const struct rule_lookup *const *lookups;	/* NULL-terminated, or NULL */
};

struct facts *check_facts(struct check_msg *m);
const struct check_view *check_view(const struct check_msg *m);
void **check_data(struct check_msg *m);
void check_body_register(struct check_msg *m,
			 void (*fn)(void *ctx, const unsigned char *data, size_t len), void *ctx);
unsigned check_controls(const struct check_msg *m);
void check_verdict_header(struct check_msg *m, enum verdict_hdr_op op, const char *name,
			  const char *value, int index);
void check_verdict_del_rcpt(struct check_msg *m, const char *rcpt);
const struct mail_hdrs *check_final_hdrs(struct check_msg *m);
void *check_shared(struct check_msg *m, const char *name, void *(*make)(struct check_msg *m),
		   void (*destroy)(void *obj));

struct dns_resolver;
struct store;
struct list;
const struct conf *pipeline_env_conf(const struct pipeline_env *env);
struct dns_resolver *pipeline_env_resolver(const struct pipeline_env *env);
struct store *pipeline_env_store(struct pipeline_env *env, const char **why_r);
struct list *pipeline_env_list(const struct pipeline_env *env, const char *name);

extern const struct check_module *const check_modules[];

#endif
