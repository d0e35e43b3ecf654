/*
 * NAME
 *	conf - loading, reference-counted snapshots and accessors
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	(see conf.h)
 * DESCRIPTION
 *	A struct conf is built once (conf_load, conf_load_string,
 *	conf_defaults) and never changed afterwards, so any number of
 *	threads may read it without locks. The reference count is atomic;
 *	the last conf_unref() frees the values and the libconfig tree.
 *
 *	The current snapshot is the one guarded global of this module:
 *	conf_current() takes a reference under the mutex, conf_install()
 *	swaps the pointer under the mutex and drops the old reference
 *	outside it, so a reload never frees a snapshot a thread still uses.
 * DIAGNOSTICS
 *	Accessors msg_panic when asked for a key that is not in the table
 *	or is of another type: that is a bug in the caller, not bad input.
 * STANDARDS
 *	libconfig 1.5.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "conf/conf_load.h"
#include "util/msg.h"
#include "util/xmalloc.h"

static pthread_mutex_t conf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conf *conf_cur;	/* guarded by conf_lock */

/* conf_value_default - fill v with the key's default */
void conf_value_default(const struct conf_key *key, struct conf_value *v)
{
    const char *why = NULL;
    size_t n = 0;

    memset(v, 0, sizeof(*v));
    switch (key->type) {
    case CONF_BOOL:
    case CONF_INT:
	v->i = key->def_int;
	break;
    case CONF_STR:
    case CONF_ENUM:
	v->s = xstrdup(key->def_str);
	break;
    case CONF_LIST:
    case CONF_CIDRS:
	while (key->def_list[n] != NULL)
	    n++;
	v->list = xcalloc(n + 1, sizeof(char *));
	if (key->type == CONF_CIDRS)
	    v->cidrs = xcalloc(n + 1, sizeof(struct cidr));
	for (v->n = 0; v->n < n; v->n++) {
	    v->list[v->n] = xstrdup(key->def_list[v->n]);
	    if (key->type == CONF_CIDRS && cidr_parse(v->list[v->n], &v->cidrs[v->n], &why) < 0)
		msg_panic("conf: default of %s: %s", key->name, why);
	}
	break;
    case CONF_GROUPS:
    case CONF_NAMED:
    case CONF_RAW:
	break;
    }
}

/* conf_value_free - release what v holds and zero it */
void conf_value_free(const struct conf_key *key, struct conf_value *v)
{
    free(v->s);
    if (v->list != NULL)
	for (size_t i = 0; v->list[i] != NULL; i++)
	    free(v->list[i]);
    free(v->list);
    free(v->cidrs);
    if (v->groups != NULL) {
	for (size_t g = 0; g < v->ngroups; g++) {
	    for (size_t m = 0; key->members[m].name != NULL; m++)
		conf_value_free(&key->members[m], &v->groups[g].vals[m]);
	    free(v->groups[g].vals);
	}
	free(v->groups);
    }
    memset(v, 0, sizeof(*v));
}

/* conf_alloc - an empty snapshot with one reference */
static struct conf *conf_alloc(const char *path)
{
    struct conf *c = xcalloc(1, sizeof(*c));

    atomic_init(&c->refs, 1);
    c->path = path ? xstrdup(path) : NULL;
    c->vals = xcalloc(conf_key_count, sizeof(struct conf_value));
    return c;
}

/* conf_free - release a snapshot whose last reference is gone */
static void conf_free(struct conf *c)
{
    static const struct conf_key list_key = {.name = "lists", .type = CONF_LIST };

    for (size_t i = 0; i < conf_key_count; i++)
	conf_value_free(&conf_keys[i], &c->vals[i]);
    free(c->vals);
    for (size_t i = 0; i < c->nnamed; i++) {
	conf_value_free(&list_key, &c->named[i]);
	free(c->named_names[i]);
    }
    free(c->named);
    free(c->named_names);
    if (c->cf != NULL) {
	config_destroy(c->cf);
	free(c->cf);
    }
    free(c->path);
    free(c);
}

/* conf_defaults - the built-in configuration */
struct conf *conf_defaults(void)
{
    struct conf *c = conf_alloc(NULL);

