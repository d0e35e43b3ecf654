/*
 * NAME
 *	event_int.h - private structures of src/event (actions, jobs, the bus)
 * SYNOPSIS
 *	#include "event/event_int.h"
 *
 *	int event_actions_parse(const struct conf *c, const struct fact_table *const *tables,
 *				struct event_action **actions_r, size_t *n_r,
 *				struct buf *errors_r);
 *	void event_actions_free(struct event_action *a, size_t n);
 *	int event_action_matches(const struct event_action *a, const char *name);
 *	int event_sink_run(struct event_action *a, const struct event_job *j,
 *			   struct buf *result_r);
 *	void event_job_free(struct event_job **jp);
 * DESCRIPTION
 *	An event_action is one compiled entry of events.actions; an
 *	event_job one expanded action for one event (strings only: the
 *	worker thread never looks at facts). event_sink_run() delivers a
 *	job within its action's timeout_ms; a sync action's result goes to
 *	*result_r.
 * DIAGNOSTICS
 *	event_actions_parse: 0 ok, -1 errors appended.
 *	event_sink_run: 0 delivered, -1 failed (logged).
 */
#ifndef MXG_EVENT_EVENT_INT_H
#define MXG_EVENT_EVENT_INT_H
#include <pthread.h>
#include <stddef.h>
#include "event/event.h"
#include "policy/expand.h"

struct conf;
struct store;

enum event_sink { EVENT_SINK_LOG, EVENT_SINK_REDIS, EVENT_SINK_EXEC, EVENT_SINK_LMDB };

struct event_action {
    char *where;			/* "FILE:LINE" for logs */
    char **on;				/* names, "prefix:" or "*" */
    size_t non;
    enum event_sink sink;
    struct expand_tmpl **args;		/* log: line; redis/exec: argv; lmdb: key */
    size_t nargs;
    int timeout_ms;
    int sync;
    int wants_json;			/* a template uses $event_json (or exec/lmdb) */
    struct store *store;		/* redis: its own connection pool */
    char *lmdb_path;			/* lmdb: store.lmdb, opened on first use */
    size_t lmdb_map_mb;
    pthread_mutex_t lmdb_lock;
    struct store *lmdb;
    int lmdb_tried;
};

struct event_job {
    struct event_action *a;
    char *name;				/* the event, for logs */
    char **argv;
    size_t *argvlen;
    size_t argc;
    char *json;				/* exec's stdin, lmdb's value */
    char **env;				/* exec: "name=value", NULL-terminated */
};

int event_actions_parse(const struct conf *c, const struct fact_table *const *tables,
			struct event_action **actions_r, size_t *n_r, struct buf *errors_r);
void event_actions_free(struct event_action *a, size_t n);
int event_action_matches(const struct event_action *a, const char *name);
int event_sink_run(struct event_action *a, const struct event_job *j, struct buf *result_r);
void event_job_free(struct event_job **jp);

#endif
