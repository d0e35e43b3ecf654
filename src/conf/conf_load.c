/*
 * NAME
 *	conf_load - check a parsed libconfig tree against the key table
 * SYNOPSIS
 *	#include "conf/conf_load.h"
 *
 *	int conf_load_tree(struct conf *c, const char *name, struct buf *errors_r);
 * DESCRIPTION
 *	Walks c->cf from the root: every setting must be a key of the table,
 *	a section or sub-group that contains keys, or a member of a group
 *	list. Each key's value is type checked, range checked and converted
 *	into c->vals; keys the file does not give get their default.
 *
 *	Every problem is appended to *errors_r as one line
 *	"FILE:LINE: key: what is wrong\n" and the walk goes on, so one run
 *	reports all of them. FILE is the setting's own file (an @include'd
 *	file names itself), else name. Values quoted in errors are escaped
 *	and cut, so a hostile file cannot forge output lines.
 * DIAGNOSTICS
 *	The number of errors found (0: c is complete and usable).
 * STANDARDS
 *	libconfig 1.5.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_impl.h"
#include "conf/conf_load.h"
#include "util/msg.h"
#include "util/xmalloc.h"

struct load_ctx {
    struct conf *c;
    const char *name;		/* file name when libconfig knows none */
    struct buf *errs;
    int nerr;
};

/* quote - append value quoted, control characters escaped, at most 80 bytes */
static void quote(struct buf *b, const char *value)
{
    buf_quote(b, value, 80);
}

/* load_error - record "FILE:LINE: key: what" for setting s */
static void MSG_PRINTF(4, 5) load_error(struct load_ctx *lc, const config_setting_t *s,
					const char *key, const char *fmt, ...)
{
    const char *file = s ? config_setting_source_file(s) : NULL;
    va_list ap;
    char what[512], where[4096];

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    const char *dir = config_get_include_dir(lc->c->cf);

    /* libconfig names an @include'd file as written: make it findable */
    if (file == NULL)
	file = lc->name;
    else if (file[0] != '/' && dir != NULL && strcmp(file, lc->name) != 0) {
	snprintf(where, sizeof(where), "%s/%s", dir, file);
	file = where;
    }
    buf_printf(lc->errs, "%s:%u: %s: %s\n", file, s ? config_setting_source_line(s) : 0, key,
	       what);
    lc->nerr++;
}

/* load_bad_value - record "FILE:LINE: key: \"value\": why" */
static void load_bad_value(struct load_ctx *lc, const config_setting_t *s, const char *key,
			   const char *value, const char *why)
{
    struct buf q = BUF_INIT;

    quote(&q, value);
    load_error(lc, s, key, "%s: %s", q.data, why);
    buf_free(&q);
}

/* type_name - a libconfig type as users write it */
static const char *type_name(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP:
	return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
	return "an integer";
    case CONFIG_TYPE_FLOAT:
	return "a float";
    case CONFIG_TYPE_STRING:
	return "a string";
    case CONFIG_TYPE_BOOL:
	return "a boolean";
    case CONFIG_TYPE_ARRAY:
	return "an array";
    case CONFIG_TYPE_LIST:
	return "a list";
    }
    return "unknown";
}

/* load_strings - a string list: one string, or an array or list of strings */
static int load_strings(struct load_ctx *lc, const struct conf_key *key, const char *kname,
			config_setting_t *s, struct conf_value *v)
{
    int type = config_setting_type(s), bad = 0;
    int count = type == CONFIG_TYPE_STRING ? 1 : config_setting_length(s);

    if (type != CONFIG_TYPE_STRING && type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
	load_error(lc, s, kname, "must be a string or a list of strings, not %s", type_name(s));
	return -1;
    }
    v->list = xcalloc((size_t) count + 1, sizeof(char *));
    if (key->type == CONF_CIDRS)
	v->cidrs = xcalloc((size_t) count + 1, sizeof(struct cidr));
    for (int i = 0; i < count; i++) {
	config_setting_t *e = type == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, (unsigned) i);
	const char *str = config_setting_get_string(e), *why = NULL;

	if (str == NULL) {
	    char *iname = xasprintf("%s[%d]", kname, i);
	    load_error(lc, e, iname, "must be a string, not %s", type_name(e));
	    free(iname);
	    bad = 1;
	    continue;
	}
	if (key->type == CONF_CIDRS && cidr_parse(str, &v->cidrs[v->n], &why) < 0) {
	    load_bad_value(lc, e, kname, str, why);
	    bad = 1;
	    continue;
	}
	if (key->check != NULL && key->check(str, &why) < 0) {
	    load_bad_value(lc, e, kname, str, why);
	    bad = 1;
	    continue;
	}
	v->list[v->n++] = xstrdup(str);
    }
    return bad ? -1 : 0;
}

