/*
 * NAME
 *	event_conf.c - event names and the events.actions list, compiled
 * SYNOPSIS
 *	#include "event/event_int.h"
 *
 *	extern const struct fact_table event_fact_table;
 *	int event_name_valid(const char *pattern);
 *	int event_actions_parse(const struct conf *c, const struct fact_table *const *tables,
 *				struct event_action **actions_r, size_t *n_r,
 *				struct buf *errors_r);
 *	void event_actions_free(struct event_action *a, size_t n);
 *	int event_action_matches(const struct event_action *a, const char *name);
 * DESCRIPTION
 *	Each entry of events.actions is checked: only the members on, log,
 *	redis, exec, lmdb, server, timeout_ms and sync; "on" names known
 *	events or prefixes of them; exactly one sink; every template
 *	compiles; an exec program is an absolute path that can be run; a
 *	redis sink has a server (its own, or store.redis). Errors are
 *	"FILE:LINE: events.actions: what", one per line, all of them.
 * DIAGNOSTICS
 *	event_actions_parse: 0 ok, -1 errors appended.
 * STANDARDS
 *	Exim's event names (spec chapter "Events").
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libconfig.h>

#include "conf/conf.h"
#include "event/event_int.h"
#include "store/store.h"
#include "util/xmalloc.h"

/* The events: milter side, then what mxguard-outbound emits. */
static const char *const event_names[] = {
    "smtp:connect", "smtp:helo", "msg:mail", "msg:rcpt", "msg:data", "msg:accept",
    "msg:reject", "msg:tempfail", "msg:discard", "msg:quarantine", "dmarc:fail", "arc:fail",
    "spf:fail", "dcc:fail", "dns:fail", "msg:complete", "tcp:close",
    "tcp:connect", "tls:cert", "msg:delivery", "msg:host:defer", "msg:fail:delivery", NULL
};

static const struct fact_def event_defs[] = {
    {"event_name", FACT_TEXT, FACT_STAGE_CONNECT, NULL, "the event's name (events.actions)"},
    {"event_data", FACT_TEXT, FACT_STAGE_CONNECT, NULL,
     "what the event carries, per event (events.actions)"},
    {"event_json", FACT_TEXT, FACT_STAGE_CONNECT, NULL,
     "every fact known at the event, as one JSON object (events.actions)"},
};

const struct fact_table event_fact_table = {"event", event_defs,
    sizeof(event_defs) / sizeof(event_defs[0])};

#define EVENT_MEMBERS "on, log, redis, exec, lmdb, server, timeout_ms, sync"

/* event_name_valid - a known name, a prefix of one ending in ':', or "*" */
int event_name_valid(const char *pattern)
{
    size_t n = strlen(pattern);

    if (strcmp(pattern, "*") == 0)
	return 1;
    for (size_t i = 0; event_names[i]; i++)
	if (n > 0 && (strcmp(event_names[i], pattern) == 0
		      || (pattern[n - 1] == ':' && strncmp(event_names[i], pattern, n) == 0)))
	    return 1;
    return 0;
}

/* event_action_matches - does the action want the event? */
int event_action_matches(const struct event_action *a, const char *name)
{
    for (size_t i = 0; i < a->non; i++) {
	size_t n = strlen(a->on[i]);

	if (strcmp(a->on[i], "*") == 0 || strcmp(a->on[i], name) == 0
	    || (a->on[i][n - 1] == ':' && strncmp(a->on[i], name, n) == 0))
	    return 1;
    }
    return 0;
}

struct event_pctx {
    const struct conf *c;
    const struct fact_table *const *tables;
    struct buf *errors;
    int failed;
};

/* event_err - one "FILE:LINE: events.actions: what" line */
static void __attribute__((format(printf, 3, 4)))
event_err(struct event_pctx *pc, const config_setting_t *s, const char *fmt, ...)
{
    const char *file = config_setting_source_file(s);
    va_list ap;
    char text[512];

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    for (char *p = text; *p; p++)	/* a hostile name never forges a line */
	if ((unsigned char) *p < 0x20 || *p == 0x7f)
	    *p = '?';
    buf_printf(pc->errors, "%s:%u: events.actions: %s\n",
	       file ? file : conf_path(pc->c) ? conf_path(pc->c) : "config",
	       config_setting_source_line(s), text);
    pc->failed = 1;
}

