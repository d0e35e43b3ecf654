/*
 * NAME
 *	dns_cache - a small TTL-honouring answer cache shared by threads
 * SYNOPSIS
 *	#include "dns/dns_int.h"
 *
 *	struct dns_cache *dns_cache_new(size_t size);
 *	void dns_cache_free(struct dns_cache **cp);
 *	struct dns_answer *dns_cache_get(struct dns_cache *c, const char *name,
 *					 enum dns_type type);
 *	void dns_cache_put(struct dns_cache *c, const char *name,
 *			   enum dns_type type, const struct dns_answer *a);
 * DESCRIPTION
 *	A hash table (O(1) lookups) with a least-recently-used list bounded
 *	to `size` entries, behind one mutex. Keys are (normalized name,
 *	type). Only DNS_FOUND and DNS_NOTFOUND answers with a TTL > 0 are
 *	stored (dns_answer.ttl: positive min TTL, or the RFC 2308 negative
 *	TTL); DNS_TEMP and DNS_PERM never are. TTLs are capped at one day.
 *	A hit returns a copy whose TTLs are reduced by the time spent in
 *	the cache.
 * DIAGNOSTICS
 *	dns_cache_get: NULL on a miss or an expired entry.
 */
#include "config.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "util/xmalloc.h"
#include "dns/dns_int.h"

#define DNS_CACHE_MAX_TTL 86400

struct centry {
    struct centry *hnext;		/* hash chain */
    struct centry *prev, *next;		/* LRU list, most recent first */
    unsigned hash;
    enum dns_type type;
    long long stored_ms, expires_ms;
    struct dns_answer *answer;
    char name[];
};

struct dns_cache {
    pthread_mutex_t lock;
    size_t size, count, nbuckets;
    struct centry **buckets;
    struct centry *head, *tail;
};

/* cache_hash - FNV-1a of name and type */
static unsigned cache_hash(const char *name, enum dns_type type)
{
    unsigned h = 2166136261u ^ (unsigned) type;

    for (const unsigned char *p = (const unsigned char *) name; *p; p++)
	h = (h ^ *p) * 16777619u;
    return h;
}

/* dns_cache_new - a cache of at most size entries */
struct dns_cache *dns_cache_new(size_t size)
{
    struct dns_cache *c = xcalloc(1, sizeof(*c));

    c->size = size;
    for (c->nbuckets = 16; c->nbuckets < size * 2 && c->nbuckets < (1u << 24);)
	c->nbuckets *= 2;
    c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

/* unlink_entry - take an entry out of its chain and the LRU list, free it */
static void unlink_entry(struct dns_cache *c, struct centry *e)
{
    struct centry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];

    while (*pp != e)
	pp = &(*pp)->hnext;
    *pp = e->hnext;
    if (e->prev)
	e->prev->next = e->next;
    else
	c->head = e->next;
    if (e->next)
	e->next->prev = e->prev;
    else
	c->tail = e->prev;
    dns_answer_free(&e->answer);
    free(e);
    c->count--;
}

/* dns_cache_free - free the cache and every entry */
void dns_cache_free(struct dns_cache **cp)
{
    struct dns_cache *c = *cp;

    if (c == NULL)
	return;
    while (c->head)
	unlink_entry(c, c->head);
    pthread_mutex_destroy(&c->lock);
    free(c->buckets);
    free(c);
    *cp = NULL;
}

/* find - the entry for (name, type) or NULL; lock held */
static struct centry *find(struct dns_cache *c, unsigned h, const char *name, enum dns_type type)
{
    for (struct centry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->hnext)
	if (e->hash == h && e->type == type && strcmp(e->name, name) == 0)
	    return e;
    return NULL;
}

/* to_front - mark an entry most recently used; lock held */
static void to_front(struct dns_cache *c, struct centry *e)
{
    if (c->head == e)
	return;
    e->prev->next = e->next;
    if (e->next)
	e->next->prev = e->prev;
    else
	c->tail = e->prev;
    e->prev = NULL;
    e->next = c->head;
    c->head->prev = e;
    c->head = e;
}

/* dns_cache_get - a copy of a live entry, TTLs aged; NULL on a miss */
struct dns_answer *dns_cache_get(struct dns_cache *c, const char *name, enum dns_type type)
{
    unsigned h = cache_hash(name, type);
    struct dns_answer *a = NULL;
    long long now = dns_now_ms();

    if (c == NULL || c->size == 0)
	return NULL;
    pthread_mutex_lock(&c->lock);
    struct centry *e = find(c, h, name, type);
    if (e != NULL && now >= e->expires_ms) {
	unlink_entry(c, e);
	e = NULL;
    }
    if (e != NULL) {
	uint32_t age = (uint32_t) ((now - e->stored_ms) / 1000);
	to_front(c, e);
	a = dns_answer_copy(e->answer);
	a->ttl = a->ttl > age ? a->ttl - age : 0;
	for (size_t i = 0; i < a->count; i++)
	    a->rrs[i].ttl = a->rrs[i].ttl > age ? a->rrs[i].ttl - age : 0;
    }
    pthread_mutex_unlock(&c->lock);
    return a;
}

/* dns_cache_put - remember a FOUND/NOTFOUND answer for its TTL */
void dns_cache_put(struct dns_cache *c, const char *name, enum dns_type type,
		   const struct dns_answer *a)
{
    unsigned h = cache_hash(name, type);
    uint32_t ttl = a->ttl > DNS_CACHE_MAX_TTL ? DNS_CACHE_MAX_TTL : a->ttl;
    size_t nl = strlen(name);

    if (c == NULL || c->size == 0 || ttl == 0
	|| (a->status != DNS_FOUND && a->status != DNS_NOTFOUND))
	return;
    struct centry *e = xcalloc(1, sizeof(*e) + nl + 1);
    memcpy(e->name, name, nl + 1);
    e->hash = h;
    e->type = type;
    e->answer = dns_answer_copy(a);
    e->stored_ms = dns_now_ms();
    e->expires_ms = e->stored_ms + (long long) ttl * 1000;

    pthread_mutex_lock(&c->lock);
    struct centry *old = find(c, h, name, type);
    if (old != NULL)
	unlink_entry(c, old);
    while (c->count >= c->size && c->tail)
	unlink_entry(c, c->tail);
    e->hnext = c->buckets[h & (c->nbuckets - 1)];
    c->buckets[h & (c->nbuckets - 1)] = e;
    e->next = c->head;
    if (c->head)
	c->head->prev = e;
    c->head = e;
    if (c->tail == NULL)
	c->tail = e;
    c->count++;
    pthread_mutex_unlock(&c->lock);
}