/* load_scalar - bool, int, string and enum values */
static int load_scalar(struct load_ctx *lc, const struct conf_key *key, const char *kname,
		       config_setting_t *s, struct conf_value *v)
{
    int type = config_setting_type(s);
    const char *str, *why = NULL;

    switch (key->type) {
    case CONF_BOOL:
	if (type != CONFIG_TYPE_BOOL) {
	    load_error(lc, s, kname, "must be a boolean (true or false), not %s", type_name(s));
	    return -1;
	}
	v->i = config_setting_get_bool(s);
	return 0;
    case CONF_INT:
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
	    load_error(lc, s, kname, "must be an integer, not %s", type_name(s));
	    return -1;
	}
	v->i = config_setting_get_int64(s);
	if (v->i < key->min || v->i > key->max) {
	    /* libconfig 1.5 wraps integers above INT_MAX unless written 123L */
	    int wrap = type == CONFIG_TYPE_INT && key->max > INT_MAX && v->i < 0;
	    load_error(lc, s, kname, "%lld is out of range %lld..%lld%s", v->i, key->min,
		       key->max, wrap ? " (numbers above 2147483647 need an L suffix,"
		       " as in 2147483648L)" : "");
	    return -1;
	}
	return 0;
    default:			/* CONF_STR, CONF_ENUM */
	if ((str = config_setting_get_string(s)) == NULL) {
	    load_error(lc, s, kname, "must be a string, not %s", type_name(s));
	    return -1;
	}
	if (key->type == CONF_ENUM && !conf_check_word(str, key->words)) {
	    struct buf words = BUF_INIT;
	    for (const char *const *w = key->words; *w; w++)
		buf_printf(&words, "%s%s", w == key->words ? "" : ", ", *w);
	    struct buf q = BUF_INIT;
	    quote(&q, str);
	    load_error(lc, s, kname, "%s is not one of: %s", q.data, words.data);
	    buf_free(&q);
	    buf_free(&words);
	    return -1;
	}
	if (key->check != NULL && key->check(str, &why) < 0) {
	    load_bad_value(lc, s, kname, str, why);
	    return -1;
	}
	v->s = xstrdup(str);
	return 0;
    }
}

/* load_nonempty - required strings must not be empty either */
static int load_nonempty(struct load_ctx *lc, const struct conf_key *key, const char *kname,
			 config_setting_t *s, const struct conf_value *v)
{
    if ((key->flags & CONF_F_REQUIRED) && v->s != NULL && *v->s == 0) {
	load_error(lc, s, kname, "must not be empty");
	return -1;
    }
    return 0;
}

static int load_value(struct load_ctx *, const struct conf_key *, const char *,
		      config_setting_t *, struct conf_value *);

/* load_discard - replace a rejected value by the default (the load fails) */
static void load_discard(const struct conf_key *key, struct conf_value *v)
{
    conf_value_free(key, v);
    conf_value_default(key, v);
}

/* load_group_entry - one group of a group list, checked against members */
static int load_group_entry(struct load_ctx *lc, const struct conf_key *key, const char *kname,
			    config_setting_t *g, struct conf_group *entry)
{
    const struct conf_key *m;
    size_t nmembers = 0;
    int bad = 0;

    for (m = key->members; m->name; m++)
	nmembers++;
    entry->vals = xcalloc(nmembers, sizeof(struct conf_value));
    for (int i = 0; i < config_setting_length(g); i++) {
	config_setting_t *s = config_setting_get_elem(g, (unsigned) i);
	char *mname = xasprintf("%s.%s", kname, config_setting_name(s));

	if ((m = conf_member_find(key->members, config_setting_name(s))) == NULL) {
	    load_error(lc, s, mname, "unknown key");
	    bad = 1;
	} else {
	    if (load_value(lc, m, mname, s, &entry->vals[m - key->members]) < 0) {
		load_discard(m, &entry->vals[m - key->members]);
		bad = 1;
	    }
	    entry->vals[m - key->members].set = 1;
	}
	free(mname);
    }
    for (m = key->members; m->name; m++) {
	struct conf_value *v = &entry->vals[m - key->members];
	if (v->set)
	    continue;
	if (m->flags & CONF_F_REQUIRED) {
	    load_error(lc, g, kname, "%s is missing", m->name);
	    bad = 1;
	}
	conf_value_default(m, v);
    }
    return bad ? -1 : 0;
}

/* load_groups - a group list: ( { ... }, { ... } ), or one group */
static int load_groups(struct load_ctx *lc, const struct conf_key *key, const char *kname,
		       config_setting_t *s, struct conf_value *v)
{
    int type = config_setting_type(s), bad = 0;
    int count = type == CONFIG_TYPE_GROUP ? 1 : config_setting_length(s);

    if (type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_GROUP
	&& !(type == CONFIG_TYPE_ARRAY && count == 0)) {
	load_error(lc, s, kname, "must be a list of groups ( { ... }, ... ), not %s",
		   type_name(s));
	return -1;
    }
    v->groups = xcalloc((size_t) count + 1, sizeof(struct conf_group));
    for (int i = 0; i < count; i++) {
	config_setting_t *g = type == CONFIG_TYPE_GROUP ? s : config_setting_get_elem(s, (unsigned) i);
	char *gname = xasprintf("%s[%d]", kname, i);

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
	    load_error(lc, g, gname, "must be a group { ... }, not %s", type_name(g));
	    bad = 1;
	} else if (load_group_entry(lc, key, gname, g, &v->groups[v->ngroups++]) < 0) {
	    bad = 1;
	}
	free(gname);
    }
    return bad ? -1 : 0;
}

