/*
 * NAME
 *	conf_dump - write the effective config, list the key table
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	void conf_dump(const struct conf *c, FILE *fp);
 *	void conf_list_keys(FILE *fp);
 * DESCRIPTION
 *	conf_dump() rebuilds a libconfig tree from the snapshot's values,
 *	defaults included, in key table order, copies the raw settings
 *	(rules.data, events.actions) as they were, and lets libconfig's own
 *	writer print it, so the output always parses back to an equal
 *	snapshot. Secrets are replaced by "********" when set. An optional
 *	group whose required members are empty (arc.seal unset) is left out.
 *
 *	conf_list_keys() prints one line per key and per group-list member:
 *	NAME TAB TYPE TAB DEFAULT TAB RANGE-OR-WORDS TAB DOC. The man page
 *	coverage test reads it.
 * DIAGNOSTICS
 *	None; write errors show on fp.
 * STANDARDS
 *	libconfig 1.5 syntax (config_write).
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf_impl.h"
#include "util/msg.h"
#include "util/xmalloc.h"

#define CONF_SECRET_MASK "********"

/* dump_parent - the group that holds the last component of name, created */
static config_setting_t *dump_parent(config_t *out, const char *name, const char **leaf_r)
{
    config_setting_t *g = config_root_setting(out);
    const char *p = name, *dot;

    while ((dot = strchr(p, '.')) != NULL) {
	char *part = xstrndup(p, (size_t) (dot - p));
	config_setting_t *next = config_setting_get_member(g, part);

	if (next == NULL)
	    next = config_setting_add(g, part, CONFIG_TYPE_GROUP);
	free(part);
	g = next;
	p = dot + 1;
    }
    *leaf_r = p;
    return g;
}

/* dump_strings - an array of strings */
static void dump_strings(config_setting_t *g, const char *leaf, char *const *list, size_t n)
{
    config_setting_t *a = config_setting_add(g, leaf, CONFIG_TYPE_ARRAY);

    for (size_t i = 0; i < n; i++)
	config_setting_set_string_elem(a, -1, list[i]);
}

/* dump_copy - deep copy of a raw libconfig setting under g */
static void dump_copy(config_setting_t *g, const char *leaf, const config_setting_t *src)
{
    int type = config_setting_type(src);
    config_setting_t *s = config_setting_add(g, leaf, type);

    if (s == NULL)
	msg_panic("conf: cannot copy setting %s", leaf ? leaf : "(element)");
    config_setting_set_format(s, config_setting_get_format(src));
    switch (type) {
    case CONFIG_TYPE_GROUP:
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST:
	for (int i = 0; i < config_setting_length(src); i++) {
	    const config_setting_t *e = config_setting_get_elem(src, (unsigned) i);
	    dump_copy(s, type == CONFIG_TYPE_GROUP ? config_setting_name(e) : NULL, e);
	}
	break;
    case CONFIG_TYPE_INT:
	config_setting_set_int(s, config_setting_get_int(src));
	break;
    case CONFIG_TYPE_INT64:
	config_setting_set_int64(s, config_setting_get_int64(src));
	break;
    case CONFIG_TYPE_FLOAT:
	config_setting_set_float(s, config_setting_get_float(src));
	break;
    case CONFIG_TYPE_BOOL:
	config_setting_set_bool(s, config_setting_get_bool(src));
	break;
    case CONFIG_TYPE_STRING:
	config_setting_set_string(s, config_setting_get_string(src));
	break;
    }
}

/* dump_value - one typed value under g as leaf */
static void dump_value(const struct conf *c, config_setting_t *g, const char *leaf,
		       const struct conf_key *key, const struct conf_value *v)
{
    config_setting_t *s;

    switch (key->type) {
    case CONF_BOOL:
	config_setting_set_bool(config_setting_add(g, leaf, CONFIG_TYPE_BOOL), (int) v->i);
	break;
    case CONF_INT:
	if (v->i >= INT_MIN && v->i <= INT_MAX)
	    config_setting_set_int(config_setting_add(g, leaf, CONFIG_TYPE_INT), (int) v->i);
	else
	    config_setting_set_int64(config_setting_add(g, leaf, CONFIG_TYPE_INT64), v->i);
	break;
    case CONF_STR:
    case CONF_ENUM:
	config_setting_set_string(config_setting_add(g, leaf, CONFIG_TYPE_STRING),
				  (key->flags & CONF_F_SECRET) && *v->s ? CONF_SECRET_MASK : v->s);
	break;
    case CONF_LIST:
    case CONF_CIDRS:
	dump_strings(g, leaf, v->list, v->n);
	break;
    case CONF_GROUPS:
	s = config_setting_add(g, leaf, CONFIG_TYPE_LIST);
	for (size_t i = 0; i < v->ngroups; i++) {
	    config_setting_t *e = config_setting_add(s, NULL, CONFIG_TYPE_GROUP);
	    for (size_t m = 0; key->members[m].name != NULL; m++)
		dump_value(c, e, key->members[m].name, &key->members[m], &v->groups[i].vals[m]);
	}
	break;
    case CONF_NAMED:
	s = config_setting_add(g, leaf, CONFIG_TYPE_GROUP);
	for (size_t i = 0; i < c->nnamed; i++)
	    dump_strings(s, c->named_names[i], c->named[i].list, c->named[i].n);
	break;
    case CONF_RAW:
	if (c->cf != NULL && (s = config_lookup(c->cf, key->name)) != NULL
	    && config_setting_type(s) == CONFIG_TYPE_LIST)
	    dump_copy(g, leaf, s);
	else
	    config_setting_add(g, leaf, CONFIG_TYPE_LIST);
	break;
    }
}

