/*
 * NAME
 *	dkim - DKIM verification and signing over a header block and a body
 * SYNOPSIS
 *	#include "crypto/dkim.h"
 *	struct dkim_verify *dkim_verify_start(const struct mail_hdrs *hdrs,
 *			const struct dkim_verify_opts *opts);
 *	void dkim_verify_body(struct dkim_verify *v, const char *data, size_t len);
 *	size_t dkim_verify_end(struct dkim_verify *v, const struct crypto_keysrc *src,
 *			const struct dkim_result **res_r);
 *	struct dkim_verify *dkim_verify_start_set(const struct mail_hdrs *hdrs,
 *			const struct dkim_verify_opts *opts, struct crypto_bodyset *set);
 *	void dkim_verify_incomplete(struct dkim_verify *v);
 *	void dkim_verify_incomplete(struct dkim_verify *v);
 *	void dkim_verify_free(struct dkim_verify **v);
 *	int dkim_sign_hashed(const struct mail_hdrs *hdrs, const unsigned char *bh32,
 *			const struct dkim_sign_opts *o, char **value_r,
 *			const char **why_r);
 *	int dkim_sign(const struct mail_hdrs *hdrs, const char *body, size_t len,
 *			const struct dkim_sign_opts *o, char **value_r,
 *			const char **why_r);
 *	const char *dkim_result_name(int result);
 * DESCRIPTION
 *	Verification is split so the milter can stream the body:
 *	dkim_verify_start parses every DKIM-Signature (the first
 *	DKIM_MAX_SIGS are verified; if there are more, one further result
 *	says permerror "too many signatures", for the first one left out)
 *	and starts one body hash per signature;
 *	dkim_verify_body feeds body chunks; dkim_verify_end fetches keys
 *	and checks each signature, returning one result per signature in
 *	field order (top first). opts->now is the time for t=/x= checks.
 *	dkim_verify_start_set takes the body hashes from a body set that
 *	the caller feeds (shared with ARC and signing: one hash per
 *	canonicalization and l=); dkim_verify_body then does nothing.
 *	After dkim_verify_incomplete (the body was cut short: message over
 *	the size limit) signatures are reported neutral, never checked.
 *	rsa-sha1 signatures are reported as opts->sha1_result (default
 *	DKIM_POLICY) without being checked (RFC 8301).
 *
 *	dkim_sign returns the value of a DKIM-Signature field (the text
 *	after "DKIM-Signature:", starting with a space, folded with
 *	o->eol): tags v a c d s [t] [x] h bh b in that order. o->headers is
 *	a colon-separated list of names; each listed name is signed once
 *	per instance present, and names in o->oversign once more (so no
 *	further instance can be added unnoticed, RFC 6376 8.15).
 *	dkim_sign_hashed does the same with the body hash already computed
 *	(bh32: SHA-256 of the body under o->bcanon, no l=).
 * DIAGNOSTICS
 *	dkim_sign: 0 ok, -1 with *why_r.
 * STANDARDS
 *	RFC 6376 3.5, 3.7, 5, 6; RFC 8301; RFC 8463.
 */
#ifndef MXG_CRYPTO_DKIM_H
#define MXG_CRYPTO_DKIM_H
#include <time.h>
#include "crypto/crypto.h"
#include "crypto/keysrc.h"

#define DKIM_MAX_SIGS	16
#define DKIM_CLOCK_SKEW	300

enum { DKIM_NONE = 0, DKIM_PASS, DKIM_FAIL, DKIM_NEUTRAL, DKIM_POLICY,
       DKIM_TEMPERROR, DKIM_PERMERROR };

struct dkim_result {
    int     result;			/* DKIM_* */
    const char *reason;			/* static text, NULL on pass */
    char   *d, *s, *i;			/* NULL when unparsable */
    int     alg;			/* CRYPTO_ALG_* */
    long long l;			/* l= or -1 */
    long long body_len;			/* canonical body length */
    size_t  field;			/* index in the header block */
};

struct dkim_verify_opts {
    time_t  now;			/* 0 = time(NULL) */
    int     sha1_result;		/* DKIM_POLICY (0 = default) or DKIM_NEUTRAL */
};

struct dkim_sign_opts {
    const char *domain, *selector;
    EVP_PKEY *pkey;
    const char *headers;		/* "from:to:subject:date:..." */
    const char *oversign;		/* "from:to:subject" or NULL */
    int     hcanon, bcanon;		/* CRYPTO_CANON_* */
    long long t, x;			/* -1 = omit */
    const char *identity;		/* i= or NULL */
    const char *eol;			/* "\r\n" or "\n" */
};

struct dkim_verify;

struct dkim_verify *dkim_verify_start(const struct mail_hdrs *hdrs,
				      const struct dkim_verify_opts *opts);
void dkim_verify_body(struct dkim_verify *v, const char *data, size_t len);
size_t dkim_verify_end(struct dkim_verify *v, const struct crypto_keysrc *src,
		       const struct dkim_result **res_r);
struct dkim_verify *dkim_verify_start_set(const struct mail_hdrs *hdrs,
					  const struct dkim_verify_opts *opts,
					  struct crypto_bodyset *set);
void dkim_verify_incomplete(struct dkim_verify *v);
void dkim_verify_free(struct dkim_verify **v);
int dkim_sign_hashed(const struct mail_hdrs *hdrs, const unsigned char *bh32,
		     const struct dkim_sign_opts *o, char **value_r, const char **why_r);
int dkim_sign(const struct mail_hdrs *hdrs, const char *body, size_t len,
	      const struct dkim_sign_opts *o, char **value_r, const char **why_r);
const char *dkim_result_name(int result);

#endif