/* load_raw - a list of groups left to its owner module */
static int load_raw(struct load_ctx *lc, const char *kname, config_setting_t *s)
{
    int type = config_setting_type(s), bad = 0;

    if (type == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0)
	return 0;
    if (type != CONFIG_TYPE_LIST) {
	load_error(lc, s, kname, "must be a list of groups ( { ... }, ... ), not %s",
		   type_name(s));
	return -1;
    }
    for (int i = 0; i < config_setting_length(s); i++) {
	config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
	if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
	    char *iname = xasprintf("%s[%d]", kname, i);
	    load_error(lc, e, iname, "must be a group { ... }, not %s", type_name(e));
	    free(iname);
	    bad = 1;
	}
    }
    return bad ? -1 : 0;
}

/* load_named - the lists section: NAME = "spec" or NAME = [ entries ] */
static int load_named(struct load_ctx *lc, config_setting_t *s)
{
    static const struct conf_key entry = {.name = "lists", .type = CONF_LIST };
    struct conf *c = lc->c;
    int count = config_setting_length(s), bad = 0;

    if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
	load_error(lc, s, "lists", "must be a group { NAME = ...; }, not %s", type_name(s));
	return -1;
    }
    c->named_names = xcalloc((size_t) count + 1, sizeof(char *));
    c->named = xcalloc((size_t) count + 1, sizeof(struct conf_value));
    for (int i = 0; i < count; i++) {
	config_setting_t *e = config_setting_get_elem(s, (unsigned) i);
	char *kname = xasprintf("lists.%s", config_setting_name(e));

	if (load_strings(lc, &entry, kname, e, &c->named[c->nnamed]) < 0) {
	    conf_value_free(&entry, &c->named[c->nnamed]);
	    bad = 1;
	} else {
	    c->named[c->nnamed].set = 1;
	    c->named_names[c->nnamed++] = xstrdup(config_setting_name(e));
	}
	free(kname);
    }
    return bad ? -1 : 0;
}

/* load_value - check one setting against its key and convert it */
static int load_value(struct load_ctx *lc, const struct conf_key *key, const char *kname,
		      config_setting_t *s, struct conf_value *v)
{
    switch (key->type) {
    case CONF_LIST:
    case CONF_CIDRS:
	return load_strings(lc, key, kname, s, v);
    case CONF_GROUPS:
	return load_groups(lc, key, kname, s, v);
    case CONF_RAW:
	return load_raw(lc, kname, s);
    case CONF_NAMED:
	return load_named(lc, s);
    default:
	if (load_scalar(lc, key, kname, s, v) < 0)
	    return -1;
	return load_nonempty(lc, key, kname, s, v);
    }
}

static void load_required(struct load_ctx *, config_setting_t *, const char *);

/* load_walk - check every child of group g, whose full name is prefix */
static void load_walk(struct load_ctx *lc, config_setting_t *g, const char *prefix)
{
    for (int i = 0; i < config_setting_length(g); i++) {
	config_setting_t *s = config_setting_get_elem(g, (unsigned) i);
	char *kname = prefix ? xasprintf("%s.%s", prefix, config_setting_name(s))
	    : xstrdup(config_setting_name(s));
	int idx = conf_key_index(kname);

	if (idx >= 0) {
	    struct conf_value *v = &lc->c->vals[idx];
	    if (load_value(lc, &conf_keys[idx], kname, s, v) < 0)
		load_discard(&conf_keys[idx], v);
	    v->set = 1;		/* given, even if wrong: not "missing" */
	} else if (!conf_key_is_prefix(kname)) {
	    load_error(lc, s, kname, "unknown key");
	} else if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
	    load_error(lc, s, kname, "must be a group { ... }, not %s", type_name(s));
	} else {
	    load_walk(lc, s, kname);
	    load_required(lc, s, kname);
	}
	free(kname);
    }
}

/* load_required - members of an optional group (arc.seal) that must be given */
static void load_required(struct load_ctx *lc, config_setting_t *g, const char *group)
{
    size_t len = strlen(group);

    for (size_t i = 0; i < conf_key_count; i++) {
	const struct conf_key *key = &conf_keys[i];

	if ((key->flags & CONF_F_REQUIRED) && !lc->c->vals[i].set
	    && strncmp(key->name, group, len) == 0 && key->name[len] == '.'
	    && strchr(key->name + len + 1, '.') == NULL)
	    load_error(lc, g, group, "%s is missing", key->name + len + 1);
    }
}

/* conf_load_tree - check c->cf and fill c->vals; the number of errors */
int conf_load_tree(struct conf *c, const char *name, struct buf *errors_r)
{
    struct load_ctx lc = { c, name, errors_r, 0 };

    load_walk(&lc, config_root_setting(c->cf), NULL);
    for (size_t i = 0; i < conf_key_count; i++)
	if (!c->vals[i].set)
	    conf_value_default(&conf_keys[i], &c->vals[i]);
    return lc.nerr;
}
