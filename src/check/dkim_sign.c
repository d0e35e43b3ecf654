/*
 * NAME
 *	dkim_sign - what DKIM signing and ARC sealing read from the config
 * SYNOPSIS
 *	See dkim_check.h.
 * DESCRIPTION
 *	Loaded once per config snapshot (module init, or a CLI command):
 *	every key file is read and checked then, never at message time,
 *	and never logged. dkim.sign entries come first, then
 *	dkim.key_table's, so a domain's keys sign in that order.
 *	arc.seal options: "timestamps" puts t= on the AMS and the AS;
 *	"expire" puts x= 30 days after t=, "expire=+N" N seconds after,
 *	"expire=N" at time N (Exim's arc_sign options).
 * DIAGNOSTICS
 *	See dkim_check.h.
 * STANDARDS
 *	RFC 6376 3.5 (t=, x=), 5.4 (h=, over-signing); RFC 8617 4.1.2.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/dkim_check.h"
#include "conf/conf.h"
#include "util/xmalloc.h"

#define ARC_EXPIRE_DEFAULT	2592000LL	/* 30 days, as Exim */

/* dkim_sign_conf_load - the signing keys and settings */
int dkim_sign_conf_load(struct dkim_sign_conf *sc, const struct conf *c, int flags,
			struct buf *errors_r)
{
    const char *canon = conf_str(c, "dkim.canonicalization");
    size_t n = conf_group_count(c, "dkim.sign"), before = errors_r->len;
    char *where;

    memset(sc, 0, sizeof(*sc));
    sc->ring = dkim_keyring_new(flags);
    for (size_t i = 0; i < n; i++) {
	where = dkim_conf_where(c, "dkim.sign", (int) i);
	(void) dkim_keyring_add(sc->ring, conf_group_str(c, "dkim.sign", i, "domain"),
				conf_group_str(c, "dkim.sign", i, "selector"),
				conf_group_str(c, "dkim.sign", i, "algorithm"),
				conf_group_str(c, "dkim.sign", i, "key"), where, errors_r);
	free(where);
    }
    if (*conf_str(c, "dkim.key_table")) {
	where = dkim_conf_where(c, "dkim.key_table", -1);
	(void) dkim_keyring_table(sc->ring, conf_str(c, "dkim.key_table"), 1, where, errors_r);
	free(where);
    }
    sc->headers = dkim_conf_names(c, "dkim.signed_headers", NULL);
    sc->oversign = dkim_conf_names(c, "dkim.oversign", NULL);
    if (strstr(sc->headers, "from") == NULL) {
	where = dkim_conf_where(c, "dkim.signed_headers", -1);
	buf_printf(errors_r, "%s: From must be signed (RFC 6376 5.4)\n", where);
	free(where);
    }
    sc->hcanon = strncmp(canon, "relaxed", 7) == 0 ? CRYPTO_CANON_RELAXED : CRYPTO_CANON_SIMPLE;
    sc->bcanon = strcmp(strchr(canon, '/') + 1, "relaxed") == 0 ? CRYPTO_CANON_RELAXED
	: CRYPTO_CANON_SIMPLE;
    return errors_r->len == before ? 0 : -1;
}

/* dkim_sign_conf_clear - release the keys */
void dkim_sign_conf_clear(struct dkim_sign_conf *sc)
{
    dkim_keyring_free(&sc->ring);
    xfreep(&sc->headers);
    xfreep(&sc->oversign);
}

/* dkim_sign_values - one DKIM-Signature value per key of domain */
size_t dkim_sign_values(const struct dkim_sign_conf *sc, const struct mail_hdrs *hdrs,
			const char *domain, const unsigned char *bh, long long now,
			const char *eol, char **values, size_t max, const char **why_r)
{
    const struct dkim_key *keys[DKIM_SIGN_MAX];
    size_t nk = dkim_keyring_find(sc->ring, domain, keys, max < DKIM_SIGN_MAX ? max
				  : DKIM_SIGN_MAX), n = 0;

    for (size_t i = 0; i < nk; i++) {
	struct dkim_sign_opts o = {keys[i]->domain, keys[i]->selector, keys[i]->pkey,
	    sc->headers, *sc->oversign ? sc->oversign : NULL, sc->hcanon, sc->bcanon,
	    now, -1, NULL, eol};

	if (dkim_sign_hashed(hdrs, bh, &o, &values[n], why_r) == 0)
	    n++;
    }
    return n;
}

