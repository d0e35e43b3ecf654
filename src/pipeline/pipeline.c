/*
 * NAME
 *	pipeline.c - build a pipeline from a config snapshot (see pipeline.h)
 * SYNOPSIS
 *	#include "pipeline/pipeline.h"
 *
 *	struct pipeline *pipeline_new(struct conf *c, struct buf *errors_r);
 *	struct pipeline *pipeline_ref(struct pipeline *p);
 *	void pipeline_unref(struct pipeline **pp);
 *	unsigned pipeline_needs(const struct pipeline *p);
 *	(check.h) pipeline_env_conf, pipeline_env_resolver, pipeline_env_store,
 *	pipeline_env_list
 * DESCRIPTION
 *	pipeline_new() opens, in order: the store.redis store (connections
 *	are made on first use), the named lists of the lists section
 *	(redis: lists share that store), the resolver, every check module
 *	of check_modules[] (a module whose init returns NULL without an
 *	error is disabled), and the ruleset, whose fact tables are the
 *	core table plus every module's table (disabled modules included,
 *	so a config stays valid when a check is switched off). All errors
 *	are collected, one "FILE:LINE: what" line each.
 *
 *	The LMDB store (store.lmdb) is opened on the first
 *	pipeline_env_store() call: the built-in defaults name
 *	/var/lib/mxguard, which a quick start may not be able to write,
 *	and nothing needs the store until a module asks for it. Its
 *	failure is then logged once and the module gets NULL.
 *
 *	An internal error is answered per trust class of the client:
 *	milter.on_internal_error_authenticated (SMTP AUTH, checked first),
 *	milter.on_internal_error_trusted (milter.trusted_hosts), else
 *	milter.on_internal_error.
 * DIAGNOSTICS
 *	pipeline_new: NULL with every error appended to *errors_r.
 *	pipeline_env_store: NULL with *why_r (static text) when the store
 *	cannot be opened.
 * STANDARDS
 *	None.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "dns/dns.h"
#include "event/event.h"
#include "pipeline/pipeline_int.h"
#include "policy/lists.h"
#include "store/store.h"
#include "util/msg.h"
#include "util/xmalloc.h"

/* pipeline_file - the config file name for error lines */
static const char *pipeline_file(const struct conf *c)
{
    return conf_path(c) ? conf_path(c) : "(built-in defaults)";
}

/* pipeline_open_redis - the shared store.redis store, or NULL when unset */
static int pipeline_open_redis(struct pipeline *p, struct buf *errors_r)
{
    const char *val = conf_str(p->conf, "store.redis");
    const char *pw = conf_str(p->conf, "store.redis_password");
    long long ms = conf_int(p->conf, "store.redis_timeout_ms");
    const char *why = NULL;
    char *spec;

    if (*val == 0)
	return 0;
    spec = xasprintf("redis:%s?connect_timeout_ms=%lld&timeout_ms=%lld%s%s", val, ms, ms,
		     *pw ? "&password=" : "", pw);
    p->env.redis = store_open(spec, &why);
    memset(spec, 0, strlen(spec));		/* holds the password */
    free(spec);
    if (p->env.redis == NULL) {
	buf_printf(errors_r, "%s: store.redis: %s\n", pipeline_file(p->conf), why);
	return -1;
    }
    return 0;
}

/* pipeline_is_spec - does a one-entry list name a source ("file:/x")? */
static int pipeline_is_spec(const char *s)
{
    static const char *const kinds[] = {"file:", "lmdb:", "redis:", "inline:"};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
	if (strncmp(s, kinds[i], strlen(kinds[i])) == 0)
	    return 1;
    return 0;
}

/* pipeline_open_list - one named list; errors prefixed with FILE:LINE */
static struct list *pipeline_open_list(struct pipeline *p, const char *name,
				       struct buf *errors_r)
{
    const config_setting_t *all = conf_setting(p->conf, "lists"), *one;
    const char *const *items;
    struct list_env lenv = {p->env.redis, NULL};
    struct buf why = BUF_INIT;
    struct list *l;
    size_t n;
    int line = 0;

    if (all && (one = config_setting_get_member(all, name)) != NULL)
	line = (int) config_setting_source_line(one);
    if (!conf_named_list(p->conf, name, &items, &n))
	msg_panic("pipeline: list %s vanished", name);
    if (n == 1 && pipeline_is_spec(items[0]))
	l = list_open(name, items[0], &lenv, &why);
    else
	l = list_new_inline(name, items, n, &why);
    if (l == NULL) {
	char *save, *ln = strtok_r(why.data ? why.data : (char *) "", "\n", &save);

	for (; ln; ln = strtok_r(NULL, "\n", &save))
	    buf_printf(errors_r, "%s:%d: lists.%s: %s\n", pipeline_file(p->conf), line, name, ln);
    }
    buf_free(&why);
    return l;
}