    for (size_t i = 0; i < conf_key_count; i++)
	conf_value_default(&conf_keys[i], &c->vals[i]);
    return c;
}

/* conf_parsed - check a freshly parsed tree; NULL when it had errors */
static struct conf *conf_parsed(struct conf *c, int read_ok, const char *name,
				struct buf *errors_r)
{
    if (read_ok != CONFIG_TRUE) {
	const char *file = config_error_file(c->cf), *dir = config_get_include_dir(c->cf);
	char where[4096];

	/* libconfig names an @include'd file as written: make it findable */
	if (file != NULL && file[0] != '/' && dir != NULL && strcmp(file, name) != 0) {
	    snprintf(where, sizeof(where), "%s/%s", dir, file);
	    file = where;
	}
	if (config_error_type(c->cf) == CONFIG_ERR_FILE_IO)
	    buf_printf(errors_r, "%s: cannot read: %s\n", file ? file : name,
		       config_error_text(c->cf));
	else
	    buf_printf(errors_r, "%s:%d: syntax error: %s\n", file ? file : name,
		       config_error_line(c->cf), config_error_text(c->cf));
	conf_free(c);
	return NULL;
    }
    if (conf_load_tree(c, name, errors_r) > 0) {
	conf_free(c);
	return NULL;
    }
    return c;
}

/* conf_load - read and check a config file, which must exist */
struct conf *conf_load(const char *path, struct buf *errors_r)
{
    FILE *fp = fopen(path, "r");
    struct conf *c;
    char *dir;

    struct stat st;

    if (fp == NULL) {
	buf_printf(errors_r, "%s: cannot open: %m\n", path);	/* %m: strerror is not thread safe */
	return NULL;
    }
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
	errno = EISDIR;
	buf_printf(errors_r, "%s: cannot read: %m\n", path);
	fclose(fp);
	return NULL;
    }
    fclose(fp);
    c = conf_alloc(path);
    c->cf = xmalloc(sizeof(config_t));
    config_init(c->cf);
    dir = xstrdup(path);
    config_set_include_dir(c->cf, dirname(dir));	/* @include is relative to the file */
    free(dir);
    return conf_parsed(c, config_read_file(c->cf, path), path, errors_r);
}

/* conf_load_string - check config text; name stands for the file in errors */
struct conf *conf_load_string(const char *text, const char *name, struct buf *errors_r)
{
    struct conf *c;

    if (name == NULL)
	name = "-";
    c = conf_alloc(name);

    c->cf = xmalloc(sizeof(config_t));
    config_init(c->cf);
    return conf_parsed(c, config_read_string(c->cf, text), name, errors_r);
}

/* conf_open - path, or the default file, or the built-in defaults */
struct conf *conf_open(const char *path, struct buf *errors_r)
{
    if (path != NULL)
	return conf_load(path, errors_r);
    if (access(MXG_DEFAULT_CONFIG, F_OK) < 0 && errno == ENOENT)
	return conf_defaults();
    return conf_load(MXG_DEFAULT_CONFIG, errors_r);
}