/* dump_absent - is key in an optional group (arc.seal) that is not used? */
static int dump_absent(const struct conf *c, const struct conf_key *key)
{
    const char *dot = strrchr(key->name, '.');
    size_t plen = dot ? (size_t) (dot - key->name) : 0;

    if (dot == NULL || memchr(key->name, '.', plen) == NULL)
	return 0;			/* a key of a section, not of a sub-group */
    for (size_t i = 0; i < conf_key_count; i++)
	if ((conf_keys[i].flags & CONF_F_REQUIRED)
	    && strncmp(conf_keys[i].name, key->name, plen + 1) == 0
	    && conf_keys[i].type == CONF_STR && *c->vals[i].s == 0)
	    return 1;			/* the load makes them all non-empty */
    return 0;
}

/* conf_dump - write the effective configuration in libconfig syntax */
void conf_dump(const struct conf *c, FILE *fp)
{
    config_t out;

    config_init(&out);
    for (size_t i = 0; i < conf_key_count; i++) {
	const char *leaf;
	if (dump_absent(c, &conf_keys[i]))
	    continue;
	config_setting_t *g = dump_parent(&out, conf_keys[i].name, &leaf);
	dump_value(c, g, leaf, &conf_keys[i], &c->vals[i]);
    }
    fprintf(fp, "# mxguard effective configuration, from %s\n",
	    c->path ? c->path : "the built-in defaults");
    config_write(&out, fp);
    config_destroy(&out);
}

/* list_default - the default of a key as shown in the key listing */
static void list_default(const struct conf_key *key, struct buf *b)
{
    switch (key->type) {
    case CONF_BOOL:
	buf_puts(b, key->def_int ? "true" : "false");
	break;
    case CONF_INT:
	buf_printf(b, "%lld", key->def_int);
	break;
    case CONF_STR:
    case CONF_ENUM:
	buf_printf(b, "\"%s\"", key->def_str);
	break;
    case CONF_LIST:
    case CONF_CIDRS:
	buf_puts(b, "[");
	for (const char *const *p = key->def_list; *p; p++)
	    buf_printf(b, "%s\"%s\"", p == key->def_list ? " " : ", ", *p);
	buf_puts(b, " ]");
	break;
    case CONF_NAMED:
	buf_puts(b, "{ }");
	break;
    case CONF_GROUPS:
    case CONF_RAW:
	buf_puts(b, "( )");
	break;
    }
}

/* list_key - one line of the key listing */
static void list_key(FILE *fp, const char *prefix, const struct conf_key *key)
{
    struct buf def = BUF_INIT, range = BUF_INIT;

    list_default(key, &def);
    if (key->type == CONF_INT)
	buf_printf(&range, "%lld..%lld", key->min, key->max);
    else if (key->type == CONF_ENUM)
	for (const char *const *w = key->words; *w; w++)
	    buf_printf(&range, "%s%s", w == key->words ? "" : "|", *w);
    else
	buf_puts(&range, "-");
    fprintf(fp, "%s%s%s\t%s\t%s\t%s\t%s%s\n", prefix ? prefix : "", prefix ? "." : "",
	    key->name, conf_type_name(key->type), def.data, range.data,
	    key->flags & CONF_F_REQUIRED ? "(required) " : "", key->doc);
    buf_free(&def);
    buf_free(&range);
}

/* conf_list_keys - print the key table, one key per line */
void conf_list_keys(FILE *fp)
{
    for (size_t i = 0; i < conf_key_count; i++) {
	list_key(fp, NULL, &conf_keys[i]);
	if (conf_keys[i].type == CONF_GROUPS)
	    for (const struct conf_key *m = conf_keys[i].members; m->name; m++)
		list_key(fp, conf_keys[i].name, m);
    }
}
