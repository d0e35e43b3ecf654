/*
 * NAME
 *	bodyset - one body hash per (canonicalization, l=) for a message
 * SYNOPSIS
 *	#include "crypto/crypto.h"
 *	struct crypto_bodyset *crypto_bodyset_alloc(void);
 *	struct crypto_body *crypto_bodyset_get(struct crypto_bodyset *set,
 *			int canon, long long limit);
 *	void crypto_bodyset_update(struct crypto_bodyset *set, const char *data,
 *			size_t len);
 *	size_t crypto_bodyset_count(const struct crypto_bodyset *set);
 *	void crypto_bodyset_free(struct crypto_bodyset **set);
 * DESCRIPTION
 *	DKIM signatures, ARC message signatures and our own signatures of
 *	one message mostly use the same canonicalization without l=: they
 *	need the same body hash. A body set hands out one shared
 *	crypto_body per distinct (canon, limit); each caller gets its own
 *	reference (crypto_body_free drops it) and whoever finishes it first
 *	computes the digest for all. The owner of the set feeds the body
 *	once with crypto_bodyset_update. At most CRYPTO_BODYSET_MAX hashes
 *	are kept (a hostile message cannot make the body be hashed more
 *	often than that): past it, get returns NULL.
 * DIAGNOSTICS
 *	crypto_bodyset_get: NULL when the set is full.
 * STANDARDS
 *	RFC 6376 3.7 (body hash), RFC 8617 4.1.2.
 */
#include "crypto/crypto.h"
#include "util/xmalloc.h"

struct crypto_bodyset {
    size_t  n;
    struct crypto_body *b[CRYPTO_BODYSET_MAX];
};

/* crypto_bodyset_alloc - an empty set */
struct crypto_bodyset *crypto_bodyset_alloc(void)
{
    return xcalloc(1, sizeof(struct crypto_bodyset));
}

/* crypto_bodyset_get - a reference to the hash of (canon, limit) */
struct crypto_body *crypto_bodyset_get(struct crypto_bodyset *set, int canon,
				       long long limit)
{
    size_t  k;

    if (limit < 0)
	limit = -1;
    for (k = 0; k < set->n; k++)
	if (crypto_body_same(set->b[k], canon, limit))
	    return crypto_body_ref(set->b[k]);
    if (set->n == CRYPTO_BODYSET_MAX)
	return NULL;
    set->b[set->n] = crypto_body_alloc(canon, limit);
    return crypto_body_ref(set->b[set->n++]);
}

/* crypto_bodyset_update - feed a body chunk to every hash once */
void crypto_bodyset_update(struct crypto_bodyset *set, const char *data, size_t len)
{
    size_t  k;

    for (k = 0; k < set->n; k++)
	crypto_body_update(set->b[k], data, len);
}

/* crypto_bodyset_count - distinct hashes kept */
size_t crypto_bodyset_count(const struct crypto_bodyset *set)
{
    return set->n;
}

/* crypto_bodyset_free - drop the set's references */
void crypto_bodyset_free(struct crypto_bodyset **setp)
{
    struct crypto_bodyset *set = *setp;
    size_t  k;

    if (set == NULL)
	return;
    for (k = 0; k < set->n; k++)
	crypto_body_free(&set->b[k]);
    xfreep(setp);
}
