/*
 * NAME
 *	keysrc - key fetch, key cache, signature check and field signing
 * SYNOPSIS
 *	See keysrc.h.
 * DESCRIPTION
 *	The cache is a small hash table of parsed key records keyed by the
 *	DNS name; lookups hand out a new reference to the shared record
 *	(no copy: its pooled RSA verify contexts are reused across
 *	messages), so an entry can expire while a verifier still uses it. Only good keys are cached:
 *	negative and temporary answers are left to src/dns's cache.
 * DIAGNOSTICS
 *	See keysrc.h.
 * STANDARDS
 *	RFC 6376 3.6.1, 3.6.2.1, 6.1.2.
 */
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "crypto/keysrc.h"
#include "dns/dns.h"
#include "util/xmalloc.h"

struct kc_entry {
    char   *name;
    struct crypto_key *key;
    time_t  expires;
    struct kc_entry *next;
};

#define KC_BUCKETS	256

struct crypto_keycache {
    pthread_mutex_t lock;
    size_t  max, count;
    int     ttl;
    struct kc_entry *b[KC_BUCKETS];
};

/* kc_hash - bucket of a name */
static unsigned kc_hash(const char *s)
{
    unsigned h = 5381;

    while (*s)
	h = h * 33 + (unsigned char) *s++;
    return h % KC_BUCKETS;
}

/* crypto_keycache_alloc - a cache of at most max keys kept ttl seconds */
struct crypto_keycache *crypto_keycache_alloc(size_t max, int ttl)
{
    struct crypto_keycache *c = xcalloc(1, sizeof(*c));

    pthread_mutex_init(&c->lock, NULL);
    c->max = max;
    c->ttl = ttl;
    return c;
}

/* kc_entry_free - release one entry */
static void kc_entry_free(struct kc_entry *e)
{
    crypto_key_free(&e->key);
    free(e->name);
    free(e);
}

/* crypto_keycache_free - release the cache and every key */
void crypto_keycache_free(struct crypto_keycache **cp)
{
    struct crypto_keycache *c = *cp;
    struct kc_entry *e, *n;
    size_t  i;

    if (c == NULL)
	return;
    for (i = 0; i < KC_BUCKETS; i++)
	for (e = c->b[i]; e; e = n) {
	    n = e->next;
	    kc_entry_free(e);
	}
    pthread_mutex_destroy(&c->lock);
    xfreep(cp);
}

/* kc_get - a live cached copy, or NULL; drops expired entries */
static struct crypto_key *kc_get(struct crypto_keycache *c, const char *name)
{
    struct kc_entry **ep, *e;
    struct crypto_key *k = NULL;
    time_t  now = time(NULL);

    pthread_mutex_lock(&c->lock);
    for (ep = &c->b[kc_hash(name)]; (e = *ep) != NULL;) {
	if (e->expires <= now) {
	    *ep = e->next;
	    kc_entry_free(e);
	    c->count--;
	    continue;
	}
	if (strcmp(e->name, name) == 0) {
	    k = crypto_key_ref(e->key);
	    break;
	}
	ep = &e->next;
    }
    pthread_mutex_unlock(&c->lock);
    return k;
}

/* kc_put - remember a good key (when there is room) */
static void kc_put(struct crypto_keycache *c, const char *name,
		   struct crypto_key *k)
{
    struct kc_entry *e;
    unsigned h = kc_hash(name);

    pthread_mutex_lock(&c->lock);
    if (c->count < c->max) {
	e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(name);
	e->key = crypto_key_ref(k);
	e->expires = time(NULL) + c->ttl;
	e->next = c->b[h];
	c->b[h] = e;
	c->count++;
    }
    pthread_mutex_unlock(&c->lock);
}

/* crypto_keysrc_get - the parsed key of selector s in domain d */
int crypto_keysrc_get(const struct crypto_keysrc *src, const char *d, const char *s,
		      struct crypto_key **key_r, const char **why_r)
{
    char   *name = xasprintf("%s._domainkey.%s", s, d), *txt = NULL;
    int     st;

