/*
 * NAME
 *	conf_impl - internals shared by the files of src/conf
 * SYNOPSIS
 *	#include "conf/conf_impl.h"
 *
 *	extern const struct conf_key conf_keys[];
 *	extern const size_t conf_key_count;
 *	int conf_key_index(const char *name);
 *	const struct conf_key *conf_member_find(const struct conf_key *members,
 *						const char *name);
 *	int conf_key_is_prefix(const char *name);
 *	const char *conf_type_name(enum conf_type type);
 *
 *	int conf_check_facility(const char *value, const char **why_r);
 *	int conf_check_milter_socket(const char *value, const char **why_r);
 *	int conf_check_dns_server(const char *value, const char **why_r);
 *	int conf_check_redis(const char *value, const char **why_r);
 *	int conf_check_listen(const char *value, const char **why_r);
 *	int conf_check_metrics_listen(const char *value, const char **why_r);
 *	int conf_check_metrics_listen(const char *value, const char **why_r);
 *	int conf_check_word(const char *value, const char *const *words);
 *
 *	void conf_value_free(const struct conf_key *key, struct conf_value *v);
 *	void conf_value_default(const struct conf_key *key, struct conf_value *v);
 * DESCRIPTION
 *	The key table (conf_keys.c) names every key once with its full
 *	dotted name; sections and sub-groups ("dmarc.forensic") are implied
 *	by the names. A CONF_GROUPS key (dkim.sign) is a list of groups
 *	whose members are described by a second, relative table.
 *
 *	struct conf holds one struct conf_value per key of the table, in
 *	table order, plus the named lists and the libconfig tree the values
 *	came from (kept alive for conf_setting()).
 * DIAGNOSTICS
 *	The conf_check_* functions return 0 when the value is good, or -1
 *	with *why_r set to a static reason.
 * STANDARDS
 *	None.
 */
#ifndef MXG_CONF_CONF_IMPL_H
#define MXG_CONF_CONF_IMPL_H

#include <stdatomic.h>
#include <stddef.h>
#include <libconfig.h>
#include "util/cidr.h"

enum conf_type {
    CONF_BOOL,			/* true / false */
    CONF_INT,			/* integer in [min, max] */
    CONF_STR,			/* string, optionally checked by check() */
    CONF_ENUM,			/* one of words[] */
    CONF_LIST,			/* string list; one string = one-element list */
    CONF_CIDRS,			/* string list, each item a CIDR */
    CONF_NAMED,			/* group of named lists (the "lists" section) */
    CONF_GROUPS,		/* list of groups checked against members[] */
    CONF_RAW,			/* list of groups checked by their owner later */
};

#define CONF_F_SECRET	1	/* never dumped in clear */
#define CONF_F_REQUIRED	2	/* must be present when its group is */

typedef int (*conf_check_fn) (const char *value, const char **why_r);

struct conf_key {
    const char *name;		/* full dotted name, or member name */
    enum conf_type type;
    long long def_int;		/* BOOL, INT */
    const char *def_str;	/* STR, ENUM */
    const char *const *def_list;	/* LIST, CIDRS: NULL-terminated */
    long long min, max;		/* INT */
    const char *const *words;	/* ENUM: NULL-terminated */
    conf_check_fn check;	/* STR, LIST: extra check of each string */
    const struct conf_key *members;	/* GROUPS: NULL-name terminated */
    unsigned flags;		/* CONF_F_* */
    const char *doc;		/* one line for mxguard.conf(5) */
};

/* One group of a CONF_GROUPS key: one value per member, member order. */
struct conf_group {
    struct conf_value *vals;
};

struct conf_value {
    int set;			/* given in the file (not the default) */
    long long i;		/* BOOL, INT */
    char *s;			/* STR, ENUM */
    char **list;		/* LIST, CIDRS: NULL-terminated */
    size_t n;			/* items in list */
    struct cidr *cidrs;		/* CIDRS: n parsed networks */
    struct conf_group *groups;	/* GROUPS */
    size_t ngroups;
};

struct conf {
    atomic_int refs;
    char *path;			/* file name, NULL for built-in defaults */
    config_t *cf;		/* the parsed file (NULL for defaults) */
    struct conf_value *vals;	/* conf_key_count values, table order */
    char **named_names;		/* NULL-terminated, file order */
    struct conf_value *named;	/* one LIST value per named list */
    size_t nnamed;
};

extern const struct conf_key conf_keys[];
extern const size_t conf_key_count;

int conf_key_index(const char *name);
const struct conf_key *conf_member_find(const struct conf_key *members, const char *name);
int conf_key_is_prefix(const char *name);
const char *conf_type_name(enum conf_type type);

int conf_check_facility(const char *value, const char **why_r);
int conf_check_milter_socket(const char *value, const char **why_r);
int conf_check_dns_server(const char *value, const char **why_r);
int conf_check_redis(const char *value, const char **why_r);
int conf_check_listen(const char *value, const char **why_r);
int conf_check_metrics_listen(const char *value, const char **why_r);
int conf_check_word(const char *value, const char *const *words);

void conf_value_free(const struct conf_key *key, struct conf_value *v);
void conf_value_default(const struct conf_key *key, struct conf_value *v);

#endif
