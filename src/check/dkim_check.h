/*
 * NAME
 *	dkim_check - the DKIM and ARC check modules, and their signing keys
 * SYNOPSIS
 *	#include "check/dkim_check.h"
 *
 *	extern const struct check_module dkim_check_module, arc_check_module;
 *	struct crypto_bodyset *dkim_check_bodies(struct check_msg *m);
 *
 *	extern const struct fact_table dkim_fact_table, arc_fact_table;
 *
 *	(dkim_keys.c) struct dkim_keyring: see there
 *	(dkim_sign.c)
 *	int dkim_sign_conf_load(struct dkim_sign_conf *sc, const struct conf *c,
 *				int flags, struct buf *errors_r);
 *	void dkim_sign_conf_clear(struct dkim_sign_conf *sc);
 *	size_t dkim_sign_values(const struct dkim_sign_conf *sc,
 *				const struct mail_hdrs *hdrs, const char *domain,
 *				const unsigned char *bh, long long now, const char *eol,
 *				char **values, size_t max, const char **why_r);
 *	int arc_seal_conf_load(struct arc_seal_conf *ac, const struct conf *c,
 *			       int flags, struct buf *errors_r);
 *	void arc_seal_conf_clear(struct arc_seal_conf *ac);
 *	const struct dkim_key *arc_seal_key(const struct arc_seal_conf *ac,
 *				const char *const *rcpts, size_t nrcpt);
 *	void arc_seal_opts_fill(const struct arc_seal_conf *ac, const struct dkim_key *k,
 *				const char *authserv_id, long long now, const char *eol,
 *				struct arc_seal_opts *o);
 * DESCRIPTION
 *	dkim_check.c and arc_check.c are the pipeline modules (see their
 *	headers); dkim_check_bodies() is the message's body set both use
 *	(made on first use, fed once per body chunk); dkim_sign.c holds what signing and sealing read from the
 *	config, shared by the modules and by `mxguard sign` / `mxguard
 *	seal`, so both sign exactly alike.
 *
 *	dkim_sign_conf_load reads dkim.sign, dkim.key_table,
 *	dkim.signed_headers, dkim.oversign and dkim.canonicalization;
 *	dkim_sign_values makes one DKIM-Signature value per key of domain
 *	(bh: the body hash under sc->bcanon). arc_seal_conf_load reads
 *	arc.seal (admd, selector, key, options "timestamps" and
 *	"expire[=+N|=N]"), arc.key_table, arc.signed_headers and
 *	arc.seal_when; arc_seal_key picks the sealing key: the first
 *	recipient domain that has one in arc.key_table, else arc.seal's.
 *	flags DKIM_KEYS_MISSING_OK (config-test) skip key files and tables
 *	that do not exist; every other problem is still an error.
 * DIAGNOSTICS
 *	*_conf_load: 0 ok, -1 with "FILE:LINE: key: what" lines in errors_r.
 *	dkim_sign_values: the number of values made (0 with *why_r when a
 *	key failed). arc_seal_key: NULL when nothing may seal.
 * STANDARDS
 *	RFC 6376 5 (signing), RFC 8463, RFC 8617 5.1.
 */
#ifndef MXG_CHECK_DKIM_CHECK_H
#define MXG_CHECK_DKIM_CHECK_H
#include <stddef.h>
#include "crypto/arc.h"
#include "crypto/dkim.h"
#include "pipeline/check.h"
#include "util/buf.h"

struct conf;

struct dkim_key {
    char *domain, *selector;
    EVP_PKEY *pkey;
    int alg;				/* CRYPTO_ALG_* */
};

struct dkim_keyring;

#define DKIM_KEYS_MISSING_OK	1	/* config-test: a key file that is not there is skipped */

struct dkim_keyring *dkim_keyring_new(int flags);
void dkim_keyring_free(struct dkim_keyring **r);
int dkim_keyring_add(struct dkim_keyring *r, const char *domain, const char *selector,
		     const char *alg, const char *path, const char *where,
		     struct buf *errors_r);
int dkim_keyring_table(struct dkim_keyring *r, const char *spec, int with_alg,
		       const char *where, struct buf *errors_r);
size_t dkim_keyring_find(const struct dkim_keyring *r, const char *domain,
			 const struct dkim_key **out, size_t max);
size_t dkim_keyring_count(const struct dkim_keyring *r);
const struct dkim_key *dkim_keyring_at(const struct dkim_keyring *r, size_t i);
char *dkim_conf_where(const struct conf *c, const char *key, int elem);
char *dkim_conf_names(const struct conf *c, const char *key, const char *extra);

#define DKIM_SIGN_MAX	8		/* signatures per message */

struct dkim_sign_conf {
    struct dkim_keyring *ring;
    char *headers, *oversign;
    int hcanon, bcanon;
};

enum { ARC_SEAL_WHEN_CONTROL, ARC_SEAL_WHEN_RELAYED, ARC_SEAL_WHEN_ALWAYS };

struct arc_seal_conf {
    struct dkim_keyring *ring;		/* arc.key_table */
    struct dkim_keyring *def;		/* arc.seal (one key) or empty */
    int timestamps;
    int expire;				/* 0 none, 1 relative, 2 absolute */
    long long expire_val;
    char *headers;
    int when;				/* ARC_SEAL_WHEN_* */
};

int dkim_sign_conf_load(struct dkim_sign_conf *sc, const struct conf *c, int flags,
			struct buf *errors_r);
void dkim_sign_conf_clear(struct dkim_sign_conf *sc);
size_t dkim_sign_values(const struct dkim_sign_conf *sc, const struct mail_hdrs *hdrs,
			const char *domain, const unsigned char *bh, long long now,
			const char *eol, char **values, size_t max, const char **why_r);
int arc_seal_conf_load(struct arc_seal_conf *ac, const struct conf *c, int flags,
		       struct buf *errors_r);
void arc_seal_conf_clear(struct arc_seal_conf *ac);
const struct dkim_key *arc_seal_key(const struct arc_seal_conf *ac, const char *const *rcpts,
				    size_t nrcpt);
void arc_seal_opts_fill(const struct arc_seal_conf *ac, const struct dkim_key *k,
			const char *authserv_id, long long now, const char *eol,
			struct arc_seal_opts *o);

struct crypto_bodyset *dkim_check_bodies(struct check_msg *m);

extern const struct fact_table dkim_fact_table, arc_fact_table;
extern const struct check_module dkim_check_module, arc_check_module;

#endif