    *key_r = NULL;
    if (src->cache && (*key_r = kc_get(src->cache, name)) != NULL) {
	free(name);
	return 1;
    }
    st = src->fetch(src->ctx, name, &txt, why_r);
    if (st == 1) {
	if (crypto_key_parse(txt, strlen(txt), key_r, why_r) < 0)
	    st = 0;
	else if (src->cache && !(*key_r)->revoked)
	    kc_put(src->cache, name, *key_r);
    } else if (st == 0) {
	*why_r = "key not found";
    }
    free(txt);
    free(name);
    return st;
}

/* key_allows - is word in a colon-separated list (NULL list = all) */
static int key_allows(const char *list, const char *word)
{
    const char *p = list, *e;
    size_t  wl = strlen(word);

    if (list == NULL)
	return 1;
    for (;;) {
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
	    p++;
	for (e = p; *e && *e != ':' && *e != ' ' && *e != '\t'; e++)
	     /* void */ ;
	if ((size_t) (e - p) == wl && strncasecmp(p, word, wl) == 0)
	    return 1;
	while (*e && *e != ':')
	    e++;
	if (*e == 0)
	    return 0;
	p = e + 1;
    }
}

/* crypto_sig_check - fetch the key, check it fits, verify the signature */
int crypto_sig_check(const struct crypto_sig *sig, const unsigned char *hh32,
		     const struct crypto_keysrc *src, const char **why_r)
{
    struct crypto_key *key = NULL;
    int     st, ret;

    if ((st = crypto_keysrc_get(src, sig->d, sig->s, &key, why_r)) < 0)
	return CRYPTO_TEMP;
    if (st == 0)
	return CRYPTO_PERM;
    if (key->revoked)
	ret = (*why_r = "key revoked", CRYPTO_PERM);
    else if (crypto_pkey_alg(key->pkey) != sig->alg)
	ret = (*why_r = "key type does not match a=", CRYPTO_PERM);
    else if (sig->alg == CRYPTO_ALG_RSA_SHA256 && src->min_rsa_bits > 0
	     && EVP_PKEY_get_bits(key->pkey) < src->min_rsa_bits)
	ret = (*why_r = "key shorter than dkim.min_key_bits", CRYPTO_PERM);
    else if (!key_allows(key->h, "sha256"))
	ret = (*why_r = "key h= does not allow sha256", CRYPTO_PERM);
    else if (key->s && !key_allows(key->s, "*") && !key_allows(key->s, "email"))
	ret = (*why_r = "key not for email", CRYPTO_PERM);
    else if (!crypto_key_verify(key, sig->alg, hh32, sig->b, sig->b_len))
	ret = (*why_r = "signature verification failed", CRYPTO_FAIL);
    else
	ret = CRYPTO_PASS;
    crypto_key_free(&key);
    return ret;
}

/* crypto_sign_field - sign named fields + the signature field (b= empty) */
char   *crypto_sign_field(const struct mail_hdrs *hdrs, char *const *names,
			  size_t nnames, int canon, EVP_PKEY *pkey,
			  const char *raw, size_t len)
{
    unsigned char hh[32], *sig = NULL;
    size_t  sig_len = 0;
    char   *b64;

    if (crypto_hash_headers(hdrs, names, nnames, canon, raw, len, hh) < 0
	|| crypto_sign(crypto_pkey_alg(pkey), pkey, hh, &sig, &sig_len) < 0)
	return NULL;
    b64 = crypto_b64_encode(sig, sig_len);
    free(sig);
    return b64;
}

/* crypto_keyfetch_dns - key fetch through src/dns (ctx: dns_resolver) */
int crypto_keyfetch_dns(void *resolver, const char *name, char **txt_r,
			const char **why_r)
{
    struct dns_answer *a = NULL;
    int     st = dns_lookup(resolver, name, DNS_T_TXT, NULL, &a), ret;
    size_t  i;

    *txt_r = NULL;
    if (st == DNS_FOUND) {
	for (i = 0; i < a->count; i++)
	    if (strncmp(a->rrs[i].u.txt.text, "v=DKIM1", 7) == 0 || a->count == 1)
		break;
	if (i < a->count) {
	    *txt_r = xstrdup(a->rrs[i].u.txt.text);
	    ret = 1;
	} else {
	    ret = (*why_r = "no DKIM key record", 0);
	}
    } else if (st == DNS_NOTFOUND || st == DNS_PERM) {
	ret = (*why_r = "key not found", 0);
    } else {
	ret = (*why_r = "key lookup temporary failure", -1);
    }
    dns_answer_free(&a);
    return ret;
}