/* event_strings - a string or an array of strings; NULL-terminated copy, or NULL */
static char **event_strings(struct event_pctx *pc, const config_setting_t *s, size_t *n_r,
			    int split)
{
    char **out;
    int type = config_setting_type(s);

    *n_r = 0;
    if (type == CONFIG_TYPE_STRING) {
	const char *p = config_setting_get_string(s);

	out = xcalloc(strlen(p) / 2 + 2, sizeof(char *));
	while (*p) {
	    size_t len;

	    p += strspn(p, " \t");
	    len = split ? strcspn(p, " \t") : strlen(p);
	    if (len == 0)
		break;
	    out[(*n_r)++] = xstrndup(p, len);
	    p += len;
	}
	return out;
    }
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
	event_err(pc, s, "%s: must be a string or a list of strings", config_setting_name(s));
	return NULL;
    }
    out = xcalloc((size_t) config_setting_length(s) + 1, sizeof(char *));
    for (int i = 0; i < config_setting_length(s); i++) {
	const char *e = config_setting_get_string_elem(s, i);

	if (e == NULL) {
	    event_err(pc, s, "%s: element %d is not a string", config_setting_name(s), i + 1);
	    continue;
	}
	out[(*n_r)++] = xstrdup(e);
    }
    return out;
}

/* event_free_strings - free a NULL-terminated copy */
static void event_free_strings(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
	free(v[i]);
    free(v);
}

/* event_parse_on - the "on" member */
static void event_parse_on(struct event_pctx *pc, const config_setting_t *g, struct event_action *a)
{
    const config_setting_t *on = config_setting_get_member(g, "on");

    if (on == NULL) {
	event_err(pc, g, "an action needs \"on\" (the events it is for)");
	return;
    }
    if ((a->on = event_strings(pc, on, &a->non, 0)) == NULL)
	return;
    if (a->non == 0)
	event_err(pc, on, "on: no event named");
    for (size_t i = 0; i < a->non; i++)
	if (!event_name_valid(a->on[i]))
	    event_err(pc, on, "on: unknown event \"%s\" (see mxguard.conf(5), EVENTS)", a->on[i]);
}

/* event_compile - compile the sink's templates */
static void event_compile(struct event_pctx *pc, const config_setting_t *s, char **words,
			  size_t n, struct event_action *a)
{
    const struct fact_table *tabs[64];
    size_t nt = 0;
    struct buf why = BUF_INIT;

    while (pc->tables[nt] && nt < 62) {
	tabs[nt] = pc->tables[nt];
	nt++;
    }
    tabs[nt++] = &event_fact_table;
    tabs[nt] = NULL;
    a->args = xcalloc(n + 1, sizeof(*a->args));
    for (size_t i = 0; i < n; i++) {
	buf_reset(&why);
	if ((a->args[i] = expand_compile(words[i], tabs, FACT_STAGE_DATA, &why)) == NULL) {
	    event_err(pc, s, "%s: \"%s\": %s", config_setting_name(s), words[i], buf_str(&why));
	    continue;
	}
	if (strstr(words[i], "event_json"))
	    a->wants_json = 1;
    }
    a->nargs = n;
    buf_free(&why);
}

/* event_redis_store - the redis sink's own store: server or store.redis */
static void event_redis_store(struct event_pctx *pc, const config_setting_t *g,
			      struct event_action *a)
{
    const config_setting_t *srv = config_setting_get_member(g, "server");
    const char *server = srv ? config_setting_get_string(srv) : conf_str(pc->c, "store.redis");
    const char *pw = srv ? "" : conf_str(pc->c, "store.redis_password");
    const char *why = NULL;
    char *spec;

    if (server == NULL || *server == 0) {
	event_err(pc, g, "redis: no server (set server or store.redis)");
	return;
    }
    spec = xasprintf("redis:%s?connect_timeout_ms=%d&timeout_ms=%d%s%s", server, a->timeout_ms,
		     a->timeout_ms, *pw ? "&password=" : "", pw);
    a->store = store_open(spec, &why);
    memset(spec, 0, strlen(spec));	/* may hold the password */
    free(spec);
    if (a->store == NULL)
	event_err(pc, srv ? srv : g, "redis: server: %s", why ? why : "cannot open");
}

/* event_parse_sink - the one sink of an action */
static void event_parse_sink(struct event_pctx *pc, const config_setting_t *g,
			     struct event_action *a)
{
    static const char *const sinks[] = {"log", "redis", "exec", "lmdb"};
    const config_setting_t *s = NULL;
    char **words;
    size_t n, found = 0;

