/*
 * NAME
 *	dkim_keys - signing and sealing keys of a config snapshot
 * SYNOPSIS
 *	#include "check/dkim_check.h"
 *
 *	struct dkim_keyring *dkim_keyring_new(int flags);
 *	void dkim_keyring_free(struct dkim_keyring **r);
 *	int dkim_keyring_add(struct dkim_keyring *r, const char *domain,
 *			const char *selector, const char *alg, const char *path,
 *			const char *where, struct buf *errors_r);
 *	int dkim_keyring_table(struct dkim_keyring *r, const char *spec, int with_alg,
 *			const char *where, struct buf *errors_r);
 *	size_t dkim_keyring_find(const struct dkim_keyring *r, const char *domain,
 *			const struct dkim_key **out, size_t max);
 *	size_t dkim_keyring_count(const struct dkim_keyring *r);
 *	const struct dkim_key *dkim_keyring_at(const struct dkim_keyring *r, size_t i);
 *	char *dkim_conf_where(const struct conf *c, const char *key, int elem);
 *	char *dkim_conf_names(const struct conf *c, const char *key, const char *extra);
 * DESCRIPTION
 *	A key ring holds private keys by signing domain, loaded once when a
 *	config snapshot is built (check modules' init, the CLI) and shared
 *	read-only by every thread. Several keys per domain are kept in
 *	order (RSA and Ed25519 dual signing). Key files are read with
 *	crypto_privkey_load: a file readable by group or other is refused.
 *	Errors never show key material.
 *
 *	A key table (dkim.key_table, arc.key_table) is "file:PATH", a text
 *	file of lines "DOMAIN SELECTOR ALGORITHM KEYFILE" (with_alg) or
 *	"DOMAIN SELECTOR KEYFILE" ('#' starts a comment), or "lmdb:PATH",
 *	an LMDB file whose keys are domains and whose values are the rest
 *	of such a line (several entries separated by ';'). ALGORITHM is
 *	rsa-sha256, ed25519-sha256 or "-" (taken from the key).
 *
 *	dkim_conf_where gives "FILE:LINE: KEY" for error lines;
 *	dkim_conf_names joins a list key (and extra) as "a:b:c" lower case.
 * DIAGNOSTICS
 *	dkim_keyring_add, dkim_keyring_table: 0 ok, -1 with one
 *	"WHERE: what" line per error appended to errors_r.
 * STANDARDS
 *	RFC 6376 3.3 (algorithms), RFC 8463.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <libconfig.h>

#include "check/dkim_check.h"
#include "conf/conf.h"
#include "store/store.h"
#include "util/xmalloc.h"

struct dkim_keyring {
    struct dkim_key *k;
    size_t n, cap;
    int flags;				/* DKIM_KEYS_* */
};

/* dkim_keyring_new - an empty ring */
struct dkim_keyring *dkim_keyring_new(int flags)
{
    struct dkim_keyring *r = xcalloc(1, sizeof(struct dkim_keyring));

    r->flags = flags;
    return r;
}

/* dkim_missing - a file that is not there, when the ring may skip it */
static int dkim_missing(const struct dkim_keyring *r, const char *path)
{
    return (r->flags & DKIM_KEYS_MISSING_OK) && access(path, F_OK) != 0 && errno == ENOENT;
}

/* dkim_keyring_free - release the keys */
void dkim_keyring_free(struct dkim_keyring **rp)
{
    struct dkim_keyring *r = *rp;

    if (r == NULL)
	return;
    for (size_t i = 0; i < r->n; i++) {
	free(r->k[i].domain);
	free(r->k[i].selector);
	EVP_PKEY_free(r->k[i].pkey);
    }
    free(r->k);
    xfreep(rp);
}

/* dkim_alg_word - CRYPTO_ALG_* of an algorithm word; NONE for "-" or "" */
static int dkim_alg_word(const char *w, int *alg_r)
{
    if (w == NULL || *w == 0 || strcmp(w, "-") == 0)
	*alg_r = CRYPTO_ALG_NONE;
    else if (strcasecmp(w, "rsa-sha256") == 0)
	*alg_r = CRYPTO_ALG_RSA_SHA256;
    else if (strcasecmp(w, "ed25519-sha256") == 0)
	*alg_r = CRYPTO_ALG_ED25519_SHA256;
    else
	return -1;
    return 0;
}