/* conf_ref - one more reference to a snapshot */
struct conf *conf_ref(struct conf *c)
{
    atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

/* conf_unref - drop a reference; the last one frees the snapshot */
void conf_unref(struct conf **cp)
{
    struct conf *c = *cp;

    *cp = NULL;
    if (c != NULL && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
	conf_free(c);
}

/* conf_current - a new reference to the installed snapshot, or NULL */
struct conf *conf_current(void)
{
    struct conf *c;

    pthread_mutex_lock(&conf_lock);
    c = conf_cur ? conf_ref(conf_cur) : NULL;
    pthread_mutex_unlock(&conf_lock);
    return c;
}

/* conf_install - make c current (taking over its reference) */
void conf_install(struct conf *c)
{
    struct conf *old;

    pthread_mutex_lock(&conf_lock);
    old = conf_cur;
    conf_cur = c;
    pthread_mutex_unlock(&conf_lock);
    conf_unref(&old);
}

/* conf_value_get - the value of key, which must be of type t1 or t2 */
static const struct conf_value *conf_value_get(const struct conf *c, const char *key,
					       enum conf_type t1, enum conf_type t2)
{
    int idx = conf_key_index(key);

    if (idx < 0)
	msg_panic("conf: no such key: %s", key);
    if (conf_keys[idx].type != t1 && conf_keys[idx].type != t2)
	msg_panic("conf: %s is of type %s, asked for as %s", key, conf_type_name(conf_keys[idx].type),
		  conf_type_name(t1));
    return &c->vals[idx];
}

/* conf_bool - a bool key */
int conf_bool(const struct conf *c, const char *key)
{
    return (int) conf_value_get(c, key, CONF_BOOL, CONF_BOOL)->i;
}

/* conf_int - an int key */
long long conf_int(const struct conf *c, const char *key)
{
    return conf_value_get(c, key, CONF_INT, CONF_INT)->i;
}

/* conf_str - a string or enum key; never NULL */
const char *conf_str(const struct conf *c, const char *key)
{
    return conf_value_get(c, key, CONF_STR, CONF_ENUM)->s;
}

/* conf_list - a string list (or a CIDR list as text); NULL-terminated */
size_t conf_list(const struct conf *c, const char *key, const char *const **items_r)
{
    const struct conf_value *v = conf_value_get(c, key, CONF_LIST, CONF_CIDRS);

    *items_r = (const char *const *) v->list;
    return v->n;
}

/* conf_cidrs - a CIDR list, parsed */
const struct cidr *conf_cidrs(const struct conf *c, const char *key, size_t *count_r)
{
    const struct conf_value *v = conf_value_get(c, key, CONF_CIDRS, CONF_CIDRS);

    *count_r = v->n;
    return v->cidrs;
}

/* conf_setting - the raw libconfig setting of a key or group, or NULL */
const config_setting_t *conf_setting(const struct conf *c, const char *key)
{
    if (conf_key_index(key) < 0 && !conf_key_is_prefix(key))
	msg_panic("conf: no such key: %s", key);
    return c->cf ? config_lookup(c->cf, key) : NULL;
}

/* conf_path - the file the snapshot came from; NULL for built-in defaults */
const char *conf_path(const struct conf *c)
{
    return c->path;
}

/* conf_is_default - is this the built-in configuration (no file)? */
int conf_is_default(const struct conf *c)
{
    return c->cf == NULL;
}

/* conf_group_count - number of entries of a group list (dkim.sign) */
size_t conf_group_count(const struct conf *c, const char *key)
{
    return conf_value_get(c, key, CONF_GROUPS, CONF_GROUPS)->ngroups;
}

/* conf_group_str - one string member of one entry of a group list */
const char *conf_group_str(const struct conf *c, const char *key, size_t index,
			   const char *member)
{
    int idx = conf_key_index(key);
    const struct conf_value *v = conf_value_get(c, key, CONF_GROUPS, CONF_GROUPS);
    const struct conf_key *m = conf_member_find(conf_keys[idx].members, member);

    if (m == NULL || (m->type != CONF_STR && m->type != CONF_ENUM))
	msg_panic("conf: %s has no string member %s", key, member);
    if (index >= v->ngroups)
	msg_panic("conf: %s has no entry %zu", key, index);
    return v->groups[index].vals[m - conf_keys[idx].members].s;
}

/* conf_named_list - the entries of the named list name */
int conf_named_list(const struct conf *c, const char *name, const char *const **items_r,
		    size_t *count_r)
{
    for (size_t i = 0; i < c->nnamed; i++) {
	if (strcmp(c->named_names[i], name) == 0) {
	    *items_r = (const char *const *) c->named[i].list;
	    *count_r = c->named[i].n;
	    return 1;
	}
    }
    *items_r = NULL;
    *count_r = 0;
    return 0;
}

/* conf_named_lists - the names of all named lists, in file order */
size_t conf_named_lists(const struct conf *c, const char *const **names_r)
{
    static const char *const empty[] = { NULL };

    *names_r = c->named_names ? (const char *const *) c->named_names : empty;
    return c->nnamed;
}