/* arc_seal_option - one arc.seal option; -1 unknown */
static int arc_seal_option(struct arc_seal_conf *ac, const char *opt)
{
    char *end;

    if (strcmp(opt, "timestamps") == 0) {
	ac->timestamps = 1;
	return 0;
    }
    if (strncmp(opt, "expire", 6) != 0)
	return -1;
    if (opt[6] == 0) {
	ac->expire = 1;
	ac->expire_val = ARC_EXPIRE_DEFAULT;
	return 0;
    }
    if (opt[6] != '=')
	return -1;
    ac->expire = opt[7] == '+' ? 1 : 2;
    ac->expire_val = strtoll(opt + 7 + (opt[7] == '+'), &end, 10);
    return *end || end == opt + 7 + (opt[7] == '+') || ac->expire_val <= 0 ? -1 : 0;
}

/* arc_seal_conf_load - the sealing keys and settings */
int arc_seal_conf_load(struct arc_seal_conf *ac, const struct conf *c, int flags,
		       struct buf *errors_r)
{
    const char *const *opts;
    const char *when = conf_str(c, "arc.seal_when");
    size_t nopt = conf_list(c, "arc.seal.options", &opts), before = errors_r->len;
    char *where;

    memset(ac, 0, sizeof(*ac));
    ac->ring = dkim_keyring_new(flags);
    ac->def = dkim_keyring_new(flags);
    if (*conf_str(c, "arc.seal.admd") || *conf_str(c, "arc.seal.key")) {
	where = dkim_conf_where(c, "arc.seal", -1);
	(void) dkim_keyring_add(ac->def, conf_str(c, "arc.seal.admd"),
				conf_str(c, "arc.seal.selector"), "-",
				conf_str(c, "arc.seal.key"), where, errors_r);
	free(where);
    }
    for (size_t i = 0; i < nopt; i++)
	if (arc_seal_option(ac, opts[i]) < 0) {
	    where = dkim_conf_where(c, "arc.seal.options", -1);
	    buf_printf(errors_r, "%s: \"%s\": options are timestamps, expire, expire=+SECONDS"
		       " and expire=TIME\n", where, opts[i]);
	    free(where);
	}
    if (*conf_str(c, "arc.key_table")) {
	where = dkim_conf_where(c, "arc.key_table", -1);
	(void) dkim_keyring_table(ac->ring, conf_str(c, "arc.key_table"), 0, where, errors_r);
	free(where);
    }
    ac->headers = dkim_conf_names(c, "arc.signed_headers", NULL);
    ac->when = strcmp(when, "control") == 0 ? ARC_SEAL_WHEN_CONTROL
	: strcmp(when, "always") == 0 ? ARC_SEAL_WHEN_ALWAYS : ARC_SEAL_WHEN_RELAYED;
    return errors_r->len == before ? 0 : -1;
}

/* arc_seal_conf_clear - release the keys */
void arc_seal_conf_clear(struct arc_seal_conf *ac)
{
    dkim_keyring_free(&ac->ring);
    dkim_keyring_free(&ac->def);
    xfreep(&ac->headers);
}

/* arc_seal_key - the first recipient domain's key, else arc.seal's */
const struct dkim_key *arc_seal_key(const struct arc_seal_conf *ac, const char *const *rcpts,
				    size_t nrcpt)
{
    const struct dkim_key *k = NULL;

    for (size_t i = 0; i < nrcpt && dkim_keyring_count(ac->ring); i++) {
	const char *at = strrchr(rcpts[i], '@');

	if (at && dkim_keyring_find(ac->ring, at + 1, &k, 1) == 1)
	    return k;
    }
    return dkim_keyring_at(ac->def, 0);
}

/* arc_seal_opts_fill - sealing options for key k at time now */
void arc_seal_opts_fill(const struct arc_seal_conf *ac, const struct dkim_key *k,
			const char *authserv_id, long long now, const char *eol,
			struct arc_seal_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->authserv_id = authserv_id;
    o->domain = k->domain;
    o->selector = k->selector;
    o->pkey = k->pkey;
    o->headers = ac->headers;
    o->t = ac->timestamps ? now : -1;
    o->x = ac->expire == 1 ? now + ac->expire_val : ac->expire == 2 ? ac->expire_val : -1;
    o->eol = eol;
}
