/*
 * NAME
 *	pipeline_int.h - the pipeline's private structures (pipeline.c, conn.c, eom.c)
 * SYNOPSIS
 *	#include "pipeline/pipeline_int.h"
 *
 *	enum pipeline_trust pipeline_trust_class(const struct pipeline_conn *pc);
 *	int pipeline_internal_error(struct pipeline_conn *pc, const char *what,
 *				    struct verdict *v);
 *	int pipeline_stage_run(struct pipeline_conn *pc, enum fact_stage st, int hook,
 *			       const char *rcpt, struct verdict *v);
 *	void pipeline_msg_summary(struct pipeline_conn *pc, const struct verdict *v);
 *	void pipeline_msg_end(struct pipeline_conn *pc);
 *	void pipeline_final_hooks(struct pipeline_conn *pc, struct verdict *v);
 *	void pipeline_shared_free(struct check_msg *m);
 * DESCRIPTION
 *	struct pipeline holds what one config snapshot built; struct
 *	pipeline_conn one connection; struct check_msg the message in
 *	progress on it (what check modules see through check.h).
 *	Everything in a check_msg is freed by pipeline_msg_end().
 *	pipeline_stage_run() runs the modules' hook of a stage (hook: a
 *	fact_stage, -1 for end of headers, FACT_STAGE_DATA for on_eom), then
 *	the stage's rules.
 * DIAGNOSTICS
 *	See pipeline.h.
 */
#ifndef MXG_PIPELINE_PIPELINE_INT_H
#define MXG_PIPELINE_PIPELINE_INT_H
#include <pthread.h>
#include <time.h>

#include "pipeline/check.h"
#include "pipeline/pipeline.h"
#include "policy/rules.h"

struct dns_resolver;
struct store;
struct list;
struct event_bus;

/* Trust classes of milter.on_internal_error*. */
enum pipeline_trust { PIPELINE_TRUST_OTHER, PIPELINE_TRUST_TRUSTED, PIPELINE_TRUST_AUTH,
    PIPELINE_NTRUST };

struct pipeline_env {
    struct conf *conf;
    struct dns_resolver *resolver;
    struct store *redis;		/* store.redis, shared; NULL when unset */
    pthread_mutex_t lmdb_lock;		/* guards the lazy LMDB open */
    struct store *lmdb;
    int lmdb_tried;
    struct list **lists;
    size_t nlists;
};

struct pipeline {
    int refs;				/* atomic */
    struct conf *conf;
    struct pipeline_env env;
    struct ruleset *rules;
    const struct fact_table **tables;	/* core + modules, NULL-terminated */
    const struct rule_lookup **lookups;	/* the modules' lookup conditions, NULL-terminated */
    const struct check_module **mods;	/* enabled modules */
    void **states;
    size_t nmods;
    unsigned needs;
    char *authserv_id;
    long long max_size;			/* 0 = no limit */
    const struct cidr *trusted;
    size_t ntrusted;
    enum verdict_action on_error[PIPELINE_NTRUST];
    struct event_bus *events;		/* events.actions; NULL when none */
};

struct pipeline_shared;

struct pipeline_body_fn {
    void (*fn)(void *ctx, const unsigned char *data, size_t len);
    void *ctx;
};

struct check_msg {
    struct pipeline_conn *pc;
    struct check_view view;
    int active;				/* between MAIL FROM and its end */
    int failed;				/* an internal error decided it */
    void **data;			/* per module */
    size_t cur;				/* the module whose hook runs */
    char *sender;
    char **rcpts;
    size_t nrcpt, rcpt_cap;
    struct mail_hdrs *hdrs;
    int hdrs_full;			/* a header limit was hit */
    unsigned long long size;		/* header + body bytes as counted */
    size_t nar;				/* Authentication-Results seen */
    int *ar_claimed;			/* their occurrence numbers claiming our id */
    size_t nclaimed, claimed_cap;
    struct pipeline_body_fn *body_fns;
    size_t nbody, body_cap;
    unsigned controls;
    struct verdict hdr_ops;		/* check_verdict_header() */
    struct pipeline_shared *shared;	/* check_shared() (final.c) */
    size_t nshared;
    const struct verdict *final_ops;	/* during on_final: the changes so far */
    struct mail_hdrs *final;		/* check_final_hdrs() view */
    struct timespec start;
};

struct pipeline_conn {
    struct pipeline *p;
    struct facts *facts;
    char *client_name;
    char *client_addr;
    int client_port;
    char *helo;
    char *tls_version;
    char *auth_authen;
    char *queue_id;
    int trusted;
    void (*on_end)(void *ctx, const struct facts *f, const struct verdict *v);
    void *on_end_ctx;
    struct check_msg msg;
};

enum pipeline_trust pipeline_trust_class(const struct pipeline_conn *pc);
int pipeline_internal_error(struct pipeline_conn *pc, const char *what, struct verdict *v);
int pipeline_stage_run(struct pipeline_conn *pc, enum fact_stage st, int hook,
		       const char *rcpt, struct verdict *v);
void pipeline_msg_summary(struct pipeline_conn *pc, const struct verdict *v);
void pipeline_msg_end(struct pipeline_conn *pc);
void pipeline_final_hooks(struct pipeline_conn *pc, struct verdict *v);
void pipeline_shared_free(struct check_msg *m);

#endif
