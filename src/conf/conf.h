/*
 * NAME
 *	conf - the configuration: key table, loading, immutable snapshots
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	struct conf *conf_open(const char *path, struct buf *errors_r);
 *	struct conf *conf_load(const char *path, struct buf *errors_r);
 *	struct conf *conf_defaults(void);
 *	struct conf *conf_ref(struct conf *c);
 *	void conf_unref(struct conf **cp);
 *
 *	int conf_bool(const struct conf *c, const char *key);
 *	long long conf_int(const struct conf *c, const char *key);
 *	const char *conf_str(const struct conf *c, const char *key);
 *	size_t conf_list(const struct conf *c, const char *key,
 *			 const char *const **items_r);
 *	const struct cidr *conf_cidrs(const struct conf *c, const char *key,
 *				      size_t *count_r);
 *	const config_setting_t *conf_setting(const struct conf *c, const char *key);
 *	const char *conf_path(const struct conf *c);
 *	void conf_dump(const struct conf *c, FILE *fp);
 *
 *	size_t conf_group_count(const struct conf *c, const char *key);
 *	const char *conf_group_str(const struct conf *c, const char *key,
 *				   size_t index, const char *member);
 *	int conf_named_list(const struct conf *c, const char *name,
 *			    const char *const **items_r, size_t *count_r);
 *	size_t conf_named_lists(const struct conf *c, const char *const **names_r);
 *
 *	struct conf *conf_load_string(const char *text, const char *name,
 *				      struct buf *errors_r);
 *	int conf_is_default(const struct conf *c);
 *	void conf_list_keys(FILE *fp);
 *
 *	struct conf *conf_current(void);          (a new reference, or NULL)
 *	void conf_install(struct conf *c);        (takes over the reference)
 * DESCRIPTION
 *	Every key is declared once in conf_keys.c (name, type, default,
 *	range, doc line). conf_load() reads a libconfig file and checks every
 *	setting against that table: unknown keys, wrong types, out-of-range
 *	numbers, bad enum words and bad CIDRs are all reported, one line each,
 *	as "FILE:LINE: key: what is wrong", appended to *errors_r.
 *	conf_open(NULL, ...) reads MXG_DEFAULT_CONFIG, or returns the built-in
 *	defaults when that file does not exist; conf_open(path) requires it.
 *
 *	A struct conf is immutable and reference counted. Daemons keep the
 *	current snapshot behind conf_current()/conf_install(); a reload
 *	builds a new snapshot and installs it only when it loaded cleanly, so
 *	a bad file keeps the old config.
 *
 *	Accessors take full dotted key names ("milter.socket"). Asking for a
 *	key that is not in the table, or with the wrong type, is a bug:
 *	msg_panic. conf_setting() returns the raw libconfig setting for
 *	structured keys (rules.data, dkim.sign, events.actions) whose owner
 *	module parses them further (and reports errors with
 *	config_setting_source_line()); NULL when absent.
 *
 *	Group lists (dkim.sign) are validated member by member against a
 *	sub-table; conf_group_count() says how many entries there are and
 *	conf_group_str() returns one member (its default when omitted).
 *	Named lists live in the "lists" section: conf_named_list() returns
 *	the entries of one ("file:/path" is a one-entry list),
 *	conf_named_lists() the names, in file order.
 *
 *	conf_load_string() parses text instead of a file; name is used in
 *	error lines (tests, fuzzing). conf_dump() writes the effective
 *	config (defaults included) in libconfig syntax that loads back to the
 *	same snapshot; secrets (store.redis_password) are written as
 *	"********". conf_list_keys() prints the key table, one key per line:
 *	name, type, default, range or words, doc, separated by TABs.
 *
 *	conf_install(NULL) drops the current snapshot (at exit). Before the
 *	first conf_install(), conf_current() returns NULL.
 * DIAGNOSTICS
 *	conf_open/conf_load: NULL when there were errors (all of them are in
 *	*errors_r, one line each ending in a newline).
 *	conf_named_list: 1 found, 0 no such list.
 * STANDARDS
 *	libconfig 1.5 syntax (https://hyperrealm.github.io/libconfig/).
 */
#ifndef MXG_CONF_CONF_H
#define MXG_CONF_CONF_H

#include <stdio.h>
#include <libconfig.h>
#include "util/buf.h"
#include "util/cidr.h"

struct conf;

struct conf *conf_open(const char *path, struct buf *errors_r);
struct conf *conf_load(const char *path, struct buf *errors_r);
struct conf *conf_defaults(void);
struct conf *conf_ref(struct conf *c);
void conf_unref(struct conf **cp);

int conf_bool(const struct conf *c, const char *key);
long long conf_int(const struct conf *c, const char *key);
const char *conf_str(const struct conf *c, const char *key);
size_t conf_list(const struct conf *c, const char *key, const char *const **items_r);
const struct cidr *conf_cidrs(const struct conf *c, const char *key, size_t *count_r);
const config_setting_t *conf_setting(const struct conf *c, const char *key);
const char *conf_path(const struct conf *c);
void conf_dump(const struct conf *c, FILE *fp);

size_t conf_group_count(const struct conf *c, const char *key);
const char *conf_group_str(const struct conf *c, const char *key, size_t index,
			   const char *member);
int conf_named_list(const struct conf *c, const char *name, const char *const **items_r,
		    size_t *count_r);
size_t conf_named_lists(const struct conf *c, const char *const **names_r);

struct conf *conf_load_string(const char *text, const char *name, struct buf *errors_r);
int conf_is_default(const struct conf *c);
void conf_list_keys(FILE *fp);

struct conf *conf_current(void);
void conf_install(struct conf *c);

#endif