    for (size_t i = 0; i < 4; i++) {
	const config_setting_t *m = config_setting_get_member(g, sinks[i]);

	if (m) {
	    found++;
	    s = m;
	    a->sink = (enum event_sink) i;
	}
    }
    if (found != 1) {
	event_err(pc, g, "an action needs exactly one of log, redis, exec, lmdb");
	return;
    }
    if ((words = event_strings(pc, s, &n, a->sink == EVENT_SINK_REDIS)) == NULL)
	return;
    if (n == 0 || ((a->sink == EVENT_SINK_LOG || a->sink == EVENT_SINK_LMDB) && n != 1))
	event_err(pc, s, "%s: needs %s", sinks[a->sink],
		  a->sink == EVENT_SINK_REDIS || a->sink == EVENT_SINK_EXEC ? "at least one word"
		  : "one string");
    else if (a->sink == EVENT_SINK_EXEC && (words[0][0] != '/' || strchr(words[0], '$')))
	event_err(pc, s, "exec: the program must be an absolute path without variables");
    else if (a->sink == EVENT_SINK_EXEC && access(words[0], X_OK) != 0)
	event_err(pc, s, "exec: %s: cannot be run", words[0]);
    else
	event_compile(pc, s, words, n, a);
    event_free_strings(words);
    if (a->sink == EVENT_SINK_EXEC || a->sink == EVENT_SINK_LMDB)
	a->wants_json = 1;
    if (a->sink == EVENT_SINK_REDIS && !pc->failed)
	event_redis_store(pc, g, a);
    if (a->sink == EVENT_SINK_LMDB) {
	a->lmdb_path = xstrdup(conf_str(pc->c, "store.lmdb"));
	a->lmdb_map_mb = (size_t) conf_int(pc->c, "store.lmdb_map_size_mb");
    }
}

/* event_member_known - a member an action may have */
static int event_member_known(const char *name)
{
    static const char *const members[] = {"on", "log", "redis", "exec", "lmdb", "server",
	"timeout_ms", "sync", NULL};

    for (size_t i = 0; members[i]; i++)
	if (name && strcmp(name, members[i]) == 0)
	    return 1;
    return 0;
}

/* event_parse_one - one group of events.actions */
static void event_parse_one(struct event_pctx *pc, const config_setting_t *g,
			    struct event_action *a)
{
    const config_setting_t *m;
    int ival;

    pthread_mutex_init(&a->lmdb_lock, NULL);
    a->timeout_ms = EVENT_DEFAULT_TIMEOUT_MS;
    a->where = xasprintf("%s:%u", config_setting_source_file(g) ? config_setting_source_file(g)
			 : "config", config_setting_source_line(g));
    if (!config_setting_is_group(g)) {
	event_err(pc, g, "each action must be a group { on = ...; log|redis|exec|lmdb = ...; }");
	return;
    }
    for (int i = 0; (m = config_setting_get_elem(g, (unsigned) i)) != NULL; i++)
	if (!event_member_known(config_setting_name(m)))
	    event_err(pc, m, "unknown member \"%s\" (known: " EVENT_MEMBERS ")",
		      config_setting_name(m));
    if ((m = config_setting_get_member(g, "timeout_ms")) != NULL) {
	ival = config_setting_get_int(m);
	if (config_setting_type(m) != CONFIG_TYPE_INT || ival < 1 || ival > 600000)
	    event_err(pc, m, "timeout_ms: an integer from 1 to 600000");
	else
	    a->timeout_ms = ival;
    }
    if ((m = config_setting_get_member(g, "sync")) != NULL) {
	if (config_setting_type(m) != CONFIG_TYPE_BOOL)
	    event_err(pc, m, "sync: must be true or false");
	a->sync = config_setting_get_bool(m);
    }
    if ((m = config_setting_get_member(g, "server")) != NULL
	&& config_setting_type(m) != CONFIG_TYPE_STRING)
	event_err(pc, m, "server: must be a string \"host:port[/db]\"");
    event_parse_on(pc, g, a);
    if (!pc->failed)
	event_parse_sink(pc, g, a);
}

/* event_actions_parse - every action of events.actions; 0, or -1 with errors */
int event_actions_parse(const struct conf *c, const struct fact_table *const *tables,
			struct event_action **actions_r, size_t *n_r, struct buf *errors_r)
{
    const config_setting_t *list = conf_setting(c, "events.actions");
    struct event_pctx pc = {c, tables, errors_r, 0};
    int len;

    *actions_r = NULL;
    *n_r = 0;
    if (list == NULL || (len = config_setting_length(list)) == 0)
	return 0;
    if (!config_setting_is_aggregate(list)) {
	event_err(&pc, list, "must be a list of groups ( { on = ...; ... }, ... )");
	return -1;
    }
    *actions_r = xcalloc((size_t) len, sizeof(**actions_r));
    for (int i = 0; i < len; i++) {
	int before = pc.failed;

	pc.failed = 0;
	event_parse_one(&pc, config_setting_get_elem(list, (unsigned) i), &(*actions_r)[i]);
	pc.failed |= before;
	(*n_r)++;
    }
    if (pc.failed) {
	event_actions_free(*actions_r, *n_r);
	*actions_r = NULL;
	*n_r = 0;
	return -1;
    }
    return 0;
}

/* event_actions_free - free the compiled actions */
void event_actions_free(struct event_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
	event_free_strings(a[i].on);
	for (size_t j = 0; a[i].args && j < a[i].nargs; j++)
	    expand_free(&a[i].args[j]);
	free(a[i].args);
	store_close(&a[i].store);
	store_close(&a[i].lmdb);
	free(a[i].lmdb_path);
	free(a[i].where);
	pthread_mutex_destroy(&a[i].lmdb_lock);
    }
    free(a);
}
