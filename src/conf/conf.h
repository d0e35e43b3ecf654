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
 *	struct conf *conf_current(void);          (a new reference)
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
 * DIAGNOSTICS
 *	conf_open/conf_load: NULL when there were errors (all of them are in
 *	*errors_r).
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

struct conf *conf_current(void);
void conf_install(struct conf *c);

#endif