/* pipeline_open_lists - every list of the lists section */
static int pipeline_open_lists(struct pipeline *p, struct buf *errors_r)
{
    const char *const *names;
    size_t n = conf_named_lists(p->conf, &names);
    int ret = 0;

    p->env.lists = xcalloc(n ? n : 1, sizeof(*p->env.lists));
    for (size_t i = 0; i < n; i++) {
	if ((p->env.lists[p->env.nlists] = pipeline_open_list(p, names[i], errors_r)) == NULL)
	    ret = -1;
	else
	    p->env.nlists++;
    }
    return ret;
}

/* pipeline_list_find - "+name" of a rule */
static struct list *pipeline_list_find(void *ctx, const char *name)
{
    return pipeline_env_list(ctx, name);
}

/* pipeline_action_word - an on_internal_error word as a verdict action */
static enum verdict_action pipeline_action_word(const char *w)
{
    if (strcmp(w, "accept") == 0)
	return VERDICT_ACCEPT;
    if (strcmp(w, "reject") == 0)
	return VERDICT_REJECT;
    return VERDICT_TEMPFAIL;
}

/* pipeline_error_keys - milter.on_internal_error* per trust class */
static void pipeline_error_keys(struct pipeline *p)
{
    static const char *const keys[PIPELINE_NTRUST] = {
	[PIPELINE_TRUST_OTHER] = "milter.on_internal_error",
	[PIPELINE_TRUST_TRUSTED] = "milter.on_internal_error_trusted",
	[PIPELINE_TRUST_AUTH] = "milter.on_internal_error_authenticated",
    };

    for (int t = 0; t < PIPELINE_NTRUST; t++)
	p->on_error[t] = pipeline_action_word(conf_str(p->conf, keys[t]));
}

/* pipeline_init_modules - every check module's init, and the fact tables */
static int pipeline_init_modules(struct pipeline *p, struct buf *errors_r)
{
    size_t n = 0, t = 0, nl = 0;
    int ret = 0;

    while (check_modules[n]) {
	for (size_t k = 0; check_modules[n]->lookups && check_modules[n]->lookups[k]; k++)
	    nl++;
	n++;
    }
    p->lookups = xcalloc(nl + 1, sizeof(*p->lookups));
    nl = 0;
    p->mods = xcalloc(n + 1, sizeof(*p->mods));
    p->states = xcalloc(n + 1, sizeof(*p->states));
    p->tables = xcalloc(n + 2, sizeof(*p->tables));
    p->tables[t++] = &fact_table_core;
    for (size_t i = 0; i < n; i++) {
	const struct check_module *m = check_modules[i];
	size_t before = errors_r->len;
	void *state;

	if (m->facts)
	    p->tables[t++] = m->facts;
	for (size_t k = 0; m->lookups && m->lookups[k]; k++)
	    p->lookups[nl++] = m->lookups[k];	/* enabled or not, as facts */
	state = m->init ? m->init(p->conf, &p->env, errors_r) : NULL;
	if (errors_r->len != before) {
	    if (state && m->fini)
		m->fini(state);
	    ret = -1;
	} else if (state != NULL) {
	    p->mods[p->nmods] = m;
	    p->states[p->nmods++] = state;
	}
    }
    return ret;
}

/* pipeline_compute_needs - which stages and data the checks and rules use */
static unsigned pipeline_compute_needs(const struct pipeline *p)
{
    unsigned needs = PIPELINE_NEED_MAIL | PIPELINE_NEED_RCPT | PIPELINE_NEED_HEADERS
	| PIPELINE_NEED_CHGHDRS;		/* summary line, A-R removal */
    size_t nrules = 0;

    for (int st = FACT_STAGE_CONNECT; st <= FACT_STAGE_DATA; st++)
	nrules += ruleset_count(p->rules, (enum fact_stage) st);
    if (nrules > 0)			/* any rule may test or expand $sender_helo_name */
	needs |= PIPELINE_NEED_HELO;
    if (ruleset_count(p->rules, FACT_STAGE_DATA) > 0)
	needs |= PIPELINE_NEED_QUARANTINE;
    for (size_t i = 0; i < p->nmods; i++) {
	if (p->mods[i]->on_helo)
	    needs |= PIPELINE_NEED_HELO;
	if (p->mods[i]->on_eoh)		/* body consumers register there */
	    needs |= PIPELINE_NEED_BODY;
	if (p->mods[i]->needs)
	    needs |= p->mods[i]->needs(p->states[i]);
    }
    return needs;
}