/* dkim_keyring_add - load one key file for domain and selector */
int dkim_keyring_add(struct dkim_keyring *r, const char *domain, const char *selector,
		     const char *alg, const char *path, const char *where,
		     struct buf *errors_r)
{
    EVP_PKEY *pkey;
    char *why = NULL;
    int want, have;

    if (*domain == 0 || *selector == 0 || *path == 0) {
	buf_printf(errors_r, "%s: domain, selector and key file are required\n", where);
	return -1;
    }
    if (dkim_alg_word(alg, &want) < 0) {
	buf_printf(errors_r, "%s: unknown algorithm \"%s\" (rsa-sha256 or ed25519-sha256)\n",
		   where, alg);
	return -1;
    }
    if (dkim_missing(r, path))
	return 0;
    if ((pkey = crypto_privkey_load(path, &why)) == NULL) {
	buf_printf(errors_r, "%s: %s\n", where, why);
	free(why);
	return -1;
    }
    have = crypto_pkey_alg(pkey);
    if (want != CRYPTO_ALG_NONE && want != have) {
	buf_printf(errors_r, "%s: key file %s holds an %s key, not one for %s\n", where, path,
		   have == CRYPTO_ALG_ED25519_SHA256 ? "Ed25519" : "RSA", alg);
	EVP_PKEY_free(pkey);
	return -1;
    }
    if (r->n == r->cap) {
	r->cap = r->cap ? 2 * r->cap : 4;
	r->k = xrealloc(r->k, r->cap * sizeof(*r->k));
    }
    r->k[r->n].domain = xstrdup(domain);
    for (char *c = r->k[r->n].domain; *c; c++)
	*c = (char) tolower((unsigned char) *c);
    r->k[r->n].selector = xstrdup(selector);
    r->k[r->n].pkey = pkey;
    r->k[r->n].alg = have;
    r->n++;
    return 0;
}

/* dkim_table_line - one entry "SELECTOR [ALG] KEYFILE" of domain */
static int dkim_table_line(struct dkim_keyring *r, const char *domain, char *rest,
			   int with_alg, const char *where, struct buf *errors_r)
{
    char *f[4], *save = NULL, *tok;
    size_t n = 0;

    for (tok = strtok_r(rest, " \t\r\n", &save); tok && n < 4; tok = strtok_r(NULL, " \t\r\n", &save))
	f[n++] = tok;
    if (n != (size_t) (with_alg ? 3 : 2) || tok != NULL) {
	buf_printf(errors_r, "%s: %s: expected \"%s\"\n", where, domain,
		   with_alg ? "DOMAIN SELECTOR ALGORITHM KEYFILE" : "DOMAIN SELECTOR KEYFILE");
	return -1;
    }
    return dkim_keyring_add(r, domain, f[0], with_alg ? f[1] : "-", f[n - 1], where, errors_r);
}

/* dkim_table_file - a text key table */
static int dkim_table_file(struct dkim_keyring *r, const char *path, int with_alg,
			   const char *where, struct buf *errors_r)
{
    FILE *fp = fopen(path, "r");
    char line[4096], *p, *dom, *save = NULL;
    int lineno = 0, ret = 0;

    if (fp == NULL && dkim_missing(r, path))
	return 0;
    if (fp == NULL) {
	buf_printf(errors_r, "%s: key table %s cannot be read\n", where, path);
	return -1;
    }
    while (fgets(line, sizeof(line), fp) != NULL) {
	char at[600];

	lineno++;
	if ((p = strchr(line, '#')) != NULL)
	    *p = 0;
	if ((dom = strtok_r(line, " \t\r\n", &save)) == NULL)
	    continue;
	snprintf(at, sizeof(at), "%s:%d", path, lineno);
	if (dkim_table_line(r, dom, save ? save : (char *) "", with_alg, at, errors_r) < 0)
	    ret = -1;
    }
    fclose(fp);
    return ret;
}

