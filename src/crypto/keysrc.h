/*
 * NAME
 *	keysrc - where verifiers get public keys: a fetch callback and a cache
 * SYNOPSIS
 *	#include "crypto/keysrc.h"
 *	struct crypto_keycache *crypto_keycache_alloc(size_t max, int ttl);
 *	void crypto_keycache_free(struct crypto_keycache **cache);
 *	int crypto_keysrc_get(const struct crypto_keysrc *src, const char *d,
 *			const char *s, struct crypto_key **key_r, const char **why_r);
 *	int crypto_sig_check(const struct crypto_sig *sig, const unsigned char *hh32,
 *			const struct crypto_keysrc *src, const char **why_r);
 *	char *crypto_sign_field(const struct mail_hdrs *hdrs, char *const *names,
 *			size_t nnames, int canon, EVP_PKEY *pkey, const char *raw,
 *			size_t len);
 *	int crypto_keyfetch_dns(void *resolver, const char *name, char **txt_r,
 *			const char **why_r);
 * DESCRIPTION
 *	A key source is a callback that returns the TXT record of a name
 *	("s._domainkey.d"): src/dns in production (crypto_keyfetch_dns with
 *	a struct dns_resolver), a table of records in tests. An optional
 *	cache keeps parsed keys per name for ttl seconds (d2i_PUBKEY costs
 *	more than a verify); it is guarded by a mutex and shared by threads.
 *
 *	crypto_sig_check fetches the key of a parsed signature, checks it
 *	against the signature (k= vs a=, h=, s=, t=s) and verifies the
 *	signature over the header hash hh32. An RSA key shorter than
 *	src->min_rsa_bits (dkim.min_key_bits) is a permanent error.
 *
 *	crypto_sign_field signs the header hash of the fields named names
 *	followed by the signature field raw (b= empty) and returns the
 *	base64 signature.
 * DIAGNOSTICS
 *	crypto_keysrc_get: 1 found, 0 no key (NXDOMAIN, no record, bad
 *	record: *why_r says which), -1 temporary. crypto_sig_check:
 *	CRYPTO_PASS, CRYPTO_FAIL, CRYPTO_TEMP, CRYPTO_PERM with *why_r.
 *	crypto_sign_field: NULL when signing failed.
 * STANDARDS
 *	RFC 6376 3.6.2 (DNS binding), 6.1.2 (key checks), 6.1.3.
 */
#ifndef MXG_CRYPTO_KEYSRC_H
#define MXG_CRYPTO_KEYSRC_H
#include "crypto/crypto.h"

enum { CRYPTO_PASS = 1, CRYPTO_FAIL = 0, CRYPTO_TEMP = -1, CRYPTO_PERM = -2 };

typedef int (*crypto_fetch_fn)(void *ctx, const char *name, char **txt_r,
			       const char **why_r);

struct crypto_keycache;

struct crypto_keysrc {
    crypto_fetch_fn fetch;
    void   *ctx;
    struct crypto_keycache *cache;	/* NULL = none */
    int     min_rsa_bits;		/* 0 = CRYPTO_RSA_MIN_BITS */
};

struct crypto_keycache *crypto_keycache_alloc(size_t max, int ttl);
void crypto_keycache_free(struct crypto_keycache **cache);
int crypto_keysrc_get(const struct crypto_keysrc *src, const char *d, const char *s,
		      struct crypto_key **key_r, const char **why_r);
int crypto_sig_check(const struct crypto_sig *sig, const unsigned char *hh32,
		     const struct crypto_keysrc *src, const char **why_r);
char   *crypto_sign_field(const struct mail_hdrs *hdrs, char *const *names,
			  size_t nnames, int canon, EVP_PKEY *pkey,
			  const char *raw, size_t len);
int crypto_keyfetch_dns(void *resolver, const char *name, char **txt_r,
			const char **why_r);

#endif
