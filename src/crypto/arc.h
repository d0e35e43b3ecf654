/*
 * NAME
 *	arc - ARC chain verification and sealing (RFC 8617)
 * SYNOPSIS
 *	#include "crypto/arc.h"
 *	struct arc_verify *arc_verify_start(const struct mail_hdrs *hdrs);
 *	struct arc_verify *arc_verify_start_set(const struct mail_hdrs *hdrs,
 *			struct crypto_bodyset *set);
 *	void arc_verify_body(struct arc_verify *v, const char *data, size_t len);
 *	void arc_verify_end(struct arc_verify *v, const struct crypto_keysrc *src,
 *			struct arc_result *res);
 *	struct arc_verify *arc_verify_start_set(const struct mail_hdrs *hdrs,
 *					struct crypto_bodyset *set);
 *	void arc_verify_incomplete(struct arc_verify *v);
 *	void arc_verify_free(struct arc_verify **v);
 *	void arc_result_clear(struct arc_result *res);
 *	int arc_seal(const struct mail_hdrs *hdrs, const char *body, size_t len,
 *			const struct arc_result *chain, const struct arc_seal_opts *o,
 *			struct arc_seal_out *out, const char **why_r);
 *	int arc_seal_hashed(const struct mail_hdrs *hdrs, const unsigned char *bh32,
 *			const struct arc_result *chain, const struct arc_seal_opts *o,
 *			struct arc_seal_out *out, const char **why_r);
 *	int arc_seal_hashed(const struct mail_hdrs *hdrs, const unsigned char *bh32,
 *		    const struct arc_result *chain, const struct arc_seal_opts *o,
 *		    struct arc_seal_out *out, const char **why_r);
 *	void arc_seal_out_clear(struct arc_seal_out *out);
 * DESCRIPTION
 *	Verification collects the ARC sets by instance, checks the
 *	structure (one AAR, AMS and AS per instance 1..N, N <= 50, no gaps,
 *	cv=none on instance 1 and cv=pass above it), verifies the newest
 *	AMS and every AS, and fills res: state ARC_PASS / ARC_FAIL /
 *	ARC_NONE / ARC_TEMPERROR (a temporary DNS failure is never fail),
 *	a reason, the number of sets, arc_domains (the AS d= values in
 *	chain order, colon-separated) and arc_oldest_pass (on pass: the
 *	lowest instance whose AMS still verifies, as do all newer ones; the
 *	newest instance when no older AMS does; 0 unless pass). The body is
 *	streamed as for DKIM; arc_verify_start_set takes the AMS body
 *	hashes from a body set the caller feeds (shared with DKIM). After
 *	arc_verify_incomplete (body cut short) a chain fails, unchecked.
 *
 *	arc_seal builds instance N+1 for a message whose chain was
 *	verified as chain: the AAR from every Authentication-Results field
 *	carrying o->authserv_id (in field order, one result per line), the
 *	AMS over o->headers (ARC fields never signed) and the body, and
 *	the AS over every set (cv=pass/none) or, when the chain failed,
 *	over the new set only with cv=fail (RFC 8617 5.1.2). Tags are
 *	written in alphabetical order, which the ARC test suite's signing
 *	cases require. A chain whose newest seal says cv=fail, a chain of
 *	50 sets, and a chain in temperror are not sealed. arc_seal_hashed
 *	takes the body hash (relaxed, no l=) already computed.
 * DIAGNOSTICS
 *	arc_seal: 0 ok (out filled: values start with a space, folded with
 *	o->eol), -1 with *why_r.
 * STANDARDS
 *	RFC 8617 4 (fields), 5.1 (sealing), 5.2 (validation); RFC 8601.
 */
#ifndef MXG_CRYPTO_ARC_H
#define MXG_CRYPTO_ARC_H
#include "crypto/crypto.h"
#include "crypto/keysrc.h"

#define ARC_MAX_SETS	50

enum { ARC_NONE = 0, ARC_PASS, ARC_FAIL, ARC_TEMPERROR };

struct arc_result {
    int     state;			/* ARC_* */
    const char *reason;			/* static text */
    int     count;			/* sets (newest instance) */
    int     oldest_pass;
    char   *domains;			/* "d1:d2" or NULL */
};

struct arc_seal_opts {
    const char *authserv_id;
    const char *domain, *selector;
    EVP_PKEY *pkey;
    const char *headers;		/* colon-separated names */
    long long t, x;			/* -1 = omit */
    const char *eol;
};

struct arc_seal_out {
    char   *aar, *ams, *as;		/* field values */
    int     instance;
};

struct arc_verify;

struct arc_verify *arc_verify_start(const struct mail_hdrs *hdrs);
void arc_verify_body(struct arc_verify *v, const char *data, size_t len);
void arc_verify_end(struct arc_verify *v, const struct crypto_keysrc *src,
		    struct arc_result *res);
struct arc_verify *arc_verify_start_set(const struct mail_hdrs *hdrs,
					struct crypto_bodyset *set);
void arc_verify_incomplete(struct arc_verify *v);
void arc_verify_free(struct arc_verify **v);
void arc_result_clear(struct arc_result *res);
const char *arc_state_name(int state);
int arc_seal(const struct mail_hdrs *hdrs, const char *body, size_t len,
	     const struct arc_result *chain, const struct arc_seal_opts *o,
	     struct arc_seal_out *out, const char **why_r);
int arc_seal_hashed(const struct mail_hdrs *hdrs, const unsigned char *bh32,
		    const struct arc_result *chain, const struct arc_seal_opts *o,
		    struct arc_seal_out *out, const char **why_r);
void arc_seal_out_clear(struct arc_seal_out *out);
int arc_hash_fields(const char *const *raw, const size_t *len, size_t n,
		    unsigned char *md32);

#endif