/* pipeline_authserv_id - milter.authserv_id, or the host name */
static char *pipeline_authserv_id(const struct conf *c)
{
    const char *id = conf_str(c, "milter.authserv_id");
    char host[256];

    if (*id)
	return xstrdup(id);
    if (gethostname(host, sizeof(host)) != 0 || *host == 0)
	return xstrdup("localhost");
    host[sizeof(host) - 1] = 0;
    return xstrdup(host);
}

/* pipeline_new - everything one config snapshot needs; NULL with errors */
struct pipeline *pipeline_new(struct conf *c, struct buf *errors_r)
{
    struct pipeline *p = xcalloc(1, sizeof(*p));
    struct rule_env renv;
    const char *why = NULL;
    size_t before = errors_r->len;

    p->refs = 1;
    p->conf = conf_ref(c);
    p->env.conf = p->conf;
    pthread_mutex_init(&p->env.lmdb_lock, NULL);
    p->authserv_id = pipeline_authserv_id(c);
    p->max_size = conf_int(c, "milter.max_message_size");
    p->trusted = conf_cidrs(c, "milter.trusted_hosts", &p->ntrusted);
    pipeline_error_keys(p);
    if (pipeline_open_redis(p, errors_r) == 0)
	(void) pipeline_open_lists(p, errors_r);
    if ((p->env.resolver = dns_resolver_from_conf(c, &why)) == NULL)
	buf_printf(errors_r, "%s: dns: %s\n", pipeline_file(c), why ? why : "cannot build resolver");
    (void) pipeline_init_modules(p, errors_r);
    p->events = event_bus_new(c, p->tables, errors_r);	/* src/event */
    renv.facts = p->tables;
    renv.list_find = pipeline_list_find;
    renv.ctx = &p->env;
    renv.lookups = p->lookups;
    if (errors_r->len == before)
	p->rules = ruleset_parse(c, &renv, errors_r);
    if (errors_r->len != before || p->rules == NULL) {
	pipeline_unref(&p);
	return NULL;
    }
    p->needs = pipeline_compute_needs(p);
    return p;
}

/* pipeline_ref - one more reference */
struct pipeline *pipeline_ref(struct pipeline *p)
{
    __atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
    return p;
}

/* pipeline_unref - drop a reference; the last one frees everything */
void pipeline_unref(struct pipeline **pp)
{
    struct pipeline *p = *pp;

    *pp = NULL;
    if (p == NULL || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) > 0)
	return;
    event_bus_free(&p->events);
    ruleset_free(&p->rules);
    for (size_t i = 0; i < p->nmods; i++)
	if (p->mods[i]->fini)
	    p->mods[i]->fini(p->states[i]);
    for (size_t i = 0; i < p->env.nlists; i++)
	list_free(&p->env.lists[i]);
    free(p->env.lists);
    store_close(&p->env.lmdb);
    store_close(&p->env.redis);
    dns_resolver_free(&p->env.resolver);
    pthread_mutex_destroy(&p->env.lmdb_lock);
    free(p->mods);
    free(p->states);
    free(p->tables);
    free(p->lookups);
    free(p->authserv_id);
    conf_unref(&p->conf);
    free(p);
}

/* pipeline_needs - PIPELINE_NEED_* bits for the milter's negotiation */
unsigned pipeline_needs(const struct pipeline *p)
{
    return p->needs;
}

/* pipeline_env_conf - the snapshot */
const struct conf *pipeline_env_conf(const struct pipeline_env *env)
{
    return env->conf;
}

/* pipeline_env_resolver - the snapshot's resolver */
struct dns_resolver *pipeline_env_resolver(const struct pipeline_env *env)
{
    return env->resolver;
}

/* pipeline_env_store - the state store, opened on first use */
struct store *pipeline_env_store(struct pipeline_env *env, const char **why_r)
{
    struct store *s;

    if (env->redis)
	return env->redis;
    pthread_mutex_lock(&env->lmdb_lock);
    if (!env->lmdb_tried) {
	const char *why = NULL;

	env->lmdb_tried = 1;
	env->lmdb = store_open_lmdb(conf_str(env->conf, "store.lmdb"),
				    (size_t) conf_int(env->conf, "store.lmdb_map_size_mb"), &why);
	if (env->lmdb == NULL)
	    msg_warn("pipeline: store %s: %s; features that keep state are off",
		     conf_str(env->conf, "store.lmdb"), why);
    }
    s = env->lmdb;
    pthread_mutex_unlock(&env->lmdb_lock);
    if (s == NULL && why_r)
	*why_r = "the LMDB store cannot be opened (see the log)";
    return s;
}

/* pipeline_env_list - a named list of the lists section, or NULL */
struct list *pipeline_env_list(const struct pipeline_env *env, const char *name)
{
    for (size_t i = 0; i < env->nlists; i++)
	if (strcmp(list_name(env->lists[i]), name) == 0)
	    return env->lists[i];
    return NULL;
}