struct dkim_table_ctx {
    struct dkim_keyring *r;
    int with_alg, ret;
    const char *where;
    struct buf *errors_r;
};

/* dkim_table_entry - one LMDB entry: domain -> "entry[; entry]" */
static int dkim_table_entry(void *ctx, const char *key, const void *val, size_t len)
{
    struct dkim_table_ctx *t = ctx;
    char *v = xstrndup(val, len), *one, *save = NULL;

    for (one = strtok_r(v, ";", &save); one; one = strtok_r(NULL, ";", &save))
	if (dkim_table_line(t->r, key, one, t->with_alg, t->where, t->errors_r) < 0)
	    t->ret = -1;
    free(v);
    return 0;
}

/* dkim_keyring_table - every key of a key table */
int dkim_keyring_table(struct dkim_keyring *r, const char *spec, int with_alg,
		       const char *where, struct buf *errors_r)
{
    struct dkim_table_ctx t = {r, with_alg, 0, where, errors_r};
    struct store *s;
    const char *why = NULL;

    if (strncmp(spec, "file:", 5) == 0)
	return dkim_table_file(r, spec + 5, with_alg, where, errors_r);
    if (strncmp(spec, "lmdb:", 5) != 0) {
	buf_printf(errors_r, "%s: \"%s\": a key table is file:PATH or lmdb:PATH\n", where, spec);
	return -1;
    }
    if (dkim_missing(r, spec + 5))
	return 0;
    if ((s = store_open(spec, &why)) == NULL) {
	buf_printf(errors_r, "%s: %s: %s\n", where, spec, why);
	return -1;
    }
    if (store_scan(s, "", dkim_table_entry, &t) < 0) {
	buf_printf(errors_r, "%s: %s: %s\n", where, spec, store_error(s));
	t.ret = -1;
    }
    store_close(&s);
    return t.ret;
}

/* dkim_keyring_find - the keys of a domain, in the order loaded */
size_t dkim_keyring_find(const struct dkim_keyring *r, const char *domain,
			 const struct dkim_key **out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; r && domain && i < r->n && n < max; i++)
	if (strcasecmp(r->k[i].domain, domain) == 0)
	    out[n++] = &r->k[i];
    return n;
}

/* dkim_keyring_at - the i-th key loaded, or NULL */
const struct dkim_key *dkim_keyring_at(const struct dkim_keyring *r, size_t i)
{
    return r && i < r->n ? &r->k[i] : NULL;
}

/* dkim_keyring_count - keys held */
size_t dkim_keyring_count(const struct dkim_keyring *r)
{
    return r ? r->n : 0;
}

/* dkim_conf_where - "FILE:LINE: KEY" (elem >= 0: of that list element) */
char *dkim_conf_where(const struct conf *c, const char *key, int elem)
{
    const config_setting_t *s = conf_setting(c, key);
    const char *file = s ? config_setting_source_file(s) : NULL;
    unsigned line = s ? config_setting_source_line(s) : 0;

    if (s && elem >= 0 && config_setting_get_elem(s, (unsigned) elem) != NULL)
	line = config_setting_source_line(config_setting_get_elem(s, (unsigned) elem));
    if (elem >= 0)
	return xasprintf("%s:%u: %s[%d]", file ? file : conf_path(c) ? conf_path(c) : "config",
			 line, key, elem);
    return xasprintf("%s:%u: %s", file ? file : conf_path(c) ? conf_path(c) : "config", line,
		     key);
}

/* dkim_conf_names - a list key as "a:b:c", lower case, plus extra */
char *dkim_conf_names(const struct conf *c, const char *key, const char *extra)
{
    const char *const *items;
    size_t n = conf_list(c, key, &items);
    struct buf b = BUF_INIT;
    char *s;

    for (size_t i = 0; i < n; i++)
	buf_printf(&b, "%s%s", b.len ? ":" : "", items[i]);
    if (extra && *extra)
	buf_printf(&b, "%s%s", b.len ? ":" : "", extra);
    s = buf_steal(&b);
    for (char *p = s; *p; p++)
	*p = (char) tolower((unsigned char) *p);
    return s;
}
